// docs/rest-v4.md, "PATCH /api/user/management/v4/users/{user_id}": partial update (JSON:API §9.2), If-Match → 412 when stale.
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { patchUserRecord } from "../../../domain/users/user.versioned";
import type { AppEnv } from "../../context";
import { errorObject, JsonApiError } from "../errors";
import { etagOf, ifMatchVersions } from "../etag";
import { readView } from "../query";
import {
	errorResponses,
	etagHeader,
	ifMatchHeaders,
	jsonApiBody,
	jsonApiContent,
	patchDocument,
	readQuery,
	userDocument,
	userIdParams,
	V4_BASE,
} from "../schemas";
import { toUserDocument, toUserInput } from "../user-mapper";

const update = createRoute({
	method: "patch",
	path: `${V4_BASE}/users/{user_id}`,
	tags: ["users"],
	summary: "Update user by id",
	description:
		"Only the attributes sent change; contact_details and registration_information merge member by member. " +
		"REGISTERED registers an invited user (status enabled, registration_time stamped); UNREGISTERED makes " +
		"the user invited again. Read-only members answer 403, unknown ones 400, and nothing changes.",
	request: {
		params: userIdParams,
		query: readQuery,
		headers: ifMatchHeaders,
		body: jsonApiBody(patchDocument),
	},
	responses: {
		200: { description: "The updated user", headers: etagHeader, content: jsonApiContent(userDocument) },
		...errorResponses,
		404: { description: "No such user in the key's project", content: errorResponses[400].content },
		409: {
			description: "data.type or data.id does not match the URL, or a value is another user's",
			content: errorResponses[400].content,
		},
		412: { description: "If-Match does not name the current version", content: errorResponses[400].content },
	},
});

export function registerUserUpdateRoute(app: OpenAPIHono<AppEnv>) {
	app.openapi(update, async (c) => {
		const deps = c.var.deps;
		const { user_id } = c.req.valid("param");
		const view = readView(c, c.req.valid("query"), V4_BASE, deps.now());
		const { data } = c.req.valid("json");
		if (data.id !== user_id) {
			throw new JsonApiError([
				errorObject(409, "id_mismatch", `data.id "${data.id}" is not the user_id of the URL`, {
					pointer: "/data/id",
				}),
			]);
		}
		const record = await patchUserRecord(
			deps,
			c.var.projectId,
			user_id,
			toUserInput(data.attributes),
			ifMatchVersions(c.req.header("if-match")),
		);
		return c.json(toUserDocument(record, view), 200, { ETag: etagOf(record.user.version) });
	});
}
