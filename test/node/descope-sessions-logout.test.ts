// The official @descope/node-sdk against Roster: ending sessions with logout, logoutAll and the
// management logoutUser / logoutUserByUserId (docs/sessions.md).
import { expect, it } from "vitest";
import {
	authSdkFor,
	expectError,
	expectOk,
	PASSWORD,
	recordingFetch,
	type Sdk,
	setupProject,
	userWithSession,
} from "./harness.js";

/** Refresh no longer works: refreshSession throws and the raw refresh answers E064001 (§1.7). */
async function expectEnded(auth: Sdk, refreshJwt: string) {
	await expect(auth.refreshSession(refreshJwt)).rejects.toThrow(/refresh token validation failed/);
	expectError(await auth.refresh(refreshJwt), "E064001");
	expectError(await auth.me(refreshJwt));
}

async function expectLive(auth: Sdk, refreshJwt: string) {
	const info = await auth.refreshSession(refreshJwt);
	expect(info.jwt).toEqual(expect.any(String));
}

it("logout ends this session only; the SDK sends the refresh JWT in the bearer and gets {}", async () => {
	const { project, sdk } = await setupProject();
	const first = await userWithSession(sdk);
	const second = expectOk(await sdk.password.signIn(first.loginId, PASSWORD));
	const recorder = recordingFetch();
	const auth = authSdkFor(project, { fetch: recorder.fetch });

	const res = await auth.logout(first.refreshJwt);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	const call = recorder.calls.find((c) => c.url.endsWith("/v1/auth/logout"));
	expect(call?.headers.authorization).toBe(`Bearer ${project.projectId}:${first.refreshJwt}`);
	expect(JSON.parse(call!.body)).toEqual({});

	await expectEnded(auth, first.refreshJwt);
	await expectLive(auth, second.refreshJwt!);
	// Logging out again, or with garbage, is refused.
	expectError(await auth.logout(first.refreshJwt));
	expectError(await auth.logout("not-a-jwt"));
});

it("logoutAll ends every session of the user, not other users' sessions", async () => {
	const { project, sdk } = await setupProject();
	const first = await userWithSession(sdk);
	const second = expectOk(await sdk.password.signIn(first.loginId, PASSWORD));
	const bystander = await userWithSession(sdk);
	const auth = authSdkFor(project);

	const res = await auth.logoutAll(second.refreshJwt);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	await expectEnded(auth, first.refreshJwt);
	await expectEnded(auth, second.refreshJwt!);
	await expectLive(auth, bystander.refreshJwt);
	// The user can sign in again; the new session works.
	const again = expectOk(await auth.password.signIn(first.loginId, PASSWORD));
	await expectLive(auth, again.refreshJwt!);
});

it("management logoutUser ends every session of the user, by login id or user id", async () => {
	const { project, sdk } = await setupProject();
	const auth = authSdkFor(project);
	const alice = await userWithSession(sdk);
	const aliceAgain = expectOk(await sdk.password.signIn(alice.loginId, PASSWORD));
	const bob = await userWithSession(sdk);

	const res = await sdk.management.user.logoutUser(alice.loginId);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	await expectEnded(auth, alice.refreshJwt);
	await expectEnded(auth, aliceAgain.refreshJwt!);
	await expectLive(auth, bob.refreshJwt);

	// loginId may hold a user id (§1.9).
	const fresh = expectOk(await sdk.password.signIn(alice.loginId, PASSWORD));
	expectOk(await sdk.management.user.logoutUser(alice.user.userId));
	await expectEnded(auth, fresh.refreshJwt!);
	expectError(await sdk.management.user.logoutUser("nobody"), "E062108");
});

it("management logoutUserByUserId ends every session of the user with that id", async () => {
	const { project, sdk } = await setupProject();
	const auth = authSdkFor(project);
	const alice = await userWithSession(sdk);
	const bob = await userWithSession(sdk);
	const res = await sdk.management.user.logoutUserByUserId(alice.user.userId);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	await expectEnded(auth, alice.refreshJwt);
	await expectLive(auth, bob.refreshJwt);
	expectError(await sdk.management.user.logoutUserByUserId("U000000000000000000000000000"), "E062108");
});

it("disabling or deleting a user ends its sessions", async () => {
	const { project, sdk } = await setupProject();
	const auth = authSdkFor(project);
	const disabled = await userWithSession(sdk);
	const deleted = await userWithSession(sdk);
	expectOk(await sdk.management.user.deactivate(disabled.loginId));
	expectOk(await sdk.management.user.delete(deleted.loginId));
	await expect(auth.refreshSession(disabled.refreshJwt)).rejects.toThrow();
	await expect(auth.refreshSession(deleted.refreshJwt)).rejects.toThrow();
	// Re-enabling does not bring the old session back.
	expectOk(await sdk.management.user.activate(disabled.loginId));
	await expect(auth.refreshSession(disabled.refreshJwt)).rejects.toThrow();
});
