// docs/rest-v4.md, "PATCH /api/user/management/v4/users/{user_id}": partial update (JSON:API §9.2), If-Match → 412 when stale.
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Deps } from "../../../domain/deps";
import { patchUserRecord } from "../../../domain/users/user.patch";
import { getUserRecord } from "../../../domain/users/users.list";
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
	type UserAttributesIn,
	userDocument,
	userIdParams,
	V4_BASE,
} from "../schemas";
import { toUserDocument, toUserPatch } from "../user-mapper";

const update = createRoute({
	method: "patch",
	path: `${V4_BASE}/users/{user_id}`,
	tags: ["users"],
	summary: "Update user by id",
	description:
		"Only the attributes sent change; contact_details and registration_information merge member by member. " +
		"REGISTERED registers an invited user (status enabled, registration_time stamped); UNREGISTERED makes " +
		"the user invited again. Read-only members (registration_time, the default_user_profile linkage) are " +
		"accepted when unchanged, so a fetched resource can be sent back as it was; a change to one answers 403, " +
		"unknown members 400, and nothing changes.",
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

/**
 * A client may PATCH back a resource as it fetched it: read-only members are accepted when their
 * value is the current one and refused (403) only when they would change. Only such a request
 * costs the extra read.
 */
async function refuseChangedReadOnly(
	deps: Deps,
	projectId: string,
	userId: string,
	data: { attributes?: UserAttributesIn; relationships?: Record<string, unknown> },
) {
	const time = data.attributes?.registration_information?.registration_time;
	const linkage = data.relationships?.default_user_profile as { data: { id: string } | null } | undefined;
	if (time === undefined && linkage === undefined) return;
	const { user, profile } = await getUserRecord(deps, projectId, userId);
	const errors = [];
	const current = user.registrationTime === null ? null : Math.floor(user.registrationTime / 1000);
	if (time !== undefined && time !== current) {
		errors.push(
			errorObject(
				403,
				"read_only",
				"registration_information.registration_time: is read-only: it is stamped when the user registers",
				{
					pointer: "/data/attributes/registration_information/registration_time",
				},
			),
		);
	}
	if (linkage !== undefined && (linkage.data?.id ?? null) !== (profile?.id ?? null)) {
		errors.push(
			errorObject(403, "read_only", "default_user_profile: is created with the user and cannot be replaced", {
				pointer: "/data/relationships/default_user_profile",
			}),
		);
	}
	if (errors.length) throw new JsonApiError(errors);
}

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
		await refuseChangedReadOnly(deps, c.var.projectId, user_id, data);
		const record = await patchUserRecord(deps, c.var.projectId, user_id, toUserPatch(data.attributes), {
			versions: ifMatchVersions(c.req.header("if-match")),
			loginIdFollows: true,
		});
		return c.json(toUserDocument(record, view), 200, { ETag: etagOf(record.user.version) });
	});
}
