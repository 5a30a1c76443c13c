// docs/rest-v4.md, "GET /api/user/management/v4/users/{user_id}": one user, with include and sparse fieldsets; If-None-Match → 304.
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { getUserRecord } from "../../../domain/users/users.list";
import type { AppEnv } from "../../context";
import { etagOf, notModified } from "../etag";
import { readView } from "../query";
import {
	errorResponses,
	etagHeader,
	ifNoneMatchHeaders,
	jsonApiContent,
	readQuery,
	userDocument,
	userIdParams,
	V4_BASE,
} from "../schemas";
import { toUserDocument } from "../user-mapper";

const read = createRoute({
	method: "get",
	path: `${V4_BASE}/users/{user_id}`,
	tags: ["users"],
	summary: "Get user by id",
	request: { params: userIdParams, query: readQuery, headers: ifNoneMatchHeaders },
	responses: {
		200: { description: "The user", headers: etagHeader, content: jsonApiContent(userDocument) },
		304: { description: "If-None-Match names the current version", headers: etagHeader },
		...errorResponses,
		404: { description: "No such user in the key's project", content: errorResponses[400].content },
	},
});

export function registerUserReadRoute(app: OpenAPIHono<AppEnv>) {
	app.openapi(read, async (c) => {
		const deps = c.var.deps;
		const { user_id } = c.req.valid("param");
		const view = readView(c, c.req.valid("query"), V4_BASE, deps.now());
		const record = await getUserRecord(deps, c.var.projectId, user_id);
		const etag = etagOf(record.user.version);
		if (notModified(c.req.header("if-none-match"), record.user.version)) {
			return c.body(null, 304, { ETag: etag });
		}
		return c.json(toUserDocument(record, view), 200, { ETag: etag });
	});
}
