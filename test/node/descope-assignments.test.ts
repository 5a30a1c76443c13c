// The official @descope/node-sdk against Roster: a user's tenants, roles and SSO applications
// (`management.user.addTenant` … `removeSSOapps`, roleNames / userTenants / ssoAppIds on users, search filters).
import { expect, it } from "vitest";
import {
	createTenant,
	expectError,
	expectOk,
	expectUserShape,
	recordingFetch,
	type Sdk,
	sdkFor,
	setupProject,
	unique,
} from "./harness.js";

const sorted = (values: string[] | undefined) => [...(values ?? [])].sort();

/** Permissions read/write/admin; project roles viewer(read), editor(read, write); a tenant and its own role. */
async function fixture(sdk: Sdk) {
	expectOk(
		await sdk.management.permission.createBatch(
			["read", "write", "admin"].map((name) => ({ name, systemDefault: false })),
		),
	);
	const tenantName = unique("Acme");
	const tenantId = expectOk(await sdk.management.tenant.create(tenantName)).id;
	expectOk(
		await sdk.management.role.createBatch([
			{ name: "viewer", permissionNames: ["read"], createdTime: 0 },
			{ name: "editor", permissionNames: ["read", "write"], createdTime: 0 },
			{ name: "owner", permissionNames: ["admin"], createdTime: 0, tenantId },
		]),
	);
	const app = async (id: string) =>
		expectOk(
			await sdk.management.ssoApplication.createOidcApplication({
				id,
				name: id,
				loginPageUrl: `https://${id}.example.com`,
			}),
		).id;
	return { tenantId, tenantName, apps: [await app("wiki"), await app("crm")] };
}

it("create with roles, userTenants and ssoAppIds: the user shows them and the derived permissions", async () => {
	const { sdk } = await setupProject();
	const { tenantId, tenantName, apps } = await fixture(sdk);
	const user = expectOk(
		await sdk.management.user.create(unique("assigned"), {
			roles: ["viewer", "editor"],
			userTenants: [{ tenantId, roleNames: ["owner", "viewer"] }],
			ssoAppIds: apps,
		}),
	);
	expectUserShape(user);
	expect(sorted(user.roleNames)).toEqual(["editor", "viewer"]);
	expect(sorted((user as any).permissions)).toEqual(["read", "write"]);
	expect(sorted((user as any).ssoAppIds)).toEqual(sorted(apps));
	expect(user.userTenants).toHaveLength(1);
	const membership = user.userTenants![0]! as any;
	expect(membership).toMatchObject({ tenantId, tenantName });
	expect(sorted(membership.roleNames)).toEqual(["owner", "viewer"]);
	expect(sorted(membership.permissions)).toEqual(["admin", "read"]);
	expect(expectOk(await sdk.management.user.load(user.userId))).toEqual(user);
});

it("create refuses an unknown role, tenant or SSO application and creates nothing", async () => {
	const { sdk } = await setupProject();
	const { tenantId } = await fixture(sdk);
	expectError(await sdk.management.user.create(unique("u"), { roles: ["ghost"] }), "E011004");
	expectError(
		await sdk.management.user.create(unique("u"), { userTenants: [{ tenantId: "no-such", roleNames: [] }] }),
		"E011004",
	);
	expectError(
		await sdk.management.user.create(unique("u"), { userTenants: [{ tenantId, roleNames: ["ghost"] }] }),
		"E011004",
	);
	expectError(await sdk.management.user.create(unique("u"), { ssoAppIds: ["no-such-app"] }), "E011004");
	expect(expectOk(await sdk.management.user.search({})).total).toBe(0);
});

it("addTenant adds a membership (by login id or user id) with the tenant's default roles", async () => {
	const { sdk } = await setupProject();
	const { tenantId, tenantName } = await fixture(sdk);
	expectOk(await sdk.management.tenant.updateDefaultRoles(tenantId, ["viewer"]));
	const loginId = unique("joiner");
	const created = expectOk(await sdk.management.user.create(loginId));

	const user = expectOk(await sdk.management.user.addTenant(loginId, tenantId));
	expectUserShape(user);
	expect(user.userTenants).toEqual([{ tenantId, tenantName, roleNames: ["viewer"], permissions: ["read"] }]);
	// Adding again (by user id) changes nothing.
	const again = expectOk(await sdk.management.user.addTenant(created.userId, tenantId));
	expect(again.userTenants).toEqual(user.userTenants);

	expectError(await sdk.management.user.addTenant(loginId, "no-such-tenant"), "E011004");
	expectError(await sdk.management.user.addTenant("nobody", tenantId), "E062108");
});

it("removeTenant removes the membership and the roles held there, nothing else", async () => {
	const { sdk } = await setupProject();
	const { tenantId } = await fixture(sdk);
	const other = await createTenant(sdk);
	const loginId = unique("leaver");
	expectOk(
		await sdk.management.user.create(loginId, {
			roles: ["viewer"],
			userTenants: [
				{ tenantId, roleNames: ["owner"] },
				{ tenantId: other, roleNames: ["editor"] },
			],
		}),
	);
	const user = expectOk(await sdk.management.user.removeTenant(loginId, tenantId));
	expectUserShape(user);
	expect(user.roleNames).toEqual(["viewer"]);
	expect(user.userTenants).toMatchObject([{ tenantId: other, roleNames: ["editor"] }]);
	// Joining again starts without the old roles.
	const rejoined = expectOk(await sdk.management.user.addTenant(loginId, tenantId));
	expect(rejoined.userTenants!.find((t) => t.tenantId === tenantId)?.roleNames).toEqual([]);
	expectError(await sdk.management.user.removeTenant("nobody", tenantId), "E062108");
});

it("addRoles (v2 path), setRoles and removeRoles change the project roles and permissions", async () => {
	const { project, sdk } = await setupProject();
	await fixture(sdk);
	const recorder = recordingFetch();
	const recorded = sdkFor(project, { fetch: recorder.fetch });
	const loginId = unique("roles");
	const created = expectOk(await sdk.management.user.create(loginId));

	let user = expectOk(await recorded.management.user.addRoles(loginId, ["viewer"]));
	expectUserShape(user);
	expect(user).toMatchObject({ roleNames: ["viewer"], permissions: ["read"] });
	expect(recorder.calls.at(-1)?.url).toMatch(/\/v2\/mgmt\/user\/update\/role\/add$/);
	user = expectOk(await sdk.management.user.addRoles(created.userId, ["editor", "viewer"]));
	expect(sorted(user.roleNames)).toEqual(["editor", "viewer"]);
	expect(sorted((user as any).permissions)).toEqual(["read", "write"]);

	user = expectOk(await sdk.management.user.setRoles(loginId, ["editor"]));
	expect(user).toMatchObject({ roleNames: ["editor"] });
	expect(sorted((user as any).permissions)).toEqual(["read", "write"]);

	user = expectOk(await sdk.management.user.removeRoles(loginId, ["editor"]));
	expect(user).toMatchObject({ roleNames: [], permissions: [] });
	user = expectOk(await sdk.management.user.setRoles(loginId, ["viewer", "editor"]));
	user = expectOk(await sdk.management.user.setRoles(loginId, []));
	expect(user.roleNames).toEqual([]);

	expectError(await sdk.management.user.addRoles(loginId, ["ghost"]), "E011004");
	// A tenant's own role is not a project role.
	expectError(await sdk.management.user.setRoles(loginId, ["owner"]), "E011004");
	expectError(await sdk.management.user.addRoles("nobody", ["viewer"]), "E062108");
	expect(expectOk(await sdk.management.user.load(loginId)).roleNames).toEqual([]);
});

it("addTenantRoles, setTenantRoles and removeTenantRoles change the roles in one tenant", async () => {
	const { sdk } = await setupProject();
	const { tenantId } = await fixture(sdk);
	const loginId = unique("tenant-roles");
	expectOk(await sdk.management.user.create(loginId, { roles: ["viewer"] }));
	// Tenant roles need the membership.
	expectError(await sdk.management.user.addTenantRoles(loginId, tenantId, ["owner"]), "E011004");
	expectOk(await sdk.management.user.addTenant(loginId, tenantId));

	let user = expectOk(await sdk.management.user.addTenantRoles(loginId, tenantId, ["owner"]));
	expectUserShape(user);
	expect(user.userTenants).toMatchObject([{ tenantId, roleNames: ["owner"], permissions: ["admin"] }]);
	// A name the tenant does not define means the project role.
	user = expectOk(await sdk.management.user.addTenantRoles(loginId, tenantId, ["editor"]));
	expect(sorted(user.userTenants![0]!.roleNames)).toEqual(["editor", "owner"]);
	expect(sorted((user.userTenants![0]! as any).permissions)).toEqual(["admin", "read", "write"]);
	// Project roles are untouched by tenant changes.
	expect(user.roleNames).toEqual(["viewer"]);

	user = expectOk(await sdk.management.user.setTenantRoles(loginId, tenantId, ["viewer"]));
	expect(user.userTenants).toMatchObject([{ tenantId, roleNames: ["viewer"], permissions: ["read"] }]);
	expect(user.roleNames).toEqual(["viewer"]);

	user = expectOk(await sdk.management.user.removeTenantRoles(loginId, tenantId, ["viewer"]));
	expect(user.userTenants).toMatchObject([{ tenantId, roleNames: [], permissions: [] }]);
	expect(user.roleNames).toEqual(["viewer"]);

	expectError(await sdk.management.user.setTenantRoles(loginId, tenantId, ["ghost"]), "E011004");
	expectError(await sdk.management.user.addTenantRoles(loginId, "no-such-tenant", ["viewer"]), "E011004");
});

it("addSSOapps, setSSOapps and removeSSOapps change the user's applications", async () => {
	const { sdk } = await setupProject();
	const { apps } = await fixture(sdk);
	const [wiki, crm] = apps as [string, string];
	const loginId = unique("apps");
	expectOk(await sdk.management.user.create(loginId));

	let user = expectOk(await sdk.management.user.addSSOapps(loginId, [wiki]));
	expectUserShape(user);
	expect((user as any).ssoAppIds).toEqual([wiki]);
	user = expectOk(await sdk.management.user.addSSOapps(loginId, [crm, wiki]));
	expect(sorted((user as any).ssoAppIds)).toEqual(sorted([wiki, crm]));
	user = expectOk(await sdk.management.user.removeSSOapps(loginId, [wiki]));
	expect((user as any).ssoAppIds).toEqual([crm]);
	user = expectOk(await sdk.management.user.setSSOapps(loginId, [wiki]));
	expect((user as any).ssoAppIds).toEqual([wiki]);
	user = expectOk(await sdk.management.user.setSSOapps(loginId, []));
	expect((user as any).ssoAppIds).toEqual([]);

	expectError(await sdk.management.user.addSSOapps(loginId, ["no-such-app"]), "E011004");
	expectError(await sdk.management.user.setSSOapps(loginId, [crm, "no-such-app"]), "E011004");
	expect((expectOk(await sdk.management.user.load(loginId)) as any).ssoAppIds).toEqual([]);
	expectError(await sdk.management.user.addSSOapps("nobody", [wiki]), "E062108");
});

it("search by tenantIds, roles, tenantRoleNames and ssoAppIds", async () => {
	const { sdk } = await setupProject();
	const { tenantId, apps } = await fixture(sdk);
	const other = await createTenant(sdk);
	const [wiki, crm] = apps as [string, string];
	const make = async (options: Record<string, unknown>) =>
		expectOk(await sdk.management.user.create(unique("s"), options)).userId;
	const a = await make({ roles: ["viewer"], userTenants: [{ tenantId, roleNames: ["owner", "editor"] }] });
	const b = await make({
		roles: ["editor"],
		userTenants: [{ tenantId, roleNames: ["owner"] }],
		ssoAppIds: [wiki],
	});
	const c = await make({ userTenants: [{ tenantId: other, roleNames: ["viewer"] }], ssoAppIds: [crm] });
	const d = await make({});
	const search = async (req: Parameters<Sdk["management"]["user"]["search"]>[0]) => {
		const res = expectOk(await sdk.management.user.search(req));
		expect(res.total, JSON.stringify(res)).toBe(res.users.length);
		return res.users.map((u) => u.userId).sort();
	};

	expect(await search({})).toEqual([a, b, c, d].sort());
	expect(await search({ tenantIds: [tenantId] })).toEqual([a, b].sort());
	expect(await search({ tenantIds: [tenantId, other] })).toEqual([a, b, c].sort());
	expect(await search({ roles: ["viewer"] })).toContain(a);
	expect(await search({ roles: ["editor"] })).toContain(b);
	expect(await search({ roles: ["viewer"] })).not.toContain(d);
	expect(await search({ tenantRoleNames: { [tenantId]: { values: ["owner"] } } })).toEqual([a, b].sort());
	expect(
		await search({ tenantRoleNames: { [tenantId]: { values: ["owner", "editor"], and: true } } }),
	).toEqual([a]);
	expect(await search({ tenantRoleNames: { [other]: { values: ["viewer"] } } })).toEqual([c]);
	expect(await search({ ssoAppIds: [wiki] })).toEqual([b]);
	expect(await search({ ssoAppIds: [wiki, crm] })).toEqual([b, c].sort());
	expect(await search({ ssoAppIds: [crm], tenantIds: [tenantId] })).toEqual([]);
});
