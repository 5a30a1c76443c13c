// Custom claims: what an end user sends at sign-in or sign-up (loginOptions.customClaims) is
// signed under `nsec` only, never at the top level, and keeps there through refresh and tenant
// selection; only a management call (jwt/update) sets top-level claims, never reserved ones;
// every path caps the claims at 4 KB serialized (docs/security.md).
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { expect, it } from "vitest";
import { createUser, expectStatus, mgmt, newProject, type TestProject } from "./harness";
import { ORIGIN, passkeyClient, SoftAuthenticator } from "./support/authenticator";
import { authPost, expectError, PASSWORD, refresh, signIn, signUp, verifyJwt } from "./support/sessions";

/** What an attacker would like a resource server to trust. */
const FORGED = {
	isAdmin: true,
	email: "ceo@example.com",
	"https://hasura.io/jwt/claims": { "x-hasura-default-role": "admin", "x-hasura-allowed-roles": ["admin"] },
};
const TOP_LEVEL_FORBIDDEN = Object.keys(FORGED);

/** Serialized, a little over 5 KB. */
const BIG = { blob: "x".repeat(5 * 1024) };

function expectOnlyUnderNsec(payload: Record<string, unknown>, claims: Record<string, unknown>) {
	for (const key of TOP_LEVEL_FORBIDDEN) {
		expect(payload[key], `${key} at the top level: ${JSON.stringify(payload)}`).toBeUndefined();
	}
	expect(payload.nsec, JSON.stringify(payload)).toEqual(claims);
}

/** A project with tenant t1 and user alice (member of t1) holding a password. */
async function projectWithAlice() {
	const p = await newProject();
	const api = mgmt(p);
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "t1", name: "Tenant One" }), 200);
	await createUser(api, { loginId: "alice", password: PASSWORD });
	expectStatus(await api.post("/v1/mgmt/user/update/tenant/add", { loginId: "alice", tenantId: "t1" }), 200);
	return { p, api };
}

const historyOf = async (p: TestProject) =>
	(
		await env.DB.prepare("SELECT outcome FROM login_history WHERE project_id = ?")
			.bind(p.projectId)
			.all<{ outcome: string }>()
	).results.map((r) => r.outcome);

it("sign-in claims land only under nsec of the session JWT", async () => {
	const { p } = await projectWithAlice();
	const body = expectStatus(await signIn(p, "alice", PASSWORD, { customClaims: FORGED }), 200);
	const { payload } = await verifyJwt(p, body.sessionJwt);
	expectOnlyUnderNsec(payload, FORGED);
	expect(body.claims.nsec).toEqual(FORGED);
});

it("sign-in claims stay under nsec after refresh and tenant selection", async () => {
	const { p } = await projectWithAlice();
	const body = expectStatus(await signIn(p, "alice", PASSWORD, { customClaims: FORGED }), 200);
	expectOnlyUnderNsec(decodeJwt(body.refreshJwt), FORGED);
	const refreshed = expectStatus(await refresh(p, body.refreshJwt), 200);
	expectOnlyUnderNsec((await verifyJwt(p, refreshed.sessionJwt)).payload, FORGED);
	const selected = expectStatus(
		await authPost(p, "/v1/auth/tenant/select", { tenant: "t1" }, body.refreshJwt),
		200,
	);
	const { payload } = await verifyJwt(p, selected.sessionJwt);
	expectOnlyUnderNsec(payload, FORGED);
	expect(payload.dct).toBe("t1");
	const again = expectStatus(await refresh(p, selected.refreshJwt), 200);
	expectOnlyUnderNsec((await verifyJwt(p, again.sessionJwt)).payload, FORGED);
});

it("sign-up claims land only under nsec", async () => {
	const p = await newProject();
	const body = expectStatus(
		await signUp(p, "bob", PASSWORD, { loginOptions: { customClaims: FORGED } }),
		200,
	);
	expectOnlyUnderNsec((await verifyJwt(p, body.sessionJwt)).payload, FORGED);
	const refreshed = expectStatus(await refresh(p, body.refreshJwt), 200);
	expectOnlyUnderNsec((await verifyJwt(p, refreshed.sessionJwt)).payload, FORGED);
});

it("passkey sign-up and sign-in claims land only under nsec", async () => {
	const p = await newProject();
	const client = passkeyClient(p.projectId);
	const authenticator = new SoftAuthenticator();
	const start = expectStatus(
		await client.signUpStart("ada@example.com", { loginOptions: { customClaims: FORGED } }),
		200,
	);
	const credential = await authenticator.create(JSON.parse(start.options), ORIGIN);
	const up = expectStatus(await client.finish("signup", start.transactionId, credential), 200);
	expectOnlyUnderNsec((await verifyJwt(p, up.sessionJwt)).payload, FORGED);
	const signInStart = expectStatus(
		await client.signInStart("ada@example.com", { loginOptions: { customClaims: FORGED } }),
		200,
	);
	const assertion = await authenticator.get(JSON.parse(signInStart.options), ORIGIN);
	const signedIn = expectStatus(await client.finish("signin", signInStart.transactionId, assertion), 200);
	expectOnlyUnderNsec((await verifyJwt(p, signedIn.sessionJwt)).payload, FORGED);
});

it("sign-in claims named like reserved claims override nothing", async () => {
	const { p } = await projectWithAlice();
	const claims = { sub: "Uevil", roles: ["superadmin"], tenants: { t9: {} }, dct: "t9", nsec: { a: 1 } };
	const body = expectStatus(await signIn(p, "alice", PASSWORD, { customClaims: claims }), 200);
	const { payload } = await verifyJwt(p, body.sessionJwt);
	expect(payload).toMatchObject({
		sub: body.user.userId,
		roles: [],
		tenants: { t1: { roles: [] } },
		nsec: claims,
	});
	expect(payload.dct).toBeUndefined();
});

it("without claims at sign-in the tokens carry no nsec", async () => {
	const { p } = await projectWithAlice();
	const body = expectStatus(await signIn(p, "alice", PASSWORD, { customClaims: {} }), 200);
	expect(decodeJwt(body.sessionJwt).nsec).toBeUndefined();
	expect(decodeJwt(body.refreshJwt).nsec).toBeUndefined();
	const refreshed = expectStatus(await refresh(p, body.refreshJwt), 200);
	expect(decodeJwt(refreshed.sessionJwt).nsec).toBeUndefined();
});

it("a 5 KB sign-in claim is 400 naming loginOptions.customClaims and records nothing", async () => {
	const { p } = await projectWithAlice();
	const res = await signIn(p, "alice", PASSWORD, { customClaims: BIG });
	expectError(res, 400, "E011004", "loginOptions.customClaims");
	expect(res.body.sessionJwt).toBeUndefined();
	expect(await historyOf(p)).toEqual([]);
});

it("claims up to 4 KB serialized are accepted", async () => {
	const { p } = await projectWithAlice();
	// {"blob":"…"} is 11 bytes around the string.
	const claims = { blob: "x".repeat(4096 - 11) };
	const body = expectStatus(await signIn(p, "alice", PASSWORD, { customClaims: claims }), 200);
	expect(decodeJwt(body.sessionJwt).nsec).toEqual(claims);
	const over = { blob: "x".repeat(4096 - 10) };
	expectError(
		await signIn(p, "alice", PASSWORD, { customClaims: over }),
		400,
		"E011004",
		"loginOptions.customClaims",
	);
});

it("the cap counts bytes, not characters", async () => {
	const { p } = await projectWithAlice();
	const res = await signIn(p, "alice", PASSWORD, { customClaims: { blob: "é".repeat(2100) } });
	expectError(res, 400, "E011004", "loginOptions.customClaims");
});

it("a 5 KB sign-up claim is 400 naming loginOptions.customClaims and creates no user", async () => {
	const p = await newProject();
	const res = await signUp(p, "carol", PASSWORD, { loginOptions: { customClaims: BIG } });
	expectError(res, 400, "E011004", "loginOptions.customClaims");
	expect((await mgmt(p).get("/v1/mgmt/user?loginId=carol")).status).toBe(404);
});

it("a 5 KB passkey claim is 400 naming loginOptions.customClaims at sign-up and sign-in start", async () => {
	const p = await newProject();
	const client = passkeyClient(p.projectId);
	const up = await client.signUpStart("ada@example.com", { loginOptions: { customClaims: BIG } });
	expectError(up, 400, "E011004", "loginOptions.customClaims");
	expectStatus(await client.signUp(new SoftAuthenticator(), "ada@example.com"), 200);
	const signInStart = await client.signInStart("ada@example.com", { loginOptions: { customClaims: BIG } });
	expectError(signInStart, 400, "E011004", "loginOptions.customClaims");
});

it("jwt/update sets top-level custom claims, beside the user's nsec", async () => {
	const { p, api } = await projectWithAlice();
	const body = expectStatus(await signIn(p, "alice", PASSWORD, { customClaims: { plan: "free" } }), 200);
	const res = await api.post("/v1/mgmt/jwt/update", {
		jwt: body.sessionJwt,
		customClaims: { isAdmin: true },
	});
	const { payload } = await verifyJwt(p, expectStatus(res, 200).jwt);
	expect(payload).toMatchObject({ isAdmin: true, nsec: { plan: "free" } });
});

it("jwt/update refuses reserved claims, nsec included, naming them", async () => {
	const { p, api } = await projectWithAlice();
	const body = expectStatus(await signIn(p, "alice", PASSWORD), 200);
	for (const claim of ["nsec", "ccl", "sub", "roles", "tenants", "dct", "iss"]) {
		const res = await api.post("/v1/mgmt/jwt/update", {
			jwt: body.sessionJwt,
			customClaims: { [claim]: {} },
		});
		expectError(res, 400, "E011004", `customClaims.${claim}`);
	}
});

it("jwt/update refuses a 5 KB claim naming customClaims", async () => {
	const { p, api } = await projectWithAlice();
	const body = expectStatus(await signIn(p, "alice", PASSWORD), 200);
	const res = await api.post("/v1/mgmt/jwt/update", { jwt: body.sessionJwt, customClaims: BIG });
	expectError(res, 400, "E011004", "customClaims");
	expect(res.body.jwt).toBeUndefined();
});
