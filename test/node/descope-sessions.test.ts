// The official @descope/node-sdk against Roster: local session validation with the published keys,
// refresh, authorization checks, me, history and tenant selection (docs/sessions.md).
import { expect, it } from "vitest";
import {
	authSdkFor,
	baseUrl,
	expectError,
	expectJwtResponse,
	expectOk,
	expectUserShape,
	jwtClaims,
	nowSeconds,
	PASSWORD,
	recordingFetch,
	rotateSigningKey,
	type Sdk,
	setupProject,
	signUp,
	userWithSession,
} from "./harness.js";

/** The same JWT with a changed payload: its signature no longer matches. */
function tampered(jwt: string) {
	const [header, , signature] = jwt.split(".");
	const claims = { ...jwtClaims(jwt), roles: ["superuser"] };
	return `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
}

/** Permissions read/write/admin; project roles viewer(read), editor(read, write); a tenant with owner(admin). */
async function authzFixture(sdk: Sdk) {
	expectOk(
		await sdk.management.permission.createBatch(
			["read", "write", "admin"].map((name) => ({ name, systemDefault: false })),
		),
	);
	const tenantId = expectOk(await sdk.management.tenant.create("Acme")).id;
	expectOk(
		await sdk.management.role.createBatch([
			{ name: "viewer", permissionNames: ["read"], createdTime: 0 },
			{ name: "editor", permissionNames: ["read", "write"], createdTime: 0 },
			{ name: "owner", permissionNames: ["admin"], createdTime: 0, tenantId },
		]),
	);
	return tenantId;
}

it("validateSession verifies locally with the keys fetched once from GET /v2/keys/<projectId>", async () => {
	const { project, sdk } = await setupProject();
	const session = await signUp(sdk);
	const recorder = recordingFetch();
	const auth = authSdkFor(project, { fetch: recorder.fetch });

	const info = await auth.validateSession(session.sessionJwt);
	expect(info.jwt).toBe(session.sessionJwt);
	expect(info.token).toMatchObject({ sub: session.user!.userId, drn: "DS", iss: project.projectId });
	expect(info.token.exp).toBeGreaterThan(nowSeconds());
	// The SDK rewrote iss; on the wire it ends with the project id (§5.4).
	expect(jwtClaims(session.sessionJwt).iss).toMatch(new RegExp(`/${project.projectId}$`));

	expect(recorder.calls).toHaveLength(1);
	const [call] = recorder.calls;
	expect(call).toMatchObject({
		method: "GET",
		url: `${baseUrl()}/v2/keys/${project.projectId}`,
		status: 200,
	});
	expect(call!.headers.authorization).toBe(`Bearer ${project.projectId}`);
	const { keys } = JSON.parse(call!.body);
	expect(keys.length).toBeGreaterThan(0);
	for (const key of keys) {
		expect(key).toMatchObject({ kid: expect.any(String), kty: "RSA", alg: "RS256", use: "sig" });
		expect(key).not.toHaveProperty("d");
	}
	const kid = JSON.parse(Buffer.from(session.sessionJwt.split(".")[0]!, "base64url").toString()).kid;
	expect(keys.map((k: { kid: string }) => k.kid)).toContain(kid);

	// Cached by kid: validating again, and the refresh JWT, fetches nothing more.
	await auth.validateSession(session.sessionJwt);
	const refresh = await auth.validateJwt(session.refreshJwt);
	expect(refresh.token).toMatchObject({ sub: session.user!.userId, drn: "DSR" });
	expect(recorder.calls).toHaveLength(1);
});

it("after a key rotation the SDK meets an unknown kid, fetches the keys again and validates", async () => {
	const { project, sdk } = await setupProject();
	const before = await signUp(sdk);
	const recorder = recordingFetch();
	const auth = authSdkFor(project, { fetch: recorder.fetch });
	await auth.validateSession(before.sessionJwt);
	const keyFetches = () => recorder.calls.filter((c) => c.url.endsWith(`/v2/keys/${project.projectId}`));
	expect(keyFetches()).toHaveLength(1);

	const { kid } = await rotateSigningKey(project, 0);
	const after = expectOk(await sdk.password.signIn(before.loginId, PASSWORD));
	expect(JSON.parse(Buffer.from(after.sessionJwt.split(".")[0]!, "base64url").toString()).kid).toBe(kid);
	await expect(auth.validateSession(after.sessionJwt)).resolves.toMatchObject({ jwt: after.sessionJwt });
	expect(keyFetches()).toHaveLength(2);
	// The retired key stays published: tokens it signed still verify, and so does their refresh.
	await expect(auth.validateSession(before.sessionJwt)).resolves.toMatchObject({ jwt: before.sessionJwt });
	const refreshed = await auth.refreshSession(before.refreshJwt);
	expect(JSON.parse(Buffer.from(refreshed.jwt.split(".")[0]!, "base64url").toString()).kid).toBe(kid);
});

it("validateSession rejects a tampered JWT, garbage, an empty token and another project's session", async () => {
	const a = await setupProject();
	const b = await setupProject();
	const session = await signUp(a.sdk);
	const foreign = await signUp(b.sdk);
	const auth = authSdkFor(a.project);
	await expect(auth.validateSession(tampered(session.sessionJwt))).rejects.toThrow();
	await expect(auth.validateSession("not-a-jwt")).rejects.toThrow();
	await expect(auth.validateSession("")).rejects.toThrow();
	await expect(auth.validateSession(foreign.sessionJwt)).rejects.toThrow();
	// Each project publishes its own keys: B's session verifies with B's keys only.
	await expect(authSdkFor(b.project).validateSession(foreign.sessionJwt)).resolves.toMatchObject({
		token: { sub: foreign.user!.userId },
	});
});

it("refreshSession answers a new valid session JWT and passes the refresh JWT back", async () => {
	const { project, sdk } = await setupProject();
	const session = await signUp(sdk);
	const auth = authSdkFor(project);
	const info = await auth.refreshSession(session.refreshJwt);
	expect(info.jwt).toEqual(expect.any(String));
	expect(info.token).toMatchObject({ sub: session.user!.userId, drn: "DS", iss: project.projectId });
	expect(info.refreshJwt).toBe(session.refreshJwt);
	expect(info.cookies).toEqual([expect.stringMatching(/^DSR=/)]);
	await expect(auth.validateSession(info.jwt)).resolves.toMatchObject({ jwt: info.jwt });
	// The raw refresh call answers a JWTResponse too.
	expectJwtResponse(expectOk(await auth.refresh(session.refreshJwt)));
	await expect(auth.refreshSession("not-a-jwt")).rejects.toThrow(/refresh token validation failed/);
	await expect(auth.refreshSession(session.sessionJwt.slice(0, -4))).rejects.toThrow();
});

it("validateAndRefreshSession keeps a valid session and refreshes an invalid one", async () => {
	const { project, sdk } = await setupProject();
	const session = await signUp(sdk);
	const auth = authSdkFor(project);
	const kept = await auth.validateAndRefreshSession(session.sessionJwt, session.refreshJwt);
	expect(kept.jwt).toBe(session.sessionJwt);

	for (const bad of [tampered(session.sessionJwt), "garbage", undefined]) {
		const refreshed = await auth.validateAndRefreshSession(bad, session.refreshJwt);
		expect(refreshed.jwt).not.toBe(bad);
		expect(refreshed.token).toMatchObject({ sub: session.user!.userId, drn: "DS" });
		expect(refreshed.refreshJwt).toBe(session.refreshJwt);
	}
	await expect(auth.validateAndRefreshSession("garbage", "garbage")).rejects.toThrow();
	await expect(
		auth.validateAndRefreshSession(tampered(session.sessionJwt), tampered(session.refreshJwt)),
	).rejects.toThrow();
});

it("validateRoles, validatePermissions, their tenant forms and getMatched* read the session's claims", async () => {
	const { project, sdk } = await setupProject();
	const tenantId = await authzFixture(sdk);
	const session = await userWithSession(sdk, {
		roles: ["viewer"],
		userTenants: [{ tenantId, roleNames: ["owner"] }],
	});
	const auth = authSdkFor(project);
	const info = await auth.validateSession(session.sessionJwt);
	expect(info.token).toMatchObject({
		roles: ["viewer"],
		permissions: ["read"],
		tenants: { [tenantId]: { roles: ["owner"], permissions: ["admin"] } },
	});

	expect(auth.validateRoles(info, ["viewer"])).toBe(true);
	expect(auth.validateRoles(info, ["viewer", "editor"])).toBe(false);
	expect(auth.getMatchedRoles(info, ["viewer", "editor"])).toEqual(["viewer"]);
	expect(auth.validatePermissions(info, ["read"])).toBe(true);
	expect(auth.validatePermissions(info, ["write"])).toBe(false);
	expect(auth.getMatchedPermissions(info, ["read", "write", "admin"])).toEqual(["read"]);

	expect(auth.validateTenantRoles(info, tenantId, ["owner"])).toBe(true);
	expect(auth.validateTenantRoles(info, tenantId, ["viewer"])).toBe(false);
	expect(auth.getMatchedTenantRoles(info, tenantId, ["owner", "viewer"])).toEqual(["owner"]);
	expect(auth.validateTenantPermissions(info, tenantId, ["admin"])).toBe(true);
	expect(auth.validateTenantPermissions(info, tenantId, ["read"])).toBe(false);
	expect(auth.getMatchedTenantPermissions(info, tenantId, ["admin", "read"])).toEqual(["admin"]);
	expect(auth.validateTenantRoles(info, "other-tenant", [])).toBe(false);
	expect(auth.getMatchedTenantPermissions(info, "other-tenant", ["admin"])).toEqual([]);
});

it("a role added after sign-in is in the session JWT after refreshSession", async () => {
	const { project, sdk } = await setupProject();
	const tenantId = await authzFixture(sdk);
	const session = await userWithSession(sdk, { userTenants: [{ tenantId, roleNames: [] }] });
	const auth = authSdkFor(project);
	const before = await auth.validateSession(session.sessionJwt);
	expect(auth.validateRoles(before, ["editor"])).toBe(false);

	expectOk(await sdk.management.user.addRoles(session.loginId, ["editor"]));
	expectOk(await sdk.management.user.addTenantRoles(session.loginId, tenantId, ["owner"]));
	// The old session JWT is unchanged until it is refreshed.
	expect(auth.validateRoles(await auth.validateSession(session.sessionJwt), ["editor"])).toBe(false);

	const after = await auth.refreshSession(session.refreshJwt);
	expect(auth.validateRoles(after, ["editor"])).toBe(true);
	expect(auth.getMatchedPermissions(after, ["read", "write", "admin"]).sort()).toEqual(["read", "write"]);
	expect(auth.validateTenantRoles(after, tenantId, ["owner"])).toBe(true);
	expect(auth.validateTenantPermissions(after, tenantId, ["admin"])).toBe(true);

	expectOk(await sdk.management.user.removeRoles(session.loginId, ["editor"]));
	const removed = await auth.refreshSession(session.refreshJwt);
	expect(auth.validateRoles(removed, ["editor"])).toBe(false);
	expect(auth.validatePermissions(removed, ["write"])).toBe(false);
});

it("me answers the signed-in user at the root, as it is now", async () => {
	const { project, sdk } = await setupProject();
	const session = await signUp(sdk);
	const auth = authSdkFor(project);
	const me = expectOk(await auth.me(session.refreshJwt));
	expectUserShape(me);
	expect(me).toMatchObject({
		userId: session.user!.userId,
		loginIds: [session.loginId],
		status: "enabled",
		password: true,
	});
	expectOk(await sdk.management.user.updateDisplayName(session.loginId, "Renamed"));
	expect(expectOk(await auth.me(session.refreshJwt)).name).toBe("Renamed");
	expectError(await auth.me("not-a-jwt"));
	expectError(await auth.me());
});

it("history answers the signed-in user's sign-ins, newest first", async () => {
	const { project, sdk } = await setupProject();
	const session = await signUp(sdk);
	const auth = authSdkFor(project);
	const latest = expectOk(await auth.password.signIn(session.loginId, PASSWORD));
	expectError(await auth.password.signIn(session.loginId, "Wrong-passw0rd!"));
	const other = await signUp(sdk);

	const records = expectOk(await auth.history(latest.refreshJwt)) as unknown as any[];
	expect(Array.isArray(records), JSON.stringify(records)).toBe(true);
	expect(records.length).toBeGreaterThanOrEqual(2);
	for (const record of records) {
		expect(record).toMatchObject({
			userId: session.user!.userId,
			loginTime: expect.any(Number),
			city: expect.any(String),
			country: expect.any(String),
			ip: expect.any(String),
		});
		expect(Math.abs(record.loginTime - nowSeconds())).toBeLessThan(300);
	}
	const times = records.map((r) => r.loginTime);
	expect(times).toEqual([...times].sort((x, y) => y - x));
	expect(records.some((r) => r.userId === other.user!.userId)).toBe(false);
	expectError(await auth.history("not-a-jwt"));
});

it("selectTenant answers a JWTResponse whose session JWT carries dct; refresh keeps it", async () => {
	const { project, sdk } = await setupProject();
	const tenantId = await authzFixture(sdk);
	const other = expectOk(await sdk.management.tenant.create("Elsewhere")).id;
	const session = await userWithSession(sdk, { userTenants: [{ tenantId, roleNames: ["owner"] }] });
	const auth = authSdkFor(project);

	const data = expectOk(await auth.selectTenant(tenantId, session.refreshJwt));
	expectJwtResponse(data);
	expect(auth.getCurrentTenant(data.sessionJwt)).toBe(tenantId);
	const info = await auth.validateSession(data.sessionJwt);
	expect(info.token.dct).toBe(tenantId);
	expect(auth.validateTenantRoles(info, tenantId, ["owner"])).toBe(true);

	const refreshed = await auth.refreshSession(data.refreshJwt!);
	expect(refreshed.token.dct).toBe(tenantId);
	expectError(await auth.selectTenant(other, session.refreshJwt));
	expectError(await auth.selectTenant(tenantId, "not-a-jwt"));
});
