// The registry's read for the sign-in flow (docs/federation.md, "The flow"): one provider, with its
// client secret opened. One D1 round trip; unscoped by key (the flow runs for end users).
import { sql } from "drizzle-orm";
import { all } from "../../db/sql";
import type { Deps } from "../deps";
import * as repo from "./providers.repo";
import type { ProviderForSignIn, SignInSelector } from "./providers.types";
import { decryptIdpSecret, IdpSecretUnreadable } from "./secrets";

/** A rotated key is the admin's to fix, not a server failure: the sign-in is refused, never a 500. */
const unreadableAsNull = (error: unknown) => {
	if (error instanceof IdpSecretUnreadable) return null;
	throw error;
};

function selectorQuery(projectId: string, selector: SignInSelector) {
	if ("id" in selector) return repo.byId(projectId, selector.id);
	if ("domain" in selector)
		return repo.byDomain(projectId, selector.domain.trim().toLowerCase(), selector.key);
	if (selector.key !== undefined) return repo.byKey(projectId, selector.tenantId, selector.key);
	// A tenant without an ssoId: its default configuration, else its oldest.
	return sql`${repo.ofTenant(projectId, selector.tenantId)} LIMIT 1`;
}

/** The provider a sign-in names, or null. Disabled providers are returned too: the flow refuses them. */
export async function loadProviderForSignIn(
	deps: Pick<Deps, "d1" | "env">,
	projectId: string,
	selector: SignInSelector,
): Promise<ProviderForSignIn | null> {
	const rows = await all<Record<string, unknown>>(deps.d1, selectorQuery(projectId, selector));
	if (!rows[0]) return null;
	const { provider: p, secret } = repo.toProvider(rows[0]);
	const s = p.settings;
	const clientSecret = secret ? await decryptIdpSecret(deps.env, secret).catch(unreadableAsNull) : null;
	return {
		id: p.id,
		tenantId: p.tenantId,
		key: p.key,
		name: p.name,
		prefix: p.prefix,
		enabled: p.enabled,
		protocol: p.protocol,
		trustEmail: p.trustEmail,
		domains: p.domains,
		clientId: s.clientId,
		clientSecret,
		clientSecretUnreadable: secret !== null && clientSecret === null,
		issuer: s.issuer,
		discoveryUrl: s.discoveryUrl,
		authUrl: s.authUrl,
		tokenUrl: s.tokenUrl,
		userDataUrl: s.userDataUrl,
		jwksUrl: s.JWKsUrl,
		scope: s.scope,
		redirectUrl: s.redirectUrl,
		prompt: s.prompt,
		manageProviderTokens: s.manageProviderTokens,
		mapping: s.userAttrMapping,
		roleMappings: s.roleMappings,
	};
}
