// docs/rest-v4.md, "GET /api/user/management/v4/users": the index, JSON:API cursor pagination, filters, sort, sparse fieldsets.
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { keyValuesOf, listUserRecords, type UserRecord } from "../../../domain/users/users.list";
import type { AppEnv } from "../../context";
import { JSONAPI } from "../media-type";
import { encodeCursor, linkWith, parseIndexQuery } from "../query";
import { errorResponses, indexQuery, jsonApiContent, usersDocument, V4_BASE } from "../schemas";
import { included, toUserResource } from "../user-mapper";

const index = createRoute({
	method: "get",
	path: `${V4_BASE}/users`,
	tags: ["users"],
	summary: "Get an index of users",
	description:
		"Keyset (cursor) pagination: follow links.next / links.prev. Every filter is served by an index; " +
		"page[total]=true adds meta.total.",
	request: { query: indexQuery },
	responses: {
		200: { description: "A page of users", content: jsonApiContent(usersDocument) },
		...errorResponses,
	},
});

export function registerUsersIndexRoute(app: OpenAPIHono<AppEnv>) {
	app.openapi(index, async (c) => {
		const deps = c.var.deps;
		const { view, list } = parseIndexQuery(c, c.req.valid("query"), V4_BASE, deps.now());
		const { records, hasMore, total } = await listUserRecords(deps, c.var.projectId, list);

		const cursorOf = (r: UserRecord) => encodeCursor(list.sort, keyValuesOf(r.user, list.sort), r.user.id);
		const after = (r: UserRecord) => linkWith(c, { "page[after]": cursorOf(r), "page[before]": null });
		const before = (r: UserRecord) => linkWith(c, { "page[before]": cursorOf(r), "page[after]": null });
		const firstLink = linkWith(c, { "page[after]": null, "page[before]": null });
		const first = records[0];
		const last = records.at(-1);
		let next: string | null = null;
		let prev: string | null = null;
		if (list.cursor?.backwards) {
			// Nothing before the cursor: the next page is the first one.
			next = last ? after(last) : firstLink;
			prev = hasMore && first ? before(first) : null;
		} else {
			next = hasMore && last ? after(last) : null;
			prev = list.cursor && first ? before(first) : null;
		}

		const inc = included(records, view);
		return c.json(
			{
				jsonapi: JSONAPI,
				data: records.map((r) => toUserResource(r, view)),
				...(inc ? { included: inc } : {}),
				links: { self: linkWith(c, {}), first: firstLink, prev, next },
				meta: { page: { size: list.size }, ...(total !== undefined ? { total } : {}) },
			},
			200,
		);
	});
}
