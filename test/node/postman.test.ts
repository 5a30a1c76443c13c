// The Postman collections of /docs/<dialect>.postman_collection.json (docs/api-reference.md), run by
// newman against the test Worker: every read-only request, with the variables set to a fresh
// project's real ids, answers 2xx, and none answers 5xx.
import { createRequire } from "node:module";
import { expect, it } from "vitest";
import { baseUrl, newProject, operatorKey, type TestProject } from "./harness.js";

interface PostmanItem {
	id?: string;
	name: string;
	item?: PostmanItem[];
	request?: { method: string; url: { path: string[] } };
}
interface Collection {
	info: { schema: string };
	variable: { key: string; value: string }[];
	item: PostmanItem[];
}
interface Execution {
	item: { name: string };
	request: { method: string; url: { toString(): string } };
	response?: { code: number; text(): string };
	requestError?: Error;
}
interface Newman {
	run(
		options: { collection: unknown; envVar: { key: string; value: string }[]; reporters: string[] },
		done: (err: Error | null, summary: { run: { executions: Execution[] } }) => void,
	): void;
}

const newman = createRequire(import.meta.url)("newman") as Newman;

/** The Descope POSTs that only read (searches and loads); every GET reads. */
const READ_ONLY_POSTS = new Set([
	"/v1/mgmt/users/load",
	"/v2/mgmt/user/search",
	"/v2/mgmt/user/search/test",
	"/v1/mgmt/tenant/search",
	"/v1/mgmt/role/search",
	"/v1/mgmt/audit/search",
	"/v1/mgmt/user/history",
]);

const pathOf = (item: PostmanItem) => `/${item.request?.url.path.join("/") ?? ""}`;
/**
 * GETs that cannot answer 2xx on a project made here: the deprecated SAML getSettings is refused
 * (SAML is not supported), a provider token exists only after a federated sign-in, and so does a
 * callback to answer (test/node/descope-federation.test.ts drives both).
 */
const UNANSWERABLE_GETS = new Set([
	"/v1/mgmt/sso/settings",
	"/v1/mgmt/user/provider/token",
	// The identity provider's return: a browser route answering a redirect only for a live sign-in.
	"/v1/auth/federation/:projectId/callback",
]);
const isReadOnly = (item: PostmanItem) =>
	(item.request?.method === "GET" && !UNANSWERABLE_GETS.has(pathOf(item))) ||
	(item.request?.method === "POST" && READ_ONLY_POSTS.has(pathOf(item)));

/** The collection with only its read-only requests, folders kept. */
function readOnly(items: PostmanItem[]): PostmanItem[] {
	return items.flatMap((item) => {
		if (item.item) {
			const kept = readOnly(item.item);
			return kept.length ? [{ ...item, item: kept }] : [];
		}
		return isReadOnly(item) ? [item] : [];
	});
}

const count = (items: PostmanItem[]): number =>
	items.reduce((n, item) => n + (item.item ? count(item.item) : 1), 0);

async function collection(dialect: string): Promise<Collection> {
	const res = await fetch(`${baseUrl()}/docs/${dialect}.postman_collection.json`);
	const text = await res.text();
	expect(res.status, text.slice(0, 500)).toBe(200);
	const parsed = JSON.parse(text) as Collection;
	expect(parsed.info.schema).toBe("https://schema.getpostman.com/json/collection/v2.1.0/collection.json");
	return parsed;
}

function run(
	items: PostmanItem[],
	from: Collection,
	variables: Record<string, string>,
): Promise<Execution[]> {
	const envVar = Object.entries({ baseUrl: baseUrl(), ...variables }).map(([key, value]) => ({ key, value }));
	return new Promise((resolve, reject) =>
		newman.run({ collection: { ...from, item: items }, envVar, reporters: [] }, (err, summary) =>
			err ? reject(err) : resolve(summary.run.executions),
		),
	);
}

const describeExecution = (e: Execution) =>
	`${e.request.method} ${e.request.url.toString()} → ${e.response?.code ?? e.requestError?.message}: ${
		e.response?.text().slice(0, 300) ?? ""
	}`;

async function post(project: TestProject, path: string, body: unknown, authorization?: string) {
	const res = await fetch(`${baseUrl()}${path}`, {
		method: "POST",
		headers: {
			authorization: authorization ?? `Bearer ${project.projectId}:${project.managementKey}`,
			"content-type": "application/json",
		},
		body: JSON.stringify(body),
	});
	const text = await res.text();
	expect(res.status, `${path}: ${text}`).toBe(200);
	return JSON.parse(text);
}

/** A project with a user, a tenant, an SSO application and a signed-in end user. */
async function projectWithData() {
	const project = await newProject();
	const loginId = "postman@example.com";
	const { user } = await post(project, "/v1/mgmt/user/create", { loginId, email: loginId });
	const tenant = await post(project, "/v1/mgmt/tenant/create", { name: "Postman tenant" });
	const sso = await post(project, "/v1/mgmt/sso/idp/app/oidc/create", {
		name: "Postman app",
		loginPageUrl: "https://example.com/login",
	});
	const signup = await post(
		project,
		"/v1/auth/password/signup",
		{ loginId: "enduser@example.com", password: "Correct-horse-9!", user: { email: "enduser@example.com" } },
		`Bearer ${project.projectId}`,
	);
	const keys = await fetch(`${baseUrl()}/v1/mgmt/managementkey/search`, {
		headers: { authorization: `Bearer ${project.projectId}:${project.managementKey}` },
	});
	const keyList = (await keys.json()) as { keys: { id: string }[] };
	// A project role: a SCIM group of a project-wide key (docs/scim.md).
	await post(project, "/v1/mgmt/role/create", { name: "Postman role" });
	const roles = await fetch(`${baseUrl()}/v1/mgmt/role/all`, {
		headers: { authorization: `Bearer ${project.projectId}:${project.managementKey}` },
	});
	const roleList = (await roles.json()) as { roles: { id: string; name: string }[] };
	const provider = await post(project, "/v1/mgmt/oauth/provider", {
		name: "postman-idp",
		clientId: "postman-client",
		issuer: "https://idp.example.com",
	});
	const accessKey = await post(project, "/v1/mgmt/accesskey/create", {
		name: "Postman access key",
		expireTime: 0,
	});
	// A webhook endpoint for the partner API (loopback receivers are allowed in the test Worker).
	const webhook = await fetch(`${baseUrl()}/api/partner/v1/webhooks`, {
		method: "POST",
		headers: { authorization: `Bearer ${project.managementKey}`, "content-type": "application/json" },
		body: JSON.stringify({ Url: "http://127.0.0.1:9/roster-postman" }),
	});
	const webhookText = await webhook.text();
	expect(webhook.status, webhookText).toBe(201);
	return {
		projectId: project.projectId,
		managementKey: project.managementKey,
		loginId,
		userId: user.userId as string,
		tenantId: tenant.id as string,
		ssoAppId: sso.id as string,
		keyId: keyList.keys[0]?.id ?? "",
		accessKeyId: accessKey.key.id as string,
		identityProviderId: provider.provider.id as string,
		refreshJwt: signup.refreshJwt as string,
		operatorKey: operatorKey(),
		webhookId: String(JSON.parse(webhookText).Id),
		groupId: roleList.roles.find((r) => r.name === "Postman role")?.id ?? "",
	};
}

async function expectReadsSucceed(dialect: string, variables: Record<string, string>): Promise<string[]> {
	const from = await collection(dialect);
	const items = readOnly(from.item);
	expect(count(items), dialect).toBeGreaterThan(0);
	const executions = await run(items, from, variables);
	expect(executions.length, dialect).toBe(count(items));
	const failed = executions.filter((e) => !e.response || e.response.code < 200 || e.response.code >= 300);
	expect(failed.map(describeExecution), dialect).toEqual([]);
	return executions.map((e) => `${e.request.method} ${new URL(e.request.url.toString()).pathname}`);
}

it("runs the Descope collection's read-only requests: all 2xx", async () => {
	const data = await projectWithData();
	const ran = await expectReadsSucceed("descope", data);
	// Each kind of credential of the collection: management key, project id, refresh JWT, none.
	expect(ran).toEqual(
		expect.arrayContaining([
			"GET /v1/mgmt/user",
			"POST /v2/mgmt/user/search",
			"GET /v1/auth/password/policy",
			"GET /v1/auth/me",
			`GET /v2/keys/${data.projectId}`,
		]),
	);
});

it("runs every other dialect's read-only requests (from /docs/index.json): all 2xx", async () => {
	const res = await fetch(`${baseUrl()}/docs/index.json`);
	const { dialects } = (await res.json()) as { dialects: { id: string }[] };
	const others = dialects.map((d) => d.id).filter((id) => id !== "descope");
	expect(others).toEqual(expect.arrayContaining(["v4", "operator"]));
	for (const id of others) await expectReadsSucceed(id, await projectWithData());
});

it("keeps the collection's variables for what the reader sets", async () => {
	const from = await collection("descope");
	expect(from.variable.map((v) => v.key)).toEqual(
		expect.arrayContaining([
			"baseUrl",
			"projectId",
			"managementKey",
			"refreshJwt",
			"loginId",
			"userId",
			"tenantId",
		]),
	);
});
