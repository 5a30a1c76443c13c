import { createMiddleware } from "hono/factory";
import { DomainError } from "../../domain/errors";
import { authenticateKey } from "../../domain/keys/keys.service";
import { isProjectId } from "../../lib/ids";
import type { AppEnv } from "../context";
import { limitManagementKey, withKeyFailureLimit } from "../rate-limit";

const BEARER = /^Bearer\s+(\S+)$/i;

/** `Authorization: Bearer <projectId>:<managementKey>` (as @descope/node-sdk sends it; docs/management-keys.md). */
export const managementAuth = createMiddleware<AppEnv>(async (c, next) => {
	const principal = await withKeyFailureLimit(c, () => {
		const header = c.req.header("authorization");
		if (!header) throw new DomainError("unauthorized", "Missing Authorization header");
		const token = BEARER.exec(header)?.[1];
		const [projectId, key] = token?.split(":") ?? [];
		if (!projectId || !isProjectId(projectId) || !key) {
			throw new DomainError("unauthorized", "Authorization must be 'Bearer <projectId>:<managementKey>'");
		}
		return authenticateKey(c.var.deps, key, c.req.header("cf-connecting-ip") ?? null, projectId);
	});
	await limitManagementKey(c, principal);
	c.set("projectId", principal.projectId);
	c.set("keyId", principal.keyId);
	await next();
});
