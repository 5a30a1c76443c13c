// Deleting users: one (ending its sessions), many by id, all test users.
import { type SQL, sql } from "drizzle-orm";
import { all } from "../../db/sql";
import { commit } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { membersOnly, tenantView } from "../scope";
import { atVersion, staleError } from "./user.patch";
import * as repo from "./users.repo";
import { MAX_BATCH } from "./users.shared";

/** Deletes the users `where` matches, one `user.deleted` row each (read before the delete). */
function deleteWhere(
	deps: Deps,
	projectId: string,
	where: SQL,
	revoke: string[] = [],
	preconditions?: SQL[],
) {
	return commit(deps, projectId, {
		preconditions,
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
 * Deletes one user; answers whether there was one to delete (Descope treats an unknown user as
 * deleted already, v4 answers 404). The user's sessions end too (a refresh also needs the user
 * row, so the sessions of users deleted in bulk die with it). With `versions` (If-Match,
 * docs/rest-v4.md) it applies only while the user is at one of them, else precondition_failed.
 */
// Tenant-aware (src/domain/scope.ts): a tenant-bound key deletes only users it may change.
export const deleteUser = (scoped: Deps, projectId: string, ref: string, options: DeleteOptions = {}) =>
	deleteOne(scoped, projectId, repo.resolveRef(projectId, ref), options);

export const deleteUserById = (
	scoped: Deps,
	projectId: string,
	userId: string,
	options: DeleteOptions = {},
) => deleteOne(scoped, projectId, sql`${userId}`, options);

export interface DeleteOptions {
	versions?: number[];
}

/** One read finds the user the key may delete (and its version), one batch deletes it. */
async function deleteOne(scoped: Deps, projectId: string, id: SQL, { versions }: DeleteOptions) {
	const { deps, tenantIds } = tenantView(scoped);
	const [found] = await all<{ id: string; version: number }>(
		deps.d1,
		sql`SELECT id, version FROM users WHERE project_id = ${projectId} AND id = ${id}
			AND ${membersOnly(projectId, tenantIds, sql`id`, true)}`,
	);
	if (!found) return false;
	if (versions && !versions.includes(Number(found.version)))
		throw staleError(found.id, Number(found.version));
	try {
		await deleteWhere(
			deps,
			projectId,
			sql`id = ${found.id}`,
			[found.id],
			versions && [atVersion(projectId, found.id, versions)],
		);
	} catch (error) {
		if (!(error instanceof DomainError) || error.code !== "precondition_failed") throw error;
		const [now] = await all<{ version: number }>(
			deps.d1,
			sql`SELECT version FROM users WHERE project_id = ${projectId} AND id = ${found.id}`,
		);
		// Deleted meanwhile by someone else: the end state is the one asked for.
		if (!now) return true;
		throw staleError(found.id, Number(now.version));
	}
	return true;
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
