// Passkeys (docs/sessions.md; core-js-sdk `webauthn`): sign-up, sign-in and update, each start + finish.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import * as passkeys from "../../../domain/sessions/passkeys.service";
import type { AppEnv } from "../../context";
import { jwtResponse, requestInfo } from "../auth-endpoints";
import { empty, jsonBody, ok, optString } from "../schemas";
import { jwtResponseSchema } from "./auth-password";

const tags = ["auth: passkeys"];

const loginOptions = z
	.object({
		customClaims: z.record(z.string(), z.unknown()).nullish().openapi({
			description: "Signed under the `nsec` claim, never at the top level; at most 4 KB of JSON",
		}),
	})
	.catchall(z.unknown())
	.nullish();
const userVerification = z.enum(["required", "preferred", "discouraged"]).nullish();
const passkeyOptions = z
	.object({
		authenticatorSelection: z
			.object({
				authenticatorAttachment: z.enum(["any", "platform", "crossplatform", "cross-platform"]).nullish(),
				residentKey: z.enum(["discouraged", "preferred", "required"]).nullish(),
				userVerification,
			})
			.catchall(z.unknown())
			.nullish(),
		userVerification,
	})
	.catchall(z.unknown())
	.nullish()
	.openapi({
		description: "attestation and extensionsJSON are accepted and ignored (attestation is always none)",
	});
const origin = z.string().min(1).openapi({
	description: "The page's origin: https, or http on localhost / 127.0.0.1. Its host name is the RP ID.",
});

const startResponse = z
	.object({
		transactionId: z.string(),
		options: z.string().openapi({ description: "JSON of {publicKey: PublicKeyCredential…OptionsJSON}" }),
		create: z.boolean().openapi({ description: "true: navigator.credentials.create; false: get" }),
	})
	.openapi("WebAuthnStartResponse");
const finishBody = jsonBody(
	z.object({
		transactionId: z.string().min(1),
		response: z.string().min(1).openapi({ description: "JSON of the browser's PublicKeyCredential" }),
	}),
);

const signUpStart = createRoute({
	method: "post",
	path: "/v1/auth/webauthn/signup/start",
	tags,
	summary: "Start a passkey sign-up: creation options for a login id no user holds",
	request: {
		body: jsonBody(
			z.object({
				user: z.object({ loginId: z.string().min(1), name: optString }).catchall(z.unknown()),
				origin,
				loginOptions,
				passkeyOptions,
			}),
		),
	},
	responses: ok(startResponse),
});
const signUpFinish = createRoute({
	method: "post",
	path: "/v1/auth/webauthn/signup/finish",
	tags,
	summary: "Finish a passkey sign-up: creates an enabled user with the passkey and signs in",
	request: { body: finishBody },
	responses: ok(jwtResponseSchema),
});
const signInStart = createRoute({
	method: "post",
	path: "/v1/auth/webauthn/signin/start",
	tags,
	summary: "Start a passkey sign-in: request options with the user's passkeys (empty loginId: usernameless)",
	request: { body: jsonBody(z.object({ loginId: z.string(), origin, loginOptions, passkeyOptions })) },
	responses: ok(startResponse),
});
const signInFinish = createRoute({
	method: "post",
	path: "/v1/auth/webauthn/signin/finish",
	tags,
	summary: "Finish a passkey sign-in",
	request: { body: finishBody },
	responses: ok(jwtResponseSchema),
});
const updateStart = createRoute({
	method: "post",
	path: "/v1/auth/webauthn/update/start",
	tags,
	summary: "Start adding a passkey to the signed-in user (Bearer <projectId>:<refreshJwt>)",
	request: { body: jsonBody(z.object({ loginId: z.string().min(1), origin, passkeyOptions })) },
	responses: ok(startResponse),
});
const updateFinish = createRoute({
	method: "post",
	path: "/v1/auth/webauthn/update/finish",
	tags,
	summary: "Finish adding a passkey to the user who started the ceremony",
	request: { body: finishBody },
	responses: ok(empty),
});

const given = <T>(v: T | null | undefined) => (v === null ? undefined : v);

type PasskeyOptionsBody = z.infer<typeof passkeyOptions>;
const toPasskeyOptions = (o: PasskeyOptionsBody): passkeys.PasskeyOptions => ({
	authenticatorAttachment: given(o?.authenticatorSelection?.authenticatorAttachment),
	residentKey: given(o?.authenticatorSelection?.residentKey),
	userVerification: given(o?.userVerification) ?? given(o?.authenticatorSelection?.userVerification),
});

const startBody = (result: passkeys.StartResult<unknown>, create: boolean) => ({
	transactionId: result.transactionId,
	options: JSON.stringify(result.options),
	create,
});

export function registerWebAuthnAuthRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(signUpStart, async (c) => {
		const b = c.req.valid("json");
		const result = await passkeys.startSignUp(c.var.deps, c.var.projectId, {
			loginId: b.user.loginId,
			name: given(b.user.name),
			origin: b.origin,
			customClaims: given(b.loginOptions?.customClaims),
			passkeyOptions: toPasskeyOptions(b.passkeyOptions),
		});
		return c.json(startBody(result, true), 200);
	});
	app.openapi(signUpFinish, async (c) => {
		const b = c.req.valid("json");
		const result = await passkeys.finishSignUp(
			c.var.deps,
			c.var.projectId,
			b.transactionId,
			b.response,
			requestInfo(c),
		);
		return c.json(jwtResponse(result), 200);
	});
	app.openapi(signInStart, async (c) => {
		const b = c.req.valid("json");
		const result = await passkeys.startSignIn(c.var.deps, c.var.projectId, {
			loginId: b.loginId,
			origin: b.origin,
			customClaims: given(b.loginOptions?.customClaims),
			passkeyOptions: toPasskeyOptions(b.passkeyOptions),
		});
		return c.json(startBody(result, false), 200);
	});
	app.openapi(signInFinish, async (c) => {
		const b = c.req.valid("json");
		const result = await passkeys.finishSignIn(
			c.var.deps,
			c.var.projectId,
			b.transactionId,
			b.response,
			requestInfo(c),
		);
		return c.json(jwtResponse(result), 200);
	});
	app.openapi(updateStart, async (c) => {
		const b = c.req.valid("json");
		const result = await passkeys.startUpdate(c.var.deps, c.var.projectId, c.var.bearerToken, {
			loginId: b.loginId,
			origin: b.origin,
			passkeyOptions: toPasskeyOptions(b.passkeyOptions),
		});
		return c.json(startBody(result, true), 200);
	});
	app.openapi(updateFinish, async (c) => {
		const b = c.req.valid("json");
		await passkeys.finishUpdate(c.var.deps, c.var.projectId, b.transactionId, b.response);
		return c.json({}, 200);
	});
}
