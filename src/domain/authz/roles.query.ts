import { sql } from "drizzle-orm";
import type { Deps } from "../deps";
import {
	type Compiled,
	checkDepth,
	checkPage,
	compare,
	FALSE,
	junction,
	MAX_CHAR,
	not,
	type QueryOp,
	sortTerm,
	TRUE,
	textPresent,
	totalAndPage,
} from "../predicate-sql";
import { assertTenantInScope, tenantView } from "../scope";

// The roles of one scope (tenant "" = the project's roles, else one tenant's) matching a neutral
// predicate tree, as one page with the exact total and, when asked, each role's members in that
// scope (user_roles rows of the role with the scope's tenant id). Every statement reads roles
// through an index: the scope prefix of roles_scope_name_uq, roles_scope_external_id_uq, the
// primary key, and user_roles' primary key for "has this member". Dialects map their filters onto
// it (the SCIM dialect: src/api/scim/groups-query.ts).

export type RoleTextField = "id" | "name" | "externalId";
export type RoleTimeField = "createdAt" | "modifiedAt";

export type RolePredicate =
	| { kind: "and" | "or"; items: RolePredicate[] }
	| { kind: "not"; item: RolePredicate }
	| { kind: "const"; value: boolean }
	/** `name` ignores ASCII case; `id` and `externalId` compare exactly. */
	| { kind: "text"; field: RoleTextField; op: QueryOp | "pr"; value?: string }
	/** Epoch ms. */
	| { kind: "time"; field: RoleTimeField; op: Exclude<QueryOp, "co" | "sw" | "ew"> | "pr"; value?: number }
	/** The user holds the role in the scope. */
	| { kind: "member"; userId: string };

export type RoleSortKey = "name" | "externalId" | "createdAt" | "modifiedAt";

export interface RoleQuery {
	/** "" for the project's roles, else the tenant's own roles. */
	tenantId: string;
	where?: RolePredicate;
	sort?: { key: RoleSortKey; desc: boolean };
	offset: number;
	limit: number;
	withMembers: boolean;
}

export interface RoleMember {
	userId: string;
	/** The user's name, else their primary login id. */
	display: string;
}

export interface RoleRow {
	id: string;
	name: string;
	description: string;
	tenantId: string;
	externalId: string | null;
	createdAt: number;
	/** Null until the role is first changed. */
	modifiedAt: number | null;
	version: number;
	/** Every member of the role in its scope. */
	memberCount: number;
	/** With `withMembers`: the first MAX_LISTED_MEMBERS members by user id. */
	members?: RoleMember[];
}

/** Members listed per role; memberCount says how many there are in all. */
export const MAX_LISTED_MEMBERS = 1000;
export const MAX_ROLE_QUERY_LIMIT = 1000;
const MAX_OFFSET = 1_000_000_000;

const TEXT_COLUMN: Record<RoleTextField, string> = {
	id: "r.id",
	name: "r.name",
	externalId: "r.external_id",
};

function compileText(p: Extract<RolePredicate, { kind: "text" }>): Compiled {
	const column = sql.raw(TEXT_COLUMN[p.field]);
	if (p.op === "pr") return { sql: textPresent(column), selective: false };
	if (p.op === "ne") return not(compileText({ ...p, op: "eq" }));
	const value = p.value ?? "";
	if (value === "" && (p.op === "co" || p.op === "sw" || p.op === "ew")) {
		return { sql: sql`${column} IS NOT NULL`, selective: false };
	}
	if (p.field === "id" && p.op === "eq") return { sql: sql`r.id IN (${value})`, selective: true };
	if (p.field === "externalId" && p.op === "eq") {
		return { sql: sql`(r.external_id IS NOT NULL AND r.external_id = ${value})`, selective: false };
	}
	if (p.field === "externalId" && p.op === "sw") {
		return {
			sql: sql`(r.external_id IS NOT NULL AND r.external_id >= ${value} AND r.external_id < ${value + MAX_CHAR})`,
			selective: false,
		};
	}
	// Names ignore ASCII case (SCIM displayName is caseExact false): read over the scope's prefix
	// of roles_scope_name_uq.
	if (p.field === "name")
		return { sql: compare(p.op, sql`lower(r.name)`, sql`lower(${value})`), selective: false };
	return { sql: compare(p.op, column, sql`${value}`), selective: false };
}

function compile(projectId: string, tenantId: string, p: RolePredicate, depth = 0): Compiled {
	checkDepth(depth);
	switch (p.kind) {
		case "const":
			return p.value ? TRUE : FALSE;
		case "and":
		case "or":
			return junction(
				p.kind,
				p.items.map((i) => compile(projectId, tenantId, i, depth + 1)),
			);
		case "not":
			return not(compile(projectId, tenantId, p.item, depth + 1));
		case "text":
			return compileText(p);
		case "time": {
			if (p.op === "pr") {
				return { sql: p.field === "createdAt" ? sql`1` : sql`r.modified_at IS NOT NULL`, selective: false };
			}
			// A role never changed has no modified time: its creation time stands in.
			const column = sql.raw(
				p.field === "createdAt" ? "r.created_at" : "coalesce(r.modified_at, r.created_at)",
			);
			return { sql: compare(p.op, column, sql`${p.value ?? 0}`), selective: false };
		}
		case "member":
			// user_roles' primary key (user_id, tenant_id, role_id); `+project_id` keeps SQLite off
			// user_roles_role_idx, whose project_id prefix alone would walk the project's assignments.
			return {
				sql: sql`r.id IN (SELECT role_id FROM user_roles WHERE user_id = ${p.userId} AND tenant_id = ${tenantId}
					AND +project_id = ${projectId})`,
				selective: true,
			};
	}
}

const SORT_EXPR: Record<RoleSortKey, string> = {
	name: "lower(r.name)",
	externalId: "r.external_id",
	createdAt: "r.created_at",
	modifiedAt: "coalesce(r.modified_at, r.created_at)",
};

const membersColumns = (withMembers: boolean) =>
	sql.raw(`(SELECT count(*) FROM user_roles ur
			WHERE ur.project_id = r.project_id AND ur.role_id = r.id AND ur.tenant_id = r.tenant_id) AS member_count,
		${
			withMembers
				? `(SELECT json_group_array(json_object('userId', m.user_id, 'display', m.display) ORDER BY m.user_id)
			FROM (SELECT ur.user_id, coalesce(mu.name, mu.login_ids ->> 0, ur.user_id) AS display
				FROM user_roles ur JOIN users mu ON mu.id = ur.user_id
				WHERE ur.project_id = r.project_id AND ur.role_id = r.id AND ur.tenant_id = r.tenant_id
				ORDER BY ur.user_id LIMIT ${MAX_LISTED_MEMBERS}) m)`
				: "NULL"
		} AS members`);

/** The page and count statements (exported for the query-plan tests). */
export function roleQueryStatements(projectId: string, q: RoleQuery) {
	checkPage(q, MAX_ROLE_QUERY_LIMIT, MAX_OFFSET);
	const filter = q.where ? compile(projectId, q.tenantId, q.where) : TRUE;
	// Selective: driven from the named ids; otherwise from the scope's prefix of roles_scope_name_uq.
	const scope = filter.selective
		? sql`+r.project_id = ${projectId} AND +r.tenant_id = ${q.tenantId}`
		: sql`r.project_id = ${projectId} AND r.tenant_id = ${q.tenantId}`;
	const where = sql`${scope} AND ${filter.sql}`;
	const terms: string[] = [];
	if (q.sort) terms.push(sortTerm(SORT_EXPR[q.sort.key], q.sort.desc));
	terms.push("r.created_at", "r.id");
	return {
		page: sql`SELECT r.id, r.name, r.description, r.tenant_id, r.external_id, r.created_at, r.modified_at,
				r.version, ${membersColumns(q.withMembers)}
			FROM roles r WHERE ${where} ORDER BY ${sql.raw(terms.join(", "))} LIMIT ${q.limit} OFFSET ${q.offset}`,
		count: sql`SELECT count(*) AS total FROM roles r WHERE ${where}`,
	};
}

/** A row of the page statement as a role (also read by roles.members.ts). */
export function toRoleRow(row: Record<string, unknown>, withMembers: boolean): RoleRow {
	const out: RoleRow = {
		id: String(row.id),
		name: String(row.name),
		description: String(row.description ?? ""),
		tenantId: String(row.tenant_id),
		externalId: (row.external_id as string | null) ?? null,
		createdAt: Number(row.created_at),
		modifiedAt: row.modified_at === null || row.modified_at === undefined ? null : Number(row.modified_at),
		version: Number(row.version),
		memberCount: Number(row.member_count ?? 0),
	};
	if (withMembers) out.members = JSON.parse(String(row.members ?? "[]")) as RoleMember[];
	return out;
}

/**
 * One round trip: the exact total and one page of the scope's roles. Tenant-aware: a
 * tenant-bound key may read its own tenants' roles only (the project's roles are refused).
 */
export async function queryRoles(
	deps: Deps,
	projectId: string,
	q: RoleQuery,
): Promise<{ total: number; roles: RoleRow[] }> {
	const { deps: d, tenantIds } = tenantView(deps);
	// The project's roles ("") are outside every tenant-bound key's tenants.
	assertTenantInScope(tenantIds, q.tenantId);
	const { total, rows } = await totalAndPage(d.d1, roleQueryStatements(projectId, q), q.limit);
	return { total, roles: rows.map((r) => toRoleRow(r, q.withMembers)) };
}
