// Deleting users: one (ending its sessions), many by id, all test users.
import { sql } from "drizzle-orm";
import { batch } from "../../db/sql";
import { revokeUserSessions } from "../../sessions/client";
import type { Deps } from "../deps";
import { invalid } from "../errors";
import { membersOnly, tenantView } from "../scope";
import * as repo from "./users.repo";
import { MAX_BATCH } from "./users.shared";

/**
 * Deleting an unknown user succeeds: the end state is the one asked for. The user's sessions end
 * too (a refresh also needs the user row, so the sessions of users deleted in bulk die with it).
 */
// Tenant-aware (src/domain/scope.ts): a tenant-bound key deletes only users it may change.
export async function deleteUser(scoped: Deps, projectId: string, ref: string) {
	const { deps, tenantIds } = tenantView(scoped);
	const where = sql`id = ${repo.resolveRef(projectId, ref)} AND ${membersOnly(projectId, tenantIds, sql`id`, true)}`;
	const [deleted] = await batch(deps.d1, [sql`${repo.deleteUsersStatement(projectId, where)} RETURNING id`]);
	for (const row of deleted ?? []) await revokeUserSessions(deps, projectId, row.id as string);
}

export async function deleteUserById(scoped: Deps, projectId: string, userId: string) {
	const { deps, tenantIds } = tenantView(scoped);
	const where = sql`id = ${userId} AND ${membersOnly(projectId, tenantIds, sql`id`, true)}`;
	const [deleted] = await batch(deps.d1, [sql`${repo.deleteUsersStatement(projectId, where)} RETURNING id`]);
	for (const row of deleted ?? []) await revokeUserSessions(deps, projectId, row.id as string);
}

export async function deleteUsers(scoped: Deps, projectId: string, userIds: string[]) {
	if (userIds.length > MAX_BATCH) throw invalid("userIds", `at most ${MAX_BATCH} ids per request`);
	const { deps, tenantIds } = tenantView(scoped);
	await batch(deps.d1, [
		repo.deleteUsersStatement(
			projectId,
			sql`id IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))
				AND ${membersOnly(projectId, tenantIds, sql`id`, true)}`,
		),
	]);
}

export async function deleteTestUsers(scoped: Deps, projectId: string) {
	const { deps, tenantIds } = tenantView(scoped);
	await batch(deps.d1, [
		repo.deleteUsersStatement(
			projectId,
			sql`test = 1 AND ${membersOnly(projectId, tenantIds, sql`id`, true)}`,
		),
	]);
}
