import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { managementKeys, projects, tenants } from "../../db/schema";

export type KeyRow = typeof managementKeys.$inferSelect;

/** The key and its project's rate-limit tier: what authentication needs, in one read. */
export const findKeyByHash = (db: Db, keyHash: string) =>
	db
		.select({ key: managementKeys, rateLimitTier: projects.rateLimitTier })
		.from(managementKeys)
		.innerJoin(projects, eq(projects.id, managementKeys.projectId))
		.where(eq(managementKeys.keyHash, keyHash))
		.get();

export const findKey = (db: Db, projectId: string, id: string) =>
	db
		.select()
		.from(managementKeys)
		.where(and(eq(managementKeys.projectId, projectId), eq(managementKeys.id, id)))
		.get();

export const listKeys = (db: Db, projectId: string) =>
	db
		.select()
		.from(managementKeys)
		.where(eq(managementKeys.projectId, projectId))
		.orderBy(desc(managementKeys.createdAt))
		.all();

/** A new key's row, for a commit (src/domain/commit.ts). */
export const insertKeySql = (row: KeyRow) =>
	sql`INSERT INTO management_keys (id, project_id, name, description, key_hash, status, expires_at, permitted_ips,
			re_bac, read_only, tenant_ids, created_at, last_used_at)
		VALUES (${row.id}, ${row.projectId}, ${row.name}, ${row.description}, ${row.keyHash}, ${row.status},
			${row.expiresAt}, ${JSON.stringify(row.permittedIps)}, ${JSON.stringify(row.reBac)}, ${Number(row.readOnly)},
			${JSON.stringify(row.tenantIds)}, ${row.createdAt}, ${row.lastUsedAt})`;

export type KeyChanges = Partial<
	Pick<KeyRow, "name" | "description" | "status" | "permittedIps" | "readOnly" | "tenantIds">
>;

/** Sets only the given fields. */
/** The key still exists: the precondition of an update. */
export const keyExistsQuery = (projectId: string, id: string) =>
	sql`SELECT 1 FROM management_keys WHERE project_id = ${projectId} AND id = ${id}`;

export function updateKeySql(projectId: string, id: string, changes: KeyChanges) {
	const set = [sql`name = ${changes.name}`, sql`description = ${changes.description}`];
	if (changes.status !== undefined) set.push(sql`status = ${changes.status}`);
	if (changes.permittedIps !== undefined)
		set.push(sql`permitted_ips = ${JSON.stringify(changes.permittedIps)}`);
	if (changes.readOnly !== undefined) set.push(sql`read_only = ${Number(changes.readOnly)}`);
	if (changes.tenantIds !== undefined) set.push(sql`tenant_ids = ${JSON.stringify(changes.tenantIds)}`);
	return sql`UPDATE management_keys SET ${sql.join(set, sql`, `)} WHERE project_id = ${projectId} AND id = ${id}`;
}

// Ids travel as one JSON parameter: D1 binds at most 100 parameters per statement.
const idList = (ids: string[]) => sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`;

export const findKeys = (db: Db, projectId: string, ids: string[]) =>
	db
		.select()
		.from(managementKeys)
		.where(and(eq(managementKeys.projectId, projectId), inArray(managementKeys.id, idList(ids))))
		.all();

export const deleteKeysSql = (projectId: string, ids: string[]) =>
	sql`DELETE FROM management_keys WHERE project_id = ${projectId} AND id IN ${idList(ids)}`;

export const touchKey = (db: Db, keyHash: string, at: number) =>
	db
		.update(managementKeys)
		.set({ lastUsedAt: at })
		.where(and(eq(managementKeys.keyHash, keyHash), sql`coalesce(${managementKeys.lastUsedAt}, 0) < ${at}`))
		.run();

/** Which of `ids` are tenants of the project (one statement: the ids are one JSON parameter). */
export const existingTenantIds = async (db: Db, projectId: string, ids: string[]) =>
	(
		await db
			.select({ id: tenants.id })
			.from(tenants)
			.where(
				and(
					eq(tenants.projectId, projectId),
					inArray(tenants.id, sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`),
				),
			)
			.all()
	).map((r) => r.id);
