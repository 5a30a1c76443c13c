import { Hono } from "hono";
import type { AppEnv } from "./api/context";
import { depsMiddleware } from "./api/context-middleware";
import { buildDescopeApp } from "./api/descope/app";
import { onDescopeError } from "./api/descope/errors";
import { buildLegacyApp, LEGACY_BASE } from "./api/legacy/app";
import { onLegacyError } from "./api/legacy/errors";
import { buildOperatorApp } from "./api/operator/app";
import { buildV4App } from "./api/v4/app";
import { jsonApiNotFound } from "./api/v4/errors";
import { DomainError } from "./domain/errors";

export function buildApp() {
	const app = new Hono<AppEnv>();
	// The runtime's ceiling: touches no storage.
	app.get("/health", (c) => c.json({ ok: true }));

	app.use("*", depsMiddleware);
	app.route("/", buildOperatorApp());
	app.route("/", buildDescopeApp());
	app.route("/", buildV4App());
	app.route("/", buildLegacyApp());

	// Unknown routes answer in the envelope of the dialect their path belongs to.
	app.notFound((c) => {
		const notFound = new DomainError("not_found", `No route for ${c.req.method} ${c.req.path}`);
		const legacy = c.req.path === LEGACY_BASE || c.req.path.startsWith(`${LEGACY_BASE}/`);
		if (legacy) return onLegacyError(notFound, c);
		return c.req.path.startsWith("/api/") ? jsonApiNotFound(c) : onDescopeError(notFound, c);
	});
	app.onError(onDescopeError);
	return app;
}
