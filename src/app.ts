import { Hono } from "hono";
import { getPath } from "hono/utils/url";
import type { AppEnv } from "./api/context";
import { depsMiddleware, dialectOf } from "./api/context-middleware";
import { buildDescopeApp } from "./api/descope/app";
import { onDescopeError } from "./api/descope/errors";
import { buildLegacyApp } from "./api/legacy/app";
import { onLegacyError } from "./api/legacy/errors";
import { allowedMethodsOf, methodNotAllowed } from "./api/method-not-allowed";
import { buildOperatorApp } from "./api/operator/app";
import { buildPartnerApp } from "./api/partner/app";
import { partnerNotFound } from "./api/partner/errors";
import { buildReferenceApp } from "./api/reference/app";
import { buildScimApp, SCIM_BASE, scimRoutingPath } from "./api/scim/app";
import { scimNotFound } from "./api/scim/errors";
import { buildV4App } from "./api/v4/app";
import { jsonApiNotFound } from "./api/v4/errors";
import { buildConsoleApp } from "./console/app";
import { DomainError } from "./domain/errors";

export function buildApp() {
	// SCIM endpoint names route in any case and with a trailing slash (src/api/scim/app.ts).
	const app = new Hono<AppEnv>({ getPath: (request) => scimRoutingPath(getPath(request)) });
	// The runtime's ceiling: touches no storage.
	app.get("/health", (c) => c.json({ ok: true }));

	// The admin console (docs/console.md): HTML pages over this app's own APIs, before any dialect.
	app.route(
		"/console",
		buildConsoleApp((request, env, ctx) => app.fetch(request, env, ctx)),
	);

	app.use("*", depsMiddleware);
	app.route("/", buildOperatorApp());
	app.route("/", buildDescopeApp());
	app.route("/", buildV4App());
	app.route("/", buildLegacyApp());
	// The API reference reads the documents through this app, as a client would.
	app.route(
		"/",
		buildReferenceApp((path, env, ctx) => app.request(path, {}, env, ctx)),
	);
	app.route("/", buildPartnerApp());
	app.route("/", buildScimApp());

	// Unknown routes answer in the envelope of the dialect their path belongs to; a known path
	// under another method answers 405 with Allow.
	const allowedMethods = allowedMethodsOf(app);
	app.notFound(async (c) => {
		const wrongMethod = await methodNotAllowed(c, allowedMethods(c.req.path));
		if (wrongMethod) return wrongMethod;
		const notFound = new DomainError("not_found", `No route for ${c.req.method} ${c.req.path}`);
		const legacy = dialectOf(c.req.path) === "legacy";
		if (legacy) return onLegacyError(notFound, c);
		if (c.req.path === SCIM_BASE || c.req.path.startsWith(`${SCIM_BASE}/`)) return scimNotFound(c);
		// The partner dialect owns /api/partner/… (every version), so a path that only starts there answers in its envelope.
		if (c.req.path === "/api/partner" || c.req.path.startsWith("/api/partner/")) return partnerNotFound(c);
		return c.req.path.startsWith("/api/") ? jsonApiNotFound(c) : onDescopeError(notFound, c);
	});
	app.onError(onDescopeError);
	return app;
}
