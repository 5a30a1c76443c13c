import { type SQL, sql } from "drizzle-orm";
import { all, batch } from "../../db/sql";
import { newId } from "../../lib/ids";
import { changesOf, commit, removedFields, whenPreconditionFails } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { deletedOfTenantEntries, deleteOfTenantSql } from "../federation/providers.repo";
import { checkCount, checkJsonValue, checkLength, checkSearchText, exceedsDepth } from "../input-limits";
import { MAX_ATTRIBUTES_BYTES, MAX_NAME_LENGTH } from "../limits";
import { assertNotReadOnly, tenantView } from "../scope";

// Tenants (organizations): a name unique per project, self-provisioning domains, custom
// attributes, an optional parent, default roles for new members and tenant settings.

export interface Tenant {
	id: string;
	name: string;
	selfProvisioningDomains: string[];
	customAttributes: Record<string, unknown>;
	parentId: string | null;
	enforceSso: boolean;
	disabled: boolean;
	roleInheritance: string;
	settings: Record<string, unknown>;
	createdAt: number;
	defaultRoles: string[];
	successors: string[];
}

export interface TenantInput {
	id?: string;
	name: string;
	selfProvisioningDomains?: string[];
	customAttributes?: Record<string, unknown>;
	enforceSso?: boolean;
	disabled?: boolean;
	parentId?: string;
	roleInheritance?: string;
}

const TENANT_ID = /^[A-Za-z0-9_.:-]{1,100}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ROLE_INHERITANCE = ["", "none", "userOnly"];
const list = (values: unknown[]) => sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;

export const tenantSelect = (where: SQL) => sql`SELECT t.id, t.name, t.self_provisioning_domains AS domains,
		t.custom_attributes AS customAttributes, t.parent_id AS parentId, t.enforce_sso AS enforceSso,
		t.disabled, t.role_inheritance AS roleInheritance, t.settings, t.created_at AS createdAt,
		(SELECT json_group_array(r.name ORDER BY r.name) FROM tenant_default_roles d JOIN roles r ON r.id = d.role_id
			WHERE d.project_id = t.project_id AND d.tenant_id = t.id) AS defaultRoles,
		(SELECT json_group_array(c.id ORDER BY c.id) FROM tenants c
			WHERE c.project_id = t.project_id AND c.parent_id = t.id) AS successors
	FROM tenants t WHERE ${where} ORDER BY t.created_at, t.id`;

export function toTenant(row: Record<string, unknown>): Tenant {
	return {
		id: row.id as string,
		name: row.name as string,
		selfProvisioningDomains: JSON.parse(row.domains as string),
		customAttributes: JSON.parse(row.customAttributes as string),
		parentId: (row.parentId as string | null) || null,
		enforceSso: row.enforceSso === 1,
		disabled: row.disabled === 1,
		roleInheritance: row.roleInheritance as string,
		settings: JSON.parse(row.settings as string),
		createdAt: Number(row.createdAt),
		defaultRoles: JSON.parse(row.defaultRoles as string),
		successors: JSON.parse(row.successors as string),
	};
}

function checkTenantFields(input: TenantInput) {
	const name = input.name?.trim();
	if (!name) throw new DomainError("missing_argument", "name is required", "name");
	checkLength("name", name, MAX_NAME_LENGTH);
	checkCount("selfProvisioningDomains", input.selfProvisioningDomains);
	const domains = (input.selfProvisioningDomains ?? []).map((d, i) => {
		const domain = d.trim().toLowerCase();
		if (!DOMAIN.test(domain)) throw invalid(`selfProvisioningDomains[${i}]`, `"${d}" is not a domain name`);
		return domain;
	});
	checkCustomAttributeMap(input.customAttributes);
	for (const [key, value] of Object.entries(input.customAttributes ?? {})) {
		const ok =
			["string", "number", "boolean"].includes(typeof value) ||
			(Array.isArray(value) && value.every((v) => typeof v === "string"));
		if (!ok)
			throw invalid(`customAttributes.${key}`, "expected a string, number, boolean or array of strings");
	}
	if (input.roleInheritance !== undefined && !ROLE_INHERITANCE.includes(input.roleInheritance)) {
		throw invalid("roleInheritance", `must be one of "", "none", "userOnly"`);
	}
	return { name, domains };
}

/** A tenant's attributes: names as long as any name, each value and the whole map bounded. */
function checkCustomAttributeMap(attributes: Record<string, unknown> | undefined) {
	if (!attributes) return;
	for (const [key, value] of Object.entries(attributes)) {
		// The wire's JSON parsing drops this key; refused here too, never stored.
		if (key === "__proto__") throw invalid(`customAttributes.${key}`, "is not an attribute name");
		if (key.length > MAX_NAME_LENGTH) {
			throw invalid("customAttributes", `attribute names are at most ${MAX_NAME_LENGTH} characters`);
		}
		checkJsonValue(`customAttributes.${key}`, value);
	}
	checkJsonValue("customAttributes", attributes, MAX_ATTRIBUTES_BYTES);
}

/** The fields a change row shows for a tenant (what the management API writes). */
const recorded = (t: Omit<Tenant, "id" | "createdAt" | "successors" | "defaultRoles" | "settings">) => ({
	name: t.name,
	selfProvisioningDomains: t.selfProvisioningDomains,
	customAttributes: t.customAttributes,
	parentId: t.parentId,
	enforceSso: t.enforceSso,
	disabled: t.disabled,
	roleInheritance: t.roleInheritance,
});

/** The tenant as stored, on the request's own bindings (so a key's scope refuses what it refused). */
async function readTenant(deps: Deps, projectId: string, id: string): Promise<Tenant> {
	const rows = await all<Record<string, unknown>>(
		deps.d1,
		tenantSelect(sql`t.project_id = ${projectId} AND t.id = ${id}`),
	);
	if (!rows[0]) throw new DomainError("not_found", `Tenant "${id}" not found`, "id");
	return toTenant(rows[0]);
}

export async function createTenant(deps: Deps, projectId: string, input: TenantInput): Promise<string> {
	const { name, domains } = checkTenantFields(input);
	const id = input.id?.trim() || newId("T");
	if (!TENANT_ID.test(id)) throw invalid("id", "use 1 to 100 letters, digits, '_', '-', '.', ':'");
	if (input.parentId) {
		await loadTenant(deps, projectId, input.parentId, "parent").catch(() => {
			throw invalid("parent", `tenant "${input.parentId}" does not exist`);
		});
	}
	const after = recorded({
		name,
		selfProvisioningDomains: domains,
		customAttributes: input.customAttributes ?? {},
		parentId: input.parentId || null,
		enforceSso: input.enforceSso ?? false,
		disabled: input.disabled ?? false,
		roleInheritance: input.roleInheritance ?? "",
	});
	await commit(deps, projectId, {
		statements: [
			sql`INSERT INTO tenants (project_id, id, name, self_provisioning_domains, custom_attributes, parent_id,
					enforce_sso, disabled, role_inheritance, created_at)
				VALUES (${projectId}, ${id}, ${name}, ${JSON.stringify(domains)}, ${JSON.stringify(after.customAttributes)},
					${after.parentId}, ${Number(after.enforceSso)}, ${Number(after.disabled)}, ${after.roleInheritance},
					${deps.now()})`,
		],
		entries: [
			{
				action: "tenant.created",
				target: { type: "tenant", id },
				tenantId: id,
				changes: changesOf({}, after),
			},
		],
	});
	return id;
}

/** Overwrites the tenant's fields (its parent stays). */
export async function updateTenant(deps: Deps, projectId: string, id: string, input: TenantInput) {
	const { name, domains } = checkTenantFields(input);
	// A read-only key is refused here as the write would refuse it, not told whether the tenant exists.
	assertNotReadOnly(deps);
	const before = await readTenant(deps, projectId, id);
	const after = recorded({
		...before,
		name,
		selfProvisioningDomains: domains,
		customAttributes: input.customAttributes ?? {},
		enforceSso: input.enforceSso ?? false,
		disabled: input.disabled ?? false,
		roleInheritance: input.roleInheritance ?? "",
	});
	const changes = changesOf(recorded(before), after);
	await commit(deps, projectId, {
		// Deleted since it was read: nothing is written, not even the update's change row.
		preconditions: [sql`SELECT 1 FROM tenants WHERE project_id = ${projectId} AND id = ${id}`],
		statements: [
			// Members show the tenant's name: their version moves on too.
			sql`UPDATE users SET modified_at = ${deps.now()}, version = version + 1
				WHERE +project_id = ${projectId} AND id IN (SELECT user_id FROM user_tenants WHERE project_id = ${projectId} AND tenant_id = ${id})
					AND EXISTS (SELECT 1 FROM tenants WHERE project_id = ${projectId} AND id = ${id} AND name <> ${name})`,
			sql`UPDATE tenants SET name = ${name}, self_provisioning_domains = ${JSON.stringify(domains)},
					custom_attributes = ${JSON.stringify(after.customAttributes)},
					enforce_sso = ${Number(after.enforceSso)}, disabled = ${Number(after.disabled)},
					role_inheritance = ${after.roleInheritance}
				WHERE project_id = ${projectId} AND id = ${id}`,
		],
		entries: [{ action: "tenant.updated", target: { type: "tenant", id }, tenantId: id, changes }],
	}).catch(whenPreconditionFails(() => new DomainError("not_found", `Tenant "${id}" not found`, "id")));
}

/**
 * Without `cascade`, a tenant with members is kept. With it, memberships, the roles users held in
 * it and its tenant-scoped roles go in the same batch; child tenants are detached, not deleted.
 */
export async function deleteTenant(deps: Deps, projectId: string, id: string, cascade: boolean) {
	const [found, members, tenantRoles] = await batch(deps.d1, [
		tenantSelect(sql`t.project_id = ${projectId} AND t.id = ${id}`),
		sql`SELECT count(*) AS n FROM user_tenants WHERE project_id = ${projectId} AND tenant_id = ${id}`,
		sql`SELECT count(*) AS n FROM roles WHERE project_id = ${projectId} AND tenant_id = ${id}`,
	]);
	if (!found?.[0]) throw new DomainError("not_found", `Tenant "${id}" not found`, "id");
	const tenant = toTenant(found[0]);
	const memberCount = Number(members?.[0]?.n ?? 0);
	const roleCount = Number(tenantRoles?.[0]?.n ?? 0);
	if (memberCount > 0 && !cascade) {
		throw new DomainError(
			"conflict",
			`Tenant "${id}" has ${memberCount} member(s); delete with cascade to remove them`,
			"cascade",
		);
	}
	await commit(deps, projectId, {
		// One row per member that loses the tenant and per tenant role that goes with it, so each
		// user's and role's history shows it; taken before the writes, from the rows as they were.
		entriesFrom: [
			...(memberCount > 0
				? [
						{
							action: "user.tenants.removed" as const,
							targetType: "user" as const,
							select: sql`SELECT u.id AS target_id, u.id AS user_id,
									json_extract(u.login_ids, '$[0]') AS login_id, ${id} AS tenant_id
								FROM user_tenants ut JOIN users u ON u.project_id = ut.project_id AND u.id = ut.user_id
								WHERE ut.project_id = ${projectId} AND ut.tenant_id = ${id}`,
						},
					]
				: []),
			...(roleCount > 0
				? [
						{
							action: "role.deleted" as const,
							targetType: "role" as const,
							select: sql`SELECT id AS target_id, NULL AS user_id, NULL AS login_id, tenant_id
								FROM roles WHERE project_id = ${projectId} AND tenant_id = ${id}`,
						},
					]
				: []),
			deletedOfTenantEntries(projectId, id),
		],
		statements: [
			sql`UPDATE users SET modified_at = ${deps.now()}, version = version + 1
				WHERE +project_id = ${projectId} AND id IN (SELECT user_id FROM user_tenants
					WHERE project_id = ${projectId} AND tenant_id = ${id})`,
			sql`DELETE FROM user_roles WHERE project_id = ${projectId} AND tenant_id = ${id}`,
			sql`DELETE FROM roles WHERE project_id = ${projectId} AND tenant_id = ${id}`,
			sql`UPDATE tenants SET parent_id = NULL WHERE project_id = ${projectId} AND parent_id = ${id}`,
			// Its SSO configurations (docs/federation.md) have no foreign key to it.
			...deleteOfTenantSql(projectId, id),
			sql`DELETE FROM tenants WHERE project_id = ${projectId} AND id = ${id}`,
		],
		entries: [
			{
				action: "tenant.deleted",
				target: { type: "tenant", id },
				tenantId: id,
				changes: removedFields({
					...recorded(tenant),
					defaultRoles: tenant.defaultRoles,
					settings: tenant.settings,
				}),
				data: {
					cascade,
					members: memberCount,
					roles: roleCount,
					detachedSuccessors: tenant.successors,
				},
			},
		],
	});
}

// Tenant-aware (src/domain/scope.ts): a tenant-bound key sees only its own tenants.
const inScope = (tenantIds: string[] | null) =>
	tenantIds ? sql`t.id IN (SELECT value FROM json_each(${JSON.stringify(tenantIds)}))` : sql`1`;

export async function loadTenant(deps: Deps, projectId: string, id: string, field = "id"): Promise<Tenant> {
	const { deps: d, tenantIds } = tenantView(deps);
	const rows = await all<Record<string, unknown>>(
		d.d1,
		tenantSelect(sql`t.project_id = ${projectId} AND t.id = ${id} AND ${inScope(tenantIds)}`),
	);
	if (!rows[0]) throw new DomainError("not_found", `Tenant "${id}" not found`, field);
	return toTenant(rows[0]);
}

export interface TenantSearch {
	ids?: string[];
	names?: string[];
	selfProvisioningDomains?: string[];
	customAttributes?: Record<string, unknown>;
	parentId?: string;
}

export async function searchTenants(deps: Deps, projectId: string, q: TenantSearch = {}): Promise<Tenant[]> {
	const { deps: d, tenantIds } = tenantView(deps);
	const where: SQL[] = [sql`t.project_id = ${projectId}`, inScope(tenantIds)];
	if (q.ids?.length) where.push(sql`t.id IN ${list(q.ids)}`);
	if (q.names?.length)
		where.push(sql`lower(t.name) IN (SELECT lower(value) FROM json_each(${JSON.stringify(q.names)}))`);
	if (q.selfProvisioningDomains?.length) {
		where.push(sql`EXISTS (SELECT 1 FROM json_each(t.self_provisioning_domains) d
			WHERE d.value IN (SELECT lower(value) FROM json_each(${JSON.stringify(q.selfProvisioningDomains)})))`);
	}
	if (Object.keys(q.customAttributes ?? {}).length > 20)
		throw invalid("customAttributes", "at most 20 attributes per search");
	for (const [key, wanted] of Object.entries(q.customAttributes ?? {})) {
		if (key === "__proto__") throw invalid(`customAttributes.${key}`, "is not an attribute name");
		checkSearchText("customAttributes", key);
		const values = (Array.isArray(wanted) ? wanted : [wanted]).map((v) =>
			typeof v === "boolean" ? Number(v) : v,
		);
		// A search value is a scalar or a list of scalars; nested ones would reach SQLite's JSON functions.
		if (values.some((v) => v !== null && typeof v === "object"))
			throw invalid(`customAttributes.${key}`, "expected a string, number, boolean or a list of them");
		where.push(
			sql`json_extract(t.custom_attributes, ${`$."${key.replaceAll('"', "")}"`}) IN ${list(values)}`,
		);
	}
	if (q.parentId) where.push(sql`t.parent_id = ${q.parentId}`);
	const rows = await all<Record<string, unknown>>(d.d1, tenantSelect(sql.join(where, sql` AND `)));
	return rows.map(toTenant);
}

/** Replaces the roles new members of the tenant get (tenant-scoped names first, then project roles). */
export async function updateDefaultRoles(deps: Deps, projectId: string, id: string, roleNames: string[]) {
	const tenant = await loadTenant(deps, projectId, id);
	const roles = await all<{ id: string; name: string; tenant_id: string }>(
		deps.d1,
		sql`SELECT id, name, tenant_id FROM roles WHERE project_id = ${projectId}
			AND tenant_id IN ('', ${id}) AND name IN ${list(roleNames)}`,
	);
	const ids = roleNames.map((name, i) => {
		const role =
			roles.find((r) => r.name === name && r.tenant_id === id) ?? roles.find((r) => r.name === name);
		if (!role) throw invalid(`defaultRoles[${i}]`, `role "${name}" does not exist`);
		return role.id;
	});
	await commit(deps, projectId, {
		statements: [
			sql`DELETE FROM tenant_default_roles WHERE project_id = ${projectId} AND tenant_id = ${id}`,
			sql`INSERT OR IGNORE INTO tenant_default_roles (project_id, tenant_id, role_id)
				SELECT ${projectId}, ${id}, value FROM json_each(${JSON.stringify(ids)})`,
		],
		entries: [
			{
				action: "tenant.updated",
				target: { type: "tenant", id },
				tenantId: id,
				changes: changesOf(
					{ defaultRoles: tenant.defaultRoles },
					{ defaultRoles: [...new Set(roleNames)].sort() },
				),
			},
		],
	});
}

// ---------------------------------------------------------------- settings

const UNITS = ["minutes", "hours", "days", "weeks"];
const SETTING_KINDS: Record<string, "boolean" | "number" | "unit" | "authType" | "strings"> = {
	domains: "strings",
	authType: "authType",
	enabled: "boolean",
	refreshTokenExpiration: "number",
	refreshTokenExpirationUnit: "unit",
	sessionTokenExpiration: "number",
	sessionTokenExpirationUnit: "unit",
	stepupTokenExpiration: "number",
	stepupTokenExpirationUnit: "unit",
	enableInactivity: "boolean",
	InactivityTime: "number",
	InactivityTimeUnit: "unit",
	JITDisabled: "boolean",
};

/** The tenant's settings; self-provisioning domains are the tenant's own. */
export async function getSettings(deps: Deps, projectId: string, id: string) {
	const tenant = await loadTenant(deps, projectId, id);
	return { ...tenant.settings, selfProvisioningDomains: tenant.selfProvisioningDomains };
}

export async function configureSettings(
	deps: Deps,
	projectId: string,
	id: string,
	settings: Record<string, unknown>,
) {
	const tenant = await loadTenant(deps, projectId, id);
	const stored: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(settings)) {
		if (value === null || value === undefined || key === "selfProvisioningDomains" || key === "tenantId")
			continue;
		const kind = SETTING_KINDS[key];
		if (!kind) continue; // unknown settings are ignored, like unknown fields
		const ok =
			(kind === "boolean" && typeof value === "boolean") ||
			(kind === "number" && typeof value === "number" && Number.isFinite(value) && value >= 0) ||
			(kind === "unit" && typeof value === "string" && UNITS.includes(value)) ||
			(kind === "authType" && typeof value === "string" && ["none", "saml", "oidc"].includes(value)) ||
			(kind === "strings" && Array.isArray(value) && value.every((v) => typeof v === "string"));
		if (!ok) {
			const shown = exceedsDepth(value) ? "(nested too deep)" : JSON.stringify(value).slice(0, 200);
			throw invalid(key, `invalid value ${shown}`);
		}
		if (kind === "strings") checkCount(key, value as string[]);
		stored[key] = value;
	}
	checkJsonValue("settings", stored, MAX_ATTRIBUTES_BYTES);
	const domains = Array.isArray(settings.selfProvisioningDomains)
		? checkTenantFields({
				name: tenant.name,
				selfProvisioningDomains: settings.selfProvisioningDomains as string[],
			}).domains
		: tenant.selfProvisioningDomains;
	await commit(deps, projectId, {
		statements: [
			sql`UPDATE tenants SET settings = ${JSON.stringify(stored)}, self_provisioning_domains = ${JSON.stringify(domains)}
				WHERE project_id = ${projectId} AND id = ${id}`,
		],
		entries: [
			{
				action: "tenant.updated",
				target: { type: "tenant", id },
				tenantId: id,
				changes: changesOf(
					{ settings: tenant.settings, selfProvisioningDomains: tenant.selfProvisioningDomains },
					{ settings: stored, selfProvisioningDomains: domains },
				),
			},
		],
	});
}
