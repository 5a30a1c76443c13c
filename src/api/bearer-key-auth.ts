import { createMiddleware } from "hono/factory";
import { DomainError } from "../domain/errors";
import { authenticateKey } from "../domain/keys/keys.service";
import type { AppEnv } from "./context";
import { limitManagementKey, withKeyFailureLimit } from "./rate-limit";

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * `Authorization: Bearer <managementKey>` (the partner API, docs/partner.md, and SCIM,
 * docs/scim.md): the key alone names its project, with the same expiry, scopes, IP allowlist and
 * rate limit as every other dialect (authenticateKey).
 */
export const bearerKeyAuth = createMiddleware<AppEnv>(async (c, next) => {
	const principal = await withKeyFailureLimit(c, () => {
		const header = c.req.header("authorization");
		if (!header)
			throw new DomainError("unauthorized", "Missing Authorization header: send 'Bearer <managementKey>'");
		const key = BEARER.exec(header)?.[1];
		if (!key) throw new DomainError("unauthorized", "Authorization must be 'Bearer <managementKey>'");
		return authenticateKey(c.var.deps, key, c.req.header("cf-connecting-ip") ?? null);
	});
	await limitManagementKey(c, principal);
	c.set("projectId", principal.projectId);
	c.set("keyId", principal.keyId);
	await next();
});
