// Password auth (docs/sessions.md; core-js-sdk `password`): sign-up, sign-in, replace, update and
// policy; lockout after the project's failed attempts.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	call,
	createUser,
	expectStatus,
	expectWireUser,
	loadUser,
	mgmt,
	newProject,
	type TestProject,
} from "./harness";
import {
	authGet,
	authPost,
	configureProject,
	endUser,
	expectError,
	expectLive,
	expectRevoked,
	historyOf,
	liveSessions,
	OTHER_PASSWORD,
	PASSWORD,
	signedIn,
	signedUp,
	signIn,
	signUp,
	strictPolicy,
} from "./support/sessions";

const DEFAULT_POLICY = {
	minLength: 8,
	lowercase: false,
	uppercase: false,
	number: false,
	nonAlphanumeric: false,
};

async function registrationTime(p: TestProject, userId: string) {
	const row = await env.DB.prepare("SELECT registration_time AS t FROM users WHERE project_id = ? AND id = ?")
		.bind(p.projectId, userId)
		.first<{ t: number | null }>();
	return row?.t ?? null;
}

describe("POST /v1/auth/password/signup", () => {
	it("creates an enabled user with a password and answers the JWTResponse of §5.1", async () => {
		const p = await newProject();
		const res = await signUp(p, "ada@example.com", PASSWORD, {
			user: { email: "ada@example.com", name: "Ada Lovelace", givenName: "Ada", familyName: "Lovelace" },
		});
		const body = expectStatus(res, 200);
		expect(Object.keys(body).sort()).toEqual(
			[
				"claims",
				"cookieDomain",
				"cookieExpiration",
				"cookieMaxAge",
				"cookiePath",
				"firstSeen",
				"refreshJwt",
				"sessionExpiration",
				"sessionJwt",
				"user",
			].sort(),
		);
		expect(body).toMatchObject({
			sessionJwt: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
			refreshJwt: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
			cookieDomain: "",
			cookiePath: "/",
			cookieMaxAge: 2_592_000,
			firstSeen: true,
		});
		const now = Date.now() / 1000;
		expect(Math.abs(body.sessionExpiration - (now + 600))).toBeLessThan(10);
		expect(Math.abs(body.cookieExpiration - (now + 2_592_000))).toBeLessThan(10);
		expectWireUser(body.user, {
			loginIds: ["ada@example.com"],
			email: "ada@example.com",
			name: "Ada Lovelace",
			givenName: "Ada",
			familyName: "Lovelace",
			status: "enabled",
			password: true,
		});
		expect(body.claims).toMatchObject({ sub: body.user.userId, drn: "DS", amr: ["pwd"] });
		expect(body.claims.exp).toBe(body.sessionExpiration);
	});

	it("stores the user: load answers it enabled with a password, and it can sign in", async () => {
		const p = await newProject();
		const { user } = await signedUp(p, "grace");
		const loaded = await loadUser(mgmt(p), "grace");
		expect(loaded).toMatchObject({ userId: user.userId, status: "enabled", password: true });
		const again = await signedIn(p, "grace");
		expect(again.user.userId).toBe(user.userId);
		expect(again.firstSeen).toBe(false);
	});

	it("enforces the default policy (8 characters) and names the password field", async () => {
		const p = await newProject();
		expectError(await signUp(p, "short", "Abc1!"), 400, "E011004", "password");
		expect(await loadUser(mgmt(p), "short")).toBeNull();
	});

	it("enforces a policy the operator changed", async () => {
		const p = await newProject();
		await configureProject(p, { passwordPolicy: strictPolicy });
		const weak = await signUp(p, "weak", "alllowercase1!");
		expectError(weak, 400, "E011004", "password");
		expect(weak.body.errorMessage).toContain("uppercase");
		expectError(await signUp(p, "weak2", "Short1!"), 400, "E011004", "at least 10");
		expectStatus(await signUp(p, "strong", "Str0ng-Enough!"), 200);
	});

	it("refuses an existing login id, also an invited user's, with E062107", async () => {
		const p = await newProject();
		await signedUp(p, "taken");
		expectError(await signUp(p, "taken", OTHER_PASSWORD), 409, "E062107");
		expectError(await signUp(p, "TAKEN", OTHER_PASSWORD), 409, "E062107");
		await createUser(mgmt(p), { loginId: "invited@example.com", email: "invited@example.com", invite: true });
		expectError(await signUp(p, "invited@example.com"), 409, "E062107");
		const invited = await loadUser(mgmt(p), "invited@example.com");
		expect(invited).toMatchObject({ status: "invited", password: false });
	});

	it("concurrent sign-ups of one login id: exactly one wins, the others get E062107", async () => {
		const p = await newProject();
		const results = await Promise.all([1, 2, 3].map(() => signUp(p, "race@example.com")));
		expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
		for (const r of results.filter((x) => x.status === 409)) expectError(r, 409, "E062107");
		const winner = results.find((r) => r.status === 200)?.body;
		expect((await loadUser(mgmt(p), "race@example.com")).userId).toBe(winner.user.userId);
	});

	it("validates the user fields like a create does", async () => {
		const p = await newProject();
		expectError(
			await signUp(p, "bad-email", PASSWORD, { user: { email: "not-an-email" } }),
			400,
			"E011004",
			"email",
		);
		expect(await loadUser(mgmt(p), "bad-email")).toBeNull();
	});

	it("records the sign-up in the history", async () => {
		const p = await newProject();
		const { user } = await signedUp(p, "hist");
		const [entry] = await historyOf(mgmt(p), user.userId);
		expect(entry).toMatchObject({ userId: user.userId, outcome: "success", method: "password-signup" });
	});

	it("refuses missing, empty and mistyped fields naming them", async () => {
		const p = await newProject();
		const post = (body: unknown) => authPost(p, "/v1/auth/password/signup", body);
		expectError(await post({ password: PASSWORD }), 400, "E011002", "loginId");
		expectError(await post({ loginId: "x" }), 400, "E011002", "password");
		expectError(await post({ loginId: "", password: PASSWORD }), 400, "E011004", "loginId");
		expectError(await post({ loginId: "x", password: "" }), 400, "E011004", "password");
		expectError(await post({ loginId: 42, password: PASSWORD }), 400, "E011004", "loginId");
		expectError(await post({ loginId: "x", password: 12345678 }), 400, "E011004", "password");
		expectError(await post({ loginId: "x", password: PASSWORD, user: "nope" }), 400, "E011004", "user");
		expect(await loadUser(mgmt(p), "x")).toBeNull();
	});
});

describe("POST /v1/auth/password/signin", () => {
	it("signs in with the right password and answers the JWTResponse", async () => {
		const p = await newProject();
		const { user } = await signedUp(p, "alice");
		const body = await signedIn(p, "alice");
		expect(body).toMatchObject({ firstSeen: false, cookiePath: "/", cookieDomain: "" });
		expectWireUser(body.user, { loginIds: ["alice"], status: "enabled", password: true });
		expect(body.user.userId).toBe(user.userId);
		expect(body.claims.sub).toBe(user.userId);
	});

	it("finds the login id case-insensitively", async () => {
		const p = await newProject();
		await signedUp(p, "Mixed@Example.com");
		expectStatus(await signIn(p, "mixed@example.COM"), 200);
	});

	it("refuses a wrong password and an unknown login id alike: 401 with the same message", async () => {
		const p = await newProject();
		await signedUp(p, "bob");
		const wrong = await signIn(p, "bob", "not-the-password");
		const unknown = await signIn(p, "nobody", PASSWORD);
		expectError(wrong, 401, "E011401");
		expectError(unknown, 401, "E011401");
		expect(unknown.body).toEqual(wrong.body);
	});

	it("refuses a user without a password like an unknown one", async () => {
		const p = await newProject();
		await createUser(mgmt(p), { loginId: "nopass" });
		const res = await signIn(p, "nopass", PASSWORD);
		expectError(res, 401, "E011401");
		expect(res.body).toEqual((await signIn(p, "nobody", PASSWORD)).body);
	});

	it("refuses a disabled user even with the right password", async () => {
		const p = await newProject();
		const api = mgmt(p);
		await signedUp(p, "dis");
		expectStatus(await api.post("/v1/mgmt/user/update/status", { loginId: "dis", status: "disabled" }), 200);
		expectError(await signIn(p, "dis", PASSWORD), 403, "E011403", "disabled");
		expectStatus(await api.post("/v1/mgmt/user/update/status", { loginId: "dis", status: "enabled" }), 200);
		expectStatus(await signIn(p, "dis", PASSWORD), 200);
	});

	// Whether an account is disabled is for someone who knows its password to learn.
	it("answers a wrong password for a disabled user like any bad credential (401)", async () => {
		const p = await newProject();
		await signedUp(p, "quiet");
		await mgmt(p).post("/v1/mgmt/user/update/status", { loginId: "quiet", status: "disabled" });
		const res = await signIn(p, "quiet", "wrong-password");
		expectError(res, 401, "E011401");
		expect(res.body).toEqual((await signIn(p, "nobody", "wrong-password")).body);
	});

	it("registers an invited user at the first successful sign-in: enabled, firstSeen, registration time", async () => {
		const p = await newProject();
		const api = mgmt(p);
		const created = await createUser(api, { loginId: "inv@example.com", invite: true, password: PASSWORD });
		expect(created.status).toBe("invited");
		expect(await registrationTime(p, created.userId)).toBeNull();

		expectError(await signIn(p, "inv@example.com", "wrong-password"), 401, "E011401");
		expect((await loadUser(api, "inv@example.com")).status).toBe("invited");

		const first = await signedIn(p, "inv@example.com");
		expect(first.firstSeen).toBe(true);
		expect(first.user.status).toBe("enabled");
		expect((await loadUser(api, "inv@example.com")).status).toBe("enabled");
		const registered = await registrationTime(p, created.userId);
		expect(registered).toEqual(expect.any(Number));
		expect(Math.abs((registered as number) - Date.now())).toBeLessThan(60_000);

		const second = await signedIn(p, "inv@example.com");
		expect(second.firstSeen).toBe(false);
		expect(await registrationTime(p, created.userId)).toBe(registered);
	});

	it("signs in with an additional login id", async () => {
		const p = await newProject();
		const user = await createUser(mgmt(p), {
			loginId: "primary",
			additionalLoginIds: ["alias@example.com"],
			password: PASSWORD,
		});
		const body = await signedIn(p, "alias@example.com");
		expect(body.user.userId).toBe(user.userId);
	});

	it("opens one session per sign-in in the user's session object", async () => {
		const p = await newProject();
		const { user } = await signedUp(p, "multi");
		await signedIn(p, "multi");
		await signedIn(p, "multi");
		expect(await liveSessions(p, user.userId)).toHaveLength(3);
	});

	it("refuses missing and mistyped fields naming them, and malformed JSON", async () => {
		const p = await newProject();
		const post = (body: unknown) => authPost(p, "/v1/auth/password/signin", body);
		expectError(await post({ password: PASSWORD }), 400, "E011002", "loginId");
		expectError(await post({ loginId: "x" }), 400, "E011002", "password");
		expectError(await post({ loginId: ["x"], password: PASSWORD }), 400, "E011004", "loginId");
		expectError(await post({ loginId: "x", password: true }), 400, "E011004", "password");
		expectError(
			await post({ loginId: "x", password: PASSWORD, loginOptions: 3 }),
			400,
			"E011004",
			"loginOptions",
		);
		const malformed = await call("POST", "/v1/auth/password/signin", {
			rawBody: '{"loginId": "x", "password":',
			headers: { ...endUser(p), "content-type": "application/json" },
		});
		expectError(malformed, 400, "E011001");
	});

	it("refuses a missing or malformed project bearer with 401", async () => {
		const p = await newProject();
		await signedUp(p, "who");
		const body = { loginId: "who", password: PASSWORD };
		expectError(await call("POST", "/v1/auth/password/signin", { body }), 401, "E011401");
		for (const authorization of ["Bearer", "Basic abc", "Bearer not-a-project", `${p.projectId}`]) {
			const res = await call("POST", "/v1/auth/password/signin", { body, headers: { authorization } });
			expectError(res, 401, "E011401");
		}
		const otherProject = await newProject();
		expectError(await signIn(otherProject, "who"), 401, "E011401");
	});
});

describe("POST /v1/auth/password/replace", () => {
	const replace = (p: TestProject, body: unknown) => authPost(p, "/v1/auth/password/replace", body);

	it("needs the old password, then signs in with the new one; other sessions end", async () => {
		const p = await newProject();
		const up = await signedUp(p, "rep");
		const other = await signedIn(p, "rep");

		expectError(
			await replace(p, { loginId: "rep", oldPassword: "wrong-old-pw", newPassword: OTHER_PASSWORD }),
			401,
			"E011401",
		);
		await expectLive(p, other.refreshJwt, "a failed replace ends nothing");

		const res = await replace(p, { loginId: "rep", oldPassword: PASSWORD, newPassword: OTHER_PASSWORD });
		const body = expectStatus(res, 200);
		expect(body.user.userId).toBe(up.user.userId);
		expect(body.claims).toMatchObject({ sub: up.user.userId, drn: "DS" });
		await expectRevoked(p, up.refreshJwt, "sign-up session");
		await expectRevoked(p, other.refreshJwt, "other sign-in");
		await expectLive(p, body.refreshJwt, "the replace's own session");
		expect(await liveSessions(p, up.user.userId)).toHaveLength(1);

		expectError(await signIn(p, "rep", PASSWORD), 401, "E011401");
		expectStatus(await signIn(p, "rep", OTHER_PASSWORD), 200);
	});

	it("replaces a temporary password", async () => {
		const p = await newProject();
		const api = mgmt(p);
		await createUser(api, { loginId: "temp" });
		expectStatus(
			await api.post("/v1/mgmt/user/password/set/temporary", { loginId: "temp", password: PASSWORD }),
			200,
		);
		expectError(await signIn(p, "temp"), 400, "E062909");
		expectStatus(
			await replace(p, { loginId: "temp", oldPassword: PASSWORD, newPassword: OTHER_PASSWORD }),
			200,
		);
		expectStatus(await signIn(p, "temp", OTHER_PASSWORD), 200);
	});

	it("replaces an expired password", async () => {
		const p = await newProject();
		const api = mgmt(p);
		await signedUp(p, "exp");
		expectStatus(await api.post("/v1/mgmt/user/password/expire", { loginId: "exp" }), 200);
		expectError(await signIn(p, "exp"), 400, "E062909");
		expectStatus(
			await replace(p, { loginId: "exp", oldPassword: PASSWORD, newPassword: OTHER_PASSWORD }),
			200,
		);
		expectStatus(await signIn(p, "exp", OTHER_PASSWORD), 200);
		expect((await loadUser(api, "exp")).password).toBe(true);
	});

	it("enforces the project's policy on the new password, naming newPassword; nothing changes", async () => {
		const p = await newProject();
		const up = await signedUp(p, "pol", "Str0ng-Enough!");
		await configureProject(p, { passwordPolicy: strictPolicy });
		const res = await replace(p, {
			loginId: "pol",
			oldPassword: "Str0ng-Enough!",
			newPassword: "weakweakweak",
		});
		expectError(res, 400, "E011004", "newPassword");
		await expectLive(p, up.refreshJwt, "a refused replace ends nothing");
		expectStatus(await signIn(p, "pol", "Str0ng-Enough!"), 200);
	});

	it("refuses an unknown login id with 401 and missing fields with 400 naming them", async () => {
		const p = await newProject();
		expectError(
			await replace(p, { loginId: "ghost", oldPassword: PASSWORD, newPassword: OTHER_PASSWORD }),
			401,
			"E011401",
		);
		expectError(
			await replace(p, { oldPassword: PASSWORD, newPassword: OTHER_PASSWORD }),
			400,
			"E011002",
			"loginId",
		);
		expectError(
			await replace(p, { loginId: "x", newPassword: OTHER_PASSWORD }),
			400,
			"E011002",
			"oldPassword",
		);
		expectError(await replace(p, { loginId: "x", oldPassword: PASSWORD }), 400, "E011002", "newPassword");
		expectError(
			await replace(p, { loginId: "x", oldPassword: PASSWORD, newPassword: 7 }),
			400,
			"E011004",
			"newPassword",
		);
	});
});

describe("POST /v1/auth/password/update", () => {
	const update = (p: TestProject, body: unknown, refreshJwt?: string) =>
		authPost(p, "/v1/auth/password/update", body, refreshJwt);

	it("changes the signed-in user's password and ends every session, also the caller's", async () => {
		const p = await newProject();
		const up = await signedUp(p, "upd");
		const other = await signedIn(p, "upd");
		const res = await update(p, { loginId: "upd", newPassword: OTHER_PASSWORD }, other.refreshJwt);
		expect(expectStatus(res, 200)).toEqual({});
		await expectRevoked(p, up.refreshJwt, "first session");
		await expectRevoked(p, other.refreshJwt, "the caller's session");
		expect(await liveSessions(p, up.user.userId)).toEqual([]);
		expectError(await signIn(p, "upd", PASSWORD), 401, "E011401");
		expectStatus(await signIn(p, "upd", OTHER_PASSWORD), 200);
	});

	it("refuses a login id that is not the signed-in user's", async () => {
		const p = await newProject();
		const mine = await signedUp(p, "mine");
		await signedUp(p, "theirs");
		const res = await update(p, { loginId: "theirs", newPassword: OTHER_PASSWORD }, mine.refreshJwt);
		expectError(res, 403, "E011403", "login id");
		expectStatus(await signIn(p, "theirs", PASSWORD), 200);
		await expectLive(p, mine.refreshJwt, "a refused update ends nothing");
	});

	it("enforces the policy naming newPassword", async () => {
		const p = await newProject();
		const up = await signedUp(p, "weakupd");
		expectError(
			await update(p, { loginId: "weakupd", newPassword: "short" }, up.refreshJwt),
			400,
			"E011004",
			"newPassword",
		);
		await expectLive(p, up.refreshJwt);
	});

	it("needs a refresh token: 401 without one or with a garbage one", async () => {
		const p = await newProject();
		await signedUp(p, "norefresh");
		expectError(await update(p, { loginId: "norefresh", newPassword: OTHER_PASSWORD }), 401, "E011401");
		expectError(
			await update(p, { loginId: "norefresh", newPassword: OTHER_PASSWORD }, "garbage"),
			401,
			"E011401",
		);
		expectStatus(await signIn(p, "norefresh", PASSWORD), 200);
	});

	it("refuses missing fields naming them", async () => {
		const p = await newProject();
		const up = await signedUp(p, "fields");
		expectError(await update(p, { newPassword: OTHER_PASSWORD }, up.refreshJwt), 400, "E011002", "loginId");
		expectError(await update(p, { loginId: "fields" }, up.refreshJwt), 400, "E011002", "newPassword");
	});
});

describe("GET /v1/auth/password/policy", () => {
	it("answers the default policy, then the one the operator set", async () => {
		const p = await newProject();
		expect(expectStatus(await authGet(p, "/v1/auth/password/policy"), 200)).toEqual(DEFAULT_POLICY);
		await configureProject(p, { passwordPolicy: strictPolicy });
		expect(expectStatus(await authGet(p, "/v1/auth/password/policy"), 200)).toEqual(strictPolicy);
	});

	it("needs the bearer of an existing project", async () => {
		expectError(await call("GET", "/v1/auth/password/policy"), 401, "E011401");
		const unknown = { authorization: `Bearer P${"0".repeat(27)}` };
		expectError(await call("GET", "/v1/auth/password/policy", { headers: unknown }), 401, "E011401");
	});
});

describe("lockout", () => {
	it("locks after the project's lockoutAttempts failures: 429 E130429 with Retry-After, even for the right password", async () => {
		const p = await newProject();
		await configureProject(p, { lockoutAttempts: 3, lockoutSeconds: 60 });
		const { user } = await signedUp(p, "lock");
		const api = mgmt(p);

		expectError(await signIn(p, "lock", "wrong-1-pw"), 401, "E011401");
		expectError(await signIn(p, "lock", "wrong-2-pw"), 401, "E011401");
		const third = await signIn(p, "lock", "wrong-3-pw");
		expectError(third, 429, "E130429");
		expect(third.headers.get("retry-after")).toBe("60");
		const locked = await signIn(p, "lock", PASSWORD);
		expectError(locked, 429, "E130429");
		const retryAfter = Number(locked.headers.get("retry-after"));
		expect(retryAfter).toBeGreaterThan(0);
		expect(retryAfter).toBeLessThanOrEqual(60);
		// replace checks the same lock.
		const rep = await authPost(p, "/v1/auth/password/replace", {
			loginId: "lock",
			oldPassword: PASSWORD,
			newPassword: OTHER_PASSWORD,
		});
		expectError(rep, 429, "E130429");

		const outcomes = (await historyOf(api, user.userId)).map((e) => e.outcome);
		expect(outcomes.slice(0, 6)).toEqual([
			"locked",
			"locked",
			"wrong-password",
			"wrong-password",
			"wrong-password",
			"success",
		]);
		const row = await env.DB.prepare("SELECT locked_until AS t FROM users WHERE project_id = ? AND id = ?")
			.bind(p.projectId, user.userId)
			.first<{ t: number | null }>();
		expect(row?.t).toBeGreaterThan(Date.now());
	});

	it("a success resets the count", async () => {
		const p = await newProject();
		await configureProject(p, { lockoutAttempts: 3, lockoutSeconds: 60 });
		await signedUp(p, "reset");
		for (let round = 0; round < 3; round++) {
			expectError(await signIn(p, "reset", "wrong-pw-1"), 401, "E011401");
			expectError(await signIn(p, "reset", "wrong-pw-2"), 401, "E011401");
			expectStatus(await signIn(p, "reset", PASSWORD), 200);
		}
	});

	it("lifts the lock after lockoutSeconds", async () => {
		const p = await newProject();
		await configureProject(p, { lockoutAttempts: 2, lockoutSeconds: 1 });
		await signedUp(p, "brief");
		expectError(await signIn(p, "brief", "wrong-pw-1"), 401, "E011401");
		expectError(await signIn(p, "brief", "wrong-pw-2"), 429, "E130429");
		expectError(await signIn(p, "brief", PASSWORD), 429, "E130429");
		await new Promise((resolve) => setTimeout(resolve, 1100));
		// The count starts again: one failure does not lock at once.
		expectError(await signIn(p, "brief", "wrong-pw-3"), 401, "E011401");
		expectStatus(await signIn(p, "brief", PASSWORD), 200);
	});

	it("locks only the user that failed", async () => {
		const p = await newProject();
		await configureProject(p, { lockoutAttempts: 2, lockoutSeconds: 60 });
		await signedUp(p, "victim");
		await signedUp(p, "bystander");
		await signIn(p, "victim", "wrong-pw-1");
		expectError(await signIn(p, "victim", "wrong-pw-2"), 429, "E130429");
		expectStatus(await signIn(p, "bystander", PASSWORD), 200);
	});

	it("counts concurrent failures exactly", async () => {
		const p = await newProject();
		await configureProject(p, { lockoutAttempts: 3, lockoutSeconds: 60 });
		await signedUp(p, "burst");
		const results = await Promise.all([1, 2, 3, 4, 5].map((i) => signIn(p, "burst", `wrong-pw-${i}`)));
		expect(results.map((r) => r.status).sort()).toEqual([401, 401, 429, 429, 429]);
		expectError(await signIn(p, "burst", PASSWORD), 429, "E130429");
	});

	it("counts failed replaces with the sign-in failures", async () => {
		const p = await newProject();
		await configureProject(p, { lockoutAttempts: 2, lockoutSeconds: 60 });
		await signedUp(p, "mixed");
		const replace = (oldPassword: string) =>
			authPost(p, "/v1/auth/password/replace", {
				loginId: "mixed",
				oldPassword,
				newPassword: OTHER_PASSWORD,
			});
		expectError(await replace("wrong-old-1"), 401, "E011401");
		expectError(await signIn(p, "mixed", "wrong-pw-2"), 429, "E130429");
		expectError(await replace(PASSWORD), 429, "E130429");
	});

	it("does not lock unknown login ids (there is nothing to lock)", async () => {
		const p = await newProject();
		await configureProject(p, { lockoutAttempts: 2, lockoutSeconds: 60 });
		for (let i = 0; i < 4; i++) expectError(await signIn(p, "ghost", `wrong-pw-${i}`), 401, "E011401");
	});

	it("never locks with lockoutAttempts 0", async () => {
		const p = await newProject();
		await configureProject(p, { lockoutAttempts: 0 });
		await signedUp(p, "never");
		for (let i = 0; i < 12; i++) expectError(await signIn(p, "never", `wrong-pw-${i}`), 401, "E011401");
		expectStatus(await signIn(p, "never", PASSWORD), 200);
	});
});
