import { OpenAPIHono } from "@hono/zod-openapi";
import { bearerKeyAuth } from "../bearer-key-auth";
import { requestBodyLimit } from "../body-limit";
import type { AppEnv } from "../context";
import { serveOpenApiDocument } from "../openapi-common";
import { partnerDocumentProfile } from "../openapi-profiles";
import { onPartnerError, partnerValidationHook } from "./errors";
import { registerIdentityProviderRoutes } from "./routes/identity-providers";
import { registerDeliveryRoutes } from "./routes/webhook-deliveries";
import { registerWebhookRoutes } from "./routes/webhooks";
import { PARTNER_BASE } from "./schemas";

export const PARTNER_OPENAPI_PATH = `${PARTNER_BASE}/openapi.json`;

/**
 * The partner API (docs/partner.md): PascalCase JSON, problem details (RFC 9457), keyset lists
 * and ETags on every GET. Routes register themselves with `register…Routes(app)`; each one uses
 * bearerKeyAuth (mounted here), partnerErrorResponses, listEnvelope and withEtag.
 */
export function buildPartnerApp() {
	const app = new OpenAPIHono<AppEnv>({ defaultHook: partnerValidationHook });
	app.onError(onPartnerError);

	app.openAPIRegistry.registerComponent("securitySchemes", "Bearer", {
		type: "http",
		scheme: "bearer",
		description: "`Bearer <management key>`: the key names its project; its IP allowlist and scope apply",
	});
	// Servers, licence and the shared answers: src/api/openapi-common.ts (docs/api-reference.md).
	serveOpenApiDocument(
		app,
		PARTNER_OPENAPI_PATH,
		{
			openapi: "3.1.0",
			info: {
				title: "Roster: partner API",
				version: "1",
				description:
					"PascalCase JSON, RFC 9457 problem details, keyset-paged lists ({Items, NextCursor}), ETags on every GET. See docs/partner.md.",
			},
			security: [{ Bearer: [] }],
		},
		partnerDocumentProfile,
	);

	// Before authentication: a too-large body is refused without touching storage.
	app.use(`${PARTNER_BASE}/*`, requestBodyLimit);
	app.use(`${PARTNER_BASE}/*`, (c, next) =>
		c.req.path === PARTNER_OPENAPI_PATH ? next() : bearerKeyAuth(c, next),
	);

	registerWebhookRoutes(app);
	registerDeliveryRoutes(app);
	registerIdentityProviderRoutes(app);
	return app;
}
