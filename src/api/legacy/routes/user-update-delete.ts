// docs/migration-v4.md: legacy "PUT|DELETE /api/management/user/{email}" (successor: v4 PATCH|DELETE /users/{user_id}).
import type { Context, Hono } from "hono";
import { deleteUserById } from "../../../domain/users/user.delete";
import { patchUser } from "../../../domain/users/user.patch";
import { userIdByEmail } from "../../../domain/users/users.list";
import type { AppEnv } from "../../context";
import { publicOrigin } from "../../public-origin";
import { V4_BASE } from "../../v4/schemas";
import { userUrl } from "../../v4/user-mapper";
import { readLegacyBody } from "../body";
import { LegacyError } from "../errors";
import { toLegacyUser, toUserPatch } from "../mapper";

const PATH = "/api/management/user/:email";

const successorOf = (c: Context, userId: string) =>
	`<${userUrl(`${publicOrigin(c)}${V4_BASE}`, userId)}>; rel="successor-version"`;

export function registerLegacyUpdateDeleteRoutes(app: Hono<AppEnv>) {
	/** Only the fields sent change (legacy PUT never cleared what it was not given). */
	app.put(PATH, async (c) => {
		const body = await readLegacyBody(c);
		if (body.email === null || body.email === "") {
			const message = "email: cannot be removed: the legacy API addresses users by email";
			throw new LegacyError(400, "invalid_argument", message, [{ field: "email", message }]);
		}
		const userId = await userIdByEmail(c.var.deps, c.var.projectId, c.req.param("email"));
		const user = await patchUser(c.var.deps, c.var.projectId, userId, toUserPatch(body), {
			loginIdFollows: true,
		});
		return c.json(toLegacyUser(user), 200, { Link: successorOf(c, user.id) });
	});

	app.delete(PATH, async (c) => {
		const userId = await userIdByEmail(c.var.deps, c.var.projectId, c.req.param("email"));
		await deleteUserById(c.var.deps, c.var.projectId, userId);
		return c.body(null, 204, { Link: successorOf(c, userId) });
	});
}
