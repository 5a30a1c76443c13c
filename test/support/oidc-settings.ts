// The tenant OIDC settings the management.sso tests configure (test/node/descope-sso-settings.test.ts
// through @descope/node-sdk, test/worker/sso-settings.test.ts over HTTP) and what loading them
// answers. A plain module like oidc-provider.ts, so the Node and the workerd suites both import it.
export const APP = "https://app.example.com/signed-in";
export const ISSUER = "https://idp.example.com";

/** The settings but for `prompt` and the attribute mapping, which each suite sets in its own spelling. */
export const OIDC_SETTINGS = {
	name: "Okta",
	clientId: "cid",
	clientSecret: "csec-plaintext",
	redirectUrl: APP,
	issuer: ISSUER,
	authUrl: `${ISSUER}/authorize`,
	tokenUrl: `${ISSUER}/token`,
	userDataUrl: `${ISSUER}/userinfo`,
	JWKsUrl: `${ISSUER}/jwks`,
	scope: ["openid", "email"],
	manageProviderTokens: true,
	grantType: "authorization_code" as const,
	roleMappings: [{ roleName: "admin", groups: ["g1"] }],
};

/**
 * What a load answers for OIDC_SETTINGS plus the suite's own fields (`extra`): no client secret, the
 * defaults of every field that was not set, and the project's callback URL.
 */
export function loadedOidc<T extends object>(extra: T, callbackUrl: string) {
	const { clientSecret: _secret, ...sent } = OIDC_SETTINGS;
	return {
		...sent,
		...extra,
		callbackDomain: "",
		providerID: "",
		scimProviderID: "",
		lastSuccessTestTime: 0,
		discoveryUrl: "",
		callbackUrl,
		prefix: "",
		trustEmail: false,
		enabled: true,
	};
}
