// `management.role` and `management.permission`: create, update, delete, batches, load all,
// search; what users see when roles and permissions change.
import { describe, expect, it } from "vitest";
import {
	createUser,
	expectDescopeError,
	expectStatus,
	loadUser,
	type Mgmt,
	mgmt,
	newProject,
} from "./harness";

const ROLE = "/v1/mgmt/role";
const PERMISSION = "/v1/mgmt/permission";

/** The exact Role object of §4.2 with Roster's defaults. */
function wireRole(overrides: Record<string, unknown> = {}) {
	return {
		id: expect.stringMatching(/^R[0-9A-Za-z]{27}$/),
		name: expect.any(String),
		description: "",
		permissionNames: [],
		createdTime: expect.any(Number),
		tenantId: "",
		default: false,
		private: false,
		...overrides,
	};
}

const createRole = async (api: Mgmt, body: Record<string, unknown>) =>
	expectStatus(await api.post(`${ROLE}/create`, body), 200);
const allRoles = async (api: Mgmt) => expectStatus(await api.get(`${ROLE}/all`), 200).roles as any[];
/** `name@tenantId` (or just `name` for project roles), sorted: a compact view of the roles. */
const roleKeys = (roles: any[]) => roles.map((r) => (r.tenantId ? `${r.name}@${r.tenantId}` : r.name)).sort();
const allPermissions = async (api: Mgmt) =>
	expectStatus(await api.get(`${PERMISSION}/all`), 200).permissions as any[];
const permissionNames = async (api: Mgmt) => (await allPermissions(api)).map((p) => p.name);

async function createPermissions(api: Mgmt, ...names: string[]) {
	expectStatus(
		await api.post(`${PERMISSION}/create/batch`, { permissions: names.map((name) => ({ name })) }),
		200,
	);
}

async function createTenant(api: Mgmt, id: string) {
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id, name: `Tenant ${id}` }), 200);
}

/** A project with permissions read/write/admin, tenants t1 and t2. */
async function setup() {
	const api = mgmt(await newProject());
	await createPermissions(api, "read", "write", "admin");
	await createTenant(api, "t1");
	await createTenant(api, "t2");
	return api;
}

describe("POST /v1/mgmt/role/create", () => {
	it("creates a project role and answers the Role object", async () => {
		const api = await setup();
		const role = await createRole(api, {
			name: "editor",
			description: "Edits",
			permissionNames: ["write", "read"],
			default: true,
			private: true,
		});
		expect(Object.keys(role).sort()).toEqual(Object.keys(wireRole()).sort());
		expect(role).toEqual(
			wireRole({
				name: "editor",
				description: "Edits",
				permissionNames: ["read", "write"],
				default: true,
				private: true,
			}),
		);
		expect(Math.abs(role.createdTime - Date.now() / 1000), "createdTime is Unix seconds").toBeLessThan(600);
		expect(await allRoles(api)).toEqual([role]);
	});

	it("creates tenant roles; a name is unique per scope (project, or one tenant)", async () => {
		const api = await setup();
		await createRole(api, { name: "admin" });
		expect(await createRole(api, { name: "admin", tenantId: "t1" })).toEqual(
			wireRole({ name: "admin", tenantId: "t1" }),
		);
		await createRole(api, { name: "admin", tenantId: "t2" });
		expectDescopeError(await api.post(`${ROLE}/create`, { name: "admin" }), 409, "E011409", "admin");
		expectDescopeError(
			await api.post(`${ROLE}/create`, { name: "admin", tenantId: "t1" }),
			409,
			"E011409",
			"t1",
		);
		expect(roleKeys(await allRoles(api))).toEqual(["admin", "admin@t1", "admin@t2"]);
	});

	it("treats role names as case-sensitive, like Descope", async () => {
		const api = await setup();
		await createRole(api, { name: "Admin" });
		await createRole(api, { name: "admin" });
		expect(roleKeys(await allRoles(api))).toEqual(["Admin", "admin"]);
	});

	it.each([
		[{}, 400, "E011002", "name"],
		[{ name: "  " }, 400, "E011002", "name"],
		[{ name: "r", permissionNames: ["read", "ghost"] }, 400, "E011004", "permissionNames"],
		[{ name: "r", tenantId: "nope" }, 400, "E011004", "tenantId"],
		[{ name: "r", permissionNames: "read" }, 400, "E011004", "permissionNames"],
		[{ name: "r", default: "yes" }, 400, "E011004", "default"],
	])("rejects %j with %i %s naming %s, creating nothing", async (body, status, code, field) => {
		const api = await setup();
		expectDescopeError(await api.post(`${ROLE}/create`, body), status, code, field);
		expect(await allRoles(api)).toEqual([]);
	});

	// A repeated permission name is de-duplicated (200) or refused (400), never a 500.
	it.each(["create", "update"])("%s with a repeated permission name does not answer 500", async (op) => {
		const api = await setup();
		await createRole(api, { name: "editor" });
		const body =
			op === "create"
				? { name: "other", permissionNames: ["read", "read"] }
				: { name: "editor", newName: "editor", permissionNames: ["read", "read"] };
		const res = await api.post(`${ROLE}/${op}`, body);
		expect([200, 400], JSON.stringify(res.body)).toContain(res.status);
		if (res.status === 200) expect(res.body.permissionNames).toEqual(["read"]);
		else expectDescopeError(res, 400, "E011004", "permissionNames");
	});

	it("cannot reference another project's tenant or permission", async () => {
		const a = await setup();
		const b = mgmt(await newProject());
		expectDescopeError(
			await b.post(`${ROLE}/create`, { name: "r", tenantId: "t1" }),
			400,
			"E011004",
			"tenantId",
		);
		expectDescopeError(
			await b.post(`${ROLE}/create`, { name: "r", permissionNames: ["read"] }),
			400,
			"E011004",
			"permissionNames",
		);
		expect(await allRoles(b)).toEqual([]);
		expect(await allRoles(a)).toEqual([]);
	});
});

describe("POST /v1/mgmt/role/update", () => {
	it("overwrites a role found by name: rename, description and permissions; absent ones are cleared", async () => {
		const api = await setup();
		const role = await createRole(api, {
			name: "editor",
			description: "Edits",
			permissionNames: ["read", "write"],
			default: true,
		});
		const renamed = expectStatus(
			await api.post(`${ROLE}/update`, { name: "editor", newName: "writer", permissionNames: ["admin"] }),
			200,
		);
		expect(renamed).toEqual(
			wireRole({ id: role.id, name: "writer", permissionNames: ["admin"], createdTime: role.createdTime }),
		);
		expect(await allRoles(api)).toEqual([renamed]);
		const cleared = expectStatus(
			await api.post(`${ROLE}/update`, { name: "writer", newName: "writer" }),
			200,
		);
		expect(cleared.permissionNames).toEqual([]);
	});

	it("finds a role by id (updateWithId)", async () => {
		const api = await setup();
		const role = await createRole(api, { name: "local", tenantId: "t1" });
		const updated = expectStatus(
			await api.post(`${ROLE}/update`, {
				id: role.id,
				newName: "local2",
				description: "d",
				permissionNames: ["read"],
			}),
			200,
		);
		expect(updated).toEqual(
			wireRole({ id: role.id, name: "local2", tenantId: "t1", description: "d", permissionNames: ["read"] }),
		);
	});

	it("finds a tenant role by name only within that tenant's scope", async () => {
		const api = await setup();
		await createRole(api, { name: "local", tenantId: "t1" });
		expectDescopeError(await api.post(`${ROLE}/update`, { name: "local", newName: "x" }), 404, "E011404");
		expectDescopeError(
			await api.post(`${ROLE}/update`, { name: "local", newName: "x", tenantId: "t2" }),
			404,
			"E011404",
		);
		expectStatus(await api.post(`${ROLE}/update`, { name: "local", newName: "x", tenantId: "t1" }), 200);
		expect(roleKeys(await allRoles(api))).toEqual(["x@t1"]);
	});

	it("refuses a new name taken in the same scope (409), allows one taken in another scope", async () => {
		const api = await setup();
		await createRole(api, { name: "a" });
		await createRole(api, { name: "b", description: "keep" });
		await createRole(api, { name: "b", tenantId: "t1" });
		expectDescopeError(await api.post(`${ROLE}/update`, { name: "a", newName: "b" }), 409, "E011409", "b");
		expectStatus(await api.post(`${ROLE}/update`, { name: "b", newName: "a", tenantId: "t1" }), 200);
		expect(roleKeys(await allRoles(api))).toEqual(["a", "a@t1", "b"]);
		expect((await allRoles(api)).find((r) => r.name === "b").description).toBe("keep");
	});

	it.each([
		[{ name: "ghost", newName: "x" }, 404, "E011404", "ghost"],
		[{ id: "R0000000000000000000000000000", newName: "x" }, 404, "E011404", "R000"],
		[{ name: "editor" }, 400, "E011002", "newName"],
		[{ name: "editor", newName: "  " }, 400, "E011002", "newName"],
		[{ newName: "x" }, 400, "E011004", "name"],
		[{ name: "editor", newName: "editor", permissionNames: ["ghost"] }, 400, "E011004", "permissionNames"],
	])("rejects %j with %i %s, changing nothing", async (body, status, code, part) => {
		const api = await setup();
		const role = await createRole(api, { name: "editor", description: "d", permissionNames: ["read"] });
		expectDescopeError(await api.post(`${ROLE}/update`, body), status, code, part);
		expect(await allRoles(api)).toEqual([role]);
	});

	it("a rename and a permission change show on every user holding the role", async () => {
		const api = await setup();
		await createRole(api, { name: "editor", permissionNames: ["read"] });
		await createUser(api, { loginId: "alice", roleNames: ["editor"] });
		await createUser(api, { loginId: "bob", userTenants: [{ tenantId: "t1", roleNames: ["editor"] }] });
		expectStatus(
			await api.post(`${ROLE}/update`, {
				name: "editor",
				newName: "author",
				permissionNames: ["write", "admin"],
			}),
			200,
		);
		const alice = await loadUser(api, "alice");
		expect([alice.roleNames, alice.permissions]).toEqual([["author"], ["admin", "write"]]);
		expect((await loadUser(api, "bob")).userTenants).toEqual([
			{ tenantId: "t1", tenantName: "Tenant t1", roleNames: ["author"], permissions: ["admin", "write"] },
		]);
		const found = expectStatus(await api.post("/v2/mgmt/user/search", { roleNames: ["author"] }), 200);
		expect(found.total).toBe(2);
	});

	it("cannot update another project's role by id", async () => {
		const a = await setup();
		const b = mgmt(await newProject());
		const role = await createRole(a, { name: "editor" });
		expectDescopeError(await b.post(`${ROLE}/update`, { id: role.id, newName: "stolen" }), 404, "E011404");
		expect(await allRoles(a)).toEqual([role]);
	});
});

describe("POST /v1/mgmt/role/delete", () => {
	it("deletes a project role by name; its users lose it and its permissions", async () => {
		const api = await setup();
		await createRole(api, { name: "editor", permissionNames: ["write"] });
		await createRole(api, { name: "viewer", permissionNames: ["read"] });
		await createUser(api, { loginId: "alice", roleNames: ["editor", "viewer"] });
		expect(expectStatus(await api.post(`${ROLE}/delete`, { name: "editor" }), 200)).toEqual({});
		expect(roleKeys(await allRoles(api))).toEqual(["viewer"]);
		const alice = await loadUser(api, "alice");
		expect([alice.roleNames, alice.permissions]).toEqual([["viewer"], ["read"]]);
	});

	it("deletes a role by id (deleteWithId)", async () => {
		const api = await setup();
		const role = await createRole(api, { name: "local", tenantId: "t1" });
		await createRole(api, { name: "local" });
		expectStatus(await api.post(`${ROLE}/delete`, { id: role.id }), 200);
		expect(roleKeys(await allRoles(api))).toEqual(["local"]);
	});

	it("by name, deletes only within the given scope", async () => {
		const api = await setup();
		await createRole(api, { name: "shared", permissionNames: ["read"] });
		await createRole(api, { name: "shared", tenantId: "t1", permissionNames: ["write"] });
		await createRole(api, { name: "shared", tenantId: "t2" });
		await createUser(api, {
			loginId: "alice",
			roleNames: ["shared"],
			userTenants: [{ tenantId: "t1", roleNames: ["shared"] }],
		});
		expectStatus(await api.post(`${ROLE}/delete`, { name: "shared", tenantId: "t1" }), 200);
		expect(roleKeys(await allRoles(api))).toEqual(["shared", "shared@t2"]);
		const alice = await loadUser(api, "alice");
		expect(alice.roleNames).toEqual(["shared"]);
		expect(alice.userTenants[0].roleNames).toEqual([]);
		expectStatus(await api.post(`${ROLE}/delete`, { name: "shared" }), 200);
		expect(roleKeys(await allRoles(api))).toEqual(["shared@t2"]);
		expect((await loadUser(api, "alice")).roleNames).toEqual([]);
	});

	it("needs a name or an id", async () => {
		const api = await setup();
		expectDescopeError(await api.post(`${ROLE}/delete`, {}), 400, "E011004", "name");
	});

	it("cannot delete another project's role", async () => {
		const a = await setup();
		const b = mgmt(await newProject());
		const role = await createRole(a, { name: "editor" });
		await b.post(`${ROLE}/delete`, { id: role.id });
		await b.post(`${ROLE}/delete`, { name: "editor" });
		expect(await allRoles(a)).toEqual([role]);
	});
});

describe("role batches", () => {
	it("creates roles in one batch and answers {roles}", async () => {
		const api = await setup();
		const body = expectStatus(
			await api.post(`${ROLE}/create/batch`, {
				roles: [
					{ name: "b", permissionNames: ["read"] },
					{ name: "a", description: "A" },
					{ name: "a", tenantId: "t1" },
				],
			}),
			200,
		);
		expect(Object.keys(body)).toEqual(["roles"]);
		expect(body.roles).toHaveLength(3);
		expect(body.roles).toEqual(
			expect.arrayContaining([
				wireRole({ name: "b", permissionNames: ["read"] }),
				wireRole({ name: "a", description: "A" }),
				wireRole({ name: "a", tenantId: "t1" }),
			]),
		);
		expect(roleKeys(await allRoles(api))).toEqual(["a", "a@t1", "b"]);
	});

	it.each([
		[[{ name: "x" }, { name: "x" }], 409, "E011409"],
		[[{ name: "x" }, { name: "existing" }], 409, "E011409"],
		[[{ name: "x" }, { name: "y", permissionNames: ["ghost"] }], 400, "E011004"],
		[[{ name: "x" }, { name: "y", tenantId: "nope" }], 400, "E011004"],
		[[{ name: "x" }, {}], 400, "E011002"],
	])("create batch %j is all or nothing (%i %s)", async (roles, status, code) => {
		const api = await setup();
		await createRole(api, { name: "existing" });
		expectDescopeError(await api.post(`${ROLE}/create/batch`, { roles }), status, code);
		expect(roleKeys(await allRoles(api))).toEqual(["existing"]);
	});

	it("updates roles in one batch (by name and by id) and answers {roles}", async () => {
		const api = await setup();
		const a = await createRole(api, { name: "a" });
		await createRole(api, { name: "b", tenantId: "t1" });
		const body = expectStatus(
			await api.post(`${ROLE}/update/batch`, {
				roles: [
					{ id: a.id, newName: "a2", permissionNames: ["read"] },
					{ name: "b", tenantId: "t1", newName: "b2", description: "B" },
				],
			}),
			200,
		);
		expect(body.roles).toHaveLength(2);
		expect(body.roles).toEqual(
			expect.arrayContaining([
				wireRole({ id: a.id, name: "a2", permissionNames: ["read"] }),
				wireRole({ name: "b2", tenantId: "t1", description: "B" }),
			]),
		);
		expect(roleKeys(await allRoles(api))).toEqual(["a2", "b2@t1"]);
	});

	it("an update batch with one unknown role changes nothing", async () => {
		const api = await setup();
		await createRole(api, { name: "a" });
		expectDescopeError(
			await api.post(`${ROLE}/update/batch`, {
				roles: [
					{ name: "a", newName: "a2" },
					{ name: "ghost", newName: "g" },
				],
			}),
			404,
			"E011404",
		);
		expect(roleKeys(await allRoles(api))).toEqual(["a"]);
	});

	it("deletes by names (within tenantId's scope) and ids in one batch", async () => {
		const api = await setup();
		await createRole(api, { name: "a" });
		await createRole(api, { name: "b" });
		await createRole(api, { name: "a", tenantId: "t1" });
		await createRole(api, { name: "b", tenantId: "t1" });
		const c = await createRole(api, { name: "c", tenantId: "t2" });
		expect(
			expectStatus(
				await api.post(`${ROLE}/delete/batch`, { roleNames: ["a", "b"], tenantId: "t1", roleIds: [c.id] }),
				200,
			),
		).toEqual({});
		expect(roleKeys(await allRoles(api))).toEqual(["a", "b"]);
		expectStatus(await api.post(`${ROLE}/delete/batch`, { roleNames: ["a", "b"] }), 200);
		expect(await allRoles(api)).toEqual([]);
	});
});

describe("GET /v1/mgmt/role/all and POST /v1/mgmt/role/search", () => {
	async function seeded() {
		const api = await setup();
		expectStatus(
			await api.post(`${ROLE}/create/batch`, {
				roles: [
					{ name: "admin", permissionNames: ["admin", "read", "write"] },
					{ name: "viewer", permissionNames: ["read"] },
					{ name: "super_user" },
					{ name: "t1-editor", tenantId: "t1", permissionNames: ["write"] },
					{ name: "viewer", tenantId: "t1", permissionNames: ["read"] },
					{ name: "t2-admin", tenantId: "t2", permissionNames: ["admin"] },
				],
			}),
			200,
		);
		return api;
	}
	const found = async (api: Mgmt, body: Record<string, unknown>) =>
		roleKeys(expectStatus(await api.post(`${ROLE}/search`, body), 200).roles);

	it("loads every role, project and tenant, and {roles: []} for none", async () => {
		const empty = mgmt(await newProject());
		expect(expectStatus(await empty.get(`${ROLE}/all`), 200)).toEqual({ roles: [] });
		const api = await seeded();
		const roles = await allRoles(api);
		expect(roleKeys(roles)).toEqual([
			"admin",
			"super_user",
			"t1-editor@t1",
			"t2-admin@t2",
			"viewer",
			"viewer@t1",
		]);
		expect(roles.find((r) => r.name === "admin")).toEqual(
			wireRole({ name: "admin", permissionNames: ["admin", "read", "write"] }),
		);
	});

	it("returns every role for an empty search", async () => {
		const api = await seeded();
		expect(await found(api, {})).toEqual(roleKeys(await allRoles(api)));
	});

	it("filters by tenantIds, with or without the project roles", async () => {
		const api = await seeded();
		expect(await found(api, { tenantIds: ["t1"] })).toEqual(["t1-editor@t1", "viewer@t1"]);
		expect(await found(api, { tenantIds: ["t1", "t2"] })).toEqual([
			"t1-editor@t1",
			"t2-admin@t2",
			"viewer@t1",
		]);
		expect(await found(api, { tenantIds: ["t1"], includeProjectRoles: true })).toEqual([
			"admin",
			"super_user",
			"t1-editor@t1",
			"viewer",
			"viewer@t1",
		]);
	});

	it("filters by roleNames (exact)", async () => {
		const api = await seeded();
		expect(await found(api, { roleNames: ["viewer", "admin"] })).toEqual(["admin", "viewer", "viewer@t1"]);
		expect(await found(api, { roleNames: ["view"] })).toEqual([]);
	});

	it("filters by roleNameLike (substring; % and _ are literal)", async () => {
		const api = await seeded();
		expect(await found(api, { roleNameLike: "admin" })).toEqual(["admin", "t2-admin@t2"]);
		expect(await found(api, { roleNameLike: "_" })).toEqual(["super_user"]);
		expect(await found(api, { roleNameLike: "%" })).toEqual([]);
	});

	it("filters by permissionNames (any of them)", async () => {
		const api = await seeded();
		expect(await found(api, { permissionNames: ["write"] })).toEqual(["admin", "t1-editor@t1"]);
		expect(await found(api, { permissionNames: ["admin", "read"] })).toEqual([
			"admin",
			"t2-admin@t2",
			"viewer",
			"viewer@t1",
		]);
	});

	it("combines filters with AND and never sees another project's roles", async () => {
		const api = await seeded();
		expect(await found(api, { tenantIds: ["t1"], permissionNames: ["read"] })).toEqual(["viewer@t1"]);
		const other = mgmt(await newProject());
		expect(await found(other, {})).toEqual([]);
		expect(await found(other, { roleNames: ["admin"] })).toEqual([]);
	});
});

describe("permissions", () => {
	it("creates permissions; load all answers {name, description, systemDefault: false}", async () => {
		const api = mgmt(await newProject());
		expect(expectStatus(await api.get(`${PERMISSION}/all`), 200)).toEqual({ permissions: [] });
		expect(
			expectStatus(
				await api.post(`${PERMISSION}/create`, { name: "write", description: "Write things" }),
				200,
			),
		).toEqual({});
		expectStatus(await api.post(`${PERMISSION}/create`, { name: "read" }), 200);
		expect(expectStatus(await api.get(`${PERMISSION}/all`), 200)).toEqual({
			permissions: [
				{ name: "read", description: "", systemDefault: false },
				{ name: "write", description: "Write things", systemDefault: false },
			],
		});
	});

	it("refuses a duplicate name (409) and a missing name (400)", async () => {
		const api = mgmt(await newProject());
		await createPermissions(api, "read");
		expectDescopeError(await api.post(`${PERMISSION}/create`, { name: "read" }), 409, "E011409");
		expectDescopeError(await api.post(`${PERMISSION}/create`, {}), 400, "E011002", "name");
		expectDescopeError(await api.post(`${PERMISSION}/create`, { name: "" }), 400, "E011002", "name");
		expect(await permissionNames(api)).toEqual(["read"]);
	});

	it("renames a permission; roles and users see the new name; absent description is cleared", async () => {
		const api = await setup();
		expectStatus(
			await api.post(`${PERMISSION}/update`, { name: "read", newName: "read", description: "R" }),
			200,
		);
		await createRole(api, { name: "viewer", permissionNames: ["read", "write"] });
		await createUser(api, {
			loginId: "alice",
			roleNames: ["viewer"],
			userTenants: [{ tenantId: "t1", roleNames: ["viewer"] }],
		});
		expect(
			expectStatus(await api.post(`${PERMISSION}/update`, { name: "read", newName: "view" }), 200),
		).toEqual({});
		expect((await allPermissions(api)).find((p) => p.name === "view")).toEqual({
			name: "view",
			description: "",
			systemDefault: false,
		});
		expect((await allRoles(api))[0].permissionNames).toEqual(["view", "write"]);
		const alice = await loadUser(api, "alice");
		expect(alice.permissions).toEqual(["view", "write"]);
		expect(alice.userTenants[0].permissions).toEqual(["view", "write"]);
	});

	it("refuses a rename onto an existing name (409) and an unknown permission (404)", async () => {
		const api = await setup();
		expectDescopeError(
			await api.post(`${PERMISSION}/update`, { name: "read", newName: "write" }),
			409,
			"E011409",
		);
		expectDescopeError(
			await api.post(`${PERMISSION}/update`, { name: "ghost", newName: "x" }),
			404,
			"E011404",
		);
		expectDescopeError(await api.post(`${PERMISSION}/update`, { name: "read" }), 400, "E011002", "newName");
		expectDescopeError(await api.post(`${PERMISSION}/update`, { newName: "x" }), 400, "E011004", "name");
		expect(await permissionNames(api)).toEqual(["admin", "read", "write"]);
	});

	it("deleting a permission removes it from every role and from users' derived permissions", async () => {
		const api = await setup();
		await createRole(api, { name: "editor", permissionNames: ["read", "write"] });
		await createRole(api, { name: "local", tenantId: "t1", permissionNames: ["write", "admin"] });
		await createUser(api, {
			loginId: "alice",
			roleNames: ["editor"],
			userTenants: [{ tenantId: "t1", roleNames: ["local"] }],
		});
		expect(expectStatus(await api.post(`${PERMISSION}/delete`, { name: "write" }), 200)).toEqual({});
		expect(await permissionNames(api)).toEqual(["admin", "read"]);
		const roles = await allRoles(api);
		expect(roles.map((r) => [r.name, r.permissionNames])).toEqual([
			["editor", ["read"]],
			["local", ["admin"]],
		]);
		const alice = await loadUser(api, "alice");
		expect(alice.permissions).toEqual(["read"]);
		expect(alice.userTenants[0].permissions).toEqual(["admin"]);
		expect(alice.roleNames).toEqual(["editor"]);
	});

	it("creates, updates and deletes in batches", async () => {
		const api = mgmt(await newProject());
		expect(
			expectStatus(
				await api.post(`${PERMISSION}/create/batch`, {
					permissions: [{ name: "a", description: "A" }, { name: "b" }, { name: "c" }],
				}),
				200,
			),
		).toEqual({});
		expect(
			expectStatus(
				await api.post(`${PERMISSION}/update/batch`, {
					permissions: [
						{ name: "a", newName: "a2", description: "A2" },
						{ name: "b", newName: "b2" },
					],
				}),
				200,
			),
		).toEqual({});
		expect(await allPermissions(api)).toEqual([
			{ name: "a2", description: "A2", systemDefault: false },
			{ name: "b2", description: "", systemDefault: false },
			{ name: "c", description: "", systemDefault: false },
		]);
		expect(expectStatus(await api.post(`${PERMISSION}/delete/batch`, { names: ["a2", "c"] }), 200)).toEqual(
			{},
		);
		expect(await permissionNames(api)).toEqual(["b2"]);
	});

	it.each([
		[[{ name: "x" }, { name: "x" }], 400, "E011004"],
		[[{ name: "x" }, { name: "existing" }], 409, "E011409"],
		[[{ name: "x" }, { description: "no name" }], 400, "E011002"],
	])("a create batch %j is all or nothing (%i %s)", async (permissions, status, code) => {
		const api = mgmt(await newProject());
		await createPermissions(api, "existing");
		expectDescopeError(await api.post(`${PERMISSION}/create/batch`, { permissions }), status, code);
		expect(await permissionNames(api)).toEqual(["existing"]);
	});

	it("an update batch with one unknown permission changes nothing", async () => {
		const api = mgmt(await newProject());
		await createPermissions(api, "a");
		expectDescopeError(
			await api.post(`${PERMISSION}/update/batch`, {
				permissions: [
					{ name: "a", newName: "a2" },
					{ name: "ghost", newName: "g" },
				],
			}),
			404,
			"E011404",
		);
		expect(await permissionNames(api)).toEqual(["a"]);
	});

	it("projects do not share permissions", async () => {
		const a = await setup();
		const b = mgmt(await newProject());
		await createPermissions(b, "read");
		expectStatus(await b.post(`${PERMISSION}/delete`, { name: "write" }), 200);
		expectDescopeError(await b.post(`${PERMISSION}/update`, { name: "admin", newName: "x" }), 404, "E011404");
		expect(await permissionNames(a)).toEqual(["admin", "read", "write"]);
		expect(await permissionNames(b)).toEqual(["read"]);
	});
});
