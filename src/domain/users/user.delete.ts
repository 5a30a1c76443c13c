// Deleting users: one (ending its sessions), many by id, all test users.
import { type SQL, sql } from "drizzle-orm";
import { all } from "../../db/sql";
import { commit } from "../commit";
import type { Deps } from "../deps";
import { invalid } from "../errors";
import { membersOnly, tenantView } from "../scope";
import * as repo from "./users.repo";
import { MAX_BATCH } from "./users.shared";

/** Deletes the users `where` matches, one `user.deleted` row each (read before the delete). */
function deleteWhere(deps: Deps, projectId: string, where: SQL, revoke: string[] = []) {
	return commit(deps, projectId, {
		entriesFrom: [
			{
				action: "user.deleted",
				targetType: "user",
				select: sql`SELECT id AS target_id, id AS user_id, login_ids->>'$[0]' AS login_id, NULL AS tenant_id
					FROM users WHERE project_id = ${projectId} AND ${where}`,
			},
		],
		statements: [repo.deleteUsersStatement(projectId, where)],
		effects: { revokeSessionsOf: revoke },
	});
}

/**
 * Deleting an unknown user succeeds: the end state is the one asked for. The user's sessions end
 * too (a refresh also needs the user row, so the sessions of users deleted in bulk die with it).
 */
// Tenant-aware (src/domain/scope.ts): a tenant-bound key deletes only users it may change.
export const deleteUser = (scoped: Deps, projectId: string, ref: string) =>
	deleteOne(scoped, projectId, repo.resolveRef(projectId, ref));

export const deleteUserById = (scoped: Deps, projectId: string, userId: string) =>
	deleteOne(scoped, projectId, sql`${userId}`);

/** One read finds the user the key may delete (its sessions end with it), one batch deletes it. */
async function deleteOne(scoped: Deps, projectId: string, id: SQL) {
	const { deps, tenantIds } = tenantView(scoped);
	const [found] = await all<{ id: string }>(
		deps.d1,
		sql`SELECT id FROM users WHERE project_id = ${projectId} AND id = ${id}
			AND ${membersOnly(projectId, tenantIds, sql`id`, true)}`,
	);
	if (!found) return;
	await deleteWhere(deps, projectId, sql`id = ${found.id}`, [found.id]);
}

export async function deleteUsers(scoped: Deps, projectId: string, userIds: string[]) {
	if (userIds.length > MAX_BATCH) throw invalid("userIds", `at most ${MAX_BATCH} ids per request`);
	const { deps, tenantIds } = tenantView(scoped);
	await deleteWhere(
		deps,
		projectId,
		sql`id IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))
			AND ${membersOnly(projectId, tenantIds, sql`id`, true)}`,
	);
}

export async function deleteTestUsers(scoped: Deps, projectId: string) {
	const { deps, tenantIds } = tenantView(scoped);
	await deleteWhere(deps, projectId, sql`test = 1 AND ${membersOnly(projectId, tenantIds, sql`id`, true)}`);
}
