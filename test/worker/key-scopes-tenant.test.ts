// Tenant-bound management keys (docs/management-keys.md): the key sees members of its tenants,
// changes only users that belong to its tenants alone, and reads or changes no other tenant.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	addManagementKey,
	call,
	createUser,
	expectDescopeError,
	expectStatus,
	mgmt,
	newProject,
	type TestProject,
} from "./harness";
import { send, V4, v4 } from "./v4-harness";

const NOT_AVAILABLE = "This operation is not available to a tenant-bound management key";

interface Fixture {
	project: TestProject;
	bound: TestProject & { keyId: string };
	/** Member of t1 only. */
	alice: string;
	/** Member of t2 only. */
	bob: string;
	/** In no tenant. */
	carol: string;
	/** Member of t1 and t2. */
	dave: string;
}

async function fixture(): Promise<Fixture> {
	const project = await newProject();
	const api = mgmt(project);
	for (const id of ["t1", "t2"]) {
		expectStatus(await api.post("/v1/mgmt/tenant/create", { id, name: `Tenant ${id}` }), 200);
		expectStatus(await api.post("/v1/mgmt/role/create", { name: `${id}-admin`, tenantId: id }), 200);
	}
	expectStatus(await api.post("/v1/mgmt/role/create", { name: "viewer" }), 200);
	const user = async (loginId: string, tenants: string[]) =>
		(
			await createUser(api, {
				loginId,
				email: loginId,
				userTenants: tenants.map((tenantId) => ({ tenantId })),
			})
		).userId as string;
	const alice = await user("alice@example.com", ["t1"]);
	const bob = await user("bob@example.com", ["t2"]);
	const carol = await user("carol@example.com", []);
	const dave = await user("dave@example.com", ["t1", "t2"]);
	const bound = await addManagementKey(project, { name: "t1 only", tenantIds: ["t1"] });
	return { project, bound, alice, bob, carol, dave };
}

const userRow = (id: string) =>
	env.DB.prepare("SELECT name, email, status, version FROM users WHERE id = ?").bind(id).first();

describe("a tenant-bound key", () => {
	it("is created with tenantIds, shown on load; an unknown tenant is refused by index", async () => {
		const f = await fixture();
		const api = mgmt(f.project);
		const loaded = expectStatus(await api.get(`/v1/mgmt/managementkey?id=${f.bound.keyId}`), 200);
		expect(loaded.key).toMatchObject({ readOnly: false, tenantIds: ["t1"] });
		const res = await api.put("/v1/mgmt/managementkey", { name: "bad", tenantIds: ["t1", "nope"] });
		expectDescopeError(res, 400, "E011004", "tenantIds[1]");
		const patched = await api.patch("/v1/mgmt/managementkey", {
			id: f.bound.keyId,
			name: "x",
			tenantIds: ["nope"],
		});
		expectDescopeError(patched, 400, "E011004", "tenantIds[0]");
		const updated = expectStatus(
			await api.patch("/v1/mgmt/managementkey", { id: f.bound.keyId, name: "both", tenantIds: ["t1", "t2"] }),
			200,
		);
		expect(updated.key.tenantIds).toEqual(["t1", "t2"]);
	});

	it("loads members of its tenants; anyone else is 'user not found', by login id and by user id", async () => {
		const f = await fixture();
		const api = mgmt(f.bound);
		expect(expectStatus(await api.get("/v1/mgmt/user?loginId=alice%40example.com"), 200).user.userId).toBe(
			f.alice,
		);
		// A member of t1 and t2 shows only its t1 membership to a key bound to t1.
		const dave = expectStatus(await api.get(`/v1/mgmt/user?userId=${f.dave}`), 200).user;
		expect(dave.userTenants.map((t: any) => t.tenantId)).toEqual(["t1"]);
		for (const ref of ["bob@example.com", "carol@example.com", f.bob, f.carol]) {
			const res = await api.get(`/v1/mgmt/user?loginId=${encodeURIComponent(ref)}`);
			expectDescopeError(res, 404, "E062108");
		}
		expectDescopeError(await api.get(`/v1/mgmt/user?userId=${f.bob}`), 404, "E062108");
	});

	it("searches only members of its tenants, whatever the filter", async () => {
		const f = await fixture();
		const api = mgmt(f.bound);
		const all = expectStatus(await api.post("/v2/mgmt/user/search", {}), 200);
		expect(all.users.map((u: any) => u.userId).sort()).toEqual([f.alice, f.dave].sort());
		expect(all.total).toBe(2);
		const found = all.users.find((u: any) => u.userId === f.dave);
		expect(found.userTenants.map((t: any) => t.tenantId)).toEqual(["t1"]);
		const t2 = expectStatus(await api.post("/v2/mgmt/user/search", { tenantIds: ["t2"] }), 200);
		expect(t2.users.map((u: any) => u.userId)).toEqual([f.dave]);
		const byLogin = expectStatus(
			await api.post("/v2/mgmt/user/search", { loginIds: ["bob@example.com", "alice@example.com"] }),
			200,
		);
		expect(byLogin.users.map((u: any) => u.userId)).toEqual([f.alice]);
		const loaded = expectStatus(
			await api.post("/v1/mgmt/users/load", { userIds: [f.alice, f.bob, f.carol] }),
			200,
		);
		expect(loaded.users.map((u: any) => u.userId)).toEqual([f.alice]);
	});

	it("lists and reads only members in v4 and legacy", async () => {
		const f = await fixture();
		const api = v4(f.bound);
		const index = expectStatus(await api.get(`${V4}/users`), 200);
		expect(index.data.map((u: any) => u.id).sort()).toEqual([f.alice, f.dave].sort());
		expect(expectStatus(await api.get(`${V4}/users/${f.alice}`), 200).data.id).toBe(f.alice);
		const outside = await api.get(`${V4}/users/${f.bob}`);
		expect(outside.status, outside.text).toBe(404);
		const legacy = await send("GET", "/api/management/user", {
			headers: { authorization: `Apikey ${f.bound.managementKey}` },
		});
		expect(legacy.status, legacy.text).toBe(200);
		expect(legacy.body.users.map((u: any) => u.email).sort()).toEqual([
			"alice@example.com",
			"dave@example.com",
		]);
		const put = await send("PUT", "/api/management/user/bob%40example.com", {
			body: { name: "pwned" },
			headers: { authorization: `Apikey ${f.bound.managementKey}`, "content-type": "application/json" },
		});
		expect(put.status, put.text).toBe(404);
		// Writes: a user only in its tenants changes; a shared or outside user is not found and unchanged.
		const patch = (id: string) =>
			api.patch(`${V4}/users/${id}`, { data: { type: "users", id, attributes: { name: "Renamed" } } });
		const before = await Promise.all([f.bob, f.dave].map(userRow));
		for (const id of [f.bob, f.dave]) {
			const res = await patch(id);
			expect(res.status, res.text).toBe(404);
			expect((await api.delete(`${V4}/users/${id}`)).status).toBe(404);
		}
		expect(await Promise.all([f.bob, f.dave].map(userRow))).toEqual(before);
		expect(expectStatus(await patch(f.alice), 200).data.attributes.name).toBe("Renamed");
		const del = await send("DELETE", "/api/management/user/alice%40example.com", {
			headers: { authorization: `Apikey ${f.bound.managementKey}` },
		});
		expect(del.status, del.text).toBe(204);
		expect(await userRow(f.alice)).toBeNull();
		// Creating through v4 or legacy would make a user in no tenant: refused.
		const legacyCreate = await send("POST", "/api/management/user", {
			body: { email: "l@example.com", name: "L" },
			headers: { authorization: `Apikey ${f.bound.managementKey}`, "content-type": "application/json" },
		});
		expect(legacyCreate.status, legacyCreate.text).toBe(403);
		expect(legacyCreate.body).toEqual({ error: "forbidden", message: NOT_AVAILABLE, errors: [] });
	});

	it("creates a user into its tenant, with no project role", async () => {
		const f = await fixture();
		expectStatus(await mgmt(f.project).post("/v1/mgmt/role/create", { name: "member", default: true }), 200);
		const api = mgmt(f.bound);
		const user = await createUser(api, {
			loginId: "new@example.com",
			userTenants: [{ tenantId: "t1", roleNames: ["t1-admin"] }],
		});
		expect(user.userTenants).toEqual([expect.objectContaining({ tenantId: "t1", roleNames: ["t1-admin"] })]);
		expect(user.roleNames).toEqual([]);
		expectStatus(await api.get("/v1/mgmt/user?loginId=new%40example.com"), 200);
	});

	it("refuses a create naming no tenant, another tenant or a project role, and writes nothing", async () => {
		const f = await fixture();
		const api = mgmt(f.bound);
		const refused = [
			await api.post("/v1/mgmt/user/create", { loginId: "n1@example.com" }),
			await api.post("/v1/mgmt/user/create", {
				loginId: "n2@example.com",
				userTenants: [{ tenantId: "t2" }],
			}),
			await api.post("/v1/mgmt/user/create", {
				loginId: "n3@example.com",
				userTenants: [{ tenantId: "t1" }],
				roleNames: ["viewer"],
			}),
		];
		for (const res of refused) expectDescopeError(res, 403, "E011403");
		const v4Create = await v4(f.bound).post(`${V4}/users`, {
			data: { type: "users", attributes: { name: "N", contact_details: { email: "n4@example.com" } } },
		});
		expect(v4Create.status, v4Create.text).toBe(403);
		const count = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE project_id = ?")
			.bind(f.project.projectId)
			.first<{ n: number }>();
		expect(count?.n).toBe(4);
	});

	it("changes a member's profile, status and tenant roles, but never a project role", async () => {
		const f = await fixture();
		const api = mgmt(f.bound);
		const patched = expectStatus(
			await api.patch("/v1/mgmt/user/patch", { loginId: "alice@example.com", displayName: "Alice" }),
			200,
		);
		expect(patched.user.name).toBe("Alice");
		expectStatus(
			await api.post("/v1/mgmt/user/update/status", { loginId: "alice@example.com", status: "disabled" }),
			200,
		);
		const withRole = expectStatus(
			await api.post("/v2/mgmt/user/update/role/add", {
				loginId: "alice@example.com",
				tenantId: "t1",
				roleNames: ["t1-admin"],
			}),
			200,
		);
		expect(withRole.user.userTenants[0].roleNames).toEqual(["t1-admin"]);
		expectStatus(
			await api.post("/v1/mgmt/user/password/set/active", {
				loginId: "alice@example.com",
				password: "Str0ng!Passw0rd",
			}),
			200,
		);
		expectStatus(await api.post("/v1/mgmt/user/password/expire", { loginId: "alice@example.com" }), 200);
		const before = await userRow(f.alice);
		for (const res of [
			await api.post("/v2/mgmt/user/update/role/add", {
				loginId: "alice@example.com",
				roleNames: ["viewer"],
			}),
			await api.patch("/v1/mgmt/user/patch", { loginId: "alice@example.com", roleNames: ["viewer"] }),
			await api.post("/v2/mgmt/user/update/role/add", {
				loginId: "alice@example.com",
				tenantId: "t2",
				roleNames: ["t2-admin"],
			}),
			await api.post("/v1/mgmt/user/update/tenant/add", { loginId: "alice@example.com", tenantId: "t2" }),
		]) {
			expectDescopeError(res, 403, "E011403");
		}
		expect(await userRow(f.alice)).toEqual(before);
		const roles = await env.DB.prepare("SELECT tenant_id, role_id FROM user_roles WHERE user_id = ?")
			.bind(f.alice)
			.all();
		expect(roles.results).toHaveLength(1);
	});

	it("cannot change, log out or delete users outside its tenants, nor one shared with another tenant", async () => {
		const f = await fixture();
		const api = mgmt(f.bound);
		const before = await Promise.all([f.bob, f.carol, f.dave].map(userRow));
		for (const login of ["bob@example.com", "carol@example.com", "dave@example.com"]) {
			expectDescopeError(
				await api.patch("/v1/mgmt/user/patch", { loginId: login, displayName: "pwned" }),
				404,
				"E062108",
			);
			expectDescopeError(
				await api.post("/v1/mgmt/user/update/email", { loginId: login, email: "x@evil.example" }),
				404,
				"E062108",
			);
			expectDescopeError(await api.post("/v1/mgmt/user/logout", { loginId: login }), 404, "E062108");
			expectDescopeError(
				await api.post("/v1/mgmt/user/password/set/active", { loginId: login, password: "Str0ng!Passw0rd" }),
				404,
				"E062108",
			);
			expectDescopeError(
				await api.post("/v1/mgmt/user/update/tenant/add", { loginId: login, tenantId: "t1" }),
				404,
				"E062108",
			);
			expectStatus(await api.post("/v1/mgmt/user/delete", { loginId: login }), 200);
		}
		expectStatus(await api.post("/v1/mgmt/user/delete/batch", { userIds: [f.bob, f.carol, f.dave] }), 200);
		expect(await Promise.all([f.bob, f.carol, f.dave].map(userRow))).toEqual(before);
		const passwords = await env.DB.prepare(
			"SELECT count(*) AS n FROM user_passwords WHERE user_id IN (SELECT value FROM json_each(?))",
		)
			.bind(JSON.stringify([f.bob, f.carol, f.dave]))
			.first<{ n: number }>();
		expect(passwords?.n).toBe(0);
		expectStatus(await api.post("/v1/mgmt/user/delete", { loginId: "alice@example.com" }), 200);
		expect(await userRow(f.alice)).toBeNull();
	});

	it("sees only its own tenants and their roles, and changes neither other tenants nor project objects", async () => {
		const f = await fixture();
		const api = mgmt(f.bound);
		expect(expectStatus(await api.get("/v1/mgmt/tenant/all"), 200).tenants.map((t: any) => t.id)).toEqual([
			"t1",
		]);
		expect(
			expectStatus(await api.post("/v1/mgmt/tenant/search", { tenantIds: ["t1", "t2"] }), 200).tenants.map(
				(t: any) => t.id,
			),
		).toEqual(["t1"]);
		expectDescopeError(await api.get("/v1/mgmt/tenant?id=t2"), 404, "E011404");
		expectStatus(await api.get("/v1/mgmt/tenant?id=t1"), 200);
		expectStatus(await api.get("/v1/mgmt/tenant/settings?id=t1"), 200);
		expectDescopeError(await api.get("/v1/mgmt/tenant/settings?id=t2"), 404, "E011404");
		expect(expectStatus(await api.get("/v1/mgmt/role/all"), 200).roles.map((r: any) => r.name)).toEqual([
			"t1-admin",
		]);
		const searched = expectStatus(await api.post("/v1/mgmt/role/search", { includeProjectRoles: true }), 200);
		expect(searched.roles.map((r: any) => r.name)).toEqual(["t1-admin"]);
		// Readable project-level objects.
		expectStatus(await api.get("/v1/mgmt/permission/all"), 200);
		expectStatus(await api.get("/v1/mgmt/user/customattributes"), 200);
		// Refused.
		for (const res of [
			await api.post("/v1/mgmt/tenant/update", { id: "t2", name: "Mine now" }),
			await api.post("/v1/mgmt/tenant/update", { id: "t1", name: "Renamed" }),
			await api.post("/v1/mgmt/tenant/create", { id: "t3", name: "Three" }),
			await api.post("/v1/mgmt/tenant/delete", { id: "t2", cascade: true }),
			await api.post("/v1/mgmt/role/create", { name: "boss" }),
			await api.post("/v1/mgmt/role/create", { name: "t2-boss", tenantId: "t2" }),
			await api.post("/v1/mgmt/role/update", { name: "viewer", newName: "mine" }),
			await api.post("/v1/mgmt/role/delete", { name: "viewer" }),
			await api.post("/v1/mgmt/permission/create", { name: "all" }),
			await api.post("/v1/mgmt/user/customattribute/create", { attributes: [{ name: "x", type: 1 }] }),
			await api.get("/v1/mgmt/sso/idp/apps/load"),
			await api.get("/v1/mgmt/managementkey/search"),
			await api.put("/v1/mgmt/managementkey", { name: "escape" }),
			await api.patch("/v1/mgmt/managementkey", { id: f.bound.keyId, name: "free", tenantIds: [] }),
		]) {
			expectDescopeError(res, 403, "E011403");
		}
		const tenants = await env.DB.prepare("SELECT id, name FROM tenants WHERE project_id = ? ORDER BY id")
			.bind(f.project.projectId)
			.all();
		expect(tenants.results).toEqual([
			{ id: "t1", name: "Tenant t1" },
			{ id: "t2", name: "Tenant t2" },
		]);
		const key = expectStatus(await mgmt(f.project).get(`/v1/mgmt/managementkey?id=${f.bound.keyId}`), 200);
		expect(key.key.tenantIds).toEqual(["t1"]);
	});

	it("creates, renames and deletes its own tenant's roles, and no other role", async () => {
		const f = await fixture();
		const api = mgmt(f.bound);
		const created = expectStatus(
			await api.post("/v1/mgmt/role/create", { name: "t1-boss", tenantId: "t1" }),
			200,
		);
		expect(created).toMatchObject({ name: "t1-boss", tenantId: "t1" });
		expectStatus(
			await api.post("/v1/mgmt/role/update", { name: "t1-boss", newName: "t1-chief", tenantId: "t1" }),
			200,
		);
		const withRole = expectStatus(
			await api.post("/v2/mgmt/user/update/role/add", {
				loginId: "alice@example.com",
				tenantId: "t1",
				roleNames: ["t1-chief"],
			}),
			200,
		);
		expect(withRole.user.userTenants[0].roleNames).toEqual(["t1-chief"]);
		// Another tenant's role, by name or by id, is not found and stays.
		const other = await api.post("/v1/mgmt/role/update", { name: "t2-admin", newName: "x", tenantId: "t2" });
		expect(other.status, JSON.stringify(other.body)).toBe(404);
		const t2 = await env.DB.prepare("SELECT id FROM roles WHERE project_id = ? AND name = 't2-admin'")
			.bind(f.project.projectId)
			.first<{ id: string }>();
		expectStatus(await api.post("/v1/mgmt/role/delete/batch", { roleIds: [t2?.id] }), 200);
		expectStatus(await api.post("/v1/mgmt/role/delete", { name: "t1-chief", tenantId: "t1" }), 200);
		const names = await env.DB.prepare("SELECT name FROM roles WHERE project_id = ? ORDER BY name")
			.bind(f.project.projectId)
			.all();
		expect(names.results).toEqual([{ name: "t1-admin" }, { name: "t2-admin" }, { name: "viewer" }]);
	});

	it("refuses, by default, an operation nobody made tenant-aware", async () => {
		const f = await fixture();
		const res = await mgmt(f.bound).post("/v1/mgmt/user/update/ssoapp/add", {
			loginId: "alice@example.com",
			ssoAppIds: ["none"],
		});
		expectDescopeError(res, 403, "E011403", NOT_AVAILABLE);
		const history = await mgmt(f.bound).post("/v1/mgmt/user/history", [f.bob]);
		expect([200, 403], JSON.stringify(history.body)).toContain(history.status);
		if (history.status === 200) expect(history.body).toEqual([]);
	});

	it("is issued by the operator API with its tenants", async () => {
		const f = await fixture();
		const res = await call("POST", `/v1/operator/projects/${f.project.projectId}/keys`, {
			body: { name: "t2", tenantIds: ["t2"] },
			headers: { authorization: "Bearer test-operator-key" },
		});
		const issued = expectStatus(res, 201);
		const api = mgmt({ projectId: f.project.projectId, managementKey: issued.managementKey });
		const found = expectStatus(await api.post("/v2/mgmt/user/search", {}), 200);
		expect(found.users.map((u: any) => u.userId).sort()).toEqual([f.bob, f.dave].sort());
		const bad = await call("POST", `/v1/operator/projects/${f.project.projectId}/keys`, {
			body: { name: "bad", tenantIds: ["nope"] },
			headers: { authorization: "Bearer test-operator-key" },
		});
		expectDescopeError(bad, 400, "E011004", "tenantIds[0]");
	});
});
