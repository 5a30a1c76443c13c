import { createMiddleware } from "hono/factory";
import { DomainError } from "../../domain/errors";
import { authenticateKey } from "../../domain/keys/keys.service";
import type { AppEnv } from "../context";
import { limitManagementKey, withKeyFailureLimit } from "../rate-limit";

const APIKEY = /^Apikey\s+(\S+)\s*$/i;

/**
 * `Authorization: Apikey <key>` (docs/rest-v4.md): a management key names its project on its own. The
 * key's IP allowlist is checked against CF-Connecting-IP. Shared by v4 and the legacy endpoints;
 * each renders the DomainError in its own envelope.
 */
export const apikeyAuth = createMiddleware<AppEnv>(async (c, next) => {
	const principal = await withKeyFailureLimit(c, () => {
		const header = c.req.header("authorization");
		if (!header) throw new DomainError("unauthorized", "Missing Authorization header: send 'Apikey <key>'");
		const key = APIKEY.exec(header)?.[1];
		if (!key) throw new DomainError("unauthorized", "Authorization must be 'Apikey <key>'");
		return authenticateKey(c.var.deps, key, c.req.header("cf-connecting-ip") ?? null);
	});
	await limitManagementKey(c, principal);
	c.set("projectId", principal.projectId);
	c.set("keyId", principal.keyId);
	await next();
});
