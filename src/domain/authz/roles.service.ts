import { type SQL, sql } from "drizzle-orm";
import { all, batch } from "../../db/sql";
import { newId } from "../../lib/ids";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { checkCount, checkLength, checkSearchText } from "../input-limits";
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from "../limits";
import { projectRead, tenantView } from "../scope";

// Roles (project-wide, or scoped to one tenant) and permissions. Users and roles point at
// permissions by id, so a rename changes one row and every user sees it.

export interface Role {
	id: string;
	name: string;
	description: string;
	permissionNames: string[];
	tenantId: string;
	isDefault: boolean;
	isPrivate: boolean;
	weight: number;
	createdAt: number;
}

export interface Permission {
	id: string;
	name: string;
	description: string;
}

export interface RoleInput {
	name: string;
	description?: string;
	permissionNames?: string[];
	tenantId?: string;
	isDefault?: boolean;
	isPrivate?: boolean;
	weight?: number;
}

export interface RoleUpdate extends RoleInput {
	/** The role to change: by id, or by name within `tenantId`'s scope. */
	id?: string;
	currentName?: string;
}

const list = (values: unknown[]) => sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;

const roleSelect = (where: SQL) => sql`SELECT r.id, r.name, r.description, r.tenant_id AS tenantId,
		r.is_default AS isDefault, r.is_private AS isPrivate, r.weight, r.created_at AS createdAt,
		(SELECT json_group_array(p.name ORDER BY p.name) FROM role_permissions rp
			JOIN permissions p ON p.id = rp.permission_id WHERE rp.role_id = r.id) AS permissionNames
	FROM roles r WHERE ${where} ORDER BY r.tenant_id, r.name`;

function toRole(row: Record<string, unknown>): Role {
	return {
		id: row.id as string,
		name: row.name as string,
		description: row.description as string,
		tenantId: row.tenantId as string,
		isDefault: row.isDefault === 1,
		isPrivate: row.isPrivate === 1,
		weight: Number(row.weight),
		createdAt: Number(row.createdAt),
		permissionNames: JSON.parse(row.permissionNames as string),
	};
}

function checkName(value: string | undefined, field: string) {
	const name = value?.trim();
	if (!name) throw new DomainError("missing_argument", `${field} is required`, field);
	checkLength(field, name, MAX_NAME_LENGTH);
	return name;
}

/** The description and permission list of a role or permission: the same limits for every writer. */
function checkDetails(input: { description?: string; permissionNames?: string[] }, prefix: string) {
	checkLength(`${prefix}description`, input.description, MAX_DESCRIPTION_LENGTH);
	checkCount(`${prefix}permissionNames`, input.permissionNames);
	for (const [i, name] of (input.permissionNames ?? []).entries()) {
		checkLength(`${prefix}permissionNames[${i}]`, name, MAX_NAME_LENGTH);
	}
}

/** Reads what role writes must check: the named permissions and tenants, and existing roles. */
async function readRoleContext(
	deps: Deps,
	projectId: string,
	inputs: RoleInput[],
	extraRoleIds: string[] = [],
) {
	const permissionNames = [...new Set(inputs.flatMap((r) => r.permissionNames ?? []))];
	const tenantIds = [...new Set(inputs.map((r) => r.tenantId ?? "").filter(Boolean))];
	const roleNames = [...new Set(inputs.map((r) => r.name))];
	const [perms, tenants, roles] = await batch(deps.d1, [
		sql`SELECT id, name FROM permissions WHERE project_id = ${projectId} AND name IN ${list(permissionNames)}`,
		sql`SELECT id FROM tenants WHERE project_id = ${projectId} AND id IN ${list(tenantIds)}`,
		roleSelect(
			sql`r.project_id = ${projectId} AND (r.name IN ${list(roleNames)} OR r.id IN ${list(extraRoleIds)})`,
		),
	]);
	return {
		permissionIds: new Map((perms ?? []).map((p) => [p.name as string, p.id as string])),
		tenants: new Set((tenants ?? []).map((t) => t.id as string)),
		roles: (roles ?? []).map(toRole),
	};
}

function checkRefs(input: RoleInput, ctx: Awaited<ReturnType<typeof readRoleContext>>, field: string) {
	for (const name of input.permissionNames ?? []) {
		if (!ctx.permissionIds.has(name))
			throw invalid(`${field}.permissionNames`, `permission "${name}" does not exist`);
	}
	if (input.tenantId && !ctx.tenants.has(input.tenantId)) {
		throw invalid(`${field}.tenantId`, `tenant "${input.tenantId}" does not exist`);
	}
}

const linkPermissions = (projectId: string, roleId: string, permissionIds: string[]) =>
	sql`INSERT INTO role_permissions (project_id, role_id, permission_id)
		SELECT ${projectId}, ${roleId}, value FROM json_each(${JSON.stringify(permissionIds)})`;

/** Creates roles (one batch); names are unique within their scope (project, or one tenant). */
export async function createRoles(deps: Deps, projectId: string, inputs: RoleInput[]): Promise<Role[]> {
	if (inputs.length === 0) throw invalid("roles", "at least one role is required");
	checkCount("roles", inputs);
	for (const [i, r] of inputs.entries()) checkDetails(r, inputs.length > 1 ? `roles[${i}].` : "");
	const normalized = inputs.map((r, i) => ({
		...r,
		name: checkName(r.name, inputs.length > 1 ? `roles[${i}].name` : "name"),
		permissionNames: r.permissionNames ? [...new Set(r.permissionNames)] : undefined,
	}));
	const ctx = await readRoleContext(deps, projectId, normalized);
	const seen = new Set<string>();
	const now = deps.now();
	const statements: SQL[] = [];
	const ids: string[] = [];
	for (const [i, input] of normalized.entries()) {
		const field = inputs.length > 1 ? `roles[${i}]` : "role";
		checkRefs(input, ctx, field);
		const scope = `${input.tenantId ?? ""}\n${input.name}`;
		if (
			seen.has(scope) ||
			ctx.roles.some((r) => r.tenantId === (input.tenantId ?? "") && r.name === input.name)
		) {
			throw new DomainError(
				"conflict",
				`Role "${input.name}" already exists${input.tenantId ? ` in tenant ${input.tenantId}` : ""}`,
				`${field}.name`,
			);
		}
		seen.add(scope);
		const id = newId("R");
		ids.push(id);
		statements.push(
			sql`INSERT INTO roles (project_id, id, name, tenant_id, description, is_default, is_private, weight, created_at)
				VALUES (${projectId}, ${id}, ${input.name}, ${input.tenantId ?? ""}, ${input.description ?? ""},
					${Number(input.isDefault ?? false)}, ${Number(input.isPrivate ?? false)}, ${input.weight ?? 0}, ${now})`,
			linkPermissions(
				projectId,
				id,
				(input.permissionNames ?? []).map((n) => ctx.permissionIds.get(n) as string),
			),
		);
	}
	const results = await writeBatch(deps, [
		...statements,
		roleSelect(sql`r.project_id = ${projectId} AND r.id IN ${list(ids)}`),
	]);
	return (results.at(-1) ?? []).map(toRole);
}

/** Overwrites roles found by id or by (current) name; a new name must be free in its scope. */
export async function updateRoles(deps: Deps, projectId: string, given: RoleUpdate[]): Promise<Role[]> {
	if (given.length === 0) throw invalid("roles", "at least one role is required");
	checkCount("roles", given);
	for (const [i, r] of given.entries()) checkDetails(r, given.length > 1 ? `roles[${i}].` : "");
	const inputs = given.map((r) => ({
		...r,
		permissionNames: r.permissionNames ? [...new Set(r.permissionNames)] : undefined,
	}));
	const lookups = inputs.map((r) => ({ ...r, name: r.currentName ?? r.name }));
	const ctx = await readRoleContext(
		deps,
		projectId,
		[...lookups, ...inputs],
		inputs.flatMap((r) => (r.id ? [r.id] : [])),
	);
	const now = deps.now();
	const statements: SQL[] = [];
	const ids: string[] = [];
	for (const [i, input] of inputs.entries()) {
		const field = inputs.length > 1 ? `roles[${i}]` : "role";
		const scope = input.tenantId ?? "";
		const role = input.id
			? ctx.roles.find((r) => r.id === input.id)
			: ctx.roles.find((r) => r.name === input.currentName && r.tenantId === scope);
		if (!role)
			throw new DomainError(
				"not_found",
				`Role "${input.id ?? input.currentName}" not found`,
				`${field}.name`,
			);
		const name = checkName(input.name, `${field}.newName`);
		if (name !== role.name && ctx.roles.some((r) => r.tenantId === role.tenantId && r.name === name)) {
			throw new DomainError("conflict", `Role "${name}" already exists`, `${field}.newName`);
		}
		checkRefs({ ...input, tenantId: undefined }, ctx, field);
		ids.push(role.id);
		statements.push(
			sql`UPDATE roles SET name = ${name}, description = ${input.description ?? ""},
				is_default = ${Number(input.isDefault ?? false)}, is_private = ${Number(input.isPrivate ?? false)},
				weight = ${input.weight ?? role.weight}
				WHERE project_id = ${projectId} AND id = ${role.id}`,
			sql`DELETE FROM role_permissions WHERE role_id = ${role.id}`,
			linkPermissions(
				projectId,
				role.id,
				(input.permissionNames ?? []).map((n) => ctx.permissionIds.get(n) as string),
			),
			touchUsersWithRoles(projectId, [role.id], now),
		);
	}
	const results = await writeBatch(deps, [
		...statements,
		roleSelect(sql`r.project_id = ${projectId} AND r.id IN ${list(ids)}`),
	]);
	return (results.at(-1) ?? []).map(toRole);
}

/** Users holding these roles get a new version: their derived permissions changed. */
const touchUsersWithRoles = (projectId: string, roleIds: string[], now: number) =>
	sql`UPDATE users SET modified_at = ${now}, version = version + 1
		WHERE +project_id = ${projectId} AND id IN (SELECT user_id FROM user_roles
			WHERE project_id = ${projectId} AND role_id IN ${list(roleIds)})`;

/** Deletes roles by id or by name (within a tenant's scope); users lose them in the same batch. */
export async function deleteRoles(
	deps: Deps,
	projectId: string,
	target: { names?: string[]; ids?: string[]; tenantId?: string },
) {
	const names = target.names ?? [];
	const ids = target.ids ?? [];
	if (names.length === 0 && ids.length === 0) throw invalid("name", "a role name or id is required");
	const scope = target.tenantId ?? "";
	const roleIds = sql`(SELECT id FROM roles WHERE project_id = ${projectId}
		AND (id IN ${list(ids)} OR (tenant_id = ${scope} AND name IN ${list(names)})))`;
	await batch(deps.d1, [
		sql`UPDATE users SET modified_at = ${deps.now()}, version = version + 1
			WHERE +project_id = ${projectId} AND id IN (SELECT user_id FROM user_roles
				WHERE project_id = ${projectId} AND role_id IN ${roleIds})`,
		sql`DELETE FROM roles WHERE project_id = ${projectId} AND id IN ${roleIds}`,
	]);
}

// Tenant-aware (src/domain/scope.ts): a tenant-bound key sees only its tenants' roles.
const rolesInScope = (tenantIds: string[] | null) =>
	tenantIds ? sql`r.tenant_id IN (SELECT value FROM json_each(${JSON.stringify(tenantIds)}))` : sql`1`;

export async function listRoles(deps: Deps, projectId: string) {
	const { deps: d, tenantIds } = tenantView(deps);
	return (
		await all<Record<string, unknown>>(
			d.d1,
			roleSelect(sql`r.project_id = ${projectId} AND ${rolesInScope(tenantIds)}`),
		)
	).map(toRole);
}

export interface RoleSearch {
	tenantIds?: string[];
	roleNames?: string[];
	roleNameLike?: string;
	permissionNames?: string[];
	includeProjectRoles?: boolean;
	roleIds?: string[];
}

export async function searchRoles(deps: Deps, projectId: string, q: RoleSearch) {
	const { deps: d, tenantIds } = tenantView(deps);
	const where: SQL[] = [sql`r.project_id = ${projectId}`, rolesInScope(tenantIds)];
	if (q.tenantIds?.length) {
		where.push(
			q.includeProjectRoles
				? sql`(r.tenant_id IN ${list(q.tenantIds)} OR r.tenant_id = '')`
				: sql`r.tenant_id IN ${list(q.tenantIds)}`,
		);
	} else if (q.includeProjectRoles === false) {
		where.push(sql`r.tenant_id <> ''`);
	}
	if (q.roleNames?.length) where.push(sql`r.name IN ${list(q.roleNames)}`);
	if (q.roleIds?.length) where.push(sql`r.id IN ${list(q.roleIds)}`);
	checkSearchText("roleNameLike", q.roleNameLike);
	if (q.roleNameLike) {
		// instr, not LIKE: D1 refuses LIKE patterns over 50 bytes, and names run to 256 characters.
		// lower() folds ASCII, as LIKE did.
		where.push(sql`instr(lower(r.name), lower(${q.roleNameLike})) > 0`);
	}
	if (q.permissionNames?.length) {
		where.push(sql`r.id IN (SELECT rp.role_id FROM role_permissions rp JOIN permissions p ON p.id = rp.permission_id
			WHERE p.project_id = ${projectId} AND p.name IN ${list(q.permissionNames)})`);
	}
	const rows = await all<Record<string, unknown>>(d.d1, roleSelect(sql.join(where, sql` AND `)));
	return rows.map(toRole);
}

// ---------------------------------------------------------------- permissions

// A project-level object a tenant-bound key may read (docs/management-keys.md).
export async function listPermissions(deps: Deps, projectId: string): Promise<Permission[]> {
	return all<Permission>(
		projectRead(deps).d1,
		sql`SELECT id, name, description FROM permissions WHERE project_id = ${projectId} ORDER BY name`,
	);
}

export async function createPermissions(
	deps: Deps,
	projectId: string,
	inputs: { name: string; description?: string }[],
) {
	if (inputs.length === 0) throw invalid("permissions", "at least one permission is required");
	checkCount("permissions", inputs);
	for (const [i, p] of inputs.entries()) {
		checkDetails(p, inputs.length > 1 ? `permissions[${i}].` : "");
	}
	const rows = inputs.map((p, i) => ({
		id: newId("M"),
		name: checkName(p.name, inputs.length > 1 ? `permissions[${i}].name` : "name"),
		description: p.description ?? "",
	}));
	if (new Set(rows.map((r) => r.name)).size !== rows.length)
		throw invalid("permissions", "names must be unique");
	await writeBatch(deps, [
		sql`INSERT INTO permissions (project_id, id, name, description, created_at)
			SELECT ${projectId}, value->>'id', value->>'name', value->>'description', ${deps.now()}
			FROM json_each(${JSON.stringify(rows)})`,
	]);
}

export async function updatePermissions(
	deps: Deps,
	projectId: string,
	inputs: { name?: string; id?: string; newName: string; description?: string }[],
) {
	if (inputs.length === 0) throw invalid("permissions", "at least one permission is required");
	checkCount("permissions", inputs);
	for (const [i, p] of inputs.entries()) {
		checkDetails(p, inputs.length > 1 ? `permissions[${i}].` : "");
	}
	const statements: SQL[] = [];
	const existing = await listPermissions(deps, projectId);
	for (const [i, input] of inputs.entries()) {
		const field = inputs.length > 1 ? `permissions[${i}]` : "permission";
		const perm = existing.find((p) => (input.id ? p.id === input.id : p.name === input.name));
		if (!perm)
			throw new DomainError("not_found", `Permission "${input.id ?? input.name}" not found`, `${field}.name`);
		const newName = checkName(input.newName, `${field}.newName`);
		statements.push(
			sql`UPDATE permissions SET name = ${newName}, description = ${input.description ?? ""}
				WHERE project_id = ${projectId} AND id = ${perm.id}`,
			sql`UPDATE users SET modified_at = ${deps.now()}, version = version + 1
				WHERE +project_id = ${projectId} AND id IN (SELECT ur.user_id FROM user_roles ur
					JOIN role_permissions rp ON rp.role_id = ur.role_id WHERE ur.project_id = ${projectId}
					AND rp.permission_id = ${perm.id})`,
		);
	}
	await writeBatch(deps, statements);
}

/** Deleting a permission removes it from every role (foreign key cascade) in the same statement. */
export async function deletePermissions(
	deps: Deps,
	projectId: string,
	target: { names?: string[]; ids?: string[] },
) {
	const names = target.names ?? [];
	const ids = target.ids ?? [];
	if (names.length === 0 && ids.length === 0) throw invalid("name", "a permission name or id is required");
	const selected = sql`(SELECT id FROM permissions WHERE project_id = ${projectId} AND (name IN ${list(names)} OR id IN ${list(ids)}))`;
	await batch(deps.d1, [
		// Holders of roles granting it lose a derived permission: their version moves on.
		sql`UPDATE users SET modified_at = ${deps.now()}, version = version + 1
			WHERE +project_id = ${projectId} AND id IN (SELECT ur.user_id FROM user_roles ur
				JOIN role_permissions rp ON rp.role_id = ur.role_id WHERE ur.project_id = ${projectId} AND rp.permission_id IN ${selected})`,
		sql`DELETE FROM permissions WHERE project_id = ${projectId} AND id IN ${selected}`,
	]);
}

/** A batch whose unique-index failures become a clear conflict. */
async function writeBatch(deps: Deps, statements: SQL[]) {
	try {
		return await batch(deps.d1, statements);
	} catch (error) {
		const message = String((error as Error)?.message ?? error);
		if (message.includes("UNIQUE constraint failed: roles"))
			throw new DomainError("conflict", "A role with this name already exists in its scope", "name");
		if (message.includes("UNIQUE constraint failed: permissions"))
			throw new DomainError("conflict", "A permission with this name already exists", "name");
		if (message.includes("FOREIGN KEY constraint failed")) {
			throw new DomainError(
				"conflict",
				"A referenced permission or tenant was deleted meanwhile; retry",
				"permissionNames",
			);
		}
		throw error;
	}
}
