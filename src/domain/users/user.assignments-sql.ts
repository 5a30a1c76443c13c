import { type SQL, sql } from "drizzle-orm";
import { DomainError, invalid } from "../errors";

// Roles, tenant memberships and SSO applications as user fields: names resolved to ids against
// one read of the project's roles/tenants/apps, and written as set-based SQL.

export interface AssignmentFields {
	roleNames?: string[];
	userTenants?: { tenantId: string; roleNames?: string[] }[];
	ssoAppIds?: string[];
}

interface RoleRef {
	id: string;
	name: string;
	tenantId: string;
}

export interface AssignmentContext {
	roles: RoleRef[];
	tenants: Set<string>;
	apps: Set<string>;
	projectDefaults: string[];
	tenantDefaults: Map<string, string[]>;
}

const list = (values: unknown[]) => sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;

/** The queries (for one read batch) that give the context to resolve these fields. */
export function contextQueries(projectId: string, inputs: AssignmentFields[]): SQL[] {
	const tenantIds = [...new Set(inputs.flatMap((i) => (i.userTenants ?? []).map((t) => t.tenantId)))];
	const roleNames = [
		...new Set(
			inputs.flatMap((i) => [
				...(i.roleNames ?? []),
				...(i.userTenants ?? []).flatMap((t) => t.roleNames ?? []),
			]),
		),
	];
	const appIds = [...new Set(inputs.flatMap((i) => i.ssoAppIds ?? []))];
	return [
		sql`SELECT id, name, tenant_id AS tenantId FROM roles WHERE project_id = ${projectId}
			AND name IN ${list(roleNames)} AND (tenant_id = '' OR tenant_id IN ${list(tenantIds)})`,
		sql`SELECT id FROM tenants WHERE project_id = ${projectId} AND id IN ${list(tenantIds)}`,
		sql`SELECT id FROM sso_apps WHERE project_id = ${projectId} AND id IN ${list(appIds)}`,
		sql`SELECT id FROM roles WHERE project_id = ${projectId} AND tenant_id = '' AND is_default = 1`,
		sql`SELECT tenant_id AS tenantId, role_id AS roleId FROM tenant_default_roles
			WHERE project_id = ${projectId} AND tenant_id IN ${list(tenantIds)}`,
	];
}

export function toContext(results: (Record<string, unknown>[] | undefined)[]): AssignmentContext {
	const [roles, tenants, apps, projectDefaults, tenantDefaults] = results;
	const byTenant = new Map<string, string[]>();
	for (const row of tenantDefaults ?? []) {
		const id = row.tenantId as string;
		byTenant.set(id, [...(byTenant.get(id) ?? []), row.roleId as string]);
	}
	return {
		roles: (roles ?? []) as unknown as RoleRef[],
		tenants: new Set((tenants ?? []).map((t) => t.id as string)),
		apps: new Set((apps ?? []).map((a) => a.id as string)),
		projectDefaults: (projectDefaults ?? []).map((r) => r.id as string),
		tenantDefaults: byTenant,
	};
}

/** A role name in a scope: a tenant's own role first, else the project role of that name. */
export function resolveRole(ctx: AssignmentContext, name: string, tenantId: string, field: string): string {
	const role =
		(tenantId ? ctx.roles.find((r) => r.name === name && r.tenantId === tenantId) : undefined) ??
		ctx.roles.find((r) => r.name === name && r.tenantId === "");
	if (!role)
		throw invalid(field, `role "${name}" does not exist${tenantId ? ` for tenant "${tenantId}"` : ""}`);
	return role.id;
}

export interface ResolvedAssignments {
	/** undefined = not given (leave as is). */
	projectRoleIds?: string[];
	tenants?: { tenantId: string; roleIds: string[] }[];
	appIds?: string[];
}

/**
 * Resolves the given fields; defaults fill in where the caller names no roles: project default
 * roles for a new user, a tenant's default roles for a tenant given without roles.
 */
export function resolveAssignments(
	fields: AssignmentFields,
	ctx: AssignmentContext,
	{ isNewUser = false } = {},
): ResolvedAssignments {
	const out: ResolvedAssignments = {};
	if (fields.roleNames !== undefined) {
		out.projectRoleIds = unique(fields.roleNames.map((n, i) => resolveRole(ctx, n, "", `roleNames[${i}]`)));
	}
	if (isNewUser && !fields.roleNames?.length) out.projectRoleIds = [...ctx.projectDefaults];
	if (fields.userTenants !== undefined) {
		const seen = new Set<string>();
		out.tenants = fields.userTenants.map((t, i) => {
			if (!ctx.tenants.has(t.tenantId))
				throw invalid(`userTenants[${i}].tenantId`, `tenant "${t.tenantId}" does not exist`);
			if (seen.has(t.tenantId))
				throw invalid(`userTenants[${i}].tenantId`, `tenant "${t.tenantId}" appears twice`);
			seen.add(t.tenantId);
			const roleIds = t.roleNames?.length
				? t.roleNames.map((n, j) => resolveRole(ctx, n, t.tenantId, `userTenants[${i}].roleNames[${j}]`))
				: (ctx.tenantDefaults.get(t.tenantId) ?? []);
			return { tenantId: t.tenantId, roleIds: unique(roleIds) };
		});
	}
	if (fields.ssoAppIds !== undefined) {
		out.appIds = unique(
			fields.ssoAppIds.map((id, i) => {
				if (!ctx.apps.has(id)) throw invalid(`ssoAppIds[${i}]`, `SSO application "${id}" does not exist`);
				return id;
			}),
		);
	}
	return out;
}

const unique = (values: string[]) => [...new Set(values)];

const outOfScope = (field: string, message: string) =>
	new DomainError("forbidden", `${field}: ${message}`, field);

/**
 * What a tenant-bound key may assign (docs/management-keys.md): memberships and roles of its own
 * tenants only, no project roles or SSO applications; a user it creates joins one of its tenants.
 * `tenantIds` null: the key is not tenant-bound.
 */
export function checkAssignmentsInScope(
	fields: AssignmentFields,
	tenantIds: string[] | null,
	isNewUser: boolean,
) {
	if (!tenantIds) return;
	// On an existing user these fields replace the whole list (an empty one clears it), across all
	// tenants: memberships change one tenant at a time (tenant/add, tenant/remove).
	if (!isNewUser && fields.userTenants !== undefined)
		throw outOfScope(
			"userTenants",
			"a tenant-bound management key changes memberships with tenant/add and tenant/remove",
		);
	if (!isNewUser && fields.roleNames !== undefined)
		throw outOfScope("roleNames", "a tenant-bound management key cannot change project roles");
	if (!isNewUser && fields.ssoAppIds !== undefined)
		throw outOfScope("ssoAppIds", "a tenant-bound management key cannot assign SSO applications");
	if (fields.roleNames?.length)
		throw outOfScope("roleNames", "a tenant-bound management key cannot assign project roles");
	if (fields.ssoAppIds?.length)
		throw outOfScope("ssoAppIds", "a tenant-bound management key cannot assign SSO applications");
	for (const [i, t] of (fields.userTenants ?? []).entries()) {
		if (!tenantIds.includes(t.tenantId))
			throw outOfScope(
				`userTenants[${i}].tenantId`,
				`tenant ${t.tenantId} is outside this management key's tenants`,
			);
	}
	if (isNewUser && !fields.userTenants?.length)
		throw outOfScope(
			"userTenants",
			"a user created with a tenant-bound management key must join one of its tenants",
		);
}

/** Statements that set each given part (replacing what the user had) for many users at once. */
export function writeAssignmentsStatements(
	projectId: string,
	items: { userId: string; resolved: ResolvedAssignments }[],
	now: number,
): SQL[] {
	const roleRows: [string, string, string][] = [];
	const tenantRows: [string, string][] = [];
	const appRows: [string, string][] = [];
	const clearProjectRoles: string[] = [];
	const clearTenants: string[] = [];
	const clearApps: string[] = [];
	for (const { userId, resolved } of items) {
		if (resolved.projectRoleIds) {
			clearProjectRoles.push(userId);
			for (const roleId of resolved.projectRoleIds) roleRows.push([userId, "", roleId]);
		}
		if (resolved.tenants) {
			clearTenants.push(userId);
			for (const t of resolved.tenants) {
				tenantRows.push([userId, t.tenantId]);
				for (const roleId of t.roleIds) roleRows.push([userId, t.tenantId, roleId]);
			}
		}
		if (resolved.appIds) {
			clearApps.push(userId);
			for (const appId of resolved.appIds) appRows.push([userId, appId]);
		}
	}
	const statements: SQL[] = [];
	if (clearProjectRoles.length) {
		statements.push(sql`DELETE FROM user_roles WHERE project_id = ${projectId} AND tenant_id = ''
			AND user_id IN ${list(clearProjectRoles)}`);
	}
	if (clearTenants.length) {
		statements.push(
			sql`DELETE FROM user_roles WHERE project_id = ${projectId} AND tenant_id <> '' AND user_id IN ${list(clearTenants)}`,
			sql`DELETE FROM user_tenants WHERE project_id = ${projectId} AND user_id IN ${list(clearTenants)}`,
		);
	}
	if (clearApps.length) {
		statements.push(
			sql`DELETE FROM user_sso_apps WHERE project_id = ${projectId} AND user_id IN ${list(clearApps)}`,
		);
	}
	if (tenantRows.length) {
		statements.push(sql`INSERT OR IGNORE INTO user_tenants (project_id, user_id, tenant_id, created_at)
			SELECT ${projectId}, value->>0, value->>1, ${now} FROM json_each(${JSON.stringify(tenantRows)})`);
	}
	if (roleRows.length) {
		statements.push(sql`INSERT OR IGNORE INTO user_roles (project_id, user_id, tenant_id, role_id)
			SELECT ${projectId}, value->>0, value->>1, value->>2 FROM json_each(${JSON.stringify(roleRows)})`);
	}
	if (appRows.length) {
		statements.push(sql`INSERT OR IGNORE INTO user_sso_apps (project_id, user_id, app_id)
			SELECT ${projectId}, value->>0, value->>1 FROM json_each(${JSON.stringify(appRows)})`);
	}
	return statements;
}
