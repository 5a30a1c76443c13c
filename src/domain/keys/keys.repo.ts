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

export const insertKeyStatement = (db: Db, row: typeof managementKeys.$inferInsert) =>
	db.insert(managementKeys).values(row);

export const insertKey = (db: Db, row: typeof managementKeys.$inferInsert) =>
	db.insert(managementKeys).values(row).returning().get();

export const updateKey = (
	db: Db,
	projectId: string,
	id: string,
	changes: Partial<
		Pick<KeyRow, "name" | "description" | "status" | "permittedIps" | "readOnly" | "tenantIds">
	>,
) =>
	db
		.update(managementKeys)
		.set(changes)
		.where(and(eq(managementKeys.projectId, projectId), eq(managementKeys.id, id)))
		.returning()
		.get();

// Ids travel as one JSON parameter: D1 binds at most 100 parameters per statement.
export const deleteKeys = (db: Db, projectId: string, ids: string[]) =>
	db
		.delete(managementKeys)
		.where(
			and(
				eq(managementKeys.projectId, projectId),
				inArray(managementKeys.id, sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`),
			),
		)
		.returning({ keyHash: managementKeys.keyHash })
		.all();

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
