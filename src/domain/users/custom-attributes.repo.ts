import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { customAttributeDefinitions, userAttributeValues, users } from "../../db/schema";

export type AttributeDefinition = typeof customAttributeDefinitions.$inferSelect;

export const listDefinitionsQuery = (db: Db, projectId: string) =>
	db
		.select()
		.from(customAttributeDefinitions)
		.where(eq(customAttributeDefinitions.projectId, projectId))
		.orderBy(asc(customAttributeDefinitions.createdAt), asc(customAttributeDefinitions.name));

export function upsertDefinitionsStatement(db: Db, rows: AttributeDefinition[]) {
	return db
		.insert(customAttributeDefinitions)
		.values(rows)
		.onConflictDoUpdate({
			target: [customAttributeDefinitions.projectId, customAttributeDefinitions.name],
			set: {
				displayName: sql`excluded.display_name`,
				type: sql`excluded.type`,
				options: sql`excluded.options`,
				defaultValue: sql`excluded.default_value`,
			},
		});
}

/** Deletes definitions and strips their values from every user that had one, set-based. */
export function deleteDefinitionsStatements(db: Db, projectId: string, names: string[], now: number) {
	const owners = db
		.selectDistinct({ id: userAttributeValues.userId })
		.from(userAttributeValues)
		.where(and(eq(userAttributeValues.projectId, projectId), inArray(userAttributeValues.name, names)));
	const paths = names.map((n) => `$."${n}"`);
	return [
		db
			.update(users)
			.set({
				customAttributes: sql`json_remove(${users.customAttributes}, ${sql.join(
					paths.map((p) => sql`${p}`),
					sql`, `,
				)})`,
				modifiedAt: now,
				version: sql`${users.version} + 1`,
			})
			.where(and(eq(users.projectId, projectId), inArray(users.id, owners))),
		db
			.delete(userAttributeValues)
			.where(and(eq(userAttributeValues.projectId, projectId), inArray(userAttributeValues.name, names))),
		db
			.delete(customAttributeDefinitions)
			.where(
				and(
					eq(customAttributeDefinitions.projectId, projectId),
					inArray(customAttributeDefinitions.name, names),
				),
			),
	] as const;
}
