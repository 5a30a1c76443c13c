// The official @descope/node-sdk against Roster: management.permission and how
// permission changes reach roles and users.
import { expect, it } from "vitest";
import { expectError, expectOk, type Sdk, setupProject, unique } from "./harness.js";

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

it("permission create and loadAll: {name, description, systemDefault}; a duplicate is E011409", async () => {
	const { sdk } = await setupProject();
	expect(expectOk(await sdk.management.permission.loadAll())).toEqual([]);
	const res = await sdk.management.permission.create("read", "Can read");
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expectOk(await sdk.management.permission.create("write"));
	const all = expectOk(await sdk.management.permission.loadAll());
	expect([...all].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
		{ name: "read", description: "Can read", systemDefault: false },
		{ name: "write", description: "", systemDefault: false },
	]);
	expectError(await sdk.management.permission.create("read"), "E011409");
	expectError(await sdk.management.permission.create(""));
	expect(expectOk(await sdk.management.permission.loadAll())).toHaveLength(2);
});

it("permission update renames it everywhere: in roles and in users' derived permissions", async () => {
	const { sdk } = await setupProject();
	await permissions(sdk, "read", "write");
	expectOk(await sdk.management.role.create("viewer", "", ["read"]));
	const loginId = unique("holder");
	expectOk(await sdk.management.user.create(loginId, { roles: ["viewer"] }));

	const res = await sdk.management.permission.update("read", "view", "Can view");
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expect(names(expectOk(await sdk.management.permission.loadAll()))).toEqual(["view", "write"]);
	expect(expectOk(await sdk.management.permission.loadAll()).find((p) => p.name === "view")).toMatchObject({
		description: "Can view",
	});
	expect((await roleNamed(sdk, "viewer")).permissionNames).toEqual(["view"]);
	expect((expectOk(await sdk.management.user.load(loginId)) as any).permissions).toEqual(["view"]);

	expectError(await sdk.management.permission.update("ghost", "x"), "E011404");
	expectError(await sdk.management.permission.update("view", "write"), "E011409");
	// Permission ids are not on the wire (a permission is {name, description, systemDefault}).
	expectError(await sdk.management.permission.updateWithId("M-missing", "x"), "E011404");
});

it("permission delete removes it from every role", async () => {
	const { sdk } = await setupProject();
	await permissions(sdk, "read", "write");
	expectOk(await sdk.management.role.create("both", "", ["read", "write"]));
	const res = await sdk.management.permission.delete("read");
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expect(names(expectOk(await sdk.management.permission.loadAll()))).toEqual(["write"]);
	expect((await roleNamed(sdk, "both")).permissionNames).toEqual(["write"]);
	// An id that matches nothing deletes nothing.
	expectOk(await sdk.management.permission.deleteWithId("M-missing"));
	expect(names(expectOk(await sdk.management.permission.loadAll()))).toEqual(["write"]);
});

it("permission createBatch, updateBatch and deleteBatch", async () => {
	const { sdk } = await setupProject();
	const created = await sdk.management.permission.createBatch([
		{ name: "a", description: "A", systemDefault: false },
		{ name: "b", systemDefault: false },
		{ name: "c", systemDefault: false },
	]);
	expect(created.ok, JSON.stringify(created)).toBe(true);
	expect(names(expectOk(await sdk.management.permission.loadAll()))).toEqual(["a", "b", "c"]);
	// A duplicate name fails the whole batch.
	expectError(
		await sdk.management.permission.createBatch([
			{ name: "d", systemDefault: false },
			{ name: "a", systemDefault: false },
		]),
		"E011409",
	);
	expect(names(expectOk(await sdk.management.permission.loadAll()))).toEqual(["a", "b", "c"]);

	// The SDK's type names `id`; the wire takes the current name as well.
	const updated = await sdk.management.permission.updateBatch([
		{ name: "a", newName: "a2", description: "A2" } as any,
		{ name: "b", newName: "b2" } as any,
	]);
	expect(updated.ok, JSON.stringify(updated)).toBe(true);
	const all = expectOk(await sdk.management.permission.loadAll());
	expect(names(all)).toEqual(["a2", "b2", "c"]);
	expect(all.find((p) => p.name === "a2")?.description).toBe("A2");

	const deleted = await sdk.management.permission.deleteBatch(["a2", "c"]);
	expect(deleted.ok, JSON.stringify(deleted)).toBe(true);
	expect(names(expectOk(await sdk.management.permission.loadAll()))).toEqual(["b2"]);
});
