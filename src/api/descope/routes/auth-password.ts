// End-user passwords (docs/sessions.md; core-js-sdk `password.signUp`, `signIn`, `replace`, `update`,
// `policy`): sign-up, sign-in, replace, update and the policy.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import * as auth from "../../../domain/sessions/auth.service";
import type { AppEnv } from "../../context";
import { jwtResponse, requestInfo } from "../auth-endpoints";
import { empty, jsonBody, ok, optString, responseUser } from "../schemas";

export const jwtResponseSchema = z
	.object({
		sessionJwt: z.string(),
		refreshJwt: z.string(),
		cookieDomain: z.string(),
		cookiePath: z.string(),
		cookieMaxAge: z.number().int(),
		cookieExpiration: z.number().int(),
		sessionExpiration: z.number().int(),
		user: responseUser,
		firstSeen: z.boolean(),
		claims: z.record(z.string(), z.unknown()),
	})
	.openapi("JWTResponse");

const loginOptions = z
	.object({
		customClaims: z.record(z.string(), z.unknown()).nullish().openapi({
			description: "Signed under the `nsec` claim, never at the top level; at most 4 KB of JSON",
		}),
	})
	.catchall(z.unknown())
	.nullish();
const password = z.string().min(1);
const tags = ["auth: password"];

const signUp = createRoute({
	method: "post",
	path: "/v1/auth/password/signup",
	tags,
	summary: "Sign up with a password: creates an enabled user and signs in",
	request: {
		body: jsonBody(
			z.object({
				loginId: z.string().min(1),
				password,
				user: z
					.object({
						email: optString,
						phone: optString,
						name: optString,
						givenName: optString,
						middleName: optString,
						familyName: optString,
					})
					.nullish(),
				loginOptions,
			}),
		),
	},
	responses: ok(jwtResponseSchema),
});
const signIn = createRoute({
	method: "post",
	path: "/v1/auth/password/signin",
	tags,
	summary: "Sign in with a password",
	request: { body: jsonBody(z.object({ loginId: z.string().min(1), password, loginOptions })) },
	responses: ok(jwtResponseSchema),
});
const replace = createRoute({
	method: "post",
	path: "/v1/auth/password/replace",
	tags,
	summary: "Replace a password (also an expired or temporary one) and sign in; other sessions end",
	request: {
		body: jsonBody(z.object({ loginId: z.string().min(1), oldPassword: password, newPassword: password })),
	},
	responses: ok(jwtResponseSchema),
});
const update = createRoute({
	method: "post",
	path: "/v1/auth/password/update",
	tags,
	summary: "Change the signed-in user's password (Bearer <projectId>:<refreshJwt>); every session ends",
	request: { body: jsonBody(z.object({ loginId: z.string().min(1), newPassword: password })) },
	responses: ok(empty),
});
const policy = createRoute({
	method: "get",
	path: "/v1/auth/password/policy",
	tags,
	summary: "The project's password policy",
	responses: ok(
		z.object({
			minLength: z.number().int(),
			lowercase: z.boolean(),
			uppercase: z.boolean(),
			number: z.boolean(),
			nonAlphanumeric: z.boolean(),
		}),
	),
});

const given = <T>(v: T | null | undefined) => (v === null ? undefined : v);

export function registerPasswordAuthRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(signUp, async (c) => {
		const b = c.req.valid("json");
		const u = b.user ?? {};
		const result = await auth.signUpWithPassword(
			c.var.deps,
			c.var.projectId,
			{
				loginId: b.loginId,
				password: b.password,
				user: {
					email: given(u.email),
					phone: given(u.phone),
					name: given(u.name),
					givenName: given(u.givenName),
					middleName: given(u.middleName),
					familyName: given(u.familyName),
				},
				customClaims: given(b.loginOptions?.customClaims),
			},
			requestInfo(c),
		);
		return c.json(jwtResponse(result), 200);
	});
	app.openapi(signIn, async (c) => {
		const b = c.req.valid("json");
		const result = await auth.signInWithPassword(
			c.var.deps,
			c.var.projectId,
			{ loginId: b.loginId, password: b.password, customClaims: given(b.loginOptions?.customClaims) },
			requestInfo(c),
		);
		return c.json(jwtResponse(result), 200);
	});
	app.openapi(replace, async (c) => {
		const result = await auth.replacePassword(
			c.var.deps,
			c.var.projectId,
			c.req.valid("json"),
			requestInfo(c),
		);
		return c.json(jwtResponse(result), 200);
	});
	app.openapi(update, async (c) => {
		const b = c.req.valid("json");
		await auth.updatePassword(c.var.deps, c.var.projectId, c.var.bearerToken, b.loginId, b.newPassword);
		return c.json({}, 200);
	});
	app.openapi(policy, async (c) => c.json(await auth.passwordPolicy(c.var.deps, c.var.projectId), 200));
}
