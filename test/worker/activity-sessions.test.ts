// Activity entries of sign-in, sign-out, refresh, lockout, credentials and revocation (docs/audit.md):
// each test drives the end-user and management routes over HTTP from one client address and reads the
// change rows straight from D1 to assert what is stored.
import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import {
	BASE,
	type CallResult,
	createUser,
	expectStatus,
	mgmt,
	newProject,
	type TestProject,
} from "./harness";
import { passkeyClient, SoftAuthenticator } from "./support/authenticator";
import { configureProject, OTHER_PASSWORD, PASSWORD, storedPassword } from "./support/sessions";

const CLIENT = { "cf-connecting-ip": "203.0.113.7", "user-agent": "activity-sessions-test/1.0" };
const GEO = { city: "Lisbon", country: "PT" };

/** A request from CLIENT at GEO (the `cf` object workerd hands the Worker). */
async function send(
	method: string,
	path: string,
	authorization: string,
	body?: unknown,
): Promise<CallResult> {
	const res = await exports.default.fetch(`${BASE}${path}`, {
		method,
		headers: { ...CLIENT, authorization, "content-type": "application/json" },
		body: body === undefined ? undefined : JSON.stringify(body),
		cf: GEO,
	} as RequestInit);
	return { status: res.status, body: await res.json(), headers: res.headers };
}

const user = (p: TestProject, refreshJwt?: string) =>
	`Bearer ${p.projectId}${refreshJwt ? `:${refreshJwt}` : ""}`;
const key = (p: TestProject) => `Bearer ${p.projectId}:${p.managementKey}`;
const auth = (p: TestProject, path: string, body: unknown = {}, refreshJwt?: string) =>
	send("POST", path, user(p, refreshJwt), body);
const manage = (p: TestProject, path: string, body: unknown) => send("POST", path, key(p), body);

interface Row {
	action: string;
	result: string;
	actor_type: string;
	actor_id: string | null;
	target_type: string | null;
	target_id: string | null;
	user_id: string | null;
	login_id: string | null;
	tenant_id: string | null;
	changes: string | null;
	data: string | null;
	request_id: string | null;
	dialect: string;
	ip: string;
	city: string;
	country: string;
	user_agent: string;
}

async function rows(p: TestProject, action?: string): Promise<Row[]> {
	const { results } = await env.DB.prepare(
		`SELECT * FROM change_log WHERE project_id = ? ${action ? "AND action = ?" : ""} ORDER BY seq`,
	)
		.bind(...(action ? [p.projectId, action] : [p.projectId]))
		.all<Row>();
	return results;
}

/** The one row of `action`, from CLIENT at GEO through `dialect`. */
async function only(p: TestProject, action: string, dialect: "auth" | "descope") {
	const found = await rows(p, action);
	expect(found, `${action}: ${JSON.stringify(await rows(p))}`).toHaveLength(1);
	const row = found[0] as Row;
	expect(row, JSON.stringify(row)).toMatchObject({
		dialect,
		ip: CLIENT["cf-connecting-ip"],
		user_agent: CLIENT["user-agent"],
		...GEO,
	});
	expect(row.request_id, JSON.stringify(row)).toBeTruthy();
	return {
		...row,
		data: row.data ? JSON.parse(row.data) : null,
		changes: row.changes ? JSON.parse(row.changes) : null,
	};
}

/** The `data` of a row, parsed ({} when none). */
const dataOf = (row: Row | undefined) => JSON.parse(row?.data ?? "{}");

async function signedUp(p: TestProject, loginId: string, password = PASSWORD) {
	return expectStatus(await auth(p, "/v1/auth/password/signup", { loginId, password }), 200);
}
async function signedIn(p: TestProject, loginId: string, password = PASSWORD) {
	return expectStatus(await auth(p, "/v1/auth/password/signin", { loginId, password }), 200);
}

it("a password sign-up is auth.signed_up by the new user", async () => {
	const p = await newProject();
	const body = await signedUp(p, "ada@example.com");
	const row = await only(p, "auth.signed_up", "auth");
	expect(row).toMatchObject({
		result: "success",
		actor_type: "user",
		actor_id: body.user.userId,
		target_type: "user",
		user_id: body.user.userId,
		login_id: "ada@example.com",
		data: { method: "password" },
	});
});

it("a password sign-in is auth.signed_in with its method", async () => {
	const p = await newProject();
	const up = await signedUp(p, "ada");
	await signedIn(p, "ada");
	const row = await only(p, "auth.signed_in", "auth");
	expect(row).toMatchObject({
		actor_type: "user",
		actor_id: up.user.userId,
		user_id: up.user.userId,
		login_id: "ada",
		data: { method: "password" },
	});
});

it("an unknown login id is auth.sign_in_failed with no user", async () => {
	const p = await newProject();
	const res = await auth(p, "/v1/auth/password/signin", { loginId: "nobody", password: PASSWORD });
	expect(res.status, JSON.stringify(res.body)).toBe(401);
	const row = await only(p, "auth.sign_in_failed", "auth");
	expect(row).toMatchObject({
		result: "failure",
		actor_type: "user",
		actor_id: null,
		user_id: null,
		login_id: "nobody",
		data: { method: "password", reason: "unknown-login-id" },
	});
});

it("a wrong password is auth.sign_in_failed of that user", async () => {
	const p = await newProject();
	const up = await signedUp(p, "ada");
	const res = await auth(p, "/v1/auth/password/signin", { loginId: "ada", password: OTHER_PASSWORD });
	expect(res.status, JSON.stringify(res.body)).toBe(401);
	const row = await only(p, "auth.sign_in_failed", "auth");
	expect(row).toMatchObject({
		result: "failure",
		user_id: up.user.userId,
		login_id: "ada",
		data: { method: "password", reason: "wrong-password" },
	});
});

it("failed sign-ins that lock the user write user.locked_out once; locked attempts say so", async () => {
	const p = await newProject();
	await configureProject(p, { lockoutAttempts: 3, lockoutSeconds: 60 });
	const up = await signedUp(p, "ada");
	for (let i = 0; i < 3; i++)
		await auth(p, "/v1/auth/password/signin", { loginId: "ada", password: OTHER_PASSWORD });
	const locked = await auth(p, "/v1/auth/password/signin", { loginId: "ada", password: PASSWORD });
	expect(locked.status, JSON.stringify(locked.body)).toBe(429);
	const row = await only(p, "user.locked_out", "auth");
	expect(row).toMatchObject({ target_type: "user", user_id: up.user.userId, login_id: "ada" });
	expect(row.data).toMatchObject({ failures: 3, lockedUntil: expect.any(Number) });
	const reasons = (await rows(p, "auth.sign_in_failed")).map((r) => dataOf(r).reason);
	expect(reasons).toEqual(["wrong-password", "wrong-password", "wrong-password", "locked"]);
});

it("a disabled user's sign-in is auth.sign_in_failed (disabled); the disable is user.disabled and session.revoked", async () => {
	const p = await newProject();
	const up = await signedUp(p, "ada");
	expectStatus(await manage(p, "/v1/mgmt/user/update/status", { loginId: "ada", status: "disabled" }), 200);
	const disabled = await only(p, "user.disabled", "descope");
	expect(disabled).toMatchObject({ actor_type: "key", user_id: up.user.userId });
	const revoked = await only(p, "session.revoked", "descope");
	expect(revoked).toMatchObject({
		actor_type: "key",
		target_type: "user",
		user_id: up.user.userId,
		data: { cause: "user.disabled" },
	});
	const res = await auth(p, "/v1/auth/password/signin", { loginId: "ada", password: PASSWORD });
	expect(res.status, JSON.stringify(res.body)).toBe(403);
	expect((await only(p, "auth.sign_in_failed", "auth")).data).toEqual({
		method: "password",
		reason: "disabled",
	});
	const refused = await auth(p, "/v1/auth/refresh", {}, up.refreshJwt);
	expect(refused.status, JSON.stringify(refused.body)).toBe(401);
});

it("the first sign-in of an invited user is user.registered", async () => {
	const p = await newProject();
	const invited = await createUser(mgmt(p), { loginId: "ada", password: PASSWORD });
	expect(invited.status).toBe("invited");
	await signedIn(p, "ada");
	const row = await only(p, "user.registered", "auth");
	expect(row).toMatchObject({ actor_type: "user", actor_id: invited.userId, user_id: invited.userId });
	expect(row.changes).toEqual({ status: { before: "invited", after: "enabled" } });
	await signedIn(p, "ada");
	expect(await rows(p, "user.registered")).toHaveLength(1);
});

it("a successful refresh writes no entry; a refused one is auth.refresh_failed", async () => {
	const p = await newProject();
	const up = await signedUp(p, "ada");
	const before = (await rows(p)).length;
	expectStatus(await auth(p, "/v1/auth/refresh", {}, up.refreshJwt), 200);
	expect(await rows(p)).toHaveLength(before);
	const garbage = await auth(p, "/v1/auth/refresh", {}, "not.a.jwt");
	expect(garbage.status, JSON.stringify(garbage.body)).toBe(401);
	const row = await only(p, "auth.refresh_failed", "auth");
	expect(row).toMatchObject({ result: "failure", actor_type: "user", actor_id: null, user_id: null });
	expect(row.data).toEqual({ use: "refresh", reason: "invalid-token" });
});

it("a refresh of a signed-out session is auth.refresh_failed of its user", async () => {
	const p = await newProject();
	const up = await signedUp(p, "ada");
	expectStatus(await auth(p, "/v1/auth/logout", {}, up.refreshJwt), 200);
	const res = await auth(p, "/v1/auth/refresh", {}, up.refreshJwt);
	expect(res.status, JSON.stringify(res.body)).toBe(401);
	const row = await only(p, "auth.refresh_failed", "auth");
	expect(row).toMatchObject({ user_id: up.user.userId, actor_id: up.user.userId, login_id: "ada" });
	expect(row.data).toEqual({ use: "refresh", reason: "session-ended" });
});

it("a logout is auth.signed_out; logout-all is auth.signed_out (all) and session.revoked", async () => {
	const p = await newProject();
	const up = await signedUp(p, "ada");
	expectStatus(await auth(p, "/v1/auth/logout", {}, up.refreshJwt), 200);
	const out = await only(p, "auth.signed_out", "auth");
	expect(out).toMatchObject({ actor_id: up.user.userId, user_id: up.user.userId, data: { all: false } });
	expect(await rows(p, "session.revoked")).toHaveLength(0);
	const again = await signedIn(p, "ada");
	expectStatus(await auth(p, "/v1/auth/logoutall", {}, again.refreshJwt), 200);
	const outs = await rows(p, "auth.signed_out");
	expect(outs.map((r) => dataOf(r).all)).toEqual([false, true]);
	const revoked = await only(p, "session.revoked", "auth");
	expect(revoked).toMatchObject({
		actor_type: "user",
		user_id: up.user.userId,
		data: { cause: "auth.signed_out" },
	});
});

it("a tenant selection is auth.tenant_selected with the tenant", async () => {
	const p = await newProject();
	const api = mgmt(p);
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "t1", name: "One" }), 200);
	const up = await signedUp(p, "ada");
	expectStatus(await api.post("/v1/mgmt/user/update/tenant/add", { loginId: "ada", tenantId: "t1" }), 200);
	expectStatus(await auth(p, "/v1/auth/tenant/select", { tenant: "t1" }, up.refreshJwt), 200);
	const row = await only(p, "auth.tenant_selected", "auth");
	expect(row).toMatchObject({ actor_id: up.user.userId, user_id: up.user.userId, tenant_id: "t1" });
});

it("an end user's password replace and update are user.password.set and end the other sessions", async () => {
	const p = await newProject();
	const up = await signedUp(p, "ada");
	const replaced = expectStatus(
		await auth(p, "/v1/auth/password/replace", {
			loginId: "ada",
			oldPassword: PASSWORD,
			newPassword: OTHER_PASSWORD,
		}),
		200,
	);
	expect((await auth(p, "/v1/auth/refresh", {}, up.refreshJwt)).status).toBe(401);
	expectStatus(await auth(p, "/v1/auth/refresh", {}, replaced.refreshJwt), 200);
	const set = await only(p, "user.password.set", "auth");
	expect(set).toMatchObject({ actor_id: up.user.userId, user_id: up.user.userId });
	expect(set.data).toEqual({ temporary: false, by: "replace" });
	expect((await only(p, "session.revoked", "auth")).data).toEqual({ cause: "user.password.set" });
	expectStatus(
		await auth(
			p,
			"/v1/auth/password/update",
			{ loginId: "ada", newPassword: "Third-passw0rd!" },
			replaced.refreshJwt,
		),
		200,
	);
	const sets = await rows(p, "user.password.set");
	expect(sets.map((r) => dataOf(r).by)).toEqual(["replace", "update"]);
	expect(await rows(p, "session.revoked")).toHaveLength(2);
});

it("management password set and expire are user.password.set / expired, each with session.revoked", async () => {
	const p = await newProject();
	const up = await signedUp(p, "ada");
	expectStatus(
		await manage(p, "/v1/mgmt/user/password/set/temporary", { loginId: "ada", password: OTHER_PASSWORD }),
		200,
	);
	const set = await only(p, "user.password.set", "descope");
	expect(set).toMatchObject({ actor_type: "key", user_id: up.user.userId, login_id: "ada" });
	expect(set.data).toEqual({ temporary: true, by: "management" });
	expectStatus(await manage(p, "/v1/mgmt/user/password/expire", { loginId: "ada" }), 200);
	const expired = await only(p, "user.password.expired", "descope");
	expect(expired).toMatchObject({ actor_type: "key", user_id: up.user.userId });
	const causes = (await rows(p, "session.revoked")).map((r) => dataOf(r).cause);
	expect(causes).toEqual(["user.password.set", "user.password.expired"]);
});

it("a management logout is session.revoked and the session is dead", async () => {
	const p = await newProject();
	const up = await signedUp(p, "ada");
	expectStatus(await manage(p, "/v1/mgmt/user/logout", { loginId: "ada" }), 200);
	const row = await only(p, "session.revoked", "descope");
	expect(row).toMatchObject({
		actor_type: "key",
		target_type: "user",
		user_id: up.user.userId,
		login_id: "ada",
		data: { cause: "logout" },
	});
	expect((await auth(p, "/v1/auth/refresh", {}, up.refreshJwt)).status).toBe(401);
});

it("a jwt/update is token.updated with the claim names, never their values or the token", async () => {
	const p = await newProject();
	const up = await signedUp(p, "ada");
	const res = expectStatus(
		await manage(p, "/v1/mgmt/jwt/update", { jwt: up.sessionJwt, customClaims: { plan: "gold-plan-value" } }),
		200,
	);
	const row = await only(p, "token.updated", "descope");
	expect(row).toMatchObject({ actor_type: "key", user_id: up.user.userId });
	expect(row.data).toEqual({ claims: ["plan"] });
	const log = JSON.stringify(await rows(p));
	for (const value of ["gold-plan-value", up.sessionJwt, res.jwt]) expect(log).not.toContain(value);
});

it("passkey sign-up, sign-in, a refused sign-in, adding and removing passkeys are entries", async () => {
	const p = await newProject();
	const client = passkeyClient(p.projectId);
	const authenticator = new SoftAuthenticator();
	const up = expectStatus(await client.signUp(authenticator, "ada"), 200);
	const userId = up.user.userId;
	expect(await rows(p, "auth.signed_up")).toMatchObject([
		{ actor_id: userId, user_id: userId, data: JSON.stringify({ method: "passkey" }) },
	]);
	const [added] = await rows(p, "user.passkey.added");
	expect(added).toMatchObject({ user_id: userId, actor_id: userId });
	const passkeyId = dataOf(added).id;
	expect(passkeyId).toEqual(expect.any(String));
	expectStatus(await client.signIn(authenticator, "ada"), 200);
	expect(dataOf((await rows(p, "auth.signed_in"))[0])).toEqual({ method: "passkey" });
	const stranger = new SoftAuthenticator();
	await stranger.create(
		JSON.parse(expectStatus(await client.signUpStart("bob"), 200).options),
		"https://app.example.com",
	);
	const start = expectStatus(await client.signInStart(""), 200);
	const forged = await stranger.get(JSON.parse(start.options), "https://app.example.com");
	const refused = await client.finish("signin", start.transactionId, forged);
	expect(refused.status, JSON.stringify(refused.body)).toBe(401);
	expect(dataOf((await rows(p, "auth.sign_in_failed"))[0])).toEqual({
		method: "passkey",
		reason: "unknown-credential",
	});
	const second = new SoftAuthenticator();
	const updateStart = expectStatus(
		await client.post("update/start", { loginId: "ada", origin: "https://app.example.com" }, up.refreshJwt),
		200,
	);
	const credential = await second.create(JSON.parse(updateStart.options), "https://app.example.com");
	expectStatus(await client.finish("update", updateStart.transactionId, credential), 200);
	expect(await rows(p, "user.passkey.added")).toHaveLength(2);
	expectStatus(
		await manage(p, "/v1/mgmt/user/passkey/delete", { loginId: "ada", credentialId: passkeyId }),
		200,
	);
	const removed = await only(p, "user.passkey.removed", "descope");
	expect(removed).toMatchObject({
		actor_type: "key",
		user_id: userId,
		login_id: "ada",
		data: { id: passkeyId },
	});
	expectStatus(await manage(p, "/v1/mgmt/user/passkeys/delete", { loginId: "ada" }), 200);
	expect((await rows(p, "user.passkey.removed")).map((r) => dataOf(r))).toEqual([
		{ id: passkeyId },
		{ all: true },
	]);
	expectStatus(await manage(p, "/v1/mgmt/user/passkeys/delete", { loginId: "ada" }), 200);
	expect(await rows(p, "user.passkey.removed"), "nothing left to remove: no entry").toHaveLength(2);
});

it("no password, hash, refresh JWT or session JWT ever reaches the change log", async () => {
	const p = await newProject();
	const secrets: string[] = [PASSWORD, OTHER_PASSWORD, "Third-passw0rd!", "Temp-passw0rd!"];
	const up = await signedUp(p, "ada");
	const ins = [up, await signedIn(p, "ada")];
	await auth(p, "/v1/auth/password/signin", { loginId: "ada", password: "Wrong-passw0rd!" });
	secrets.push("Wrong-passw0rd!");
	const replaced = expectStatus(
		await auth(p, "/v1/auth/password/replace", {
			loginId: "ada",
			oldPassword: PASSWORD,
			newPassword: OTHER_PASSWORD,
		}),
		200,
	);
	ins.push(replaced);
	const refreshed = expectStatus(await auth(p, "/v1/auth/refresh", {}, replaced.refreshJwt), 200);
	ins.push(refreshed);
	expectStatus(
		await auth(
			p,
			"/v1/auth/password/update",
			{ loginId: "ada", newPassword: "Third-passw0rd!" },
			replaced.refreshJwt,
		),
		200,
	);
	const hash = (await storedPassword(p, up.user.userId))?.hash as string;
	expectStatus(
		await manage(p, "/v1/mgmt/user/password/set/active", { loginId: "ada", password: "Temp-passw0rd!" }),
		200,
	);
	const last = await signedIn(p, "ada", "Temp-passw0rd!");
	ins.push(last);
	const updated = expectStatus(
		await manage(p, "/v1/mgmt/jwt/update", { jwt: last.sessionJwt, customClaims: { a: 1 } }),
		200,
	);
	await auth(p, "/v1/auth/refresh", {}, up.refreshJwt);
	expectStatus(await auth(p, "/v1/auth/logout", {}, last.refreshJwt), 200);
	secrets.push(hash, (await storedPassword(p, up.user.userId))?.hash as string, updated.jwt);
	for (const t of ins) secrets.push(t.sessionJwt, t.refreshJwt);
	const log = await rows(p);
	expect(log.length).toBeGreaterThan(10);
	const text = JSON.stringify(log);
	for (const secret of secrets) {
		expect(secret.length).toBeGreaterThan(8);
		expect(text.includes(secret), `a secret in the change log: ${secret.slice(0, 12)}…`).toBe(false);
	}
});
