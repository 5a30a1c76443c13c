// The identity-provider registry (docs/federation.md, "Identity providers"): tenant SSO
// configurations and project-level OAuth providers, created, changed and deleted through commit().
// Change rows never hold the client secret (only non-secret settings are recorded).
import { type SQL, sql } from "drizzle-orm";
import { all, batch } from "../../db/sql";
import { randomBase62 } from "../../lib/ids";
import { tenantSelect, toTenant } from "../authz/tenants.service";
import { changesOf, commit, removedFields, whenPreconditionFails } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { checkLength } from "../input-limits";
import { assertNotReadOnly, tenantView } from "../scope";
import {
	checkDomains,
	checkName,
	checkPrefix,
	checkSettings,
	emptySettings,
	PROVIDER_NAME,
	requireUsable,
	SSO_ID,
} from "./providers.input";
import * as repo from "./providers.repo";
import type { IdentityProvider, OidcSettings, ProviderInput } from "./providers.types";
import { encryptIdpSecret } from "./secrets";

/** Where a provider sits: a tenant's SSO configuration (`ssoId`, "" = default) or a project-level provider. */
export type ProviderSlot = { tenantId: string; ssoId: string } | { projectLevel: true; name: string };

/** Client secrets are opaque strings; providers issue a few dozen to a few hundred characters. */
const MAX_SECRET_LENGTH = 4096;

const newProviderId = () => `IDP${randomBase62(25)}`;

/** What a change row shows of a provider: never the secret. */
const recorded = (p: Omit<IdentityProvider, "id" | "createdAt" | "modifiedAt" | "hasClientSecret">) => ({
	tenantId: p.tenantId,
	ssoId: p.tenantId ? p.key : undefined,
	providerName: p.tenantId ? undefined : p.key,
	name: p.name,
	prefix: p.prefix,
	enabled: p.enabled,
	trustEmail: p.trustEmail,
	domains: p.domains,
	settings: p.settings,
});

const tenantNotFound = (tenantId: string) =>
	new DomainError("not_found", `Tenant "${tenantId}" not found`, "tenantId");
const ssoNotFound = (tenantId: string, ssoId: string) =>
	new DomainError(
		"not_found",
		ssoId
			? `Tenant "${tenantId}" has no SSO configuration "${ssoId}"`
			: `Tenant "${tenantId}" has no SSO configuration`,
		"ssoId",
	);
const providerNotFound = (idOrName: string) =>
	new DomainError("not_found", `Identity provider "${idOrName}" not found`, "id");

/** The bindings and the SQL guard for a slot: a tenant-bound key reaches only its own tenants' SSO. */
function scoped(deps: Deps, slot: ProviderSlot) {
	if ("projectLevel" in slot) return deps; // a tenant-bound key's bindings refuse it (403)
	const { deps: d, tenantIds } = tenantView(deps);
	if (tenantIds && !tenantIds.includes(slot.tenantId)) throw tenantNotFound(slot.tenantId);
	return d;
}

const slotKey = (slot: ProviderSlot) => ("projectLevel" in slot ? slot.name : slot.ssoId);
const slotTenant = (slot: ProviderSlot) => ("projectLevel" in slot ? "" : slot.tenantId);

function checkSlot(slot: ProviderSlot) {
	if ("projectLevel" in slot) {
		if (!slot.name) throw new DomainError("missing_argument", "name is required", "name");
		if (!PROVIDER_NAME.test(slot.name)) throw invalid("name", "use 1 to 100 letters, digits, '_', '-', '.'");
	} else {
		if (!slot.tenantId) throw new DomainError("missing_argument", "tenantId is required", "tenantId");
		if (!SSO_ID.test(slot.ssoId)) throw invalid("ssoId", "use up to 100 letters, digits, '_', '-', '.'");
	}
}

/**
 * One round trip: the provider in the slot, the tenant's existence, the project's redirect
 * allowlist, and other tenants' claims on the domains given.
 */
async function readSlot(deps: Deps, projectId: string, slot: ProviderSlot, domains: string[], byId?: string) {
	const tenantId = slotTenant(slot);
	const [found, tenant, project, claims] = await batch(deps.d1, [
		byId ? repo.byId(projectId, byId) : repo.byKey(projectId, tenantId, slotKey(slot)),
		tenantId
			? sql`SELECT id FROM tenants WHERE project_id = ${projectId} AND id = ${tenantId}`
			: sql`SELECT 1 AS id`,
		sql`SELECT allowed_redirect_urls AS urls FROM projects WHERE id = ${projectId}`,
		tenantId && domains.length ? repo.domainClaims(projectId, domains, tenantId) : sql`SELECT 1 WHERE 0`,
	]);
	if (!tenant?.[0]) throw tenantNotFound(tenantId);
	// A domain routes to one tenant's SSO only.
	const claimed = claims?.[0]?.domain;
	if (claimed)
		throw new DomainError(
			"conflict",
			`The domain "${claimed}" is already routed to another tenant's SSO`,
			"domains",
		);
	const urls = project?.[0]?.urls;
	return {
		current: found?.[0] ? repo.toProvider(found[0]).provider : null,
		allowlist: (typeof urls === "string" ? JSON.parse(urls) : []) as string[],
	};
}

export interface SaveOptions {
	/** "replace": settings not given go back to their defaults (configureOIDCSettings); "merge": they keep their value. */
	mode: "replace" | "merge";
	/** The settings must be able to sign someone in (client id, issuer). */
	requireUsable: boolean;
	/** Update only: refuse when the slot holds no provider. */
	mustExist?: boolean;
	/** Create only: refuse when the slot holds one. */
	mustNotExist?: boolean;
	/** Select the provider by id instead of by slot (a rename). */
	id?: string;
}

/** Creates or changes the provider in a slot; returns it as stored (without its secret). */
export async function saveProvider(
	deps: Deps,
	projectId: string,
	slot: ProviderSlot,
	input: ProviderInput,
	options: SaveOptions,
): Promise<IdentityProvider> {
	checkSlot(slot);
	assertNotReadOnly(deps);
	const d = scoped(deps, slot);
	const givenDomains = input.domains !== undefined ? checkDomains(input.domains) : undefined;
	const { current, allowlist } = await readSlot(d, projectId, slot, givenDomains ?? [], options.id);
	if (options.id && !current) throw providerNotFound(options.id);
	if (current && options.id && current.tenantId !== slotTenant(slot)) throw providerNotFound(options.id);
	if (!current && options.mustExist) {
		throw "projectLevel" in slot ? providerNotFound(slot.name) : ssoNotFound(slot.tenantId, slot.ssoId);
	}
	if (current && options.mustNotExist) {
		throw new DomainError(
			"conflict",
			"projectLevel" in slot
				? `An identity provider named "${slot.name}" already exists`
				: `Tenant "${slot.tenantId}" already has an SSO configuration "${slot.ssoId}"`,
			"projectLevel" in slot ? "name" : "ssoId",
		);
	}
	const base: OidcSettings = options.mode === "merge" && current ? current.settings : emptySettings();
	const settings = checkSettings(deps.env, base, input.settings ?? {}, allowlist);
	if (options.requireUsable) requireUsable(settings);
	const name = checkName(input.name ?? current?.name ?? ("projectLevel" in slot ? slot.name : undefined));
	const domains = givenDomains ?? current?.domains ?? [];
	const after = {
		tenantId: slotTenant(slot),
		key: slotKey(slot),
		name,
		prefix: checkPrefix(input.prefix ?? current?.prefix ?? ""),
		enabled: input.enabled ?? current?.enabled ?? true,
		trustEmail: input.trustEmail ?? current?.trustEmail ?? false,
		protocol: "oidc" as const,
		domains,
		settings,
	};
	checkLength("clientSecret", input.clientSecret, MAX_SECRET_LENGTH);
	const secret = input.clientSecret ? await encryptIdpSecret(deps.env, input.clientSecret) : undefined;
	const id = current?.id ?? newProviderId();
	const now = deps.now();
	const tenantGuard = after.tenantId
		? [sql`SELECT 1 FROM tenants WHERE project_id = ${projectId} AND id = ${after.tenantId}`]
		: [];
	const { reads } = await commit(d, projectId, {
		// Deleted meanwhile (provider or tenant): nothing is written, not even the change row.
		preconditions: [
			...tenantGuard,
			...(current
				? [sql`SELECT 1 FROM identity_providers WHERE project_id = ${projectId} AND id = ${id}`]
				: []),
		],
		statements: repo.upsertSql(projectId, { id, ...after, secret }, now),
		entries: [
			{
				action: current ? "identity_provider.updated" : "identity_provider.created",
				target: { type: "identity_provider", id },
				tenantId: after.tenantId || null,
				changes: changesOf(current ? recorded(current) : {}, recorded(after)),
				data: secret ? { clientCredentialChanged: true } : undefined,
			},
		],
		reads: [repo.byId(projectId, id)],
	}).catch(whenPreconditionFails(() => (current ? providerNotFound(id) : tenantNotFound(after.tenantId))));
	const row = reads[0]?.[0];
	if (!row) throw providerNotFound(id);
	return repo.toProvider(row).provider;
}

/**
 * A tenant's SSO configuration's default landing URL (configureSSORedirectURL): "" clears it;
 * undefined changes nothing, but the call is still a write (a read-only key is refused) on a
 * configuration that must exist.
 */
export async function setRedirectUrl(
	deps: Deps,
	projectId: string,
	tenantId: string,
	ssoId: string,
	url: string | undefined,
) {
	if (url === undefined) {
		assertNotReadOnly(deps);
		if (!(await loadSlot(deps, projectId, { tenantId, ssoId }))) throw ssoNotFound(tenantId, ssoId);
		return;
	}
	await saveProvider(
		deps,
		projectId,
		{ tenantId, ssoId },
		{ settings: { redirectUrl: url } },
		{
			mode: "merge",
			requireUsable: false,
			mustExist: true,
		},
	);
}

/** The configuration in a slot, or null when there is none. */
export async function loadSlot(
	deps: Deps,
	projectId: string,
	slot: ProviderSlot,
): Promise<IdentityProvider | null> {
	checkSlot(slot);
	const d = scoped(deps, slot);
	const rows = await all<Record<string, unknown>>(
		d.d1,
		repo.byKey(projectId, slotTenant(slot), slotKey(slot)),
	);
	return rows[0] ? repo.toProvider(rows[0]).provider : null;
}

/** A tenant's SSO configurations (its default first) and the tenant's existence, in one round trip. */
export async function tenantProviders(deps: Deps, projectId: string, tenantId: string, ssoId?: string) {
	const slot = { tenantId, ssoId: ssoId ?? "" };
	checkSlot(slot);
	const d = scoped(deps, slot);
	const [tenant, rows] = await batch(d.d1, [
		tenantSelect(sql`t.project_id = ${projectId} AND t.id = ${tenantId}`),
		ssoId !== undefined ? repo.byKey(projectId, tenantId, ssoId) : repo.ofTenant(projectId, tenantId),
	]);
	if (!tenant?.[0]) throw tenantNotFound(tenantId);
	return { tenant: toTenant(tenant[0]), providers: (rows ?? []).map((r) => repo.toProvider(r).provider) };
}

/** A project-level provider by id, else by name. */
export async function loadProjectProvider(
	deps: Deps,
	projectId: string,
	idOrName: string,
): Promise<IdentityProvider> {
	if (!idOrName) throw new DomainError("missing_argument", "id is required", "id");
	const rows = await all<Record<string, unknown>>(
		deps.d1,
		repo.providerSelect(projectId, sql`p.tenant_id = '' AND (p.id = ${idOrName} OR p.key = ${idOrName})`),
	);
	const row = rows.find((r) => r.id === idOrName) ?? rows[0];
	if (!row) throw providerNotFound(idOrName);
	return repo.toProvider(row).provider;
}

export async function listProjectProviders(deps: Deps, projectId: string): Promise<IdentityProvider[]> {
	const rows = await all<Record<string, unknown>>(
		deps.d1,
		repo.providerSelect(projectId, sql`p.tenant_id = ''`),
	);
	return rows.map((r) => repo.toProvider(r).provider);
}

async function deleteWhere(deps: Deps, projectId: string, where: SQL, notFound: () => DomainError) {
	assertNotReadOnly(deps);
	const rows = await all<Record<string, unknown>>(deps.d1, repo.providerSelect(projectId, where));
	const found = rows[0] ? repo.toProvider(rows[0]).provider : null;
	if (!found) throw notFound();
	await commit(deps, projectId, {
		preconditions: [
			sql`SELECT 1 FROM identity_providers WHERE project_id = ${projectId} AND id = ${found.id}`,
		],
		statements: repo.deleteSql(projectId, found.id),
		entries: [
			{
				action: "identity_provider.deleted",
				target: { type: "identity_provider", id: found.id },
				tenantId: found.tenantId || null,
				changes: removedFields(recorded(found)),
			},
		],
	}).catch(whenPreconditionFails(notFound));
	return found;
}

/** Deletes a tenant's SSO configuration (its default one without ssoId); its users' links go with it. */
export async function deleteTenantProvider(deps: Deps, projectId: string, tenantId: string, ssoId: string) {
	const slot = { tenantId, ssoId };
	checkSlot(slot);
	const d = scoped(deps, slot);
	return deleteWhere(
		d,
		projectId,
		sql`p.tenant_id = ${tenantId} AND p.tenant_id <> '' AND p.key = ${ssoId}`,
		() => ssoNotFound(tenantId, ssoId),
	);
}

export async function deleteProjectProvider(deps: Deps, projectId: string, idOrName: string) {
	if (!idOrName) throw new DomainError("missing_argument", "id is required", "id");
	return deleteWhere(
		deps,
		projectId,
		sql`p.tenant_id = '' AND (p.id = ${idOrName} OR p.key = ${idOrName})`,
		() => providerNotFound(idOrName),
	);
}

/**
 * recalculateSSOMappings: role mappings apply when the flow creates a user (docs/federation.md,
 * "Linking rules"), and Roster keeps no copy of users' provider groups to map again, so there is
 * nothing to recompute. The call checks that the configuration exists and changes nothing.
 */
export async function recalculateMappings(deps: Deps, projectId: string, tenantId: string, ssoId?: string) {
	assertNotReadOnly(deps);
	const { providers } = await tenantProviders(deps, projectId, tenantId, ssoId);
	if (!providers.length) throw ssoNotFound(tenantId, ssoId ?? "");
}

/** Every provider of the project, keyset-paged by id (a tenant-bound key: its tenants' SSO only). */
export async function listProviders(
	deps: Deps,
	projectId: string,
	options: { after?: string | null; limit: number; includeTotal?: boolean },
) {
	const { deps: d, tenantIds } = tenantView(deps);
	const [rows, count] = await batch(d.d1, [
		repo.page(projectId, options.after ?? undefined, options.limit + 1, tenantIds),
		...(options.includeTotal ? [repo.count(projectId, tenantIds)] : []),
	]);
	const items = (rows ?? []).slice(0, options.limit).map((r) => repo.toProvider(r).provider);
	return {
		items,
		nextAfter: (rows?.length ?? 0) > options.limit ? (items[items.length - 1]?.id ?? null) : null,
		total: count ? Number(count[0]?.n ?? 0) : undefined,
	};
}
