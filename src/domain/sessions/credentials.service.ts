import { sql } from "drizzle-orm";
import { all, batch } from "../../db/sql";
import { checkPolicy, hashPassword } from "../../lib/passwords";
import { commit, record } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid, userNotFound } from "../errors";
import { tenantView } from "../scope";
import * as repo from "../users/users.repo";
import { authenticateRefresh, passwordSet, setPasswordStatement } from "./auth.service";
import { projectQuery, toProject } from "./context";
import { signingKey, signingKeysQuery, toSigningKeys } from "./signing-keys";
import { checkManagementClaims, sign, verifyProjectJwt } from "./tokens";

// Management of credentials and sessions: passwords set by an admin, expiry, logout of every
// session, sign-in history and custom claims on a session JWT.

// Tenant-aware (src/domain/scope.ts): a tenant-bound key finds only users it may change, and the
// write runs on the returned deps.
async function readUser(scoped: Deps, projectId: string, ref: string) {
	const { deps, tenantIds } = tenantView(scoped);
	const [projectRows, userRows] = await batch(deps.d1, [
		projectQuery(projectId),
		repo.userByRefQuery(projectId, ref, tenantIds, true),
	]);
	const user = repo.toUsers(userRows)[0];
	const project = toProject(projectRows);
	if (!user || !project) throw userNotFound();
	return { user, project, deps };
}

/** Sets a password: `temporary` ones must be replaced at the next sign-in. Sessions end. */
export async function setPassword(
	scoped: Deps,
	projectId: string,
	ref: string,
	password: string,
	temporary: boolean,
) {
	const { user, project, deps } = await readUser(scoped, projectId, ref);
	checkPolicy(password, project.passwordPolicy);
	const stored = await hashPassword(password);
	await commit(deps, projectId, {
		statements: [
			setPasswordStatement(projectId, user.id, stored, temporary, deps.now()),
			sql`UPDATE users SET modified_at = ${deps.now()}, version = version + 1 WHERE project_id = ${projectId} AND id = ${user.id}`,
		],
		entries: [passwordSet(user, { temporary, by: "management" })],
		effects: { revokeSessionsOf: [user.id] },
	});
}

/** The next password sign-in fails with E062909 until the password is replaced. Sessions end. */
export async function expirePassword(scoped: Deps, projectId: string, ref: string) {
	const { user, deps } = await readUser(scoped, projectId, ref);
	await commit(deps, projectId, {
		statements: [
			sql`UPDATE user_passwords SET expired = 1 WHERE project_id = ${projectId} AND user_id = ${user.id}`,
		],
		entries: [
			{
				action: "user.password.expired",
				target: { type: "user", id: user.id },
				loginId: user.loginIds[0] ?? null,
			},
		],
		effects: { revokeSessionsOf: [user.id] },
	});
}

/** Ends every session of the user before returning. */
export async function logoutUser(
	deps: Deps,
	projectId: string,
	target: { loginId?: string; userId?: string },
) {
	const ref = target.loginId || target.userId;
	if (!ref) throw new DomainError("missing_argument", "loginId or userId is required", "loginId");
	// Tenant-aware (src/domain/scope.ts): a tenant-bound key logs out only users it may change.
	const { deps: d, tenantIds } = tenantView(deps);
	const rows = await all<Record<string, unknown>>(
		d.d1,
		target.loginId
			? repo.userByRefQuery(projectId, ref, tenantIds, true)
			: repo.userByIdQuery(projectId, ref, tenantIds, true),
	);
	const user = repo.toUsers(rows)[0];
	if (!user) throw userNotFound();
	// Nothing else is written: the batch is the `session.revoked` row, the revocation follows it.
	await commit(d, projectId, {
		statements: [],
		entries: [
			{
				action: "session.revoked",
				target: { type: "user", id: user.id },
				loginId: user.loginIds[0] ?? null,
				data: { cause: "logout" },
			},
		],
		effects: { revokeSessionsOf: [user.id] },
	});
}

export interface HistoryEntry {
	userId: string;
	loginId: string;
	at: number;
	ip: string;
	city: string;
	country: string;
	userAgent: string;
	method: string;
	outcome: string;
	selectedTenant: string;
}

export const MAX_HISTORY = 1000;

/** Sign-in attempts of the given users, newest first (at most 1,000). */
export async function history(deps: Deps, projectId: string, userIds: string[]): Promise<HistoryEntry[]> {
	if (userIds.length > 1000) throw invalid("userIds", "at most 1000 user ids per request");
	return all<HistoryEntry>(
		deps.d1,
		sql`SELECT user_id AS userId, login_id AS loginId, at, ip, city, country, user_agent AS userAgent, method, outcome,
				selected_tenant AS selectedTenant
			FROM login_history WHERE project_id = ${projectId}
				AND user_id IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))
			ORDER BY at DESC, id DESC LIMIT ${MAX_HISTORY}`,
	);
}

export async function myHistory(deps: Deps, projectId: string, refreshJwt: string | undefined) {
	const ctx = await authenticateRefresh(deps, projectId, refreshJwt, "me-history");
	return history(deps, projectId, [ctx.user.id]);
}

/**
 * Adds custom claims to a valid session JWT and signs it again (same expiry). A management call,
 * so the claims go at the top level; the end user's own stay under `nsec`.
 */
export async function updateJwt(
	deps: Deps,
	projectId: string,
	jwt: string,
	customClaims: Record<string, unknown>,
) {
	checkManagementClaims(customClaims, "customClaims");
	const [projectRows, keyRows] = await batch(deps.d1, [projectQuery(projectId), signingKeysQuery(projectId)]);
	const project = toProject(projectRows);
	if (!project) throw new DomainError("unauthorized", "Unknown project");
	const keys = toSigningKeys(keyRows);
	const claims = await verifyProjectJwt(keys, projectId, jwt, "DS", deps.now()).catch(() => {
		throw invalid("jwt", "not a valid session JWT of this project");
	});
	const key = await signingKey(deps, projectId, keys, project.refreshTtl * 1000);
	const { exp, ...rest } = claims;
	const signed = await sign(
		key,
		{ ...rest, ...customClaims },
		exp ?? Math.floor(deps.now() / 1000) + project.sessionTtl,
	);
	// Writes nothing else; the claim names only, never their values or the token.
	await record(deps, projectId, [
		{
			action: "token.updated",
			target: { type: "user", id: claims.sub },
			data: { claims: Object.keys(customClaims) },
		},
	]);
	return signed;
}
