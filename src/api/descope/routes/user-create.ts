// Contract §3.1 rows 9, 9b, 9c, 10, 10b: create, create test user, invite, batch create / invite.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Deps } from "../../../domain/deps";
import { DomainError, invalid } from "../../../domain/errors";
import { passwordFromInput, readPasswordPolicy } from "../../../domain/sessions/password-input";
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

type BatchUser = z.infer<typeof batchUser>;

async function passwordOf(
	deps: Deps,
	projectId: string,
	body: { password?: string | null; hashedPassword?: unknown },
) {
	if (!body.password && !body.hashedPassword) return undefined;
	return passwordFromInput(await readPasswordPolicy(deps, projectId), {
		password: body.password,
		hashedPassword: body.hashedPassword as Record<string, unknown> | null,
	});
}

/**
 * Batch create and import: each user's password is checked (policy) and hashed, or its imported
 * hash validated; a bad one fails that user only. With `dryRun` nothing is written.
 */
async function createMany(deps: Deps, projectId: string, items: BatchUser[], dryRun: boolean) {
	const failed: { failure: string; user: ReturnType<typeof toResponseUser> }[] = [];
	const inputs: UserFields[] = [];
	const needsPolicy = items.some((i) => i.password);
	const policy = needsPolicy ? await readPasswordPolicy(deps, projectId) : undefined;
	for (const item of items) {
		const fields: UserFields = {
			...toUserFields(item),
			createdAt: item.createdTime === undefined ? undefined : item.createdTime * 1000,
		};
		try {
			fields.password =
				item.password || item.hashedPassword
					? await passwordFromInput(
							policy ?? {
								minLength: 0,
								lowercase: false,
								uppercase: false,
								number: false,
								nonAlphanumeric: false,
							},
							{
								password: item.password,
								hashedPassword: item.hashedPassword as Record<string, unknown> | null,
							},
						)
					: undefined;
			inputs.push(fields);
		} catch (error) {
			if (!(error instanceof DomainError)) throw error;
			failed.push({ failure: error.message, user: inputAsResponseUser(fields) });
		}
	}
	if (dryRun) return { created: [], failed, valid: inputs };
	const result =
		inputs.length > 0 ? await users.createUsers(deps, projectId, inputs) : { created: [], failed: [] };
	for (const f of result.failed) failed.push({ failure: f.reason, user: inputAsResponseUser(f.input) });
	return { created: result.created, failed, valid: inputs };
}

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
		const result = await createMany(c.var.deps, c.var.projectId, items, body.dryrun ?? false);
		return c.json(
			{
				users: body.dryrun
					? result.valid.map((v) => inputAsResponseUser(v))
					: result.created.map(toResponseUser),
				failures: result.failed.map((f) => ({ user: f.user.loginIds[0] ?? "", reason: f.failure })),
			},
			200,
		);
	});

	app.openapi(create, async (c) => {
		const body = c.req.valid("json");
		const fields = { ...toUserFields(body), password: await passwordOf(c.var.deps, c.var.projectId, body) };
		const user = body.invite
			? await users.inviteUser(c.var.deps, c.var.projectId, fields)
			: await users.createUser(c.var.deps, c.var.projectId, fields);
		return c.json({ user: toResponseUser(user) }, 200);
	});

	app.openapi(createTest, async (c) => {
		const body = c.req.valid("json");
		const password = await passwordOf(c.var.deps, c.var.projectId, body);
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
		const result = await createMany(c.var.deps, c.var.projectId, body.users, false);
		return c.json(
			{ createdUsers: result.created.map(toResponseUser), failedUsers: result.failed, additionalErrors: {} },
			200,
		);
	});
}
