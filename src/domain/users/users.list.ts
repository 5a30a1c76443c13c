import { type SQL, sql } from "drizzle-orm";
import { all, batch } from "../../db/sql";
import type { Deps } from "../deps";
import { DomainError } from "../errors";
import { membersOnly, tenantView } from "../scope";
import { identifierKey } from "./identifiers";
import type { User, UserStatus } from "./user.types";
import { selectUsersCore, toUsers } from "./users.repo";
import { trigramQuery } from "./users.search";

// Listing users with their default profile (docs/rest-v4.md calls it from the v4 and legacy
// dialects): filters, sort and keyset cursor. The user row comes from users.repo's selectUsersCore
// (no roles or tenants); the default profile is joined to it so that a read stays one statement.

export interface UserProfile {
	id: string;
	locale: string;
	timeZone: string;
	createdAt: number;
	modifiedAt: number;
}

export interface UserRecord {
	user: User;
	profile: UserProfile | null;
}

/** The user rows of `inner`, each with its default profile, in `order`. */
const withProfile = (inner: SQL, order: SQL = sql``) =>
	sql`SELECT x.*, p.id AS profile_id, p.locale AS profile_locale, p.time_zone AS profile_time_zone,
		p.created_at AS profile_created_at, p.modified_at AS profile_modified_at
	FROM (${inner}) x
	LEFT JOIN user_profiles p ON p.project_id = x.project_id AND p.user_id = x.id AND p.is_default = 1
	${order}`;

export function toRecords(rows: Record<string, unknown>[] | undefined): UserRecord[] {
	return (rows ?? []).map((row) => ({
		user: toUsers([row])[0] as User,
		profile:
			typeof row.profile_id === "string"
				? {
						id: row.profile_id,
						locale: String(row.profile_locale ?? ""),
						timeZone: String(row.profile_time_zone ?? ""),
						createdAt: Number(row.profile_created_at),
						modifiedAt: Number(row.profile_modified_at),
					}
				: null,
	}));
}

// `tenantIds` (a tenant-bound key's scope, src/domain/scope.ts): only members of those tenants match.
export const recordByIdQuery = (
	projectId: string,
	userId: string,
	tenantIds?: string[] | null,
	write = false,
) =>
	withProfile(
		selectUsersCore(
			sql`u.project_id = ${projectId} AND u.id = ${userId} AND ${membersOnly(projectId, tenantIds, sql`u.id`, write)}`,
		),
	);

// ---------------------------------------------------------------- index: filters, sort, keyset

export interface UserFilter {
	/** Any of (case-insensitive). */
	emails?: string[];
	externalIds?: string[];
	statuses?: UserStatus[];
	/** Every one of. */
	flags?: string[];
	nameContains?: string;
	/** Epoch ms, exclusive. */
	createdAfter?: number;
	createdBefore?: number;
	/** A tenant-bound key's tenants: only their members (set by the service, never from the wire). */
	memberOfTenants?: string[];
}

export const sortFields = ["name", "email", "registration_time", "created"] as const;
export type SortField = (typeof sortFields)[number];
export interface SortKey {
	field: SortField;
	desc: boolean;
}
export type KeyValue = string | number | null;

// Each sort field is an indexed expression: users (project_id, name | registration_time |
// created_at); email sorts on lower(email) (users_project_email_sort_idx), SQLite's ASCII lower().
const SORT: Record<
	SortField,
	{ expr: (alias: string) => string; nullable: boolean; type: "string" | "number"; of: (u: User) => KeyValue }
> = {
	name: { expr: (a) => `${a}.name`, nullable: true, type: "string", of: (u) => u.name },
	email: {
		expr: (a) => `lower(${a}.email)`,
		nullable: true,
		type: "string",
		of: (u) => (u.email === null ? null : sqliteLower(u.email)),
	},
	registration_time: {
		expr: (a) => `${a}.registration_time`,
		nullable: true,
		type: "number",
		of: (u) => u.registrationTime,
	},
	created: { expr: (a) => `${a}.created_at`, nullable: false, type: "number", of: (u) => u.createdAt },
};

/** SQLite's lower(): ASCII letters only, so a cursor carries exactly what the sort index holds. */
const sqliteLower = (value: string) => value.replace(/[A-Z]/g, (c) => c.toLowerCase());

export const sortValueType = (field: SortField) => SORT[field].type;

/** The sort-key values of a user: what a cursor carries besides the id. */
export const keyValuesOf = (user: User, sort: SortKey[]) => sort.map((k) => SORT[k.field].of(user));

/** A literal list of bound values: unlike json_each, SQLite knows how short it is. */
const boundList = (values: (string | number)[]) =>
	sql`(${sql.join(
		values.map((v) => sql`${v}`),
		sql`, `,
	)})`;

/** At most this many values per list filter (D1 binds at most 100 parameters a statement). */
export const MAX_LIST_FILTER = 10;

function filterConditions(projectId: string, f: UserFilter): SQL[] {
	const where: SQL[] = [
		accessPath(f) === "subquery" ? sql`+u.project_id = ${projectId}` : sql`u.project_id = ${projectId}`,
	];
	// Equalities on the unique (project_id, email_key) and (project_id, external_id) indexes.
	if (f.emails?.length) {
		where.push(sql`u.email_key IS NOT NULL AND u.email_key IN ${boundList(f.emails.map(identifierKey))}`);
	}
	if (f.externalIds?.length) {
		where.push(sql`u.external_id IS NOT NULL AND u.external_id IN ${boundList(f.externalIds)}`);
	}
	// (project_id, status, created_at): one status also gives the default order.
	if (f.statuses?.length) where.push(sql`u.status IN ${boundList([...new Set(f.statuses)])}`);
	for (const flag of new Set(f.flags ?? [])) {
		where.push(
			sql`u.id IN (SELECT user_id FROM user_flag_values WHERE project_id = ${projectId} AND flag = ${flag})`,
		);
	}
	const text = f.nameContains;
	if (text) {
		if ([...text].length >= 3) {
			// The trigram index narrows (it covers every searchable column), with a bounded number of
			// terms (users.search.ts); instr keeps name matches.
			where.push(
				sql`u.rowid IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ${trigramQuery(projectId, text)})`,
			);
		}
		// instr, not LIKE: D1 refuses LIKE patterns over 50 bytes; lower() folds ASCII as LIKE did.
		where.push(sql`instr(lower(u.name), lower(${text})) > 0`);
	}
	if (f.createdAfter !== undefined) where.push(sql`u.created_at > ${f.createdAfter}`);
	if (f.createdBefore !== undefined) where.push(sql`u.created_at < ${f.createdBefore}`);
	if (f.memberOfTenants) where.push(membersOnly(projectId, f.memberOfTenants));
	return where;
}

/**
 * How a page is read. SQLite (without statistics) prefers the index that gives the order, walking
 * it past every non-matching user; when a filter names few users the page is instead read through
 * that filter's index and then sorted: "unique" for email and external id (their unique indexes,
 * which lead with project_id), "subquery" for flags and name (the flag index or the trigram index,
 * with project_id kept off the users indexes so that SQLite drives from the subquery).
 */
function accessPath(f: UserFilter): "order" | "unique" | "subquery" {
	if (f.emails?.length || f.externalIds?.length) return "unique";
	if (f.flags?.length || (f.nameContains && [...f.nameContains].length >= 3)) return "subquery";
	return "order";
}

interface OrderTerm {
	expr: (alias: string) => string;
	nullable: boolean;
	desc: boolean;
}

/** The sort keys then the id; `backwards` walks the same order in reverse (for page[before]). */
function orderTerms(sort: SortKey[], backwards: boolean): OrderTerm[] {
	return [
		...sort.map((k) => ({
			expr: SORT[k.field].expr,
			nullable: SORT[k.field].nullable,
			desc: k.desc !== backwards,
		})),
		{ expr: (a: string) => `${a}.id`, nullable: false, desc: backwards },
	];
}

/** ORDER BY the terms; `unindexed` prefixes "+" so that no index is chosen for the order alone. */
const orderBy = (terms: OrderTerm[], alias: string, unindexed = false) =>
	sql.raw(
		`ORDER BY ${terms.map((t) => `${unindexed ? "+" : ""}${t.expr(alias)} ${t.desc ? "DESC" : "ASC"}`).join(", ")}`,
	);

// SQLite sorts NULL first ascending and last descending, which is what the indexes give.
function after(t: OrderTerm, value: KeyValue): SQL {
	const e = sql.raw(t.expr("u"));
	if (!t.desc) return value === null ? sql`${e} IS NOT NULL` : sql`${e} > ${value}`;
	if (value === null) return sql`0`;
	return t.nullable ? sql`(${e} < ${value} OR ${e} IS NULL)` : sql`${e} < ${value}`;
}

const equal = (t: OrderTerm, value: KeyValue) =>
	value === null ? sql`${sql.raw(t.expr("u"))} IS NULL` : sql`${sql.raw(t.expr("u"))} = ${value}`;

/**
 * Rows strictly after the cursor, (k1 > v1) OR (k1 = v1 AND k2 > v2) OR …, split into parts that
 * each bound the leading key to one index range, so that SQLite seeks to the cursor instead of
 * scanning up to it. Where the rows after the cursor are two ranges of the index (the non-null
 * keys, then the NULLs), there are two parts, read one after the other.
 */
function keysetParts(terms: OrderTerm[], values: KeyValue[]): SQL[] {
	const alternatives: SQL[] = [];
	for (let i = 0; i < terms.length; i++) {
		const parts = terms.slice(0, i).map((t, j) => equal(t, values[j] ?? null));
		parts.push(after(terms[i] as OrderTerm, values[i] ?? null));
		alternatives.push(sql`(${sql.join(parts, sql` AND `)})`);
	}
	const rest = sql`(${sql.join(alternatives, sql` OR `)})`;
	const first = terms[0] as OrderTerm;
	const v = values[0] ?? null;
	const e = sql.raw(first.expr("u"));
	if (v === null) {
		// Ascending, the NULLs come first: the rest of them, then every non-null key.
		return first.desc
			? [sql`${e} IS NULL AND ${rest}`]
			: [sql`${e} IS NULL AND ${rest}`, sql`${e} IS NOT NULL`];
	}
	if (!first.desc) return [sql`${e} >= ${v} AND ${rest}`];
	// Descending, the NULLs come last.
	return first.nullable
		? [sql`${e} <= ${v} AND ${rest}`, sql`${e} IS NULL`]
		: [sql`${e} <= ${v} AND ${rest}`];
}

export interface PageRequest {
	filter: UserFilter;
	sort: SortKey[];
	/** The cursor's position: sort-key values, then the id. */
	cursor?: { values: KeyValue[]; id: string; backwards: boolean };
	limit: number;
	/** Legacy page numbers: rows to skip (no cursor). */
	offset?: number;
}

/** One page in the requested order (reversed back when walking backwards), with profiles. */
export function pageQuery(projectId: string, page: PageRequest): SQL {
	const backwards = page.cursor?.backwards ?? false;
	const terms = orderTerms(page.sort, backwards);
	const filters = filterConditions(projectId, page.filter);
	const unindexed = accessPath(page.filter) !== "order";
	const tail = sql`${orderBy(terms, "u", unindexed)} LIMIT ${page.limit} OFFSET ${page.offset ?? 0}`;
	const forward = orderBy(orderTerms(page.sort, false), "x");
	const parts = page.cursor ? keysetParts(terms, [...page.cursor.values, page.cursor.id]) : [sql`1`];
	const selects = parts.map((part) => selectUsersCore(sql.join([...filters, part], sql` AND `), tail));
	if (selects.length === 1) return withProfile(selects[0] as SQL, forward);
	// Each part is its own index range; the page is the first rows of the parts in order.
	const union = sql.join(
		selects.map((s) => sql`SELECT * FROM (${s})`),
		sql` UNION ALL `,
	);
	return withProfile(sql`SELECT * FROM (${union}) u ${orderBy(terms, "u")} LIMIT ${page.limit}`, forward);
}

export const countQuery = (projectId: string, filter: UserFilter) =>
	sql`SELECT count(*) AS total FROM users u WHERE ${sql.join(filterConditions(projectId, filter), sql` AND `)}`;

export const userIdByEmailQuery = (projectId: string, email: string, tenantIds?: string[] | null) =>
	sql`SELECT id FROM users u WHERE project_id = ${projectId} AND email_key IS NOT NULL AND email_key = ${identifierKey(email)}
		AND ${membersOnly(projectId, tenantIds)}`;

// ---------------------------------------------------------------- reads

const notFound = (userId: string) => new DomainError("user_not_found", `No user with id "${userId}"`);

// Tenant-aware (src/domain/scope.ts): a tenant-bound key reads only members of its tenants.
export async function getUserRecord(deps: Deps, projectId: string, userId: string): Promise<UserRecord> {
	const { deps: d, tenantIds } = tenantView(deps);
	const record = toRecords(await all(d.d1, recordByIdQuery(projectId, userId, tenantIds)))[0];
	if (!record) throw notFound(userId);
	return record;
}

export interface ListQuery {
	filter: UserFilter;
	sort: SortKey[];
	cursor?: { values: KeyValue[]; id: string; backwards: boolean };
	size: number;
	withTotal: boolean;
	/** Legacy page numbers only. */
	offset?: number;
}

export interface ListResult {
	records: UserRecord[];
	/** More rows lie beyond this page in the direction walked. */
	hasMore: boolean;
	total?: number;
}

/** One round trip: the page (one row more than asked, to know whether more follow) and the count. */
export async function listUserRecords(deps: Deps, projectId: string, q: ListQuery): Promise<ListResult> {
	const { deps: d, tenantIds } = tenantView(deps);
	const filter: UserFilter = { ...q.filter, memberOfTenants: tenantIds ?? undefined };
	const page = pageQuery(projectId, {
		filter,
		sort: q.sort,
		cursor: q.cursor,
		limit: q.size + 1,
		offset: q.offset,
	});
	const [rows, count] = await batch(d.d1, q.withTotal ? [page, countQuery(projectId, filter)] : [page]);
	let records = toRecords(rows);
	const hasMore = records.length > q.size;
	// Walking backwards, the extra row is the earliest one (rows come back in forward order).
	if (hasMore) records = q.cursor?.backwards ? records.slice(1) : records.slice(0, q.size);
	return { records, hasMore, total: q.withTotal ? Number(count?.[0]?.total ?? 0) : undefined };
}

/** The user id behind an email (legacy endpoints address users by email). */
export async function userIdByEmail(deps: Deps, projectId: string, email: string): Promise<string> {
	const { deps: d, tenantIds } = tenantView(deps);
	const rows = await all<{ id: string }>(d.d1, userIdByEmailQuery(projectId, email, tenantIds));
	const id = rows[0]?.id;
	if (!id) throw new DomainError("user_not_found", `No user with email "${email}"`, "email");
	return id;
}
