import { type SQL, sql } from "drizzle-orm";
import { all, batch } from "../../db/sql";
import { newId } from "../../lib/ids";
import { changesOf, commit, type Entry, removedFields } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { checkCount, checkLength, checkSearchText } from "../input-limits";
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from "../limits";
import { assertNotReadOnly, assertTenantInScope, projectRead, tenantView } from "../scope";

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

const projectRolesRefused = (field: string) =>
	new DomainError("forbidden", `${field}: a tenant-bound management key cannot change project roles`, field);

/**
 * Tenant-aware (src/domain/scope.ts): a tenant-bound key may create, change and delete the roles of
 * its own tenants only, never project roles (docs/management-keys.md).
 */
function checkRoleScope(tenantIds: string[] | null, tenantId: string | undefined, field: string) {
	if (!tenantIds) return;
	if (!tenantId) throw projectRolesRefused(field);
	assertTenantInScope(tenantIds, tenantId, field);
}

/** Creates roles (one batch); names are unique within their scope (project, or one tenant). */
export async function createRoles(scoped: Deps, projectId: string, inputs: RoleInput[]): Promise<Role[]> {
	if (inputs.length === 0) throw invalid("roles", "at least one role is required");
	checkCount("roles", inputs);
	const { deps, tenantIds } = tenantView(scoped);
	for (const [i, r] of inputs.entries()) {
		checkDetails(r, inputs.length > 1 ? `roles[${i}].` : "");
		checkRoleScope(tenantIds, r.tenantId, inputs.length > 1 ? `roles[${i}].tenantId` : "tenantId");
	}
	const normalized = inputs.map((r, i) => ({
		...r,
		name: checkName(r.name, inputs.length > 1 ? `roles[${i}].name` : "name"),
		permissionNames: r.permissionNames ? [...new Set(r.permissionNames)] : undefined,
	}));
	const ctx = await readRoleContext(deps, projectId, normalized);
	const seen = new Set<string>();
	const now = deps.now();
	const statements: SQL[] = [];
	const entries: Entry[] = [];
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
		entries.push({
			action: "role.created",
			target: { type: "role", id },
			tenantId: input.tenantId || null,
			changes: changesOf(
				{},
				recorded({
					name: input.name,
					description: input.description ?? "",
					tenantId: input.tenantId ?? "",
					isDefault: input.isDefault ?? false,
					isPrivate: input.isPrivate ?? false,
					weight: input.weight ?? 0,
					permissionNames: [...(input.permissionNames ?? [])].sort(),
				}),
			),
		});
	}
	const { reads } = await commit(deps, projectId, {
		statements,
		entries,
		reads: [roleSelect(sql`r.project_id = ${projectId} AND r.id IN ${list(ids)}`)],
	});
	return (reads[0] ?? []).map(toRole);
}

/** The fields a change row shows for a role. */
const recorded = (r: Omit<Role, "id" | "createdAt">) => ({
	name: r.name,
	description: r.description,
	tenantId: r.tenantId,
	isDefault: r.isDefault,
	isPrivate: r.isPrivate,
	weight: r.weight,
	permissionNames: r.permissionNames,
});

/** Overwrites roles found by id or by (current) name; a new name must be free in its scope. */
export async function updateRoles(scoped: Deps, projectId: string, given: RoleUpdate[]): Promise<Role[]> {
	if (given.length === 0) throw invalid("roles", "at least one role is required");
	checkCount("roles", given);
	const { deps, tenantIds } = tenantView(scoped);
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
	const entries: Entry[] = [];
	const ids: string[] = [];
	for (const [i, input] of inputs.entries()) {
		const field = inputs.length > 1 ? `roles[${i}]` : "role";
		const scope = input.tenantId ?? "";
		const role = input.id
			? ctx.roles.find((r) => r.id === input.id)
			: ctx.roles.find((r) => r.name === input.currentName && r.tenantId === scope);
		// A tenant-bound key finds only its tenants' roles; a project role it names is refused.
		if (role && tenantIds && role.tenantId === "") throw projectRolesRefused(`${field}.name`);
		if (!role || (tenantIds && !tenantIds.includes(role.tenantId)))
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
				weight = ${input.weight ?? role.weight}, version = version + 1, modified_at = ${now}
				WHERE project_id = ${projectId} AND id = ${role.id}`,
			sql`DELETE FROM role_permissions WHERE role_id = ${role.id}`,
			linkPermissions(
				projectId,
				role.id,
				(input.permissionNames ?? []).map((n) => ctx.permissionIds.get(n) as string),
			),
			touchUsersWithRoles(projectId, [role.id], now),
		);
		entries.push({
			action: "role.updated",
			target: { type: "role", id: role.id },
			tenantId: role.tenantId || null,
			changes: changesOf(
				recorded(role),
				recorded({
					...role,
					name,
					description: input.description ?? "",
					isDefault: input.isDefault ?? false,
					isPrivate: input.isPrivate ?? false,
					weight: input.weight ?? role.weight,
					permissionNames: [...(input.permissionNames ?? [])].sort(),
				}),
			),
		});
	}
	const { reads } = await commit(deps, projectId, {
		statements,
		entries,
		reads: [roleSelect(sql`r.project_id = ${projectId} AND r.id IN ${list(ids)}`)],
	});
	return (reads[0] ?? []).map(toRole);
}

/** Users holding these roles get a new version: their derived permissions changed. */
const touchUsersWithRoles = (projectId: string, roleIds: string[], now: number) =>
	sql`UPDATE users SET modified_at = ${now}, version = version + 1
		WHERE +project_id = ${projectId} AND id IN (SELECT user_id FROM user_roles
			WHERE project_id = ${projectId} AND role_id IN ${list(roleIds)})`;

/** Deletes roles by id or by name (within a tenant's scope); users lose them in the same batch. */
export async function deleteRoles(
	scoped: Deps,
	projectId: string,
	target: { names?: string[]; ids?: string[]; tenantId?: string },
) {
	const names = target.names ?? [];
	const ids = target.ids ?? [];
	if (names.length === 0 && ids.length === 0) throw invalid("name", "a role name or id is required");
	const scope = target.tenantId ?? "";
	// A read-only key is refused as the write would refuse it, whether or not anything matches.
	assertNotReadOnly(scoped);
	const { deps, tenantIds } = tenantView(scoped);
	if (names.length) checkRoleScope(tenantIds, target.tenantId, "tenantId");
	// Roles by id outside a tenant-bound key's tenants are not found, so nothing is deleted.
	const inScope = rolesInScope(tenantIds);
	const [found, holders] = await batch(deps.d1, [
		roleSelect(sql`r.project_id = ${projectId} AND ${inScope}
			AND (r.id IN ${list(ids)} OR (r.tenant_id = ${scope} AND r.name IN ${list(names)}))`),
		sql`SELECT ur.role_id AS id, count(DISTINCT ur.user_id) AS n FROM user_roles ur WHERE ur.project_id = ${projectId}
			AND ur.role_id IN (SELECT r.id FROM roles r WHERE r.project_id = ${projectId} AND ${inScope}
				AND (r.id IN ${list(ids)} OR (r.tenant_id = ${scope} AND r.name IN ${list(names)})))
			GROUP BY ur.role_id`,
	]);
	const roles = (found ?? []).map(toRole);
	if (roles.length === 0) return;
	const held = new Map((holders ?? []).map((h) => [h.id as string, Number(h.n)]));
	const roleIds = list(roles.map((r) => r.id));
	await commit(deps, projectId, {
		statements: [
			sql`UPDATE users SET modified_at = ${deps.now()}, version = version + 1
				WHERE +project_id = ${projectId} AND id IN (SELECT user_id FROM user_roles
					WHERE project_id = ${projectId} AND role_id IN ${roleIds})`,
			sql`DELETE FROM roles WHERE project_id = ${projectId} AND id IN ${roleIds}`,
		],
		entries: roles.map((role) => ({
			action: "role.deleted",
			target: { type: "role", id: role.id },
			tenantId: role.tenantId || null,
			changes: removedFields(recorded(role)),
			// Holders lose the role in the same batch; how many did is the effect.
			data: { holders: held.get(role.id) ?? 0 },
		})),
	});
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
	await commit(deps, projectId, {
		statements: [
			sql`INSERT INTO permissions (project_id, id, name, description, created_at)
				SELECT ${projectId}, value->>'id', value->>'name', value->>'description', ${deps.now()}
				FROM json_each(${JSON.stringify(rows)})`,
		],
		entries: rows.map((r) => ({
			action: "permission.created",
			target: { type: "permission", id: r.id },
			changes: changesOf({}, { name: r.name, description: r.description }),
		})),
	});
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
	const entries: Entry[] = [];
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
		entries.push({
			action: "permission.updated",
			target: { type: "permission", id: perm.id },
			changes: changesOf(
				{ name: perm.name, description: perm.description },
				{ name: newName, description: input.description ?? "" },
			),
		});
	}
	await commit(deps, projectId, { statements, entries });
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
	// A read-only key is refused as the write would refuse it, whether or not anything matches.
	assertNotReadOnly(deps);
	const found = await all<Record<string, unknown>>(
		deps.d1,
		sql`SELECT p.id, p.name, p.description,
				(SELECT json_group_array(r.name ORDER BY r.name) FROM role_permissions rp JOIN roles r ON r.id = rp.role_id
					WHERE rp.permission_id = p.id) AS roles
			FROM permissions p WHERE p.project_id = ${projectId} AND (p.name IN ${list(names)} OR p.id IN ${list(ids)})`,
	);
	if (found.length === 0) return;
	const selected = list(found.map((p) => p.id));
	await commit(deps, projectId, {
		statements: [
			// Holders of roles granting it lose a derived permission: their version moves on.
			sql`UPDATE users SET modified_at = ${deps.now()}, version = version + 1
				WHERE +project_id = ${projectId} AND id IN (SELECT ur.user_id FROM user_roles ur
					JOIN role_permissions rp ON rp.role_id = ur.role_id WHERE ur.project_id = ${projectId} AND rp.permission_id IN ${selected})`,
			sql`DELETE FROM permissions WHERE project_id = ${projectId} AND id IN ${selected}`,
		],
		entries: found.map((p) => ({
			action: "permission.deleted",
			target: { type: "permission", id: p.id as string },
			changes: removedFields({ name: p.name, description: p.description }),
			// The roles that granted it lose it (foreign key cascade); their holders with them.
			data: { roles: JSON.parse(p.roles as string) },
		})),
	});
}
