import { type SQL, sql } from "drizzle-orm";
import { batch } from "../../db/sql";
import { newId } from "../../lib/ids";
import { changesOf, commit, type EntriesFrom, type Entry, removedFields } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { checkCount, checkLength } from "../input-limits";
import { MAX_NAME_LENGTH } from "../limits";
import { assertTenantInScope, membersOnly, tenantView } from "../scope";
import { type RoleRow, roleQueryStatements, toRoleRow } from "./roles.query";

// A role of one scope (tenant "" = the project's roles, else one tenant's) as a group: created,
// renamed, deleted, and its members (user_roles rows of the role with the scope's tenant id) added
// and removed as sets, in one batch with the role's version bump and the members' change rows. A
// member must be a user of the scope: any user of the project for a project role, a member of the
// tenant for a tenant's role. Tenant-aware (src/domain/scope.ts): a tenant-bound key works on its
// own tenants' roles only.

/** A user named as a member, and the field that named it (for the error). */
export interface MemberRef {
	userId: string;
	field: string;
}

/** What happens to the members: `set` replaces them; `delta` removes `remove`, then adds `add`. */
export type MemberChange =
	| { kind: "set"; members: MemberRef[] }
	| { kind: "delta"; add: MemberRef[]; remove: string[] };

export interface ScopedRoleChange {
	name?: string;
	/** null clears it. */
	externalId?: string | null;
	members?: MemberChange;
	/** If-Match: the write applies only at one of these versions (else precondition_failed). */
	expectVersions?: number[];
}

/** Most members named in one write. */
export const MAX_MEMBERS_PER_WRITE = 1000;

const list = (values: unknown[]) => sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;
const unique = (values: string[]) => [...new Set(values)];

// The id is not echoed: a scope's answers name nothing outside it, not even what the caller sent.
const notFound = (_id: string) => new DomainError("not_found", "No such role in this scope", "id");

function scoped(scopedDeps: Deps, tenantId: string) {
	const { deps, tenantIds } = tenantView(scopedDeps);
	// The project's roles ("") are outside every tenant-bound key's tenants.
	if (tenantIds && !tenantId) {
		throw new DomainError("forbidden", "A tenant-bound management key cannot change project roles");
	}
	assertTenantInScope(tenantIds, tenantId);
	return deps;
}

const tenantUsers = (projectId: string, tenantId: string, column: SQL) =>
	membersOnly(projectId, tenantId ? [tenantId] : null, column);

/** The users among `ids` the scope may name as members. */
const scopeUsers = (projectId: string, tenantId: string, ids: string[]) =>
	sql`SELECT u.id FROM users u WHERE u.id IN ${list(ids)} AND +u.project_id = ${projectId}
		AND ${tenantUsers(projectId, tenantId, sql`u.id`)}`;

const holders = (projectId: string, tenantId: string, roleId: string) =>
	sql`SELECT user_id FROM user_roles WHERE project_id = ${projectId} AND role_id = ${roleId} AND tenant_id = ${tenantId}`;

const roleRead = (projectId: string, tenantId: string, id: string) =>
	roleQueryStatements(projectId, {
		tenantId,
		where: { kind: "text", field: "id", op: "eq", value: id },
		offset: 0,
		limit: 1,
		withMembers: true,
	}).page;

const roleOf = (row: Record<string, unknown> | undefined): RoleRow | undefined =>
	row ? toRoleRow(row, true) : undefined;

function checkName(name: string | undefined, field = "name"): string {
	const trimmed = name?.trim();
	if (!trimmed) throw new DomainError("missing_argument", `${field} is required`, field);
	checkLength(field, trimmed, MAX_NAME_LENGTH);
	return trimmed;
}

function checkExternalId(externalId: string | null | undefined) {
	if (externalId === null || externalId === undefined) return externalId;
	checkLength("externalId", externalId, MAX_NAME_LENGTH);
	return externalId === "" ? null : externalId;
}

function namedMembers(change: MemberChange | undefined): MemberRef[] {
	if (!change) return [];
	const named = change.kind === "set" ? change.members : change.add;
	checkCount("members", named, MAX_MEMBERS_PER_WRITE);
	if (change.kind === "delta") checkCount("members", change.remove, MAX_MEMBERS_PER_WRITE);
	return named;
}

/** Refuses a member the scope cannot name, by the field that named it. */
function checkMembers(named: MemberRef[], found: Record<string, unknown>[] | undefined, tenantId: string) {
	const known = new Set((found ?? []).map((r) => r.id as string));
	for (const m of named) {
		if (!known.has(m.userId)) {
			throw invalid(
				m.field,
				tenantId ? `no member of this tenant has this id` : "no user of this project has this id",
			);
		}
	}
}

function checkVersion(role: RoleRow, expected: number[] | undefined) {
	if (expected && !expected.includes(role.version)) {
		throw new DomainError(
			"precondition_failed",
			`The role is at version ${role.version}; read it again and retry`,
		);
	}
}

const atVersion = (expected: number[] | undefined) =>
	expected ? sql`AND version IN ${list(expected)}` : sql``;

/** The scope's role with its members (the first MAX_LISTED_MEMBERS); not_found outside the scope. */
export async function getScopedRole(scopedDeps: Deps, projectId: string, tenantId: string, id: string) {
	const { deps, tenantIds } = tenantView(scopedDeps);
	if (tenantIds && !tenantIds.includes(tenantId)) throw notFound(id);
	const [rows] = await batch(deps.d1, [roleRead(projectId, tenantId, id)]);
	const role = roleOf(rows?.[0]);
	if (!role) throw notFound(id);
	return role;
}

/** The member rows' change entries: each user added to or removed from the role. */
function memberEntries(
	tenantId: string,
	roleName: string,
	verb: "added" | "removed",
	select: SQL,
): EntriesFrom {
	return {
		action: tenantId ? `user.tenant_roles.${verb}` : `user.roles.${verb}`,
		targetType: "user",
		select: sql`SELECT u.id AS target_id, u.id AS user_id, u.login_ids ->> 0 AS login_id,
			${tenantId || null} AS tenant_id FROM users u WHERE u.id IN (${select})`,
		data: { roleNames: [roleName] },
	};
}

/**
 * The statements and change rows of a member change, as sets. `added` and `removed` select, over
 * the rows as they were, exactly the users that change; they drive the users' version bump, the
 * change rows and the role's own version bump.
 */
function memberPlan(
	projectId: string,
	tenantId: string,
	role: { id: string; name: string },
	change: MemberChange,
) {
	const current = holders(projectId, tenantId, role.id);
	const addIds = unique(
		change.kind === "set" ? change.members.map((m) => m.userId) : change.add.map((m) => m.userId),
	);
	const removeIds = change.kind === "delta" ? unique(change.remove).filter((id) => !addIds.includes(id)) : [];
	const removesAll = change.kind === "set";
	const added = sql`SELECT s.id FROM (${scopeUsers(projectId, tenantId, addIds)}) s WHERE s.id NOT IN (${current})`;
	const removed = removesAll
		? sql`SELECT user_id FROM (${current}) WHERE user_id NOT IN ${list(addIds)}`
		: sql`SELECT user_id FROM (${current}) WHERE user_id IN ${list(removeIds)}`;
	const where = sql`project_id = ${projectId} AND role_id = ${role.id} AND tenant_id = ${tenantId}`;
	return {
		changed: sql`(EXISTS (${added}) OR EXISTS (${removed}))`,
		before: (at: number) => [
			sql`UPDATE users SET modified_at = ${at}, version = version + 1
				WHERE +project_id = ${projectId} AND id IN (${added} UNION ${removed})`,
		],
		writes: [
			removesAll
				? sql`DELETE FROM user_roles WHERE ${where} AND user_id NOT IN ${list(addIds)}`
				: sql`DELETE FROM user_roles WHERE ${where} AND user_id IN ${list(removeIds)}`,
			// The scope condition again at the moment of writing: a user who left the tenant since the
			// read is not made a member.
			sql`INSERT OR IGNORE INTO user_roles (project_id, user_id, tenant_id, role_id)
				SELECT ${projectId}, s.id, ${tenantId}, ${role.id} FROM (${scopeUsers(projectId, tenantId, addIds)}) s`,
		],
		entries: [
			memberEntries(tenantId, role.name, "added", added),
			memberEntries(tenantId, role.name, "removed", removed),
		],
	};
}

/** Creates a role in the scope with its members, one batch. */
export async function createScopedRole(
	scopedDeps: Deps,
	projectId: string,
	tenantId: string,
	input: { name: string; externalId?: string | null; members?: MemberRef[] },
): Promise<RoleRow> {
	const deps = scoped(scopedDeps, tenantId);
	const name = checkName(input.name);
	const externalId = checkExternalId(input.externalId) ?? null;
	const members = namedMembers({ kind: "set", members: input.members ?? [] });
	const ids = unique(members.map((m) => m.userId));
	const [found, taken] = await batch(deps.d1, [
		scopeUsers(projectId, tenantId, ids),
		sql`SELECT name, external_id AS externalId FROM roles WHERE project_id = ${projectId} AND tenant_id = ${tenantId}
			AND (name = ${name} OR (external_id IS NOT NULL AND external_id = ${externalId}))`,
	]);
	checkMembers(members, found, tenantId);
	checkFree(taken, name, externalId);
	const id = newId("R");
	const now = deps.now();
	const role = { id, name };
	const plan = memberPlan(projectId, tenantId, role, { kind: "set", members });
	const entry: Entry = {
		action: "role.created",
		target: { type: "role", id },
		tenantId: tenantId || null,
		changes: changesOf({}, { name, tenantId, externalId: externalId ?? undefined }),
	};
	const { reads } = await commit(deps, projectId, {
		statements: [
			sql`INSERT INTO roles (project_id, id, name, tenant_id, description, external_id, created_at)
				VALUES (${projectId}, ${id}, ${name}, ${tenantId}, '', ${externalId}, ${now})`,
			// The new role has no holders yet: every member named counts as added.
			...plan.before(now),
			...plan.writes,
		],
		entries: [entry],
		entriesFrom: plan.entries,
		reads: [roleRead(projectId, tenantId, id)],
	});
	const created = roleOf(reads[0]?.[0]);
	if (!created) throw notFound(id);
	return created;
}

function checkFree(
	taken: Record<string, unknown>[] | undefined,
	name: string | undefined,
	externalId: string | null | undefined,
) {
	for (const row of taken ?? []) {
		if (name !== undefined && row.name === name) {
			throw new DomainError("conflict", `name: a role named "${name}" already exists in this scope`, "name");
		}
		if (externalId && row.externalId === externalId) {
			throw new DomainError(
				"conflict",
				`externalId: a role with this externalId already exists in this scope`,
				"externalId",
			);
		}
	}
}

/**
 * Renames a role of the scope, sets or clears its external id and changes its members, one batch;
 * the role's version moves on when anything changed. not_found outside the scope.
 */
export async function changeScopedRole(
	scopedDeps: Deps,
	projectId: string,
	tenantId: string,
	id: string,
	change: ScopedRoleChange,
): Promise<RoleRow> {
	const { tenantIds } = tenantView(scopedDeps);
	if (tenantIds && !tenantIds.includes(tenantId)) throw notFound(id);
	const deps = scoped(scopedDeps, tenantId);
	const name = change.name === undefined ? undefined : checkName(change.name);
	const externalId = checkExternalId(change.externalId);
	const members = namedMembers(change.members);
	const ids = unique(members.map((m) => m.userId));
	const [roleRows, found, taken] = await batch(deps.d1, [
		roleRead(projectId, tenantId, id),
		scopeUsers(projectId, tenantId, ids),
		sql`SELECT name, external_id AS externalId FROM roles WHERE project_id = ${projectId} AND tenant_id = ${tenantId}
			AND id != ${id} AND (name = ${name ?? null} OR (external_id IS NOT NULL AND external_id = ${externalId ?? null}))`,
	]);
	const role = roleOf(roleRows?.[0]);
	if (!role) throw notFound(id);
	checkVersion(role, change.expectVersions);
	checkMembers(members, found, tenantId);
	checkFree(taken, name, externalId);
	const now = deps.now();
	const fields = {
		name: name ?? role.name,
		externalId: externalId === undefined ? role.externalId : externalId,
	};
	const fieldChanges = changesOf({ name: role.name, externalId: role.externalId }, fields);
	const fieldsChanged = Object.keys(fieldChanges).length > 0;
	const plan = change.members ? memberPlan(projectId, tenantId, role, change.members) : undefined;
	const changed = plan ? sql`(${fieldsChanged ? 1 : 0} OR ${plan.changed})` : sql`${fieldsChanged ? 1 : 0}`;
	const entries: Entry[] = fieldsChanged
		? [
				{
					action: "role.updated",
					target: { type: "role", id },
					tenantId: tenantId || null,
					changes: fieldChanges,
				},
			]
		: [];
	const { reads } = await commit(deps, projectId, {
		// The role still exists (and, with If-Match, is still at that version). Without If-Match,
		// concurrent member changes compose: each is a set-based statement.
		preconditions: [
			sql`SELECT 1 FROM roles WHERE project_id = ${projectId} AND id = ${id} AND tenant_id = ${tenantId}
				${atVersion(change.expectVersions)}`,
		],
		statements: [
			// Over the rows as they were: the version moves on only when something changes.
			sql`UPDATE roles SET version = version + 1, modified_at = ${now}
				WHERE project_id = ${projectId} AND id = ${id} AND ${changed}`,
			...(plan ? plan.before(now) : []),
			...(fieldsChanged
				? [
						sql`UPDATE roles SET name = ${fields.name}, external_id = ${fields.externalId}
							WHERE project_id = ${projectId} AND id = ${id}`,
					]
				: []),
			...(plan ? plan.writes : []),
		],
		entries,
		entriesFrom: plan ? plan.entries : [],
		reads: [roleRead(projectId, tenantId, id)],
	}).catch((failure: unknown) => {
		// Without If-Match the only precondition is that the role exists: it was deleted meanwhile.
		if (failure instanceof DomainError && failure.code === "precondition_failed" && !change.expectVersions)
			throw notFound(id);
		throw failure;
	});
	const updated = roleOf(reads[0]?.[0]);
	if (!updated) throw notFound(id);
	return updated;
}

/** Deletes a role of the scope; its holders lose it in the same batch. not_found outside the scope. */
export async function deleteScopedRole(
	scopedDeps: Deps,
	projectId: string,
	tenantId: string,
	id: string,
	expectVersions?: number[],
) {
	const { tenantIds } = tenantView(scopedDeps);
	if (tenantIds && !tenantIds.includes(tenantId)) throw notFound(id);
	const deps = scoped(scopedDeps, tenantId);
	const [roleRows] = await batch(deps.d1, [roleRead(projectId, tenantId, id)]);
	const role = roleOf(roleRows?.[0]);
	if (!role) throw notFound(id);
	checkVersion(role, expectVersions);
	await commit(deps, projectId, {
		preconditions: [
			sql`SELECT 1 FROM roles WHERE project_id = ${projectId} AND id = ${id} AND tenant_id = ${tenantId}
				${atVersion(expectVersions)}`,
		],
		statements: [
			sql`UPDATE users SET modified_at = ${deps.now()}, version = version + 1
				WHERE +project_id = ${projectId} AND id IN (${holders(projectId, tenantId, id)})`,
			sql`DELETE FROM roles WHERE project_id = ${projectId} AND id = ${id}`,
		],
		entries: [
			{
				action: "role.deleted",
				target: { type: "role", id },
				tenantId: tenantId || null,
				changes: removedFields({ name: role.name, tenantId, externalId: role.externalId ?? undefined }),
				data: { holders: role.memberCount },
			},
		],
	}).catch((failure: unknown) => {
		if (failure instanceof DomainError && failure.code === "precondition_failed" && !expectVersions)
			throw notFound(id);
		throw failure;
	});
}
