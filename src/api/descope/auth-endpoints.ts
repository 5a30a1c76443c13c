import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { DomainError } from "../../domain/errors";
import type { AuthResult } from "../../domain/sessions/auth.service";
import type { RequestInfo } from "../../domain/sessions/context";
import { isProjectId } from "../../lib/ids";
import type { AppEnv } from "../context";
import { issuerFor } from "../public-origin";
import { limitAuthByIp } from "../rate-limit";
import { requestLocation } from "../request-location";
import { toResponseUser } from "./user-mapper";

/** The providers' return to Roster: a browser route that names its project in the path (docs/federation.md). */
const isFederationCallback = (path: string) => /^\/v1\/auth\/federation\/[^/]+\/callback$/.test(path);

/**
 * The routes that take a login id or a credential are limited per client address (password
 * spraying, sign-up floods); refresh, me and logout need a signed token and are not, since one
 * backend may call them for all its users from one address (docs/security.md).
 */
const isSignInRoute = (path: string) =>
	path.startsWith("/v1/auth/password/") ||
	path.startsWith("/v1/auth/webauthn/") ||
	path.startsWith("/v1/auth/saml/") ||
	path.startsWith("/v1/auth/oauth/") ||
	path.startsWith("/v1/auth/accesskey/") ||
	isFederationCallback(path);

/** End-user bearer (docs/sessions.md): `Bearer <projectId>[:<refreshJwt>][:<authManagementKey>]`. */
export const projectBearer = createMiddleware<AppEnv>(async (c, next) => {
	if (isSignInRoute(c.req.path)) await limitAuthByIp(c);
	if (isFederationCallback(c.req.path)) return next();
	const token = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
	const [projectId, jwt] = token?.split(":") ?? [];
	if (!projectId || !isProjectId(projectId)) {
		throw new DomainError("unauthorized", "Authorization must be 'Bearer <projectId>[:<refreshJwt>]'");
	}
	c.set("projectId", projectId);
	c.set("bearerToken", jwt || undefined);
	await next();
});

/** Where the request came from, for the history; the issuer names the project, never the Host header. */
export function requestInfo(c: Context<AppEnv>): RequestInfo {
	const ip = c.req.header("cf-connecting-ip") ?? "";
	return {
		issuer: issuerFor(c, c.var.projectId),
		ip,
		...requestLocation(c.req.raw, ip),
		userAgent: c.req.header("user-agent") ?? "",
	};
}

/** The JWTResponse of every sign-in (docs/sessions.md). */
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
