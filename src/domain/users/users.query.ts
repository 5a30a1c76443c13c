import { type SQL, sql } from "drizzle-orm";
import type { Deps } from "../deps";
import { invalid } from "../errors";
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
import { membersOnly, tenantView } from "../scope";
import { identifierKey, isUserIdShaped } from "./identifiers";
import type { User, UserStatus } from "./user.types";
import { selectUsers, toUsers } from "./users.repo";
import { trigramQuery } from "./users.search";

// A neutral predicate tree over the domain user (and/or/not over field comparisons, tenant
// membership, role holding, custom attribute values), compiled to one WHERE clause whose
// selective parts are `u.id IN (…)` / `u.rowid IN (…)` subqueries on indexes: user_login_ids'
// primary key, the unique email_key / external_id / phone indexes, user_tenants_tenant_idx,
// user_roles_role_idx, user_attribute_values_lookup_idx and the users_fts trigram index.
// Dialects map their own filter languages onto it (the SCIM dialect: src/api/scim/users-query.ts).

export type { QueryOp } from "../predicate-sql";

/**
 * Text fields. `loginId` is the primary login id (case-insensitive, as identifiers compare);
 * `email` compares case-insensitively; `externalId` and `id` exactly; names and phone ignore ASCII case.
 */
export type UserTextField =
	| "id"
	| "loginId"
	| "email"
	| "externalId"
	| "phone"
	| "name"
	| "givenName"
	| "middleName"
	| "familyName";
export type UserTimeField = "createdAt" | "modifiedAt";

export type UserPredicate =
	| { kind: "and" | "or"; items: UserPredicate[] }
	| { kind: "not"; item: UserPredicate }
	| { kind: "const"; value: boolean }
	| { kind: "text"; field: UserTextField; op: QueryOp | "pr"; value?: string }
	/** Epoch ms. */
	| { kind: "time"; field: UserTimeField; op: Exclude<QueryOp, "co" | "sw" | "ew"> | "pr"; value?: number }
	| { kind: "status"; statuses: UserStatus[] }
	/** A member of the tenant. */
	| { kind: "tenant"; tenantId: string }
	/** Holds the role in the scope: tenantId "" for a project-wide assignment. */
	| { kind: "role"; roleId: string; tenantId: string }
	/**
	 * A custom attribute's value (any element of an array attribute). Text ignores ASCII case
	 * unless `caseExact`, which also lets eq and sw seek the value in the index.
	 */
	| {
			kind: "attribute";
			name: string;
			op: QueryOp | "pr";
			value?: string | number | boolean;
			caseExact?: boolean;
	  }
	/**
	 * Some element of an array custom attribute satisfies `where`. `parallel` names arrays aligned
	 * with it by position, read as further fields of the element (e.g. each email's type). Not
	 * selective on its own: combine it with an indexed predicate the element implies.
	 */
	| {
			kind: "element";
			name: string;
			parallel: Record<string, string>;
			where: ElementPredicate;
			/** What holds instead for a user without the attribute (default: false). */
			absent?: UserPredicate;
	  };

/** Over one element: `value`, `position` (0-based) or a parallel array's field; text ignores ASCII case. */
export type ElementPredicate =
	| { kind: "and" | "or"; items: ElementPredicate[] }
	| { kind: "not"; item: ElementPredicate }
	| { kind: "const"; value: boolean }
	| { kind: "field"; field: string; op: QueryOp | "pr"; value?: string | number; caseExact?: boolean };

export type UserSortKey =
	| "loginId"
	| "email"
	| "name"
	| "givenName"
	| "familyName"
	| "externalId"
	| "createdAt"
	| "modifiedAt"
	| "status";

export interface UserQuery {
	where?: UserPredicate;
	sort?: { key: UserSortKey; desc: boolean };
	/** Rows skipped before the page. */
	offset: number;
	limit: number;
}

/** Largest page and offset accepted. */
export const MAX_QUERY_LIMIT = 1000;
export const MAX_QUERY_OFFSET = 1_000_000_000;

const TEXT_COLUMN: Record<UserTextField, string> = {
	id: "u.id",
	loginId: "(u.login_ids ->> 0)",
	email: "u.email",
	externalId: "u.external_id",
	phone: "u.phone",
	name: "u.name",
	givenName: "u.given_name",
	middleName: "u.middle_name",
	familyName: "u.family_name",
};
// Columns users_fts indexes (migration 0005): login ids, names, email, phone.
const IN_FTS = new Set<UserTextField>([
	"loginId",
	"email",
	"phone",
	"name",
	"givenName",
	"middleName",
	"familyName",
]);
const CASE_EXACT = new Set<UserTextField>(["id", "externalId"]);

function compileText(projectId: string, p: Extract<UserPredicate, { kind: "text" }>): Compiled {
	const column = sql.raw(TEXT_COLUMN[p.field]);
	if (p.op === "pr") return { sql: textPresent(column), selective: false };
	const value = p.value ?? "";
	if (p.op === "ne") return not(compileText(projectId, { ...p, op: "eq" }));
	// Every text contains, starts and ends with the empty text.
	if (value === "" && (p.op === "co" || p.op === "sw" || p.op === "ew")) {
		return { sql: sql`${column} IS NOT NULL`, selective: false };
	}
	if (p.op === "eq") {
		switch (p.field) {
			case "id":
				return { sql: sql`u.id IN (${value})`, selective: true };
			case "loginId":
				// A value in user-id shape is no login id (identifiers.ts).
				if (isUserIdShaped(value)) return FALSE;
				return {
					sql: sql`u.id IN (SELECT user_id FROM user_login_ids WHERE project_id = ${projectId}
						AND login_id_lower = ${identifierKey(value)} AND position = 0)`,
					selective: true,
				};
			case "email":
				return {
					sql: sql`u.id IN (SELECT id FROM users WHERE project_id = ${projectId} AND email_key IS NOT NULL
						AND email_key = ${identifierKey(value)})`,
					selective: true,
				};
			case "externalId":
				return {
					sql: sql`u.id IN (SELECT id FROM users WHERE project_id = ${projectId} AND external_id IS NOT NULL
						AND external_id = ${value})`,
					selective: true,
				};
			case "phone":
				return {
					sql: sql`u.id IN (SELECT id FROM users WHERE project_id = ${projectId} AND phone IS NOT NULL
						AND phone = ${value})`,
					selective: true,
				};
			default:
				break;
		}
	}
	// Ranges on the index for prefixes of exact (or keyed) fields.
	if (p.op === "sw" && p.field === "loginId") {
		const key = identifierKey(value);
		return {
			sql: sql`u.id IN (SELECT user_id FROM user_login_ids WHERE project_id = ${projectId}
				AND login_id_lower >= ${key} AND login_id_lower < ${key + MAX_CHAR} AND position = 0)`,
			selective: true,
		};
	}
	if (p.op === "sw" && p.field === "externalId") {
		return {
			sql: sql`u.id IN (SELECT id FROM users WHERE project_id = ${projectId} AND external_id IS NOT NULL
				AND external_id >= ${value} AND external_id < ${value + MAX_CHAR})`,
			selective: true,
		};
	}
	const exact = CASE_EXACT.has(p.field);
	const left = exact ? column : sql`lower(${column})`;
	const right = exact ? sql`${value}` : sql`lower(${value})`;
	const confirm = compare(p.op, left, right);
	// Text matches of 3 characters or more are narrowed by the trigram index (it folds case
	// more widely than lower(), so it never drops a match), then confirmed on the column.
	const narrowable = p.op === "eq" || p.op === "co" || p.op === "sw" || p.op === "ew";
	if (narrowable && IN_FTS.has(p.field) && [...value].length >= 3) {
		return {
			sql: sql`(u.rowid IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ${trigramQuery(projectId, value)})
				AND ${confirm})`,
			selective: true,
		};
	}
	if (p.op === "eq" && p.field === "name") {
		// Too short for trigrams: every ASCII case variant, looked up on users_project_name_idx.
		return {
			sql: sql`u.id IN (SELECT id FROM users WHERE project_id = ${projectId} AND name IN (${sql.join(
				caseVariants(value).map((v) => sql`${v}`),
				sql`, `,
			)}))`,
			selective: true,
		};
	}
	return { sql: confirm, selective: false };
}

/** The ASCII case variants of a short text (at most 2 characters: at most 4 variants). */
function caseVariants(text: string): string[] {
	let out = [""];
	for (const c of text) {
		const forms = [...new Set([c.toLowerCase(), c.toUpperCase()])].filter(
			(f) => /^[\x20-\x7e]$/.test(f) || f === c,
		);
		out = out.flatMap((prefix) => forms.map((f) => prefix + f));
	}
	return out;
}

function compileTime(p: Extract<UserPredicate, { kind: "time" }>): Compiled {
	const column = sql.raw(p.field === "createdAt" ? "u.created_at" : "u.modified_at");
	if (p.op === "pr") return TRUE;
	return { sql: compare(p.op, column, sql`${p.value ?? 0}`), selective: false };
}

function compileAttribute(projectId: string, p: Extract<UserPredicate, { kind: "attribute" }>): Compiled {
	if (p.name === "__proto__") throw invalid("filter", `unknown custom attribute "${p.name}"`);
	if (p.op === "ne") return not(compileAttribute(projectId, { ...p, op: "eq" }));
	const of = (condition: SQL): Compiled => ({
		sql: sql`u.id IN (SELECT user_id FROM user_attribute_values
			WHERE project_id = ${projectId} AND name = ${p.name} AND ${condition})`,
		selective: true,
	});
	if (p.op === "pr") return of(sql`value IS NOT NULL AND value != ''`);
	const raw = p.value ?? "";
	const value = typeof raw === "boolean" ? Number(raw) : raw;
	if (typeof value === "number") return of(compare(p.op, sql`value`, sql`${value}`));
	if (value === "" && (p.op === "co" || p.op === "sw" || p.op === "ew")) return of(sql`value IS NOT NULL`);
	if (p.caseExact) {
		if (p.op === "sw") return of(sql`value >= ${value} AND value < ${value + MAX_CHAR}`);
		return of(compare(p.op, sql`value`, sql`${value}`));
	}
	// Strings ignore ASCII case (SCIM's caseExact false); the index narrows to the attribute's values.
	return of(compare(p.op, sql`lower(value)`, sql`lower(${value})`));
}

const jsonPath = (name: string) => `$."${name.replaceAll('"', '""')}"`;

function compileElement(
	projectId: string,
	p: Extract<UserPredicate, { kind: "element" }>,
	depth: number,
): Compiled {
	const keys = Object.keys(p.parallel);
	const columns = new Map<string, SQL>([
		["value", sql.raw("e.value")],
		["position", sql.raw("e.key")],
	]);
	const joins = keys.map((key, i) => {
		columns.set(key, sql.raw(`p${i}.value`));
		return sql` LEFT JOIN json_each(u.custom_attributes, ${jsonPath(p.parallel[key] as string)}) ${sql.raw(`p${i}`)}
			ON ${sql.raw(`p${i}`)}.key = e.key`;
	});
	const condition = (q: ElementPredicate, depth: number): SQL => {
		checkDepth(depth);
		switch (q.kind) {
			case "const":
				return q.value ? sql`1` : sql`0`;
			case "and":
			case "or":
				if (q.items.length === 0) return q.kind === "and" ? sql`1` : sql`0`;
				return sql`(${sql.join(
					q.items.map((i) => condition(i, depth + 1)),
					q.kind === "and" ? sql` AND ` : sql` OR `,
				)})`;
			case "not":
				return sql`NOT coalesce((${condition(q.item, depth + 1)}), 0)`;
			case "field": {
				const column = columns.get(q.field);
				if (!column) throw invalid("filter", `unknown element field "${q.field}"`);
				if (q.op === "pr") return textPresent(column);
				if (q.op === "ne") return sql`NOT coalesce((${condition({ ...q, op: "eq" }, depth + 1)}), 0)`;
				if (typeof q.value === "number" || q.caseExact) return compare(q.op, column, sql`${q.value ?? ""}`);
				const value = q.value ?? "";
				if (value === "" && (q.op === "co" || q.op === "sw" || q.op === "ew"))
					return sql`${column} IS NOT NULL`;
				return compare(q.op, sql`lower(${column})`, sql`lower(${value})`);
			}
		}
	};
	const exists = sql`EXISTS (SELECT 1 FROM json_each(u.custom_attributes, ${jsonPath(p.name)}) e${sql.join(joins, sql``)}
			WHERE e.type NOT IN ('object', 'array') AND ${condition(p.where, 0)})`;
	if (!p.absent) return { sql: exists, selective: false };
	const absent = compile(projectId, p.absent, depth + 1);
	return {
		sql: sql`(${exists} OR (json_type(u.custom_attributes, ${jsonPath(p.name)}) IS NULL AND ${absent.sql}))`,
		selective: false,
	};
}

/** Exact eq comparisons of one attribute, or-ed: one lookup with the values in a list. */
function mergeExactValues(
	items: UserPredicate[],
): (UserPredicate | { kind: "attributeIn"; name: string; values: string[] })[] {
	const lists = new Map<string, string[]>();
	const out: (UserPredicate | { kind: "attributeIn"; name: string; values: string[] })[] = [];
	for (const item of items) {
		if (item.kind === "attribute" && item.caseExact && item.op === "eq" && typeof item.value === "string") {
			const list = lists.get(item.name);
			if (list) {
				list.push(item.value);
				continue;
			}
			const values = [item.value];
			lists.set(item.name, values);
			out.push({ kind: "attributeIn", name: item.name, values });
		} else {
			out.push(item);
		}
	}
	return out;
}

function compile(
	projectId: string,
	p: UserPredicate | { kind: "attributeIn"; name: string; values: string[] },
	depth = 0,
): Compiled {
	checkDepth(depth);
	switch (p.kind) {
		case "attributeIn":
			if (p.name === "__proto__") throw invalid("filter", `unknown custom attribute "${p.name}"`);
			return {
				sql: sql`u.id IN (SELECT user_id FROM user_attribute_values WHERE project_id = ${projectId}
					AND name = ${p.name} AND value IN (${sql.join(
						p.values.map((v) => sql`${v}`),
						sql`, `,
					)}))`,
				selective: true,
			};
		case "const":
			return p.value ? TRUE : FALSE;
		case "and":
			return junction(
				"and",
				p.items.map((i) => compile(projectId, i, depth + 1)),
			);
		case "or":
			return junction(
				"or",
				mergeExactValues(p.items).map((i) => compile(projectId, i, depth + 1)),
			);
		case "not":
			return not(compile(projectId, p.item, depth + 1));
		case "text":
			return compileText(projectId, p);
		case "time":
			return compileTime(p);
		case "status":
			return {
				sql: p.statuses.length
					? sql`u.status IN (${sql.join(
							[...new Set(p.statuses)].map((s) => sql`${s}`),
							sql`, `,
						)})`
					: sql`0`,
				selective: false,
			};
		case "tenant":
			return {
				sql: sql`u.id IN (SELECT user_id FROM user_tenants WHERE project_id = ${projectId} AND tenant_id = ${p.tenantId})`,
				selective: true,
			};
		case "role":
			return {
				sql: sql`u.id IN (SELECT user_id FROM user_roles WHERE project_id = ${projectId} AND role_id = ${p.roleId}
					AND tenant_id = ${p.tenantId})`,
				selective: true,
			};
		case "attribute":
			return compileAttribute(projectId, p);
		case "element":
			return compileElement(projectId, p, depth);
	}
}

const SORT_EXPR: Record<UserSortKey, string> = {
	loginId: "lower(u.login_ids ->> 0)",
	email: "lower(u.email)",
	name: "lower(u.name)",
	givenName: "lower(u.given_name)",
	familyName: "lower(u.family_name)",
	externalId: "u.external_id",
	createdAt: "u.created_at",
	modifiedAt: "u.modified_at",
	status: "u.status",
};

/** The page and count statements (exported for the query-plan tests). */
export function userQueryStatements(projectId: string, q: UserQuery, tenantIds: string[] | null) {
	checkPage(q, MAX_QUERY_LIMIT, MAX_QUERY_OFFSET);
	const filter = q.where ? compile(projectId, q.where) : TRUE;
	const scoped = tenantIds !== null;
	const selective = filter.selective || scoped;
	// As in users.search.ts: with a selective filter the project test is kept off the users
	// indexes (`+u.project_id`) and so is the order, so that SQLite drives from the filter's index
	// instead of walking the project through (project_id, created_at).
	const where = sql.join(
		[
			selective ? sql`+u.project_id = ${projectId}` : sql`u.project_id = ${projectId}`,
			scoped ? membersOnly(projectId, tenantIds) : sql`1`,
			filter.sql,
		],
		sql` AND `,
	);
	const plus = selective ? "+" : "";
	const terms: string[] = [];
	if (q.sort) terms.push(sortTerm(SORT_EXPR[q.sort.key], q.sort.desc));
	// A stable order under every sort: creation time, then id.
	terms.push(`${plus}u.created_at`, `${plus}u.id`);
	const tail = sql`ORDER BY ${sql.raw(terms.join(", "))} LIMIT ${q.limit} OFFSET ${q.offset}`;
	return {
		page: selectUsers(where, tail, tenantIds),
		count: sql`SELECT count(*) AS total FROM users u WHERE ${where}`,
	};
}

/**
 * One round trip (one D1 batch): the exact total and one page of domain users, in a stable order.
 * Tenant-aware: a tenant-bound key sees its tenants' members only, with their memberships in
 * those tenants only (src/domain/scope.ts).
 */
export async function queryUsers(
	deps: Deps,
	projectId: string,
	q: UserQuery,
): Promise<{ total: number; users: User[] }> {
	const { deps: d, tenantIds } = tenantView(deps);
	const { total, rows } = await totalAndPage(d.d1, userQueryStatements(projectId, q, tenantIds), q.limit);
	return { total, users: toUsers(rows) };
}
