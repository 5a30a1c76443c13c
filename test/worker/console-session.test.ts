// The admin console's session, CSRF defence and headers (docs/console.md), through the Worker's fetch.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { addManagementKey, BASE, expectStatus, mgmt, newProject, type TestProject } from "./harness";

interface Page {
	status: number;
	headers: Headers;
	html: string;
}

async function page(path: string, init: RequestInit = {}, base = BASE): Promise<Page> {
	const res = await exports.default.fetch(`${base}${path}`, { redirect: "manual", ...init });
	return { status: res.status, headers: res.headers, html: await res.text() };
}

const csrfOf = (html: string) => /name="_csrf" value="([^"]*)"/.exec(html)?.[1] ?? "";

/** A form POST as a browser sends it from a console page. */
async function post(
	path: string,
	fields: Record<string, string>,
	options: { cookie?: string; origin?: string | null; base?: string } = {},
) {
	const base = options.base ?? BASE;
	const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
	if (options.origin !== null) headers.origin = options.origin ?? base;
	if (options.cookie) headers.cookie = options.cookie;
	return page(path, { method: "POST", headers, body: new URLSearchParams(fields).toString() }, base);
}

async function signInForm(base = BASE) {
	const res = await page("/console/sign-in", {}, base);
	return csrfOf(res.html);
}

/** Signs in through the form; returns the session cookie (name=value) and the Set-Cookie header. */
async function signIn(project: TestProject, key = project.managementKey, base = BASE, ip?: string) {
	const _csrf = await signInForm(base);
	const headers: Record<string, string> = {
		"content-type": "application/x-www-form-urlencoded",
		origin: base,
	};
	if (ip) headers["cf-connecting-ip"] = ip;
	const res = await exports.default.fetch(`${base}/console/sign-in`, {
		method: "POST",
		redirect: "manual",
		headers,
		body: new URLSearchParams({ _csrf, projectId: project.projectId, managementKey: key }).toString(),
	});
	const setCookie = res.headers.get("set-cookie") ?? "";
	return { res, html: await res.text(), setCookie, cookie: setCookie.split(";")[0] ?? "" };
}

describe("console headers", () => {
	it("serves the sign-in page with the CSP, nosniff, same-origin referrer and no-store", async () => {
		const res = await page("/console/sign-in");
		expect(res.status, res.html).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^text\/html/);
		const csp = res.headers.get("content-security-policy") ?? "";
		expect(csp).toContain("default-src 'self'");
		expect(csp).toContain("script-src 'self'");
		expect(csp).toContain("frame-ancestors 'none'");
		expect(csp).not.toContain("unsafe-inline");
		expect(res.headers.get("x-content-type-options")).toBe("nosniff");
		expect(res.headers.get("referrer-policy")).toBe("same-origin");
		expect(res.headers.get("cache-control")).toBe("no-store");
		expect(res.html).toMatch(/^<!doctype html><html lang="en">/);
		expect(res.html).toContain('<form method="post" action="/console/sign-in"');
		expect(csrfOf(res.html)).toMatch(/^[A-Za-z0-9_-]{43}$/);
	});

	it("sends a page without a session to the sign-in page", async () => {
		const res = await page("/console/users");
		expect(res.status, res.html).toBe(303);
		expect(res.headers.get("location")).toBe("/console/sign-in");
		expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
	});

	it("answers an unknown console path with an HTML 404 carrying the same headers", async () => {
		const project = await newProject();
		const { cookie } = await signIn(project);
		const res = await page("/console/no-such-page", { headers: { cookie } });
		expect(res.status, res.html).toBe(404);
		expect(res.headers.get("content-type")).toMatch(/^text\/html/);
		expect(res.headers.get("cache-control")).toBe("no-store");
	});
});

describe("console sign-in", () => {
	it("sets an HttpOnly, SameSite=Strict cookie on /console holding no readable key", async () => {
		const project = await newProject();
		const { res, setCookie } = await signIn(project);
		expect(res.status, setCookie).toBe(303);
		expect(res.headers.get("location")).toBe("/console/users");
		expect(setCookie).toMatch(/^roster_console=v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+;/);
		expect(setCookie).toMatch(/; HttpOnly/i);
		expect(setCookie).toMatch(/; SameSite=Strict/i);
		expect(setCookie).toMatch(/; Path=\/console(;|$)/);
		expect(setCookie).toMatch(/; Max-Age=28800/);
		// Plain http (local development): not Secure, or the browser would drop it.
		expect(setCookie).not.toMatch(/; Secure/i);
		expect(setCookie).not.toContain(project.managementKey);
		expect(setCookie).not.toContain(project.projectId);
	});

	it("marks the cookie Secure when the console is reached over https", async () => {
		const project = await newProject();
		const { res, setCookie } = await signIn(project, project.managementKey, "https://roster.test");
		expect(res.status, setCookie).toBe(303);
		expect(setCookie).toMatch(/; Secure/i);
	});

	it("opens the users page with the cookie", async () => {
		const project = await newProject();
		const { cookie } = await signIn(project);
		const res = await page("/console/users", { headers: { cookie } });
		expect(res.status, res.html).toBe(200);
		expect(res.html).toContain(project.projectId);
		expect(res.html).toContain("<h1>Users</h1>");
		expect(res.html).toContain('<a href="/docs">API reference</a>');
	});

	it("answers a wrong key with the sign-in page again, 401, and no cookie", async () => {
		const project = await newProject();
		const { res, html, setCookie } = await signIn(project, "rk_wrong");
		expect(res.status, html).toBe(401);
		expect(setCookie).toBe("");
		expect(html).toContain("were not accepted");
		expect(html).toContain('action="/console/sign-in"');
		// The project id typed is kept (escaped); the key never comes back.
		expect(html).toContain(`value="${project.projectId}"`);
		expect(html).not.toContain("rk_wrong");
	});

	it("checks the key through the API, so the key-failure limit of the caller's address applies", async () => {
		const project = await newProject();
		// The address a browser signs in from, over the failure limit (src/api/rate-limit.ts marks
		// such an address in the location's cache): even the right key is refused, as the API does.
		const ip = "203.0.113.77";
		const blocked = `https://rate-limit.roster.internal/key-failures/${encodeURIComponent("ip4:cb00714d")}`;
		await caches.default.put(
			blocked,
			new Response("blocked", { headers: { "cache-control": "max-age=60" } }),
		);
		const { res, html, setCookie } = await signIn(project, project.managementKey, BASE, ip);
		expect(res.status, html).toBe(429);
		expect(setCookie).toBe("");
		expect(html).toContain("too many failed authentications");
		await caches.default.delete(blocked);
	});

	it("refuses a tampered cookie: back to sign-in", async () => {
		const project = await newProject();
		const { cookie } = await signIn(project);
		const tampered = `${cookie.slice(0, -2)}${cookie.endsWith("A") ? "B" : "A"}A`;
		const res = await page("/console/users", { headers: { cookie: tampered } });
		expect(res.status, res.html).toBe(303);
		expect(res.headers.get("location")).toBe("/console/sign-in");
		// The bad cookie is cleared.
		expect(res.headers.get("set-cookie") ?? "").toMatch(/^roster_console=;.*Max-Age=0/);
	});

	it("signs out: the cookie is cleared", async () => {
		const project = await newProject();
		const { cookie } = await signIn(project);
		const users = await page("/console/users", { headers: { cookie } });
		const res = await post("/console/sign-out", { _csrf: csrfOf(users.html) }, { cookie });
		expect(res.status, res.html).toBe(303);
		expect(res.headers.get("location")).toBe("/console/sign-in");
		expect(res.headers.get("set-cookie") ?? "").toMatch(/^roster_console=;.*Max-Age=0.*Path=\/console/);
	});
});

describe("console CSRF", () => {
	async function signedIn() {
		const project = await newProject();
		const { cookie } = await signIn(project);
		const users = await page("/console/users", { headers: { cookie } });
		return { project, cookie, csrf: csrfOf(users.html) };
	}

	it("creates a user with the token and this origin", async () => {
		const { project, cookie, csrf } = await signedIn();
		const res = await post("/console/users", { _csrf: csrf, loginId: "csrf-ok@example.com" }, { cookie });
		expect(res.status, res.html).toBe(303);
		expect(res.headers.get("location")).toMatch(/^\/console\/users\/U[A-Za-z0-9]{27}\?ok=user-created$/);
		const found = expectStatus(await mgmt(project).get("/v1/mgmt/user?loginId=csrf-ok@example.com"), 200);
		expect(found.user.loginIds).toEqual(["csrf-ok@example.com"]);
	});

	it("refuses a POST without the token: 403, nothing created", async () => {
		const { project, cookie } = await signedIn();
		const res = await post("/console/users", { loginId: "csrf-none@example.com" }, { cookie });
		expect(res.status, res.html).toBe(403);
		expect(res.html).toContain("could not be verified");
		const search = expectStatus(await mgmt(project).post("/v2/mgmt/user/search", {}), 200);
		expect(search.total, JSON.stringify(search)).toBe(0);
	});

	it("refuses a token of another session", async () => {
		const { cookie } = await signedIn();
		const other = await signedIn();
		const res = await post("/console/users", { _csrf: other.csrf, loginId: "x@example.com" }, { cookie });
		expect(res.status, res.html).toBe(403);
	});

	it("refuses a POST from another origin, or without an Origin header, even with the token", async () => {
		const { cookie, csrf } = await signedIn();
		const foreign = await post(
			"/console/users",
			{ _csrf: csrf, loginId: "x@example.com" },
			{ cookie, origin: "https://evil.example" },
		);
		expect(foreign.status, foreign.html).toBe(403);
		const none = await post(
			"/console/users",
			{ _csrf: csrf, loginId: "x@example.com" },
			{ cookie, origin: null },
		);
		expect(none.status, none.html).toBe(403);
	});

	it("refuses a sign-in POST without the sign-in form's token", async () => {
		const project = await newProject();
		const res = await post("/console/sign-in", {
			projectId: project.projectId,
			managementKey: project.managementKey,
		});
		expect(res.status, res.html).toBe(403);
		expect(res.headers.get("set-cookie")).toBeNull();
	});

	it("refuses a POST without a session", async () => {
		const _csrf = await signInForm();
		const res = await post("/console/users", { _csrf, loginId: "x@example.com" });
		expect(res.status, res.html).toBe(403);
		expect(res.html).toContain("Sign in again");
	});
});

describe("console pages", () => {
	it("escapes user data", async () => {
		const project = await newProject();
		const name = `<script>alert("x")</script>`;
		expectStatus(await mgmt(project).post("/v1/mgmt/user/create", { loginId: "xss@example.com", name }), 200);
		const { cookie } = await signIn(project);
		const res = await page("/console/users", { headers: { cookie } });
		expect(res.status, res.html).toBe(200);
		expect(res.html).not.toContain(name);
		expect(res.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
	});

	it("gives a read-only key a console without write forms", async () => {
		const project = await newProject();
		const ro = await addManagementKey(project, { name: "viewer", readOnly: true });
		const { cookie } = await signIn({ projectId: project.projectId, managementKey: ro.managementKey });
		expect(cookie).toMatch(/^roster_console=/);
		for (const path of ["/console/users", "/console/roles", "/console/keys", "/console/tenants"]) {
			const res = await page(path, { headers: { cookie } });
			expect(res.status, res.html).toBe(200);
			expect(res.html).toContain("read-only key");
			const actions = [...res.html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1]);
			expect(actions, path).toEqual(["/console/sign-out"]);
		}
	});

	it("labels a tenant-bound key's console and keeps its write forms", async () => {
		const project = await newProject();
		const tenant = expectStatus(await mgmt(project).post("/v1/mgmt/tenant/create", { name: "Acme" }), 200);
		const bound = await addManagementKey(project, { name: "acme", tenantIds: [tenant.id] });
		const { cookie } = await signIn({ projectId: project.projectId, managementKey: bound.managementKey });
		const res = await page("/console/users", { headers: { cookie } });
		expect(res.status, res.html).toBe(200);
		expect(res.html).toContain("tenant-bound key");
		expect(res.html).not.toContain("read-only key");
		expect(res.html).toContain('action="/console/users"');
	});

	it("shows the API's refusal when a read-only key writes anyway", async () => {
		const project = await newProject();
		const ro = await addManagementKey(project, { name: "viewer", readOnly: true });
		const { cookie } = await signIn({ projectId: project.projectId, managementKey: ro.managementKey });
		const users = await page("/console/users", { headers: { cookie } });
		const res = await post(
			"/console/users",
			{ _csrf: csrfOf(users.html), loginId: "ro@example.com" },
			{ cookie },
		);
		expect(res.status, res.html).toBe(403);
		expect(res.html).toContain("This management key is read-only");
	});
});

describe("console sections", () => {
	it("renders every section for a full key", async () => {
		const project = await newProject();
		const { cookie } = await signIn(project);
		const sections = [
			"users",
			"tenants",
			"roles",
			"attributes",
			"sso-apps",
			"keys",
			"webhooks",
			"activity",
			"settings",
		];
		for (const section of sections) {
			const res = await page(`/console/${section}`, { headers: { cookie } });
			expect(res.status, `${section}: ${res.html}`).toBe(200);
			expect(res.html, section).toContain('aria-current="page"');
			expect(res.html, section).not.toContain('role="alert"');
		}
	});

	it("creates a webhook endpoint through the partner API and shows its secret once", async () => {
		const project = await newProject();
		const { cookie } = await signIn(project);
		const before = await page("/console/webhooks", { headers: { cookie } });
		const res = await post(
			"/console/webhooks",
			{ _csrf: csrfOf(before.html), url: "http://127.0.0.1:9/hook", description: "console test" },
			{ cookie },
		);
		expect(res.status, res.html).toBe(200);
		const secret = /id="new-secret"[^>]*value="(whsec_[^"]+)"/.exec(res.html)?.[1];
		expect(secret, res.html).toMatch(/^whsec_/);
		const after = await page("/console/webhooks", { headers: { cookie } });
		expect(after.html).toContain("http://127.0.0.1:9/hook");
		expect(after.html).not.toContain(secret);
	});
});
