// Helpers shared by the user services: attribute definitions, read-for-write, commit-and-read.
import { type SQL, sql } from "drizzle-orm";
import { customAttributeTypes } from "../../db/schema";
import { batch } from "../../db/sql";
import { type CommitPlan, commit, type Entry, type Rows } from "../commit";
import type { Deps } from "../deps";
import { DomainError, userNotFound } from "../errors";
import { tenantView } from "../scope";
import type { AttributeDefinition } from "./custom-attributes.repo";
import { checkAssignmentsInScope, contextQueries, toContext } from "./user.assignments-sql";
import type { User } from "./user.types";
import { checkPhone } from "./user.validate";
import * as repo from "./users.repo";

export const MAX_BATCH = 2000;

export type AttributeDefs = Map<string, AttributeDefinition>;

export const definitionsQuery = (projectId: string) =>
	sql`SELECT name, display_name AS displayName, type, options, default_value AS defaultValue, created_at AS createdAt
		FROM custom_attribute_definitions WHERE project_id = ${projectId}`;

export function toDefinitions(rows: Record<string, unknown>[] | undefined): AttributeDefs {
	const defs: AttributeDefs = new Map();
	for (const r of rows ?? []) {
		defs.set(r.name as string, {
			...(r as unknown as AttributeDefinition),
			options: JSON.parse((r.options as string) ?? "[]"),
		});
	}
	return defs;
}

/** A custom attribute a write needs defined: created (when missing) in the write's own batch. */
export interface EnsuredAttribute {
	name: string;
	type: "string" | "array";
}

/**
 * The definitions a write validates against once `ensure` is defined, plus the statement and change
 * rows that define the missing ones (an existing definition, of whatever type, is kept as it is).
 */
export function withEnsuredDefinitions(
	projectId: string,
	defs: AttributeDefs,
	ensure: EnsuredAttribute[] | undefined,
	now: number,
): { defs: AttributeDefs; statements: SQL[]; entries: Entry[] } {
	const missing = (ensure ?? []).filter(
		(a, i, all) => !defs.has(a.name) && all.findIndex((b) => b.name === a.name) === i,
	);
	if (missing.length === 0) return { defs, statements: [], entries: [] };
	const out: AttributeDefs = new Map(defs);
	const rows = missing.map((a) => ({
		projectId,
		name: a.name,
		displayName: a.name,
		type: customAttributeTypes[a.type],
		options: [],
		defaultValue: null,
		createdAt: now,
	}));
	for (const row of rows) out.set(row.name, row);
	return {
		defs: out,
		statements: [
			sql`INSERT INTO custom_attribute_definitions
					(project_id, name, display_name, type, options, default_value, created_at)
				SELECT ${projectId}, value->>'name', value->>'name', value->>'type', '[]', NULL, ${now}
				FROM json_each(${JSON.stringify(rows.map((r) => ({ name: r.name, type: r.type })))}) WHERE true
				ON CONFLICT (project_id, name) DO NOTHING`,
		],
		entries: rows.map((row) => ({
			action: "attribute.created",
			target: { type: "attribute", id: row.name },
			changes: { name: { after: row.name }, displayName: { after: row.name }, type: { after: row.type } },
		})),
	};
}

export function checkPhoneQuiet(phone: string) {
	try {
		return checkPhone(phone) ?? null;
	} catch {
		return null;
	}
}

/**
 * Resolves the user, reads attribute definitions and what the fields name: one round trip.
 * Tenant-aware (src/domain/scope.ts): a tenant-bound key finds only members of its tenants and may
 * not change project roles, SSO applications or memberships through these fields; the write must
 * use the returned `deps`, which only this confined read opens.
 */
export async function readForWrite(
	scoped: Deps,
	projectId: string,
	ref: string,
	fields: Parameters<typeof contextQueries>[1][number] = {},
) {
	const { deps, tenantIds } = tenantView(scoped);
	checkAssignmentsInScope(fields, tenantIds, false);
	const [userRows, defRows, ...contextRows] = await batch(deps.d1, [
		repo.userByRefQuery(projectId, ref, tenantIds, true),
		definitionsQuery(projectId),
		...contextQueries(projectId, [fields]),
	]);
	const user = repo.toUsers(userRows)[0];
	if (!user)
		throw new DomainError("user_not_found", `User not found: loginId "${ref}" matches no user`, "loginId");
	return { user, defs: toDefinitions(defRows), ctx: toContext(contextRows), deps };
}

/** Commits a write of one user (statements, change rows, effects) and reads the user back in the same batch. */
export async function commitUser(
	deps: Deps,
	projectId: string,
	userId: string,
	plan: Omit<CommitPlan, "reads">,
): Promise<User> {
	return (await commitUserWith(deps, projectId, plan, repo.userByIdQuery(projectId, userId))).user;
}

/** The same, reading the user back with `read` (a view with more than the user, e.g. its profile). */
export async function commitUserWith(
	deps: Deps,
	projectId: string,
	plan: Omit<CommitPlan, "reads">,
	read: SQL,
): Promise<{ user: User; rows: Rows }> {
	const { reads } = await commit(deps, projectId, { ...plan, reads: [read] });
	const rows = reads[0] ?? [];
	const user = repo.toUsers(rows)[0];
	if (!user) throw userNotFound();
	return { user, rows };
}
