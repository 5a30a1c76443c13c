import { type SQL, sql } from "drizzle-orm";
import { decodeJwt } from "jose";
import { all, batch } from "../../db/sql";
import { checkPolicy, hashPassword, needsRehash, verifyPassword } from "../../lib/passwords";
import { sessionsOf } from "../../sessions/client";
import { commit, type Entry, record } from "../commit";
import type { Deps } from "../deps";
import { DomainError } from "../errors";
import type { Project } from "../projects/projects.service";
import type { User } from "../users/user.types";
import { loginIdKey } from "../users/user.validate";
import * as repo from "../users/users.repo";
import { createUser } from "../users/users.service";
import { asUser, historyStatement, projectQuery, type RequestInfo, toProject } from "./context";
import { type SigningKeyRow, signingKeysQuery, toSigningKeys } from "./signing-keys";
import { checkClaimsSize, clientClaimsOf, type IssuedTokens, issueTokens, verifyProjectJwt } from "./tokens";

// End-user authentication: password sign-up / sign-in / replace / update, refresh, logout,
// logout-all, me, history and tenant selection.

export interface AuthResult {
	tokens: IssuedTokens;
	user: User;
	firstSeen: boolean;
	project: Project;
}

const BAD_CREDENTIALS = "Invalid login id or password";

const passwordQuery = (projectId: string, loginId: string) =>
	sql`SELECT algorithm, hash, expired, temporary FROM user_passwords WHERE project_id = ${projectId}
		AND user_id = ${repo.loginIdOwner(projectId, loginId)}`;

const userByLoginIdQuery = (projectId: string, loginId: string) =>
	repo.selectUsers(sql`u.project_id = ${projectId} AND u.id = ${repo.loginIdOwner(projectId, loginId)}`);

function requireProject(project: Project | null): Project {
	if (!project) throw new DomainError("unauthorized", "Unknown project");
	return project;
}

/** One read: the project, the user behind the login id, its password and the signing keys. */
async function readForSignIn(deps: Deps, projectId: string, loginId: string) {
	const [projectRows, userRows, passwordRows, keyRows] = await batch(deps.d1, [
		projectQuery(projectId),
		userByLoginIdQuery(projectId, loginId),
		passwordQuery(projectId, loginId),
		signingKeysQuery(projectId),
	]);
	const p = passwordRows?.[0];
	return {
		project: requireProject(toProject(projectRows)),
		user: repo.toUsers(userRows)[0] ?? null,
		password: p
			? {
					algorithm: p.algorithm as string,
					hash: p.hash as string,
					expired: p.expired === 1,
					temporary: p.temporary === 1,
				}
			: null,
		keys: toSigningKeys(keyRows),
	};
}

let dummy: Promise<{ algorithm: string; hash: string }> | undefined;
/** A Roster hash of a random secret, made once per isolate, for the unknown-login-id path. */
const dummyHash = () => {
	dummy ??= hashPassword(crypto.randomUUID());
	return dummy;
};

const secondsUntil = (at: number, now: number) => Math.max(1, Math.ceil((at - now) / 1000));

/**
 * Stands in for the user's session object when the login id matches no user with a password, so
 * that path makes the same calls as a wrong password; it holds no sessions and never locks.
 */
export const NO_USER_SESSIONS = "-";

/**
 * Checks a password with lockout: a locked user is refused before the password is checked;
 * each failure is counted in the user's session object, which locks after the project's limit.
 */
async function checkPassword(
	deps: Deps,
	project: Project,
	user: User | null,
	password: Awaited<ReturnType<typeof readForSignIn>>["password"],
	given: string,
	loginId: string,
	method: string,
	info: RequestInfo,
) {
	const now = deps.now();
	const history = (outcome: string) =>
		historyStatement(project.id, { userId: user?.id ?? null, loginId, method, outcome, at: now }, info);
	const as = asUser(deps, user?.id ?? null);
	/** A refused attempt: its history row and its change rows, one batch (one round trip). */
	const refuse = (reason: string, extra: { statements?: SQL[]; entries?: Entry[] } = {}) =>
		commit(as, project.id, {
			statements: [history(reason), ...(extra.statements ?? [])],
			entries: [signInFailed(user?.id ?? null, loginId, method, reason), ...(extra.entries ?? [])],
		});
	if (!user || !password) {
		// The same work as a wrong password (a lockout check, one hash of today's cost, a failure
		// counted, one history write and one change row), so the answer time does not tell which
		// login ids exist.
		const stand = sessionsOf(deps.env, project.id, NO_USER_SESSIONS);
		await stand.lockedUntil(now);
		await verifyPassword(await dummyHash(), given);
		await stand.recordFailure(now, 0, 0);
		await refuse(user ? "no-password" : "unknown-login-id");
		throw new DomainError("unauthorized", BAD_CREDENTIALS);
	}
	const sessions = sessionsOf(deps.env, project.id, user.id);
	const lockedUntil = await sessions.lockedUntil(now);
	if (lockedUntil) {
		await refuse("locked");
		throw new DomainError(
			"rate_limited",
			"Too many failed sign-ins; try again later",
			"loginId",
			secondsUntil(lockedUntil, now),
		);
	}
	if (!(await verifyPassword(password, given))) {
		const failure = await sessions.recordFailure(now, project.lockoutAttempts, project.lockoutSeconds);
		await refuse("wrong-password", {
			statements: failure.lockedUntil
				? [
						sql`UPDATE users SET locked_until = ${failure.lockedUntil} WHERE project_id = ${project.id} AND id = ${user.id}`,
					]
				: [],
			// The session object reports the one failure that started the lockout.
			entries: failure.locked
				? [
						{
							action: "user.locked_out",
							target: { type: "user", id: user.id },
							loginId,
							data: { failures: failure.failures, lockedUntil: failure.lockedUntil },
						},
					]
				: [],
		});
		if (failure.lockedUntil) {
			throw new DomainError(
				"rate_limited",
				"Too many failed sign-ins; try again later",
				"loginId",
				secondsUntil(failure.lockedUntil, now),
			);
		}
		throw new DomainError("unauthorized", BAD_CREDENTIALS);
	}
	// Only someone who knows the password learns that the user is disabled.
	if (user.status === "disabled") {
		await refuse("disabled");
		throw new DomainError("forbidden", "User is disabled");
	}
	return { sessions, history, refuse };
}

/** The change row of a refused sign-in; `reason` is also the history row's outcome. */
export const signInFailed = (
	userId: string | null,
	loginId: string,
	method: string,
	reason: string,
): Entry => ({
	action: "auth.sign_in_failed",
	result: "failure",
	target: { type: "user", id: userId },
	userId,
	loginId,
	data: { method, reason },
});

/** The change rows of a successful sign-in: `auth.signed_in`, and `user.registered` for an invited user. */
export const signedIn = (user: User, method: string, firstSeen: boolean, loginId?: string): Entry[] => {
	const who = {
		target: { type: "user" as const, id: user.id },
		loginId: loginId ?? user.loginIds[0] ?? null,
	};
	return [
		{ action: "auth.signed_in", ...who, data: { method } },
		...(firstSeen
			? [
					{
						action: "user.registered" as const,
						...who,
						changes: { status: { before: "invited", after: "enabled" } },
					},
				]
			: []),
	];
};

/** After a good password: history, registration of invited users, rehash of imported hashes. */
async function completeSignIn(
	deps: Deps,
	project: Project,
	user: User,
	keys: SigningKeyRow[],
	write: { statements: SQL[]; entries?: Entry[]; revokeSessions?: boolean },
	options: { info: RequestInfo; amr: string[]; clientClaims?: Record<string, unknown>; loginId: string },
): Promise<AuthResult> {
	const now = deps.now();
	const firstSeen = user.status === "invited";
	const committed = await commit(asUser(deps, user.id), project.id, {
		statements: [
			...write.statements,
			...(firstSeen ? [repo.registerOnSignInStatement(project.id, user.id, now)] : []),
			sql`UPDATE users SET locked_until = NULL WHERE project_id = ${project.id} AND id = ${user.id} AND locked_until IS NOT NULL`,
		],
		// The write's own entries first: a revocation's `cause` is the first entry about the user.
		entries: [...(write.entries ?? []), ...signedIn(user, "password", firstSeen, options.loginId)],
		reads: [repo.userByIdQuery(project.id, user.id)],
		// Before the new session opens (issueTokens below), so it survives.
		effects: write.revokeSessions ? { revokeSessionsOf: [user.id] } : undefined,
	});
	const fresh = repo.toUsers(committed.reads[0])[0] ?? user;
	const tokens = await issueTokens(deps, project, fresh, {
		issuer: options.info.issuer,
		amr: options.amr,
		clientClaims: options.clientClaims,
		keys,
	});
	return { tokens, user: fresh, firstSeen, project };
}

export async function signInWithPassword(
	deps: Deps,
	projectId: string,
	input: { loginId: string; password: string; customClaims?: Record<string, unknown> },
	info: RequestInfo,
): Promise<AuthResult> {
	checkClaimsSize(input.customClaims, "loginOptions.customClaims");
	const { project, user, password, keys } = await readForSignIn(deps, projectId, input.loginId);
	const { sessions, history, refuse } = await checkPassword(
		deps,
		project,
		user,
		password,
		input.password,
		input.loginId,
		"password",
		info,
	);
	if (!user || !password) throw new DomainError("unauthorized", BAD_CREDENTIALS);
	if (password.expired || password.temporary) {
		await refuse(password.expired ? "password-expired" : "password-temporary");
		throw new DomainError(
			"password_expired",
			password.expired
				? "The password has expired; replace it with POST /v1/auth/password/replace"
				: "The password is temporary; replace it with POST /v1/auth/password/replace",
			"password",
		);
	}
	await sessions.recordSuccess();
	const statements = [history("success")];
	if (needsRehash(password)) {
		// An imported or older hash: store Roster's own on the first success.
		const rehashed = await hashPassword(input.password);
		statements.push(sql`UPDATE user_passwords SET algorithm = ${rehashed.algorithm}, hash = ${rehashed.hash}
			WHERE project_id = ${project.id} AND user_id = ${user.id} AND hash = ${password.hash}`);
	}
	return completeSignIn(
		deps,
		project,
		user,
		keys,
		{ statements },
		{ info, amr: ["pwd"], clientClaims: input.customClaims, loginId: input.loginId },
	);
}

/** Creates an enabled user with a password; an existing login id (even an invited user's) is refused. */
export async function signUpWithPassword(
	deps: Deps,
	projectId: string,
	input: {
		loginId: string;
		password: string;
		user: {
			email?: string;
			phone?: string;
			name?: string;
			givenName?: string;
			middleName?: string;
			familyName?: string;
		};
		customClaims?: Record<string, unknown>;
	},
	info: RequestInfo,
): Promise<AuthResult> {
	checkClaimsSize(input.customClaims, "loginOptions.customClaims");
	const [projectRows, keyRows] = await batch(deps.d1, [projectQuery(projectId), signingKeysQuery(projectId)]);
	const project = requireProject(toProject(projectRows));
	checkPolicy(input.password, project.passwordPolicy);
	const stored = await hashPassword(input.password);
	const now = deps.now();
	// The user, its sign-in history row and its auth.signed_up row: one write batch.
	const user = await createUser(
		asUser(deps, null),
		projectId,
		{ loginId: input.loginId, ...input.user, status: "enabled", password: stored },
		"user.created",
		(created) => ({
			statements: [
				historyStatement(
					projectId,
					{
						userId: created.id,
						loginId: input.loginId,
						method: "password-signup",
						outcome: "success",
						at: now,
					},
					info,
				),
			],
			entries: [signedUp({ id: created.id, loginIds: [created.loginId] }, "password")],
		}),
	);
	const tokens = await issueTokens(deps, project, user, {
		issuer: info.issuer,
		amr: ["pwd"],
		clientClaims: input.customClaims,
		keys: toSigningKeys(keyRows),
	});
	return { tokens, user, firstSeen: true, project };
}

/** The change row of a sign-up (the user's own `user.created` row is the create command's). */
export const signedUp = (user: Pick<User, "id" | "loginIds">, method: string): Entry => ({
	action: "auth.signed_up",
	target: { type: "user", id: user.id },
	loginId: user.loginIds[0] ?? null,
	data: { method },
});

/** Replaces the password (also an expired or temporary one) and signs in; other sessions end. */
export async function replacePassword(
	deps: Deps,
	projectId: string,
	input: { loginId: string; oldPassword: string; newPassword: string },
	info: RequestInfo,
): Promise<AuthResult> {
	const { project, user, password, keys } = await readForSignIn(deps, projectId, input.loginId);
	const { sessions, history } = await checkPassword(
		deps,
		project,
		user,
		password,
		input.oldPassword,
		input.loginId,
		"password-replace",
		info,
	);
	if (!user || !password) throw new DomainError("unauthorized", BAD_CREDENTIALS);
	checkPolicy(input.newPassword, project.passwordPolicy, "newPassword");
	const stored = await hashPassword(input.newPassword);
	await sessions.recordSuccess();
	return completeSignIn(
		deps,
		project,
		user,
		keys,
		{
			statements: [history("success"), setPasswordStatement(project.id, user.id, stored, false, deps.now())],
			entries: [passwordSet(user, { temporary: false, by: "replace" }, input.loginId)],
			revokeSessions: true,
		},
		{ info, amr: ["pwd"], loginId: input.loginId },
	);
}

/** The change row of a password set or replaced: whether it is temporary and how, never the password. */
export const passwordSet = (
	user: User,
	data: { temporary: boolean; by: string },
	loginId?: string,
): Entry => ({
	action: "user.password.set",
	target: { type: "user", id: user.id },
	loginId: loginId ?? user.loginIds[0] ?? null,
	data,
});

/** Sets (or replaces) the user's password; a new password is neither expired nor, unless asked, temporary. */
export const setPasswordStatement = (
	projectId: string,
	userId: string,
	stored: { algorithm: string; hash: string },
	temporary: boolean,
	now: number,
) =>
	sql`INSERT INTO user_passwords (user_id, project_id, algorithm, hash, expired, temporary, set_at)
		VALUES (${userId}, ${projectId}, ${stored.algorithm}, ${stored.hash}, 0, ${Number(temporary)}, ${now})
		ON CONFLICT (user_id) DO UPDATE SET algorithm = excluded.algorithm, hash = excluded.hash, expired = 0,
			temporary = excluded.temporary, set_at = excluded.set_at`;

// ---------------------------------------------------------------- refresh-token calls

export interface RefreshContext {
	project: Project;
	keys: SigningKeyRow[];
	user: User;
	claims: Awaited<ReturnType<typeof verifyProjectJwt>>;
}

/** What a refresh JWT is presented for; recorded with a refusal. */
export type RefreshUse =
	| "refresh"
	| "logout"
	| "logout-all"
	| "me"
	| "me-history"
	| "tenant-select"
	| "password-update"
	| "passkey-update";

const MISSING_REFRESH = "A refresh token is required: Bearer <projectId>:<refreshJwt>";

/** A refused refresh JWT: why, and the user it named when that user exists. */
class Refused {
	constructor(
		readonly reason: string,
		readonly error: DomainError,
		readonly userId: string | null = null,
	) {}
}

/**
 * Verifies a refresh JWT and that its session is live in the user's session object. Every refusal
 * for a project that exists is an `auth.refresh_failed` entry (successes are not recorded: a
 * refresh writes nothing, and a change row per refresh would be most of the log; docs/audit.md).
 */
export async function authenticateRefresh(
	deps: Deps,
	projectId: string,
	refreshJwt: string | undefined,
	use: RefreshUse = "refresh",
): Promise<RefreshContext> {
	let sub: unknown;
	let readable = Boolean(refreshJwt);
	try {
		sub = refreshJwt ? decodeJwt(refreshJwt).sub : undefined;
	} catch {
		readable = false;
	}
	const [projectRows, keyRows, userRows] = await batch(deps.d1, [
		projectQuery(projectId),
		signingKeysQuery(projectId),
		repo.userByIdQuery(projectId, typeof sub === "string" ? sub : ""),
	]);
	// No project, nothing recorded: a token that is not one is refused as such first.
	if (!toProject(projectRows) && !readable) {
		throw new DomainError("unauthorized", refreshJwt ? "Invalid refresh token" : MISSING_REFRESH);
	}
	const project = requireProject(toProject(projectRows));
	const keys = toSigningKeys(keyRows);
	const user = repo.toUsers(userRows)[0];
	const checked = await checkRefresh(deps, projectId, keys, user, refreshJwt).catch((error: unknown) => {
		if (error instanceof DomainError) return new Refused("invalid-token", error);
		throw error;
	});
	if (!(checked instanceof Refused)) return { project, keys, user: checked.user, claims: checked.claims };
	await record(asUser(deps, checked.userId), projectId, [
		{
			action: "auth.refresh_failed",
			result: "failure",
			target: { type: "user", id: checked.userId },
			loginId: checked.userId ? (user?.loginIds[0] ?? null) : null,
			data: { use, reason: checked.reason },
		},
	]);
	throw checked.error;
}

async function checkRefresh(
	deps: Deps,
	projectId: string,
	keys: SigningKeyRow[],
	user: User | undefined,
	refreshJwt: string | undefined,
) {
	if (!refreshJwt) {
		return new Refused("missing-token", new DomainError("unauthorized", MISSING_REFRESH));
	}
	const now = deps.now();
	const claims = await verifyProjectJwt(keys, projectId, refreshJwt, "DSR", now);
	if (!user) {
		return new Refused("user-deleted", new DomainError("session_revoked", "The user no longer exists"));
	}
	if (!(await sessionsOf(deps.env, projectId, user.id).useSession(claims.sid, now))) {
		return new Refused(
			"session-ended",
			new DomainError("session_revoked", "The session was signed out or has expired"),
			user.id,
		);
	}
	if (user.status === "disabled") {
		return new Refused("disabled", new DomainError("forbidden", "User is disabled"), user.id);
	}
	return { user, claims };
}

/** A new session JWT with the user's current roles and tenants; the refresh JWT stays. */
export async function refresh(
	deps: Deps,
	projectId: string,
	refreshJwt: string | undefined,
	info: RequestInfo,
) {
	const ctx = await authenticateRefresh(deps, projectId, refreshJwt, "refresh");
	// The selected tenant stays only while the user is still a member of it.
	const selected = typeof ctx.claims.dct === "string" ? ctx.claims.dct : undefined;
	const tenant = selected && ctx.user.tenants.some((t) => t.tenantId === selected) ? selected : undefined;
	const tokens = await issueTokens(deps, ctx.project, ctx.user, {
		issuer: info.issuer,
		amr: (ctx.claims.amr as string[] | undefined) ?? [],
		tenant,
		clientClaims: clientClaimsOf(ctx.claims),
		keys: ctx.keys,
		sessionId: ctx.claims.sid,
	});
	return {
		...ctx,
		tokens: {
			...tokens,
			refreshJwt: refreshJwt as string,
			refreshExpiration: ctx.claims.exp ?? tokens.refreshExpiration,
		},
	};
}

const signedOut = (user: User, all: boolean): Entry => ({
	action: "auth.signed_out",
	target: { type: "user", id: user.id },
	loginId: user.loginIds[0] ?? null,
	data: { all },
});

/** Ends this session; the user's other sessions stay. */
export async function logout(deps: Deps, projectId: string, refreshJwt: string | undefined) {
	const ctx = await authenticateRefresh(deps, projectId, refreshJwt, "logout");
	await sessionsOf(deps.env, projectId, ctx.user.id).closeSession(ctx.claims.sid);
	await commit(asUser(deps, ctx.user.id), projectId, {
		statements: [],
		entries: [signedOut(ctx.user, false)],
	});
}

/** Ends every session of the user (commit's revocation, recorded as `session.revoked`). */
export async function logoutAll(deps: Deps, projectId: string, refreshJwt: string | undefined) {
	const ctx = await authenticateRefresh(deps, projectId, refreshJwt, "logout-all");
	await commit(asUser(deps, ctx.user.id), projectId, {
		statements: [],
		entries: [signedOut(ctx.user, true)],
		effects: { revokeSessionsOf: [ctx.user.id] },
	});
}

/** Changes the password of the signed-in user; every session of the user ends. */
export async function updatePassword(
	deps: Deps,
	projectId: string,
	refreshJwt: string | undefined,
	loginId: string,
	newPassword: string,
) {
	const ctx = await authenticateRefresh(deps, projectId, refreshJwt, "password-update");
	if (!ctx.user.loginIds.some((id) => loginIdKey(id) === loginIdKey(loginId))) {
		throw new DomainError("forbidden", "The login id does not belong to the signed-in user", "loginId");
	}
	checkPolicy(newPassword, ctx.project.passwordPolicy, "newPassword");
	const stored = await hashPassword(newPassword);
	await commit(asUser(deps, ctx.user.id), projectId, {
		statements: [setPasswordStatement(projectId, ctx.user.id, stored, false, deps.now())],
		entries: [passwordSet(ctx.user, { temporary: false, by: "update" }, loginId)],
		effects: { revokeSessionsOf: [ctx.user.id] },
	});
}

export async function selectTenant(
	deps: Deps,
	projectId: string,
	refreshJwt: string | undefined,
	tenantId: string,
	info: RequestInfo,
): Promise<AuthResult> {
	const ctx = await authenticateRefresh(deps, projectId, refreshJwt, "tenant-select");
	if (!ctx.user.tenants.some((t) => t.tenantId === tenantId)) {
		throw new DomainError("forbidden", `The user is not a member of tenant "${tenantId}"`, "tenant");
	}
	const tokens = await issueTokens(deps, ctx.project, ctx.user, {
		issuer: info.issuer,
		amr: (ctx.claims.amr as string[] | undefined) ?? [],
		tenant: tenantId,
		clientClaims: clientClaimsOf(ctx.claims),
		keys: ctx.keys,
		sessionId: ctx.claims.sid,
	});
	await commit(asUser(deps, ctx.user.id), projectId, {
		statements: [
			historyStatement(
				projectId,
				{
					userId: ctx.user.id,
					loginId: ctx.user.loginIds[0] ?? "",
					method: "tenant-select",
					outcome: "success",
					tenant: tenantId,
					at: deps.now(),
				},
				info,
			),
		],
		entries: [
			{
				action: "auth.tenant_selected",
				target: { type: "user", id: ctx.user.id },
				loginId: ctx.user.loginIds[0] ?? null,
				tenantId,
			},
		],
	});
	return { tokens, user: ctx.user, firstSeen: false, project: ctx.project };
}

export async function passwordPolicy(deps: Deps, projectId: string) {
	const project = requireProject(toProject(await all(deps.d1, projectQuery(projectId))));
	return project.passwordPolicy;
}
