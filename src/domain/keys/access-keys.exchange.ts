import type { JWTPayload } from "jose";
import { batch } from "../../db/sql";
import { sha256Hex } from "../../lib/crypto";
import { isIpAllowed } from "../../lib/ip-allowlist";
import type { Deps } from "../deps";
import { DomainError } from "../errors";
import { checkJsonValue } from "../input-limits";
import { MAX_CUSTOM_CLAIMS_BYTES } from "../limits";
import { projectQuery, toProject } from "../sessions/context";
import { signingKey, signingKeysQuery, toSigningKeys } from "../sessions/signing-keys";
import { CLIENT_CLAIMS, checkClaimsSize, sign } from "../sessions/tokens";
import * as repo from "./access-keys.repo";

// `exchangeAccessKey` (docs/access-keys.md): an access key's cleartext for a session JWT signed by
// the project's active key. Every exchange reads the key from D1 (one round trip with everything
// the claims need), so a deactivated, deleted or rotated key is refused from the commit that
// changed it on. An issued JWT stays valid until its `exp`: there is nothing to revoke it by.

export interface ExchangeOptions {
	/** Claims the caller asks for: signed under `nsec`, never at the top level (docs/security.md). */
	customClaims?: Record<string, unknown>;
	/** One of the key's tenants: becomes `dct`. */
	selectedTenant?: string;
}

export interface Exchanged {
	keyId: string;
	sessionJwt: string;
	/** Unix seconds. */
	expiration: number;
	claims: JWTPayload;
}

const refused = (message: string) => new DomainError("unauthorized", message);

interface RoleRow {
	name: string;
	tenantId: string;
	permission: string | null;
}

/** Each role (by scope and name) that exists, with its permission names. */
function rolesOf(rows: Record<string, unknown>[] | undefined) {
	const roles = new Map<string, Set<string>>();
	for (const r of (rows ?? []) as unknown as RoleRow[]) {
		const key = `${r.tenantId}\u0000${r.name}`;
		const permissions = roles.get(key) ?? new Set<string>();
		if (r.permission) permissions.add(r.permission);
		roles.set(key, permissions);
	}
	return roles;
}

/**
 * The authorization claims of a key, from its roles as they are now: a role deleted since is
 * dropped, as is a tenant deleted since. In a tenant, a tenant's own role comes before the project
 * role of the same name (as for users).
 */
function authorizationClaims(
	key: repo.AccessKeyRow,
	roles: Map<string, Set<string>>,
	existingTenants: Set<string>,
) {
	const grant = (names: string[], tenantId: string) => {
		const granted: string[] = [];
		const permissions = new Set<string>();
		for (const name of names) {
			const found =
				(tenantId ? roles.get(`${tenantId}\u0000${name}`) : undefined) ?? roles.get(`\u0000${name}`);
			if (!found) continue;
			granted.push(name);
			for (const p of found) permissions.add(p);
		}
		return { roles: granted, permissions: [...permissions].sort() };
	};
	const tenants = Object.fromEntries(
		key.keyTenants
			.filter((t) => existingTenants.has(t.tenantId))
			.map((t) => [t.tenantId, grant(t.roleNames, t.tenantId)]),
	);
	return { ...grant(key.roleNames, ""), tenants };
}

export async function exchangeAccessKey(
	deps: Deps,
	projectId: string,
	cleartext: string | undefined,
	options: ExchangeOptions,
	request: { issuer: string; ip: string | null },
): Promise<Exchanged> {
	if (!cleartext) throw refused("Authorization must be 'Bearer <projectId>:<accessKey>'");
	const clientClaims = options.customClaims;
	checkJsonValue("loginOptions.customClaims", clientClaims, MAX_CUSTOM_CLAIMS_BYTES);
	checkClaimsSize(clientClaims, "loginOptions.customClaims");
	const keyHash = await sha256Hex(cleartext);
	const [projectRows, keyRows, roleRows, tenantRows, userRows, signingRows] = await batch(deps.d1, [
		projectQuery(projectId),
		repo.keyByHashQuery(projectId, keyHash),
		repo.keyRolesQuery(projectId, keyHash),
		repo.keyTenantsQuery(projectId, keyHash),
		repo.boundUserQuery(projectId, keyHash),
		signingKeysQuery(projectId),
	]);
	const project = toProject(projectRows);
	const key = repo.toAccessKeys(keyRows)[0];
	if (!project || !key) throw refused("Invalid access key");
	const now = deps.now();
	if (key.status !== "active") throw refused("Access key is inactive");
	if (key.expiresAt !== null && key.expiresAt <= now) throw refused("Access key has expired");
	if (!isIpAllowed(key.permittedIps, request.ip)) {
		throw new DomainError("forbidden", "Client IP address is not permitted for this access key");
	}
	if (key.boundUserId) {
		const user = userRows?.[0];
		if (!user) throw refused("The user this access key is bound to no longer exists");
		if (user.status === "disabled")
			throw new DomainError("forbidden", "The user this access key is bound to is disabled");
	}
	const existingTenants = new Set((tenantRows ?? []).map((t) => t.id as string));
	const tenant = options.selectedTenant;
	if (tenant && !existingTenants.has(tenant)) {
		throw new DomainError(
			"forbidden",
			`loginOptions.selectedTenant: tenant "${tenant}" is not one of this access key's tenants`,
			"loginOptions.selectedTenant",
		);
	}
	const iat = Math.floor(now / 1000);
	// The project's session lifetime, never past the key's own expiry.
	const keyEnd = key.expiresAt === null ? Number.POSITIVE_INFINITY : Math.floor(key.expiresAt / 1000);
	const exp = Math.min(iat + project.sessionTtl, keyEnd);
	const claims: JWTPayload = {
		// The key's own claims first: nothing below can be overridden by them.
		...key.customClaims,
		iss: request.issuer,
		sub: key.id,
		iat,
		drn: "DS",
		amr: ["accesskey"],
		...authorizationClaims(key, rolesOf(roleRows), existingTenants),
		...(tenant ? { dct: tenant } : {}),
		...(clientClaims && Object.keys(clientClaims).length ? { [CLIENT_CLAIMS]: clientClaims } : {}),
	};
	const signer = await signingKey(deps, projectId, toSigningKeys(signingRows), project.refreshTtl * 1000);
	const sessionJwt = await sign(signer, claims, exp);
	return { keyId: key.id, sessionJwt, expiration: exp, claims: { ...claims, exp } };
}
