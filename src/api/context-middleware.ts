import { createMiddleware } from "hono/factory";
import { createDb, D1Stats, instrumentD1 } from "../db/client";
import type { RequestContext } from "../domain/activity/actions";
import { randomToken } from "../lib/crypto";
import type { AppEnv } from "./context";
import { requestLocation } from "./request-location";

/** Which dialect a path belongs to, for the activity history. */
export function dialectOf(path: string): string {
	if (path.startsWith("/v1/mgmt/") || path.startsWith("/v2/mgmt/")) return "descope";
	if (path.startsWith("/v1/auth/") || path.startsWith("/v2/keys/")) return "auth";
	if (path.startsWith("/api/user/management/v4")) return "v4";
	if (path.startsWith("/api/management/user")) return "legacy";
	if (path.startsWith("/v1/operator")) return "operator";
	if (path.startsWith("/scim/")) return "scim";
	if (path.startsWith("/api/partner/")) return "partner";
	return "other";
}

/** The request's origin for the change rows: Cloudflare's ray id when there is one. */
function requestContext(req: Request, path: string): RequestContext {
	const headers = req.headers;
	const ip = headers.get("cf-connecting-ip") ?? "";
	return {
		id: headers.get("cf-ray") ?? randomToken(12),
		dialect: dialectOf(path),
		ip,
		...requestLocation(req, ip),
		userAgent: (headers.get("user-agent") ?? "").slice(0, 512),
	};
}

/** Builds the services' dependencies once per request. */
export const depsMiddleware = createMiddleware<AppEnv>(async (c, next) => {
	const stats = (c.env.EXPOSE_D1_STATS as string) === "true" ? new D1Stats() : undefined;
	const d1 = stats ? instrumentD1(c.env.DB, stats) : c.env.DB;
	c.set("deps", {
		db: createDb(d1),
		d1,
		kv: c.env.KEY_CACHE,
		env: c.env,
		now: Date.now,
		waitUntil: (promise) => c.executionCtx.waitUntil(promise),
		request: requestContext(c.req.raw, c.req.path),
	});
	await next();
	if (stats) {
		c.header("x-roster-d1-rows-read", String(stats.rowsRead));
		c.header("x-roster-d1-rows-written", String(stats.rowsWritten));
		c.header("x-roster-d1-round-trips", String(stats.roundTrips));
	}
});
