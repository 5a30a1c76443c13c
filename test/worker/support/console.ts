// Console helpers shared by the console-*.test.ts files: a page fetched without following
// redirects, its CSRF token, a form POST, and a signed-in session cookie.
import { exports } from "cloudflare:workers";
import { BASE, type TestProject } from "../harness";

export async function page(path: string, init: RequestInit = {}) {
	const res = await exports.default.fetch(`${BASE}${path}`, { redirect: "manual", ...init });
	return { status: res.status, headers: res.headers, html: await res.text() };
}

export const csrfOf = (html: string) => /name="_csrf" value="([^"]*)"/.exec(html)?.[1] ?? "";

/** A same-origin form POST; pairs for repeated fields (checkboxes). */
export async function post(
	path: string,
	fields: Record<string, string> | [string, string][],
	cookie: string,
) {
	return page(path, {
		method: "POST",
		headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE, cookie },
		body: new URLSearchParams(fields).toString(),
	});
}

/** Signs in to the console with a management key; answers the session cookie. */
export async function signIn(project: TestProject, key = project.managementKey) {
	const form = await page("/console/sign-in");
	const res = await post(
		"/console/sign-in",
		{ _csrf: csrfOf(form.html), projectId: project.projectId, managementKey: key },
		"",
	);
	return (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}
