import { env } from "cloudflare:workers";
import { createLocalJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from "jose";
import { expect } from "vitest";
import {
	BASE,
	type CallResult,
	call,
	expectStatus,
	type Mgmt,
	operatorHeaders,
	type TestProject,
} from "../harness";

// End-user session helpers shared by the sessions-*.test.ts files: the bearer forms of contract
// §1.4, password sign-up / sign-in, the JWKS, and the operator's project settings.

/** Meets the default policy (8 characters) and any strict one. */
export const PASSWORD = "Correct-horse-9";
export const OTHER_PASSWORD = "Battery-staple-7";

/** `Bearer <projectId>` or `Bearer <projectId>:<refreshJwt>`. */
export const endUser = (p: TestProject, refreshJwt?: string, extra: Record<string, string> = {}) => ({
	authorization: `Bearer ${p.projectId}${refreshJwt ? `:${refreshJwt}` : ""}`,
	...extra,
});

export const authPost = <T = any>(
	p: TestProject,
	path: string,
	body: unknown = {},
	refreshJwt?: string,
	extra: Record<string, string> = {},
) => call<T>("POST", path, { body, headers: endUser(p, refreshJwt, extra) });

export const authGet = <T = any>(p: TestProject, path: string, refreshJwt?: string) =>
	call<T>("GET", path, { headers: endUser(p, refreshJwt) });

export const signUp = (
	p: TestProject,
	loginId: string,
	password = PASSWORD,
	extra: Record<string, unknown> = {},
	headers: Record<string, string> = {},
) =>
	authPost(
		p,
		"/v1/auth/password/signup",
		{ loginId, password, loginOptions: {}, ...extra },
		undefined,
		headers,
	);

export const signIn = (
	p: TestProject,
	loginId: string,
	password = PASSWORD,
	loginOptions: Record<string, unknown> = {},
	headers: Record<string, string> = {},
) => authPost(p, "/v1/auth/password/signin", { loginId, password, loginOptions }, undefined, headers);

/** Signs up and returns the JWTResponse (fails the test on a non-200). */
export async function signedUp(p: TestProject, loginId: string, password = PASSWORD) {
	return expectStatus(await signUp(p, loginId, password), 200);
}

/** Signs in and returns the JWTResponse (fails the test on a non-200). */
export async function signedIn(p: TestProject, loginId: string, password = PASSWORD) {
	return expectStatus(await signIn(p, loginId, password), 200);
}

export const refresh = (p: TestProject, refreshJwt: string) =>
	authPost(p, "/v1/auth/refresh", {}, refreshJwt);

/** Asserts a refresh token is still live (200) or dead (401 E064001, the logout code). */
export async function expectLive(p: TestProject, refreshJwt: string, label = "refresh") {
	const res = await refresh(p, refreshJwt);
	expect(res.status, `${label}: ${JSON.stringify(res.body)}`).toBe(200);
	return res.body;
}

export async function expectRevoked(p: TestProject, refreshJwt: string, label = "refresh") {
	const res = await refresh(p, refreshJwt);
	expect(res.status, `${label}: ${JSON.stringify(res.body)}`).toBe(401);
	expect(res.body.errorCode, `${label}: ${JSON.stringify(res.body)}`).toBe("E064001");
}

export async function jwksOf(p: TestProject): Promise<{ keys: Record<string, unknown>[] }> {
	return expectStatus(await call("GET", `/v2/keys/${p.projectId}`, { headers: endUser(p) }), 200);
}

/** Verifies a JWT against the project's published JWKS with jose (as the Descope SDK does). */
export async function verifyJwt(p: TestProject, jwt: string): Promise<{ payload: JWTPayload; kid: string }> {
	const set = createLocalJWKSet((await jwksOf(p)) as Parameters<typeof createLocalJWKSet>[0]);
	const { payload, protectedHeader } = await jwtVerify(jwt, set);
	expect(protectedHeader.kid, "every JWT names its key").toEqual(expect.any(String));
	return { payload, kid: protectedHeader.kid as string };
}

export const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;

/** The issuer Roster uses: the project id is the last path segment (docs/security.md, "Issuer and public origin"). */
export const issuerOf = (p: TestProject) => `${BASE}/${p.projectId}`;

/** PATCH /v1/operator/projects/{id}: session lifetimes, password policy, lockout. */
export async function configureProject(p: TestProject, settings: Record<string, unknown>) {
	return expectStatus(
		await call("PATCH", `/v1/operator/projects/${p.projectId}`, { body: settings, headers: operatorHeaders }),
		200,
	).project;
}

export async function rotateKey(p: TestProject, activateAfterSeconds: number) {
	return expectStatus(
		await call("POST", `/v1/operator/projects/${p.projectId}/signing-keys/rotate`, {
			body: { activateAfterSeconds },
			headers: operatorHeaders,
		}),
		200,
	) as { kid: string; activateTime: number };
}

export const strictPolicy = {
	minLength: 10,
	lowercase: true,
	uppercase: true,
	number: true,
	nonAlphanumeric: true,
};

/** The user's session object (the same name the Worker uses). */
export const sessionsStub = (p: TestProject, userId: string) =>
	env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(`${p.projectId}:${userId}`));

/** The live refresh sessions the user's session object holds. */
export const liveSessions = async (p: TestProject, userId: string) =>
	sessionsStub(p, userId).listSessions(Date.now());

/** The stored password row of a user, straight from D1. */
export async function storedPassword(p: TestProject, userId: string) {
	return env.DB.prepare(
		"SELECT algorithm, hash, expired, temporary FROM user_passwords WHERE project_id = ? AND user_id = ?",
	)
		.bind(p.projectId, userId)
		.first<{ algorithm: string; hash: string; expired: number; temporary: number }>();
}

/** Management history of one user (bare array in and out). */
export async function historyOf(api: Mgmt, userId: string) {
	return expectStatus<any[]>(await api.post("/v1/mgmt/user/history", [userId]), 200);
}

/** The Descope error envelope with a given status and code; the message names `field` when given. */
export function expectError(res: CallResult, status: number, errorCode: string, messagePart?: string) {
	expect(res.status, JSON.stringify(res.body)).toBe(status);
	expect(res.body, JSON.stringify(res.body)).toMatchObject({
		errorCode,
		errorDescription: expect.any(String),
		errorMessage: expect.any(String),
	});
	if (messagePart) expect(res.body.errorMessage).toContain(messagePart);
}
