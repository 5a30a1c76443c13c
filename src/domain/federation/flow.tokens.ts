// The provider tokens Roster keeps for a user (`management.user.getProviderToken`; docs/federation.md,
// "Provider tokens"): opened for the caller, refreshed at the provider's token endpoint when asked or
// expired and a refresh token is held.
import { sql } from "drizzle-orm";
import * as oauth from "oauth4webapi";
import { batch } from "../../db/sql";
import { commit } from "../commit";
import type { Deps } from "../deps";
import { DomainError, userNotFound } from "../errors";
import { tenantView } from "../scope";
import * as repo from "../users/users.repo";
import { ProviderError, type ProviderHttp, providerFailure, requestOptions, runtimeHttp } from "./flow.http";
import { authorizationServer, loadFlowProvider } from "./flow.provider";
import { decryptIdpSecret, encryptIdpSecret } from "./secrets";

export interface ProviderTokenQuery {
	loginId: string;
	/** The provider's name (`oauth.start` name), its id, or a tenant SSO configuration's name. */
	provider: string;
	withRefreshToken: boolean;
	forceRefresh: boolean;
}

export interface ProviderToken {
	provider: string;
	providerUserId: string;
	accessToken: string;
	/** Unix seconds; 0 when the provider did not say. */
	expiration: number;
	scopes: string[];
	refreshToken?: string;
}

const linkQuery = (projectId: string, ref: string, provider: string) =>
	sql`SELECT l.provider_id AS providerId, l.subject, l.access_token_ciphertext AS access, l.refresh_token_ciphertext AS refresh,
			l.token_expires_at AS expiresAt, l.scopes, p.key, p.name, p.tenant_id AS tenantId
		FROM user_provider_links l JOIN identity_providers p ON p.project_id = l.project_id AND p.id = l.provider_id
		WHERE l.project_id = ${projectId} AND l.user_id = ${repo.resolveRef(projectId, ref)}
			AND (p.id = ${provider} OR (p.tenant_id = '' AND p.key = ${provider}) OR p.name = ${provider})
		ORDER BY p.tenant_id = '' DESC, l.last_sign_in_at DESC LIMIT 1`;

const noTokens = (provider: string) =>
	new DomainError("not_found", `The user holds no tokens of provider "${provider}"`, "provider");

export async function getProviderToken(
	deps: Deps,
	projectId: string,
	query: ProviderTokenQuery,
	http: ProviderHttp = runtimeHttp,
): Promise<ProviderToken> {
	const { deps: d, tenantIds } = tenantView(deps);
	const [userRows, linkRows] = await batch(d.d1, [
		repo.userByRefQuery(projectId, query.loginId, tenantIds),
		linkQuery(projectId, query.loginId, query.provider),
	]);
	const user = repo.toUsers(userRows)[0];
	if (!user) throw userNotFound();
	const link = linkRows?.[0];
	if (!link || typeof link.access !== "string") throw noTokens(query.provider);
	let accessToken = await decryptIdpSecret(d.env, link.access);
	let refreshToken =
		typeof link.refresh === "string" ? await decryptIdpSecret(d.env, link.refresh) : undefined;
	let expiresAt = typeof link.expiresAt === "number" ? link.expiresAt : null;
	let scopes = JSON.parse(String(link.scopes ?? "[]")) as string[];
	const now = d.now();
	if (refreshToken && (query.forceRefresh || (expiresAt !== null && expiresAt <= now))) {
		const provider = await loadFlowProvider(d, projectId, { kind: "id", id: String(link.providerId) });
		if (!provider) throw noTokens(query.provider);
		const as = await authorizationServer(d, provider, http);
		const client: oauth.Client = { client_id: provider.clientId };
		const auth = provider.clientSecret ? oauth.ClientSecretBasic(provider.clientSecret) : oauth.None();
		let result: oauth.TokenEndpointResponse;
		try {
			const response = await oauth.refreshTokenGrantRequest(
				as,
				client,
				auth,
				refreshToken,
				requestOptions(d, http),
			);
			result = await oauth.processRefreshTokenResponse(as, client, response);
		} catch (error) {
			const failure = providerFailure(error, "refresh");
			throw new ProviderError(failure.reason, failure.message);
		}
		accessToken = result.access_token;
		refreshToken = result.refresh_token ?? refreshToken;
		expiresAt = typeof result.expires_in === "number" ? now + result.expires_in * 1000 : null;
		if (typeof result.scope === "string") scopes = result.scope.split(" ").filter(Boolean);
		// A read-only key may read tokens (refreshing them on the way) but stores nothing.
		if (!deps.scope?.readOnly) {
			await commit(d, projectId, {
				statements: [
					sql`UPDATE user_provider_links SET access_token_ciphertext = ${await encryptIdpSecret(d.env, accessToken)},
						refresh_token_ciphertext = ${await encryptIdpSecret(d.env, refreshToken)}, token_expires_at = ${expiresAt},
						scopes = ${JSON.stringify(scopes)}
					WHERE project_id = ${projectId} AND provider_id = ${provider.id} AND subject = ${String(link.subject)}`,
				],
				entries: [
					{
						action: "user.provider_token.refreshed",
						target: { type: "user", id: user.id },
						loginId: user.loginIds[0] ?? null,
						tenantId: provider.tenantId || null,
						data: { providerId: provider.id, provider: provider.name, forced: query.forceRefresh },
					},
				],
			});
		}
	}
	return {
		provider: String(link.tenantId ? link.name : link.key),
		providerUserId: String(link.subject),
		accessToken,
		expiration: expiresAt ? Math.floor(expiresAt / 1000) : 0,
		scopes,
		...(query.withRefreshToken && refreshToken ? { refreshToken } : {}),
	};
}
