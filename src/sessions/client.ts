import type { Deps } from "../domain/deps";
import { assertMayWrite } from "../domain/scope";

/** The session object of one user; stubs are obtained only here. */
export function sessionsOf(env: Env, projectId: string, userId: string) {
	return env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(`${projectId}:${userId}`));
}

/** Revokes every refresh session of the user; effective everywhere once this resolves. */
export async function revokeUserSessions(deps: Deps, projectId: string, userId: string): Promise<number> {
	// Logging a user out is a write: a read-only key may not, whatever the dialect.
	assertMayWrite(deps);
	return sessionsOf(deps.env, projectId, userId).revokeAll();
}

/** Revokes the sessions of many users (deletes, disables); one call per user, in parallel. */
export async function revokeSessionsOfUsers(deps: Deps, projectId: string, userIds: string[]) {
	assertMayWrite(deps);
	await Promise.all(userIds.map((id) => revokeUserSessions(deps, projectId, id)));
}
