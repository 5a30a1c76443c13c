// Deleting users (`management.user.delete`, `deleteByUserId`, `deleteBatch`, `deleteAllTestUsers`;
// docs/descope-compat.md).
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { DomainError } from "../../../domain/errors";
import * as users from "../../../domain/users/users.service";
import type { AppEnv } from "../../context";
import { empty, jsonBody, ok, optString } from "../schemas";

const remove = createRoute({
	method: "post",
	path: "/v1/mgmt/user/delete",
	tags: ["users"],
	summary: "Delete a user by login id (or user id), or by userId; deleting an unknown user succeeds",
	request: { body: jsonBody(z.object({ loginId: optString, userId: optString })) },
	responses: ok(empty),
});
const removeBatch = createRoute({
	method: "post",
	path: "/v1/mgmt/user/delete/batch",
	tags: ["users"],
	summary: `Delete up to ${users.MAX_BATCH} users by user id`,
	request: { body: jsonBody(z.object({ userIds: z.array(z.string()) })) },
	responses: ok(empty),
});
const removeTestUsers = createRoute({
	method: "delete",
	path: "/v1/mgmt/user/test/delete/all",
	tags: ["users"],
	summary: "Delete every test user of the project",
	responses: ok(empty),
});

export function registerUserDeleteRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(remove, async (c) => {
		const { loginId, userId } = c.req.valid("json");
		if (loginId) await users.deleteUser(c.var.deps, c.var.projectId, loginId);
		else if (userId) await users.deleteUserById(c.var.deps, c.var.projectId, userId);
		else throw new DomainError("missing_argument", "loginId or userId is required", "loginId");
		return c.json({}, 200);
	});

	app.openapi(removeBatch, async (c) => {
		await users.deleteUsers(c.var.deps, c.var.projectId, c.req.valid("json").userIds);
		return c.json({}, 200);
	});

	app.openapi(removeTestUsers, async (c) => {
		await users.deleteTestUsers(c.var.deps, c.var.projectId);
		return c.json({}, 200);
	});
}
