import {
	MAX_LISTED_MEMBERS,
	queryRoles,
	type RolePredicate,
	type RoleRow,
	type RoleSortKey,
} from "../../domain/authz/roles.query";
import type { Deps } from "../../domain/deps";
import { isTenantBound } from "../../domain/scope";
import { ScimError } from "./errors";
import { CORE_GROUP_SCHEMA } from "./extra-attributes";
import {
	type AttrPath,
	compareValue,
	parseDateTime,
	printPath,
	type ScimFilter,
	type ScimValue,
} from "./filter";

// GET /Groups: a SCIM filter (RFC 7644 §3.4.2.2) mapped onto the neutral role query
// (src/domain/authz/roles.query.ts). Groups are the roles of the connection's scope: a
// tenant-bound key's tenant roles, or the project's roles for a project-wide key.

/** Most resources in one page (ServiceProviderConfig filter.maxResults). */
export const SCIM_MAX_RESULTS = 200;
/** Most groups in one page when their members are listed (each with up to MAX_LISTED_MEMBERS). */
export const SCIM_MAX_GROUPS_WITH_MEMBERS = 50;
export { MAX_LISTED_MEMBERS };

/** A role as the Groups endpoint reads it; `members` (with withMembers) are {userId, display}. */
export type ScimGroupRow = RoleRow;

export interface ScimListQuery {
	filter?: ScimFilter;
	/** 1-based (RFC 7644 §3.4.2.4); below 1 reads as 1. */
	startIndex: number;
	/** Below 0 reads as 0; above the maximum, the maximum. */
	count: number;
	sortBy?: AttrPath;
	sortOrder?: string;
}

/**
 * The SCIM connection of a request: the tenant a tenant-bound key provisions, or "" for a
 * project-wide key. A key bound to several tenants is refused: a connection is one tenant.
 */
export function connectionTenant(deps: Deps): string {
	if (!isTenantBound(deps.scope)) return "";
	const [tenantId, ...others] = deps.scope.tenantIds;
	if (others.length > 0 || !tenantId) {
		throw new ScimError(
			403,
			"A SCIM token must be bound to one tenant or to none; this key is bound to several",
		);
	}
	return tenantId;
}

export const filterError = (detail: string) => new ScimError(400, `filter: ${detail}`, "invalidFilter");

/** Paging parameters as RFC 7644 §3.4.2.4 reads them, the count capped at `max`. */
export function pageWindow(startIndex: number, count: number, max: number) {
	const start = Number.isFinite(startIndex) ? Math.max(1, Math.floor(startIndex)) : 1;
	const size = Number.isFinite(count) ? Math.min(max, Math.max(0, Math.floor(count))) : max;
	return { offset: Math.min(start - 1, 1_000_000_000), limit: size };
}

export const isDescending = (sortOrder: string | undefined) => sortOrder?.toLowerCase() === "descending";

/** A comparison's value as text (unquoted numbers included); null and booleans refused. */
export function textValue(f: { path: AttrPath; value: ScimValue }): string {
	if (typeof f.value === "string") return f.value;
	if (typeof f.value === "number") return String(f.value);
	throw filterError(`${printPath(f.path)} compares with text, not ${String(f.value)}`);
}

/** A dateTime comparison's value as epoch ms. */
export function timeValue(f: { path: AttrPath; value: ScimValue }): number {
	const ms = typeof f.value === "string" ? parseDateTime(f.value) : null;
	if (ms === null)
		throw filterError(`${printPath(f.path)} compares with a dateTime, not ${JSON.stringify(f.value)}`);
	return ms;
}

const key = (p: AttrPath) => (p.sub ? `${p.attr}.${p.sub}` : p.attr);

function unsupported(path: AttrPath): ScimError {
	return filterError(`attribute "${printPath(path)}" is not supported in Group filters`);
}

function memberPredicate(f: ScimFilter & { path: AttrPath }): RolePredicate {
	if (f.op !== "eq" && f.op !== "ne") throw filterError(`${printPath(f.path)} supports eq and ne only`);
	const userId = textValue(f);
	const member: RolePredicate = { kind: "member", userId };
	return f.op === "eq" ? member : { kind: "not", item: member };
}

function leaf(f: Exclude<ScimFilter, { op: "and" | "or" | "not" }>): RolePredicate {
	const path = f.path;
	if (path.schema && path.schema !== CORE_GROUP_SCHEMA.toLowerCase()) throw unsupported(path);
	if (path.valueFilter) {
		// members[value eq "U…"]: the one value filter a Group has.
		if (path.attr !== "members" || (path.sub && path.sub !== "value")) throw unsupported(path);
		const inner = path.valueFilter;
		if (f.op !== "pr" || path.sub) throw filterError(`${printPath(path)}: compare inside the brackets`);
		if ((inner.op !== "eq" && inner.op !== "ne") || inner.path.attr !== "value" || inner.path.sub) {
			throw filterError(`${printPath(path)}: members[…] supports value eq and value ne only`);
		}
		return memberPredicate(inner);
	}
	switch (key(path)) {
		case "displayname":
		case "id":
		case "externalid": {
			const field = path.attr === "displayname" ? "name" : path.attr === "id" ? "id" : "externalId";
			if (f.op === "pr") return { kind: "text", field, op: "pr" };
			if (f.value === null) {
				const present: RolePredicate = { kind: "text", field, op: "pr" };
				return f.op === "ne" ? present : { kind: "not", item: present };
			}
			return { kind: "text", field, op: f.op, value: textValue(f) };
		}
		case "members":
		case "members.value":
			if (f.op === "pr") throw filterError(`${printPath(path)} supports eq and ne only`);
			return memberPredicate(f);
		case "meta.created":
		case "meta.lastmodified": {
			const field = path.sub === "created" ? "createdAt" : "modifiedAt";
			if (f.op === "pr") return { kind: "time", field, op: "pr" };
			if (f.op === "co" || f.op === "sw" || f.op === "ew")
				throw filterError(`${printPath(path)} cannot use ${f.op}`);
			return { kind: "time", field, op: f.op, value: timeValue(f) };
		}
		case "meta.resourcetype":
			return { kind: "const", value: f.op === "pr" || compareValue(f.op, "Group", f.value) };
		default:
			throw unsupported(path);
	}
}

/** The role predicate of a SCIM Group filter; 400 invalidFilter naming an unsupported attribute. */
export function scimGroupPredicate(f: ScimFilter): RolePredicate {
	switch (f.op) {
		case "and":
		case "or":
			return { kind: f.op, items: [scimGroupPredicate(f.left), scimGroupPredicate(f.right)] };
		case "not":
			return { kind: "not", item: scimGroupPredicate(f.filter) };
		default:
			return leaf(f);
	}
}

const SORT: Record<string, RoleSortKey> = {
	displayname: "name",
	externalid: "externalId",
	"meta.created": "createdAt",
	"meta.lastmodified": "modifiedAt",
};

function sortKey(path: AttrPath): RoleSortKey {
	const sort = path.valueFilter ? undefined : SORT[key(path)];
	if (!sort) {
		throw new ScimError(
			400,
			`sortBy: "${printPath(path)}" cannot be sorted on (displayName, externalId, meta.created, meta.lastModified)`,
			"invalidValue",
		);
	}
	return sort;
}

/** One page of the connection's groups with the exact total (one D1 round trip). */
export async function listScimGroups(
	deps: Deps,
	projectId: string,
	q: ScimListQuery & { withMembers: boolean },
): Promise<{ total: number; groups: ScimGroupRow[] }> {
	const tenantId = connectionTenant(deps);
	const { offset, limit } = pageWindow(
		q.startIndex,
		q.count,
		q.withMembers ? SCIM_MAX_GROUPS_WITH_MEMBERS : SCIM_MAX_RESULTS,
	);
	const { total, roles } = await queryRoles(deps, projectId, {
		tenantId,
		where: q.filter ? scimGroupPredicate(q.filter) : undefined,
		sort: q.sortBy ? { key: sortKey(q.sortBy), desc: isDescending(q.sortOrder) } : undefined,
		offset,
		limit,
		withMembers: q.withMembers,
	});
	return { total, groups: roles };
}
