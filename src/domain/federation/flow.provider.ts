// The identity provider as the sign-in flow sees it (docs/federation.md): the registry's read
// (`loadProviderForSignIn`), and the provider's OAuth 2.0 / OIDC metadata.
import * as oauth from "oauth4webapi";
import type { Deps } from "../deps";
import {
	checkProviderUrl,
	ProviderError,
	type ProviderHttp,
	providerFailure,
	requestOptions,
} from "./flow.http";
import { loadProviderForSignIn } from "./providers.signin";
import type { ProviderForSignIn } from "./providers.types";

export type FlowProvider = ProviderForSignIn;

/** Which provider a start names. */
export type ProviderSelector =
	| { kind: "oauth"; name: string }
	| { kind: "sso"; tenantId: string; ssoId?: string }
	| { kind: "sso-domain"; domain: string; ssoId?: string }
	| { kind: "id"; id: string };

/** The provider a selector names (disabled ones too: the flow refuses them), or null. */
export function loadFlowProvider(
	deps: Pick<Deps, "d1" | "env">,
	projectId: string,
	selector: ProviderSelector,
): Promise<FlowProvider | null> {
	switch (selector.kind) {
		case "oauth":
			return loadProviderForSignIn(deps, projectId, { tenantId: "", key: selector.name });
		case "sso":
			return loadProviderForSignIn(deps, projectId, { tenantId: selector.tenantId, key: selector.ssoId });
		case "sso-domain":
			return loadProviderForSignIn(deps, projectId, { domain: selector.domain, key: selector.ssoId });
		case "id":
			return loadProviderForSignIn(deps, projectId, { id: selector.id });
	}
}

/**
 * The provider's authorization-server metadata: its configured endpoints, with OpenID discovery
 * (RFC 8414 / OIDC Discovery 1.0 at `<issuer>/.well-known/openid-configuration`) filling what is missing.
 */
export async function authorizationServer(
	deps: Pick<Deps, "env">,
	provider: FlowProvider,
	http: ProviderHttp,
): Promise<oauth.AuthorizationServer> {
	if (!provider.issuer) throw new ProviderError("provider-misconfigured", "The provider has no issuer");
	const issuer = checkProviderUrl(deps, provider.issuer, "issuer");
	const configured = {
		authorization_endpoint: provider.authUrl || undefined,
		token_endpoint: provider.tokenUrl || undefined,
		userinfo_endpoint: provider.userDataUrl || undefined,
		jwks_uri: provider.jwksUrl || undefined,
	};
	let as: oauth.AuthorizationServer = { issuer: provider.issuer, ...configured };
	if (!configured.authorization_endpoint || !configured.token_endpoint || !configured.jwks_uri) {
		try {
			// A configured discovery URL is read as given; otherwise the issuer's well-known document.
			const response = provider.discoveryUrl
				? await http.fetch(checkProviderUrl(deps, provider.discoveryUrl, "discovery URL").toString(), {
						method: "GET",
						headers: { accept: "application/json" },
						redirect: "manual",
						signal: AbortSignal.timeout(10_000),
					})
				: await oauth.discoveryRequest(issuer, requestOptions(deps, http));
			const discovered = await oauth.processDiscoveryResponse(issuer, response);
			as = { ...discovered, ...Object.fromEntries(Object.entries(configured).filter(([, v]) => v)) };
		} catch (error) {
			throw providerFailure(error, "discovery");
		}
	}
	for (const [name, value] of [
		["authorization endpoint", as.authorization_endpoint],
		["token endpoint", as.token_endpoint],
		["JWKS URL", as.jwks_uri],
	] as const) {
		if (!value) throw new ProviderError("provider-misconfigured", `The provider has no ${name}`);
		checkProviderUrl(deps, value, name);
	}
	if (as.userinfo_endpoint) checkProviderUrl(deps, as.userinfo_endpoint, "userinfo URL");
	return as;
}
