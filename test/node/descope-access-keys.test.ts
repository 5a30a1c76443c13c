// The official @descope/node-sdk against Roster: every `management.accessKey` function, and
// `exchangeAccessKey` followed by local validation and the role checks (docs/access-keys.md).
import { expect, it } from "vitest";
import {
	authSdkFor,
	expectError,
	expectOk,
	jwtClaims,
	nowSeconds,
	type Sdk,
	setupProject,
	unique,
} from "./harness.js";

/** Permissions read/write; project roles reader(read), writer(write); a tenant with its own role admin(write). */
async function fixture(sdk: Sdk) {
	expectOk(
		await sdk.management.permission.createBatch(
			["read", "write"].map((name) => ({ name, systemDefault: false })),
		),
	);
	const tenantId = expectOk(await sdk.management.tenant.create(unique("Acme"))).id;
	expectOk(
		await sdk.management.role.createBatch([
			{ name: "reader", permissionNames: ["read"], createdTime: 0 },
			{ name: "writer", permissionNames: ["write"], createdTime: 0 },
			{ name: "admin", permissionNames: ["write"], createdTime: 0, tenantId },
		]),
	);
	return tenantId;
}

const expectKeyShape = (key: any) =>
	expect(Object.keys(key).sort(), JSON.stringify(key)).toEqual(
		[
			"id",
			"name",
			"roleNames",
			"keyTenants",
			"status",
			"createdTime",
			"expireTime",
			"createdBy",
			"clientId",
			"boundUserId",
			"customClaims",
			"description",
			"permittedIps",
			"customAttributes",
			"editable",
		].sort(),
	);

it("create returns {key, cleartext}; load, searchAll and update see the key, never the cleartext", async () => {
	const { project, sdk } = await setupProject();
	const tenantId = await fixture(sdk);
	const user = expectOk(await sdk.management.user.create(unique("owner")));
	const expireTime = nowSeconds() + 3600;
	const created = expectOk(
		await sdk.management.accessKey.create(
			"ci",
			expireTime,
			["reader"],
			[{ tenantId, roleNames: ["admin"] }],
			user.userId,
			{ plan: "gold" },
			"for CI",
			["127.0.0.0/8", "::1"],
			{ team: "infra" },
		),
	);
	expectKeyShape(created.key);
	expect(created.key).toMatchObject({
		name: "ci",
		expireTime,
		roleNames: ["reader"],
		keyTenants: [{ tenantId, roleNames: ["admin"], tenantName: expect.stringMatching(/^Acme/) }],
		boundUserId: user.userId,
		customClaims: { plan: "gold" },
		description: "for CI",
		permittedIps: ["127.0.0.0/8", "::1"],
		customAttributes: { team: "infra" },
		status: "active",
		editable: true,
	});
	expect(created.cleartext).toEqual(expect.any(String));
	expect(created.cleartext).not.toContain(":");

	const loaded = expectOk(await sdk.management.accessKey.load(created.key.id));
	expect(loaded).toEqual(created.key);
	const all = expectOk(await sdk.management.accessKey.searchAll());
	expect(all.map((k) => k.id)).toEqual([created.key.id]);
	expect(JSON.stringify(all)).not.toContain(created.cleartext);
	expect(expectOk(await sdk.management.accessKey.searchAll([tenantId])).map((k) => k.id)).toEqual([
		created.key.id,
	]);
	expect(expectOk(await sdk.management.accessKey.searchAll(undefined, user.userId))).toHaveLength(1);
	expect(expectOk(await sdk.management.accessKey.searchAll(undefined, "U-nobody"))).toEqual([]);
	expect(
		expectOk(
			await sdk.management.accessKey.searchAll(undefined, undefined, created.key.createdBy, {
				team: "infra",
			}),
		),
	).toHaveLength(1);

	const updated = expectOk(
		await sdk.management.accessKey.update(created.key.id, "ci-2", "renamed", ["writer"], [], {
			plan: "silver",
		}),
	);
	expect(updated).toMatchObject({
		id: created.key.id,
		name: "ci-2",
		description: "renamed",
		roleNames: ["writer"],
		keyTenants: [],
		customClaims: { plan: "silver" },
		permittedIps: [],
		customAttributes: {},
	});
	expect(expectOk(await sdk.management.accessKey.load(created.key.id))).toEqual(updated);
	expect(project.projectId).toMatch(/^P/);
});

it("exchangeAccessKey gives a JWT that validateSession, validateRoles and validateTenantRoles accept", async () => {
	const { project, sdk } = await setupProject();
	const tenantId = await fixture(sdk);
	const { key, cleartext } = expectOk(
		await sdk.management.accessKey.create(
			"m2m",
			0,
			["reader"],
			[{ tenantId, roleNames: ["admin", "reader"] }],
			undefined,
			{
				plan: "gold",
			},
		),
	);
	const auth = authSdkFor(project);
	const info = await auth.exchangeAccessKey(cleartext, {
		selectedTenant: tenantId,
		customClaims: { job: "nightly" },
	});
	expect(info.token).toMatchObject({
		sub: key.id,
		iss: project.projectId,
		roles: ["reader"],
		permissions: ["read"],
		tenants: { [tenantId]: { roles: ["admin", "reader"], permissions: ["read", "write"] } },
		dct: tenantId,
		plan: "gold",
		nsec: { job: "nightly" },
	});
	expect(jwtClaims(info.jwt).iss).toMatch(new RegExp(`/${project.projectId}$`));
	expect((info.token.exp ?? 0) - nowSeconds()).toBeGreaterThan(0);

	const session = await auth.validateSession(info.jwt);
	expect(session.token.sub).toBe(key.id);
	expect(auth.validateRoles(session, ["reader"])).toBe(true);
	expect(auth.validateRoles(session, ["writer"])).toBe(false);
	expect(auth.validatePermissions(session, ["read"])).toBe(true);
	expect(auth.validateTenantRoles(session, tenantId, ["admin"])).toBe(true);
	expect(auth.validateTenantRoles(session, tenantId, ["owner"])).toBe(false);
	expect(auth.validateTenantPermissions(session, tenantId, ["write"])).toBe(true);

	// The raw core call answers the wire body.
	const raw = expectOk(await auth.accessKey.exchange(cleartext));
	expect(raw).toEqual({ keyId: key.id, sessionJwt: expect.any(String), expiration: expect.any(Number) });
	expect(raw.expiration).toBe(jwtClaims(raw.sessionJwt).exp);
});

it("exp never passes the key's expireTime", async () => {
	const { project, sdk } = await setupProject();
	const expireTime = nowSeconds() + 90;
	const { cleartext } = expectOk(await sdk.management.accessKey.create("short", expireTime));
	const info = await authSdkFor(project).exchangeAccessKey(cleartext);
	expect(info.token.exp).toBe(expireTime);
});

it("deactivate, delete and rotate stop the next exchange at once; activate restores it", async () => {
	const { project, sdk } = await setupProject();
	const auth = authSdkFor(project);
	const a = expectOk(await sdk.management.accessKey.create("a", 0));
	const b = expectOk(await sdk.management.accessKey.create("b", 0));
	const c = expectOk(await sdk.management.accessKey.create("c", 0));
	await auth.exchangeAccessKey(a.cleartext);

	expectOk(await sdk.management.accessKey.deactivate(a.key.id));
	await expect(auth.exchangeAccessKey(a.cleartext)).rejects.toThrow(
		"could not exchange access key - Access key is inactive",
	);
	expect(expectOk(await sdk.management.accessKey.load(a.key.id)).status).toBe("inactive");
	expectOk(await sdk.management.accessKey.activate(a.key.id));
	await auth.exchangeAccessKey(a.cleartext);

	expectOk(await sdk.management.accessKey.deactivateBatch([a.key.id, b.key.id]));
	await expect(auth.exchangeAccessKey(b.cleartext)).rejects.toThrow("inactive");
	expectOk(await sdk.management.accessKey.activateBatch([a.key.id, b.key.id]));
	await auth.exchangeAccessKey(b.cleartext);

	const rotated = expectOk(await sdk.management.accessKey.rotate(c.key.id));
	expect(rotated.key.id).toBe(c.key.id);
	expect(rotated.cleartext).not.toBe(c.cleartext);
	await expect(auth.exchangeAccessKey(c.cleartext)).rejects.toThrow("Invalid access key");
	expect((await auth.exchangeAccessKey(rotated.cleartext)).token.sub).toBe(c.key.id);

	expectOk(await sdk.management.accessKey.delete(a.key.id));
	await expect(auth.exchangeAccessKey(a.cleartext)).rejects.toThrow(
		"could not exchange access key - Invalid access key",
	);
	expectError(await sdk.management.accessKey.load(a.key.id), "E011404");
	expectOk(await sdk.management.accessKey.deleteBatch([b.key.id, c.key.id]));
	expect(expectOk(await sdk.management.accessKey.searchAll())).toEqual([]);
});

it("refusals come back as the SDK reports them", async () => {
	const { project, sdk } = await setupProject();
	const auth = authSdkFor(project);
	await expect(auth.exchangeAccessKey("rk_ak_not-a-key")).rejects.toThrow(
		"could not exchange access key - Invalid access key",
	);
	await expect(auth.exchangeAccessKey("")).rejects.toThrow("access key must not be empty");

	const elsewhere = expectOk(
		await sdk.management.accessKey.create("elsewhere", 0, [], [], undefined, {}, "", ["192.0.2.0/24"]),
	);
	await expect(auth.exchangeAccessKey(elsewhere.cleartext)).rejects.toThrow("not permitted");
	const tenantless = expectOk(await sdk.management.accessKey.create("tenantless", 0));
	await expect(auth.exchangeAccessKey(tenantless.cleartext, { selectedTenant: "nope" })).rejects.toThrow(
		"is not one of this access key's tenants",
	);

	const raw = await auth.accessKey.exchange("rk_ak_not-a-key");
	expect(raw.code).toBe(401);
	expectError(raw, "E011401");

	const bad = expectError(await sdk.management.accessKey.create("bad", 0, ["no-such-role"]), "E011004");
	expect(bad.errorMessage).toContain("roleNames[0]");
	expectError(await sdk.management.accessKey.create("past", nowSeconds() - 60), "E011004");
	expectError(await sdk.management.accessKey.load("K-unknown"), "E011404");
	expectError(await sdk.management.accessKey.update("K-unknown", "x"), "E011404");
	expectError(await sdk.management.accessKey.rotate("K-unknown"), "E011404");
});
