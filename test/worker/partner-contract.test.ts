// The shared security and fuzz properties (test/worker/auth-contract.test.ts, fuzz.test.ts) over the
// partner API's routes, taken from its own OpenAPI document: every bad credential is refused in
// problem details, scoped keys are held to their scope, and broken requests never get a 5xx.
import type fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { addManagementKey, call, expectStatus, newProject, type TestProject } from "./harness";
import {
	expectNo5xx,
	expectRefusal,
	isRead,
	label,
	operations,
	plausibleBody,
	READ_ONLY,
	sendTo,
	TENANT_BOUND,
} from "./support/auth-contract-routes";
import {
	badCredentials,
	credentialProjects,
	FUZZ_TIMEOUT,
	fuzzProperty,
	itIsRouted,
	key,
} from "./support/dialect-contract";
import { changedTables, envelopeProblem, sendRaw, snapshot } from "./support/fuzz-check";
import type { Pool } from "./support/fuzz-openapi";
import { type FuzzProject, fuzzProject } from "./support/fuzz-project";
import { type FuzzRequest, fuzzRequest, strayRequest } from "./support/fuzz-requests";

const P = "/api/partner/v1";
const ops = operations.partner;

/** Field values that reach the handlers: a public target, a catalogue event type. */
const partnerPool =
	(base: Pool): Pool =>
	(field) => {
		if (/url/i.test(field)) return "https://hooks.example.com/fuzz";
		if (/eventtypes/i.test(field)) return "user.created";
		return base(field);
	};

async function newEndpoint(p: TestProject): Promise<string> {
	const res = await call("POST", `${P}/webhooks`, {
		headers: key(p),
		body: { Url: "https://hooks.example.com/a" },
	});
	return expectStatus(res, 201).Id;
}

/** A problem-details answer: RFC 9457 members and media type. */
function problemDetailsProblem(answer: Awaited<ReturnType<typeof sendRaw>>): string | null {
	const body = answer.body as Record<string, unknown> | undefined;
	if (!body || typeof body !== "object") return "the body is not a JSON object";
	if (answer.headers.get("content-type") !== "application/problem+json")
		return "not application/problem+json";
	if (typeof body.type !== "string" || typeof body.title !== "string" || typeof body.detail !== "string")
		return "no type/title/detail strings";
	if (body.status !== answer.status) return "status differs from the HTTP status";
	if (!Array.isArray(body.errors)) return "no errors array";
	for (const e of body.errors as Record<string, unknown>[])
		if (typeof e.field !== "string" || typeof e.message !== "string")
			return "an errors entry lacks field/message";
	return null;
}

it("the partner document lists the webhook endpoint routes", () => {
	expect(ops.map(label)).toEqual(
		expect.arrayContaining([
			`GET ${P}/webhooks`,
			`POST ${P}/webhooks`,
			`GET ${P}/webhooks/{id}`,
			`PATCH ${P}/webhooks/{id}`,
			`DELETE ${P}/webhooks/{id}`,
			`POST ${P}/webhooks/{id}/rotate-secret`,
		]),
	);
	expect(ops.every((op) => op.path.startsWith(`${P}/`))).toBe(true);
});

describe("credentials", () => {
	const k = credentialProjects("partner-contract", `${P}/webhooks`);
	const cases = badCredentials(k);

	describe.each(ops)("$method $path", (op) => {
		itIsRouted(op, () => key(k.control));

		it.each(cases)("$name → $status", async ({ status, headers, message }) => {
			expectRefusal("partner", await sendTo(op, headers()), status, message);
		});

		it("another project's key sees none of this project's endpoints", async () => {
			const id = await newEndpoint(k.a);
			const before = await snapshot(k.a.projectId);
			const res = await sendTo(op, key(k.b), {
				body: { Url: "https://hooks.example.com/b" },
				values: { id },
			});
			expectNo5xx("partner", res);
			// Validation may answer first (400); what it never does is act on the other project's endpoint.
			if (op.path.includes("{id}")) expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
			expect(JSON.stringify(res.body)).not.toContain(id);
			expect(changedTables(before, await snapshot(k.a.projectId))).toEqual([]);
		});
	});

	it("unknown routes need a key, then answer 404 in problem details", async () => {
		expectRefusal("partner", await call("GET", `${P}/no-such-route`), 401);
		expectRefusal("partner", await call("GET", `${P}/no-such-route`, { headers: key(k.control) }), 404);
	});
});

describe("scoped keys", () => {
	let p: FuzzProject;
	let readOnly: TestProject;
	let tenantBound: TestProject;
	let id: string;

	beforeAll(async () => {
		p = await fuzzProject("partner-contract scopes");
		readOnly = await addManagementKey(p, { name: "read-only", readOnly: true });
		tenantBound = await addManagementKey(p, { name: "tenant-bound", tenantIds: [p.pool("tenantId")] });
		id = await newEndpoint(p);
	});

	describe.each(ops)("$method $path", (op) => {
		it("read-only key: writes are refused (403, nothing written), reads answer", async () => {
			const before = await snapshot(p.projectId);
			const res = await sendTo(op, key(readOnly), {
				body: plausibleBody(op, partnerPool(p.pool)),
				values: { id },
			});
			const text = JSON.stringify(res.body);
			expectNo5xx("partner", res);
			expect(res.status, text).not.toBe(401);
			if (isRead(op)) {
				if (res.status === 403) expect(text).not.toContain(READ_ONLY);
			} else {
				// Validation and lookups may run before the scope, so a body this generic may be a 400 or a 404.
				expect(res.status, text).toBeGreaterThanOrEqual(400);
				if (res.status === 403) expectRefusal("partner", res, 403, READ_ONLY);
			}
			expect(changedTables(before, await snapshot(p.projectId)), text).toEqual([]);
		});

		it("tenant-bound key: never a success, a 403 names the scope, nothing written", async () => {
			const before = await snapshot(p.projectId);
			const res = await sendTo(op, key(tenantBound), {
				body: plausibleBody(op, partnerPool(p.pool)),
				values: { id },
			});
			const text = JSON.stringify(res.body);
			expectNo5xx("partner", res);
			// Every partner route so far is project-level: never a success, a 403 names the scope.
			expect(res.status, text).toBeGreaterThanOrEqual(400);
			expect(res.status, text).not.toBe(401);
			if (res.status === 403) expectRefusal("partner", res, 403, TENANT_BOUND);
			expect(changedTables(before, await snapshot(p.projectId)), JSON.stringify(res.body)).toEqual([]);
		});
	});
});

// ---------------------------------------------------------------------------------------------
// Fuzzing, as fuzz.test.ts does for the other dialects.

async function fuzz(
	name: string,
	index: number,
	arbitrary: (p: FuzzProject, id: string) => fc.Arbitrary<FuzzRequest>,
) {
	const p = await fuzzProject(`partner fuzz ${name}`);
	const id = await newEndpoint(p);
	// 304 has no body; every 4xx is problem details.
	await fuzzProperty(p, arbitrary(p, id), problemDetailsProblem, index);
}

describe("fuzz", () => {
	ops.forEach((op, index) => {
		it(`${op.method} ${op.path}`, { timeout: FUZZ_TIMEOUT }, () =>
			fuzz(label(op), index, (p, id) =>
				fuzzRequest({
					op,
					pool: partnerPool(p.pool),
					headers: key(p),
					pathValues: { id },
				}),
			),
		);
	});

	it(`unknown routes and wrong methods under ${P}`, { timeout: FUZZ_TIMEOUT }, () =>
		fuzz("stray", ops.length, (p) => strayRequest(P, ops, key(p))),
	);

	it("the envelope check knows problem details from the other envelopes", async () => {
		const p = await newProject();
		const answer = await sendRaw({
			method: "GET",
			url: `${P}/webhooks?limit=0`,
			headers: key(p),
			kind: "oracle",
		});
		expect(problemDetailsProblem(answer), answer.text).toBeNull();
		expect(envelopeProblem("descope", answer)).not.toBeNull();
	});
});
