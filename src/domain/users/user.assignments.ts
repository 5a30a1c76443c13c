import { type SQL, sql } from "drizzle-orm";
import { batch } from "../../db/sql";
import { commit, type Entry } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { assertTenantInScope, tenantView } from "../scope";
import { contextQueries, resolveRole, toContext } from "./user.assignments-sql";
import { changesOf, userEntry } from "./user.changes";
import type { User } from "./user.types";
import * as repo from "./users.repo";

// Incremental role, tenant and SSO-application changes on one user. Every change is an
// INSERT OR IGNORE or a DELETE of exactly the rows named, so concurrent calls compose: 50
// concurrent add-role calls leave 50 roles, and an add never resurrects what a remove took.

const list = (values: unknown[]) => sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;
const touch = (projectId: string, userId: string, now: number) =>
	sql`UPDATE users SET modified_at = ${now}, version = version + 1 WHERE project_id = ${projectId} AND id = ${userId}`;

// Tenant-aware (src/domain/scope.ts): a tenant-bound key finds only members of its tenants and
// changes memberships and roles of its own tenants only.
async function read(
	deps: Deps,
	projectId: string,
	ref: string,
	fields: { roleNames?: string[]; tenantId?: string; ssoAppIds?: string[] },
	tenantIds: string[] | null = null,
) {
	const userTenants = fields.tenantId
		? [{ tenantId: fields.tenantId, roleNames: fields.roleNames }]
		: undefined;
	const [userRows, ...contextRows] = await batch(deps.d1, [
		repo.userByRefQuery(projectId, ref, tenantIds, true),
		...contextQueries(projectId, [{ roleNames: fields.roleNames, userTenants, ssoAppIds: fields.ssoAppIds }]),
	]);
	const user = repo.toUsers(userRows)[0];
	if (!user)
		throw new DomainError("user_not_found", `User not found: loginId "${ref}" matches no user`, "loginId");
	const ctx = toContext(contextRows);
	if (fields.tenantId !== undefined && !ctx.tenants.has(fields.tenantId)) {
		throw invalid("tenantId", `tenant "${fields.tenantId}" does not exist`);
	}
	return { user, ctx };
}

/** Commits the assignment change with its change row and reads the user back, one batch. */
async function commitAssignment(deps: Deps, projectId: string, user: User, statements: SQL[], entry: Entry) {
	const { reads } = await commit(deps, projectId, {
		statements: [...statements, touch(projectId, user.id, deps.now())],
		entries: [entry],
		reads: [repo.userByIdQuery(projectId, user.id)],
	});
	const updated = repo.toUsers(reads[0])[0];
	if (!updated) throw new DomainError("user_not_found", "User not found");
	return updated;
}

const tenantIdsOf = (user: User) => user.tenants.map((t) => t.tenantId);
const sorted = (values: string[]) => [...new Set(values)].sort();

/** The list after an add, set or remove. */
function applied(current: string[], change: RoleChange, values: string[]) {
	if (change === "set") return sorted(values);
	if (change === "add") return sorted([...current, ...values]);
	return sorted(current.filter((v) => !values.includes(v)));
}

/** Adds a membership; a new member gets the tenant's default roles. */
export async function addTenant(scoped: Deps, projectId: string, ref: string, tenantId: string) {
	const { deps, tenantIds } = tenantView(scoped);
	assertTenantInScope(tenantIds, tenantId);
	const { user } = await read(deps, projectId, ref, { tenantId }, tenantIds);
	const isMember = sql`EXISTS (SELECT 1 FROM user_tenants WHERE user_id = ${user.id} AND tenant_id = ${tenantId})`;
	const before = sorted(tenantIdsOf(user));
	const entry = userEntry(
		user,
		"user.tenants.added",
		changesOf({ tenantIds: before }, { tenantIds: sorted([...before, tenantId]) }),
		{ tenantId },
	);
	return commitAssignment(
		deps,
		projectId,
		user,
		[
			sql`INSERT OR IGNORE INTO user_roles (project_id, user_id, tenant_id, role_id)
			SELECT ${projectId}, ${user.id}, ${tenantId}, role_id FROM tenant_default_roles
			WHERE project_id = ${projectId} AND tenant_id = ${tenantId} AND NOT ${isMember}`,
			sql`INSERT OR IGNORE INTO user_tenants (project_id, user_id, tenant_id, created_at)
			VALUES (${projectId}, ${user.id}, ${tenantId}, ${deps.now()})`,
		],
		entry,
	);
}

/** Removes a membership and the roles held in that tenant. */
export async function removeTenant(scoped: Deps, projectId: string, ref: string, tenantId: string) {
	const { deps, tenantIds } = tenantView(scoped);
	assertTenantInScope(tenantIds, tenantId);
	const { user } = await read(deps, projectId, ref, { tenantId }, tenantIds);
	const before = sorted(tenantIdsOf(user));
	const entry = userEntry(
		user,
		"user.tenants.removed",
		changesOf({ tenantIds: before }, { tenantIds: before.filter((t) => t !== tenantId) }),
		{ tenantId },
	);
	return commitAssignment(
		deps,
		projectId,
		user,
		[
			sql`DELETE FROM user_roles WHERE project_id = ${projectId} AND user_id = ${user.id} AND tenant_id = ${tenantId}`,
			sql`DELETE FROM user_tenants WHERE project_id = ${projectId} AND user_id = ${user.id} AND tenant_id = ${tenantId}`,
		],
		entry,
	);
}

export type RoleChange = "add" | "set" | "remove";

/** Adds, sets or removes roles, project-wide or (with tenantId) in a tenant the user belongs to. */
export async function changeRoles(
	scoped: Deps,
	projectId: string,
	ref: string,
	change: RoleChange,
	roleNames: string[],
	tenantId?: string,
) {
	if (change !== "set" && roleNames.length === 0)
		throw new DomainError("missing_argument", "roleNames is required", "roleNames");
	const { deps, tenantIds } = tenantView(scoped);
	if (tenantIds && !tenantId)
		throw new DomainError(
			"forbidden",
			"roleNames: a tenant-bound management key cannot change project roles",
			"roleNames",
		);
	if (tenantId) assertTenantInScope(tenantIds, tenantId);
	const { user, ctx } = await read(deps, projectId, ref, { roleNames, tenantId }, tenantIds);
	const scope = tenantId ?? "";
	if (tenantId && !user.tenants.some((t) => t.tenantId === tenantId)) {
		throw invalid("tenantId", `the user is not a member of tenant "${tenantId}"`);
	}
	const roleIds = roleNames.map((name, i) => resolveRole(ctx, name, scope, `roleNames[${i}]`));
	// A tenant role needs the membership at the moment of writing, not only when we read.
	const member = tenantId
		? sql`EXISTS (SELECT 1 FROM user_tenants WHERE user_id = ${user.id} AND tenant_id = ${tenantId})`
		: sql`1`;
	const insert = sql`INSERT OR IGNORE INTO user_roles (project_id, user_id, tenant_id, role_id)
		SELECT ${projectId}, ${user.id}, ${scope}, value FROM json_each(${JSON.stringify(roleIds)}) WHERE ${member}`;
	const where = sql`project_id = ${projectId} AND user_id = ${user.id} AND tenant_id = ${scope}`;
	// Roles' versions follow their members by trigger (migration 0016_role_member_versions).
	const statements =
		change === "add"
			? [insert]
			: change === "set"
				? [sql`DELETE FROM user_roles WHERE ${where}`, insert]
				: [sql`DELETE FROM user_roles WHERE ${where} AND role_id IN ${list(roleIds)}`];
	const current = tenantId
		? (user.tenants.find((t) => t.tenantId === tenantId)?.roleNames ?? [])
		: user.roleNames;
	const verb = change === "add" ? "added" : change === "set" ? "set" : "removed";
	const entry = userEntry(
		user,
		tenantId ? (`user.tenant_roles.${verb}` as const) : (`user.roles.${verb}` as const),
		changesOf({ roleNames: sorted(current) }, { roleNames: applied(current, change, roleNames) }),
		{ tenantId: tenantId ?? null, data: { roleNames } },
	);
	return commitAssignment(deps, projectId, user, statements, entry);
}

export async function changeSsoApps(
	deps: Deps,
	projectId: string,
	ref: string,
	change: RoleChange,
	appIds: string[],
) {
	if (change !== "set" && appIds.length === 0)
		throw new DomainError("missing_argument", "ssoAppIds is required", "ssoAppIds");
	const { user, ctx } = await read(deps, projectId, ref, { ssoAppIds: appIds });
	for (const [i, id] of appIds.entries()) {
		if (!ctx.apps.has(id)) throw invalid(`ssoAppIds[${i}]`, `SSO application "${id}" does not exist`);
	}
	const insert = sql`INSERT OR IGNORE INTO user_sso_apps (project_id, user_id, app_id)
		SELECT ${projectId}, ${user.id}, value FROM json_each(${JSON.stringify(appIds)})`;
	const where = sql`project_id = ${projectId} AND user_id = ${user.id}`;
	const statements =
		change === "add"
			? [insert]
			: change === "set"
				? [sql`DELETE FROM user_sso_apps WHERE ${where}`, insert]
				: [sql`DELETE FROM user_sso_apps WHERE ${where} AND app_id IN ${list(appIds)}`];
	const verb = change === "add" ? "added" : change === "set" ? "set" : "removed";
	const entry = userEntry(
		user,
		`user.sso_apps.${verb}`,
		changesOf({ ssoAppIds: sorted(user.ssoAppIds) }, { ssoAppIds: applied(user.ssoAppIds, change, appIds) }),
		{ data: { ssoAppIds: appIds } },
	);
	return commitAssignment(deps, projectId, user, statements, entry);
}
