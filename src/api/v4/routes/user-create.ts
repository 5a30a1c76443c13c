// docs/rest-v4.md, "POST /api/user/management/v4/users": create a user (JSON:API §9.1); its default profile comes with it.
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { createUserRecord } from "../../../domain/users/user.create-record";
import type { AppEnv } from "../../context";
import { etagOf } from "../etag";
import { readView } from "../query";
import {
	createDocument,
	errorResponses,
	etagHeader,
	jsonApiBody,
	jsonApiContent,
	readQuery,
	userDocument,
	V4_BASE,
} from "../schemas";
import { toNewUser, toUserDocument, userUrl } from "../user-mapper";

const create = createRoute({
	method: "post",
	path: `${V4_BASE}/users`,
	tags: ["users"],
	summary: "Create a new user",
	description:
		"contact_details.email (else external_id) becomes the user's login id, so one of them is required. " +
		"registration_state defaults to UNREGISTERED.",
	request: { query: readQuery, body: jsonApiBody(createDocument) },
	responses: {
		201: {
			description: "Created; Location names the new user",
			headers: { ...etagHeader, Location: { schema: { type: "string" } } },
			content: jsonApiContent(userDocument),
		},
		...errorResponses,
		409: {
			description: "data.type is not users, or the email, phone or external id is another user's",
			content: errorResponses[400].content,
		},
	},
});

export function registerUserCreateRoute(app: OpenAPIHono<AppEnv>) {
	app.openapi(create, async (c) => {
		const deps = c.var.deps;
		const view = readView(c, c.req.valid("query"), V4_BASE, deps.now());
		const { data } = c.req.valid("json");
		const record = await createUserRecord(deps, c.var.projectId, toNewUser(data.attributes));
		return c.json(toUserDocument(record, view), 201, {
			ETag: etagOf(record.user.version),
			Location: userUrl(view.base, record.user.id),
		});
	});
}
