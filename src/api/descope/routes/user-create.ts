// `management.user.create`, `createTestUser`, `invite`, `createBatch` / `inviteBatch` and `import` (docs/descope-compat.md).
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { DomainError, invalid } from "../../../domain/errors";
import type { NewUserInput } from "../../../domain/users/user.create";
import * as users from "../../../domain/users/users.service";
import type { HashedPasswordInput } from "../../../lib/passwords";
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

type BatchUser = z.infer<typeof batchUser>;

const toNewUser = (item: BatchUser): NewUserInput => ({
	...toUserFields(item),
	createdAt: item.createdTime === undefined ? undefined : item.createdTime * 1000,
	password: item.password,
	hashedPassword: item.hashedPassword as HashedPasswordInput | null | undefined,
});

const failedUser = (f: { input: Parameters<typeof inputAsResponseUser>[0]; reason: string }) => ({
	failure: f.reason,
	user: inputAsResponseUser(f.input),
});

const importUsers = createRoute({
	method: "post",
	path: "/v1/mgmt/user/import",
	tags: ["users"],
	summary:
		"Import users: `users` is a JSON array of batch users (plain or base64), with `password` or `hashedPassword`; `dryrun` only validates",
	request: {
		body: jsonBody(
			z.object({
				source: optString,
				users: z.union([z.string(), z.array(z.unknown())]).nullish(),
				hashes: z.unknown().optional(),
				dryrun: optBool,
			}),
		),
	},
	responses: ok(
		z.object({
			users: z.array(responseUser),
			failures: z.array(z.object({ user: z.string(), reason: z.string() })),
		}),
	),
});

function parseImportUsers(value: string | unknown[] | null | undefined): BatchUser[] {
	if (!value) throw new DomainError("missing_argument", "users is required", "users");
	let parsed: unknown = value;
	if (typeof value === "string") {
		const text = value.trim().startsWith("[") ? value : decodeBase64(value);
		try {
			parsed = JSON.parse(text);
		} catch {
			throw invalid("users", "must be a JSON array of users (plain or base64)");
		}
	}
	const result = z.array(batchUser).max(users.MAX_BATCH).safeParse(parsed);
	if (!result.success) {
		const issue = result.error.issues[0];
		throw invalid(
			`users${issue?.path.length ? `.${issue.path.join(".")}` : ""}`,
			issue?.message ?? "invalid",
		);
	}
	return result.data;
}

function decodeBase64(value: string) {
	try {
		return new TextDecoder().decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0)));
	} catch {
		throw invalid("users", "must be a JSON array of users (plain or base64)");
	}
}

export function registerUserCreateRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(importUsers, async (c) => {
		const body = c.req.valid("json");
		const items = parseImportUsers(body.users);
		const result = await users.createManyUsers(c.var.deps, c.var.projectId, items.map(toNewUser), {
			dryRun: body.dryrun ?? false,
			action: "user.imported",
		});
		return c.json(
			{
				users: body.dryrun
					? result.valid.map((v) => inputAsResponseUser(v))
					: result.created.map(toResponseUser),
				failures: result.failed.map((f) => ({
					user: inputAsResponseUser(f.input).loginIds[0] ?? "",
					reason: f.reason,
				})),
			},
			200,
		);
	});

	app.openapi(create, async (c) => {
		const body = c.req.valid("json");
		const fields = {
			...toUserFields(body),
			password: await users.passwordOf(c.var.deps, c.var.projectId, {
				password: body.password,
				hashedPassword: body.hashedPassword,
			}),
		};
		const user = body.invite
			? await users.inviteUser(c.var.deps, c.var.projectId, fields)
			: await users.createUser(c.var.deps, c.var.projectId, fields);
		return c.json({ user: toResponseUser(user) }, 200);
	});

	app.openapi(createTest, async (c) => {
		const body = c.req.valid("json");
		const password = await users.passwordOf(c.var.deps, c.var.projectId, {
			password: body.password,
			hashedPassword: body.hashedPassword,
		});
		const user = await users.createUser(c.var.deps, c.var.projectId, {
			...toUserFields(body),
			password,
			test: true,
		});
		return c.json({ user: toResponseUser(user) }, 200);
	});

	app.openapi(createBatch, async (c) => {
		const body = c.req.valid("json");
		if (body.users.length === 0) throw invalid("users", "at least one user is required");
		const result = await users.createManyUsers(c.var.deps, c.var.projectId, body.users.map(toNewUser), {
			action: body.invite ? "user.invited" : "user.created",
		});
		return c.json(
			{
				createdUsers: result.created.map(toResponseUser),
				failedUsers: result.failed.map(failedUser),
				additionalErrors: {},
			},
			200,
		);
	});
}
