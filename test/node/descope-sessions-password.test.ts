// The official @descope/node-sdk against Roster: password sign-up, sign-in, replace, update and policy
// (docs/sessions.md).
import { expect, it } from "vitest";
import {
	authSdkFor,
	configureProject,
	expectError,
	expectJwtResponse,
	expectOk,
	jwtClaims,
	PASSWORD,
	setupProject,
	signUp,
	unique,
	userWithSession,
} from "./harness.js";

const NEW_PASSWORD = "Another-Passw0rd?";

it("signUp answers a JWTResponse with an enabled user holding a password", async () => {
	const { project, sdk } = await setupProject();
	const loginId = unique("new");
	const data = expectOk(
		await authSdkFor(project).password.signUp(loginId, PASSWORD, {
			email: `${loginId}@example.com`,
			name: "New Person",
			givenName: "New",
			familyName: "Person",
			phone: "+14155550123",
		}),
	);
	expectJwtResponse(data);
	expect(data.user).toMatchObject({
		loginIds: [loginId],
		email: `${loginId}@example.com`,
		name: "New Person",
		givenName: "New",
		familyName: "Person",
		phone: "+14155550123",
		status: "enabled",
		password: true,
	});
	expect(data.firstSeen).toBe(true);
	const stored = expectOk(await sdk.management.user.load(loginId));
	expect(stored).toMatchObject({ userId: data.user!.userId, status: "enabled", password: true });
});

it("signUp refuses a login id that exists (an invited user's too) and a password the policy rejects", async () => {
	const { sdk } = await setupProject();
	const taken = await signUp(sdk);
	expectError(await sdk.password.signUp(taken.loginId, PASSWORD), "E062107");
	const invited = unique("invited");
	expectOk(await sdk.management.user.create(invited));
	expectError(await sdk.password.signUp(invited, PASSWORD), "E062107");
	const weak = unique("weak");
	expectError(await sdk.password.signUp(weak, "short"), "E011004");
	expectError(await sdk.management.user.load(weak), "E062108");
});

it("signIn answers a JWTResponse; an invited user becomes enabled at the first sign-in", async () => {
	const { project, sdk } = await setupProject();
	const loginId = unique("invitee");
	const created = expectOk(await sdk.management.user.create(loginId, { email: `${loginId}@example.com` }));
	expect(created.status).toBe("invited");
	expectOk(await sdk.management.user.setActivePassword(loginId, PASSWORD));

	const data = expectOk(await authSdkFor(project).password.signIn(loginId, PASSWORD));
	expectJwtResponse(data);
	expect(data.user).toMatchObject({ userId: created.userId, status: "enabled", password: true });
	expect(jwtClaims(data.sessionJwt)).toMatchObject({ amr: ["pwd"] });
	expect(expectOk(await sdk.management.user.load(loginId)).status).toBe("enabled");
});

it("signIn fails for a wrong password, an unknown login id and a disabled user", async () => {
	const { sdk } = await setupProject();
	const { loginId } = await signUp(sdk);
	const wrong = expectError(await sdk.password.signIn(loginId, "Wrong-passw0rd!"));
	expect(wrong.errorCode).not.toBe("E062909");
	expectError(await sdk.password.signIn(unique("ghost"), PASSWORD));
	expectOk(await sdk.management.user.deactivate(loginId));
	expectError(await sdk.password.signIn(loginId, PASSWORD));
	expectOk(await sdk.management.user.activate(loginId));
	expectJwtResponse(expectOk(await sdk.password.signIn(loginId, PASSWORD)));
});

it("after too many failed sign-ins the SDK gets 429 E130429 with retryAfter from Retry-After", async () => {
	const { project, sdk } = await setupProject();
	await configureProject(project, { lockoutAttempts: 2, lockoutSeconds: 120 });
	const { loginId } = await signUp(sdk);
	const other = await signUp(sdk);
	for (let i = 0; i < 2; i++) expectError(await sdk.password.signIn(loginId, "Wrong-passw0rd!"));
	const locked = await sdk.password.signIn(loginId, PASSWORD);
	expect(locked.code, JSON.stringify(locked)).toBe(429);
	const error = expectError(locked, "E130429") as { retryAfter?: number };
	expect(error.retryAfter).toBeGreaterThan(0);
	expect(error.retryAfter).toBeLessThanOrEqual(120);
	// Only that user is locked.
	expectJwtResponse(expectOk(await sdk.password.signIn(other.loginId, PASSWORD)));
});

it("signIn with loginOptions.customClaims puts the claims under nsec of the session JWT", async () => {
	const { project, sdk } = await setupProject();
	const { loginId } = await signUp(sdk);
	const data = expectOk(
		await sdk.password.signIn(loginId, PASSWORD, { customClaims: { plan: "gold", seats: 3 } }),
	);
	const info = await authSdkFor(project).validateSession(data.sessionJwt);
	expect(info.token).toMatchObject({ nsec: { plan: "gold", seats: 3 } });
	expect(info.token.plan).toBeUndefined();
});

it("replace swaps the password, signs in and ends the user's other sessions", async () => {
	const { sdk } = await setupProject();
	const first = await signUp(sdk);
	const data = expectOk(await sdk.password.replace(first.loginId, PASSWORD, NEW_PASSWORD));
	expectJwtResponse(data);
	expect(data.user!.userId).toBe(first.user!.userId);

	await expect(sdk.refreshSession(first.refreshJwt)).rejects.toThrow(/refresh token validation failed/);
	const refreshed = await sdk.refreshSession(data.refreshJwt!);
	expect(refreshed.token.sub).toBe(first.user!.userId);
	expectError(await sdk.password.signIn(first.loginId, PASSWORD));
	expectJwtResponse(expectOk(await sdk.password.signIn(first.loginId, NEW_PASSWORD)));
	// The old password is no longer the old password.
	expectError(await sdk.password.replace(first.loginId, PASSWORD, "Third-Passw0rd!"));
	expectError(await sdk.password.replace(first.loginId, NEW_PASSWORD, "short"), "E011004");
});

it("update changes the signed-in user's password with its refresh JWT; every session ends", async () => {
	const { project, sdk } = await setupProject();
	const session = await userWithSession(sdk);
	const other = expectOk(await sdk.password.signIn(session.loginId, PASSWORD));
	const auth = authSdkFor(project);

	const res = await auth.password.update(session.loginId, NEW_PASSWORD, session.refreshJwt);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	for (const refreshJwt of [session.refreshJwt, other.refreshJwt!]) {
		await expect(auth.refreshSession(refreshJwt)).rejects.toThrow(/refresh token validation failed/);
	}
	expectError(await auth.password.signIn(session.loginId, PASSWORD));
	expectJwtResponse(expectOk(await auth.password.signIn(session.loginId, NEW_PASSWORD)));
});

it("update needs a live refresh JWT of that user and a password the policy accepts", async () => {
	const { sdk } = await setupProject();
	const alice = await userWithSession(sdk);
	const bob = await userWithSession(sdk);
	expectError(await sdk.password.update(alice.loginId, NEW_PASSWORD));
	expectError(await sdk.password.update(alice.loginId, NEW_PASSWORD, "not-a-jwt"));
	expectError(await sdk.password.update(alice.loginId, NEW_PASSWORD, bob.refreshJwt));
	expectError(await sdk.password.update(alice.loginId, "short", alice.refreshJwt), "E011004");
	// Nothing changed: the old password still signs in.
	expectJwtResponse(expectOk(await sdk.password.signIn(alice.loginId, PASSWORD)));
	expectJwtResponse(expectOk(await sdk.password.signIn(bob.loginId, PASSWORD)));
});

it("policy answers the project's password policy, which sign-up then enforces", async () => {
	const { project, sdk } = await setupProject();
	const auth = authSdkFor(project);
	expect(expectOk(await auth.password.policy())).toEqual({
		minLength: 8,
		lowercase: false,
		uppercase: false,
		number: false,
		nonAlphanumeric: false,
	});
	const strict = { minLength: 12, lowercase: true, uppercase: true, number: true, nonAlphanumeric: true };
	await configureProject(project, { passwordPolicy: strict });
	expect(expectOk(await auth.password.policy())).toEqual(strict);
	expectError(await auth.password.signUp(unique("weak"), "alllowercase-long"), "E011004");
	expectError(await auth.password.signUp(unique("short"), "Sh0rt!"), "E011004");
	await signUp(sdk, unique("strong"), "Very-Str0ng-Passw0rd!");
});
