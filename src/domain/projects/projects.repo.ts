import { asc, eq, gt } from "drizzle-orm";
import type { Db } from "../../db/client";
import { managementKeys, projects } from "../../db/schema";

export type ProjectRow = typeof projects.$inferSelect;

export const insertProjectStatement = (db: Db, row: typeof projects.$inferInsert) =>
	db.insert(projects).values(row);

export const findProject = (db: Db, id: string) =>
	db.select().from(projects).where(eq(projects.id, id)).get();

export const listProjects = (db: Db, after: string | undefined, limit: number) =>
	db
		.select()
		.from(projects)
		.where(after ? gt(projects.id, after) : undefined)
		.orderBy(asc(projects.id))
		.limit(limit)
		.all();

/** Deleting the project row cascades (foreign keys) to every row that belongs to it. */
export async function deleteProject(db: Db, id: string) {
	const [hashes, deleted] = await db.batch([
		db
			.select({ keyHash: managementKeys.keyHash })
			.from(managementKeys)
			.where(eq(managementKeys.projectId, id)),
		db.delete(projects).where(eq(projects.id, id)).returning({ id: projects.id }),
	]);
	return { keyHashes: hashes.map((h) => h.keyHash), deleted: deleted.length > 0 };
}

export const updateProject = (db: Db, id: string, changes: Partial<Omit<ProjectRow, "id" | "createdAt">>) =>
	Object.keys(changes).length === 0
		? findProject(db, id)
		: db.update(projects).set(changes).where(eq(projects.id, id)).returning().get();

/** The update and the project's key hashes in one batch (the caller drops those keys from the cache). */
export async function updateProjectReadingKeys(
	db: Db,
	id: string,
	changes: Partial<Omit<ProjectRow, "id" | "createdAt">>,
) {
	const [updated, hashes] = await db.batch([
		db.update(projects).set(changes).where(eq(projects.id, id)).returning(),
		db
			.select({ keyHash: managementKeys.keyHash })
			.from(managementKeys)
			.where(eq(managementKeys.projectId, id)),
	]);
	return { project: updated[0], keyHashes: hashes.map((h) => h.keyHash) };
}
