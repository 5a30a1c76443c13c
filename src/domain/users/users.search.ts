import { type SQL, sql } from "drizzle-orm";
import type { D1Handle } from "../../db/client";
import { batch } from "../../db/sql";
import { invalid } from "../errors";
import { checkSearchText } from "../input-limits";
import { membersOnly } from "../scope";
import { identifierKey, isUserIdShaped } from "./identifiers";
import type { UserStatus } from "./user.types";
import { selectUsers, toUsers } from "./users.repo";

export interface UserSearch {
	loginIds?: string[];
	userIds?: string[];
	text?: string;
	statuses?: (UserStatus | "expired")[];
	emails?: string[];
	phones?: string[];
	customAttributes?: Record<string, unknown>;
	verifiedEmail?: boolean;
	verifiedPhone?: boolean;
	withTestUser?: boolean;
	testUsersOnly?: boolean;
	/** Epoch ms, inclusive. */
	fromCreatedTime?: number;
	toCreatedTime?: number;
	fromModifiedTime?: number;
	toModifiedTime?: number;
	sort?: { field: string; desc?: boolean }[];
	limit?: number;
	page?: number;
	/** Member of at least one. */
	tenantIds?: string[];
	/** A tenant-bound key's tenants (src/domain/scope.ts): only their members, whatever else is asked. */
	scopeTenantIds?: string[];
	/** Holds one of these roles (project-wide or in any tenant). */
	roleNames?: string[];
	/** Per tenant: holds one of (or with `and`, all of) these roles in that tenant. */
	tenantRoleIds?: Record<string, { values: string[]; and?: boolean }>;
	tenantRoleNames?: Record<string, { values: string[]; and?: boolean }>;
	ssoAppIds?: string[];
}

function tenantRoleCondition(projectId: string, tenantId: string, roleIds: SQL, count: number, and: boolean) {
	return and
		? sql`u.id IN (SELECT user_id FROM user_roles WHERE project_id = ${projectId} AND tenant_id = ${tenantId}
			AND role_id IN ${roleIds} GROUP BY user_id HAVING count(DISTINCT role_id) = ${count})`
		: sql`u.id IN (SELECT user_id FROM user_roles WHERE project_id = ${projectId} AND tenant_id = ${tenantId}
			AND role_id IN ${roleIds})`;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

const SORT_COLUMNS: Record<string, string> = {
	name: "u.name",
	displayName: "u.name",
	givenName: "u.given_name",
	familyName: "u.family_name",
	email: "u.email",
	phone: "u.phone",
	status: "u.status",
	loginId: "u.login_ids ->> 0",
	createdTime: "u.created_at",
	modifiedTime: "u.modified_at",
};

const jsonList = (values: unknown[]) => sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;

/** An FTS5 phrase: the whole input as one quoted string. */
const phrase = (text: string) => `"${text.replaceAll('"', '""')}"`;

/** How many of a text's trigrams the index is asked for (docs/security.md). */
export const MAX_TRIGRAM_TERMS = 8;

/**
 * At most MAX_TRIGRAM_TERMS distinct trigrams of `text` (3 characters or more), spread over it
 * from its first to its last. A phrase of the whole text costs one position check per trigram
 * (254 for 256 characters) on every row holding them, which for a repeated common trigram is
 * every row of the project; a fixed number of distinct terms is a fixed number of index lookups.
 */
export function trigramTerms(text: string): string[] {
	const chars = [...text];
	const all = [...new Set(chars.slice(0, -2).map((_, i) => chars.slice(i, i + 3).join("")))];
	if (all.length <= MAX_TRIGRAM_TERMS) return all;
	const step = (all.length - 1) / (MAX_TRIGRAM_TERMS - 1);
	return Array.from({ length: MAX_TRIGRAM_TERMS }, (_, i) => all[Math.round(i * step)] as string);
}

/**
 * The FTS5 query for `text` within one project (column `project`) and the searchable fields
 * (column `body`): the bounded trigram terms, all of them required. They narrow; the caller
 * confirms the whole text on the rows found.
 */
export const trigramQuery = (projectId: string, text: string) =>
	`project : ${phrase(projectId)} AND body : (${trigramTerms(text).map(phrase).join(" AND ")})`;

// Printable ASCII: SQLite's lower() folds its case as the trigram index does.
const ASCII = /^[\x20-\x7e]*$/;

// Each of these filters is its own subquery with its own parameters (D1 binds at most 100).
const MAX_KEYED_FILTERS = 20;

function conditions(projectId: string, q: UserSearch): SQL[] {
	for (const field of ["customAttributes", "tenantRoleIds", "tenantRoleNames"] as const) {
		if (Object.keys(q[field] ?? {}).length > MAX_KEYED_FILTERS) {
			throw invalid(field, `at most ${MAX_KEYED_FILTERS} keys per search`);
		}
	}
	// Filters that name users (ids, login ids, emails, attributes, memberships, text) become
	// `u.id IN (…)` / `u.rowid IN (…)` on the primary key. With one of them present the project
	// test is written `+u.project_id` so that SQLite, which has no statistics here and takes
	// `project_id = ?` for a selective index, drives the query from the named users instead of
	// scanning the project through a project-leading index.
	const selective =
		Boolean(q.userIds?.length || q.loginIds?.length || q.emails?.length || q.phones?.length) ||
		Boolean(q.tenantIds?.length || q.roleNames?.length || q.ssoAppIds?.length || q.text?.trim()) ||
		Boolean(q.scopeTenantIds) ||
		Object.keys(q.customAttributes ?? {}).length > 0 ||
		Object.values(q.tenantRoleIds ?? {}).some((s) => s.values.length > 0) ||
		Object.values(q.tenantRoleNames ?? {}).some((s) => s.values.length > 0);
	const where: SQL[] = [selective ? sql`+u.project_id = ${projectId}` : sql`u.project_id = ${projectId}`];
	if (q.scopeTenantIds) where.push(membersOnly(projectId, q.scopeTenantIds));
	if (q.userIds?.length) where.push(sql`u.id IN ${jsonList(q.userIds)}`);
	if (q.loginIds?.length) {
		where.push(sql`u.id IN (SELECT user_id FROM user_login_ids
			WHERE project_id = ${projectId} AND login_id_lower IN ${jsonList(
				// A value in user-id shape is no login id (identifiers.ts): it matches none.
				q.loginIds.filter((v) => !isUserIdShaped(v)).map(identifierKey),
			)})`);
	}
	if (q.emails?.length) {
		where.push(sql`u.id IN (SELECT id FROM users WHERE project_id = ${projectId} AND email_key IS NOT NULL
			AND email_key IN ${jsonList(q.emails.map(identifierKey))})`);
	}
	if (q.phones?.length) {
		where.push(sql`u.id IN (SELECT id FROM users WHERE project_id = ${projectId} AND phone IS NOT NULL
			AND phone IN ${jsonList(q.phones)})`);
	}
	if (q.statuses?.length) {
		// `expired` is not a status of its own: it names users whose password has expired.
		const expired = q.statuses.includes("expired")
			? sql` OR u.id IN (SELECT user_id FROM user_passwords WHERE project_id = ${projectId} AND expired = 1)`
			: sql``;
		where.push(sql`(u.status IN ${jsonList(q.statuses.filter((s) => s !== "expired"))}${expired})`);
	}
	if (q.verifiedEmail !== undefined) where.push(sql`u.verified_email = ${Number(q.verifiedEmail)}`);
	if (q.verifiedPhone !== undefined) where.push(sql`u.verified_phone = ${Number(q.verifiedPhone)}`);
	if (q.testUsersOnly) where.push(sql`u.test = 1`);
	else if (!q.withTestUser) where.push(sql`u.test = 0`);
	if (q.fromCreatedTime !== undefined) where.push(sql`u.created_at >= ${q.fromCreatedTime}`);
	if (q.toCreatedTime !== undefined) where.push(sql`u.created_at <= ${q.toCreatedTime}`);
	if (q.fromModifiedTime !== undefined) where.push(sql`u.modified_at >= ${q.fromModifiedTime}`);
	if (q.toModifiedTime !== undefined) where.push(sql`u.modified_at <= ${q.toModifiedTime}`);
	for (const [name, wanted] of Object.entries(q.customAttributes ?? {})) {
		// No attribute can be named so (custom-attributes.service): refused, never dropped.
		if (name === "__proto__") throw invalid(`customAttributes.${name}`, `unknown custom attribute "${name}"`);
		const values = (Array.isArray(wanted) ? wanted : [wanted]).map((v) =>
			typeof v === "boolean" ? Number(v) : v,
		);
		for (const v of values) {
			if (typeof v !== "string" && typeof v !== "number") {
				throw invalid(`customAttributes.${name}`, "expected a string, number, boolean or an array of them");
			}
		}
		where.push(sql`u.id IN (SELECT user_id FROM user_attribute_values
			WHERE project_id = ${projectId} AND name = ${name} AND value IN ${jsonList(values)})`);
	}
	if (q.tenantIds?.length) {
		where.push(sql`u.id IN (SELECT user_id FROM user_tenants WHERE project_id = ${projectId}
			AND tenant_id IN ${jsonList(q.tenantIds)})`);
	}
	if (q.roleNames?.length) {
		where.push(sql`u.id IN (SELECT user_id FROM user_roles WHERE project_id = ${projectId}
			AND role_id IN (SELECT id FROM roles WHERE project_id = ${projectId} AND name IN ${jsonList(q.roleNames)}))`);
	}
	for (const [tenantId, spec] of Object.entries(q.tenantRoleIds ?? {})) {
		if (!spec.values.length) continue;
		const ids = [...new Set(spec.values)];
		where.push(tenantRoleCondition(projectId, tenantId, jsonList(ids), ids.length, spec.and ?? false));
	}
	for (const [tenantId, spec] of Object.entries(q.tenantRoleNames ?? {})) {
		if (!spec.values.length) continue;
		// A name means the tenant's own role of that name, else the project role.
		const ids = sql`(SELECT r.id FROM roles r WHERE r.project_id = ${projectId} AND r.name IN ${jsonList(spec.values)}
			AND (r.tenant_id = ${tenantId} OR (r.tenant_id = '' AND NOT EXISTS (SELECT 1 FROM roles t
				WHERE t.project_id = r.project_id AND t.tenant_id = ${tenantId} AND t.name = r.name))))`;
		where.push(tenantRoleCondition(projectId, tenantId, ids, new Set(spec.values).size, spec.and ?? false));
	}
	if (q.ssoAppIds?.length) {
		where.push(sql`u.id IN (SELECT user_id FROM user_sso_apps WHERE project_id = ${projectId}
			AND app_id IN ${jsonList(q.ssoAppIds)})`);
	}
	checkSearchText("text", q.text);
	const text = q.text?.trim();
	if (text) {
		if ([...text].length >= 3) {
			// Trigram index; the project column keeps the match inside the project. The terms narrow
			// and instr confirms the text on the indexed body; for other than ASCII, whose case only
			// the index folds, the confirmation is the whole text as a phrase (at most 254 trigrams).
			where.push(
				ASCII.test(text)
					? sql`u.rowid IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ${trigramQuery(projectId, text)}
						AND instr(lower(body), lower(${text})) > 0)`
					: sql`u.rowid IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ${`project : ${phrase(projectId)} AND body : ${phrase(text)}`})`,
			);
		} else {
			// Too short for trigrams: a scan of this project's users.
			const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
			const fields = ["u.name", "u.given_name", "u.middle_name", "u.family_name", "u.email", "u.phone"];
			where.push(
				sql`(${sql.join(
					fields.map((f) => sql`${sql.raw(f)} LIKE ${like} ESCAPE '\\'`),
					sql` OR `,
				)} OR EXISTS (SELECT 1 FROM user_login_ids l WHERE l.user_id = u.id AND l.login_id LIKE ${like} ESCAPE '\\'))`,
			);
		}
	}
	return where;
}

function ordering(sort: UserSearch["sort"]): SQL {
	const terms: SQL[] = [];
	for (const [i, s] of (sort ?? []).entries()) {
		const column = Object.hasOwn(SORT_COLUMNS, s.field) ? SORT_COLUMNS[s.field] : undefined;
		if (!column) {
			throw invalid(
				`sort[${i}].field`,
				`"${s.field}" cannot be sorted on (one of ${Object.keys(SORT_COLUMNS).join(", ")})`,
			);
		}
		terms.push(sql.raw(`${column} ${s.desc ? "DESC" : "ASC"}`));
	}
	terms.push(sql.raw("u.created_at DESC"), sql.raw("u.id"));
	return sql`ORDER BY ${sql.join(terms, sql`, `)}`;
}

/** The page and count statements of a search (exported for query-plan tests). */
export function searchQueries(projectId: string, q: UserSearch) {
	const limit = q.limit || DEFAULT_LIMIT;
	if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT) {
		throw invalid("limit", `must be a whole number from 0 to ${MAX_LIMIT}`);
	}
	const page = q.page ?? 0;
	if (!Number.isInteger(page) || page < 0 || page * limit > 1_000_000_000) {
		throw invalid("page", "must be a whole number from 0, within the first billion results");
	}
	const where = sql.join(conditions(projectId, q), sql` AND `);
	return {
		page: selectUsers(
			where,
			sql`${ordering(q.sort)} LIMIT ${limit} OFFSET ${page * limit}`,
			q.scopeTenantIds,
		),
		count: sql`SELECT count(*) AS total FROM users u WHERE ${where}`,
	};
}

/** One round trip: the page and the total count, as one D1 batch. */
export async function searchUsers(d1: D1Handle, projectId: string, q: UserSearch) {
	const queries = searchQueries(projectId, q);
	const [rows, count] = await batch(d1, [queries.page, queries.count]);
	return { users: toUsers(rows), total: Number(count?.[0]?.total ?? 0) };
}
