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

/** Carries a D1 session bookmark both ways (docs/performance.md, "Read replication"). */
export const BOOKMARK_HEADER = "x-d1-bookmark";

// The shape D1 (and local D1) hands out: hex counters and a hash. Anything else is ignored, not
// refused: the header only asks for fresher reads, and an unknown bookmark would fail every query.
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/i;

/** The request's well-formed bookmark, or the default constraint: any replica, then monotonic. */
export function sessionConstraint(header: string | undefined): string {
	return header !== undefined && BOOKMARK.test(header.trim()) ? header.trim() : "first-unconstrained";
}

/** Builds the services' dependencies once per request. */
export const depsMiddleware = createMiddleware<AppEnv>(async (c, next) => {
	const stats = (c.env.EXPOSE_D1_STATS as string) === "true" ? new D1Stats() : undefined;
	// Reads may go to a nearby replica, writes go to the primary; the session keeps them in order.
	const session = c.env.DB.withSession(sessionConstraint(c.req.header(BOOKMARK_HEADER)));
	const d1 = stats ? instrumentD1(session, stats) : session;
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
	const bookmark = session.getBookmark();
	if (bookmark) c.header(BOOKMARK_HEADER, bookmark);
	if (stats) {
		c.header("x-roster-d1-rows-read", String(stats.rowsRead));
		c.header("x-roster-d1-rows-written", String(stats.rowsWritten));
		c.header("x-roster-d1-round-trips", String(stats.roundTrips));
	}
});
