import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { DomainError } from "../../domain/errors";
import type { AuthResult } from "../../domain/sessions/auth.service";
import type { RequestInfo } from "../../domain/sessions/context";
import { isProjectId } from "../../lib/ids";
import type { AppEnv } from "../context";
import { toResponseUser } from "./user-mapper";

/** End-user bearer (contract §1.4): `Bearer <projectId>[:<refreshJwt>][:<authManagementKey>]`. */
export const projectBearer = createMiddleware<AppEnv>(async (c, next) => {
	const token = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
	const [projectId, jwt] = token?.split(":") ?? [];
	if (!projectId || !isProjectId(projectId)) {
		throw new DomainError("unauthorized", "Authorization must be 'Bearer <projectId>[:<refreshJwt>]'");
	}
	c.set("projectId", projectId);
	c.set("bearerToken", jwt || undefined);
	await next();
});

/** Where the request came from, for the history; the issuer names the project (contract §5.4). */
export function requestInfo(c: Context<AppEnv>): RequestInfo {
	const cf = (c.req.raw as Request & { cf?: { city?: string; country?: string } }).cf;
	return {
		issuer: `${new URL(c.req.url).origin}/${c.var.projectId}`,
		ip: c.req.header("cf-connecting-ip") ?? "",
		city: cf?.city ?? "",
		country: cf?.country ?? "",
		userAgent: c.req.header("user-agent") ?? "",
	};
}

/** JWTResponse (contract §5.1). */
export function jwtResponse(result: Pick<AuthResult, "tokens" | "user" | "firstSeen" | "project">) {
	return {
		sessionJwt: result.tokens.sessionJwt,
		refreshJwt: result.tokens.refreshJwt,
		cookieDomain: "",
		cookiePath: "/",
		cookieMaxAge: result.project.refreshTtl,
		cookieExpiration: result.tokens.refreshExpiration,
		sessionExpiration: result.tokens.sessionExpiration,
		user: toResponseUser(result.user),
		firstSeen: result.firstSeen,
		claims: result.tokens.claims as Record<string, unknown>,
	};
}
