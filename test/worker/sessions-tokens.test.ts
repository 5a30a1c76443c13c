// Session and refresh JWTs (docs/sessions.md, RFC 7519) verified the way the Descope SDK does (jose
// against the published JWKS), their claims and lifetimes, custom claims, refresh, tenant selection,
// and signing-key rotation.
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { call, createUser, expectStatus, mgmt, newProject, type TestProject } from "./harness";
import {
	authPost,
	configureProject,
	expectError,
	expectLive,
	issuerOf,
	jwksOf,
	kidOf,
	PASSWORD,
	refresh,
	rotateKey,
	signedIn,
	signedUp,
	signIn,
	signUp,
	verifyJwt,
} from "./support/sessions";

/** A project with permissions, a project role, tenant t1 with a tenant role, and a user holding both. */
async function projectWithRoles() {
	const p = await newProject();
	const api = mgmt(p);
	expectStatus(
		await api.post("/v1/mgmt/permission/create/batch", {
			permissions: [{ name: "read" }, { name: "write" }, { name: "audit" }],
		}),
		200,
	);
	expectStatus(
		await api.post("/v1/mgmt/role/create", { name: "editor", permissionNames: ["read", "write"] }),
		200,
	);
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "t1", name: "Tenant One" }), 200);
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "t2", name: "Tenant Two" }), 200);
	expectStatus(
		await api.post("/v1/mgmt/role/create", { name: "auditor", tenantId: "t1", permissionNames: ["audit"] }),
		200,
	);
	await createUser(api, { loginId: "alice", password: PASSWORD, roleNames: ["editor"] });
	expectStatus(await api.post("/v1/mgmt/user/update/tenant/add", { loginId: "alice", tenantId: "t1" }), 200);
	expectStatus(
		await api.post("/v2/mgmt/user/update/role/add", {
			loginId: "alice",
			tenantId: "t1",
			roleNames: ["auditor"],
		}),
		200,
	);
	return { p, api };
}

describe("session and refresh JWTs", () => {
	it("verify with the published JWKS; the header names the key", async () => {
		const p = await newProject();
		const body = await signedUp(p, "jwks");
		const jwks = await jwksOf(p);
		expect(jwks.keys).toHaveLength(1);
		expect(jwks.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", kid: expect.any(String) });
		expect(Object.keys(jwks.keys[0] as object)).not.toContain("d");
		const session = await verifyJwt(p, body.sessionJwt);
		const refreshToken = await verifyJwt(p, body.refreshJwt);
		expect(session.kid).toBe(jwks.keys[0]?.kid);
		expect(refreshToken.kid).toBe(jwks.keys[0]?.kid);
	});

	it("do not verify against another project's JWKS", async () => {
		const a = await newProject();
		const b = await newProject();
		const body = await signedUp(a, "cross");
		await signedUp(b, "someone");
		const set = createLocalJWKSet((await jwksOf(b)) as Parameters<typeof createLocalJWKSet>[0]);
		await expect(jwtVerify(body.sessionJwt, set)).rejects.toThrow();
	});

	it("carry iss (ending with the project id), sub, drn, amr, iat and exp", async () => {
		const p = await newProject();
		const body = await signedUp(p, "claims");
		const { payload: s } = await verifyJwt(p, body.sessionJwt);
		const { payload: r } = await verifyJwt(p, body.refreshJwt);
		const userId = body.user.userId;
		expect(s.iss).toBe(issuerOf(p));
		expect(String(s.iss).split("/").at(-1)).toBe(p.projectId);
		expect(s).toMatchObject({
			sub: userId,
			drn: "DS",
			amr: ["pwd"],
			roles: [],
			permissions: [],
			tenants: {},
		});
		expect(r).toMatchObject({ iss: issuerOf(p), sub: userId, drn: "DSR", amr: ["pwd"] });
		expect(s.dct).toBeUndefined();
		// The claims in the body are the session JWT's.
		expect(body.claims).toEqual(s);
	});

	it("last sessionTtl (600 s) and refreshTtl (30 days) by default", async () => {
		const p = await newProject();
		const body = await signedUp(p, "ttl");
		const s = decodeJwt(body.sessionJwt);
		const r = decodeJwt(body.refreshJwt);
		expect(s.exp).toBe((s.iat as number) + 600);
		expect(r.exp).toBe((r.iat as number) + 2_592_000);
		expect(body.sessionExpiration).toBe(s.exp);
		expect(body.cookieExpiration).toBe(r.exp);
		expect(body.cookieMaxAge).toBe(2_592_000);
		expect(Math.abs((s.iat as number) - Date.now() / 1000)).toBeLessThan(10);
	});

	it("take new lifetimes the operator sets; tokens issued before keep theirs", async () => {
		const p = await newProject();
		const before = await signedUp(p, "ttl2");
		await configureProject(p, { sessionTtl: 120, refreshTtl: 3600 });
		const after = await signedIn(p, "ttl2");
		const s = decodeJwt(after.sessionJwt);
		const r = decodeJwt(after.refreshJwt);
		expect(s.exp).toBe((s.iat as number) + 120);
		expect(r.exp).toBe((r.iat as number) + 3600);
		expect(after.cookieMaxAge).toBe(3600);
		expect(after.sessionExpiration).toBe(s.exp);
		const old = decodeJwt(before.refreshJwt);
		expect(old.exp).toBe((old.iat as number) + 2_592_000);
		// A refresh under the new settings: the new session lifetime, the refresh token unchanged.
		const refreshed = await expectLive(p, before.refreshJwt);
		const rs = decodeJwt(refreshed.sessionJwt);
		expect(rs.exp).toBe((rs.iat as number) + 120);
		expect(refreshed.refreshJwt).toBe(before.refreshJwt);
		expect(refreshed.cookieExpiration).toBe(old.exp);
	});

	it("carry the user's roles, permissions and tenants", async () => {
		const { p } = await projectWithRoles();
		const body = await signedIn(p, "alice");
		const { payload } = await verifyJwt(p, body.sessionJwt);
		expect(payload.roles).toEqual(["editor"]);
		expect([...(payload.permissions as string[])].sort()).toEqual(["read", "write"]);
		expect(payload.tenants).toEqual({ t1: { roles: ["auditor"], permissions: ["audit"] } });
		expect(payload.dct).toBeUndefined();
		// The refresh JWT carries no authorization claims: they are read afresh at each refresh.
		const r = decodeJwt(body.refreshJwt);
		expect(r.roles).toBeUndefined();
		expect(r.tenants).toBeUndefined();
	});

	it("a refreshed session JWT carries roles added after sign-in", async () => {
		const { p, api } = await projectWithRoles();
		const body = await signedIn(p, "alice");
		expectStatus(
			await api.post("/v1/mgmt/role/create", { name: "publisher", permissionNames: ["audit"] }),
			200,
		);
		expectStatus(
			await api.post("/v2/mgmt/user/update/role/add", { loginId: "alice", roleNames: ["publisher"] }),
			200,
		);
		expectStatus(
			await api.post("/v1/mgmt/user/update/tenant/add", { loginId: "alice", tenantId: "t2" }),
			200,
		);
		const refreshed = await expectLive(p, body.refreshJwt);
		const { payload } = await verifyJwt(p, refreshed.sessionJwt);
		expect([...(payload.roles as string[])].sort()).toEqual(["editor", "publisher"]);
		expect([...(payload.permissions as string[])].sort()).toEqual(["audit", "read", "write"]);
		expect(payload.tenants).toEqual({
			t1: { roles: ["auditor"], permissions: ["audit"] },
			t2: { roles: [], permissions: [] },
		});
		expect(payload.sub).toBe(body.user.userId);
		expect(payload.amr).toEqual(["pwd"]);
		expect(refreshed.firstSeen).toBe(false);
		expect(refreshed.user.roleNames.sort()).toEqual(["editor", "publisher"]);
		expect(refreshed.claims).toEqual(payload);
	});

	it("a refresh drops roles removed after sign-in", async () => {
		const { p, api } = await projectWithRoles();
		const body = await signedIn(p, "alice");
		expectStatus(
			await api.post("/v1/mgmt/user/update/role/remove", { loginId: "alice", roleNames: ["editor"] }),
			200,
		);
		const { payload } = await verifyJwt(p, (await expectLive(p, body.refreshJwt)).sessionJwt);
		expect(payload.roles).toEqual([]);
		expect(payload.permissions).toEqual([]);
	});
});

// An end user's claims are signed under `nsec` only (test/worker/claims.test.ts has the rest).
describe("custom claims from loginOptions", () => {
	it("appear under nsec of the session JWT on sign-in and sign-up", async () => {
		const p = await newProject();
		const up = await signUp(p, "cc", PASSWORD, { loginOptions: { customClaims: { plan: "pro", seats: 3 } } });
		const { payload: a } = await verifyJwt(p, expectStatus(up, 200).sessionJwt);
		expect(a.nsec).toEqual({ plan: "pro", seats: 3 });
		expect(a.plan).toBeUndefined();
		const inRes = await signIn(p, "cc", PASSWORD, { customClaims: { nested: { a: [1, 2] }, flag: true } });
		const { payload: b } = await verifyJwt(p, expectStatus(inRes, 200).sessionJwt);
		expect(b.nsec).toEqual({ nested: { a: [1, 2] }, flag: true });
		expect(b.flag).toBeUndefined();
	});

	it("stay in session JWTs issued by refresh and tenant selection", async () => {
		const { p } = await projectWithRoles();
		const body = expectStatus(await signIn(p, "alice", PASSWORD, { customClaims: { plan: "pro" } }), 200);
		const refreshed = expectStatus(await refresh(p, body.refreshJwt), 200);
		const { payload: afterRefresh } = await verifyJwt(p, refreshed.sessionJwt);
		expect(afterRefresh).toMatchObject({ nsec: { plan: "pro" }, roles: ["editor"] });
		const selected = await authPost(p, "/v1/auth/tenant/select", { tenant: "t1" }, body.refreshJwt);
		const { payload: afterSelect } = await verifyJwt(p, expectStatus(selected, 200).sessionJwt);
		expect(afterSelect).toMatchObject({ nsec: { plan: "pro" }, dct: "t1" });
		// Without custom claims at sign-in, a refresh adds none.
		const plain = expectStatus(await signIn(p, "alice", PASSWORD), 200);
		const { payload: none } = await verifyJwt(
			p,
			expectStatus(await refresh(p, plain.refreshJwt), 200).sessionJwt,
		);
		expect(none.nsec).toBeUndefined();
		expect(none.ccl).toBeUndefined();
	});

	it("cannot override reserved claims: they stay under nsec", async () => {
		const { p } = await projectWithRoles();
		const customClaims = {
			sub: "Uevil",
			iss: "https://evil.example/P0",
			exp: 9_999_999_999,
			iat: 1,
			drn: "DSR",
			amr: ["mfa"],
			roles: ["superadmin"],
			permissions: ["everything"],
			tenants: { t9: { roles: ["owner"], permissions: [] } },
			dct: "t9",
			sid: "stolen",
			keep: "me",
		};
		const res = await signIn(p, "alice", PASSWORD, { customClaims });
		const body = expectStatus(res, 200);
		const { payload } = await verifyJwt(p, body.sessionJwt);
		expect(payload).toMatchObject({
			sub: body.user.userId,
			iss: issuerOf(p),
			drn: "DS",
			amr: ["pwd"],
			roles: ["editor"],
			tenants: { t1: { roles: ["auditor"], permissions: ["audit"] } },
			nsec: customClaims,
		});
		expect(payload.keep).toBeUndefined();
		expect(payload.exp).toBe((payload.iat as number) + 600);
		expect(payload.iat).not.toBe(1);
		expect(payload.dct).toBeUndefined();
		expect(payload.sid).not.toBe("stolen");
		expect(payload.permissions).not.toContain("everything");
		// The session it names is the real one: the refresh token still works.
		await expectLive(p, body.refreshJwt);
	});
});

describe("POST /v1/auth/refresh", () => {
	it("answers a JWTResponse with a new session JWT and the same refresh JWT", async () => {
		const p = await newProject();
		const body = await signedUp(p, "ref");
		const res = await refresh(p, body.refreshJwt);
		const refreshed = expectStatus(res, 200);
		expect(refreshed).toMatchObject({
			refreshJwt: body.refreshJwt,
			cookiePath: "/",
			cookieDomain: "",
			firstSeen: false,
			sessionJwt: expect.any(String),
		});
		expect(refreshed.user.userId).toBe(body.user.userId);
		const { payload } = await verifyJwt(p, refreshed.sessionJwt);
		expect(payload.sid).toBe(decodeJwt(body.refreshJwt).sid);
		expect(refreshed.sessionExpiration).toBe(payload.exp);
	});

	it("accepts an auth management key appended to the bearer (Bearer P:RJWT:AMK)", async () => {
		const p = await newProject();
		const body = await signedUp(p, "amk");
		const res = await call("POST", "/v1/auth/refresh", {
			body: {},
			headers: { authorization: `Bearer ${p.projectId}:${body.refreshJwt}:some-auth-management-key` },
		});
		expect(expectStatus(res, 200).refreshJwt).toBe(body.refreshJwt);
	});

	it("accepts the SDK's empty body and no body at all", async () => {
		const p = await newProject();
		const body = await signedUp(p, "nobody-body");
		const res = await call("POST", "/v1/auth/refresh", {
			headers: { authorization: `Bearer ${p.projectId}:${body.refreshJwt}` },
		});
		expectStatus(res, 200);
	});
});

describe("POST /v1/auth/tenant/select", () => {
	const select = (p: TestProject, tenant: unknown, refreshJwt?: string) =>
		authPost(p, "/v1/auth/tenant/select", { tenant }, refreshJwt);

	it("gives the session JWT `dct`; refreshes with the returned refresh JWT keep it", async () => {
		const { p } = await projectWithRoles();
		const body = await signedIn(p, "alice");
		const selected = expectStatus(await select(p, "t1", body.refreshJwt), 200);
		const { payload } = await verifyJwt(p, selected.sessionJwt);
		expect(payload).toMatchObject({
			dct: "t1",
			sub: body.user.userId,
			tenants: { t1: { roles: ["auditor"], permissions: ["audit"] } },
		});
		expect(selected.claims.dct).toBe("t1");
		const { payload: r } = await verifyJwt(p, selected.refreshJwt);
		expect(r.dct).toBe("t1");
		const again = await expectLive(p, selected.refreshJwt);
		expect(decodeJwt(again.sessionJwt).dct).toBe("t1");
		// Same session: the original refresh token still works, without a tenant.
		const original = await expectLive(p, body.refreshJwt);
		expect(decodeJwt(original.sessionJwt).dct).toBeUndefined();
	});

	it("records the selected tenant in the history", async () => {
		const { p, api } = await projectWithRoles();
		const body = await signedIn(p, "alice");
		expectStatus(await select(p, "t1", body.refreshJwt), 200);
		const [latest] = expectStatus(await api.post("/v1/mgmt/user/history", [body.user.userId]), 200);
		expect(latest).toMatchObject({ selectedTenant: "t1", method: "tenant-select", outcome: "success" });
	});

	it("refuses a tenant the user is not a member of, and an unknown one", async () => {
		const { p } = await projectWithRoles();
		const body = await signedIn(p, "alice");
		expectError(await select(p, "t2", body.refreshJwt), 403, "E011403", "t2");
		expectError(await select(p, "nope", body.refreshJwt), 403, "E011403");
	});

	// A refresh must not keep naming a current tenant the user has left: apps scope data by `dct`.
	it("a refresh after the user left the selected tenant no longer names it in dct", async () => {
		const { p, api } = await projectWithRoles();
		const body = await signedIn(p, "alice");
		const selected = expectStatus(await select(p, "t1", body.refreshJwt), 200);
		expectStatus(
			await api.post("/v1/mgmt/user/update/tenant/remove", { loginId: "alice", tenantId: "t1" }),
			200,
		);
		const res = await refresh(p, selected.refreshJwt);
		if (res.status === 200) {
			const { payload } = await verifyJwt(p, res.body.sessionJwt);
			expect(payload.tenants).toEqual({});
			expect(payload.dct, "dct names a tenant the user is no longer in").toBeUndefined();
		} else {
			expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
		}
	});

	it("needs a refresh token and a tenant", async () => {
		const { p } = await projectWithRoles();
		const body = await signedIn(p, "alice");
		expectError(await select(p, "t1"), 401, "E011401");
		expectError(await authPost(p, "/v1/auth/tenant/select", {}, body.refreshJwt), 400, "E011002", "tenant");
		expectError(await select(p, 5, body.refreshJwt), 400, "E011004", "tenant");
	});
});

describe("signing-key rotation", () => {
	async function projectWithSession() {
		const p = await newProject();
		const body = await signedUp(p, "rot");
		return { p, body, oldKid: kidOf(body.sessionJwt) as string };
	}

	it("concurrent first sign-ins of a new project agree on one key", async () => {
		const p = await newProject();
		const results = await Promise.all(
			["c1", "c2", "c3", "c4"].map((loginId) => signUp(p, loginId).then((r) => expectStatus(r, 200))),
		);
		const { keys } = await jwksOf(p);
		expect(keys).toHaveLength(1);
		for (const r of results) {
			expect(kidOf(r.sessionJwt)).toBe(keys[0]?.kid);
			await verifyJwt(p, r.sessionJwt);
			await expectLive(p, r.refreshJwt);
		}
	});

	it("activateAfterSeconds 0: both keys published, new tokens use the new kid, old refresh tokens still refresh", async () => {
		const { p, body, oldKid } = await projectWithSession();
		const rotated = await rotateKey(p, 0);
		expect(rotated.kid).not.toBe(oldKid);
		expect((await jwksOf(p)).keys.map((k) => k.kid).sort()).toEqual([oldKid, rotated.kid].sort());

		const fresh = await signedIn(p, "rot");
		expect(kidOf(fresh.sessionJwt)).toBe(rotated.kid);
		expect(kidOf(fresh.refreshJwt)).toBe(rotated.kid);
		await verifyJwt(p, fresh.sessionJwt);

		// The old key is retired but stays published: its tokens still verify and refresh.
		expect((await jwksOf(p)).keys.map((k) => k.kid).sort()).toEqual([oldKid, rotated.kid].sort());
		await verifyJwt(p, body.sessionJwt);
		const refreshed = await expectLive(p, body.refreshJwt);
		expect(kidOf(refreshed.sessionJwt)).toBe(rotated.kid);
		await verifyJwt(p, refreshed.sessionJwt);
	});

	it("activateAfterSeconds 600: the new key is published but the old kid still signs", async () => {
		const { p, body, oldKid } = await projectWithSession();
		const rotated = await rotateKey(p, 600);
		expect(Math.abs(rotated.activateTime - (Date.now() / 1000 + 600))).toBeLessThan(10);
		expect((await jwksOf(p)).keys.map((k) => k.kid).sort()).toEqual([oldKid, rotated.kid].sort());
		const fresh = await signedIn(p, "rot");
		expect(kidOf(fresh.sessionJwt)).toBe(oldKid);
		expect(kidOf((await expectLive(p, body.refreshJwt)).sessionJwt)).toBe(oldKid);
		await verifyJwt(p, fresh.sessionJwt);
	});

	it("a second pending rotation replaces the first one", async () => {
		const { p, oldKid } = await projectWithSession();
		const first = await rotateKey(p, 600);
		const second = await rotateKey(p, 600);
		expect((await jwksOf(p)).keys.map((k) => k.kid).sort()).toEqual([oldKid, second.kid].sort());
		expect(first.kid).not.toBe(second.kid);
	});

	it("refuses a bad activateAfterSeconds and an unknown project; needs the operator key", async () => {
		const p = await newProject();
		const path = `/v1/operator/projects/${p.projectId}/signing-keys/rotate`;
		const op = { authorization: "Bearer test-operator-key" };
		expectError(
			await call("POST", path, { body: { activateAfterSeconds: -1 }, headers: op }),
			400,
			"E011004",
		);
		expectError(
			await call("POST", path, { body: { activateAfterSeconds: "soon" }, headers: op }),
			400,
			"E011004",
		);
		expectError(await call("POST", path, { body: { activateAfterSeconds: 0 } }), 401, "E011401");
		const mgmtBearer = { authorization: `Bearer ${p.projectId}:${p.managementKey}` };
		expectError(
			await call("POST", path, { body: { activateAfterSeconds: 0 }, headers: mgmtBearer }),
			401,
			"E011401",
		);
		const unknown = `/v1/operator/projects/P${"0".repeat(27)}/signing-keys/rotate`;
		const res = await call("POST", unknown, { body: { activateAfterSeconds: 0 }, headers: op });
		expect(res.status, JSON.stringify(res.body)).toBe(404);
	});
});

describe("GET /v2/keys/{projectId}", () => {
	it("answers the key of a project that has not signed yet, and no 5xx for an unknown project", async () => {
		const p = await newProject();
		expect((await jwksOf(p)).keys).toHaveLength(1);
		const unknown = await call("GET", `/v2/keys/P${"0".repeat(27)}`);
		expect(unknown.status, JSON.stringify(unknown.body)).toBeLessThan(500);
	});
});
