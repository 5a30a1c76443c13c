import { OpenAPIHono, type z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bearerKeyAuth } from "../bearer-key-auth";
import { requestBodyLimit } from "../body-limit";
import type { AppEnv } from "../context";
import { serveOpenApiDocument } from "../openapi-common";
import { scimDocumentProfile } from "../openapi-profiles";
import { onScimError, ScimError, scimErrorSchema } from "./errors";
import { registerBulkRoutes } from "./routes/bulk";
import { registerDiscoveryRoutes } from "./routes/discovery";
import { registerGroupRoutes } from "./routes/groups";
import { registerUserRoutes } from "./routes/users";

export const SCIM_BASE = "/scim/v2";
export const SCIM_OPENAPI_PATH = `${SCIM_BASE}/openapi.json`;

const ENDPOINTS = ["Users", "Groups", "Bulk", "Schemas", "ResourceTypes", "ServiceProviderConfig"];
const CANONICAL = new Map([...ENDPOINTS, "serviceConfiguration"].map((name) => [name.toLowerCase(), name]));

/**
 * The path a SCIM request is routed by (src/app.ts `getPath`): endpoint names in any case and a
 * trailing slash, as Microsoft's validator sends them (`/scim/v2/users`, `/scim/v2/Users/?filter=…`).
 */
export function scimRoutingPath(path: string): string {
	if (!path.startsWith(`${SCIM_BASE}/`) || path.length === SCIM_BASE.length + 1) return path;
	const [endpoint = "", ...rest] = path
		.slice(SCIM_BASE.length + 1)
		.replace(/\/$/, "")
		.split("/");
	return [SCIM_BASE, CANONICAL.get(endpoint.toLowerCase()) ?? endpoint, ...rest].join("/");
}

/** zod failures of a route's declared parameters: 400 invalidValue naming the field. */
function scimValidationHook(
	result: { success: true } | { success: false; error: z.ZodError; target: string },
	_c: Context,
) {
	if (result.success) return;
	const detail = result.error.issues
		.map((issue) => `${issue.path.map(String).join(".") || result.target}: ${issue.message}`)
		.join("; ");
	throw new ScimError(400, detail, result.target === "json" ? "invalidSyntax" : "invalidValue");
}

/**
 * SCIM 2.0 (RFC 7643 / 7644; docs/scim.md) at /scim/v2: application/scim+json, the RFC 7644
 * error envelope, a management key as the bearer token. A tenant-bound key provisions its tenant
 * (Users = its members, Groups = its roles); a project-wide key the project.
 */
export function buildScimApp() {
	const app = new OpenAPIHono<AppEnv>({ defaultHook: scimValidationHook });
	app.onError(onScimError);

	app.openAPIRegistry.register("ScimError", scimErrorSchema);
	app.openAPIRegistry.registerComponent("securitySchemes", "Bearer", {
		type: "http",
		scheme: "bearer",
		description:
			"`Bearer <management key>`: a project-wide key provisions the project, a key bound to one tenant provisions that tenant",
	});
	serveOpenApiDocument(
		app,
		SCIM_OPENAPI_PATH,
		{
			openapi: "3.1.0",
			info: {
				title: "Roster: SCIM 2.0",
				version: "2.0",
				description:
					"SCIM 2.0 provisioning (RFC 7643, RFC 7644) for Microsoft Entra ID, Okta and other identity providers. See docs/scim.md.",
			},
			security: [{ Bearer: [] }],
		},
		scimDocumentProfile,
	);

	// Before authentication: a too-large body is refused without touching storage.
	app.use(`${SCIM_BASE}/*`, requestBodyLimit);
	app.use(`${SCIM_BASE}/*`, (c, next) =>
		c.req.path === SCIM_OPENAPI_PATH ? next() : bearerKeyAuth(c, next),
	);

	// Resource routes register themselves here: register…Routes(app).
	registerUserRoutes(app);
	registerGroupRoutes(app);
	registerDiscoveryRoutes(app);
	registerBulkRoutes(app);
	return app;
}
