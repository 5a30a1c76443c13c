// The official @descope/node-sdk against Roster: management.tenant.
import { expect, it } from "vitest";
import {
	createTenant,
	expectError,
	expectOk,
	expectTenantShape,
	recordingFetch,
	sdkFor,
	setupProject,
	unique,
} from "./harness.js";

it("create answers {id} with a generated T… id; load answers the tenant object at the root", async () => {
	const { project } = await setupProject();
	const recorder = recordingFetch();
	const sdk = sdkFor(project, { fetch: recorder.fetch });
	const created = expectOk(await sdk.management.tenant.create("Acme"));
	expect(created, JSON.stringify(created)).toEqual({ id: expect.stringMatching(/^T[A-Za-z0-9]{27}$/) });

	const tenant = expectOk(await sdk.management.tenant.load(created.id));
	expectTenantShape(tenant);
	expect(tenant).toMatchObject({
		id: created.id,
		name: "Acme",
		selfProvisioningDomains: [],
		customAttributes: {},
		authType: "none",
		domains: [],
		disabled: false,
		enforceSSO: false,
		parent: "",
		successors: [],
		defaultRoles: [],
	});
	// Not wrapped in {tenant: …} on the wire (§1.9).
	const loadCall = recorder.calls.find((c) => c.method === "GET" && c.url.includes("/v1/mgmt/tenant?"));
	expect(loadCall?.url).toContain(`/v1/mgmt/tenant?id=${created.id}`);
	expect(JSON.parse(loadCall!.body).id).toBe(created.id);
});

it("create takes every option: domains, custom attributes, enforceSSO, disabled, parent, roleInheritance", async () => {
	const { sdk } = await setupProject();
	const parent = await createTenant(sdk, "Parent Co");
	const created = expectOk(
		await sdk.management.tenant.create(
			"Child Co",
			["child.example.com", "child.example.org"],
			{ plan: "gold", seats: 12, beta: true, tags: ["a", "b"] },
			true,
			true,
			parent,
			"userOnly",
		),
	);
	const tenant = expectOk(await sdk.management.tenant.load(created.id));
	expectTenantShape(tenant);
	expect(tenant).toMatchObject({
		id: created.id,
		name: "Child Co",
		selfProvisioningDomains: ["child.example.com", "child.example.org"],
		customAttributes: { plan: "gold", seats: 12, beta: true, tags: ["a", "b"] },
		enforceSSO: true,
		disabled: true,
		parent,
		roleInheritance: "userOnly",
	});
	const parentTenant = expectOk(await sdk.management.tenant.load(parent));
	expect((parentTenant as any).successors).toEqual([created.id]);
});

it("createWithId uses the caller's id; a taken id or name (any case) is refused with E011409", async () => {
	const { sdk } = await setupProject();
	const res = await sdk.management.tenant.createWithId("acme-1", "Acme One", ["acme.example.com"]);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	const tenant = expectOk(await sdk.management.tenant.load("acme-1"));
	expectTenantShape(tenant);
	expect(tenant).toMatchObject({
		id: "acme-1",
		name: "Acme One",
		selfProvisioningDomains: ["acme.example.com"],
	});

	expectError(await sdk.management.tenant.createWithId("acme-1", "Another Name"), "E011409");
	expectError(await sdk.management.tenant.createWithId("acme-2", "ACME one"), "E011409");
	expectError(await sdk.management.tenant.create("acme ONE"), "E011409");
	expect(expectOk(await sdk.management.tenant.loadAll())).toHaveLength(1);
});

it("create refuses a missing name, a bad domain and an unknown parent, creating nothing", async () => {
	const { sdk } = await setupProject();
	expectError(await sdk.management.tenant.create(""));
	expectError(await sdk.management.tenant.create(unique("t"), ["not a domain"]), "E011004");
	expectError(
		await sdk.management.tenant.create(unique("t"), undefined, undefined, undefined, undefined, "no-such"),
		"E011004",
	);
	expect(expectOk(await sdk.management.tenant.loadAll())).toEqual([]);
});

it("update overwrites the tenant: fields left out are cleared, the parent and id stay", async () => {
	const { sdk } = await setupProject();
	const parent = await createTenant(sdk);
	const id = expectOk(
		await sdk.management.tenant.create("Before", ["before.example.com"], { plan: "x" }, true, true, parent),
	).id;
	const before = expectOk(await sdk.management.tenant.load(id));

	const res = await sdk.management.tenant.update(id, "After");
	expect(res.ok, JSON.stringify(res)).toBe(true);
	const after = expectOk(await sdk.management.tenant.load(id));
	expectTenantShape(after);
	expect(after).toMatchObject({
		id,
		name: "After",
		selfProvisioningDomains: [],
		customAttributes: {},
		enforceSSO: false,
		disabled: false,
		parent,
		createdTime: before.createdTime,
	});

	expectOk(
		await sdk.management.tenant.update(id, "Again", ["again.example.com"], { seats: 3 }, true, false, "none"),
	);
	expect(expectOk(await sdk.management.tenant.load(id))).toMatchObject({
		name: "Again",
		selfProvisioningDomains: ["again.example.com"],
		customAttributes: { seats: 3 },
		enforceSSO: true,
		disabled: false,
		roleInheritance: "none",
	});
});

it("update of an unknown tenant fails with E011404; to a taken name with E011409", async () => {
	const { sdk } = await setupProject();
	expectError(await sdk.management.tenant.update("missing", "Name"), "E011404");
	await createTenant(sdk, "Taken");
	const id = await createTenant(sdk, "Free");
	expectError(await sdk.management.tenant.update(id, "taken"), "E011409");
	expect(expectOk(await sdk.management.tenant.load(id)).name).toBe("Free");
});

it("delete without cascade removes an empty tenant; one with members is kept (E011409)", async () => {
	const { sdk } = await setupProject();
	const empty = await createTenant(sdk);
	const res = await sdk.management.tenant.delete(empty);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expectError(await sdk.management.tenant.load(empty), "E011404");

	const busy = await createTenant(sdk);
	const loginId = unique("member");
	expectOk(await sdk.management.user.create(loginId, { userTenants: [{ tenantId: busy, roleNames: [] }] }));
	expectError(await sdk.management.tenant.delete(busy), "E011409");
	expectError(await sdk.management.tenant.delete(busy, false), "E011409");
	expect(expectOk(await sdk.management.tenant.load(busy)).id).toBe(busy);
	expect(expectOk(await sdk.management.user.load(loginId)).userTenants).toHaveLength(1);
});

it("delete with cascade removes the memberships, the roles held there and the tenant's roles", async () => {
	const { sdk } = await setupProject();
	const id = await createTenant(sdk);
	const child = expectOk(await sdk.management.tenant.create(unique("child"), [], {}, false, false, id)).id;
	expectOk(await sdk.management.role.create("project-role"));
	expectOk(await sdk.management.role.create("tenant-role", "", [], id));
	const loginId = unique("member");
	const user = expectOk(
		await sdk.management.user.create(loginId, {
			roles: ["project-role"],
			userTenants: [{ tenantId: id, roleNames: ["tenant-role", "project-role"] }],
		}),
	);
	expect(user.userTenants).toMatchObject([{ tenantId: id }]);
	expect(user.userTenants![0]!.roleNames!.sort()).toEqual(["project-role", "tenant-role"]);

	const res = await sdk.management.tenant.delete(id, true);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expectError(await sdk.management.tenant.load(id), "E011404");
	const after = expectOk(await sdk.management.user.load(loginId));
	expect(after).toMatchObject({ userTenants: [], roleNames: ["project-role"] });
	const roles = expectOk(await sdk.management.role.loadAll());
	expect(roles.map((r) => r.name)).toEqual(["project-role"]);
	// The child tenant is detached, not deleted.
	expect((expectOk(await sdk.management.tenant.load(child)) as any).parent).toBe("");
	expectError(await sdk.management.tenant.delete(id, true), "E011404");
});

it("load of an unknown tenant, or another project's, fails with E011404", async () => {
	const a = await setupProject();
	const b = await setupProject();
	const id = await createTenant(a.sdk);
	expectError(await a.sdk.management.tenant.load("nope"), "E011404");
	expectError(await b.sdk.management.tenant.load(id), "E011404");
	expect(expectOk(await b.sdk.management.tenant.loadAll())).toEqual([]);
});

it("loadAll answers every tenant of the project (data is the array)", async () => {
	const { sdk } = await setupProject();
	expect(expectOk(await sdk.management.tenant.loadAll())).toEqual([]);
	const ids = [
		await createTenant(sdk, "One"),
		await createTenant(sdk, "Two"),
		await createTenant(sdk, "Three"),
	];
	const all = expectOk(await sdk.management.tenant.loadAll());
	expect(all.map((t) => t.id).sort()).toEqual([...ids].sort());
	for (const t of all) expectTenantShape(t);
	expect(all.map((t) => t.name).sort()).toEqual(["One", "Three", "Two"]);
});

it("searchAll filters by ids, names (any case), domains, custom attributes and parent", async () => {
	const { sdk } = await setupProject();
	const root = expectOk(
		await sdk.management.tenant.create("Root", ["root.example.com"], { tier: "gold" }),
	).id;
	const kid = expectOk(
		await sdk.management.tenant.create("Kid", ["kid.example.com"], { tier: "silver" }, false, false, root),
	).id;
	const other = expectOk(await sdk.management.tenant.create("Other", [], { tier: "gold" })).id;
	const ids = (tenants: { id: string }[]) => tenants.map((t) => t.id).sort();

	expect(ids(expectOk(await sdk.management.tenant.searchAll()))).toEqual([root, kid, other].sort());
	expect(ids(expectOk(await sdk.management.tenant.searchAll([root, other])))).toEqual([root, other].sort());
	expect(ids(expectOk(await sdk.management.tenant.searchAll(undefined, ["kid", "OTHER"])))).toEqual(
		[kid, other].sort(),
	);
	expect(
		ids(expectOk(await sdk.management.tenant.searchAll(undefined, undefined, ["root.example.com"]))),
	).toEqual([root]);
	expect(
		ids(expectOk(await sdk.management.tenant.searchAll(undefined, undefined, undefined, { tier: "gold" }))),
	).toEqual([root, other].sort());
	expect(
		ids(expectOk(await sdk.management.tenant.searchAll(undefined, undefined, undefined, undefined, root))),
	).toEqual([kid]);
	// Filters combine with AND.
	expect(expectOk(await sdk.management.tenant.searchAll([kid], ["Root"]))).toEqual([]);
	const found = expectOk(await sdk.management.tenant.searchAll([root]));
	expectTenantShape(found[0]);
	expect(found[0]).toMatchObject({ name: "Root", successors: [kid], customAttributes: { tier: "gold" } });
});

it("updateDefaultRoles sets the roles new members get; an unknown role is refused", async () => {
	const { sdk } = await setupProject();
	const id = await createTenant(sdk);
	expectOk(await sdk.management.role.create("viewer"));
	expectOk(await sdk.management.role.create("editor", "", [], id));
	const res = await sdk.management.tenant.updateDefaultRoles(id, ["viewer", "editor"]);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expect(expectOk(await sdk.management.tenant.load(id)).defaultRoles?.sort()).toEqual(["editor", "viewer"]);

	const loginId = unique("joiner");
	expectOk(await sdk.management.user.create(loginId));
	const joined = expectOk(await sdk.management.user.addTenant(loginId, id));
	expect(joined.userTenants).toHaveLength(1);
	expect(joined.userTenants![0]!.roleNames!.sort()).toEqual(["editor", "viewer"]);

	expectError(await sdk.management.tenant.updateDefaultRoles(id, ["ghost"]), "E011004");
	expect(expectOk(await sdk.management.tenant.load(id)).defaultRoles?.sort()).toEqual(["editor", "viewer"]);
	expectOk(await sdk.management.tenant.updateDefaultRoles(id, []));
	expect(expectOk(await sdk.management.tenant.load(id)).defaultRoles).toEqual([]);
	expectError(await sdk.management.tenant.updateDefaultRoles("missing", []), "E011404");
});

it("configureSettings stores the settings getSettings answers; selfProvisioningDomains are the tenant's", async () => {
	const { sdk } = await setupProject();
	const id = expectOk(await sdk.management.tenant.create(unique("settings"), ["first.example.com"])).id;
	const initial = expectOk(await sdk.management.tenant.getSettings(id));
	expect(initial, JSON.stringify(initial)).toMatchObject({ selfProvisioningDomains: ["first.example.com"] });

	const settings = {
		selfProvisioningDomains: ["second.example.com"],
		domains: ["sso.example.com"],
		authType: "oidc" as const,
		enabled: true,
		sessionTokenExpiration: 15,
		sessionTokenExpirationUnit: "minutes" as const,
		refreshTokenExpiration: 2,
		refreshTokenExpirationUnit: "weeks" as const,
		enableInactivity: true,
		InactivityTime: 30,
		InactivityTimeUnit: "minutes" as const,
		JITDisabled: true,
	};
	const res = await sdk.management.tenant.configureSettings(id, settings);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	const stored = expectOk(await sdk.management.tenant.getSettings(id));
	expect(stored).toMatchObject(settings);
	const tenant = expectOk(await sdk.management.tenant.load(id));
	expect(tenant).toMatchObject({
		selfProvisioningDomains: ["second.example.com"],
		domains: ["sso.example.com"],
		authType: "oidc",
	});

	expectError(
		await sdk.management.tenant.configureSettings(id, {
			selfProvisioningDomains: [],
			sessionTokenExpirationUnit: "fortnights" as any,
		}),
		"E011004",
	);
	expect(expectOk(await sdk.management.tenant.getSettings(id))).toMatchObject(settings);
	expectError(await sdk.management.tenant.getSettings("missing"), "E011404");
	expectError(
		await sdk.management.tenant.configureSettings("missing", { selfProvisioningDomains: [] }),
		"E011404",
	);
});
