// The partner dialect's webhook endpoints (docs/partner.md): CRUD with exact wire shapes, the secret
// shown only at creation and rotation, problem details naming each field, keyset lists, ETags.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decryptSecret } from "../../src/domain/webhooks/webhook.secrets";
import {
	addManagementKey,
	BASE,
	type CallResult,
	call,
	expectStatus,
	mgmt,
	newProject,
	type TestProject,
} from "./harness";

const P = "/api/partner/v1";
const auth = (p: TestProject, key = p.managementKey) => ({ authorization: `Bearer ${key}` });

const partner = (p: TestProject, key = p.managementKey) => ({
	get: (path: string, headers: Record<string, string> = {}) =>
		call("GET", `${P}${path}`, { headers: { ...auth(p, key), ...headers } }),
	post: (path: string, body?: unknown) => call("POST", `${P}${path}`, { headers: auth(p, key), body }),
	patch: (path: string, body: unknown) => call("PATCH", `${P}${path}`, { headers: auth(p, key), body }),
	/** 204 and 304 have no body. */
	raw: (method: string, path: string, headers: Record<string, string> = {}) =>
		exports.default.fetch(`${BASE}${P}${path}`, { method, headers: { ...auth(p, key), ...headers } }),
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;
const ID = /^W[0-9A-Za-z]{27}$/;
const URL1 = "https://hooks.example.com/roster";

async function created(p: TestProject, body: Record<string, unknown> = { Url: URL1 }) {
	return expectStatus(await partner(p).post("/webhooks", body), 201);
}

function expectProblem(res: CallResult, status: number, fields: string[] = []) {
	const text = JSON.stringify(res.body);
	expect(res.status, text).toBe(status);
	expect(res.headers.get("content-type"), text).toBe("application/problem+json");
	expect(res.body, text).toEqual({
		type: expect.stringMatching(/^https:\/\//),
		title: expect.any(String),
		status,
		detail: expect.any(String),
		errors: expect.any(Array),
	});
	expect(
		res.body.errors.map((e: { field: string }) => e.field),
		text,
	).toEqual(fields);
	return res.body;
}

const rowOf = (id: string) =>
	env.DB.prepare("SELECT * FROM webhook_endpoints WHERE id = ?").bind(id).first<Record<string, unknown>>();

describe("create and read", () => {
	it("creates an endpoint and answers it with its secret", async () => {
		const p = await newProject();
		const res = await partner(p).post("/webhooks", {
			Url: URL1,
			Description: "CRM sync",
			EventTypes: ["user.created", "user.deleted"],
			Enabled: true,
		});
		const body = expectStatus(res, 201);
		expect(body, JSON.stringify(body)).toEqual({
			Id: expect.stringMatching(ID),
			Kind: "events",
			Url: URL1,
			Description: "CRM sync",
			EventTypes: ["user.created", "user.deleted"],
			Enabled: true,
			DisabledReason: null,
			CreatedAt: expect.stringMatching(ISO),
			UpdatedAt: body.CreatedAt,
			Secret: expect.stringMatching(SECRET),
		});
		expect(res.headers.get("location")).toBe(`${P}/webhooks/${body.Id}`);
	});

	it("defaults Description, EventTypes and Enabled", async () => {
		const p = await newProject();
		const body = await created(p);
		expect(body, JSON.stringify(body)).toMatchObject({ Description: "", EventTypes: [], Enabled: true });
	});

	it("reads an endpoint without its secret, with an ETag", async () => {
		const p = await newProject();
		const { Secret, ...rest } = await created(p);
		const res = await partner(p).get(`/webhooks/${rest.Id}`);
		expect(expectStatus(res, 200)).toEqual(rest);
		expect(JSON.stringify(res.body)).not.toContain(Secret);
		expect(res.headers.get("etag")).toMatch(/^W\/"[0-9a-f]{32}"$/);
		expect(res.headers.get("cache-control")).toBe("private, no-cache");
	});

	it("answers 304 when If-None-Match names the current ETag", async () => {
		const p = await newProject();
		const { Id } = await created(p);
		const etag = (await partner(p).get(`/webhooks/${Id}`)).headers.get("etag") as string;
		const res = await partner(p).raw("GET", `/webhooks/${Id}`, { "if-none-match": etag });
		expect(res.status).toBe(304);
		expect(await res.text()).toBe("");
		expect(res.headers.get("etag")).toBe(etag);
	});

	it("answers 200 again once the endpoint changed", async () => {
		const p = await newProject();
		const { Id } = await created(p);
		const etag = (await partner(p).get(`/webhooks/${Id}`)).headers.get("etag") as string;
		expectStatus(await partner(p).patch(`/webhooks/${Id}`, { Description: "changed" }), 200);
		const res = await partner(p).get(`/webhooks/${Id}`, { "if-none-match": etag });
		expect(expectStatus(res, 200).Description).toBe("changed");
		expect(res.headers.get("etag")).not.toBe(etag);
	});

	it("answers 404 in problem details for an unknown id", async () => {
		const p = await newProject();
		expectProblem(await partner(p).get("/webhooks/W000000000000000000000000000"), 404);
	});
});

describe("lists", () => {
	it("pages in id order with an opaque cursor, and counts on request", async () => {
		const p = await newProject();
		const ids = [(await created(p)).Id, (await created(p)).Id, (await created(p)).Id].sort();
		const first = expectStatus(await partner(p).get("/webhooks?limit=2&includeTotal=true"), 200);
		expect(
			first.Items.map((e: { Id: string }) => e.Id),
			JSON.stringify(first),
		).toEqual(ids.slice(0, 2));
		expect(first.Total, JSON.stringify(first)).toBe(3);
		expect(first.NextCursor, JSON.stringify(first)).toEqual(expect.any(String));
		const second = expectStatus(await partner(p).get(`/webhooks?limit=2&cursor=${first.NextCursor}`), 200);
		expect(second, JSON.stringify(second)).toEqual({
			Items: [expect.objectContaining({ Id: ids[2] })],
			NextCursor: null,
		});
	});

	it("lists items in the read shape, never with a secret", async () => {
		const p = await newProject();
		const { Secret, ...rest } = await created(p);
		const res = await partner(p).get("/webhooks");
		expect(expectStatus(res, 200)).toEqual({ Items: [rest], NextCursor: null });
		expect(JSON.stringify(res.body)).not.toContain("whsec_");
		expect(Secret).toMatch(SECRET);
	});

	it("answers 304 on an unchanged list", async () => {
		const p = await newProject();
		await created(p);
		const etag = (await partner(p).get("/webhooks")).headers.get("etag") as string;
		const res = await partner(p).raw("GET", "/webhooks", { "if-none-match": etag });
		expect(res.status).toBe(304);
	});

	it.each(["0", "1001", "abc", "-1", "2.5"])("refuses limit=%s naming limit", async (limit) => {
		const p = await newProject();
		expectProblem(await partner(p).get(`/webhooks?limit=${limit}`), 400, ["limit"]);
	});

	it.each(["garbage!", "eyJ4IjoxfQ", "AAAA"])("refuses cursor=%s naming cursor", async (cursor) => {
		const p = await newProject();
		expectProblem(await partner(p).get(`/webhooks?cursor=${cursor}`), 400, ["cursor"]);
	});

	it("refuses includeTotal other than true or false", async () => {
		const p = await newProject();
		expectProblem(await partner(p).get("/webhooks?includeTotal=yes"), 400, ["includeTotal"]);
	});
});

describe("validation", () => {
	it("names Url when it is missing", async () => {
		const p = await newProject();
		const body = expectProblem(await partner(p).post("/webhooks", { Description: "x" }), 400, ["Url"]);
		expect(body.errors[0].message, JSON.stringify(body)).toBe("is required");
	});

	it.each([
		"http://10.0.0.1/hook",
		"https://10.0.0.1/hook",
		"https://192.168.1.1/hook",
		"https://169.254.169.254/latest/meta-data",
		"https://[fd00::1]/hook",
		"ftp://hooks.example.com/x",
		"http://hooks.example.com/plain-http",
		"not a url",
		"https://user:pw@hooks.example.com/x",
	])("refuses the target %s naming Url", async (Url) => {
		const p = await newProject();
		expectProblem(await partner(p).post("/webhooks", { Url }), 400, ["Url"]);
		const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM webhook_endpoints WHERE project_id = ?")
			.bind(p.projectId)
			.first<{ n: number }>();
		expect(count?.n).toBe(0);
	});

	it("accepts a loopback http target when loopback is allowed", async () => {
		const p = await newProject();
		expect((await created(p, { Url: "http://127.0.0.1:8787/hook" })).Url).toBe("http://127.0.0.1:8787/hook");
	});

	it("names the unknown event type by index", async () => {
		const p = await newProject();
		const res = await partner(p).post("/webhooks", {
			Url: URL1,
			EventTypes: ["user.created", "user.exploded"],
		});
		const body = expectProblem(res, 400, ["EventTypes[1]"]);
		expect(body.detail, JSON.stringify(body)).toContain("user.exploded");
	});

	it("names EventTypes[0] when it is not a string", async () => {
		const p = await newProject();
		expectProblem(await partner(p).post("/webhooks", { Url: URL1, EventTypes: [1] }), 400, ["EventTypes[0]"]);
	});

	it("names an unknown member", async () => {
		const p = await newProject();
		expectProblem(await partner(p).post("/webhooks", { Url: URL1, Secret: "mine" }), 400, ["Secret"]);
	});

	it("names every bad field of a PATCH", async () => {
		const p = await newProject();
		const { Id } = await created(p);
		const res = await partner(p).patch(`/webhooks/${Id}`, { Enabled: "yes", Description: 5 });
		expectProblem(res, 400, ["Description", "Enabled"]);
	});

	it("refuses a private target on PATCH and keeps the endpoint", async () => {
		const p = await newProject();
		const { Id } = await created(p);
		expectProblem(await partner(p).patch(`/webhooks/${Id}`, { Url: "https://192.168.1.1/x" }), 400, ["Url"]);
		expect((await rowOf(Id))?.url).toBe(URL1);
	});

	it("answers malformed JSON in problem details", async () => {
		const p = await newProject();
		const res = await call("POST", `${P}/webhooks`, {
			headers: { ...auth(p), "content-type": "application/json" },
			rawBody: "{not json",
		});
		expectProblem(res, 400);
	});
});

describe("change and delete", () => {
	it("changes only the given fields", async () => {
		const p = await newProject();
		const before = await created(p, { Url: URL1, EventTypes: ["user.created"] });
		const res = await partner(p).patch(`/webhooks/${before.Id}`, {
			Url: "https://hooks.example.com/v2",
			EventTypes: ["user.updated"],
			Enabled: false,
		});
		const { Secret, ...rest } = before;
		expect(expectStatus(res, 200)).toEqual({
			...rest,
			Url: "https://hooks.example.com/v2",
			EventTypes: ["user.updated"],
			Enabled: false,
			UpdatedAt: expect.stringMatching(ISO),
		});
		expect(JSON.stringify(res.body)).not.toContain(Secret);
	});

	it("clears DisabledReason when re-enabled", async () => {
		const p = await newProject();
		const { Id } = await created(p);
		await env.DB.prepare("UPDATE webhook_endpoints SET enabled = 0, disabled_reason = 'Gone' WHERE id = ?")
			.bind(Id)
			.run();
		const disabled = expectStatus(await partner(p).get(`/webhooks/${Id}`), 200);
		expect(disabled, JSON.stringify(disabled)).toMatchObject({ Enabled: false, DisabledReason: "Gone" });
		const res = await partner(p).patch(`/webhooks/${Id}`, { Enabled: true });
		expect(expectStatus(res, 200)).toMatchObject({ Enabled: true, DisabledReason: null });
	});

	it("deletes the endpoint with its deliveries and attempts", async () => {
		const p = await newProject();
		const { Id } = await created(p);
		const keep = (await created(p)).Id;
		const now = Date.now();
		for (const [delivery, endpoint] of [
			["d-gone", Id],
			["d-kept", keep],
		]) {
			await env.DB.prepare(
				`INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_seq, event_type, payload, created_at, updated_at)
				VALUES (?, ?, ?, NULL, 'webhook.test', '{}', ?, ?)`,
			)
				.bind(`${delivery}-${p.projectId}`, p.projectId, endpoint, now, now)
				.run();
			await env.DB.prepare(
				`INSERT INTO webhook_attempts (delivery_id, attempt, project_id, endpoint_id, at, status_code, latency_ms)
				VALUES (?, 1, ?, ?, ?, 500, 3)`,
			)
				.bind(`${delivery}-${p.projectId}`, p.projectId, endpoint, now)
				.run();
		}
		const res = await partner(p).raw("DELETE", `/webhooks/${Id}`);
		expect(res.status, await res.clone().text()).toBe(204);
		expect(await res.text()).toBe("");
		expectProblem(await partner(p).get(`/webhooks/${Id}`), 404);
		const left = await env.DB.prepare(
			`SELECT (SELECT group_concat(endpoint_id) FROM webhook_deliveries WHERE project_id = ?1) AS deliveries,
				(SELECT group_concat(endpoint_id) FROM webhook_attempts WHERE project_id = ?1) AS attempts`,
		)
			.bind(p.projectId)
			.first();
		expect(left).toEqual({ deliveries: keep, attempts: keep });
	});

	it("answers 404 when deleting an unknown endpoint", async () => {
		const p = await newProject();
		const res = await partner(p).raw("DELETE", "/webhooks/W000000000000000000000000000");
		expect(res.status).toBe(404);
		expect(res.headers.get("content-type")).toBe("application/problem+json");
	});
});

describe("secrets", () => {
	it("rotates the secret and keeps the previous one signing for 24 hours", async () => {
		const p = await newProject();
		const { Id, Secret: old } = await created(p);
		const before = await rowOf(Id);
		const res = await partner(p).post(`/webhooks/${Id}/rotate-secret`);
		const body = expectStatus(res, 200);
		expect(body, JSON.stringify(body)).toMatchObject({ Id, Secret: expect.stringMatching(SECRET) });
		expect(body.Secret).not.toBe(old);
		const row = (await rowOf(Id)) as Record<string, unknown>;
		expect(row.previous_secret_ciphertext).toBe(before?.secret_ciphertext);
		expect(await decryptSecret(env, row.previous_secret_ciphertext as string)).toBe(old);
		expect(await decryptSecret(env, row.secret_ciphertext as string)).toBe(body.Secret);
		const ttl = (row.previous_secret_expires_at as number) - (row.updated_at as number);
		expect(ttl).toBeGreaterThanOrEqual(86_400_000 - 1);
		expect(ttl).toBeLessThanOrEqual(86_400_000);
	});

	it("stores the secret encrypted, never in clear", async () => {
		const p = await newProject();
		const { Id, Secret } = await created(p);
		const row = await rowOf(Id);
		expect(row?.secret_ciphertext).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
		expect(JSON.stringify(row)).not.toContain(Secret.slice(6));
	});

	it("writes change rows for every write, without any secret", async () => {
		const p = await newProject();
		const { Id, Secret } = await created(p, { Url: URL1, Description: "d" });
		expectStatus(await partner(p).patch(`/webhooks/${Id}`, { Description: "e" }), 200);
		const rotated = expectStatus(await partner(p).post(`/webhooks/${Id}/rotate-secret`), 200);
		expect((await partner(p).raw("DELETE", `/webhooks/${Id}`)).status).toBe(204);
		const rows = (
			await env.DB.prepare(
				"SELECT action, target_type, target_id, changes, data, dialect FROM change_log WHERE project_id = ? AND action LIKE 'webhook.%' ORDER BY seq",
			)
				.bind(p.projectId)
				.all<Record<string, unknown>>()
		).results;
		expect(rows.map((r) => [r.action, r.target_type, r.target_id, r.dialect])).toEqual([
			["webhook.created", "webhook", Id, "partner"],
			["webhook.updated", "webhook", Id, "partner"],
			["webhook.secret_rotated", "webhook", Id, "partner"],
			["webhook.deleted", "webhook", Id, "partner"],
		]);
		expect(JSON.parse(rows[1]?.changes as string)).toEqual({ description: { before: "d", after: "e" } });
		const all = JSON.stringify(
			(await env.DB.prepare("SELECT * FROM change_log WHERE project_id = ?").bind(p.projectId).all()).results,
		);
		for (const secret of [Secret, rotated.Secret]) expect(all).not.toContain(secret.slice(6));
		expect(all).not.toContain("whsec_");
		expect(all).not.toContain("v1.");
	});
});

describe("keys", () => {
	it("refuses a missing or malformed Authorization in problem details", async () => {
		const p = await newProject();
		const cases: Record<string, string>[] = [
			{},
			{ authorization: `Apikey ${p.managementKey}` },
			{ authorization: "Bearer nope" },
		];
		for (const headers of cases) {
			const res = await call("GET", `${P}/webhooks`, { headers });
			expectProblem(res, 401);
			expect(res.headers.get("www-authenticate")).toBe('Bearer realm="roster"');
		}
	});

	it("lets a read-only key list and read but not write", async () => {
		const p = await newProject();
		const { Id } = await created(p);
		const ro = await addManagementKey(p, { name: "ro", readOnly: true });
		const api = partner(p, ro.managementKey);
		expect(expectStatus(await api.get("/webhooks"), 200).Items).toHaveLength(1);
		expectStatus(await api.get(`/webhooks/${Id}`), 200);
		for (const res of [
			await api.post("/webhooks", { Url: URL1 }),
			await api.patch(`/webhooks/${Id}`, { Description: "x" }),
			await api.post(`/webhooks/${Id}/rotate-secret`),
		]) {
			expect(expectProblem(res, 403).detail).toContain("read-only");
		}
		expect((await api.raw("DELETE", `/webhooks/${Id}`)).status).toBe(403);
		expect((await rowOf(Id))?.description).toBe("");
	});

	it("refuses a tenant-bound key on every webhook route", async () => {
		const p = await newProject();
		expectStatus(await mgmt(p).post("/v1/mgmt/tenant/create", { id: "t1", name: "T1" }), 200);
		const { Id } = await created(p);
		const bound = await addManagementKey(p, { name: "t1", tenantIds: ["t1"] });
		const api = partner(p, bound.managementKey);
		for (const res of [
			await api.get("/webhooks"),
			await api.get(`/webhooks/${Id}`),
			await api.post("/webhooks", { Url: URL1 }),
			await api.patch(`/webhooks/${Id}`, { Description: "x" }),
			await api.post(`/webhooks/${Id}/rotate-secret`),
		]) {
			expect(expectProblem(res, 403).detail).toContain("tenant-bound");
		}
	});

	it("hides one project's endpoints from another project's key", async () => {
		const a = await newProject();
		const b = await newProject();
		const { Id } = await created(a);
		const api = partner(b);
		expectProblem(await api.get(`/webhooks/${Id}`), 404);
		expectProblem(await api.patch(`/webhooks/${Id}`, { Description: "x" }), 404);
		expectProblem(await api.post(`/webhooks/${Id}/rotate-secret`), 404);
		expect((await api.raw("DELETE", `/webhooks/${Id}`)).status).toBe(404);
		expect(expectStatus(await api.get("/webhooks"), 200)).toEqual({ Items: [], NextCursor: null });
		expect((await rowOf(Id))?.project_id).toBe(a.projectId);
	});
});

describe("the dialect", () => {
	it("answers unknown routes under its base with a 404 problem", async () => {
		const p = await newProject();
		expectProblem(await partner(p).get("/no-such-thing"), 404);
	});

	it("serves its OpenAPI document without a key, with an operationId and summary on every operation", async () => {
		const doc = expectStatus(await call("GET", `${P}/openapi.json`), 200);
		expect(doc.openapi).toBe("3.1.0");
		expect(doc.components.securitySchemes.Bearer).toMatchObject({ type: "http", scheme: "bearer" });
		const ops = Object.values(doc.paths as Record<string, Record<string, Record<string, unknown>>>).flatMap(
			(methods) => Object.values(methods),
		);
		expect(ops.length).toBeGreaterThanOrEqual(6);
		for (const op of ops) {
			expect(op.operationId, JSON.stringify(op)).toEqual(expect.any(String));
			expect(op.summary, JSON.stringify(op)).toEqual(expect.any(String));
		}
		const read = doc.paths[`${P}/webhooks/{id}`].get;
		expect(Object.keys(read.responses)).toEqual(
			expect.arrayContaining(["200", "304", "400", "401", "403", "404"]),
		);
	});
});
