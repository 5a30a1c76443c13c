// SQL of the identity-provider registry. Every statement is scoped by project (and, where a
// tenant-bound key asks, by the key's tenants through the caller's `tenantIds`).
import { type SQL, sql } from "drizzle-orm";
import type { AttributeMapping, IdentityProvider, OidcSettings, RoleMapping } from "./providers.types";

const COLUMNS = sql.raw(`p.id, p.tenant_id AS tenantId, p.key, p.name, p.prefix, p.enabled, p.protocol,
	p.settings, p.domains, p.trust_email AS trustEmail, p.client_secret_ciphertext AS secret,
	p.created_at AS createdAt, p.modified_at AS modifiedAt`);

const ids = (values: string[]) => sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;

/** Confines `p.tenant_id` to a tenant-bound key's tenants (null: the whole project). */
export const inTenants = (tenantIds: string[] | null) =>
	tenantIds ? sql`p.tenant_id IN ${ids(tenantIds)}` : sql`1`;

export const providerSelect = (projectId: string, where: SQL) =>
	sql`SELECT ${COLUMNS} FROM identity_providers p WHERE p.project_id = ${projectId} AND ${where}
		ORDER BY p.tenant_id, p.key = '' DESC, p.created_at, p.id`;

export const byId = (projectId: string, id: string) => providerSelect(projectId, sql`p.id = ${id}`);

export const byKey = (projectId: string, tenantId: string, key: string) =>
	providerSelect(projectId, sql`p.tenant_id = ${tenantId} AND p.key = ${key}`);

/** A tenant's configurations; the default one ("" ssoId) first. */
export const ofTenant = (projectId: string, tenantId: string) =>
	providerSelect(projectId, sql`p.tenant_id = ${tenantId} AND p.tenant_id <> ''`);

/** The tenant SSO configuration an email domain routes to (its default one first, then the oldest). */
export const byDomain = (projectId: string, domain: string, key?: string) =>
	sql`SELECT ${COLUMNS} FROM identity_provider_domains d
		JOIN identity_providers p ON p.project_id = d.project_id AND p.id = d.provider_id
		WHERE d.project_id = ${projectId} AND d.domain = ${domain} AND p.tenant_id <> ''
			${key !== undefined ? sql`AND p.key = ${key}` : sql``}
		ORDER BY p.key = '' DESC, p.created_at LIMIT 1`;

/** Other providers' claims on these domains (a domain routes to one tenant only). */
export const domainClaims = (projectId: string, domains: string[], tenantId: string) =>
	sql`SELECT d.domain, p.tenant_id AS tenantId FROM identity_provider_domains d
		JOIN identity_providers p ON p.project_id = d.project_id AND p.id = d.provider_id
		WHERE d.project_id = ${projectId} AND d.domain IN ${ids(domains)} AND p.tenant_id <> ${tenantId}`;

/** A keyset page by id (the partner list, the console). */
export const page = (
	projectId: string,
	after: string | undefined,
	limit: number,
	tenantIds: string[] | null,
) =>
	sql`SELECT ${COLUMNS} FROM identity_providers p WHERE p.project_id = ${projectId} AND ${inTenants(tenantIds)}
		${after ? sql`AND p.id > ${after}` : sql``} ORDER BY p.id LIMIT ${limit}`;

export const count = (projectId: string, tenantIds: string[] | null) =>
	sql`SELECT count(*) AS n FROM identity_providers p WHERE p.project_id = ${projectId} AND ${inTenants(tenantIds)}`;

export interface ProviderRow {
	provider: IdentityProvider;
	/** The sealed client secret (never leaves the domain). */
	secret: string | null;
}

const json = <T>(value: unknown, fallback: T): T => {
	if (typeof value !== "string") return (value as T) ?? fallback;
	try {
		return JSON.parse(value) as T;
	} catch {
		return fallback;
	}
};
const str = (v: unknown) => (typeof v === "string" ? v : "");
const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : []);

/** Stored settings, whatever older rows hold, with every field present. */
export function settingsOf(raw: Record<string, unknown>): OidcSettings {
	const mapping = raw.userAttrMapping ?? raw.attributeMapping;
	return {
		clientId: str(raw.clientId),
		issuer: str(raw.issuer),
		discoveryUrl: str(raw.discoveryUrl),
		authUrl: str(raw.authUrl),
		tokenUrl: str(raw.tokenUrl),
		userDataUrl: str(raw.userDataUrl),
		JWKsUrl: str(raw.JWKsUrl),
		scope: strings(raw.scope),
		redirectUrl: str(raw.redirectUrl),
		prompt: strings(raw.prompt),
		grantType: str(raw.grantType),
		callbackDomain: str(raw.callbackDomain),
		providerID: str(raw.providerID),
		scimProviderID: str(raw.scimProviderID),
		manageProviderTokens: raw.manageProviderTokens === true,
		userAttrMapping: mapping && typeof mapping === "object" ? (mapping as AttributeMapping) : {},
		roleMappings: Array.isArray(raw.roleMappings) ? (raw.roleMappings as RoleMapping[]) : [],
	};
}

export function toProvider(row: Record<string, unknown>): ProviderRow {
	return {
		provider: {
			id: row.id as string,
			tenantId: (row.tenantId as string) ?? "",
			key: (row.key as string) ?? "",
			name: (row.name as string) ?? "",
			prefix: (row.prefix as string) ?? "",
			enabled: row.enabled === 1 || row.enabled === true,
			protocol: row.protocol === "saml" ? "saml" : "oidc",
			trustEmail: row.trustEmail === 1 || row.trustEmail === true,
			domains: json<string[]>(row.domains, []),
			settings: settingsOf(json<Record<string, unknown>>(row.settings, {})),
			hasClientSecret: typeof row.secret === "string" && row.secret !== "",
			createdAt: Number(row.createdAt),
			modifiedAt: Number(row.modifiedAt),
		},
		secret: typeof row.secret === "string" && row.secret ? row.secret : null,
	};
}

export interface ProviderWrite {
	id: string;
	tenantId: string;
	key: string;
	name: string;
	prefix: string;
	enabled: boolean;
	trustEmail: boolean;
	domains: string[];
	settings: OidcSettings;
	/** undefined: keep the stored ciphertext. */
	secret?: string;
}

/** Insert or overwrite one provider and its domain routes (the statements of one commit). */
export function upsertSql(projectId: string, p: ProviderWrite, now: number): SQL[] {
	const secret =
		p.secret === undefined ? sql`client_secret_ciphertext` : sql`excluded.client_secret_ciphertext`;
	return [
		sql`INSERT INTO identity_providers (project_id, id, tenant_id, key, name, prefix, enabled, protocol, settings,
				client_secret_ciphertext, domains, trust_email, created_at, modified_at)
			VALUES (${projectId}, ${p.id}, ${p.tenantId}, ${p.key}, ${p.name}, ${p.prefix}, ${Number(p.enabled)}, 'oidc',
				${JSON.stringify(p.settings)}, ${p.secret ?? null}, ${JSON.stringify(p.domains)}, ${Number(p.trustEmail)},
				${now}, ${now})
			ON CONFLICT (project_id, id) DO UPDATE SET key = excluded.key, name = excluded.name,
				prefix = excluded.prefix, enabled = excluded.enabled, settings = excluded.settings,
				client_secret_ciphertext = ${secret}, domains = excluded.domains, trust_email = excluded.trust_email,
				modified_at = excluded.modified_at`,
		sql`DELETE FROM identity_provider_domains WHERE project_id = ${projectId} AND provider_id = ${p.id}`,
		sql`INSERT INTO identity_provider_domains (project_id, domain, provider_id)
			SELECT ${projectId}, value, ${p.id} FROM json_each(${JSON.stringify(p.domains)})`,
	];
}

export const deleteSql = (projectId: string, id: string): SQL[] => [
	sql`DELETE FROM identity_provider_domains WHERE project_id = ${projectId} AND provider_id = ${id}`,
	// Links of users to this provider go with it: a new provider is a new identity space.
	sql`DELETE FROM user_provider_links WHERE project_id = ${projectId} AND provider_id = ${id}`,
	sql`DELETE FROM identity_providers WHERE project_id = ${projectId} AND id = ${id}`,
];

/** A deleted tenant's SSO configurations go with it: their domain routes, links and rows. */
export const deleteOfTenantSql = (projectId: string, tenantId: string): SQL[] => [
	sql`DELETE FROM identity_provider_domains WHERE project_id = ${projectId} AND provider_id IN
		(SELECT id FROM identity_providers WHERE project_id = ${projectId} AND tenant_id = ${tenantId} AND tenant_id <> '')`,
	sql`DELETE FROM user_provider_links WHERE project_id = ${projectId} AND provider_id IN
		(SELECT id FROM identity_providers WHERE project_id = ${projectId} AND tenant_id = ${tenantId} AND tenant_id <> '')`,
	sql`DELETE FROM identity_providers WHERE project_id = ${projectId} AND tenant_id = ${tenantId} AND tenant_id <> ''`,
];

/** The `identity_provider.deleted` rows of a tenant's deletion (commit's entriesFrom, before the writes). */
export const deletedOfTenantEntries = (projectId: string, tenantId: string) => ({
	action: "identity_provider.deleted" as const,
	targetType: "identity_provider" as const,
	select: sql`SELECT id AS target_id, NULL AS user_id, NULL AS login_id, tenant_id FROM identity_providers
		WHERE project_id = ${projectId} AND tenant_id = ${tenantId} AND tenant_id <> ''`,
	data: { cause: "tenant.deleted" },
});
