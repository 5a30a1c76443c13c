// docs/rest-v4.md, "DELETE /api/user/management/v4/users/{user_id}": 204 (JSON:API §9.3), If-Match → 412 when stale.
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { DomainError } from "../../../domain/errors";
import { deleteUserById } from "../../../domain/users/user.delete";
import type { AppEnv } from "../../context";
import { ifMatchVersions } from "../etag";
import { errorResponses, ifMatchHeaders, userIdParams, V4_BASE } from "../schemas";

const remove = createRoute({
	method: "delete",
	path: `${V4_BASE}/users/{user_id}`,
	tags: ["users"],
	summary: "Delete user by id",
	description: "Removes the user with its login ids, default profile and flags.",
	request: { params: userIdParams, headers: ifMatchHeaders },
	responses: {
		204: { description: "Deleted" },
		...errorResponses,
		404: { description: "No such user in the key's project", content: errorResponses[400].content },
		412: { description: "If-Match does not name the current version", content: errorResponses[400].content },
	},
});

export function registerUserDeleteRoute(app: OpenAPIHono<AppEnv>) {
	app.openapi(remove, async (c) => {
		const { user_id } = c.req.valid("param");
		const versions = ifMatchVersions(c.req.header("if-match"));
		const deleted = await deleteUserById(c.var.deps, c.var.projectId, user_id, { versions });
		if (!deleted) throw new DomainError("user_not_found", `No user with id "${user_id}"`);
		return c.body(null, 204);
	});
}
