// JSON:API related resource and relationship of users: default_user_profile (docs/rest-v4.md, JSON:API v1.1 relationships).
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { getUserRecord } from "../../../domain/users/users.list";
import type { AppEnv } from "../../context";
import { JSONAPI } from "../media-type";
import { readView } from "../query";
import {
	errorResponses,
	jsonApiContent,
	profileDocument,
	relationshipDocument,
	userIdParams,
	V4_BASE,
} from "../schemas";
import { profileUrl, relationshipUrl, toProfileResource } from "../user-mapper";

const notFound = { description: "No such user in the key's project", content: errorResponses[400].content };

const related = createRoute({
	method: "get",
	path: `${V4_BASE}/users/{user_id}/default_user_profile`,
	tags: ["users"],
	summary: "Get the user's default profile",
	request: {
		params: userIdParams,
		query: z.strictObject({
			"fields[user_profiles]": z.string().optional().openapi({ description: "locale, time_zone, user" }),
		}),
	},
	responses: {
		200: { description: "The profile", content: jsonApiContent(profileDocument) },
		...errorResponses,
		404: notFound,
	},
});

const relationship = createRoute({
	method: "get",
	path: `${V4_BASE}/users/{user_id}/relationships/default_user_profile`,
	tags: ["users"],
	summary: "Get the default_user_profile relationship (resource linkage)",
	request: { params: userIdParams },
	responses: {
		200: { description: "The linkage", content: jsonApiContent(relationshipDocument) },
		...errorResponses,
		404: notFound,
	},
});

export function registerUserProfileRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(related, async (c) => {
		const deps = c.var.deps;
		const { user_id } = c.req.valid("param");
		const view = readView(c, c.req.valid("query"), V4_BASE, deps.now());
		const record = await getUserRecord(deps, c.var.projectId, user_id);
		return c.json(
			{
				jsonapi: JSONAPI,
				data: toProfileResource(record, view),
				links: { self: profileUrl(view.base, record.user.id) },
			},
			200,
		);
	});

	app.openapi(relationship, async (c) => {
		const deps = c.var.deps;
		const { user_id } = c.req.valid("param");
		const view = readView(c, {}, V4_BASE, deps.now());
		const { user, profile } = await getUserRecord(deps, c.var.projectId, user_id);
		return c.json(
			{
				jsonapi: JSONAPI,
				data: profile ? { type: "user_profiles" as const, id: profile.id } : null,
				links: { self: relationshipUrl(view.base, user.id), related: profileUrl(view.base, user.id) },
			},
			200,
		);
	});
}
