// Tenant SSO as `management.sso` calls it (node-sdk lib/management/sso.ts): v2 loadSettings /
// loadAllSettings, newSettings, deleteSettings, configureOIDCSettings, configureSSORedirectURL,
// recalculateSSOMappings. SAML (and the deprecated v1 SAML calls, configureMapping) answer 400.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Tenant } from "../../../domain/authz/tenants.service";
import { DomainError } from "../../../domain/errors";
import * as registry from "../../../domain/federation/providers.service";
import type { IdentityProvider } from "../../../domain/federation/providers.types";
import type { AppEnv } from "../../context";
import { publicOrigin } from "../../public-origin";
import { empty, jsonBody, ok, optString, optStrings } from "../schemas";
import { oidcSettingsBody, toProviderInput, toWireOidc, wireOidc } from "../sso-mapper";
import { toWire as tenantToWire, wireTenant } from "./tenants";

const wireSettings = z
	.object({ tenant: wireTenant, ssoId: z.string(), oidc: wireOidc.optional() })
	.openapi("SSOSettings");

/** A configuration as loadSettings answers it; the tenant object shows it as its auth type and domains. */
function toWire(
	c: Context,
	projectId: string,
	tenant: Tenant,
	p: IdentityProvider | null,
	ssoId: string,
): z.infer<typeof wireSettings> {
	const origin = publicOrigin(c);
	const wireTenantObject = tenantToWire(tenant);
	if (!p) return { tenant: wireTenantObject, ssoId };
	return {
		tenant: { ...wireTenantObject, authType: "oidc", domains: p.domains },
		ssoId: p.key,
		oidc: toWireOidc(p, origin, projectId),
	};
}

const SAML_MESSAGE =
	"SAML is not supported: configure OIDC with management.sso.configureOIDCSettings (docs/federation.md)";
const samlRefused = () => new DomainError("invalid_argument", SAML_MESSAGE, "settings");

const tags = ["SSO configuration"];
const tenantQuery = z.object({ tenantId: z.string(), ssoId: optString });
const refusedResponses = ok(empty, "Never: SAML is not supported (400)");
const anyBody = jsonBody(z.record(z.string(), z.unknown()));

const load = createRoute({
	method: "get",
	path: "/v2/mgmt/sso/settings",
	tags,
	summary: "Load a tenant's SSO configuration (the default one without ssoId); never its client secret",
	request: { query: tenantQuery },
	responses: ok(wireSettings),
});
const loadAll = createRoute({
	method: "get",
	path: "/v2/mgmt/sso/settings/all",
	tags,
	summary: "Load every SSO configuration of a tenant",
	request: { query: z.object({ tenantId: z.string() }) },
	responses: ok(z.object({ SSOSettings: z.array(wireSettings) })),
});
const create = createRoute({
	method: "post",
	path: "/v1/mgmt/sso/settings/new",
	tags,
	summary: "Create an empty SSO configuration for a tenant",
	request: { body: jsonBody(z.object({ tenantId: z.string(), ssoId: optString, displayName: optString })) },
	responses: ok(wireSettings),
});
const remove = createRoute({
	method: "delete",
	path: "/v1/mgmt/sso/settings",
	tags,
	summary: "Delete a tenant's SSO configuration; its users' provider links go with it",
	request: { query: tenantQuery },
	responses: ok(empty),
});
const configureOidc = createRoute({
	method: "post",
	path: "/v1/mgmt/sso/oidc",
	tags,
	summary:
		"Create or replace a tenant's OIDC configuration (settings not given go back to their defaults; the client secret is kept when not given)",
	request: {
		body: jsonBody(
			z.object({ tenantId: z.string(), settings: oidcSettingsBody, domains: optStrings, ssoId: optString }),
		),
	},
	responses: ok(empty),
});
const redirect = createRoute({
	method: "post",
	path: "/v1/mgmt/sso/redirect",
	tags,
	summary: 'Set the configuration\'s default landing URL (oauthRedirectUrl; "" clears it)',
	request: {
		body: jsonBody(
			z.object({
				tenantId: z.string(),
				samlRedirectUrl: optString,
				oauthRedirectUrl: optString,
				ssoId: optString,
			}),
		),
	},
	responses: ok(empty),
});
const recalculate = createRoute({
	method: "post",
	path: "/v1/mgmt/sso/recalculate-mappings",
	tags,
	summary:
		"A no-op that checks the configuration exists: role mappings apply when a user is created (docs/federation.md)",
	request: { body: jsonBody(z.object({ tenantId: z.string(), ssoId: optString })) },
	responses: ok(empty),
});
const refused = [
	["post", "/v1/mgmt/sso/saml", "configureSAMLSettings: refused, SAML is not supported"],
	["post", "/v1/mgmt/sso/saml/metadata", "configureSAMLByMetadata: refused, SAML is not supported"],
	["get", "/v1/mgmt/sso/settings", "Deprecated getSettings (SAML): refused, SAML is not supported"],
	["post", "/v1/mgmt/sso/settings", "Deprecated configureSettings (SAML): refused, SAML is not supported"],
	["post", "/v1/mgmt/sso/metadata", "Deprecated configureMetadata (SAML): refused, SAML is not supported"],
	[
		"post",
		"/v1/mgmt/sso/mapping",
		"Deprecated configureMapping (SAML mappings): refused; use roleMappings and userAttrMapping of configureOIDCSettings",
	],
] as const;

export function registerSsoSettingsRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(load, async (c) => {
		const q = c.req.valid("query");
		const { tenant, providers } = await registry.tenantProviders(
			c.var.deps,
			c.var.projectId,
			q.tenantId,
			q.ssoId ?? undefined,
		);
		return c.json(toWire(c, c.var.projectId, tenant, providers[0] ?? null, q.ssoId ?? ""), 200);
	});
	app.openapi(loadAll, async (c) => {
		const { tenantId } = c.req.valid("query");
		const { tenant, providers } = await registry.tenantProviders(c.var.deps, c.var.projectId, tenantId);
		return c.json({ SSOSettings: providers.map((p) => toWire(c, c.var.projectId, tenant, p, p.key)) }, 200);
	});
	app.openapi(create, async (c) => {
		const b = c.req.valid("json");
		const ssoId = b.ssoId ?? "";
		await registry.saveProvider(
			c.var.deps,
			c.var.projectId,
			{ tenantId: b.tenantId, ssoId },
			{ name: b.displayName || ssoId || "SSO" },
			{ mode: "replace", requireUsable: false, mustNotExist: true },
		);
		const { tenant, providers } = await registry.tenantProviders(
			c.var.deps,
			c.var.projectId,
			b.tenantId,
			ssoId,
		);
		return c.json(toWire(c, c.var.projectId, tenant, providers[0] ?? null, ssoId), 200);
	});
	app.openapi(remove, async (c) => {
		const q = c.req.valid("query");
		await registry.deleteTenantProvider(c.var.deps, c.var.projectId, q.tenantId, q.ssoId ?? "");
		return c.json({}, 200);
	});
	app.openapi(configureOidc, async (c) => {
		const b = c.req.valid("json");
		await registry.saveProvider(
			c.var.deps,
			c.var.projectId,
			{ tenantId: b.tenantId, ssoId: b.ssoId ?? "" },
			toProviderInput(b.settings, b.domains),
			{ mode: "replace", requireUsable: true },
		);
		return c.json({}, 200);
	});
	app.openapi(redirect, async (c) => {
		const b = c.req.valid("json");
		if (b.samlRedirectUrl) throw samlRefused();
		await registry.setRedirectUrl(
			c.var.deps,
			c.var.projectId,
			b.tenantId,
			b.ssoId ?? "",
			b.oauthRedirectUrl ?? undefined,
		);
		return c.json({}, 200);
	});
	app.openapi(recalculate, async (c) => {
		const b = c.req.valid("json");
		await registry.recalculateMappings(c.var.deps, c.var.projectId, b.tenantId, b.ssoId ?? undefined);
		return c.json({}, 200);
	});
	for (const [method, path, summary] of refused) {
		const route = createRoute({
			method,
			path,
			tags,
			summary,
			...(method === "post" ? { request: { body: anyBody } } : {}),
			responses: refusedResponses,
		});
		app.openapi(route, () => {
			throw samlRefused();
		});
	}
}
