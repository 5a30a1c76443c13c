// Microsoft's SCIM validator (the Postman collection published with Microsoft's SCIM reference code,
// repository AzureAD/SCIMReferenceCode, file PostmanCollection.json): the requests Entra ID
// provisioning sends, run with newman against the test Worker (docs/scim.md, "Conformance"). Every
// assertion must pass except the few below that contradict RFC 7644, each named with its section.
// The collection is not part of this repository: SCIM_VALIDATOR_COLLECTION=<path> points at it.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { baseUrl, newProject, type TestProject } from "./harness.js";
import { mgmtCall, newTenant, SCIM, scim, tenantKey } from "./scim-client.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const COLLECTION = resolve(
	root,
	process.env.SCIM_VALIDATOR_COLLECTION ??
		"../shared/conformance/scim/microsoft-scim-validator.postman_collection.json",
);
const found = existsSync(COLLECTION);
const WHERE =
	"Microsoft's SCIM validator collection: get PostmanCollection.json from the GitHub repository " +
	"AzureAD/SCIMReferenceCode and set SCIM_VALIDATOR_COLLECTION=<its path>";
if (!found) console.warn(`[scim-conformance] skipped: ${COLLECTION} not found. ${WHERE}`);

/**
 * Assertions of the collection that contradict RFC 7644 (or the RFC 7643 schema it serves), as
 * `<request> :: <assertion>`, each with why; `failure` pins the one failure excused when a name
 * repeats. They may fail; every other assertion must pass.
 */
const CONTRADICTS_RFC = new Map<string, { why: string; failure?: string }>([
	[
		"Patch user omalley new username :: Status code is 204",
		{
			why: "RFC 7644 §3.5.2: a successful PATCH answers 200 with the resource (what Roster sends, and what Okta reads) or 204; the assertion accepts only 204",
		},
	],
	[
		"patch user omalley active with boolean :: Status code is 204",
		{ why: "RFC 7644 §3.5.2, as above: 200 with the resource is a conforming answer" },
	],
	[
		"Get group by id :: Body contians user",
		{
			why: "RFC 7643 §4.2: members.display is read-only, the server's (the user's displayName); the assertion wants the \"displayName\" the client put in the PATCH value, which is no sub-attribute of members",
			failure: "to include 'new User'",
		},
	],
	[
		"Group patch add member :: Status code is 204",
		{
			why: 'RFC 7644 §3.5.2.1: an add to a complex attribute SHALL carry sub-attributes; the value is the bare string "string id 1", which names no user either, so Roster answers 400 invalidValue and adds nothing',
		},
	],
	["Group patch add member2 :: Status code is 204", { why: 'RFC 7644 §3.5.2.1, as above ("string id 2")' }],
]);

interface PostmanItem {
	name: string;
	item?: PostmanItem[];
}
interface Collection {
	item: PostmanItem[];
}
interface Assertion {
	assertion: string;
	skipped?: boolean;
	error?: { message: string };
}
interface Execution {
	item: { name: string };
	request: { method: string; url: { toString(): string } };
	response?: { code: number; text(): string };
	requestError?: Error;
	assertions?: Assertion[];
}
interface Failure {
	error: { name: string; message: string; test?: string };
	source?: { name?: string };
}
interface Summary {
	run: { executions: Execution[]; failures: Failure[] };
}
interface Newman {
	run(
		options: { collection: unknown; envVar: { key: string; value: string }[]; reporters: string[] },
		done: (err: Error | null, summary: Summary) => void,
	): void;
}
const newman = createRequire(import.meta.url)("newman") as Newman;

/**
 * The collection as Entra's requests would be: without its "Get Token" folder (a non-standard token
 * endpoint of Microsoft's sample), and with the `${__UUID}` external ids (JMeter syntax, which
 * Postman sends literally, so three groups would share one) as Postman's `{{$guid}}`.
 */
function loadCollection(): Collection {
	const placeholder = ["$", "{__UUID}"].join("");
	const text = readFileSync(COLLECTION, "utf8").replaceAll(placeholder, "{{$guid}}");
	const parsed = JSON.parse(text) as Collection;
	return { ...parsed, item: parsed.item.filter((item) => item.name !== "Get Token") };
}

const countRequests = (items: PostmanItem[]): number =>
	items.reduce((n, item) => n + (item.item ? countRequests(item.item) : 1), 0);

function runCollection(collection: Collection, token: string): Promise<Summary> {
	const url = new URL(baseUrl());
	const envVar = Object.entries({
		Protocol: url.protocol.replace(":", ""),
		Server: url.hostname,
		Port: url.port ? `:${url.port}` : "",
		Api: SCIM.slice(1),
		token,
	}).map(([key, value]) => ({ key, value }));
	return new Promise((done, fail) =>
		newman.run({ collection, envVar, reporters: [] }, (err, summary) => (err ? fail(err) : done(summary))),
	);
}

interface Result {
	total: number;
	passed: number;
	/** Failed assertions outside CONTRADICTS_RFC, one line each with the request and its answer. */
	unexpected: string[];
	/** Failed assertions that CONTRADICTS_RFC excuses. */
	excused: string[];
}

function evaluate(summary: Summary): Result {
	const result: Result = { total: 0, passed: 0, unexpected: [], excused: [] };
	for (const e of summary.run.executions) {
		const answer = e.response
			? `${e.response.code} ${e.response.text().slice(0, 400).replace(/\s+/g, " ")}`
			: `no answer (${e.requestError?.message})`;
		for (const a of e.assertions ?? []) {
			if (a.skipped) continue;
			result.total++;
			if (!a.error) {
				result.passed++;
				continue;
			}
			const key = `${e.item.name} :: ${a.assertion}`;
			const line = `${key}: ${a.error.message}\n    ${e.request.method} ${e.request.url.toString()} → ${answer}`;
			const excuse = CONTRADICTS_RFC.get(key);
			const excused = excuse && (!excuse.failure || a.error.message.includes(excuse.failure));
			if (excused) result.excused.push(`${line}\n    (${excuse.why})`);
			else result.unexpected.push(line);
		}
	}
	// A test script that throws outside its pm.test blocks (a body that is not JSON, for instance).
	for (const f of summary.run.failures)
		if (f.error.name !== "AssertionError" && !f.error.test)
			result.unexpected.push(`${f.source?.name ?? "?"} :: ${f.error.name}: ${f.error.message}`);
	return result;
}

function report(label: string, r: Result) {
	const rate = r.total ? ((100 * r.passed) / r.total).toFixed(1) : "0";
	const lines = [`[scim-conformance] ${label}: ${r.passed}/${r.total} assertions passed (${rate} %)`];
	if (r.unexpected.length) lines.push("  failed:", ...r.unexpected.map((l) => `  - ${l}`));
	if (r.excused.length)
		lines.push("  failed, contradicting RFC 7644 (allowed):", ...r.excused.map((l) => `  - ${l}`));
	console.log(lines.join("\n"));
}

async function runAs(label: string, token: string) {
	const collection = loadCollection();
	const summary = await runCollection(collection, token);
	expect(summary.run.executions.length, label).toBe(countRequests(collection.item));
	const result = evaluate(summary);
	report(label, result);
	expect(result.total, label).toBeGreaterThan(0);
	expect(result.unexpected, `${label}: assertions that failed`).toEqual([]);
	return result;
}

/** Something in the project that a tenant connection must not see: a user and a role outside it. */
async function outsideTheTenant(project: TestProject) {
	await mgmtCall(project, "/v1/mgmt/role/create", { name: "project-wide role" });
	await mgmtCall(project, "/v1/mgmt/user/create", {
		loginId: "outsider@example.com",
		email: "outsider@example.com",
	});
}

it.skipIf(!found)(
	"passes Microsoft's SCIM validator with a project-wide key on a fresh project",
	{ timeout: 120_000 },
	async () => {
		const project = await newProject("scim-conformance project");
		await runAs("project-wide key", project.managementKey);
		// The collection deletes what it made: the project is empty again.
		const users = await scim(project.managementKey, "GET", "/Users");
		expect(users.body?.totalResults, users.text).toBe(0);
	},
);

it.skipIf(!found)(
	"passes Microsoft's SCIM validator with a key bound to a fresh tenant",
	{ timeout: 120_000 },
	async () => {
		const project = await newProject("scim-conformance tenant");
		await outsideTheTenant(project);
		const tenantId = await newTenant(project, "Conformance tenant");
		const token = await tenantKey(project, tenantId);
		await runAs("tenant-bound key", token);
		// What the tenant connection made is gone; the user and role outside the tenant are untouched.
		const users = await mgmtCall(project, "/v2/mgmt/user/search", { limit: 100 });
		expect(
			users.users.map((u: { loginIds: string[] }) => u.loginIds[0]),
			JSON.stringify(users),
		).toEqual(["outsider@example.com"]);
		const roles = await mgmtCall(project, "/v1/mgmt/role/all");
		expect(roles.roles.map((r: { name: string }) => r.name)).toEqual(["project-wide role"]);
	},
);

if (!found) it.skip(`runs Microsoft's SCIM validator: not found at ${COLLECTION}. ${WHERE}`, () => {});
