// Refused management calls (4xx after authentication) are one request.failed entry each, in every
// dialect, without their payload (docs/audit.md, "Failed calls"); 401 and 429 are not recorded.
import { env } from "cloudflare:workers";
import type { Context } from "hono";
import { expect, it } from "vitest";
import { recordRefusal } from "../../src/api/failure-record";
import {
	addManagementKey,
	call,
	expectStatus,
	mgmt,
	newProject,
	operatorHeaders,
	type TestProject,
} from "./harness";
import { V4, v4 } from "./v4-harness";

async function failures(p: TestProject) {
	const rows = await env.DB.prepare(
		"SELECT * FROM change_log WHERE project_id = ? AND action = 'request.failed' ORDER BY seq",
	)
		.bind(p.projectId)
		.all<Record<string, any>>();
	return rows.results.map((r) => ({ ...r, data: JSON.parse(r.data) }));
}

it("Descope: a 404 is recorded with method, path, status, code and message", async () => {
	const p = await newProject("failures");
	const res = await mgmt(p).get("/v1/mgmt/user?loginId=nobody@example.com");
	expect(res.status, JSON.stringify(res.body)).toBe(404);
	const rows = await failures(p);
	expect(rows, JSON.stringify(rows)).toHaveLength(1);
	expect(rows[0]).toMatchObject({
		result: "failure",
		actor_type: "key",
		target_type: "request",
		dialect: "descope",
		data: {
			method: "GET",
			path: "/v1/mgmt/user",
			status: 404,
			errorCode: "E062108",
			message: expect.any(String),
		},
	});
});

it("Descope: the body of a refused call is never stored", async () => {
	const p = await newProject("failures");
	const res = await mgmt(p).post("/v1/mgmt/user/create", {
		loginId: "a@example.com",
		email: "not an email",
		password: "Secret-Passw0rd-Marker",
		name: "Body-Marker",
	});
	expect(res.status, JSON.stringify(res.body)).toBe(400);
	const rows = await failures(p);
	expect(rows).toHaveLength(1);
	expect(rows[0]?.data).toMatchObject({ status: 400, errorCode: "E011004" });
	expect(JSON.stringify(rows)).not.toMatch(/Marker/);
});

it("a read-only key's refused write is recorded on the unscoped binding", async () => {
	const p = await newProject("failures");
	const ro = await addManagementKey(p, { readOnly: true });
	const res = await mgmt(ro).post("/v1/mgmt/tenant/create", { name: "Nope" });
	expect(res.status, JSON.stringify(res.body)).toBe(403);
	const rows = await failures(p);
	expect(rows, JSON.stringify(rows)).toHaveLength(1);
	expect(rows[0]).toMatchObject({ actor_id: ro.keyId, data: { status: 403, errorCode: "E011403" } });
});

it("REST v4: a 404 is recorded with the JSON:API error code", async () => {
	const p = await newProject("failures");
	const res = await v4(p).get(`${V4}/users/U${"0".repeat(27)}`);
	expect(res.status, res.text).toBe(404);
	const rows = await failures(p);
	expect(rows, JSON.stringify(rows)).toHaveLength(1);
	expect(rows[0]).toMatchObject({ dialect: "v4", data: { method: "GET", status: 404 } });
});

it("REST v4: an unknown route after authentication is recorded too", async () => {
	const p = await newProject("failures");
	const res = await v4(p).get(`${V4}/nothing-here`);
	expect(res.status, res.text).toBe(404);
	const rows = await failures(p);
	expect(rows, JSON.stringify(rows)).toHaveLength(1);
	expect(rows[0]?.data).toMatchObject({ errorCode: "route_not_found", status: 404 });
});

it("legacy: a refused call is recorded", async () => {
	const p = await newProject("failures");
	const res = await call("GET", "/api/management/user?service=mail", {
		headers: { authorization: `Apikey ${p.managementKey}` },
	});
	expect(res.status, JSON.stringify(res.body)).toBe(400);
	const rows = await failures(p);
	expect(rows, JSON.stringify(rows)).toHaveLength(1);
	expect(rows[0]).toMatchObject({
		dialect: "legacy",
		data: { status: 400, errorCode: "unsupported_parameter" },
	});
});

it("operator: a refused change of a project is recorded in that project, by the operator", async () => {
	const p = await newProject("failures");
	const res = await call("PATCH", `/v1/operator/projects/${p.projectId}`, {
		body: { sessionTtl: "long" },
		headers: operatorHeaders,
	});
	expect(res.status, JSON.stringify(res.body)).toBe(400);
	const rows = await failures(p);
	expect(rows, JSON.stringify(rows)).toHaveLength(1);
	expect(rows[0]).toMatchObject({ actor_type: "operator", dialect: "operator", data: { status: 400 } });
});

it("401s are not recorded: no key, a wrong key", async () => {
	const p = await newProject("failures");
	expect((await call("GET", "/v1/mgmt/user?loginId=x")).status).toBe(401);
	const wrong = await call("GET", "/v1/mgmt/user?loginId=x", {
		headers: { authorization: `Bearer ${p.projectId}:not-a-key` },
	});
	expect(wrong.status).toBe(401);
	expect(await failures(p)).toEqual([]);
});

it("successful calls record no failure", async () => {
	const p = await newProject("failures");
	expectStatus(await mgmt(p).post("/v1/mgmt/audit/search", {}), 200);
	expect(await failures(p)).toEqual([]);
});

it("a recording that fails is logged and never changes the answer", async () => {
	const broken = {
		prepare: () => {
			throw new Error("D1 is down");
		},
	} as unknown as D1Database;
	const deps = {
		actor: { type: "key", id: "K1", name: "k" },
		request: { id: "r", dialect: "descope", ip: "", city: "", country: "", userAgent: "" },
		env: { DB: broken },
		now: Date.now,
	};
	const c = {
		get: () => deps,
		var: { deps, projectId: `P${"1".repeat(27)}` },
		req: { method: "GET", path: "/v1/mgmt/user" },
	} as unknown as Context;
	await expect(
		recordRefusal(c, { status: 404, errorCode: "E062108", message: "User not found" }),
	).resolves.toBe(undefined);
});
