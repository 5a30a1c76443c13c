// The predefined user flags (docs/rest-v4.md), as a read-only collection of user_flags resources.
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { USER_FLAGS, userFlagNames } from "../../../domain/users/user-flags";
import type { AppEnv } from "../../context";
import { JSONAPI } from "../media-type";
import { apiBase } from "../query";
import { errorResponses, flagsDocument, jsonApiContent, V4_BASE } from "../schemas";

const flags = createRoute({
	method: "get",
	path: `${V4_BASE}/user_flags`,
	tags: ["users"],
	summary: "List the user flags a user may hold",
	responses: {
		200: { description: "Every flag, with what it means", content: jsonApiContent(flagsDocument) },
		...errorResponses,
	},
});

export function registerUserFlagsRoute(app: OpenAPIHono<AppEnv>) {
	app.openapi(flags, (c) =>
		c.json(
			{
				jsonapi: JSONAPI,
				data: userFlagNames.map((id) => ({
					type: "user_flags" as const,
					id,
					attributes: { description: USER_FLAGS[id] },
				})),
				links: { self: `${apiBase(c, V4_BASE)}/user_flags` },
			},
			200,
		),
	);
}
