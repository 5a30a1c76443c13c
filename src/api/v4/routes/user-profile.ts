// JSON:API related resource and relationship of users: default_user_profile (docs/rest-v4.md, JSON:API v1.1 relationships).
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { patchUserRecord } from "../../../domain/users/user.patch";
import { getUserRecord } from "../../../domain/users/users.list";
import type { AppEnv } from "../../context";
import { errorObject, JsonApiError } from "../errors";
import { etagOf, ifMatchVersions } from "../etag";
import { JSONAPI } from "../media-type";
import { readView } from "../query";
import {
	errorResponses,
	etagHeader,
	ifMatchHeaders,
	jsonApiBody,
	jsonApiContent,
	profileDocument,
	profilePatchDocument,
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

const updateProfile = createRoute({
	method: "patch",
	path: `${V4_BASE}/users/{user_id}/default_user_profile`,
	tags: ["users"],
	summary: "Update the user's default profile (locale, time zone)",
	description:
		"Only the attributes sent change; null clears one. locale is a BCP 47 language tag (RFC 5646), " +
		"time_zone an IANA time zone name. If-Match takes the user's ETag.",
	request: {
		params: userIdParams,
		headers: ifMatchHeaders,
		body: jsonApiBody(profilePatchDocument),
	},
	responses: {
		200: {
			description: "The updated profile",
			headers: etagHeader,
			content: jsonApiContent(profileDocument),
		},
		...errorResponses,
		404: notFound,
		409: {
			description: "data.type or data.id does not match the profile",
			content: errorResponses[400].content,
		},
		412: {
			description: "If-Match does not name the user's current version",
			content: errorResponses[400].content,
		},
	},
});

export function registerUserProfileRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(updateProfile, async (c) => {
		const deps = c.var.deps;
		const { user_id } = c.req.valid("param");
		const { data } = c.req.valid("json");
		const view = readView(c, {}, V4_BASE, deps.now());
		if (data.relationships !== undefined) {
			throw new JsonApiError([
				errorObject(403, "read_only", "relationships: the profile's user cannot be changed", {
					pointer: "/data/relationships",
				}),
			]);
		}
		if (data.id !== undefined) {
			// Only a request naming the profile costs this read: the id must be the default profile's.
			const { profile } = await getUserRecord(deps, c.var.projectId, user_id);
			if (data.id !== profile?.id) {
				throw new JsonApiError([
					errorObject(409, "id_mismatch", `data.id "${data.id}" is not this user's default profile`, {
						pointer: "/data/id",
					}),
				]);
			}
		}
		const record = await patchUserRecord(
			deps,
			c.var.projectId,
			user_id,
			{ locale: data.attributes?.locale, timeZone: data.attributes?.time_zone },
			{ versions: ifMatchVersions(c.req.header("if-match")) },
		);
		return c.json(
			{
				jsonapi: JSONAPI,
				data: toProfileResource(record, view),
				links: { self: profileUrl(view.base, record.user.id) },
			},
			200,
			{ ETag: etagOf(record.user.version) },
		);
	});

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
