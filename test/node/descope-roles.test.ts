// The official @descope/node-sdk against Roster: management.role.
// Permissions are in descope-permissions.test.ts.
import { expect, it } from "vitest";
import {
	createTenant,
	expectError,
	expectOk,
	expectRoleShape,
	type Sdk,
	setupProject,
	unique,
} from "./harness.js";

const names = (items: { name: string }[]) => items.map((i) => i.name).sort();

async function permissions(sdk: Sdk, ...list: string[]) {
	expectOk(await sdk.management.permission.createBatch(list.map((name) => ({ name, systemDefault: false }))));
}

async function roleNamed(sdk: Sdk, name: string, tenantId = "") {
	const role = expectOk(await sdk.management.role.loadAll()).find(
		(r) => r.name === name && (r.tenantId ?? "") === tenantId,
	);
	expect(role, `role ${name} in "${tenantId}"`).toBeDefined();
	return role!;
}

it("create makes a project role with description, permissions and default; loadAll shows it", async () => {
	const { sdk } = await setupProject();
	await permissions(sdk, "read", "write");
	const res = await sdk.management.role.create("editor", "Edits things", ["write", "read"], undefined, true);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	const all = expectOk(await sdk.management.role.loadAll());
	expect(all).toHaveLength(1);
	expectRoleShape(all[0]);
	expect(all[0]).toMatchObject({
		id: expect.stringMatching(/^R/),
		name: "editor",
		description: "Edits things",
		tenantId: "",
		default: true,
		private: false,
	});
	expect(all[0]!.permissionNames.sort()).toEqual(["read", "write"]);
	// The create response carries the role too (the SDK passes it through as data).
	expect(res.data as any).toMatchObject({ id: all[0]!.id, name: "editor" });
});

it("names are unique per scope: the same name in the project and in a tenant, not twice in one", async () => {
	const { sdk } = await setupProject();
	const tenant = await createTenant(sdk);
	expectOk(await sdk.management.role.create("admin"));
	expectOk(await sdk.management.role.create("admin", "tenant admin", [], tenant));
	expectError(await sdk.management.role.create("admin"), "E011409");
	expectError(await sdk.management.role.create("admin", "", [], tenant), "E011409");
	const all = expectOk(await sdk.management.role.loadAll());
	expect(all.map((r) => [r.name, r.tenantId]).sort()).toEqual(
		[
			["admin", ""],
			["admin", tenant],
		].sort(),
	);
	for (const role of all) expectRoleShape(role);
});

it("create refuses a missing name, an unknown permission and an unknown tenant", async () => {
	const { sdk } = await setupProject();
	expectError(await sdk.management.role.create(""));
	expectError(await sdk.management.role.create("r1", "", ["no-such-permission"]), "E011004");
	expectError(await sdk.management.role.create("r2", "", [], "no-such-tenant"));
	expect(expectOk(await sdk.management.role.loadAll())).toEqual([]);
});

it("update renames a role by name and replaces its fields; holders see the change", async () => {
	const { sdk } = await setupProject();
	await permissions(sdk, "read", "write", "admin");
	expectOk(await sdk.management.role.create("viewer", "Looks", ["read"], undefined, true));
	const before = await roleNamed(sdk, "viewer");
	const loginId = unique("holder");
	expectOk(await sdk.management.user.create(loginId, { roles: ["viewer"] }));

	const res = await sdk.management.role.update("viewer", "reader", "Reads", ["read", "write"]);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expectRoleShape(res.data);
	const after = await roleNamed(sdk, "reader");
	expect(after).toMatchObject({
		id: before.id,
		description: "Reads",
		default: false,
		createdTime: before.createdTime,
	});
	expect(after.permissionNames.sort()).toEqual(["read", "write"]);
	const user = expectOk(await sdk.management.user.load(loginId));
	expect(user.roleNames).toEqual(["reader"]);
	expect((user as any).permissions.sort()).toEqual(["read", "write"]);

	// Overwrite: what is left out is cleared.
	expectOk(await sdk.management.role.update("reader", "reader"));
	expect(await roleNamed(sdk, "reader")).toMatchObject({ description: "", permissionNames: [] });
});

it("update refuses an unknown role (E011404) and a name taken in the scope (E011409)", async () => {
	const { sdk } = await setupProject();
	const tenant = await createTenant(sdk);
	expectOk(await sdk.management.role.create("a"));
	expectOk(await sdk.management.role.create("b"));
	expectOk(await sdk.management.role.create("t", "", [], tenant));
	expectError(await sdk.management.role.update("ghost", "x"), "E011404");
	expectError(await sdk.management.role.update("a", "b"), "E011409");
	// A tenant role is found within its tenant's scope only.
	expectError(await sdk.management.role.update("t", "t2"), "E011404");
	expectOk(await sdk.management.role.update("t", "t2", "renamed", [], tenant));
	expect((await roleNamed(sdk, "t2", tenant)).description).toBe("renamed");
	expect(names(expectOk(await sdk.management.role.loadAll()))).toEqual(["a", "b", "t2"]);
});

it("updateWithId changes the role with that id, whatever its scope", async () => {
	const { sdk } = await setupProject();
	const tenant = await createTenant(sdk);
	await permissions(sdk, "p1");
	expectOk(await sdk.management.role.create("local", "", [], tenant));
	const role = await roleNamed(sdk, "local", tenant);
	const res = await sdk.management.role.updateWithId(
		role.id!,
		"local-renamed",
		"with id",
		["p1"],
		tenant,
		true,
	);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	const after = await roleNamed(sdk, "local-renamed", tenant);
	expect(after).toMatchObject({
		id: role.id,
		description: "with id",
		permissionNames: ["p1"],
		default: true,
	});
	expectError(await sdk.management.role.updateWithId("R-missing", "x"), "E011404");
});

it("delete removes a role by name within its scope; users lose it", async () => {
	const { sdk } = await setupProject();
	const tenant = await createTenant(sdk);
	expectOk(await sdk.management.role.create("shared"));
	expectOk(await sdk.management.role.create("shared", "", [], tenant));
	const loginId = unique("holder");
	expectOk(
		await sdk.management.user.create(loginId, {
			roles: ["shared"],
			userTenants: [{ tenantId: tenant, roleNames: ["shared"] }],
		}),
	);

	const res = await sdk.management.role.delete("shared", tenant);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expect(expectOk(await sdk.management.role.loadAll()).map((r) => r.tenantId)).toEqual([""]);
	let user = expectOk(await sdk.management.user.load(loginId));
	expect(user.roleNames).toEqual(["shared"]);
	expect(user.userTenants).toMatchObject([{ tenantId: tenant, roleNames: [] }]);

	expectOk(await sdk.management.role.delete("shared"));
	expect(expectOk(await sdk.management.role.loadAll())).toEqual([]);
	user = expectOk(await sdk.management.user.load(loginId));
	expect(user.roleNames).toEqual([]);
});

it("deleteWithId removes the role with that id", async () => {
	const { sdk } = await setupProject();
	expectOk(await sdk.management.role.create("gone"));
	expectOk(await sdk.management.role.create("kept"));
	const role = await roleNamed(sdk, "gone");
	const res = await sdk.management.role.deleteWithId(role.id!);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expect(names(expectOk(await sdk.management.role.loadAll()))).toEqual(["kept"]);
});

it("createBatch creates every role and answers them; one bad item creates none", async () => {
	const { sdk } = await setupProject();
	const tenant = await createTenant(sdk);
	await permissions(sdk, "read");
	const created = expectOk(
		await sdk.management.role.createBatch([
			{ name: "one", description: "first", permissionNames: ["read"], createdTime: 0 },
			{ name: "two", permissionNames: [], createdTime: 0, default: true },
			{ name: "three", permissionNames: [], createdTime: 0, tenantId: tenant },
		]),
	);
	expect(Array.isArray(created), JSON.stringify(created)).toBe(true);
	expect(names(created)).toEqual(["one", "three", "two"]);
	for (const role of created) expectRoleShape(role);
	expect(created.find((r) => r.name === "one")).toMatchObject({
		description: "first",
		permissionNames: ["read"],
	});
	expect(created.find((r) => r.name === "two")).toMatchObject({ default: true, tenantId: "" });
	expect(created.find((r) => r.name === "three")).toMatchObject({ tenantId: tenant });

	expectError(
		await sdk.management.role.createBatch([
			{ name: "four", permissionNames: [], createdTime: 0 },
			{ name: "one", permissionNames: [], createdTime: 0 },
		]),
		"E011409",
	);
	expect(names(expectOk(await sdk.management.role.loadAll()))).toEqual(["one", "three", "two"]);
});

it("updateBatch updates roles by id (and by name) and answers them", async () => {
	const { sdk } = await setupProject();
	await permissions(sdk, "read", "write");
	expectOk(await sdk.management.role.create("a", "", ["read"]));
	expectOk(await sdk.management.role.create("b"));
	const a = await roleNamed(sdk, "a");
	const updated = expectOk(
		await sdk.management.role.updateBatch([
			{ id: a.id!, newName: "a2", description: "by id", permissionNames: ["write"] },
			// The wire also takes the current name; the SDK's type only has `id`.
			{ name: "b", newName: "b2", description: "by name" } as any,
		]),
	);
	expect(names(updated)).toEqual(["a2", "b2"]);
	for (const role of updated) expectRoleShape(role);
	expect(updated.find((r) => r.name === "a2")).toMatchObject({
		id: a.id,
		description: "by id",
		permissionNames: ["write"],
	});
	expect(names(expectOk(await sdk.management.role.loadAll()))).toEqual(["a2", "b2"]);
	expectError(await sdk.management.role.updateBatch([{ id: "R-missing", newName: "x" }]), "E011404");
});

it("deleteBatch removes roles by names within a tenant's scope and by ids", async () => {
	const { sdk } = await setupProject();
	const tenant = await createTenant(sdk);
	expectOk(
		await sdk.management.role.createBatch([
			{ name: "p1", permissionNames: [], createdTime: 0 },
			{ name: "p2", permissionNames: [], createdTime: 0 },
			{ name: "p1", permissionNames: [], createdTime: 0, tenantId: tenant },
			{ name: "t2", permissionNames: [], createdTime: 0, tenantId: tenant },
		]),
	);
	const res = await sdk.management.role.deleteBatch(["p1", "t2"], tenant);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expect(expectOk(await sdk.management.role.loadAll()).map((r) => [r.name, r.tenantId])).toEqual([
		["p1", ""],
		["p2", ""],
	]);
	const p2 = await roleNamed(sdk, "p2");
	expectOk(await sdk.management.role.deleteBatch(["p1"]));
	expectOk(await sdk.management.role.deleteBatch(undefined, undefined, [p2.id!]));
	expect(expectOk(await sdk.management.role.loadAll())).toEqual([]);
});

it("search filters by tenants (with or without project roles), names, name part and permissions", async () => {
	const { sdk } = await setupProject();
	const t1 = await createTenant(sdk);
	const t2 = await createTenant(sdk);
	await permissions(sdk, "read", "write");
	expectOk(
		await sdk.management.role.createBatch([
			{ name: "project-reader", permissionNames: ["read"], createdTime: 0 },
			{ name: "project-writer", permissionNames: ["write"], createdTime: 0 },
			{ name: "t1-reader", permissionNames: ["read"], createdTime: 0, tenantId: t1 },
			{ name: "t2-admin", permissionNames: [], createdTime: 0, tenantId: t2 },
		]),
	);
	const search = async (options: Parameters<Sdk["management"]["role"]["search"]>[0]) => {
		const roles = expectOk(await sdk.management.role.search(options));
		for (const role of roles) expectRoleShape(role);
		return names(roles);
	};
	expect(await search({})).toEqual(["project-reader", "project-writer", "t1-reader", "t2-admin"]);
	expect(await search({ tenantIds: [t1] })).toEqual(["t1-reader"]);
	expect(await search({ tenantIds: [t1], includeProjectRoles: true })).toEqual([
		"project-reader",
		"project-writer",
		"t1-reader",
	]);
	expect(await search({ roleNames: ["project-writer", "t2-admin"] })).toEqual(["project-writer", "t2-admin"]);
	expect(await search({ roleNameLike: "reader" })).toEqual(["project-reader", "t1-reader"]);
	expect(await search({ permissionNames: ["read"] })).toEqual(["project-reader", "t1-reader"]);
	expect(await search({ permissionNames: ["read"], tenantIds: [t2] })).toEqual([]);
});
