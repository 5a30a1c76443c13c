// The identity-provider registry's types (docs/federation.md, "Identity providers"): what the
// registry stores, what a management call gives it, and what the sign-in flow reads.

/** Claim names (values) each user field (key) is read from: the SDK's `attributeMapping`, `userAttrMapping` on the wire. */
export interface AttributeMapping {
	loginId?: string;
	name?: string;
	email?: string;
	username?: string;
	phoneNumber?: string;
	givenName?: string;
	middleName?: string;
	familyName?: string;
	picture?: string;
	group?: string;
	verifiedEmail?: string;
	verifiedPhone?: string;
	customAttributes?: Record<string, string>;
}

/** Users in any of `groups` (the mapped `group` claim) get the role `roleName`. */
export interface RoleMapping {
	roleName: string;
	groups: string[];
}

/** The non-secret OIDC settings, as stored in identity_providers.settings (wire names where the SDK has one). */
export interface OidcSettings {
	clientId: string;
	issuer: string;
	/** `<issuer>/.well-known/openid-configuration`; the issuer is derived from it when only it is given. */
	discoveryUrl: string;
	authUrl: string;
	tokenUrl: string;
	userDataUrl: string;
	JWKsUrl: string;
	scope: string[];
	/** The application's default landing URL after sign-in; on the project's allowedRedirectUrls. */
	redirectUrl: string;
	prompt: string[];
	grantType: string;
	callbackDomain: string;
	providerID: string;
	scimProviderID: string;
	manageProviderTokens: boolean;
	userAttrMapping: AttributeMapping;
	roleMappings: RoleMapping[];
}

/** A provider as management calls see it: never its client secret, only whether one is set. */
export interface IdentityProvider {
	id: string;
	/** "" for a project-level OAuth provider; else the tenant whose SSO configuration this is. */
	tenantId: string;
	/** Project-level: the name `oauth.start` sends; tenant-level: the `ssoId` ("" = the default configuration). */
	key: string;
	name: string;
	prefix: string;
	enabled: boolean;
	protocol: "oidc" | "saml";
	trustEmail: boolean;
	/** Email domains: tenant SSO routes `sso.start(email)` by them; a project-level provider admits only them (none = any). */
	domains: string[];
	settings: OidcSettings;
	hasClientSecret: boolean;
	createdAt: number;
	modifiedAt: number;
}

/** What a configure call may give; absent fields keep their value (merge) or their default (replace). */
export interface ProviderInput {
	name?: string;
	prefix?: string;
	enabled?: boolean;
	trustEmail?: boolean;
	domains?: string[];
	/** Write-only: encrypted under IDP_ENCRYPTION_KEY; absent or "" keeps the stored secret. */
	clientSecret?: string;
	settings?: Partial<OidcSettings>;
}

/** Which provider a sign-in names. */
export type SignInSelector =
	/** tenantId "" + key: a project-level provider by name; tenantId + key (ssoId) or none: a tenant's configuration. */
	| { tenantId: string; key?: string }
	/** The tenant SSO configuration whose email domains hold `domain` (its default one first). */
	| { domain: string; key?: string }
	| { id: string };

/**
 * A provider as the sign-in flow needs it: endpoints, client (with its secret opened), mappings,
 * rules. Field names match the flow's own view (src/domain/federation/flow.provider.ts).
 */
export interface ProviderForSignIn {
	id: string;
	tenantId: string;
	key: string;
	name: string;
	prefix: string;
	enabled: boolean;
	protocol: "oidc" | "saml";
	trustEmail: boolean;
	domains: string[];
	clientId: string;
	clientSecret: string | null;
	/**
	 * A secret is stored but does not open under the current IDP_ENCRYPTION_KEY (it was rotated):
	 * `clientSecret` is then null, and the flow refuses the sign-in until an admin sets the secret again.
	 */
	clientSecretUnreadable: boolean;
	issuer: string;
	discoveryUrl: string;
	authUrl: string;
	tokenUrl: string;
	userDataUrl: string;
	jwksUrl: string;
	scope: string[];
	redirectUrl: string;
	prompt: string[];
	manageProviderTokens: boolean;
	mapping: AttributeMapping;
	roleMappings: RoleMapping[];
}
