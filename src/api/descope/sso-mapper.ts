// Descope SSO / OAuth provider wire ↔ the identity-provider registry (docs/descope-compat.md, "SSO"):
// OIDC settings as `management.sso.configureOIDCSettings` sends them (`userAttrMapping`, `JWKsUrl`,
// node `roleMappings` or go `groupsMapping`), and as loadSettings answers them (no clientSecret).
import { z } from "@hono/zod-openapi";
import { federationCallbackUrl } from "../../domain/federation/callback";
import type { IdentityProvider, OidcSettings, ProviderInput } from "../../domain/federation/providers.types";
import { optBool, optString, optStrings } from "./schemas";

const mappingShape = z
	.object({
		loginId: optString,
		name: optString,
		email: optString,
		username: optString,
		phoneNumber: optString,
		givenName: optString,
		middleName: optString,
		familyName: optString,
		picture: optString,
		group: optString,
		verifiedEmail: optString,
		verifiedPhone: optString,
		customAttributes: z.record(z.string(), z.string()).nullish(),
	})
	.openapi("OIDCAttributeMapping");

const roleMapping = z.object({ roleName: z.string(), groups: z.array(z.string()) });
const goGroupsMapping = z.object({
	role: z.object({ id: optString, name: z.string() }),
	groups: z.array(z.string()),
});

/** The OIDC fields every provider form takes; Roster's own (prefix, trustEmail, enabled) beside them. */
export const oidcFields = {
	name: optString,
	clientId: optString,
	clientSecret: optString.openapi({ description: "Write-only; absent or empty keeps the stored secret" }),
	redirectUrl: optString.openapi({
		description:
			"The application's default landing URL after sign-in; must be on the project's allowedRedirectUrls",
	}),
	issuer: optString,
	discoveryUrl: optString.openapi({ description: "`<issuer>/.well-known/openid-configuration` (Roster)" }),
	authUrl: optString,
	tokenUrl: optString,
	userDataUrl: optString,
	JWKsUrl: optString,
	scope: optStrings,
	userAttrMapping: mappingShape.nullish(),
	attributeMapping: mappingShape.nullish().openapi({ description: "Alias of userAttrMapping" }),
	roleMappings: z.array(roleMapping).nullish(),
	groupsMapping: z
		.array(goGroupsMapping)
		.nullish()
		.openapi({ description: "The go SDK's form of roleMappings" }),
	manageProviderTokens: optBool,
	callbackDomain: optString,
	prompt: optStrings,
	grantType: optString,
	providerID: optString,
	scimProviderID: optString,
	lastSuccessTestTime: z.number().nullish().openapi({ description: "Read-only; ignored" }),
	prefix: optString.openapi({
		description: "Login-id prefix of users created through this provider (Roster)",
	}),
	trustEmail: optBool.openapi({
		description: "Link to an existing user by verified email (Roster; off by default, docs/federation.md)",
	}),
	enabled: optBool.openapi({ description: "Roster; default true" }),
};
export const oidcSettingsBody = z.object(oidcFields).openapi("SSOOIDCSettings");
type OidcBody = z.infer<typeof oidcSettingsBody>;

const clean = <T extends Record<string, unknown>>(o: T) =>
	Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as {
		[K in keyof T]?: NonNullable<T[K]>;
	};

/** The wire settings as registry input (null = absent). */
export function toProviderInput(b: OidcBody, domains?: string[] | null): ProviderInput {
	const mapping = b.userAttrMapping ?? b.attributeMapping;
	const roleMappings =
		b.roleMappings || b.groupsMapping
			? [
					...(b.roleMappings ?? []),
					...(b.groupsMapping ?? []).map((m) => ({ roleName: m.role.name, groups: m.groups })),
				]
			: undefined;
	const settings: Partial<OidcSettings> = clean({
		clientId: b.clientId,
		issuer: b.issuer,
		discoveryUrl: b.discoveryUrl,
		authUrl: b.authUrl,
		tokenUrl: b.tokenUrl,
		userDataUrl: b.userDataUrl,
		JWKsUrl: b.JWKsUrl,
		scope: b.scope,
		redirectUrl: b.redirectUrl,
		prompt: b.prompt,
		grantType: b.grantType,
		callbackDomain: b.callbackDomain,
		providerID: b.providerID,
		scimProviderID: b.scimProviderID,
		manageProviderTokens: b.manageProviderTokens,
		userAttrMapping: mapping ? (clean(mapping) as OidcSettings["userAttrMapping"]) : undefined,
		roleMappings,
	});
	return clean({
		name: b.name,
		prefix: b.prefix,
		enabled: b.enabled,
		trustEmail: b.trustEmail,
		clientSecret: b.clientSecret,
		domains: domains ?? undefined,
		settings,
	});
}

export const wireOidc = z
	.object({
		name: z.string(),
		clientId: z.string(),
		redirectUrl: z.string(),
		authUrl: z.string(),
		tokenUrl: z.string(),
		userDataUrl: z.string(),
		scope: z.array(z.string()),
		JWKsUrl: z.string(),
		userAttrMapping: z.record(z.string(), z.unknown()),
		manageProviderTokens: z.boolean(),
		callbackDomain: z.string(),
		prompt: z.array(z.string()),
		grantType: z.string(),
		issuer: z.string(),
		roleMappings: z.array(roleMapping),
		providerID: z.string(),
		scimProviderID: z.string(),
		lastSuccessTestTime: z.number().int(),
		discoveryUrl: z.string(),
		callbackUrl: z.string().openapi({ description: "Register this as the redirect URI at the provider" }),
		prefix: z.string(),
		trustEmail: z.boolean(),
		enabled: z.boolean(),
	})
	.openapi("SSOOIDCSettingsResponse");

/** OIDC settings as loadSettings answers them: never the client secret. */
export function toWireOidc(p: IdentityProvider, origin: string, projectId: string): z.infer<typeof wireOidc> {
	const s = p.settings;
	return {
		name: p.name,
		clientId: s.clientId,
		redirectUrl: s.redirectUrl,
		authUrl: s.authUrl,
		tokenUrl: s.tokenUrl,
		userDataUrl: s.userDataUrl,
		scope: s.scope,
		JWKsUrl: s.JWKsUrl,
		userAttrMapping: { ...s.userAttrMapping },
		manageProviderTokens: s.manageProviderTokens,
		callbackDomain: s.callbackDomain,
		prompt: s.prompt,
		grantType: s.grantType,
		issuer: s.issuer,
		roleMappings: s.roleMappings,
		providerID: s.providerID,
		scimProviderID: s.scimProviderID,
		lastSuccessTestTime: 0,
		discoveryUrl: s.discoveryUrl,
		callbackUrl: federationCallbackUrl(origin, projectId),
		prefix: p.prefix,
		trustEmail: p.trustEmail,
		enabled: p.enabled,
	};
}
