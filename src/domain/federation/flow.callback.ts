// The provider's return to Roster (docs/federation.md, "The flow"): consume the state, redeem the code
// at the token endpoint (PKCE), verify the ID token (signature by the provider's JWKS, issuer,
// audience, expiry, nonce), resolve the user and send the browser back with a one-time Roster code.
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import * as oauth from "oauth4webapi";
import { commit, type Entry } from "../commit";
import type { Deps } from "../deps";
import { signInFailed } from "../sessions/auth.service";
import { asUser, historyStatement, type RequestInfo } from "../sessions/context";
import { identityOf } from "./flow.claims";
import {
	CODE_TTL_MS,
	type CodeGrant,
	consumeGrant,
	grantStatement,
	newGrantValue,
	type StateGrant,
} from "./flow.grants";
import { ProviderError, type ProviderHttp, providerFailure, requestOptions, runtimeHttp } from "./flow.http";
import { authorizationServer, type FlowProvider, loadFlowProvider } from "./flow.provider";
import { type ProviderTokens, resolveUser } from "./flow.users";
import { encryptIdpSecret } from "./secrets";

/**
 * A refused callback. With `redirectUrl` (the state was ours, so the URL was checked at start) the
 * browser goes back to the application with `error` / `error_description`; without, it gets a 400.
 */
export class CallbackError extends Error {
	constructor(
		readonly redirectUrl: string | null,
		readonly error: string,
		readonly description: string,
	) {
		super(description);
		this.name = "CallbackError";
	}
}

/** Signatures an ID token may carry; never `none`, never a MAC under a shared secret. */
const ID_TOKEN_ALGS = [
	"RS256",
	"RS384",
	"RS512",
	"PS256",
	"PS384",
	"PS512",
	"ES256",
	"ES384",
	"ES512",
	"EdDSA",
];

/** Adds query parameters to the application's URL, keeping its own. */
export function withParams(base: string, params: Record<string, string>): string {
	const url = new URL(base);
	for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
	return url.toString();
}

async function loadProvider(deps: Deps, projectId: string, id: string): Promise<FlowProvider> {
	const provider = await loadFlowProvider(deps, projectId, { kind: "id", id });
	if (!provider) throw new ProviderError("provider-deleted", "The identity provider no longer exists");
	if (!provider.enabled) throw new ProviderError("provider-disabled", "The identity provider is disabled");
	return provider;
}

/** The signature check oauth4webapi leaves to the caller: the provider's JWKS, fetched through our port. */
async function verifyIdToken(
	deps: Deps,
	as: oauth.AuthorizationServer,
	provider: FlowProvider,
	idToken: string,
	http: ProviderHttp,
) {
	let jwks: JSONWebKeySet;
	try {
		const response = await http.fetch(as.jwks_uri as string, {
			method: "GET",
			headers: { accept: "application/json" },
			redirect: "manual",
			signal: AbortSignal.timeout(10_000),
		});
		if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
		jwks = (await response.json()) as JSONWebKeySet;
	} catch {
		throw new ProviderError("provider-unreachable", "The provider's signing keys could not be read");
	}
	try {
		await jwtVerify(idToken, createLocalJWKSet(jwks), {
			issuer: as.issuer,
			audience: provider.clientId,
			algorithms: ID_TOKEN_ALGS,
			clockTolerance: 30,
			currentDate: new Date(deps.now()),
		});
	} catch (error) {
		throw new ProviderError("id-token-invalid", `The ID token is not valid: ${(error as Error).message}`);
	}
}

/** The code redeemed and the ID token verified: its claims and the provider's tokens. */
async function redeem(
	deps: Deps,
	provider: FlowProvider,
	grant: StateGrant,
	state: string,
	params: URLSearchParams,
	http: ProviderHttp,
) {
	const as = await authorizationServer(deps, provider, http);
	const client: oauth.Client = { client_id: provider.clientId };
	const auth = provider.clientSecret ? oauth.ClientSecretBasic(provider.clientSecret) : oauth.None();
	const options = requestOptions(deps, http);
	let checked: URLSearchParams;
	try {
		checked = oauth.validateAuthResponse(as, client, params, state);
	} catch (error) {
		if (error instanceof oauth.AuthorizationResponseError) {
			throw new ProviderError(
				`provider-error:${error.error}`.slice(0, 80),
				error.error_description ?? error.error,
			);
		}
		throw providerFailure(error, "authorization response");
	}
	let result: oauth.TokenEndpointResponse;
	try {
		const response = await oauth.authorizationCodeGrantRequest(
			as,
			client,
			auth,
			checked,
			grant.callbackUrl,
			grant.verifier,
			options,
		);
		result = await oauth.processAuthorizationCodeResponse(as, client, response, {
			expectedNonce: grant.nonce,
			requireIdToken: true,
		});
	} catch (error) {
		throw providerFailure(error, "token exchange");
	}
	await verifyIdToken(deps, as, provider, result.id_token as string, http);
	let claims: Record<string, unknown> = { ...(oauth.getValidatedIdTokenClaims(result) ?? {}) };
	if (provider.userDataUrl && as.userinfo_endpoint) {
		try {
			const response = await oauth.userInfoRequest(as, client, result.access_token, options);
			const info = await oauth.processUserInfoResponse(as, client, String(claims.sub), response);
			// The ID token's own claims win: userinfo only adds.
			claims = { ...info, ...claims };
		} catch (error) {
			throw providerFailure(error, "userinfo");
		}
	}
	return { claims, result };
}

async function sealTokens(deps: Deps, provider: FlowProvider, result: oauth.TokenEndpointResponse) {
	if (!provider.manageProviderTokens) return null;
	const tokens: ProviderTokens = {
		accessTokenCiphertext: await encryptIdpSecret(deps.env, result.access_token),
		refreshTokenCiphertext: result.refresh_token
			? await encryptIdpSecret(deps.env, result.refresh_token)
			: null,
		expiresAt: typeof result.expires_in === "number" ? deps.now() + result.expires_in * 1000 : null,
		scopes: typeof result.scope === "string" ? result.scope.split(" ").filter(Boolean) : [],
	};
	return tokens;
}

/** Records a refused callback: the history row and `auth.sign_in_failed`, one batch. */
async function recordRefusal(
	deps: Deps,
	projectId: string,
	flow: string,
	reason: string,
	info: RequestInfo,
	tenantId: string | null = null,
	loginId = "",
) {
	const method = flow === "oauth" ? "oauth" : "sso";
	const entry: Entry = { ...signInFailed(null, loginId, method, reason), tenantId };
	await commit(asUser(deps, null), projectId, {
		statements: [
			historyStatement(projectId, { userId: null, loginId, method, outcome: reason, at: deps.now() }, info),
		],
		entries: [entry],
	});
}

/** Handles `GET /v1/auth/federation/{projectId}/callback`: where to send the browser. */
export async function federationCallback(
	deps: Deps,
	projectId: string,
	params: URLSearchParams,
	info: RequestInfo,
	http: ProviderHttp = runtimeHttp,
): Promise<{ location: string }> {
	const state = params.get("state") ?? "";
	if (!state) throw new CallbackError(null, "invalid_request", "The callback has no state");
	const { grant, projectExists } = await consumeGrant<StateGrant>(deps, projectId, "state", state);
	if (!grant) {
		if (projectExists) await recordRefusal(deps, projectId, "sso", "unknown-state", info);
		throw new CallbackError(null, "invalid_request", "The sign-in state is unknown, used or expired");
	}
	const fail = async (reason: string, description: string, loginId = "") => {
		await recordRefusal(deps, projectId, grant.flow, reason, info, grant.tenantId || null, loginId);
		const error = reason.startsWith("provider-error:")
			? reason.slice("provider-error:".length)
			: "access_denied";
		return new CallbackError(grant.redirectUrl, error, description);
	};
	let identityLoginId = "";
	try {
		const provider = await loadProvider(deps, projectId, grant.providerId);
		const { claims, result } = await redeem(deps, provider, grant, state, params, http);
		const identity = identityOf(provider, claims);
		identityLoginId = identity.loginId;
		const tokens = await sealTokens(deps, provider, result);
		const code = await newGrantValue("code");
		const now = deps.now();
		const customClaims = grant.loginOptions.customClaims;
		await resolveUser(
			deps,
			projectId,
			provider,
			identity,
			grant.flow,
			tokens,
			(user, created) => {
				const data: CodeGrant = {
					flow: grant.flow,
					providerId: provider.id,
					tenantId: provider.tenantId,
					userId: user.id,
					loginId: user.loginId,
					firstSeen: created,
					...(customClaims && typeof customClaims === "object"
						? { customClaims: customClaims as Record<string, unknown> }
						: {}),
				};
				return {
					statements: [grantStatement(code.hash, projectId, "code", data, now + CODE_TTL_MS)],
					entries: [
						{
							action: "auth.federation_completed",
							target: { type: "user", id: user.id },
							loginId: user.loginId,
							tenantId: provider.tenantId || null,
							data: { method: grant.flow, providerId: provider.id, provider: provider.name, created },
						},
					],
				};
			},
			async (user, statements, entries) => {
				await commit(asUser(deps, user.id), projectId, { statements, entries });
			},
		);
		return { location: withParams(grant.redirectUrl, { code: code.value }) };
	} catch (error) {
		if (error instanceof ProviderError) throw await fail(error.reason, error.message, identityLoginId);
		throw error;
	}
}
