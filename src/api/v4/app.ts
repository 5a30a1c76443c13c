import { OpenAPIHono } from "@hono/zod-openapi";
import { requestBodyLimit } from "../body-limit";
import type { AppEnv } from "../context";
import { serveOpenApiDocument } from "../openapi-common";
import { v4DocumentProfile } from "../openapi-profiles";
import { apikeyAuth } from "./auth";
import { errorObject, JsonApiError, onJsonApiError, validationErrors } from "./errors";
import { jsonApiContentType, negotiationFailure } from "./media-type";
import { registerUserCreateRoute } from "./routes/user-create";
import { registerUserDeleteRoute } from "./routes/user-delete";
import { registerUserFlagsRoute } from "./routes/user-flags";
import { registerUserProfileRoutes } from "./routes/user-profile";
import { registerUserReadRoute } from "./routes/user-read";
import { registerUserUpdateRoute } from "./routes/user-update";
import { registerUsersIndexRoute } from "./routes/users-index";
import { V4_BASE } from "./schemas";

export const V4_OPENAPI_PATH = `${V4_BASE}/openapi.json`;

/** The value a validator looked at, for error details (zod keeps only the path). */
async function rawInput(c: Parameters<typeof onJsonApiError>[1], target: string, data: unknown) {
	if (data !== undefined) return data;
	if (target === "json") return c.req.json().catch(() => undefined);
	if (target === "query") return c.req.queries();
	return undefined;
}

/** The REST v4 users API, JSON:API v1.1 (docs/rest-v4.md). */
export function buildV4App() {
	const app = new OpenAPIHono<AppEnv>({
		defaultHook: async (result, c) => {
			if (!result.success) {
				const data = await rawInput(c, result.target, (result as { data?: unknown }).data);
				throw new JsonApiError(validationErrors(result.error, result.target, data));
			}
		},
	});
	app.onError(onJsonApiError);

	serveOpenApiDocument(
		app,
		V4_OPENAPI_PATH,
		{
			openapi: "3.1.0",
			info: {
				title: "Roster: User Management API v4",
				version: "4",
				description:
					"JSON:API v1.1 resources for users and their default profiles. Media type application/vnd.api+json " +
					"(application/json accepted). See docs/rest-v4.md.",
			},
		},
		v4DocumentProfile,
	);

	const unlessDocument =
		(handler: typeof apikeyAuth): typeof apikeyAuth =>
		(c, next) =>
			c.req.path === V4_OPENAPI_PATH ? next() : handler(c, next);
	app.use(`${V4_BASE}/*`, requestBodyLimit);
	app.use(`${V4_BASE}/*`, unlessDocument(jsonApiContentType));
	app.use(`${V4_BASE}/*`, unlessDocument(apikeyAuth));
	app.use(
		`${V4_BASE}/*`,
		unlessDocument(async (c, next) => {
			const failure = negotiationFailure(c);
			if (failure) {
				const code = failure.status === 415 ? "unsupported_media_type" : "not_acceptable";
				throw new JsonApiError([
					errorObject(failure.status, code, failure.detail, {
						header: failure.status === 415 ? "Content-Type" : "Accept",
					}),
				]);
			}
			await next();
		}),
	);

	registerUsersIndexRoute(app);
	registerUserCreateRoute(app);
	registerUserReadRoute(app);
	registerUserUpdateRoute(app);
	registerUserDeleteRoute(app);
	registerUserProfileRoutes(app);
	registerUserFlagsRoute(app);
	return app;
}
