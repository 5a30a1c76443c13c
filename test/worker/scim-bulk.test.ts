// SCIM Bulk (RFC 7644 §3.7, docs/scim.md): operations run as sub-requests with the same key, in
// order, bulkId references resolved (in paths and in values, members included), failOnErrors.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { addManagementKey, call, createUser, expectStatus, mgmt, newProject } from "./harness";

const S = "/scim/v2";
const BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const bulk = (key: string, body: unknown) =>
	call("POST", `${S}/Bulk`, {
		body,
		headers: { authorization: `Bearer ${key}`, "content-type": "application/scim+json" },
	});

const request = (Operations: unknown[], failOnErrors?: number) => ({
	schemas: [BULK_REQUEST],
	...(failOnErrors ? { failOnErrors } : {}),
	Operations,
});

const roles = async (projectId: string) =>
	(
		await env.DB.prepare("SELECT id, name FROM roles WHERE project_id = ? ORDER BY name")
			.bind(projectId)
			.all<{ id: string; name: string }>()
	).results;

const memberIds = async (roleId: string) =>
	(
		await env.DB.prepare("SELECT user_id FROM user_roles WHERE role_id = ? ORDER BY user_id")
			.bind(roleId)
			.all<{ user_id: string }>()
	).results.map((r) => r.user_id);

describe("POST /Bulk", () => {
	it("resolves bulkId references in paths and member values, answering each operation", async () => {
		const p = await newProject();
		const alice = (await createUser(mgmt(p), { loginId: "alice@example.com" })).userId as string;
		const res = await bulk(
			p.managementKey,
			request([
				// A reference to a group created further down: it waits for it.
				{
					method: "PATCH",
					path: "/Groups/bulkId:eng",
					data: {
						schemas: [PATCH_OP],
						Operations: [{ op: "add", path: "members", value: [{ value: alice }] }],
					},
				},
				{
					method: "POST",
					bulkId: "eng",
					path: "/Groups",
					data: { schemas: [GROUP], displayName: "Engineering" },
				},
				{
					method: "POST",
					bulkId: "leads",
					path: "/Groups",
					data: { displayName: "Leads", members: [{ value: alice }] },
				},
				{
					method: "PUT",
					path: "/Groups/bulkId:leads",
					data: { displayName: "Team leads", members: [{ value: alice }] },
				},
			]),
		);
		const body = expectStatus(res, 200);
		expect(res.headers.get("content-type")).toBe("application/scim+json");
		expect(body.schemas).toEqual([BULK_RESPONSE]);
		const [patch, eng, leads, put] = body.Operations;
		expect(eng).toMatchObject({
			method: "POST",
			bulkId: "eng",
			status: "201",
			version: 'W/"1"',
			location: expect.stringMatching(/\/scim\/v2\/Groups\/R/),
			response: { displayName: "Engineering" },
		});
		expect(patch).toMatchObject({ method: "PATCH", status: "204" });
		// The members it added moved the version on.
		expect(patch.version).not.toBe(eng.version);
		expect(patch.version).toMatch(/^W\/"\d+"$/);
		expect(patch.location).toBe(eng.location);
		expect(leads).toMatchObject({ status: "201", bulkId: "leads" });
		expect(put).toMatchObject({ method: "PUT", status: "200", response: { displayName: "Team leads" } });
		const stored = await roles(p.projectId);
		expect(stored.map((r) => r.name)).toEqual(["Engineering", "Team leads"]);
		for (const role of stored) expect(await memberIds(role.id)).toEqual([alice]);
		// Every operation's change rows carry the Bulk request's id.
		const requests = await env.DB.prepare(
			"SELECT count(DISTINCT request_id) AS n FROM change_log WHERE project_id = ? AND action LIKE 'role.%'",
		)
			.bind(p.projectId)
			.first<{ n: number }>();
		expect(requests?.n).toBe(1);
	});

	it("an operation waiting for a later POST runs as soon as it exists, before the operations after that POST", async () => {
		const p = await newProject();
		const patch = {
			schemas: [PATCH_OP],
			Operations: [{ op: "replace", path: "displayName", value: "Renamed" }],
		};
		const res = expectStatus(
			await bulk(
				p.managementKey,
				request([
					{ method: "PATCH", path: "/Groups/bulkId:g", data: patch },
					{ method: "POST", bulkId: "g", path: "/Groups", data: { displayName: "G" } },
					{ method: "DELETE", path: "/Groups/bulkId:g" },
					{ method: "POST", bulkId: "self", path: "/Groups", data: { displayName: "bulkId:self" } },
				]),
			),
			200,
		);
		expect(res.Operations.map((o: any) => o.status)).toEqual(["204", "201", "204", "409"]);
		expect(await roles(p.projectId)).toEqual([]);
		const renamed = await env.DB.prepare(
			"SELECT count(*) AS n FROM change_log WHERE project_id = ? AND action = 'role.updated'",
		)
			.bind(p.projectId)
			.first<{ n: number }>();
		expect(renamed?.n).toBe(1);
	});

	it("a group's members may name users created earlier in the same request (bulkId:…)", async () => {
		const p = await newProject();
		const res = await bulk(
			p.managementKey,
			request([
				{
					method: "POST",
					path: "/Groups",
					bulkId: "team",
					data: { displayName: "Team", members: [{ value: "bulkId:ann" }, { value: "bulkId:ben" }] },
				},
				{
					method: "POST",
					path: "/Users",
					bulkId: "ann",
					data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ann@example.com" },
				},
				{
					method: "POST",
					path: "/Users",
					bulkId: "ben",
					data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "ben@example.com" },
				},
			]),
		);
		const body = expectStatus(res, 200);
		const [team, ann, ben] = body.Operations;
		expect(ann, JSON.stringify(ann)).toMatchObject({
			status: "201",
			location: expect.stringContaining("/Users/"),
		});
		expect(ben.status).toBe("201");
		expect(team, JSON.stringify(team)).toMatchObject({ status: "201", bulkId: "team" });
		const ids = [ann.response.id, ben.response.id].sort();
		expect(team.response.members.map((m: any) => m.value).sort()).toEqual(ids);
		const [role] = await roles(p.projectId);
		expect(await memberIds(role?.id as string)).toEqual(ids);
	});

	it("a reference to a failed POST fails too; failOnErrors stops after that many errors", async () => {
		const p = await newProject();
		const ops = [
			{ method: "POST", bulkId: "bad", path: "/Groups", data: { members: [] } },
			{ method: "PATCH", path: "/Groups/bulkId:bad", data: { schemas: [PATCH_OP], Operations: [] } },
			{ method: "POST", bulkId: "ok", path: "/Groups", data: { displayName: "Fine" } },
			{ method: "DELETE", path: "/Groups/bulkId:ok" },
		];
		const all = expectStatus(await bulk(p.managementKey, request(ops)), 200);
		expect(all.Operations.map((o: any) => o.status)).toEqual(["400", "409", "201", "204"]);
		expect(all.Operations[0].response).toMatchObject({ status: "400", scimType: "invalidValue" });
		expect(all.Operations[1].response).toMatchObject({
			status: "409",
			detail: expect.stringContaining("bulkId:bad"),
		});
		expect(await roles(p.projectId)).toEqual([]);
		const stopped = expectStatus(await bulk(p.managementKey, request(ops, 2)), 200);
		// Two errors: the rest is neither run nor answered.
		expect(stopped.Operations.map((o: any) => o.status)).toEqual(["400", "409"]);
		expect(await roles(p.projectId)).toEqual([]);
	});

	it("refuses more than maxOperations (413) and malformed requests (400), running nothing", async () => {
		const p = await newProject();
		const many = Array.from({ length: 51 }, (_, i) => ({
			method: "POST",
			bulkId: `g${i}`,
			path: "/Groups",
			data: { displayName: `G${i}` },
		}));
		const tooMany = await bulk(p.managementKey, request(many));
		expect(tooMany.status, JSON.stringify(tooMany.body)).toBe(413);
		expect(tooMany.body).toMatchObject({ status: "413", detail: expect.stringContaining("maxOperations") });
		for (const body of [
			{ schemas: [BULK_REQUEST] },
			request([{ method: "GET", path: "/Groups" }]),
			{ schemas: [BULK_REQUEST], failOnErrors: 0, Operations: [{ method: "POST", path: "/Groups" }] },
			request([
				{ method: "POST", bulkId: "x", path: "/Groups", data: { displayName: "A" } },
				{ method: "POST", bulkId: "x", path: "/Groups", data: { displayName: "B" } },
			]),
		]) {
			const res = await bulk(p.managementKey, body);
			expect(res.status, JSON.stringify(res.body)).toBe(400);
		}
		expect(await roles(p.projectId)).toEqual([]);
		// A path outside /Users and /Groups is that operation's 400.
		const outside = expectStatus(
			await bulk(p.managementKey, request([{ method: "POST", path: "/Bulk", data: {} }])),
			200,
		);
		expect(outside.Operations[0]).toMatchObject({ status: "400", response: { scimType: "invalidPath" } });
	});

	it("each operation runs with the caller's key: a read-only key's writes are each refused", async () => {
		const p = await newProject();
		const readOnly = await addManagementKey(p, { readOnly: true });
		const res = expectStatus(
			await bulk(
				readOnly.managementKey,
				request([{ method: "POST", bulkId: "a", path: "/Groups", data: { displayName: "A" } }]),
			),
			200,
		);
		expect(res.Operations[0]).toMatchObject({ status: "403", response: { status: "403" } });
		expect(await roles(p.projectId)).toEqual([]);
	});

	it("a tenant-bound key's operations land in its tenant", async () => {
		const p = await newProject();
		expectStatus(await mgmt(p).post("/v1/mgmt/tenant/create", { id: "t1", name: "t1" }), 200);
		const member = (
			await createUser(mgmt(p), { loginId: "m@example.com", userTenants: [{ tenantId: "t1" }] })
		).userId as string;
		const key = await addManagementKey(p, { tenantIds: ["t1"] });
		const res = expectStatus(
			await bulk(
				key.managementKey,
				request([
					{ method: "POST", bulkId: "g", path: "/Groups", data: { displayName: "G", members: [member] } },
				]),
			),
			200,
		);
		expect(res.Operations[0].status, JSON.stringify(res.Operations[0])).toBe("201");
		const row = await env.DB.prepare("SELECT tenant_id FROM roles WHERE project_id = ?")
			.bind(p.projectId)
			.first();
		expect(row).toEqual({ tenant_id: "t1" });
	});
});
