import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { customAttributeDefinitions } from "../../db/schema";

export type AttributeDefinition = typeof customAttributeDefinitions.$inferSelect;

export const listDefinitionsQuery = (db: Db, projectId: string) =>
	db
		.select()
		.from(customAttributeDefinitions)
		.where(eq(customAttributeDefinitions.projectId, projectId))
		.orderBy(asc(customAttributeDefinitions.createdAt), asc(customAttributeDefinitions.name));

/** Rows travel as one JSON parameter (D1 binds at most 100 parameters per statement). */
export function upsertDefinitionsSql(rows: AttributeDefinition[]) {
	return sql`INSERT INTO custom_attribute_definitions
			(project_id, name, display_name, type, options, default_value, created_at)
		SELECT value->>'projectId', value->>'name', value->>'displayName', value->>'type', value->'options',
			value->'defaultValue', value->>'createdAt'
		FROM json_each(${JSON.stringify(rows)}) WHERE true
		ON CONFLICT (project_id, name) DO UPDATE SET display_name = excluded.display_name, type = excluded.type,
			options = excluded.options, default_value = excluded.default_value`;
}

export const listDefinitionsSql = (projectId: string) =>
	sql`SELECT project_id AS projectId, name, display_name AS displayName, type, options, default_value AS defaultValue,
		created_at AS createdAt FROM custom_attribute_definitions WHERE project_id = ${projectId} ORDER BY created_at, name`;

export const toDefinitionRows = (rows: Record<string, unknown>[] | undefined): AttributeDefinition[] =>
	(rows ?? []).map((r) => ({
		projectId: r.projectId as string,
		name: r.name as string,
		displayName: r.displayName as string,
		type: Number(r.type),
		options: JSON.parse(r.options as string),
		defaultValue: r.defaultValue === null ? null : JSON.parse(r.defaultValue as string),
		createdAt: Number(r.createdAt),
	}));

/** Deletes definitions and strips their values from every user that had one, set-based. */
export function deleteDefinitionsSql(projectId: string, names: string[], now: number) {
	// Names travel as one JSON parameter: D1 binds at most 100 parameters per statement.
	const nameList = sql`(SELECT value FROM json_each(${JSON.stringify(names)}))`;
	const paths = sql.join(
		names.map((n) => sql`${`$."${n}"`}`),
		sql`, `,
	);
	return [
		// `+project_id`: seek the owners by key rather than scan the project (see users.search.ts).
		sql`UPDATE users SET custom_attributes = json_remove(custom_attributes, ${paths}), modified_at = ${now},
				version = version + 1
			WHERE +project_id = ${projectId} AND id IN (SELECT DISTINCT user_id FROM user_attribute_values
				WHERE project_id = ${projectId} AND name IN ${nameList})`,
		sql`DELETE FROM user_attribute_values WHERE project_id = ${projectId} AND name IN ${nameList}`,
		sql`DELETE FROM custom_attribute_definitions WHERE project_id = ${projectId} AND name IN ${nameList}`,
	];
}

/** How many users hold a value of each of `names` (what deleting them strips). */
export const holdersSql = (projectId: string, names: string[]) =>
	sql`SELECT name, count(DISTINCT user_id) AS n FROM user_attribute_values WHERE project_id = ${projectId}
		AND name IN (SELECT value FROM json_each(${JSON.stringify(names)})) GROUP BY name`;
