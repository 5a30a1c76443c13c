import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createUser, expectDescopeError, expectStatus, loadUser, mgmt, newProject } from "./harness";
import { b64url, ORIGIN, passkeyClient, SoftAuthenticator } from "./support/authenticator";

// Adding a passkey to a signed-in user (/v1/auth/webauthn/update/*) and the management routes
// that list and remove a user's passkeys.

async function signedUp(loginId = "ada@example.com", authenticator = new SoftAuthenticator()) {
	const project = await newProject();
	const client = passkeyClient(project.projectId);
	const body = expectStatus(await client.signUp(authenticator, loginId), 200);
	return {
		project,
		api: mgmt(project),
		client,
		authenticator,
		loginId,
		userId: body.user.userId as string,
		refreshJwt: body.refreshJwt as string,
	};
}

/** Adds a passkey made by `authenticator` to the signed-in user; returns the finish call. */
async function addPasskey(ctx: Awaited<ReturnType<typeof signedUp>>, authenticator: SoftAuthenticator) {
	const start = expectStatus(
		await ctx.client.post("update/start", { loginId: ctx.loginId, origin: ORIGIN }, ctx.refreshJwt),
		200,
	);
	const credential = await authenticator.create(JSON.parse(start.options), ORIGIN);
	return { start, credential, res: await ctx.client.finish("update", start.transactionId, credential) };
}

const userVersion = (userId: string) =>
	env.DB.prepare("SELECT version, modified_at FROM users WHERE id = ?")
		.bind(userId)
		.first<{ version: number; modified_at: number }>();

const list = async (api: ReturnType<typeof mgmt>, loginId: string) =>
	expectStatus(await api.post("/v1/mgmt/user/passkeys/list", { loginId }), 200).passkeys as any[];

describe("update: adding a passkey", () => {
	it("start needs the user's refresh JWT and excludes the passkeys the user has", async () => {
		const ctx = await signedUp();
		const start = expectStatus(
			await ctx.client.post("update/start", { loginId: "ADA@example.com", origin: ORIGIN }, ctx.refreshJwt),
			200,
		);
		expect(start.create).toBe(true);
		const { publicKey } = JSON.parse(start.options);
		expect(publicKey).toMatchObject({
			rp: { id: "app.example.com" },
			user: { id: b64url(new TextEncoder().encode(ctx.userId)), name: "ada@example.com", displayName: "Ada" },
		});
		expect(publicKey.excludeCredentials.map((c: { id: string }) => c.id)).toEqual(
			(await list(ctx.api, ctx.loginId)).map((p) => p.id),
		);
		const row = await env.DB.prepare("SELECT kind, user_id FROM webauthn_challenges WHERE id = ?")
			.bind(start.transactionId)
			.first();
		expect(row).toEqual({ kind: "register", user_id: ctx.userId });
		// The same authenticator refuses to register twice (excludeCredentials).
		await expect(ctx.authenticator.create(JSON.parse(start.options), ORIGIN)).rejects.toThrow(
			"InvalidStateError",
		);
	});

	it("start refuses no session, a session of another user, and an ended session", async () => {
		const ctx = await signedUp();
		const body = { loginId: ctx.loginId, origin: ORIGIN };
		expectDescopeError(await ctx.client.post("update/start", body), 401, "E011401");
		expectDescopeError(await ctx.client.post("update/start", body, "not-a-jwt"), 401, "E011401");
		const bob = expectStatus(await ctx.client.signUp(new SoftAuthenticator(), "bob@example.com"), 200);
		expectDescopeError(
			await ctx.client.post("update/start", body, bob.refreshJwt),
			403,
			"E011403",
			"login id",
		);
		expectStatus(
			await call("POST", "/v1/auth/logout", {
				body: {},
				headers: { authorization: `Bearer ${ctx.project.projectId}:${ctx.refreshJwt}` },
			}),
			200,
		);
		expectDescopeError(await ctx.client.post("update/start", body, ctx.refreshJwt), 401, "E064001");
	});

	it("finish adds a second passkey that signs in, and bumps the user's version", async () => {
		const ctx = await signedUp();
		const before = await userVersion(ctx.userId);
		const key = new SoftAuthenticator(["usb"]);
		const { res, credential } = await addPasskey(ctx, key);
		expect(expectStatus(res, 200)).toEqual({});
		expect((await userVersion(ctx.userId))?.version).toBe((before?.version ?? 0) + 1);
		const passkeys = await list(ctx.api, ctx.loginId);
		expect(passkeys.map((p) => p.id)).toEqual([
			b64url(ctx.authenticator.credentials[0]?.id as Uint8Array),
			credential.id,
		]);
		expect(passkeys[1].kind).toBe("cross-platform");
		const signIn = expectStatus(await ctx.client.signIn(key, ctx.loginId), 200);
		expect(signIn.user.userId).toBe(ctx.userId);
		expect(signIn.claims.amr).toEqual(["webauthn"]);
	});

	it("finish refuses a wrong origin or a reused transaction, and adds nothing", async () => {
		const ctx = await signedUp();
		const start = expectStatus(
			await ctx.client.post("update/start", { loginId: ctx.loginId, origin: ORIGIN }, ctx.refreshJwt),
			200,
		);
		const key = new SoftAuthenticator();
		const bad = await key.create(JSON.parse(start.options), ORIGIN, { origin: "https://evil.example.com" });
		expectDescopeError(await ctx.client.finish("update", start.transactionId, bad), 401, "E011401", "origin");
		const good = await key.create(JSON.parse(start.options), ORIGIN);
		expectDescopeError(
			await ctx.client.finish("update", start.transactionId, good),
			401,
			"E011401",
			"transactionId",
		);
		expect(await list(ctx.api, ctx.loginId)).toHaveLength(1);
	});

	it("finish refuses a user disabled since start", async () => {
		const ctx = await signedUp();
		const start = expectStatus(
			await ctx.client.post("update/start", { loginId: ctx.loginId, origin: ORIGIN }, ctx.refreshJwt),
			200,
		);
		expectStatus(
			await ctx.api.post("/v1/mgmt/user/update/status", { loginId: ctx.loginId, status: "disabled" }),
			200,
		);
		const credential = await new SoftAuthenticator().create(JSON.parse(start.options), ORIGIN);
		expectDescopeError(await ctx.client.finish("update", start.transactionId, credential), 403, "E011403");
		expect(await list(ctx.api, ctx.loginId)).toHaveLength(1);
	});
});

describe("management: list and remove", () => {
	it("lists a user's passkeys with id, rpId, kind, displayName and createdTime in seconds", async () => {
		const ctx = await signedUp();
		await addPasskey(ctx, new SoftAuthenticator(["usb", "nfc"]));
		await addPasskey(ctx, new SoftAuthenticator([]));
		const passkeys = await list(ctx.api, ctx.loginId);
		expect(passkeys).toHaveLength(3);
		for (const p of passkeys) {
			expect(Object.keys(p).sort()).toEqual(["createdTime", "displayName", "id", "kind", "rpId"]);
			expect(p).toMatchObject({
				id: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
				rpId: "app.example.com",
				displayName: "",
			});
			expect(Math.abs(p.createdTime - Date.now() / 1000)).toBeLessThan(600);
		}
		expect(passkeys.map((p) => p.kind)).toEqual(["platform", "cross-platform", ""]);
		// By user id too.
		expect(await list(ctx.api, ctx.userId)).toEqual(passkeys);
	});

	it("a user without passkeys lists none; an unknown user is E062108; a key is required", async () => {
		const ctx = await signedUp();
		await createUser(ctx.api, { loginId: "plain@example.com" });
		expect(await list(ctx.api, "plain@example.com")).toEqual([]);
		expectDescopeError(
			await ctx.api.post("/v1/mgmt/user/passkeys/list", { loginId: "nobody" }),
			404,
			"E062108",
		);
		const anonymous = await call("POST", "/v1/mgmt/user/passkeys/list", {
			body: { loginId: ctx.loginId },
			headers: { authorization: `Bearer ${ctx.project.projectId}` },
		});
		expect(anonymous.status, JSON.stringify(anonymous.body)).toBe(401);
		const other = mgmt(await newProject());
		expectDescopeError(
			await other.post("/v1/mgmt/user/passkeys/list", { loginId: ctx.loginId }),
			404,
			"E062108",
		);
	});

	it("removes one passkey: the user's version moves, it no longer signs in, the other still does", async () => {
		const ctx = await signedUp();
		const second = new SoftAuthenticator();
		await addPasskey(ctx, second);
		const [first] = await list(ctx.api, ctx.loginId);
		const before = await userVersion(ctx.userId);
		await new Promise((resolve) => setTimeout(resolve, 5));
		const res = await ctx.api.post("/v1/mgmt/user/passkey/delete", {
			loginId: ctx.loginId,
			credentialId: first.id,
		});
		expect(expectStatus(res, 200)).toEqual({});
		const after = await userVersion(ctx.userId);
		expect(after?.version).toBe((before?.version ?? 0) + 1);
		expect(after?.modified_at).toBeGreaterThan(before?.modified_at ?? 0);
		expect((await list(ctx.api, ctx.loginId)).map((p) => p.id)).not.toContain(first.id);

		const start = expectStatus(await ctx.client.signInStart(ctx.loginId), 200);
		const removed = ctx.authenticator.credentials[0];
		const assertion = await ctx.authenticator.get(JSON.parse(start.options), ORIGIN, {}, removed);
		const refused = await ctx.client.finish("signin", start.transactionId, assertion);
		expectDescopeError(refused, 401, "E011401", "Unknown passkey");
		expect(refused.body.sessionJwt).toBeUndefined();
		expectStatus(await ctx.client.signIn(second, ctx.loginId), 200);
	});

	it("removing a passkey the user does not hold is a 404 and changes nothing", async () => {
		const ctx = await signedUp();
		const bob = await ctx.client.signUp(new SoftAuthenticator(), "bob@example.com");
		const [bobs] = await list(ctx.api, expectStatus(bob, 200).user.userId);
		const before = await userVersion(ctx.userId);
		for (const credentialId of ["nope", bobs.id]) {
			const res = await ctx.api.post("/v1/mgmt/user/passkey/delete", { loginId: ctx.loginId, credentialId });
			expectDescopeError(res, 404, "E011404");
		}
		expect(await userVersion(ctx.userId)).toEqual(before);
		expect(await list(ctx.api, "bob@example.com")).toHaveLength(1);
		expectDescopeError(
			await ctx.api.post("/v1/mgmt/user/passkey/delete", { loginId: "nobody", credentialId: bobs.id }),
			404,
			"E062108",
		);
	});

	it("removes all passkeys: webauthn turns false and sign-in is refused", async () => {
		const ctx = await signedUp();
		await addPasskey(ctx, new SoftAuthenticator());
		const before = await userVersion(ctx.userId);
		expect(
			expectStatus(await ctx.api.post("/v1/mgmt/user/passkeys/delete", { loginId: ctx.loginId }), 200),
		).toEqual({});
		expect((await userVersion(ctx.userId))?.version).toBe((before?.version ?? 0) + 1);
		expect(await list(ctx.api, ctx.loginId)).toEqual([]);
		expect(await loadUser(ctx.api, ctx.loginId)).toMatchObject({ webauthn: false });
		expectDescopeError(await ctx.client.signInStart(ctx.loginId), 404, "E011404", "no passkey");
		// Again: nothing to remove, nothing changes.
		const now = await userVersion(ctx.userId);
		expectStatus(await ctx.api.post("/v1/mgmt/user/passkeys/delete", { loginId: ctx.loginId }), 200);
		expect(await userVersion(ctx.userId)).toEqual(now);
		expectDescopeError(
			await ctx.api.post("/v1/mgmt/user/passkeys/delete", { loginId: "nobody" }),
			404,
			"E062108",
		);
	});

	it("deleting the user deletes its passkeys", async () => {
		const ctx = await signedUp();
		expectStatus(await ctx.api.post("/v1/mgmt/user/delete", { loginId: ctx.loginId }), 200);
		const rows = await env.DB.prepare("SELECT count(*) AS n FROM passkeys WHERE user_id = ?")
			.bind(ctx.userId)
			.first();
		expect(rows?.n).toBe(0);
	});
});

it("the OpenAPI document describes the passkey routes", async () => {
	const doc = expectStatus(await call("GET", "/v1/mgmt/openapi.json"), 200);
	for (const path of [
		"/v1/auth/webauthn/signup/start",
		"/v1/auth/webauthn/signup/finish",
		"/v1/auth/webauthn/signin/start",
		"/v1/auth/webauthn/signin/finish",
		"/v1/auth/webauthn/update/start",
		"/v1/auth/webauthn/update/finish",
		"/v1/mgmt/user/passkeys/list",
		"/v1/mgmt/user/passkey/delete",
		"/v1/mgmt/user/passkeys/delete",
	]) {
		expect(doc.paths[path]?.post, path).toBeDefined();
	}
});
