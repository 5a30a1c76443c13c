// Activity history reads (docs/audit.md): newest first, keyset-paged on `seq`, one statement.
// Each list filter drives the query through its `(project_id, <column>, seq)` index; a time range
// becomes a `seq` range through `(project_id, at)`, because `at` grows with `seq` within a project
// (src/domain/commit.ts), so a page costs its page at any log size.
import { type SQL, sql } from "drizzle-orm";
import { all } from "../../db/sql";
import type { Deps } from "../deps";
import { invalid } from "../errors";
import { checkCount, checkSearchText } from "../input-limits";
import { tenantView } from "../scope";
import type { Actor } from "./actions";

export const DEVICES = ["Desktop", "Mobile", "Tablet", "Bot", "Unknown"] as const;
export type Device = (typeof DEVICES)[number];

export interface ActivitySearch {
	/** Epoch ms, inclusive; older than the project's retention is raised to it. */
	from?: number;
	to?: number;
	actorIds?: string[];
	targetIds?: string[];
	actions?: string[];
	excludedActions?: string[];
	userIds?: string[];
	loginIds?: string[];
	tenantIds?: string[];
	/** Only entries without a tenant. */
	noTenant?: boolean;
	results?: ("success" | "failure")[];
	dialects?: string[];
	devices?: Device[];
	/** `data.method` (sign-in method). */
	methods?: string[];
	countries?: string[];
	ips?: string[];
	/** Any part of the action, actor, target, user, login id, tenant, address or user agent. */
	text?: string;
	limit?: number;
	/** Entries skipped before the page (offset paging); at most MAX_OFFSET. */
	offset?: number;
	/** `nextCursor` of the previous page: entries older than it. */
	cursor?: string;
}

export interface ActivityEntry {
	seq: number;
	at: number;
	action: string;
	result: "success" | "failure";
	actor: Actor;
	target: { type: string; id: string | null } | null;
	userId: string | null;
	loginId: string | null;
	tenantId: string | null;
	changes: Record<string, unknown> | null;
	data: Record<string, unknown> | null;
	request: { id: string; dialect: string; ip: string; city: string; country: string; userAgent: string };
	device: Device;
}

export interface ActivityPage {
	entries: ActivityEntry[];
	/** Entries before this page, on it, and one more when another page follows (never a full count). */
	total: number;
	nextCursor: string | null;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
/** Offset paging reads the skipped entries too: past this, page with the cursor. */
export const MAX_OFFSET = 10_000;
const DAY_MS = 86_400_000;

/** The device class of a user agent, in SQL so that filter and result agree. */
export const deviceSql = (ua: SQL) => sql`CASE
	WHEN ${ua} IS NULL OR ${ua} = '' THEN 'Unknown'
	WHEN ${ua} LIKE '%bot%' OR ${ua} LIKE '%crawl%' OR ${ua} LIKE '%spider%' OR ${ua} LIKE '%slurp%' THEN 'Bot'
	WHEN ${ua} LIKE '%ipad%' OR ${ua} LIKE '%tablet%' OR ${ua} LIKE '%kindle%' OR ${ua} LIKE '%silk/%'
		OR (${ua} LIKE '%android%' AND ${ua} NOT LIKE '%mobile%') THEN 'Tablet'
	WHEN ${ua} LIKE '%mobi%' OR ${ua} LIKE '%iphone%' OR ${ua} LIKE '%ipod%' OR ${ua} LIKE '%android%' THEN 'Mobile'
	WHEN ${ua} LIKE '%windows%' OR ${ua} LIKE '%macintosh%' OR ${ua} LIKE '%x11%' OR ${ua} LIKE '%linux%'
		OR ${ua} LIKE '%cros%' THEN 'Desktop'
	ELSE 'Unknown' END`;

const jsonList = (values: readonly unknown[]) =>
	sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;

/** The list filters that can drive the query, most selective first, with their indexed column. */
const DRIVERS = [
	["userIds", "user_id", "change_log_project_user_idx"],
	["loginIds", "login_id", "change_log_project_login_idx"],
	["targetIds", "target_id", "change_log_project_target_idx"],
	["actorIds", "actor_id", "change_log_project_actor_idx"],
	["tenantIds", "tenant_id", "change_log_project_tenant_idx"],
	["actions", "action", "change_log_project_action_idx"],
] as const;

const LIST_FIELDS = [
	"actorIds",
	"targetIds",
	"actions",
	"excludedActions",
	"userIds",
	"loginIds",
	"tenantIds",
	"results",
	"dialects",
	"devices",
	"methods",
	"countries",
	"ips",
] as const;

function decodeCursor(cursor: string | undefined): number | undefined {
	if (cursor === undefined || cursor === "") return undefined;
	if (!/^\d{1,15}$/.test(cursor)) throw invalid("cursor", "not a cursor this search returned");
	return Number(cursor);
}

function validate(q: ActivitySearch) {
	for (const field of LIST_FIELDS) {
		checkCount(field, q[field]);
		for (const value of q[field] ?? []) if (typeof value !== "string") throw invalid(field, "strings only");
	}
	checkSearchText("text", q.text);
	if (q.noTenant && q.tenantIds?.length) throw invalid("noTenants", "cannot be combined with tenants");
	for (const device of q.devices ?? [])
		if (!DEVICES.includes(device)) throw invalid("devices", `one of ${DEVICES.join(", ")}`);
	const limit = q.limit ?? DEFAULT_LIMIT;
	if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw invalid("size", `1 to ${MAX_LIMIT}`);
	const offset = q.offset ?? 0;
	if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) {
		throw invalid("page", `skips at most ${MAX_OFFSET} entries; page further with the cursor`);
	}
	for (const field of ["from", "to"] as const) {
		const v = q[field];
		if (v !== undefined && !Number.isFinite(v)) throw invalid(field, "Unix milliseconds");
	}
	return { limit, offset, cursor: decodeCursor(q.cursor) };
}

/**
 * The page statement: `s` is the entry being filtered. `driver` names the list whose values are
 * walked one index range each (at most offset + limit + 1 entries per value).
 */
export function searchQuery(
	projectId: string,
	q: ActivitySearch,
	now: number,
	scopeTenantIds: string[] | null,
) {
	const { limit, offset, cursor } = validate(q);
	const take = offset + limit + 1;
	const retention = sql`(SELECT activity_retention_days FROM projects WHERE id = ${projectId})`;
	const lowAt = sql`MAX(${Math.max(0, Math.trunc(q.from ?? 0))}, ${now} - ${retention} * ${DAY_MS})`;
	const where: SQL[] = [
		sql`s.project_id = ${projectId}`,
		// The first entry at or after the lower bound: NULL (no entry) matches nothing.
		sql`s.seq >= (SELECT f.seq FROM change_log f WHERE f.project_id = ${projectId} AND f.at >= ${lowAt}
			ORDER BY f.at, f.seq LIMIT 1)`,
		// `+`: exact bounds, but not an index choice (the seq range above is the one to use).
		sql`+s.at >= ${lowAt}`,
	];
	if (q.to !== undefined) {
		const to = Math.trunc(q.to);
		where.push(sql`s.seq <= (SELECT t.seq FROM change_log t WHERE t.project_id = ${projectId} AND t.at <= ${to}
			ORDER BY t.at DESC, t.seq DESC LIMIT 1)`);
		where.push(sql`+s.at <= ${to}`);
	}
	if (cursor !== undefined) where.push(sql`s.seq < ${cursor}`);
	const driver = DRIVERS.find(([field]) => (q[field]?.length ?? 0) > 0);
	const inList = (column: string, values: readonly unknown[] | undefined) => {
		if (!values?.length || driver?.[1] === column) return;
		where.push(sql`${sql.raw(`s.${column}`)} IN ${jsonList(values)}`);
	};
	for (const [field, column] of DRIVERS) inList(column, q[field]);
	if (q.excludedActions?.length) where.push(sql`s.action NOT IN ${jsonList(q.excludedActions)}`);
	if (q.noTenant) where.push(sql`s.tenant_id IS NULL`);
	if (scopeTenantIds) where.push(sql`s.tenant_id IN ${jsonList(scopeTenantIds)}`);
	inList("result", q.results);
	inList("dialect", q.dialects);
	inList("country", q.countries);
	inList("ip", q.ips);
	if (q.methods?.length) where.push(sql`s.data ->> 'method' IN ${jsonList(q.methods)}`);
	if (q.devices?.length) where.push(sql`${deviceSql(sql`s.user_agent`)} IN ${jsonList(q.devices)}`);
	if (q.text) {
		const haystack = sql`coalesce(s.action, '') || ' ' || coalesce(s.actor_id, '') || ' ' || coalesce(s.actor_name, '')
			|| ' ' || coalesce(s.target_id, '') || ' ' || coalesce(s.user_id, '') || ' ' || coalesce(s.login_id, '')
			|| ' ' || coalesce(s.tenant_id, '') || ' ' || coalesce(s.ip, '') || ' ' || coalesce(s.user_agent, '')`;
		where.push(sql`instr(lower(${haystack}), lower(${q.text})) > 0`);
	}
	const filter = sql.join(where, sql` AND `);
	const columns = sql`c.seq, c.at, c.action, c.result, c.actor_type AS actorType, c.actor_id AS actorId,
		c.actor_name AS actorName, c.target_type AS targetType, c.target_id AS targetId, c.user_id AS userId,
		c.login_id AS loginId, c.tenant_id AS tenantId, c.changes, c.data, c.request_id AS requestId, c.dialect,
		c.ip, c.city, c.country, c.user_agent AS userAgent, ${deviceSql(sql`c.user_agent`)} AS device`;
	// INDEXED BY: without statistics SQLite may prefer the seq range of another index, which walks
	// the whole project between the bounds; the driving filter's index reads only its own entries.
	if (!driver) {
		const index = q.noTenant ? "change_log_project_tenant_idx" : "change_log_project_seq_idx";
		return sql`SELECT ${columns} FROM change_log c WHERE c.seq IN (SELECT s.seq FROM change_log s
			INDEXED BY ${sql.raw(index)} WHERE ${filter}
			ORDER BY s.seq DESC LIMIT ${limit + 1} OFFSET ${offset}) ORDER BY c.seq DESC`;
	}
	const [field, column, index] = driver;
	return sql`SELECT ${columns} FROM json_each(${JSON.stringify([...new Set(q[field])])}) v
		JOIN change_log c ON c.seq IN (SELECT s.seq FROM change_log s INDEXED BY ${sql.raw(index)}
			WHERE ${sql.raw(`s.${column}`)} = v.value AND ${filter} ORDER BY s.seq DESC LIMIT ${take})
		ORDER BY c.seq DESC LIMIT ${limit + 1} OFFSET ${offset}`;
}

const parse = (v: unknown) => (typeof v === "string" ? (JSON.parse(v) as Record<string, unknown>) : null);
const str = (v: unknown) => (typeof v === "string" ? v : "");
const orNull = (v: unknown) => (typeof v === "string" ? v : null);

function toEntry(r: Record<string, unknown>): ActivityEntry {
	return {
		seq: Number(r.seq),
		at: Number(r.at),
		action: String(r.action),
		result: r.result === "failure" ? "failure" : "success",
		actor: { type: r.actorType as Actor["type"], id: orNull(r.actorId), name: orNull(r.actorName) },
		target: r.targetType ? { type: String(r.targetType), id: orNull(r.targetId) } : null,
		userId: orNull(r.userId),
		loginId: orNull(r.loginId),
		tenantId: orNull(r.tenantId),
		changes: parse(r.changes),
		data: parse(r.data),
		request: {
			id: str(r.requestId),
			dialect: str(r.dialect),
			ip: str(r.ip),
			city: str(r.city),
			country: str(r.country),
			userAgent: str(r.userAgent),
		},
		device: (DEVICES as readonly string[]).includes(String(r.device)) ? (r.device as Device) : "Unknown",
	};
}

/** One page of the project's activity, newest first: one D1 round trip. */
export async function searchActivity(
	deps: Deps,
	projectId: string,
	q: ActivitySearch,
): Promise<ActivityPage> {
	const view = tenantView(deps);
	const rows = await all<Record<string, unknown>>(
		view.deps.d1,
		searchQuery(projectId, q, deps.now(), view.tenantIds),
	);
	const { limit, offset } = { limit: q.limit ?? DEFAULT_LIMIT, offset: q.offset ?? 0 };
	const more = rows.length > limit;
	const entries = rows.slice(0, limit).map(toEntry);
	return {
		entries,
		total: offset + entries.length + (more ? 1 : 0),
		nextCursor: more && entries.length ? String(entries[entries.length - 1]?.seq) : null,
	};
}
