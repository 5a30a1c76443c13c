// Revocation (docs/sessions.md; @descope/node-sdk `management.user.logoutUser`): logout, logout-all,
// management logout, and every change that ends a user's sessions; each is asserted right after the
// call returns. Also the tokens a refresh call must refuse.
import { runInDurableObject } from "cloudflare:test";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { call, expectStatus, mgmt, newProject, type TestProject } from "./harness";
import {
	authGet,
	authPost,
	expectError,
	expectLive,
	expectRevoked,
	liveSessions,
	OTHER_PASSWORD,
	refresh,
	sessionsStub,
	signedIn,
	signedUp,
} from "./support/sessions";

/** A user with two live sessions (a sign-up and a sign-in). */
async function userWithTwoSessions(loginId = "two") {
	const p = await newProject();
	const first = await signedUp(p, loginId);
	const second = await signedIn(p, loginId);
	const userId: string = first.user.userId;
	expect(await liveSessions(p, userId)).toHaveLength(2);
	return { p, api: mgmt(p), first, second, userId, loginId };
}

/** The raw session rows, read inside the Durable Object. */
const sessionRows = (p: TestProject, userId: string) =>
	runInDurableObject(sessionsStub(p, userId), async (_instance, state) =>
		state.storage.sql
			.exec<{ id: string; expires_at: number }>("SELECT id, expires_at FROM sessions")
			.toArray(),
	);

async function expectAllEnded(p: TestProject, userId: string, ...refreshJwts: string[]) {
	expect(await sessionRows(p, userId)).toEqual([]);
	for (const [i, jwt] of refreshJwts.entries()) await expectRevoked(p, jwt, `session ${i + 1}`);
}

describe("POST /v1/auth/logout", () => {
	it("ends only that session; its refresh token then fails with E064001", async () => {
		const { p, first, second, userId } = await userWithTwoSessions();
		const res = await authPost(p, "/v1/auth/logout", {}, first.refreshJwt);
		expect(expectStatus(res, 200)).toEqual({});
		await expectRevoked(p, first.refreshJwt);
		await expectLive(p, second.refreshJwt, "the other session");
		const rows = await sessionRows(p, userId);
		expect(rows.map((r) => r.id)).toEqual([decodeJwt(second.refreshJwt).sid]);
	});

	it("a second logout with the same token is refused", async () => {
		const p = await newProject();
		const body = await signedUp(p, "twice");
		expectStatus(await authPost(p, "/v1/auth/logout", {}, body.refreshJwt), 200);
		expectError(await authPost(p, "/v1/auth/logout", {}, body.refreshJwt), 401, "E064001");
	});

	it("ends the session for me and me/history too", async () => {
		const p = await newProject();
		const body = await signedUp(p, "me-after");
		expectStatus(await authPost(p, "/v1/auth/logout", {}, body.refreshJwt), 200);
		expectError(await authGet(p, "/v1/auth/me", body.refreshJwt), 401, "E064001");
		expectError(await authGet(p, "/v1/auth/me/history", body.refreshJwt), 401, "E064001");
		expectError(await authPost(p, "/v1/auth/logoutall", {}, body.refreshJwt), 401, "E064001");
	});

	it("needs a refresh token", async () => {
		const p = await newProject();
		expectError(await authPost(p, "/v1/auth/logout", {}), 401, "E011401");
	});
});

describe("POST /v1/auth/logoutall", () => {
	it("ends every session of the user before returning", async () => {
		const { p, first, second, userId } = await userWithTwoSessions();
		expect(expectStatus(await authPost(p, "/v1/auth/logoutall", {}, second.refreshJwt), 200)).toEqual({});
		await expectAllEnded(p, userId, first.refreshJwt, second.refreshJwt);
	});

	it("leaves other users' sessions alone", async () => {
		const { p, first } = await userWithTwoSessions();
		const other = await signedUp(p, "other");
		expectStatus(await authPost(p, "/v1/auth/logoutall", {}, first.refreshJwt), 200);
		await expectLive(p, other.refreshJwt);
	});

	it("a new sign-in afterwards works", async () => {
		const { p, first, loginId } = await userWithTwoSessions();
		expectStatus(await authPost(p, "/v1/auth/logoutall", {}, first.refreshJwt), 200);
		const again = await signedIn(p, loginId);
		await expectLive(p, again.refreshJwt);
	});
});

describe("POST /v1/mgmt/user/logout", () => {
	it("by loginId ends every session of the user before returning", async () => {
		const { api, p, first, second, userId, loginId } = await userWithTwoSessions();
		expect(expectStatus(await api.post("/v1/mgmt/user/logout", { loginId }), 200)).toEqual({});
		await expectAllEnded(p, userId, first.refreshJwt, second.refreshJwt);
	});

	it("by userId ends every session of the user before returning", async () => {
		const { api, p, first, second, userId } = await userWithTwoSessions();
		expect(expectStatus(await api.post("/v1/mgmt/user/logout", { userId }), 200)).toEqual({});
		await expectAllEnded(p, userId, first.refreshJwt, second.refreshJwt);
	});

	it("accepts a user id in loginId, as Descope does", async () => {
		const { api, p, first, userId } = await userWithTwoSessions();
		expectStatus(await api.post("/v1/mgmt/user/logout", { loginId: userId }), 200);
		await expectAllEnded(p, userId, first.refreshJwt);
	});

	it("refuses an unknown user (E062108) and a body without loginId or userId (E011002)", async () => {
		const { api, p, first } = await userWithTwoSessions();
		expectError(await api.post("/v1/mgmt/user/logout", { loginId: "ghost" }), 404, "E062108");
		expectError(await api.post("/v1/mgmt/user/logout", { userId: "Ughost" }), 404, "E062108");
		expectError(await api.post("/v1/mgmt/user/logout", {}), 400, "E011002", "loginId");
		expectError(await api.post("/v1/mgmt/user/logout", { loginId: 5 }), 400, "E011004", "loginId");
		await expectLive(p, first.refreshJwt, "nothing ended");
	});

	it("cannot log out another project's user", async () => {
		const { p, first, userId } = await userWithTwoSessions();
		const other = mgmt(await newProject());
		expectError(await other.post("/v1/mgmt/user/logout", { userId }), 404, "E062108");
		await expectLive(p, first.refreshJwt);
	});
});

describe("changes that end every session", () => {
	it("disabling the user (update/status): sessions end, re-enabling does not revive them", async () => {
		const { api, p, first, second, userId, loginId } = await userWithTwoSessions();
		expectStatus(await api.post("/v1/mgmt/user/update/status", { loginId, status: "disabled" }), 200);
		await expectAllEnded(p, userId, first.refreshJwt, second.refreshJwt);
		expectStatus(await api.post("/v1/mgmt/user/update/status", { loginId, status: "enabled" }), 200);
		await expectRevoked(p, first.refreshJwt, "after re-enabling");
	});

	it("enabling a user ends nothing", async () => {
		const { api, p, first, loginId } = await userWithTwoSessions();
		expectStatus(await api.post("/v1/mgmt/user/update/status", { loginId, status: "enabled" }), 200);
		await expectLive(p, first.refreshJwt);
	});

	// Disabling is disabling whichever route does it: update and patch take `status` too.
	it("disabling the user through update or patch ends its sessions too", async () => {
		const { api, p, first, userId, loginId } = await userWithTwoSessions();
		expectStatus(await api.post("/v1/mgmt/user/update", { loginId, status: "disabled" }), 200);
		expectStatus(await api.post("/v1/mgmt/user/update/status", { loginId, status: "enabled" }), 200);
		await expectRevoked(p, first.refreshJwt, "after disable by update, then enable");

		const again = await signedIn(p, loginId);
		expectStatus(await api.patch("/v1/mgmt/user/patch", { loginId, status: "disabled" }), 200);
		expect(await sessionRows(p, userId), "sessions left after patch {status: disabled}").toEqual([]);
		expectStatus(await api.post("/v1/mgmt/user/update/status", { loginId, status: "enabled" }), 200);
		await expectRevoked(p, again.refreshJwt, "after disable by patch, then enable");
	});

	it("a user disabled through update cannot refresh while disabled", async () => {
		const { api, p, first, loginId } = await userWithTwoSessions();
		expectStatus(await api.post("/v1/mgmt/user/update", { loginId, status: "disabled" }), 200);
		const res = await refresh(p, first.refreshJwt);
		expect([401, 403], JSON.stringify(res.body)).toContain(res.status);
		expect(res.body.sessionJwt).toBeUndefined();
	});

	it("deleting the user (by login id and by user id)", async () => {
		const a = await userWithTwoSessions("del-a");
		expectStatus(await a.api.post("/v1/mgmt/user/delete", { loginId: a.loginId }), 200);
		await expectAllEnded(a.p, a.userId, a.first.refreshJwt, a.second.refreshJwt);

		const b = await userWithTwoSessions("del-b");
		expectStatus(await b.api.post("/v1/mgmt/user/delete", { userId: b.userId }), 200);
		await expectAllEnded(b.p, b.userId, b.first.refreshJwt, b.second.refreshJwt);
	});

	it("deleting users in a batch: their refresh tokens are refused", async () => {
		const { api, p, first, second, userId } = await userWithTwoSessions();
		expectStatus(await api.post("/v1/mgmt/user/delete/batch", { userIds: [userId] }), 200);
		await expectRevoked(p, first.refreshJwt);
		await expectRevoked(p, second.refreshJwt);
	});

	it("expiring the password", async () => {
		const { api, p, first, second, userId, loginId } = await userWithTwoSessions();
		expectStatus(await api.post("/v1/mgmt/user/password/expire", { loginId }), 200);
		await expectAllEnded(p, userId, first.refreshJwt, second.refreshJwt);
	});

	it("setting an active password", async () => {
		const { api, p, first, second, userId, loginId } = await userWithTwoSessions();
		expectStatus(
			await api.post("/v1/mgmt/user/password/set/active", { loginId, password: OTHER_PASSWORD }),
			200,
		);
		await expectAllEnded(p, userId, first.refreshJwt, second.refreshJwt);
	});

	it("setting a temporary password (also through the deprecated /set)", async () => {
		const a = await userWithTwoSessions("tmp-a");
		expectStatus(
			await a.api.post("/v1/mgmt/user/password/set/temporary", {
				loginId: a.loginId,
				password: OTHER_PASSWORD,
			}),
			200,
		);
		await expectAllEnded(a.p, a.userId, a.first.refreshJwt, a.second.refreshJwt);

		const b = await userWithTwoSessions("tmp-b");
		expectStatus(
			await b.api.post("/v1/mgmt/user/password/set", { loginId: b.loginId, password: OTHER_PASSWORD }),
			200,
		);
		await expectAllEnded(b.p, b.userId, b.first.refreshJwt, b.second.refreshJwt);
	});

	it("a session whose row has expired in the session object is refused", async () => {
		const p = await newProject();
		const body = await signedUp(p, "stale");
		await runInDurableObject(sessionsStub(p, body.user.userId), async (_instance, state) => {
			state.storage.sql.exec("UPDATE sessions SET expires_at = ?", Date.now() - 1000);
		});
		await expectRevoked(p, body.refreshJwt);
	});
});

describe("tokens a refresh refuses", () => {
	it("a refresh token of project A presented with project B's id", async () => {
		const a = await newProject();
		const b = await newProject();
		const body = await signedUp(a, "crossing");
		await signedUp(b, "crossing");
		const res = await refresh(b, body.refreshJwt);
		expect(res.status, JSON.stringify(res.body)).toBe(401);
		expect(res.body.sessionJwt).toBeUndefined();
		// Nor does logout-all through project B touch project A's sessions.
		expect((await authPost(b, "/v1/auth/logoutall", {}, body.refreshJwt)).status).toBe(401);
		await expectLive(a, body.refreshJwt);
	});

	it("garbage, truncated and tampered tokens: 401", async () => {
		const p = await newProject();
		const body = await signedUp(p, "tamper");
		const [header, payload, signature] = body.refreshJwt.split(".") as [string, string, string];
		const claims = JSON.parse(atob(payload.replaceAll("-", "+").replaceAll("_", "/")));
		const forged = btoa(JSON.stringify({ ...claims, exp: claims.exp + 1 }))
			.replaceAll("+", "-")
			.replaceAll("/", "_")
			.replace(/=+$/, "");
		const flipped = signature.slice(0, -2) + (signature.endsWith("AA") ? "BB" : "AA");
		for (const token of [
			"garbage",
			"a.b.c",
			`${header}.${payload}`,
			`${header}.${forged}.${signature}`,
			`${header}.${payload}.${flipped}`,
			`${header}.${payload}.`,
			"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
		]) {
			const res = await refresh(p, token);
			expectError(res, 401, "E011401");
		}
		await expectLive(p, body.refreshJwt, "the real token is untouched");
	});

	it("an unsigned (alg none) copy of a real refresh token", async () => {
		const p = await newProject();
		const body = await signedUp(p, "none");
		const payload = body.refreshJwt.split(".")[1];
		const header = btoa(JSON.stringify({ alg: "none", kid: decodeJwtHeaderKid(body.refreshJwt) })).replace(
			/=+$/,
			"",
		);
		expectError(await refresh(p, `${header}.${payload}.`), 401, "E011401");
	});

	it("a session JWT presented as a refresh token", async () => {
		const p = await newProject();
		const body = await signedUp(p, "kinds");
		expectError(await refresh(p, body.sessionJwt), 401, "E011401");
		expectError(await authPost(p, "/v1/auth/logoutall", {}, body.sessionJwt), 401, "E011401");
		expectError(await authGet(p, "/v1/auth/me", body.sessionJwt), 401, "E011401");
		await expectLive(p, body.refreshJwt);
	});

	it("no refresh token at all, and a malformed bearer", async () => {
		const p = await newProject();
		expectError(await refresh(p, ""), 401, "E011401");
		expectError(await call("POST", "/v1/auth/refresh", { body: {} }), 401, "E011401");
		const res = await call("POST", "/v1/auth/refresh", {
			body: {},
			headers: { authorization: "Bearer :x.y.z" },
		});
		expectError(res, 401, "E011401");
	});

	it("a management key presented as a refresh token", async () => {
		const p = await newProject();
		await signedUp(p, "mk");
		expectError(await refresh(p, p.managementKey), 401, "E011401");
	});
});

function decodeJwtHeaderKid(jwt: string) {
	const header = jwt.split(".")[0] as string;
	return JSON.parse(atob(header.replaceAll("-", "+").replaceAll("_", "/"))).kid;
}
