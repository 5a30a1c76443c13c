import { OpenAPIHono } from "@hono/zod-openapi";
import { requestBodyLimit } from "../body-limit";
import type { AppEnv } from "../context";
import { serveOpenApiDocument } from "../openapi-common";
import { descopeDocumentProfile } from "../openapi-profiles";
import { managementAuth } from "./auth";
import { projectBearer } from "./auth-endpoints";
import { descopeValidationHook, onDescopeError } from "./errors";
import { registerAccessKeyRoutes } from "./routes/access-keys";
import { registerAuditRoutes } from "./routes/audit";
import { registerFederationAuthRoutes } from "./routes/auth-federation";
import { registerPasswordAuthRoutes } from "./routes/auth-password";
import { registerSessionAuthRoutes } from "./routes/auth-session";
import { registerWebAuthnAuthRoutes } from "./routes/auth-webauthn";
import { registerCustomAttributeRoutes } from "./routes/custom-attributes";
import { registerManagementKeyRoutes } from "./routes/management-keys";
import { registerOAuthProviderRoutes } from "./routes/oauth-providers";
import { registerProviderTokenRoutes } from "./routes/provider-tokens";
import { registerRoleRoutes } from "./routes/roles";
import { registerSsoAppRoutes } from "./routes/sso-apps";
import { registerSsoSettingsRoutes } from "./routes/sso-settings";
import { registerTenantRoutes } from "./routes/tenants";
import { registerUserAssignmentRoutes } from "./routes/user-assignments";
import { registerUserCreateRoutes } from "./routes/user-create";
import { registerUserCredentialRoutes } from "./routes/user-credentials";
import { registerUserDeleteRoutes } from "./routes/user-delete";
import { registerUserPasskeyRoutes } from "./routes/user-passkeys";
import { registerUserReadRoutes } from "./routes/user-read";
import { registerUserUpdateRoutes } from "./routes/user-update";

export const DESCOPE_OPENAPI_PATH = "/v1/mgmt/openapi.json";

/** The Descope-compatible management API (wire contract: docs/descope-compat.md). */
export function buildDescopeApp() {
	const app = new OpenAPIHono<AppEnv>({ defaultHook: descopeValidationHook });
	app.onError(onDescopeError);

	serveOpenApiDocument(
		app,
		DESCOPE_OPENAPI_PATH,
		{
			openapi: "3.1.0",
			info: {
				title: "Roster: Descope-compatible management API",
				version: "1",
				description: "`Authorization: Bearer <projectId>:<managementKey>`",
			},
		},
		descopeDocumentProfile,
	);

	// Before authentication: a too-large body is refused without touching storage.
	for (const path of ["/v1/mgmt/*", "/v2/mgmt/*", "/v1/auth/*"]) app.use(path, requestBodyLimit);
	app.use("/v1/mgmt/*", async (c, next) =>
		c.req.path === DESCOPE_OPENAPI_PATH ? next() : managementAuth(c, next),
	);
	app.use("/v2/mgmt/*", managementAuth);
	app.use("/v1/auth/*", projectBearer);

	registerUserReadRoutes(app);
	registerUserCreateRoutes(app);
	registerUserUpdateRoutes(app);
	registerUserDeleteRoutes(app);
	registerUserAssignmentRoutes(app);
	registerCustomAttributeRoutes(app);
	registerTenantRoutes(app);
	registerRoleRoutes(app);
	registerSsoAppRoutes(app);
	registerSsoSettingsRoutes(app);
	registerOAuthProviderRoutes(app);
	registerManagementKeyRoutes(app);
	registerAccessKeyRoutes(app);
	registerAuditRoutes(app);
	registerUserCredentialRoutes(app);
	registerPasswordAuthRoutes(app);
	registerSessionAuthRoutes(app);
	registerUserPasskeyRoutes(app);
	registerWebAuthnAuthRoutes(app);
	registerFederationAuthRoutes(app);
	registerProviderTokenRoutes(app);
	return app;
}
