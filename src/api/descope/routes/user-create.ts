// Contract §3.1 rows 9, 9b, 9c, 10, 10b: create, create test user, invite, batch create / invite.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { invalid } from "../../../domain/errors";
import type { UserFields } from "../../../domain/users/user.types";
import * as users from "../../../domain/users/users.service";
import type { AppEnv } from "../../context";
import {
	jsonBody,
	ok,
	optBool,
	optInt64,
	optString,
	responseUser,
	userEnvelope,
	userFieldsBody,
} from "../schemas";
import { inputAsResponseUser, toResponseUser, toUserFields } from "../user-mapper";

// Invitation delivery options are accepted and ignored: Roster sends no email or SMS.
const inviteOptions = {
	inviteUrl: optString,
	sendMail: optBool,
	sendSMS: optBool,
	templateId: optString,
	templateOptions: z.record(z.string(), z.unknown()).nullish(),
	locale: optString,
};

const createBody = userFieldsBody.extend({
	...inviteOptions,
	password: optString,
	hashedPassword: z.record(z.string(), z.unknown()).nullish(),
});

const create = createRoute({
	method: "post",
	path: "/v1/mgmt/user/create",
	tags: ["users"],
	summary: "Create a user (`invite: true` invites; inviting an existing user returns it)",
	request: { body: jsonBody(createBody) },
	responses: ok(userEnvelope),
});

const createTest = createRoute({
	method: "post",
	path: "/v1/mgmt/user/create/test",
	tags: ["users"],
	summary: "Create a test user",
	request: { body: jsonBody(createBody) },
	responses: ok(userEnvelope),
});

const batchUser = createBody.extend({ createdTime: optInt64, seed: optString });
const batchBody = z.object({ users: z.array(batchUser), invite: optBool, ...inviteOptions });
const batchResponse = z.object({
	createdUsers: z.array(responseUser),
	failedUsers: z.array(z.object({ failure: z.string(), user: responseUser })),
	additionalErrors: z.record(z.string(), z.string()),
});

const createBatch = createRoute({
	method: "post",
	path: "/v1/mgmt/user/create/batch",
	tags: ["users"],
	summary: `Create up to ${users.MAX_BATCH} users; each invalid or colliding user is reported in failedUsers`,
	request: { body: jsonBody(batchBody) },
	responses: ok(batchResponse),
});

function rejectPasswords(body: { password?: string | null; hashedPassword?: unknown }) {
	if (body.password) throw invalid("password", "password credentials are not available yet");
	if (body.hashedPassword) throw invalid("hashedPassword", "password credentials are not available yet");
}

export function registerUserCreateRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(create, async (c) => {
		const body = c.req.valid("json");
		rejectPasswords(body);
		const fields = toUserFields(body);
		const user = body.invite
			? await users.inviteUser(c.var.deps, c.var.projectId, fields)
			: await users.createUser(c.var.deps, c.var.projectId, fields);
		return c.json({ user: toResponseUser(user) }, 200);
	});

	app.openapi(createTest, async (c) => {
		const body = c.req.valid("json");
		rejectPasswords(body);
		const user = await users.createUser(c.var.deps, c.var.projectId, { ...toUserFields(body), test: true });
		return c.json({ user: toResponseUser(user) }, 200);
	});

	app.openapi(createBatch, async (c) => {
		const body = c.req.valid("json");
		if (body.users.length === 0) throw invalid("users", "at least one user is required");
		const failedUsers: { failure: string; user: ReturnType<typeof toResponseUser> }[] = [];
		const inputs: UserFields[] = [];
		for (const item of body.users) {
			const fields: UserFields = {
				...toUserFields(item),
				createdAt: item.createdTime === undefined ? undefined : item.createdTime * 1000,
			};
			if (item.password || item.hashedPassword) {
				failedUsers.push({
					failure: "password credentials are not available yet",
					user: inputAsResponseUser(fields),
				});
			} else {
				inputs.push(fields);
			}
		}
		const result =
			inputs.length > 0
				? await users.createUsers(c.var.deps, c.var.projectId, inputs)
				: { created: [], failed: [] };
		for (const f of result.failed)
			failedUsers.push({ failure: f.reason, user: inputAsResponseUser(f.input) });
		return c.json(
			{ createdUsers: result.created.map(toResponseUser), failedUsers, additionalErrors: {} },
			200,
		);
	});
}
