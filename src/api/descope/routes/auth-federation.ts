// Federated sign-in (docs/federation.md; core-js-sdk `sso.start` / `saml.start`, `sso.exchange` /
// `saml.exchange`, `oauth.start`, `oauth.exchange`): start answers 200 {url}, never a redirect; the
// provider's callback is a browser route that redirects to the application with ?code=.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { CallbackError, federationCallback, withParams } from "../../../domain/federation/flow.callback";
import { exchangeFederationCode } from "../../../domain/federation/flow.exchange";
import { startFederation } from "../../../domain/federation/flow.start";
import { isProjectId } from "../../../lib/ids";
import type { AppEnv } from "../../context";
import { publicOrigin } from "../../public-origin";
import { jwtResponse, requestInfo } from "../auth-endpoints";
import { jsonBody, ok } from "../schemas";
import { jwtResponseSchema } from "./auth-password";

const loginOptions = z
	.object({
		customClaims: z.record(z.string(), z.unknown()).nullish().openapi({
			description: "Signed under the `nsec` claim of the session, at most 4 KB of JSON",
		}),
	})
	.catchall(z.unknown())
	.openapi({ description: "LoginOptions at the body root (`{}` when none)" });
const startResponse = z.object({ url: z.string() }).openapi("FederationStartResponse");
const redirectURL = z.string().optional().openapi({
	description:
		"Where the browser returns with ?code= (upper-case URL): on the project's allowedRedirectUrls or the provider's redirectUrl",
});

const ssoStart = createRoute({
	method: "post",
	path: "/v1/auth/saml/authorize",
	tags: ["auth: federation"],
	summary: "Start tenant SSO (OIDC): answers the provider's authorization URL",
	request: {
		query: z.object({
			tenant: z.string().optional().openapi({ description: "A tenant id, or an email routed by SSO domain" }),
			redirectURL,
			ssoId: z.string().optional(),
			forceAuthn: z.string().optional(),
			loginHint: z.string().optional(),
			initiatedEmail: z.string().optional(),
		}),
		body: jsonBody(loginOptions),
	},
	responses: ok(startResponse),
});

const oauthStart = createRoute({
	method: "post",
	path: "/v1/auth/oauth/authorize",
	tags: ["auth: federation"],
	summary: "Start sign-in with a project-level OAuth / OIDC provider: answers its authorization URL",
	request: {
		query: z.object({ provider: z.string().optional(), redirectURL, loginHint: z.string().optional() }),
		body: jsonBody(loginOptions),
	},
	responses: ok(startResponse),
});

const exchangeBody = jsonBody(z.object({ code: z.string().min(1) }));
const ssoExchange = createRoute({
	method: "post",
	path: "/v1/auth/saml/exchange",
	tags: ["auth: federation"],
	summary: "Exchange the one-time code of an SSO sign-in for a session",
	request: { body: exchangeBody },
	responses: ok(jwtResponseSchema),
});
const oauthExchange = createRoute({
	method: "post",
	path: "/v1/auth/oauth/exchange",
	tags: ["auth: federation"],
	summary: "Exchange the one-time code of an OAuth sign-in for a session",
	request: { body: exchangeBody },
	responses: ok(jwtResponseSchema),
});

const escapeHtml = (s: string) =>
	s.replace(
		/[&<>"']/g,
		(ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
	);

const callbackParam = z.string().optional();
/** A browser route: no bearer; the provider sends the browser here and Roster answers with a redirect. */
const callback = createRoute({
	method: "get",
	path: "/v1/auth/federation/{projectId}/callback",
	tags: ["auth: federation"],
	summary:
		"The identity provider's return (the redirect URI to register at the provider): redirects to the application with ?code= or ?error=",
	description:
		"A browser route with no Authorization. On success, and on a refusal whose application is known, `302` to the application's redirect URL with `code` (or `error` and `error_description`). Without a known application (unknown project or state), `400`: an HTML page when the browser accepts `text/html`, else the JSON error. See docs/federation.md.",
	request: {
		params: z.object({ projectId: z.string().openapi({ description: "The project (P…)" }) }),
		query: z
			.object({
				state: callbackParam,
				code: callbackParam,
				error: callbackParam,
				error_description: callbackParam,
				iss: callbackParam,
			})
			.passthrough(),
	},
	responses: {
		302: {
			description: "To the application's redirect URL, with `code` or `error`",
			headers: z.object({ Location: z.string() }),
		},
	},
});

/** A refused callback with no application to return to: a page for browsers, JSON for the rest. */
function callbackRefusal(c: Context<AppEnv>, message: string) {
	c.header("cache-control", "no-store");
	if ((c.req.header("accept") ?? "").includes("text/html")) {
		return c.html(
			`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in failed</title></head><body><h1>Sign-in failed</h1><p>${escapeHtml(message)}</p><p>Start the sign-in again from the application.</p></body></html>`,
			400,
		);
	}
	return c.json({ errorCode: "E011004", errorDescription: "Invalid arguments", errorMessage: message }, 400);
}

const redirectTo = (c: Context<AppEnv>, location: string) => {
	c.header("cache-control", "no-store");
	c.header("referrer-policy", "no-referrer");
	return c.redirect(location, 302);
};

export function registerFederationAuthRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(ssoStart, async (c) => {
		const q = c.req.valid("query");
		const result = await startFederation(c.var.deps, c.var.projectId, {
			flow: "sso",
			tenant: q.tenant,
			ssoId: q.ssoId || undefined,
			redirectUrl: q.redirectURL || undefined,
			loginHint: q.loginHint || undefined,
			forceAuthn: q.forceAuthn === "true",
			loginOptions: c.req.valid("json"),
			origin: publicOrigin(c),
		});
		return c.json(result, 200);
	});
	app.openapi(oauthStart, async (c) => {
		const q = c.req.valid("query");
		const result = await startFederation(c.var.deps, c.var.projectId, {
			flow: "oauth",
			provider: q.provider,
			redirectUrl: q.redirectURL || undefined,
			loginHint: q.loginHint || undefined,
			loginOptions: c.req.valid("json"),
			origin: publicOrigin(c),
		});
		return c.json(result, 200);
	});
	for (const route of [ssoExchange, oauthExchange]) {
		app.openapi(route, async (c) => {
			const result = await exchangeFederationCode(
				c.var.deps,
				c.var.projectId,
				c.req.valid("json").code,
				requestInfo(c),
			);
			return c.json(jwtResponse(result), 200);
		});
	}
	// A browser route: the provider sends the browser here (302 is right here, unlike the API routes).
	app.openapi(callback, async (c) => {
		const { projectId } = c.req.valid("param");
		if (!isProjectId(projectId)) return callbackRefusal(c, "Unknown project");
		c.set("projectId", projectId);
		try {
			const { location } = await federationCallback(
				c.var.deps,
				projectId,
				new URL(c.req.url).searchParams,
				requestInfo(c),
			);
			return redirectTo(c, location);
		} catch (error) {
			if (!(error instanceof CallbackError)) throw error;
			if (!error.redirectUrl) return callbackRefusal(c, error.description);
			return redirectTo(
				c,
				withParams(error.redirectUrl, {
					error: error.error,
					error_description: error.description.slice(0, 300),
				}),
			);
		}
	});
}
