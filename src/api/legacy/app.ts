import { Hono } from "hono";
import { requestBodyLimit } from "../body-limit";
import type { AppEnv } from "../context";
import { publicOrigin } from "../public-origin";
import { apikeyAuth } from "../v4/auth";
import { V4_BASE } from "../v4/schemas";
import { onLegacyError, serviceRefused } from "./errors";
import { registerLegacyUpdateDeleteRoutes } from "./routes/user-update-delete";
import { registerLegacyListCreateRoutes } from "./routes/users-list-create";

export const LEGACY_BASE = "/api/management/user";

/** When the legacy endpoints were deprecated in favour of v4 (RFC 9745 Deprecation header). */
export const LEGACY_DEPRECATED_AT = Date.UTC(2026, 10, 23) / 1000;

/** The legacy user endpoints kept for old clients (docs/migration-v4.md). */
export function buildLegacyApp() {
	const app = new Hono<AppEnv>();
	app.onError(onLegacyError);

	// Every answer, errors included, says it is deprecated and names its v4 successor; a handler
	// that knows the user sets the exact successor itself.
	app.use(`${LEGACY_BASE}/*`, async (c, next) => {
		await next();
		c.header("Deprecation", `@${LEGACY_DEPRECATED_AT}`);
		if (!c.res.headers.has("Link")) {
			c.header("Link", `<${publicOrigin(c)}${V4_BASE}/users>; rel="successor-version"`);
		}
	});
	app.use(`${LEGACY_BASE}/*`, requestBodyLimit);
	app.use(`${LEGACY_BASE}/*`, apikeyAuth);
	app.use(`${LEGACY_BASE}/*`, async (c, next) => {
		if (c.req.query("service") !== undefined) throw serviceRefused();
		await next();
	});

	registerLegacyListCreateRoutes(app);
	registerLegacyUpdateDeleteRoutes(app);
	return app;
}
