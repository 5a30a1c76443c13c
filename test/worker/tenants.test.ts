// Descope tenants (`management.tenant`): create, update, delete, load, load all, search, parent/child,
// default roles and settings.
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

const CREATE = "/v1/mgmt/tenant/create";
const UPDATE = "/v1/mgmt/tenant/update";
const DELETE = "/v1/mgmt/tenant/delete";
const SEARCH = "/v1/mgmt/tenant/search";
const DEFAULT_ROLES = "/v1/mgmt/tenant/updateDefaultRoles";
const SETTINGS = "/v1/mgmt/tenant/settings";

/** The exact Tenant object of §4.1 with Roster's defaults; `overrides` replace them. */
function wireTenant(overrides: Record<string, unknown> = {}) {
	return {
		id: expect.any(String),
		name: expect.any(String),
		selfProvisioningDomains: [],
		customAttributes: {},
		authType: "none",
		domains: [],
		createdTime: expect.any(Number),
		disabled: false,
		enforceSSO: false,
		enforceSSOExclusions: [],
		federatedAppIds: [],
		parent: "",
		successors: [],
		defaultRoles: [],
		roleInheritance: "",
		...overrides,
	};
}

async function createTenant(api: Mgmt, body: Record<string, unknown>): Promise<string> {
	return expectStatus(await api.post(CREATE, body), 200).id;
}

const loadRes = (api: Mgmt, id: string) => api.get(`/v1/mgmt/tenant?id=${encodeURIComponent(id)}`);
const loadTenant = async (api: Mgmt, id: string) => expectStatus(await loadRes(api, id), 200);
const allTenants = async (api: Mgmt) =>
	expectStatus(await api.get("/v1/mgmt/tenant/all"), 200).tenants as any[];
const searchIds = async (api: Mgmt, body: Record<string, unknown>) =>
	(expectStatus(await api.post(SEARCH, body), 200).tenants as any[]).map((t) => t.id);

async function newApi() {
	return mgmt(await newProject());
}

describe("POST /v1/mgmt/tenant/create", () => {
	it("generates a T-prefixed 28-character id when none is given, and answers only {id}", async () => {
		const api = await newApi();
		const body = expectStatus(await api.post(CREATE, { name: "Acme" }), 200);
		expect(Object.keys(body)).toEqual(["id"]);
		expect(body.id).toMatch(/^T[0-9A-Za-z]{27}$/);
		expect(await loadTenant(api, body.id)).toEqual(wireTenant({ id: body.id, name: "Acme" }));
	});

	it("keeps the caller's id (createWithId)", async () => {
		const api = await newApi();
		expect(expectStatus(await api.post(CREATE, { id: "acme", name: "Acme" }), 200)).toEqual({ id: "acme" });
		expect((await loadTenant(api, "acme")).name).toBe("Acme");
	});

	it("stores every field given; domains are lower-cased", async () => {
		const api = await newApi();
		const id = await createTenant(api, {
			id: "t1",
			name: "Acme",
			selfProvisioningDomains: ["Acme.COM", "acme.io"],
			customAttributes: { tier: "gold", seats: 5, beta: true, tags: ["a", "b"] },
			enforceSSO: true,
			disabled: true,
			roleInheritance: "userOnly",
		});
		expect(await loadTenant(api, id)).toEqual(
			wireTenant({
				id: "t1",
				name: "Acme",
				selfProvisioningDomains: ["acme.com", "acme.io"],
				customAttributes: { tier: "gold", seats: 5, beta: true, tags: ["a", "b"] },
				enforceSSO: true,
				disabled: true,
				roleInheritance: "userOnly",
			}),
		);
	});

	it("treats null optional fields (as the SDK may send) as absent", async () => {
		const api = await newApi();
		const id = await createTenant(api, {
			name: "Acme",
			selfProvisioningDomains: null,
			customAttributes: null,
			enforceSSO: null,
			disabled: null,
			parent: null,
			roleInheritance: null,
		});
		expect(await loadTenant(api, id)).toEqual(wireTenant({ id, name: "Acme" }));
	});

	it("refuses a duplicate id with 409 and leaves the first tenant as it was", async () => {
		const api = await newApi();
		await createTenant(api, { id: "acme", name: "Acme" });
		expectDescopeError(await api.post(CREATE, { id: "acme", name: "Other" }), 409, "E011409");
		expect(await allTenants(api)).toEqual([wireTenant({ id: "acme", name: "Acme" })]);
	});

	it("refuses a duplicate name, case-insensitively, with 409", async () => {
		const api = await newApi();
		await createTenant(api, { name: "Acme" });
		expectDescopeError(await api.post(CREATE, { name: "ACME" }), 409, "E011409", "name");
		expectDescopeError(await api.post(CREATE, { id: "x", name: "acme" }), 409, "E011409", "name");
		expect(await allTenants(api)).toHaveLength(1);
	});

	it("lets two projects use the same tenant id and name", async () => {
		const a = await newApi();
		const b = await newApi();
		await createTenant(a, { id: "acme", name: "Acme" });
		await createTenant(b, { id: "acme", name: "Acme" });
		await createTenant(b, { id: "only-b", name: "B" });
		expect((await allTenants(a)).map((t) => t.id)).toEqual(["acme"]);
		expectDescopeError(await loadRes(a, "only-b"), 404, "E011404");
	});

	it.each([
		[{}, 400, "E011002", "name"],
		[{ name: "   " }, 400, "E011002", "name"],
		[{ name: 42 }, 400, "E011004", "name"],
		[{ name: "A", selfProvisioningDomains: ["not a domain"] }, 400, "E011004", "selfProvisioningDomains"],
		[
			{ name: "A", selfProvisioningDomains: ["ok.com", "nodot"] },
			400,
			"E011004",
			"selfProvisioningDomains[1]",
		],
		[{ name: "A", selfProvisioningDomains: "acme.com" }, 400, "E011004", "selfProvisioningDomains"],
		[{ name: "A", customAttributes: { nested: { a: 1 } } }, 400, "E011004", "customAttributes.nested"],
		[{ name: "A", customAttributes: { nums: [1, 2] } }, 400, "E011004", "customAttributes.nums"],
		[{ name: "A", customAttributes: "x" }, 400, "E011004", "customAttributes"],
		[{ name: "A", roleInheritance: "everything" }, 400, "E011004", "roleInheritance"],
		[{ name: "A", enforceSSO: "yes" }, 400, "E011004", "enforceSSO"],
		[{ id: "has space", name: "A" }, 400, "E011004", "id"],
		[{ id: "x".repeat(101), name: "A" }, 400, "E011004", "id"],
	])("rejects %j with %i %s naming %s, creating nothing", async (body, status, code, field) => {
		const api = await newApi();
		expectDescopeError(await api.post(CREATE, body), status, code, field);
		expect(await allTenants(api)).toEqual([]);
	});

	// An unknown parent is bad input (400 naming `parent`), as every other unknown reference in a body is.
	it("rejects a parent that does not exist with 400 naming `parent`, creating nothing", async () => {
		const api = await newApi();
		expectDescopeError(await api.post(CREATE, { name: "Child", parent: "nope" }), 400, "E011004", "parent");
		expect(await allTenants(api)).toEqual([]);
	});
});

describe("POST /v1/mgmt/tenant/update (overwrite)", () => {
	const FULL = {
		id: "t1",
		name: "Acme",
		selfProvisioningDomains: ["acme.com"],
		customAttributes: { tier: "gold" },
		enforceSSO: true,
		disabled: true,
		roleInheritance: "none",
	};

	it("clears every field absent from the body; id, parent, createdTime, default roles stay", async () => {
		const api = await newApi();
		await createTenant(api, { id: "root", name: "Root" });
		await createTenant(api, { ...FULL, parent: "root" });
		expectStatus(await api.post("/v1/mgmt/role/create", { name: "member" }), 200);
		expectStatus(await api.post(DEFAULT_ROLES, { id: "t1", defaultRoles: ["member"] }), 200);
		const before = await loadTenant(api, "t1");
		expect(expectStatus(await api.post(UPDATE, { id: "t1", name: "Acme 2" }), 200)).toEqual({});
		expect(await loadTenant(api, "t1")).toEqual(
			wireTenant({
				id: "t1",
				name: "Acme 2",
				parent: "root",
				defaultRoles: ["member"],
				createdTime: before.createdTime,
			}),
		);
	});

	it("sets every field given", async () => {
		const api = await newApi();
		await createTenant(api, { id: "t1", name: "Acme" });
		const { id: _id, ...fields } = FULL;
		expectStatus(await api.post(UPDATE, { ...fields, id: "t1", name: "Acme Inc" }), 200);
		expect(await loadTenant(api, "t1")).toEqual(wireTenant({ ...FULL, name: "Acme Inc" }));
	});

	it("lets a tenant change the case of its own name but not take another's name", async () => {
		const api = await newApi();
		await createTenant(api, { id: "a", name: "Acme" });
		await createTenant(api, { id: "b", name: "Beta" });
		expectStatus(await api.post(UPDATE, { id: "a", name: "ACME" }), 200);
		expectDescopeError(await api.post(UPDATE, { id: "b", name: "acme" }), 409, "E011409", "name");
		expect((await loadTenant(api, "b")).name).toBe("Beta");
	});

	it("answers 404 for an unknown tenant and 400 for a missing name", async () => {
		const api = await newApi();
		await createTenant(api, { id: "a", name: "Acme", customAttributes: { k: "v" } });
		expectDescopeError(await api.post(UPDATE, { id: "nope", name: "X" }), 404, "E011404");
		expectDescopeError(await api.post(UPDATE, { id: "a" }), 400, "E011002", "name");
		expectDescopeError(
			await api.post(UPDATE, { id: "a", name: "A", selfProvisioningDomains: ["bad domain"] }),
			400,
			"E011004",
			"selfProvisioningDomains",
		);
		expect(await loadTenant(api, "a")).toEqual(
			wireTenant({ id: "a", name: "Acme", customAttributes: { k: "v" } }),
		);
	});

	it("cannot touch another project's tenant", async () => {
		const a = await newApi();
		const b = await newApi();
		await createTenant(a, { id: "acme", name: "Acme" });
		expectDescopeError(await b.post(UPDATE, { id: "acme", name: "Hijacked" }), 404, "E011404");
		expect((await loadTenant(a, "acme")).name).toBe("Acme");
	});
});

describe("POST /v1/mgmt/tenant/delete", () => {
	it("deletes a tenant without members, without cascade", async () => {
		const api = await newApi();
		await createTenant(api, { id: "t1", name: "Acme" });
		expect(expectStatus(await api.post(DELETE, { id: "t1" }), 200)).toEqual({});
		expectDescopeError(await loadRes(api, "t1"), 404, "E011404");
		// The name is free again.
		await createTenant(api, { id: "t2", name: "Acme" });
	});

	it("refuses (409 E011409) to delete a tenant with members unless cascade, changing nothing", async () => {
		const api = await newApi();
		await createTenant(api, { id: "t1", name: "Acme" });
		await createUser(api, { loginId: "alice", userTenants: [{ tenantId: "t1" }] });
		for (const cascade of [undefined, false, null]) {
			expectDescopeError(await api.post(DELETE, { id: "t1", cascade }), 409, "E011409");
		}
		await loadTenant(api, "t1");
		expect((await loadUser(api, "alice")).userTenants.map((t: any) => t.tenantId)).toEqual(["t1"]);
	});

	it("with cascade removes memberships, the roles held there and tenant roles; children are detached", async () => {
		const api = await newApi();
		await createTenant(api, { id: "t1", name: "Acme" });
		await createTenant(api, { id: "t2", name: "Beta" });
		await createTenant(api, { id: "child", name: "Child", parent: "t1" });
		expectStatus(
			await api.post("/v1/mgmt/role/create/batch", {
				roles: [{ name: "admin" }, { name: "local", tenantId: "t1" }, { name: "local", tenantId: "t2" }],
			}),
			200,
		);
		await createUser(api, {
			loginId: "alice",
			roleNames: ["admin"],
			userTenants: [
				{ tenantId: "t1", roleNames: ["local", "admin"] },
				{ tenantId: "t2", roleNames: ["local"] },
			],
		});
		await createUser(api, { loginId: "bob", userTenants: [{ tenantId: "t1", roleNames: ["local"] }] });

		expect(expectStatus(await api.post(DELETE, { id: "t1", cascade: true }), 200)).toEqual({});

		expectDescopeError(await loadRes(api, "t1"), 404, "E011404");
		const alice = await loadUser(api, "alice");
		expect(alice.roleNames).toEqual(["admin"]);
		expect(alice.userTenants).toEqual([
			{ tenantId: "t2", tenantName: "Beta", roleNames: ["local"], permissions: [] },
		]);
		expect((await loadUser(api, "bob")).userTenants).toEqual([]);
		const roles = expectStatus(await api.get("/v1/mgmt/role/all"), 200).roles as any[];
		expect(roles.map((r) => [r.name, r.tenantId])).toEqual([
			["admin", ""],
			["local", "t2"],
		]);
		expect(await loadTenant(api, "child")).toEqual(wireTenant({ id: "child", name: "Child", parent: "" }));
		const found = expectStatus(await api.post("/v2/mgmt/user/search", { tenantIds: ["t1"] }), 200);
		expect(found.total).toBe(0);
		// A new tenant with the same id starts empty: no role or member comes back.
		await createTenant(api, { id: "t1", name: "Acme" });
		expect((await loadUser(api, "bob")).userTenants).toEqual([]);
		expect((await loadTenant(api, "t1")).defaultRoles).toEqual([]);
	});

	it("answers 404 for an unknown tenant, and for another project's tenant", async () => {
		const a = await newApi();
		const b = await newApi();
		await createTenant(a, { id: "acme", name: "Acme" });
		expectDescopeError(await a.post(DELETE, { id: "nope" }), 404, "E011404");
		expectDescopeError(await b.post(DELETE, { id: "acme", cascade: true }), 404, "E011404");
		await loadTenant(a, "acme");
	});
});

describe("GET /v1/mgmt/tenant and /v1/mgmt/tenant/all", () => {
	it("returns the tenant object at the root of the body, with every §4.1 field", async () => {
		const api = await newApi();
		await createTenant(api, { id: "t1", name: "Acme" });
		const res = await loadRes(api, "t1");
		const body = expectStatus(res, 200);
		expect(Object.keys(body).sort()).toEqual(Object.keys(wireTenant()).sort());
		expect(body).toEqual(wireTenant({ id: "t1", name: "Acme" }));
		expect(Number.isInteger(body.createdTime)).toBe(true);
		expect(Math.abs(body.createdTime - Date.now() / 1000), "createdTime is Unix seconds").toBeLessThan(600);
	});

	it("answers 404 E011404 for an unknown id and 400 without an id", async () => {
		const api = await newApi();
		expectDescopeError(await loadRes(api, "nope"), 404, "E011404");
		expectDescopeError(await api.get("/v1/mgmt/tenant"), 400, "E011002", "id");
	});

	it("loads all tenants in creation order, and {tenants: []} for none", async () => {
		const api = await newApi();
		expect(expectStatus(await api.get("/v1/mgmt/tenant/all"), 200)).toEqual({ tenants: [] });
		await createTenant(api, { id: "b", name: "B" });
		await createTenant(api, { id: "a", name: "A", selfProvisioningDomains: ["a.com"] });
		expect(await allTenants(api)).toEqual([
			wireTenant({ id: "b", name: "B" }),
			wireTenant({ id: "a", name: "A", selfProvisioningDomains: ["a.com"] }),
		]);
	});
});

describe("POST /v1/mgmt/tenant/search", () => {
	async function seeded() {
		const api = await newApi();
		await createTenant(api, {
			id: "acme",
			name: "Acme",
			selfProvisioningDomains: ["acme.com"],
			customAttributes: { tier: "gold", seats: 10, beta: true },
		});
		await createTenant(api, {
			id: "beta",
			name: "Beta Corp",
			selfProvisioningDomains: ["beta.io", "beta.com"],
			customAttributes: { tier: "silver", seats: 5, beta: false },
			parent: "acme",
		});
		await createTenant(api, { id: "gamma", name: "Gamma", parent: "acme" });
		await createTenant(api, { id: "delta", name: "Delta", parent: "beta" });
		return api;
	}

	it("returns every tenant for an empty body", async () => {
		const api = await seeded();
		expect(await searchIds(api, {})).toEqual(["acme", "beta", "gamma", "delta"]);
	});

	it("filters by ids", async () => {
		const api = await seeded();
		expect(await searchIds(api, { tenantIds: ["gamma", "acme", "nope"] })).toEqual(["acme", "gamma"]);
	});

	it("filters by names, case-insensitively", async () => {
		const api = await seeded();
		expect(await searchIds(api, { tenantNames: ["BETA corp", "gamma"] })).toEqual(["beta", "gamma"]);
		expect(await searchIds(api, { tenantNames: ["Beta"] })).toEqual([]);
	});

	it("filters by self-provisioning domains", async () => {
		const api = await seeded();
		expect(await searchIds(api, { tenantSelfProvisioningDomains: ["beta.com"] })).toEqual(["beta"]);
		expect(await searchIds(api, { tenantSelfProvisioningDomains: ["ACME.com", "beta.io"] })).toEqual([
			"acme",
			"beta",
		]);
	});

	it("filters by custom attributes (string, number, boolean, list of acceptable values)", async () => {
		const api = await seeded();
		expect(await searchIds(api, { customAttributes: { tier: "gold" } })).toEqual(["acme"]);
		expect(await searchIds(api, { customAttributes: { seats: 5 } })).toEqual(["beta"]);
		expect(await searchIds(api, { customAttributes: { beta: false } })).toEqual(["beta"]);
		expect(await searchIds(api, { customAttributes: { tier: ["gold", "silver"] } })).toEqual([
			"acme",
			"beta",
		]);
		expect(await searchIds(api, { customAttributes: { tier: "gold", seats: 5 } })).toEqual([]);
	});

	it("filters by parent tenant id", async () => {
		const api = await seeded();
		expect(await searchIds(api, { parentTenantId: "acme" })).toEqual(["beta", "gamma"]);
		expect(await searchIds(api, { parentTenantId: "beta" })).toEqual(["delta"]);
	});

	it("combines filters with AND and never sees another project's tenants", async () => {
		const api = await seeded();
		expect(await searchIds(api, { parentTenantId: "acme", tenantNames: ["gamma", "acme"] })).toEqual([
			"gamma",
		]);
		const other = await newApi();
		expect(await searchIds(other, { tenantIds: ["acme"] })).toEqual([]);
		expect(await searchIds(other, {})).toEqual([]);
	});

	// Each custom attribute binds its own SQL parameters and D1 allows 100 per statement: never a 500.
	it("filters by 60 custom attributes at once without a 500", async () => {
		const api = await seeded();
		const customAttributes = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, "v"]));
		const res = await api.post(SEARCH, { customAttributes: { ...customAttributes, tier: "gold" } });
		expect([200, 400], JSON.stringify(res.body)).toContain(res.status);
		if (res.status === 200) expect(res.body.tenants).toEqual([]);
		else expectDescopeError(res, 400, "E011004", "customAttributes");
	});

	it("returns full tenant objects", async () => {
		const api = await seeded();
		const body = expectStatus(await api.post(SEARCH, { tenantIds: ["acme"] }), 200);
		expect(body).toEqual({
			tenants: [
				wireTenant({
					id: "acme",
					name: "Acme",
					selfProvisioningDomains: ["acme.com"],
					customAttributes: { tier: "gold", seats: 10, beta: true },
					successors: ["beta", "gamma"],
				}),
			],
		});
	});
});

describe("parent and child tenants", () => {
	it("shows the parent on the child and the children as the parent's successors", async () => {
		const api = await newApi();
		await createTenant(api, { id: "root", name: "Root" });
		const generated = await createTenant(api, { name: "Kid", parent: "root" });
		await createTenant(api, { id: "a-kid", name: "A kid", parent: "root" });
		await createTenant(api, { id: "grandkid", name: "Grandkid", parent: "a-kid" });
		expect((await loadTenant(api, "root")).successors).toEqual(["a-kid", generated].sort());
		expect(await loadTenant(api, generated)).toEqual(
			wireTenant({ id: generated, name: "Kid", parent: "root" }),
		);
		expect(await loadTenant(api, "a-kid")).toEqual(
			wireTenant({ id: "a-kid", name: "A kid", parent: "root", successors: ["grandkid"] }),
		);
	});

	it("deleting a childless child removes it from the parent's successors", async () => {
		const api = await newApi();
		await createTenant(api, { id: "root", name: "Root" });
		await createTenant(api, { id: "kid", name: "Kid", parent: "root" });
		expectStatus(await api.post(DELETE, { id: "kid" }), 200);
		expect((await loadTenant(api, "root")).successors).toEqual([]);
	});

	it("cannot use another project's tenant as a parent", async () => {
		const a = await newApi();
		const b = await newApi();
		await createTenant(a, { id: "root", name: "Root" });
		const res = await b.post(CREATE, { name: "Kid", parent: "root" });
		expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
		expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
		expect(await allTenants(b)).toEqual([]);
		expect((await loadTenant(a, "root")).successors).toEqual([]);
	});
});

describe("POST /v1/mgmt/tenant/updateDefaultRoles", () => {
	async function withRoles() {
		const api = await newApi();
		await createTenant(api, { id: "t1", name: "Acme" });
		await createTenant(api, { id: "t2", name: "Beta" });
		expectStatus(
			await api.post("/v1/mgmt/role/create/batch", {
				roles: [
					{ name: "viewer" },
					{ name: "editor" },
					{ name: "local", tenantId: "t1" },
					{ name: "other", tenantId: "t2" },
				],
			}),
			200,
		);
		return api;
	}

	it("replaces the tenant's default roles (project roles and its own roles)", async () => {
		const api = await withRoles();
		expect(
			expectStatus(await api.post(DEFAULT_ROLES, { id: "t1", defaultRoles: ["viewer", "local"] }), 200),
		).toEqual({});
		expect((await loadTenant(api, "t1")).defaultRoles).toEqual(["local", "viewer"]);
		expectStatus(await api.post(DEFAULT_ROLES, { id: "t1", defaultRoles: ["editor"] }), 200);
		expect((await loadTenant(api, "t1")).defaultRoles).toEqual(["editor"]);
		expectStatus(await api.post(DEFAULT_ROLES, { id: "t1", defaultRoles: [] }), 200);
		expect((await loadTenant(api, "t1")).defaultRoles).toEqual([]);
		expect((await loadTenant(api, "t2")).defaultRoles).toEqual([]);
	});

	it("gives the default roles to new members", async () => {
		const api = await withRoles();
		expectStatus(await api.post(DEFAULT_ROLES, { id: "t1", defaultRoles: ["viewer", "local"] }), 200);
		const user = await createUser(api, { loginId: "alice", userTenants: [{ tenantId: "t1" }] });
		expect(user.userTenants).toEqual([
			{ tenantId: "t1", tenantName: "Acme", roleNames: ["local", "viewer"], permissions: [] },
		]);
	});

	it("rejects an unknown role, or another tenant's role, with 400 naming it; defaults unchanged", async () => {
		const api = await withRoles();
		expectStatus(await api.post(DEFAULT_ROLES, { id: "t1", defaultRoles: ["viewer"] }), 200);
		expectDescopeError(
			await api.post(DEFAULT_ROLES, { id: "t1", defaultRoles: ["editor", "ghost"] }),
			400,
			"E011004",
			"defaultRoles[1]",
		);
		expectDescopeError(
			await api.post(DEFAULT_ROLES, { id: "t1", defaultRoles: ["other"] }),
			400,
			"E011004",
			"defaultRoles[0]",
		);
		expect((await loadTenant(api, "t1")).defaultRoles).toEqual(["viewer"]);
	});

	it("answers 404 for an unknown tenant and 400 without defaultRoles", async () => {
		const api = await withRoles();
		expectDescopeError(
			await api.post(DEFAULT_ROLES, { id: "nope", defaultRoles: ["viewer"] }),
			404,
			"E011404",
		);
		expectDescopeError(await api.post(DEFAULT_ROLES, { id: "t1" }), 400, "E011002", "defaultRoles");
	});

	it("a deleted role leaves the defaults", async () => {
		const api = await withRoles();
		expectStatus(await api.post(DEFAULT_ROLES, { id: "t1", defaultRoles: ["viewer", "editor"] }), 200);
		expectStatus(await api.post("/v1/mgmt/role/delete", { name: "viewer" }), 200);
		expect((await loadTenant(api, "t1")).defaultRoles).toEqual(["editor"]);
	});
});

describe("tenant settings", () => {
	const SETTINGS_BODY = {
		domains: ["sso.acme.com"],
		authType: "saml",
		enabled: true,
		sessionTokenExpiration: 30,
		sessionTokenExpirationUnit: "minutes",
		refreshTokenExpiration: 4,
		refreshTokenExpirationUnit: "weeks",
		stepupTokenExpiration: 5,
		stepupTokenExpirationUnit: "minutes",
		enableInactivity: true,
		InactivityTime: 2,
		InactivityTimeUnit: "hours",
		JITDisabled: true,
	};

	it("starts with the tenant's self-provisioning domains only", async () => {
		const api = await newApi();
		await createTenant(api, { id: "t1", name: "Acme", selfProvisioningDomains: ["acme.com"] });
		expect(expectStatus(await api.get(`${SETTINGS}?id=t1`), 200)).toEqual({
			selfProvisioningDomains: ["acme.com"],
		});
	});

	it("configures settings and reads them back (configureSettings sends tenantId in the body)", async () => {
		const api = await newApi();
		await createTenant(api, { id: "t1", name: "Acme", selfProvisioningDomains: ["acme.com"] });
		expect(
			expectStatus(
				await api.post(SETTINGS, { ...SETTINGS_BODY, selfProvisioningDomains: ["acme.io"], tenantId: "t1" }),
				200,
			),
		).toEqual({});
		expect(expectStatus(await api.get(`${SETTINGS}?id=t1`), 200)).toEqual({
			...SETTINGS_BODY,
			selfProvisioningDomains: ["acme.io"],
		});
		expect(await loadTenant(api, "t1")).toEqual(
			wireTenant({
				id: "t1",
				name: "Acme",
				selfProvisioningDomains: ["acme.io"],
				authType: "saml",
				domains: ["sso.acme.com"],
			}),
		);
	});

	it.each([
		[{ sessionTokenExpirationUnit: "fortnights" }, "sessionTokenExpirationUnit"],
		[{ refreshTokenExpirationUnit: 3 }, "refreshTokenExpirationUnit"],
		[{ InactivityTimeUnit: "seconds" }, "InactivityTimeUnit"],
		[{ sessionTokenExpiration: -1 }, "sessionTokenExpiration"],
		[{ sessionTokenExpiration: "30" }, "sessionTokenExpiration"],
		[{ authType: "ldap" }, "authType"],
		[{ enabled: "yes" }, "enabled"],
		[{ domains: "acme.com" }, "domains"],
		[{ selfProvisioningDomains: ["not a domain"] }, "selfProvisioningDomains"],
	])("rejects %j with 400 E011004 naming %s, changing nothing", async (bad, field) => {
		const api = await newApi();
		await createTenant(api, { id: "t1", name: "Acme", selfProvisioningDomains: ["acme.com"] });
		expectStatus(await api.post(SETTINGS, { tenantId: "t1", sessionTokenExpiration: 10 }), 200);
		expectDescopeError(await api.post(SETTINGS, { tenantId: "t1", ...bad }), 400, "E011004", field);
		expect(expectStatus(await api.get(`${SETTINGS}?id=t1`), 200)).toEqual({
			sessionTokenExpiration: 10,
			selfProvisioningDomains: ["acme.com"],
		});
	});

	it("answers 404 for an unknown tenant (and another project's tenant)", async () => {
		const a = await newApi();
		const b = await newApi();
		await createTenant(a, { id: "t1", name: "Acme" });
		expectDescopeError(await a.get(`${SETTINGS}?id=nope`), 404, "E011404");
		expectDescopeError(await b.get(`${SETTINGS}?id=t1`), 404, "E011404");
		expectDescopeError(await b.post(SETTINGS, { tenantId: "t1", enabled: true }), 404, "E011404");
		expectDescopeError(await a.post(SETTINGS, { enabled: true }), 400, "E011002", "tenantId");
		expectDescopeError(await a.get(SETTINGS), 400, "E011002", "id");
	});

	it("reads settings by ?tenantId= too", async () => {
		const api = await newApi();
		await createTenant(api, { id: "t1", name: "Acme" });
		expectStatus(await api.post(SETTINGS, { tenantId: "t1", enabled: true }), 200);
		expect(expectStatus(await api.get(`${SETTINGS}?tenantId=t1`), 200)).toEqual({
			enabled: true,
			selfProvisioningDomains: [],
		});
	});
});
