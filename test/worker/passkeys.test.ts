import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import {
	type CallResult,
	call,
	createUser,
	expectDescopeError,
	expectStatus,
	expectWireUser,
	loadUser,
	mgmt,
	newProject,
} from "./harness";
import { b64url, ORIGIN, passkeyClient, SoftAuthenticator } from "./support/authenticator";

// Passkey sign-up and sign-in through /v1/auth/webauthn/* with a software authenticator.

async function setup() {
	const project = await newProject();
	return {
		project,
		api: mgmt(project),
		client: passkeyClient(project.projectId),
		authenticator: new SoftAuthenticator(),
	};
}

/** A refused ceremony: a 4xx in the Descope envelope and no tokens. */
function expectRefused(res: CallResult, status: number, errorCode: string, messagePart?: string) {
	expectDescopeError(res, status, errorCode, messagePart);
	expect(res.body.sessionJwt).toBeUndefined();
	expect(res.body.refreshJwt).toBeUndefined();
}

async function signedUp(loginId = "ada@example.com") {
	const ctx = await setup();
	const res = await ctx.client.signUp(ctx.authenticator, loginId);
	const body = expectStatus(res, 200);
	return { ...ctx, loginId, user: body.user, refreshJwt: body.refreshJwt as string };
}

const challengeRow = (id: string) =>
	env.DB.prepare("SELECT * FROM webauthn_challenges WHERE id = ?").bind(id).first<Record<string, unknown>>();

/** The user's sign-in history outcomes, newest first. */
async function outcomes(api: ReturnType<typeof mgmt>, userId: string) {
	const res = expectStatus<{ outcome: string; method: string }[]>(
		await api.post("/v1/mgmt/user/history", [userId]),
		200,
	);
	return res.map((e) => `${e.method}:${e.outcome}`);
}

describe("sign-up", () => {
	it("start answers creation options for the origin's host and stores a 5-minute challenge", async () => {
		const { client } = await setup();
		const before = Date.now();
		const body = expectStatus(await client.signUpStart("ada@example.com"), 200);
		expect(Object.keys(body).sort()).toEqual(["create", "options", "transactionId"]);
		expect(body.create).toBe(true);
		const { publicKey } = JSON.parse(body.options);
		expect(publicKey).toMatchObject({
			rp: { id: "app.example.com", name: "test" },
			user: { name: "ada@example.com", displayName: "Ada" },
			challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
			timeout: 300000,
			attestation: "none",
			authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
		});
		expect(publicKey.pubKeyCredParams).toContainEqual({ alg: -7, type: "public-key" });
		const row = await challengeRow(body.transactionId);
		expect(row).toMatchObject({ kind: "register", user_id: null, rp_id: "app.example.com", origin: ORIGIN });
		expect(row?.challenge).toBe(publicKey.challenge);
		expect(Number(row?.expires_at) - before).toBeGreaterThanOrEqual(5 * 60 * 1000);
		expect(Number(row?.expires_at) - Date.now()).toBeLessThanOrEqual(5 * 60 * 1000);
	});

	it("finish creates an enabled user holding the passkey and signs in with amr webauthn", async () => {
		const { client, authenticator, api } = await setup();
		const start = expectStatus(await client.signUpStart("ada@example.com"), 200);
		const credential = await authenticator.create(JSON.parse(start.options), ORIGIN);
		const body = expectStatus(await client.finish("signup", start.transactionId, credential), 200);
		expect(body).toMatchObject({
			sessionJwt: expect.any(String),
			refreshJwt: expect.any(String),
			cookiePath: "/",
			firstSeen: true,
			claims: { amr: ["webauthn"], drn: "DS" },
		});
		expectWireUser(body.user, {
			loginIds: ["ada@example.com"],
			name: "Ada",
			status: "enabled",
			webauthn: true,
		});
		expect(decodeJwt(body.sessionJwt)).toMatchObject({ sub: body.user.userId, amr: ["webauthn"] });
		expect(decodeJwt(body.refreshJwt)).toMatchObject({ sub: body.user.userId, drn: "DSR" });
		expect(await loadUser(api, "ada@example.com")).toMatchObject({ webauthn: true, status: "enabled" });
		expect(await challengeRow(start.transactionId), "the challenge is used up").toBeNull();
		const stored = await env.DB.prepare("SELECT * FROM passkeys WHERE id = ?").bind(credential.id).first();
		expect(stored).toMatchObject({ user_id: body.user.userId, rp_id: "app.example.com", counter: 0 });
		expect(JSON.parse(stored?.transports as string)).toEqual(["internal", "hybrid"]);
		expect(await outcomes(api, body.user.userId)).toEqual(["webauthn-signup:success"]);
	});

	it("refuses a login id that exists, an invited user's too (E062107)", async () => {
		const { client, api } = await setup();
		await createUser(api, { loginId: "taken@example.com", email: "taken@example.com" });
		expectRefused(await client.signUpStart("TAKEN@example.com"), 409, "E062107");
	});

	it("refuses a login id taken between start and finish, and creates nothing", async () => {
		const { client, authenticator, api } = await setup();
		const start = expectStatus(await client.signUpStart("race@example.com"), 200);
		await createUser(api, { loginId: "race@example.com" });
		const credential = await authenticator.create(JSON.parse(start.options), ORIGIN);
		expectRefused(await client.finish("signup", start.transactionId, credential), 409, "E062107");
		const count = await env.DB.prepare("SELECT count(*) AS n FROM passkeys WHERE id = ?")
			.bind(credential.id)
			.first();
		expect(count?.n).toBe(0);
	});

	it("accepts https origins and http only on localhost / 127.0.0.1", async () => {
		const { client } = await setup();
		for (const [origin, rpId] of [
			["http://localhost:8787", "localhost"],
			["http://127.0.0.1:3000", "127.0.0.1"],
			["https://Login.Example.COM:8443", "login.example.com"],
		] as const) {
			const body = expectStatus(await client.signUpStart("o@example.com", { origin }), 200);
			expect(JSON.parse(body.options).publicKey.rp.id).toBe(rpId);
		}
		for (const origin of [
			"http://app.example.com",
			"https://app.example.com/login",
			"https://app.example.com?x=1",
			"https://user@app.example.com",
			"https://10.0.0.1",
			"ftp://app.example.com",
			"app.example.com",
			"",
		]) {
			const res = await client.signUpStart("o@example.com", { origin });
			expect(res.status, `${origin}: ${JSON.stringify(res.body)}`).toBe(400);
			expect(res.body.errorMessage).toContain("origin");
		}
	});

	it("refuses a missing login id and an unknown project", async () => {
		const { client } = await setup();
		expectRefused(
			await client.post("signup/start", { user: { loginId: "" }, origin: ORIGIN }),
			400,
			"E011004",
		);
		expectRefused(await client.post("signup/start", { origin: ORIGIN }), 400, "E011002");
		const stranger = passkeyClient(`P${"x".repeat(27)}`);
		expectRefused(await stranger.signUpStart("ada@example.com"), 401, "E011401");
	});

	it("refuses a registration made for another origin or RP ID, and creates no user", async () => {
		const { client, authenticator, api } = await setup();
		for (const tamper of [{ origin: "https://evil.example.com" }, { rpId: "evil.example.com" }]) {
			const start = expectStatus(await client.signUpStart("ada@example.com"), 200);
			const credential = await authenticator.create(JSON.parse(start.options), ORIGIN, tamper);
			expectRefused(
				await client.finish("signup", start.transactionId, credential),
				401,
				"E011401",
				"verification",
			);
		}
		expect(await loadUser(api, "ada@example.com")).toBeNull();
	});

	it("refuses an unparseable response", async () => {
		const { client } = await setup();
		const start = expectStatus(await client.signUpStart("ada@example.com"), 200);
		const res = await client.post("signup/finish", {
			transactionId: start.transactionId,
			response: "{not json",
		});
		expectRefused(res, 400, "E011004", "response");
	});

	it("carries loginOptions.customClaims into the session, under nsec", async () => {
		const { client, authenticator } = await setup();
		const start = expectStatus(
			await client.signUpStart("ada@example.com", { loginOptions: { customClaims: { plan: "pro" } } }),
			200,
		);
		const credential = await authenticator.create(JSON.parse(start.options), ORIGIN);
		const body = expectStatus(await client.finish("signup", start.transactionId, credential), 200);
		const claims = decodeJwt(body.sessionJwt);
		expect(claims).toMatchObject({ nsec: { plan: "pro" }, amr: ["webauthn"] });
		expect(claims.plan).toBeUndefined();
	});
});

describe("sign-in", () => {
	it("start offers the user's passkeys; an unknown login id is E062108", async () => {
		const { client, authenticator } = await signedUp();
		const body = expectStatus(await client.signInStart("ADA@example.com"), 200);
		expect(body.create).toBe(false);
		const { publicKey } = JSON.parse(body.options);
		expect(publicKey).toMatchObject({
			rpId: "app.example.com",
			timeout: 300000,
			userVerification: "preferred",
		});
		expect(publicKey.allowCredentials).toEqual([
			{
				id: b64url(authenticator.credentials[0]?.id as Uint8Array),
				type: "public-key",
				transports: ["internal", "hybrid"],
			},
		]);
		expect(await challengeRow(body.transactionId)).toMatchObject({
			kind: "authenticate",
			user_id: expect.any(String),
		});
		expectRefused(await client.signInStart("nobody@example.com"), 404, "E062108");
	});

	it("a user with no passkey for the origin's host cannot start", async () => {
		const { client, api } = await signedUp();
		expectRefused(
			await client.signInStart("ada@example.com", { origin: "https://other.example.com" }),
			404,
			"E011404",
		);
		await createUser(api, { loginId: "plain@example.com", status: "enabled" });
		expectRefused(await client.signInStart("plain@example.com"), 404, "E011404");
	});

	it("finish signs in, advances the counter and records the sign-in", async () => {
		const { client, authenticator, api, user } = await signedUp();
		const body = expectStatus(await client.signIn(authenticator, "ada@example.com"), 200);
		expect(body).toMatchObject({ firstSeen: false, claims: { amr: ["webauthn"], sub: user.userId } });
		expectWireUser(body.user, {
			loginIds: ["ada@example.com"],
			name: "Ada",
			status: "enabled",
			webauthn: true,
		});
		expectStatus(await client.signIn(authenticator, "ada@example.com"), 200);
		const stored = await env.DB.prepare("SELECT counter, last_used_at FROM passkeys WHERE user_id = ?")
			.bind(user.userId)
			.first<{ counter: number; last_used_at: number }>();
		expect(stored?.counter).toBe(2);
		expect(Math.abs((stored?.last_used_at ?? 0) - Date.now())).toBeLessThan(60_000);
		expect(await outcomes(api, user.userId)).toEqual([
			"webauthn:success",
			"webauthn:success",
			"webauthn-signup:success",
		]);
	});

	it("the new refresh JWT works with /v1/auth/refresh", async () => {
		const { client, authenticator, project } = await signedUp();
		const body = expectStatus(await client.signIn(authenticator, "ada@example.com"), 200);
		const res = await call("POST", "/v1/auth/refresh", {
			body: {},
			headers: { authorization: `Bearer ${project.projectId}:${body.refreshJwt}` },
		});
		expect(expectStatus(res, 200).claims.amr).toEqual(["webauthn"]);
	});

	it("usernameless: an empty login id offers no credentials and finds the user by the passkey", async () => {
		const { client, authenticator, user } = await signedUp();
		const start = expectStatus(await client.signInStart(""), 200);
		const { publicKey } = JSON.parse(start.options);
		expect(publicKey.allowCredentials ?? []).toEqual([]);
		const assertion = await authenticator.get(JSON.parse(start.options), ORIGIN);
		const body = expectStatus(await client.finish("signin", start.transactionId, assertion), 200);
		expect(body.user.userId).toBe(user.userId);
	});

	it("refuses a wrong signature, and a signature by another key", async () => {
		const { client, authenticator, api, user } = await signedUp();
		expectRefused(
			await client.signIn(authenticator, "ada@example.com", { badSignature: true }),
			401,
			"E011401",
		);
		expectRefused(await client.signIn(authenticator, "ada@example.com", { wrongKey: true }), 401, "E011401");
		expect((await outcomes(api, user.userId)).slice(0, 2)).toEqual([
			"webauthn:webauthn-failed",
			"webauthn:webauthn-failed",
		]);
	});

	it("refuses an assertion made for another origin or RP ID", async () => {
		const { client, authenticator } = await signedUp();
		const origin = await client.signIn(authenticator, "ada@example.com", {
			origin: "https://evil.example.com",
		});
		expectRefused(origin, 401, "E011401", "origin");
		const rpId = await client.signIn(authenticator, "ada@example.com", { rpId: "evil.example.com" });
		expectRefused(rpId, 401, "E011401", "RP ID");
		const type = await client.signIn(authenticator, "ada@example.com", { type: "webauthn.create" });
		expectRefused(type, 401, "E011401");
	});

	it("a challenge is single use: after a success, and after a failure", async () => {
		const { client, authenticator } = await signedUp();
		const start = expectStatus(await client.signInStart("ada@example.com"), 200);
		const options = JSON.parse(start.options);
		const assertion = await authenticator.get(options, ORIGIN);
		expectStatus(await client.finish("signin", start.transactionId, assertion), 200);
		expectRefused(
			await client.finish("signin", start.transactionId, assertion),
			401,
			"E011401",
			"transactionId",
		);
		const again = await authenticator.get(options, ORIGIN);
		expectRefused(await client.finish("signin", start.transactionId, again), 401, "E011401", "transactionId");

		const second = expectStatus(await client.signInStart("ada@example.com"), 200);
		const bad = await authenticator.get(JSON.parse(second.options), ORIGIN, { badSignature: true });
		expectRefused(await client.finish("signin", second.transactionId, bad), 401, "E011401");
		const good = await authenticator.get(JSON.parse(second.options), ORIGIN);
		expectRefused(await client.finish("signin", second.transactionId, good), 401, "E011401", "transactionId");
		expect(await challengeRow(second.transactionId)).toBeNull();
	});

	it("refuses an expired challenge and deletes it", async () => {
		const { client, authenticator } = await signedUp();
		const start = expectStatus(await client.signInStart("ada@example.com"), 200);
		await env.DB.prepare("UPDATE webauthn_challenges SET expires_at = ? WHERE id = ?")
			.bind(Date.now() - 1000, start.transactionId)
			.run();
		const assertion = await authenticator.get(JSON.parse(start.options), ORIGIN);
		expectRefused(await client.finish("signin", start.transactionId, assertion), 401, "E011401", "expired");
		expect(await challengeRow(start.transactionId)).toBeNull();
	});

	it("refuses an unknown credential", async () => {
		const { client } = await signedUp();
		const stranger = new SoftAuthenticator();
		const start = expectStatus(await client.signInStart("ada@example.com"), 200);
		const options = JSON.parse(start.options);
		await stranger.create(
			{ publicKey: { rp: { id: "app.example.com" }, challenge: "x", user: { id: "u" } } },
			ORIGIN,
		);
		const assertion = await stranger.get(
			{ publicKey: { ...options.publicKey, allowCredentials: [] } },
			ORIGIN,
		);
		expectRefused(
			await client.finish("signin", start.transactionId, assertion),
			401,
			"E011401",
			"Unknown passkey",
		);
	});

	it("refuses another user's passkey for a sign-in started for a login id", async () => {
		const { client, project } = await signedUp("ada@example.com");
		const other = new SoftAuthenticator();
		expectStatus(await passkeyClient(project.projectId).signUp(other, "bob@example.com"), 200);
		const start = expectStatus(await client.signInStart("ada@example.com"), 200);
		const bobs = other.credentials[0];
		const assertion = await other.get(JSON.parse(start.options), ORIGIN, {}, bobs);
		expectRefused(
			await client.finish("signin", start.transactionId, assertion),
			401,
			"E011401",
			"Unknown passkey",
		);
	});

	it("refuses a counter that does not advance", async () => {
		const { client, authenticator } = await signedUp();
		expectStatus(await client.signIn(authenticator, "ada@example.com", { counter: 5 }), 200);
		expectRefused(
			await client.signIn(authenticator, "ada@example.com", { counter: 5 }),
			401,
			"E011401",
			"counter",
		);
		expectRefused(
			await client.signIn(authenticator, "ada@example.com", { counter: 3 }),
			401,
			"E011401",
			"counter",
		);
		expectStatus(await client.signIn(authenticator, "ada@example.com", { counter: 6 }), 200);
	});

	it("requires user verification when the start asked for it", async () => {
		const { client, authenticator } = await signedUp();
		const start = expectStatus(
			await client.signInStart("ada@example.com", { passkeyOptions: { userVerification: "required" } }),
			200,
		);
		expect(JSON.parse(start.options).publicKey.userVerification).toBe("required");
		const assertion = await authenticator.get(JSON.parse(start.options), ORIGIN, { noUv: true });
		expectRefused(
			await client.finish("signin", start.transactionId, assertion),
			401,
			"E011401",
			"verification",
		);
		// Without the requirement, presence is enough.
		expectStatus(await client.signIn(authenticator, "ada@example.com", { noUv: true }), 200);
	});

	it("a transaction of one kind or project cannot finish another", async () => {
		const { client, authenticator } = await signedUp();
		const start = expectStatus(await client.signInStart("ada@example.com"), 200);
		const assertion = await authenticator.get(JSON.parse(start.options), ORIGIN);
		const elsewhere = passkeyClient((await newProject()).projectId);
		expectRefused(
			await elsewhere.finish("signin", start.transactionId, assertion),
			401,
			"E011401",
			"transactionId",
		);
		expectRefused(
			await client.finish("signup", start.transactionId, assertion),
			401,
			"E011401",
			"transactionId",
		);
		expectRefused(
			await client.finish("update", start.transactionId, assertion),
			401,
			"E011401",
			"transactionId",
		);
	});

	it("a disabled user cannot sign in, whether disabled before start or before finish", async () => {
		const { client, authenticator, api, user } = await signedUp();
		const start = expectStatus(await client.signInStart("ada@example.com"), 200);
		expectStatus(
			await api.post("/v1/mgmt/user/update/status", { loginId: "ada@example.com", status: "disabled" }),
			200,
		);
		const assertion = await authenticator.get(JSON.parse(start.options), ORIGIN);
		expectRefused(await client.finish("signin", start.transactionId, assertion), 403, "E011403", "disabled");
		expectRefused(await client.signInStart("ada@example.com"), 403, "E011403", "disabled");
		expect((await outcomes(api, user.userId))[0]).toBe("webauthn:disabled");
	});

	it("an invited user who signs in with a passkey becomes enabled", async () => {
		const { client, authenticator, api } = await signedUp();
		expectStatus(
			await api.post("/v1/mgmt/user/update/status", { loginId: "ada@example.com", status: "invited" }),
			200,
		);
		const body = expectStatus(await client.signIn(authenticator, "ada@example.com"), 200);
		expect(body.firstSeen).toBe(true);
		expect(body.user.status).toBe("enabled");
		expect(await loadUser(api, "ada@example.com")).toMatchObject({ status: "enabled" });
	});
});
