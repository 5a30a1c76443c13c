// REST v4 and legacy writes that end a user's sessions: DELETE, and PATCH to UNREGISTERED (only REGISTERED users sign in).
import { describe, expect, it } from "vitest";
import { newProject } from "./harness";
import { liveSessions, refresh, signedIn, signedUp } from "./support/sessions";
import { expectStatus, patchDoc, send, V4, v4 } from "./v4-harness";

async function userWithSessions(loginId: string) {
	const p = await newProject();
	const first = await signedUp(p, loginId);
	const second = await signedIn(p, loginId);
	const userId: string = first.user.userId;
	expect(await liveSessions(p, userId)).toHaveLength(2);
	return { p, userId, jwts: [first.refreshJwt as string, second.refreshJwt as string] };
}

describe("sessions end with the user", () => {
	it("v4 DELETE revokes every session before answering", async () => {
		const { p, userId, jwts } = await userWithSessions("del@example.com");
		expect((await v4(p).delete(`${V4}/users/${userId}`)).status).toBe(204);
		expect(await liveSessions(p, userId)).toEqual([]);
		for (const jwt of jwts) expect((await refresh(p, jwt)).status).toBe(401);
	});

	it("v4 PATCH to UNREGISTERED revokes every session", async () => {
		const { p, userId, jwts } = await userWithSessions("unreg@example.com");
		const res = await v4(p).patch(
			`${V4}/users/${userId}`,
			patchDoc(userId, { registration_information: { registration_state: "UNREGISTERED" } }),
		);
		expectStatus(res, 200);
		expect(await liveSessions(p, userId)).toEqual([]);
		for (const jwt of jwts) expect((await refresh(p, jwt)).status).toBe(401);
	});

	it("other v4 changes leave the sessions alone", async () => {
		const { p, userId } = await userWithSessions("keep@example.com");
		expectStatus(
			await v4(p).patch(`${V4}/users/${userId}`, patchDoc(userId, { name: "Still signed in" })),
			200,
		);
		expect(await liveSessions(p, userId)).toHaveLength(2);
	});

	it("legacy DELETE revokes them too", async () => {
		const { p, userId } = await userWithSessions("legacy@example.com");
		expectStatus(
			await v4(p).patch(
				`${V4}/users/${userId}`,
				patchDoc(userId, { contact_details: { email: "legacy@example.com" } }),
			),
			200,
		);
		const res = await send("DELETE", "/api/management/user/legacy@example.com", {
			headers: { authorization: `Apikey ${p.managementKey}` },
		});
		expect(res.status, res.text).toBe(204);
		expect(await liveSessions(p, userId)).toEqual([]);
	});
});
