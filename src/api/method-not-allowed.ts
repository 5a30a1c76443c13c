import type { Context, Hono } from "hono";
import type { AppEnv } from "./context";
import { dialectOf } from "./context-middleware";
import { recordRefusal } from "./failure-record";
import { LegacyError, onLegacyError } from "./legacy/errors";
import { errorObject, JsonApiError, onJsonApiError } from "./v4/errors";

// A path that exists under another method answers 405 with `Allow` (RFC 9110 §15.5.6), not 404.

/** What the router stores per route: the handler and its route record (`method` is "ALL" for `use`). */
type RoutePayload = [unknown, { method: string }];

/** The dialects whose unknown routes the root app answers ("other" under /api/ is JSON:API; the partner API answers its own). */
const DIALECTS = new Set(["descope", "auth", "operator", "v4", "legacy"]);
const answersHere = (dialect: string, path: string) =>
	DIALECTS.has(dialect) || (dialect === "other" && path.startsWith("/api/"));

const ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const rank = (method: string) => (ORDER.includes(method) ? ORDER.indexOf(method) : ORDER.length);

/**
 * The methods each path of `app` answers, read from its router with the method list taken once
 * from `app.routes` after every sub-app is mounted. Empty when no route has the path.
 */
export function allowedMethodsOf(app: Hono<AppEnv>): (path: string) => string[] {
	let methods: string[] | undefined;
	return (path) => {
		methods ??= [...new Set(app.routes.map((r) => r.method).filter((m) => m !== "ALL"))];
		const allowed = methods.filter((method) => {
			const [matches] = app.router.match(method, path) as unknown as [[RoutePayload, unknown][]];
			return matches.some(([payload]) => payload[1].method === method);
		});
		// Hono answers HEAD with the GET route.
		if (allowed.includes("GET") && !allowed.includes("HEAD")) allowed.push("HEAD");
		return allowed.sort((a, b) => rank(a) - rank(b));
	};
}

/** The 405 for `allow` in the envelope of the path's dialect, or undefined for a path no dialect here owns. */
export async function methodNotAllowed(c: Context<AppEnv>, allow: string[]): Promise<Response | undefined> {
	const dialect = dialectOf(c.req.path);
	if (allow.length === 0 || !answersHere(dialect, c.req.path)) return undefined;
	const message = `${c.req.method} is not allowed on ${c.req.path}: use ${allow.join(", ")}`;
	let res: Response;
	if (dialect === "legacy") {
		res = await onLegacyError(new LegacyError(405, "method_not_allowed", message), c);
	} else if (c.req.path.startsWith("/api/")) {
		res = await onJsonApiError(new JsonApiError([errorObject(405, "method_not_allowed", message)]), c);
	} else {
		// Descope's envelope has no 405 code; E011405 follows Roster's E011<status> codes (src/api/descope/errors.ts).
		await recordRefusal(c, { status: 405, errorCode: "E011405", message });
		res = c.json(
			{ errorCode: "E011405", errorDescription: "Method not allowed", errorMessage: message },
			405,
		);
	}
	res.headers.set("Allow", allow.join(", "));
	return res;
}
