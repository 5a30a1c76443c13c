// Real answers against the served OpenAPI documents (docs/api-reference.md): for a sample of routes
// of each dialect, successes and refusals, the status is declared for the operation and the body
// matches the schema declared for that status and media type.

import { exports } from "cloudflare:workers";
import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { BASE, bearer, newProject, OPERATOR_KEY, type TestProject } from "./harness";
import { apikey, JSONAPI, userDoc, V4 } from "./v4-harness";

type Json = Record<string, any>;

async function document(path: string): Promise<Json> {
	const res = await exports.default.fetch(`${BASE}${path}`);
	expect(res.status, path).toBe(200);
	return res.json();
}

const docs = {
	descope: await document("/v1/mgmt/openapi.json"),
	v4: await document(`${V4}/openapi.json`),
	operator: await document("/v1/operator/openapi.json"),
	partner: await document("/api/partner/v1/openapi.json"),
};

/** `#/components/schemas/X` → `#/$defs/X`, the form z.fromJSONSchema resolves. */
const toDefs = (schema: unknown): unknown =>
	JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"#/$defs/'));

interface Answer {
	status: number;
	contentType: string;
	body: unknown;
	text: string;
}

async function send(
	method: string,
	path: string,
	headers: Record<string, string>,
	body?: string,
): Promise<Answer> {
	const res = await exports.default.fetch(`${BASE}${path}`, { method, headers, body });
	const text = await res.text();
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw new Error(`${method} ${path} answered ${res.status} with a non-JSON body: ${text.slice(0, 300)}`);
	}
	return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: parsed, text };
}

/** Asserts the answer is declared for `method template` and its body matches the declared schema. */
function expectDeclared(doc: Json, method: string, template: string, answer: Answer, status: number) {
	const where = `${method.toUpperCase()} ${template} → ${answer.status}: ${answer.text.slice(0, 800)}`;
	expect(answer.status, where).toBe(status);
	const operation = doc.paths?.[template]?.[method];
	expect(operation, `${template} ${method} is in the document`).toBeDefined();
	const response = operation.responses?.[String(status)];
	expect(response, `${where}: status not declared`).toBeDefined();
	const mediaType = answer.contentType.split(";")[0]?.trim() ?? "";
	const schema = response.content?.[mediaType]?.schema;
	expect(
		schema,
		`${where}: ${mediaType} not declared (${Object.keys(response.content ?? {})})`,
	).toBeDefined();
	const validator = z.fromJSONSchema(
		{ ...(toDefs(schema) as object), $defs: toDefs(doc.components?.schemas ?? {}) } as never,
		{ defaultTarget: "draft-2020-12" },
	);
	const result = validator.safeParse(answer.body);
	expect(result.success, `${where}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
}

const json = { "content-type": "application/json" };
/** A body over the 1 MiB limit (docs/security.md). */
const tooLarge = JSON.stringify({ loginId: "x".repeat(1024 * 1024 + 16) });

/**
 * Marks the client address as over the failed-key limit in the cache the limiter reads (src/api/rate-limit.ts);
 * one documentation /64 per test, so no other test shares it.
 */
async function blockAddress(ip: string) {
	const prefix = ip
		.split(":")
		.slice(0, 4)
		.map((g) => Number.parseInt(g || "0", 16));
	const key = `ip6:${((BigInt(prefix[0] ?? 0) << 48n) | (BigInt(prefix[1] ?? 0) << 32n) | (BigInt(prefix[2] ?? 0) << 16n) | BigInt(prefix[3] ?? 0)).toString(16)}`;
	await caches.default.put(
		`https://rate-limit.roster.internal/key-failures/${encodeURIComponent(key)}`,
		new Response("blocked", { headers: { "cache-control": "max-age=60" } }),
	);
}

it("the schema check refuses a body that does not match", () => {
	const answer = {
		status: 200,
		contentType: "application/json",
		body: { user: { loginIds: "x" } },
		text: "",
	};
	expect(() => expectDeclared(docs.descope, "get", "/v1/mgmt/user", answer, 200)).toThrow(/loginIds|user/);
});

describe("Descope dialect", () => {
	const doc = docs.descope;
	const auth = (p: TestProject) => ({ ...bearer(p), ...json });

	it("create and load a user: 200 as declared", async () => {
		const p = await newProject();
		const created = await send(
			"POST",
			"/v1/mgmt/user/create",
			auth(p),
			JSON.stringify({ loginId: "ann@example.com", email: "ann@example.com" }),
		);
		expectDeclared(doc, "post", "/v1/mgmt/user/create", created, 200);
		const loaded = await send("GET", "/v1/mgmt/user?loginId=ann%40example.com", bearer(p));
		expectDeclared(doc, "get", "/v1/mgmt/user", loaded, 200);
	});

	it("search users and list tenants: 200 as declared", async () => {
		const p = await newProject();
		await send("POST", "/v1/mgmt/tenant/create", auth(p), JSON.stringify({ name: "Acme" }));
		expectDeclared(
			doc,
			"post",
			"/v2/mgmt/user/search",
			await send("POST", "/v2/mgmt/user/search", auth(p), "{}"),
			200,
		);
		expectDeclared(
			doc,
			"get",
			"/v1/mgmt/tenant/all",
			await send("GET", "/v1/mgmt/tenant/all", bearer(p)),
			200,
		);
	});

	it("a missing loginId: 400 as declared", async () => {
		const p = await newProject();
		const res = await send(
			"POST",
			"/v1/mgmt/user/create",
			auth(p),
			JSON.stringify({ email: "x@example.com" }),
		);
		expectDeclared(doc, "post", "/v1/mgmt/user/create", res, 400);
	});

	it("no management key: 401 as declared", async () => {
		const res = await send("GET", "/v1/mgmt/user?loginId=x", {});
		expectDeclared(doc, "get", "/v1/mgmt/user", res, 401);
	});

	it("an unknown user: 404 as declared", async () => {
		const p = await newProject();
		expectDeclared(
			doc,
			"get",
			"/v1/mgmt/user",
			await send("GET", "/v1/mgmt/user?loginId=nobody", bearer(p)),
			404,
		);
	});

	it("a body over 1 MiB: 413 as declared", async () => {
		const p = await newProject();
		expectDeclared(
			doc,
			"post",
			"/v1/mgmt/user/create",
			await send("POST", "/v1/mgmt/user/create", auth(p), tooLarge),
			413,
		);
	});

	it("an address over the failed-key limit: 429 as declared", async () => {
		const p = await newProject();
		const ip = "2001:db8:5e1:a001::7";
		await blockAddress(ip);
		const res = await send("GET", "/v1/mgmt/user?loginId=x", { ...bearer(p), "cf-connecting-ip": ip });
		expectDeclared(doc, "get", "/v1/mgmt/user", res, 429);
	});

	it("sign-up, a wrong password and the signing keys: as declared", async () => {
		const p = await newProject();
		const project = { authorization: `Bearer ${p.projectId}`, ...json };
		const signup = await send(
			"POST",
			"/v1/auth/password/signup",
			project,
			JSON.stringify({
				loginId: "bo@example.com",
				password: "Correct-horse-9!",
				user: { email: "bo@example.com" },
			}),
		);
		expectDeclared(doc, "post", "/v1/auth/password/signup", signup, 200);
		const wrong = await send(
			"POST",
			"/v1/auth/password/signin",
			project,
			JSON.stringify({ loginId: "bo@example.com", password: "wrong-password-1A!" }),
		);
		expectDeclared(doc, "post", "/v1/auth/password/signin", wrong, 401);
		const keys = await send("GET", `/v2/keys/${p.projectId}`, {});
		expectDeclared(doc, "get", "/v2/keys/{projectId}", keys, 200);
	});
});

describe("REST v4", () => {
	const doc = docs.v4;
	const auth = (p: TestProject) => ({ ...apikey(p), "content-type": JSONAPI });

	it("create, read and list users: 201 and 200 as declared, in both media types", async () => {
		const p = await newProject();
		const created = await send(
			"POST",
			`${V4}/users`,
			auth(p),
			JSON.stringify(userDoc({ contact_details: { email: "cy@example.com" } })),
		);
		expectDeclared(doc, "post", `${V4}/users`, created, 201);
		const id = (created.body as Json).data.id;
		expectDeclared(
			doc,
			"get",
			`${V4}/users/{user_id}`,
			await send("GET", `${V4}/users/${id}`, apikey(p)),
			200,
		);
		const asJson = await send("GET", `${V4}/users`, { ...apikey(p), accept: "application/json" });
		expect(asJson.contentType).toMatch(/^application\/json/);
		expectDeclared(doc, "get", `${V4}/users`, asJson, 200);
	});

	it("an invalid document: 400 as declared", async () => {
		const p = await newProject();
		const res = await send("POST", `${V4}/users`, auth(p), JSON.stringify(userDoc({ name: "Nobody" })));
		expectDeclared(doc, "post", `${V4}/users`, res, 400);
	});

	it("no API key: 401 as declared, also as application/json", async () => {
		expectDeclared(doc, "get", `${V4}/users`, await send("GET", `${V4}/users`, {}), 401);
		const asJson = await send("GET", `${V4}/users`, { accept: "application/json" });
		expect(asJson.contentType).toMatch(/^application\/json/);
		expectDeclared(doc, "get", `${V4}/users`, asJson, 401);
	});

	it("an unknown user: 404 as declared", async () => {
		const p = await newProject();
		const res = await send("GET", `${V4}/users/U${"0".repeat(27)}`, apikey(p));
		expectDeclared(doc, "get", `${V4}/users/{user_id}`, res, 404);
	});

	it("an unsupported Content-Type and Accept: 415 and 406 as declared", async () => {
		const p = await newProject();
		const unsupported = await send(
			"POST",
			`${V4}/users`,
			{ ...apikey(p), "content-type": "text/plain" },
			"x",
		);
		expectDeclared(doc, "post", `${V4}/users`, unsupported, 415);
		const unacceptable = await send("GET", `${V4}/users`, {
			...apikey(p),
			accept: `${JSONAPI}; charset=utf-8`,
		});
		expectDeclared(doc, "get", `${V4}/users`, unacceptable, 406);
	});

	it("a body over 1 MiB: 413 as declared", async () => {
		const p = await newProject();
		expectDeclared(doc, "post", `${V4}/users`, await send("POST", `${V4}/users`, auth(p), tooLarge), 413);
	});

	it("an address over the failed-key limit: 429 as declared", async () => {
		const p = await newProject();
		const ip = "2001:db8:5e1:a002::7";
		await blockAddress(ip);
		const res = await send("GET", `${V4}/users`, { ...apikey(p), "cf-connecting-ip": ip });
		expectDeclared(doc, "get", `${V4}/users`, res, 429);
	});
});

describe("operator API", () => {
	const doc = docs.operator;
	const operator = { authorization: `Bearer ${OPERATOR_KEY}`, ...json };

	it("create and load a project: 201 and 200 as declared", async () => {
		const created = await send("POST", "/v1/operator/projects", operator, JSON.stringify({ name: "docs" }));
		expectDeclared(doc, "post", "/v1/operator/projects", created, 201);
		const id = (created.body as Json).projectId;
		const loaded = await send("GET", `/v1/operator/projects/${id}`, operator);
		expectDeclared(doc, "get", "/v1/operator/projects/{projectId}", loaded, 200);
	});

	it("an empty name, a wrong key and an unknown project: 400, 401 and 404 as declared", async () => {
		const empty = await send("POST", "/v1/operator/projects", operator, JSON.stringify({ name: "" }));
		expectDeclared(doc, "post", "/v1/operator/projects", empty, 400);
		const wrong = await send("GET", "/v1/operator/projects", { authorization: "Bearer wrong" });
		expectDeclared(doc, "get", "/v1/operator/projects", wrong, 401);
		const unknown = await send("GET", `/v1/operator/projects/P${"0".repeat(27)}`, operator);
		expectDeclared(doc, "get", "/v1/operator/projects/{projectId}", unknown, 404);
	});

	it("an address over the failed-key limit: 429 as declared", async () => {
		const ip = "2001:db8:5e1:a003::7";
		await blockAddress(ip);
		const res = await send("GET", "/v1/operator/projects", { ...operator, "cf-connecting-ip": ip });
		expectDeclared(doc, "get", "/v1/operator/projects", res, 429);
	});
});

describe("partner API", () => {
	const doc = docs.partner;
	const PARTNER = "/api/partner/v1";
	const auth = (p: TestProject) => ({ authorization: `Bearer ${p.managementKey}`, ...json });

	it("create and list webhook endpoints: 201 and 200 as declared", async () => {
		const p = await newProject();
		const body = JSON.stringify({ Url: "http://127.0.0.1:9/roster-docs" });
		expectDeclared(
			doc,
			"post",
			`${PARTNER}/webhooks`,
			await send("POST", `${PARTNER}/webhooks`, auth(p), body),
			201,
		);
		expectDeclared(doc, "get", `${PARTNER}/webhooks`, await send("GET", `${PARTNER}/webhooks`, auth(p)), 200);
	});

	it("a missing Url, no key and an unknown endpoint: 400, 401 and 404 as declared", async () => {
		const p = await newProject();
		const invalid = await send("POST", `${PARTNER}/webhooks`, auth(p), "{}");
		expectDeclared(doc, "post", `${PARTNER}/webhooks`, invalid, 400);
		expectDeclared(doc, "get", `${PARTNER}/webhooks`, await send("GET", `${PARTNER}/webhooks`, {}), 401);
		const unknown = await send("GET", `${PARTNER}/webhooks/W${"0".repeat(27)}`, auth(p));
		expectDeclared(doc, "get", `${PARTNER}/webhooks/{id}`, unknown, 404);
	});
});
