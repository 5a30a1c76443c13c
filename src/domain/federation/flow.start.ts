// Starting a federated sign-in (`sso.start`, `oauth.start`; docs/federation.md, "The flow"): picks the
// provider, checks where the browser will return, stores the state grant (PKCE verifier, nonce) and
// answers the provider's authorization URL.

import * as oauth from "oauth4webapi";
import { all } from "../../db/sql";
import { commit } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import type { Project } from "../projects/projects.service";
import { asUser, projectQuery, toProject } from "../sessions/context";
import { checkClaimsSize } from "../sessions/tokens";
import { federationCallbackUrl } from "./callback";
import {
	grantStatement,
	newGrantValue,
	STATE_TTL_MS,
	type StateGrant,
	sweepExpiredStatement,
} from "./flow.grants";
import { type ProviderHttp, runtimeHttp } from "./flow.http";
import {
	authorizationServer,
	type FlowProvider,
	loadFlowProvider,
	type ProviderSelector,
} from "./flow.provider";
import { isAllowedRedirect } from "./providers.urls";

export interface StartInput {
	flow: "sso" | "oauth";
	/** sso: a tenant id, or an end user's email whose domain routes to a tenant's SSO. */
	tenant?: string;
	ssoId?: string;
	/** oauth: the provider's name. */
	provider?: string;
	redirectUrl?: string;
	loginHint?: string;
	forceAuthn?: boolean;
	loginOptions: Record<string, unknown>;
	/** The public origin the provider returns the browser to (the callback's). */
	origin: string;
}

function selectorOf(input: StartInput): { selector: ProviderSelector; field: string } {
	if (input.flow === "oauth") {
		if (!input.provider) throw new DomainError("missing_argument", "provider is required", "provider");
		return { selector: { kind: "oauth", name: input.provider }, field: "provider" };
	}
	const tenant = input.tenant?.trim() ?? "";
	if (!tenant) throw new DomainError("missing_argument", "tenant is required", "tenant");
	const at = tenant.lastIndexOf("@");
	if (at > 0) {
		return {
			selector: { kind: "sso-domain", domain: tenant.slice(at + 1).toLowerCase(), ssoId: input.ssoId },
			field: "tenant",
		};
	}
	return { selector: { kind: "sso", tenantId: tenant, ssoId: input.ssoId }, field: "tenant" };
}

/**
 * Where the browser may be sent after sign-in: a URL on the project's allowlist
 * (`allowedRedirectUrls`), or the provider's configured redirect URL; never anything else.
 */
export function checkRedirectUrl(
	project: Project,
	provider: FlowProvider,
	given: string | undefined,
): string {
	const value = given || provider.redirectUrl;
	if (!value) {
		throw invalid("redirectURL", "is required: the provider has no configured redirect URL");
	}
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw invalid("redirectURL", "must be an absolute URL");
	}
	if ((url.protocol !== "https:" && url.protocol !== "http:") || url.hash || url.username || url.password) {
		throw invalid("redirectURL", "must be an http(s) URL without credentials or fragment");
	}
	// Origin and path are compared; the application may add its own query.
	if (!isAllowedRedirect([...project.allowedRedirectUrls, provider.redirectUrl].filter(Boolean), value)) {
		throw invalid("redirectURL", "is not one of the project's allowed redirect URLs");
	}
	return url.toString();
}

/** Refuses a provider that cannot sign anyone in (unknown, disabled, SAML). */
export function usableProvider(provider: FlowProvider | null, field: string): FlowProvider {
	if (!provider) throw invalid(field, "no identity provider is configured for it");
	if (!provider.enabled) throw invalid(field, "the identity provider is disabled");
	if (provider.protocol !== "oidc") throw invalid(field, "SAML is not supported; configure OIDC");
	if (!provider.clientId) throw invalid(field, "the identity provider has no client id");
	return provider;
}

export async function startFederation(
	deps: Deps,
	projectId: string,
	input: StartInput,
	http: ProviderHttp = runtimeHttp,
): Promise<{ url: string }> {
	const { selector, field } = selectorOf(input);
	const customClaims = input.loginOptions.customClaims;
	checkClaimsSize(
		customClaims && typeof customClaims === "object" ? (customClaims as Record<string, unknown>) : undefined,
		"customClaims",
	);
	// Two reads side by side: the project (its redirect allowlist) and the registry's provider.
	const [projectRows, found] = await Promise.all([
		all<Record<string, unknown>>(deps.d1, projectQuery(projectId)),
		loadFlowProvider(deps, projectId, selector),
	]);
	const project = toProject(projectRows);
	if (!project) throw new DomainError("unauthorized", "Unknown project");
	const provider = usableProvider(found, field);
	const redirectUrl = checkRedirectUrl(project, provider, input.redirectUrl);
	if (!input.origin) {
		throw new DomainError("not_configured", "PUBLIC_ORIGIN must be set for federated sign-in");
	}
	const as = await authorizationServer(deps, provider, http);
	const callbackUrl = federationCallbackUrl(input.origin, projectId);
	const verifier = oauth.generateRandomCodeVerifier();
	const nonce = oauth.generateRandomNonce();
	const state = await newGrantValue("state");
	const grant: StateGrant = {
		flow: input.flow,
		providerId: provider.id,
		tenantId: provider.tenantId,
		redirectUrl,
		callbackUrl,
		verifier,
		nonce,
		loginOptions: input.loginOptions,
	};
	const url = new URL(as.authorization_endpoint as string);
	const scope = new Set(provider.scope.length ? provider.scope : ["openid", "email", "profile"]);
	scope.add("openid");
	const params: Record<string, string> = {
		response_type: "code",
		client_id: provider.clientId,
		redirect_uri: callbackUrl,
		scope: [...scope].join(" "),
		state: state.value,
		nonce,
		code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
		code_challenge_method: "S256",
	};
	if (input.loginHint) params.login_hint = input.loginHint;
	const prompt = input.forceAuthn ? ["login"] : provider.prompt;
	if (prompt.length) params.prompt = prompt.join(" ");
	for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
	const now = deps.now();
	await commit(asUser(deps, null), projectId, {
		statements: [
			sweepExpiredStatement(projectId, now),
			grantStatement(state.hash, projectId, "state", grant, now + STATE_TTL_MS),
		],
		entries: [
			{
				action: "auth.federation_started",
				target: { type: "user", id: null },
				tenantId: provider.tenantId || null,
				data: { method: input.flow, providerId: provider.id, provider: provider.name, redirectUrl },
			},
		],
	});
	return { url: url.toString() };
}
