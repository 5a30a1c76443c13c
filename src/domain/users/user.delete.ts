// Deleting users: one (ending its sessions), many by id, all test users.
import { sql } from "drizzle-orm";
import { batch } from "../../db/sql";
import { revokeUserSessions } from "../../sessions/client";
import type { Deps } from "../deps";
import { invalid } from "../errors";
import * as repo from "./users.repo";
import { MAX_BATCH } from "./users.shared";

/**
 * Deleting an unknown user succeeds: the end state is the one asked for. The user's sessions end
 * too (a refresh also needs the user row, so the sessions of users deleted in bulk die with it).
 */
export async function deleteUser(deps: Deps, projectId: string, ref: string) {
	const [deleted] = await batch(deps.d1, [
		sql`${repo.deleteUsersStatement(projectId, sql`id = ${repo.resolveRef(projectId, ref)}`)} RETURNING id`,
	]);
	for (const row of deleted ?? []) await revokeUserSessions(deps, projectId, row.id as string);
}

export async function deleteUserById(deps: Deps, projectId: string, userId: string) {
	const [deleted] = await batch(deps.d1, [
		sql`${repo.deleteUsersStatement(projectId, sql`id = ${userId}`)} RETURNING id`,
	]);
	for (const row of deleted ?? []) await revokeUserSessions(deps, projectId, row.id as string);
}

export async function deleteUsers(deps: Deps, projectId: string, userIds: string[]) {
	if (userIds.length > MAX_BATCH) throw invalid("userIds", `at most ${MAX_BATCH} ids per request`);
	await batch(deps.d1, [
		repo.deleteUsersStatement(
			projectId,
			sql`id IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))`,
		),
	]);
}

export async function deleteTestUsers(deps: Deps, projectId: string) {
	await batch(deps.d1, [repo.deleteUsersStatement(projectId, sql`test = 1`)]);
}
