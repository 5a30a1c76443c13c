// `management.user.update`, `patch`, `patchBatch`, `updateStatus`, `updateEmail`, … (docs/descope-compat.md): update (overwrite), patch, patch batch, status, email, login id, phone,
// names, picture, custom attribute.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { DomainError } from "../../../domain/errors";
import * as users from "../../../domain/users/users.service";
import type { AppEnv } from "../../context";
import {
	attributeValue,
	jsonBody,
	loginIdField,
	ok,
	optBool,
	optString,
	responseUser,
	statusField,
	userEnvelope,
	userFieldsBody,
} from "../schemas";
import {
	clearedValue,
	inPatchTerms,
	inputAsResponseUser,
	patchError,
	toResponseUser,
	toUserFields,
	toUserPatch,
} from "../user-mapper";

const patchBody = userFieldsBody.omit({ test: true, invite: true });

const update = createRoute({
	method: "post",
	path: "/v1/mgmt/user/update",
	tags: ["users"],
	summary: "Update a user: overwrites every field; fields not given are cleared",
	request: { body: jsonBody(userFieldsBody.omit({ test: true, invite: true })) },
	responses: ok(userEnvelope),
});
const patch = createRoute({
	method: "patch",
	path: "/v1/mgmt/user/patch",
	tags: ["users"],
	summary: "Patch a user: only the given fields change",
	request: { body: jsonBody(patchBody) },
	responses: ok(userEnvelope),
});
const patchBatch = createRoute({
	method: "patch",
	path: "/v1/mgmt/user/patch/batch",
	tags: ["users"],
	summary: `Patch up to ${users.MAX_BATCH} users; each failure is reported in failedUsers`,
	request: { body: jsonBody(z.object({ users: z.array(patchBody) })) },
	responses: ok(
		z.object({
			patchedUsers: z.array(responseUser),
			failedUsers: z.array(z.object({ failure: z.string(), user: responseUser })),
			additionalErrors: z.record(z.string(), z.string()),
		}),
	),
});
const status = createRoute({
	method: "post",
	path: "/v1/mgmt/user/update/status",
	tags: ["users"],
	summary: "Enable, disable or re-invite a user",
	request: { body: jsonBody(z.object({ loginId: loginIdField, status: statusField })) },
	responses: ok(userEnvelope),
});
const contactBody = (field: "email" | "phone") =>
	z.object({
		loginId: loginIdField,
		[field]: z.string().nullish(),
		verified: optBool,
		failOnConflict: optBool,
	}) as z.ZodObject<{
		loginId: z.ZodString;
		email: z.ZodOptional<z.ZodNullable<z.ZodString>>;
		phone: z.ZodOptional<z.ZodNullable<z.ZodString>>;
		verified: typeof optBool;
		failOnConflict: typeof optBool;
	}>;
const email = createRoute({
	method: "post",
	path: "/v1/mgmt/user/update/email",
	tags: ["users"],
	summary: "Set or (empty) remove the email",
	request: { body: jsonBody(contactBody("email")) },
	responses: ok(userEnvelope),
});
const phone = createRoute({
	method: "post",
	path: "/v1/mgmt/user/update/phone",
	tags: ["users"],
	summary: "Set or (empty) remove the phone (E.164)",
	request: { body: jsonBody(contactBody("phone")) },
	responses: ok(userEnvelope),
});
const loginIdRoute = createRoute({
	method: "post",
	path: "/v1/mgmt/user/update/loginid",
	tags: ["users"],
	summary: "Change a login id, or remove it with an empty newLoginId (never the last one)",
	request: { body: jsonBody(z.object({ loginId: loginIdField, newLoginId: optString })) },
	responses: ok(userEnvelope),
});
const names = createRoute({
	method: "post",
	path: "/v1/mgmt/user/update/name",
	tags: ["users"],
	summary: "Update display, given, middle and family names (absent = unchanged, empty = cleared)",
	request: {
		body: jsonBody(
			z.object({
				loginId: loginIdField,
				displayName: optString,
				givenName: optString,
				middleName: optString,
				familyName: optString,
			}),
		),
	},
	responses: ok(userEnvelope),
});
const picture = createRoute({
	method: "post",
	path: "/v1/mgmt/user/update/picture",
	tags: ["users"],
	summary: "Set or (empty) remove the picture URL",
	request: { body: jsonBody(z.object({ loginId: loginIdField, picture: z.string().nullish() })) },
	responses: ok(userEnvelope),
});
const customAttribute = createRoute({
	method: "post",
	path: "/v1/mgmt/user/update/customAttribute",
	tags: ["users"],
	summary: "Set one custom attribute (null removes it); the value must match the attribute's type",
	request: {
		body: jsonBody(
			z.object({
				loginId: loginIdField,
				attributeKey: z.string(),
				attributeValue: attributeValue.optional(),
			}),
		),
	},
	responses: ok(userEnvelope),
});

const g = <T>(v: T | null | undefined) => (v === null ? undefined : v);

export function registerUserUpdateRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(update, async (c) => {
		const body = c.req.valid("json");
		const { loginId: _, ...fields } = toUserFields(body);
		const user = await users.updateUser(c.var.deps, c.var.projectId, body.loginId, fields);
		return c.json({ user: toResponseUser(user) }, 200);
	});

	app.openapi(patch, async (c) => {
		const body = c.req.valid("json");
		const user = await users
			.patchUser(c.var.deps, c.var.projectId, body.loginId, toUserPatch(body))
			.catch((error) => {
				throw patchError(error);
			});
		return c.json({ user: toResponseUser(user) }, 200);
	});

	app.openapi(patchBatch, async (c) => {
		const { users: items } = c.req.valid("json");
		if (items.length === 0) throw new DomainError("missing_argument", "users is required", "users");
		const result = await users.patchUsers(
			c.var.deps,
			c.var.projectId,
			items.map((item) => ({ ref: item.loginId, patch: toUserPatch(item) })),
		);
		return c.json(
			{
				patchedUsers: result.patched.map(toResponseUser),
				failedUsers: result.failed.map((f) => ({
					failure: inPatchTerms(f.reason),
					user: f.user ? toResponseUser(f.user) : inputAsResponseUser({ loginId: f.ref }),
				})),
				additionalErrors: {},
			},
			200,
		);
	});

	app.openapi(status, async (c) => {
		const body = c.req.valid("json");
		const user = await users.setStatus(c.var.deps, c.var.projectId, body.loginId, body.status);
		return c.json({ user: toResponseUser(user) }, 200);
	});

	app.openapi(email, async (c) => {
		const b = c.req.valid("json");
		const user = await users.updateEmail(
			c.var.deps,
			c.var.projectId,
			b.loginId,
			clearedValue(b.email),
			g(b.verified),
			b.failOnConflict ?? false,
		);
		return c.json({ user: toResponseUser(user) }, 200);
	});

	app.openapi(phone, async (c) => {
		const b = c.req.valid("json");
		const user = await users.updatePhone(
			c.var.deps,
			c.var.projectId,
			b.loginId,
			clearedValue(b.phone),
			g(b.verified),
			b.failOnConflict ?? false,
		);
		return c.json({ user: toResponseUser(user) }, 200);
	});

	app.openapi(loginIdRoute, async (c) => {
		const b = c.req.valid("json");
		const user = await users.updateLoginId(c.var.deps, c.var.projectId, b.loginId, g(b.newLoginId));
		return c.json({ user: toResponseUser(user) }, 200);
	});

	app.openapi(names, async (c) => {
		const b = c.req.valid("json");
		const user = await users.updateNames(c.var.deps, c.var.projectId, b.loginId, {
			name: g(b.displayName),
			givenName: g(b.givenName),
			middleName: g(b.middleName),
			familyName: g(b.familyName),
		});
		return c.json({ user: toResponseUser(user) }, 200);
	});

	app.openapi(picture, async (c) => {
		const b = c.req.valid("json");
		const user = await users.updatePicture(c.var.deps, c.var.projectId, b.loginId, clearedValue(b.picture));
		return c.json({ user: toResponseUser(user) }, 200);
	});

	app.openapi(customAttribute, async (c) => {
		const b = c.req.valid("json");
		const user = await users.updateCustomAttribute(
			c.var.deps,
			c.var.projectId,
			b.loginId,
			b.attributeKey,
			b.attributeValue ?? null,
		);
		return c.json({ user: toResponseUser(user) }, 200);
	});
}
