// The admin console at /console (docs/console.md): server-rendered pages over Roster's own HTTP
// APIs, called in-process with the signed-in project id and management key.
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { Api, type ApiFetch } from "./api-client";
import { type ConsoleContext, type ConsoleEnv, formOf, render } from "./context";
import { CSRF_FIELD, csrfToken, sameOrigin, verifyCsrf } from "./csrf";
import { registerAccessKeyPages } from "./pages/access-keys";
import { registerActivityPages } from "./pages/activity";
import { registerAttributePages } from "./pages/attributes";
import { registerIdentityProviderPages } from "./pages/identity-providers";
import { registerKeyPages } from "./pages/keys";
import { registerRolePages } from "./pages/roles";
import { registerSettingsPages } from "./pages/settings";
import { SignInPage } from "./pages/sign-in";
import { registerSsoAppPages } from "./pages/sso-apps";
import { registerTenantPages } from "./pages/tenants";
import { registerUserPages } from "./pages/user";
import { registerUsersPages } from "./pages/users";
import { registerWebhookDetailPages } from "./pages/webhook";
import { registerWebhookPages } from "./pages/webhooks";
import {
	ConsoleConfigError,
	type ConsoleSession,
	newSession,
	openSession,
	SESSION_COOKIE,
	SESSION_PATH,
	SESSION_TTL_MS,
	sealSession,
} from "./session";

/** No inline script or style anywhere: everything comes from /assets/console/. */
export const CONSOLE_CSP = [
	"default-src 'self'",
	"script-src 'self'",
	"style-src 'self'",
	"img-src 'self' data:",
	"connect-src 'self'",
	"form-action 'self'",
	"base-uri 'none'",
	"object-src 'none'",
	"frame-ancestors 'none'",
].join("; ");

const securityHeaders = createMiddleware<ConsoleEnv>(async (c, next) => {
	await next();
	c.header("Content-Security-Policy", CONSOLE_CSP);
	c.header("X-Content-Type-Options", "nosniff");
	c.header("Referrer-Policy", "same-origin");
	c.header("X-Frame-Options", "DENY");
	c.header("Cache-Control", "no-store");
});

const isHttps = (url: string) => new URL(url).protocol === "https:";

const SIGN_IN = "/console/sign-in";

/** An unrecognised project id or key: the sign-in page again, 401 (the API's own answer). */
async function signIn(c: ConsoleContext, apiFetch: ApiFetch): Promise<Response> {
	const form = await formOf(c);
	const projectId = (form.projectId ?? "").trim();
	const key = (form.managementKey ?? "").trim();
	const ctx = { fetch: apiFetch, env: c.env, ctx: c.executionCtx, request: c.req.raw };
	const again = (message: string, status: number) =>
		render(
			c,
			{ title: "Sign in" },
			<SignInPage csrf={c.var.csrf} projectId={projectId} error={message} />,
			status,
		);
	if (!projectId || !key) return again("Enter the project id and a management key.", 400);
	const api = new Api(ctx, { projectId, key });
	// Validates the key through the API, so a wrong key counts against the key-failure limit.
	const check = await api.get("/v1/mgmt/user/customattributes");
	if (!check.ok) {
		if (check.status === 401) return again("That project id and management key were not accepted.", 401);
		return again(check.error.message, check.status === 429 ? 429 : check.status >= 500 ? 502 : check.status);
	}
	// The key's scope: deleting a key id that cannot exist changes nothing for a full key and is
	// refused (403) for a read-only or tenant-bound one (docs/console.md, "Read-only keys").
	const probe = await api.post<unknown>("/v1/mgmt/managementkey/delete", { ids: ["K-console-scope-probe"] });
	const message = probe.ok ? "" : probe.error.message;
	const readOnly = !probe.ok && probe.status === 403 && /read-only/i.test(message);
	const tenantBound = !probe.ok && probe.status === 403 && /tenant-bound/i.test(message);
	const session = newSession({ projectId, key, readOnly, tenantBound }, Date.now());
	setCookie(c, SESSION_COOKIE, await sealSession(c.env.CONSOLE_SESSION_KEY, session), {
		path: SESSION_PATH,
		httpOnly: true,
		sameSite: "Strict",
		secure: isHttps(c.req.url),
		maxAge: Math.floor(SESSION_TTL_MS / 1000),
	});
	return c.redirect("/console/users", 303);
}

export function buildConsoleApp(apiFetch: ApiFetch) {
	const app = new Hono<ConsoleEnv>();
	app.use("*", securityHeaders);

	// Opens the session cookie; a page other than sign-in needs one.
	app.use("*", async (c, next) => {
		const secret = c.env.CONSOLE_SESSION_KEY;
		const session: ConsoleSession | null = await openSession(
			secret,
			getCookie(c, SESSION_COOKIE),
			Date.now(),
		);
		c.set("session", session);
		c.set("csrf", await csrfToken(secret, session?.sid ?? ""));
		if (session) {
			const ctx = { fetch: apiFetch, env: c.env, ctx: c.executionCtx, request: c.req.raw };
			c.set("api", new Api(ctx, session));
		}
		const path = c.req.path.replace(/\/+$/, "");
		const open = path === SIGN_IN;
		if (c.req.method === "POST") {
			const form = await formOf(c);
			const valid =
				sameOrigin(c.req.raw, c.env.PUBLIC_ORIGIN) &&
				(await verifyCsrf(secret, session?.sid ?? "", form[CSRF_FIELD]));
			if (!valid || (!session && !open)) {
				const message = session
					? "This form could not be verified (it came from another site, or the page is too old). Reload the page and try again."
					: "Your console session has ended. Sign in again.";
				return render(c, { title: "Request refused" }, <p>{message}</p>, 403);
			}
		} else if (!session && !open) {
			if (getCookie(c, SESSION_COOKIE)) deleteCookie(c, SESSION_COOKIE, { path: SESSION_PATH });
			return c.redirect(SIGN_IN, 303);
		}
		await next();
	});

	app.get("/", (c) => c.redirect("/console/users", 303));
	app.get("/sign-in", (c) => {
		if (c.var.session) return c.redirect("/console/users", 303);
		return render(c, { title: "Sign in" }, <SignInPage csrf={c.var.csrf} />);
	});
	app.post("/sign-in", (c) => signIn(c, apiFetch));
	app.post("/sign-out", (c) => {
		deleteCookie(c, SESSION_COOKIE, { path: SESSION_PATH, secure: isHttps(c.req.url) });
		return c.redirect(SIGN_IN, 303);
	});

	registerUsersPages(app);
	registerUserPages(app);
	registerTenantPages(app);
	registerRolePages(app);
	registerAttributePages(app);
	registerSsoAppPages(app);
	registerIdentityProviderPages(app);
	registerKeyPages(app);
	registerAccessKeyPages(app);
	registerActivityPages(app);
	registerSettingsPages(app);
	registerWebhookPages(app);
	registerWebhookDetailPages(app);

	app.all("*", (c) =>
		render(c, { title: "Not found" }, <p>There is no console page at this address.</p>, 404),
	);
	app.onError((error, c) => {
		console.error("console error", c.req.method, c.req.path, error);
		const message =
			error instanceof ConsoleConfigError
				? `The console is not configured: ${error.message}.`
				: "Something went wrong while building this page.";
		return c.html(
			`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Console error</title><link rel="stylesheet" href="/assets/console/console.css"></head><body><main><h1>Console error</h1><p>${escapeText(message)}</p></main></body></html>`,
			500,
		);
	});
	return app;
}

const escapeText = (s: string) =>
	s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
