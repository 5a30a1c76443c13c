import { type SQL, sql } from "drizzle-orm";
import type { accessKeys } from "../../db/schema";

// Access keys (docs/access-keys.md): raw SQL over `access_keys`, every statement scoped by project.

export type AccessKeyRow = typeof accessKeys.$inferSelect;
export type KeyTenant = { tenantId: string; roleNames: string[] };

// Lists travel as one JSON parameter: D1 binds at most 100 parameters per statement.
const list = (values: readonly unknown[]) => sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;

const FIELDS = [
	"id",
	"project_id AS projectId",
	"name",
	"description",
	"key_hash AS keyHash",
	"status",
	"expires_at AS expiresAt",
	"role_names AS roleNames",
	"key_tenants AS keyTenants",
	"bound_user_id AS boundUserId",
	"created_by AS createdBy",
	"custom_claims AS customClaims",
	"permitted_ips AS permittedIps",
	"custom_attributes AS customAttributes",
	"created_at AS createdAt",
	"modified_at AS modifiedAt",
	"last_used_at AS lastUsedAt",
];
/** The row's columns under the names `toAccessKeys` reads, optionally of a table alias. */
const columns = (alias = "") => sql.raw(FIELDS.map((f) => `${alias}${f}`).join(", "));
const COLUMNS = columns();

const json = <T>(value: unknown, fallback: T): T =>
	typeof value === "string" ? (JSON.parse(value) as T) : fallback;

export function toAccessKeys(rows: Record<string, unknown>[] | undefined): AccessKeyRow[] {
	return (rows ?? []).map((r) => ({
		id: r.id as string,
		projectId: r.projectId as string,
		name: r.name as string,
		description: r.description as string,
		keyHash: r.keyHash as string,
		status: r.status === "inactive" ? "inactive" : "active",
		expiresAt: r.expiresAt === null ? null : Number(r.expiresAt),
		roleNames: json(r.roleNames, []),
		keyTenants: json(r.keyTenants, []),
		boundUserId: (r.boundUserId as string | null) ?? null,
		createdBy: r.createdBy as string,
		customClaims: json(r.customClaims, {}),
		permittedIps: json(r.permittedIps, []),
		customAttributes: json(r.customAttributes, {}),
		createdAt: Number(r.createdAt),
		modifiedAt: Number(r.modifiedAt),
		lastUsedAt: r.lastUsedAt === null ? null : Number(r.lastUsedAt),
	}));
}

export const keyByIdQuery = (projectId: string, id: string) =>
	sql`SELECT ${COLUMNS} FROM access_keys WHERE project_id = ${projectId} AND id = ${id}`;

export const keysByIdsQuery = (projectId: string, ids: string[]) =>
	sql`SELECT ${COLUMNS} FROM access_keys WHERE project_id = ${projectId} AND id IN ${list(ids)}`;

export interface KeyFilter {
	tenantIds?: string[];
	boundUserId?: string;
	creatingUser?: string;
	/** Attribute name → value the key's attribute must equal (as JSON). */
	customAttributes?: Record<string, unknown>;
}

/** A JSON path naming one top-level member; names are checked (ATTRIBUTE_NAME) before they get here. */
const memberPath = (name: string) => `$."${name}"`;

function filterSql(projectId: string, filter: KeyFilter): SQL {
	const where = [sql`k.project_id = ${projectId}`];
	if (filter.boundUserId) where.push(sql`k.bound_user_id = ${filter.boundUserId}`);
	if (filter.creatingUser) where.push(sql`k.created_by = ${filter.creatingUser}`);
	if (filter.tenantIds?.length) {
		where.push(sql`EXISTS (SELECT 1 FROM json_each(k.key_tenants) t
			WHERE t.value->>'tenantId' IN ${list(filter.tenantIds)})`);
	}
	for (const [name, value] of Object.entries(filter.customAttributes ?? {})) {
		where.push(sql`json(k.custom_attributes -> ${memberPath(name)}) = json(${JSON.stringify(value)})`);
	}
	return sql.join(where, sql` AND `);
}

/** The project's keys matching the filter, newest first (served by access_keys_project_idx). */
export const searchKeysQuery = (projectId: string, filter: KeyFilter) =>
	sql`SELECT ${columns("k.")} FROM access_keys k WHERE ${filterSql(projectId, filter)} ORDER BY k.created_at DESC, k.id`;

/** Names of the project's tenants that any of its keys names (for `keyTenants[].tenantName`). */
export const keyTenantNamesQuery = (projectId: string) =>
	sql`SELECT id, name FROM tenants WHERE project_id = ${projectId} AND id IN (
		SELECT t.value->>'tenantId' FROM access_keys k, json_each(k.key_tenants) t WHERE k.project_id = ${projectId})`;

export const toTenantNames = (rows: Record<string, unknown>[] | undefined) =>
	new Map((rows ?? []).map((r) => [r.id as string, r.name as string]));

export const userExistsQuery = (projectId: string, userId: string) =>
	sql`SELECT id FROM users WHERE project_id = ${projectId} AND id = ${userId}`;

export const countKeysQuery = (projectId: string, max: number) =>
	sql`SELECT 1 WHERE (SELECT COUNT(*) FROM access_keys WHERE project_id = ${projectId}) < ${max}`;

export const keyExistsQuery = (projectId: string, id: string) =>
	sql`SELECT 1 FROM access_keys WHERE project_id = ${projectId} AND id = ${id}`;

export const insertKeySql = (row: AccessKeyRow) =>
	sql`INSERT INTO access_keys (id, project_id, name, description, key_hash, status, expires_at, role_names,
			key_tenants, bound_user_id, created_by, custom_claims, permitted_ips, custom_attributes, created_at,
			modified_at, last_used_at)
		VALUES (${row.id}, ${row.projectId}, ${row.name}, ${row.description}, ${row.keyHash}, ${row.status},
			${row.expiresAt}, ${JSON.stringify(row.roleNames)}, ${JSON.stringify(row.keyTenants)}, ${row.boundUserId},
			${row.createdBy}, ${JSON.stringify(row.customClaims)}, ${JSON.stringify(row.permittedIps)},
			${JSON.stringify(row.customAttributes)}, ${row.createdAt}, ${row.modifiedAt}, ${row.lastUsedAt})`;

export type KeyOverwrite = Pick<
	AccessKeyRow,
	"name" | "description" | "roleNames" | "keyTenants" | "customClaims" | "permittedIps" | "customAttributes"
>;

export const overwriteKeySql = (projectId: string, id: string, fields: KeyOverwrite, at: number) =>
	sql`UPDATE access_keys SET name = ${fields.name}, description = ${fields.description},
			role_names = ${JSON.stringify(fields.roleNames)}, key_tenants = ${JSON.stringify(fields.keyTenants)},
			custom_claims = ${JSON.stringify(fields.customClaims)}, permitted_ips = ${JSON.stringify(fields.permittedIps)},
			custom_attributes = ${JSON.stringify(fields.customAttributes)}, modified_at = ${at}
		WHERE project_id = ${projectId} AND id = ${id}`;

/** Keys among `ids` not already in `status`: the ones a status change changes (for its change rows). */
export const keysToChangeQuery = (projectId: string, ids: string[], status: "active" | "inactive") =>
	sql`SELECT id AS target_id, bound_user_id AS user_id, NULL AS login_id, NULL AS tenant_id FROM access_keys
		WHERE project_id = ${projectId} AND id IN ${list(ids)} AND status <> ${status}`;

export const setStatusSql = (projectId: string, ids: string[], status: "active" | "inactive", at: number) =>
	sql`UPDATE access_keys SET status = ${status}, modified_at = ${at}
		WHERE project_id = ${projectId} AND id IN ${list(ids)} AND status <> ${status}`;

export const rotateKeySql = (projectId: string, id: string, keyHash: string, at: number) =>
	sql`UPDATE access_keys SET key_hash = ${keyHash}, modified_at = ${at} WHERE project_id = ${projectId} AND id = ${id}`;

export const deleteKeysSql = (projectId: string, ids: string[]) =>
	sql`DELETE FROM access_keys WHERE project_id = ${projectId} AND id IN ${list(ids)}`;

// The exchange's reads: the key by its hash in the bearer's project, and what its claims need.

/** The key the cleartext names in this project. */
export const keyByHashQuery = (projectId: string, keyHash: string) =>
	sql`SELECT ${COLUMNS} FROM access_keys WHERE key_hash = ${keyHash} AND project_id = ${projectId}`;

/** The key's role names, project-level or of its tenants, as roles of the project with their permissions. */
export const keyRolesQuery = (projectId: string, keyHash: string) =>
	sql`SELECT r.name, r.tenant_id AS tenantId, p.name AS permission
		FROM roles r
		LEFT JOIN role_permissions rp ON rp.role_id = r.id
		LEFT JOIN permissions p ON p.id = rp.permission_id
		WHERE r.project_id = ${projectId} AND r.name IN (
			SELECT j.value FROM access_keys k, json_each(k.role_names) j
				WHERE k.key_hash = ${keyHash} AND k.project_id = ${projectId}
			UNION
			SELECT rn.value FROM access_keys k, json_each(k.key_tenants) t, json_each(t.value, '$.roleNames') rn
				WHERE k.key_hash = ${keyHash} AND k.project_id = ${projectId})`;

/** The key's tenants that still exist. */
export const keyTenantsQuery = (projectId: string, keyHash: string) =>
	sql`SELECT id FROM tenants WHERE project_id = ${projectId} AND id IN (
		SELECT t.value->>'tenantId' FROM access_keys k, json_each(k.key_tenants) t
			WHERE k.key_hash = ${keyHash} AND k.project_id = ${projectId})`;

/** The user the key is bound to, if any, as it is now. */
export const boundUserQuery = (projectId: string, keyHash: string) =>
	sql`SELECT u.id, u.status FROM users u WHERE u.project_id = ${projectId} AND u.id = (
		SELECT k.bound_user_id FROM access_keys k WHERE k.key_hash = ${keyHash} AND k.project_id = ${projectId})`;
