import { exports } from "cloudflare:workers";
import { expect } from "vitest";

export const OPERATOR_KEY = "test-operator-key";
export const BASE = "http://roster.test";

export interface TestProject {
	projectId: string;
	managementKey: string;
}

export interface CallResult<T = any> {
	status: number;
	body: T;
	headers: Headers;
}

/** Sends a request to the Worker and parses the JSON body (every answer must be JSON). */
export async function call<T = any>(
	method: string,
	path: string,
	options: { body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<CallResult<T>> {
	const headers: Record<string, string> = { ...options.headers };
	let body: string | undefined = options.rawBody;
	if (options.body !== undefined) {
		body = JSON.stringify(options.body);
		headers["content-type"] ??= "application/json";
	}
	const res = await exports.default.fetch(`${BASE}${path}`, { method, headers, body });
	const text = await res.text();
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw new Error(`${method} ${path} answered ${res.status} with a non-JSON body: ${text}`);
	}
	return { status: res.status, body: parsed as T, headers: res.headers };
}

export async function newProject(name = "test"): Promise<TestProject> {
	const res = await call("POST", "/v1/operator/projects", {
		body: { name },
		headers: { authorization: `Bearer ${OPERATOR_KEY}` },
	});
	expect(res.status, JSON.stringify(res.body)).toBe(201);
	return res.body as TestProject;
}

export const bearer = (p: TestProject, key = p.managementKey) => ({
	authorization: `Bearer ${p.projectId}:${key}`,
});

/** A management client for one project: `api.post(path, body)` etc. */
export function mgmt(project: TestProject, extraHeaders: Record<string, string> = {}) {
	const headers = { ...bearer(project), ...extraHeaders };
	return {
		get: <T = any>(path: string) => call<T>("GET", path, { headers }),
		post: <T = any>(path: string, body: unknown = {}) => call<T>("POST", path, { body, headers }),
		patch: <T = any>(path: string, body: unknown = {}) => call<T>("PATCH", path, { body, headers }),
		put: <T = any>(path: string, body: unknown = {}) => call<T>("PUT", path, { body, headers }),
		delete: <T = any>(path: string) => call<T>("DELETE", path, { headers }),
	};
}

/** Asserts a status and returns the body; the failure message carries the response. */
export function expectStatus<T = any>(res: CallResult<T>, status: number): T {
	expect(res.status, JSON.stringify(res.body)).toBe(status);
	return res.body;
}

export function expectDescopeError(res: CallResult, status: number, errorCode: string, messagePart?: string) {
	expect(res.status, JSON.stringify(res.body)).toBe(status);
	expect(res.body).toMatchObject({
		errorCode,
		errorDescription: expect.any(String),
		errorMessage: expect.any(String),
	});
	if (messagePart) expect(res.body.errorMessage).toContain(messagePart);
}

// ---------------------------------------------------------------------------------------------
// Management-key helpers (auth-contract, management-keys and operator tests).

export const operatorHeaders = { authorization: `Bearer ${OPERATOR_KEY}` };

/** Creates a management key in `project` (PUT /v1/mgmt/managementkey); returns its id and a client identity. */
export async function addManagementKey(
	project: TestProject,
	body: Record<string, unknown> = {},
): Promise<TestProject & { keyId: string }> {
	const res = await mgmt(project).put("/v1/mgmt/managementkey", { name: "extra", ...body });
	const created = expectStatus(res, 200);
	return { projectId: project.projectId, managementKey: created.cleartext, keyId: created.key.id };
}

/** Waits until the key-cache entry for `cleartext` exists (it is written in the background). */
export async function waitForCachedKey(cleartext: string, timeoutMs = 2000): Promise<void> {
	const { env } = await import("cloudflare:workers");
	const hash = await sha256Hex(cleartext);
	for (const start = Date.now(); Date.now() - start < timeoutMs; ) {
		if ((await env.KEY_CACHE.get(`mgmt-key:${hash}`)) !== null) return;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	throw new Error("the key-cache entry was never written");
}

/** Independent of src/lib/crypto, so tests check the stored hash against a second implementation. */
export async function sha256Hex(value: string): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------------------------------------
// Descope user-management helpers (users-*.test.ts, custom-attributes.test.ts).
// ---------------------------------------------------------------------------------------------

export type Mgmt = ReturnType<typeof mgmt>;

/** Sends a raw (possibly malformed) JSON body with the project's management bearer. */
export const rawPost = (project: TestProject, path: string, rawBody: string, method = "POST") =>
	call(method, path, { rawBody, headers: { ...bearer(project), "content-type": "application/json" } });

/**
 * The exact ResponseUser (the user object @descope/node-sdk returns) for a user Roster created: every field present, unset
 * values empty. `overrides` replace the defaults (values or asymmetric matchers).
 */
export function wireUser(overrides: Record<string, unknown> = {}) {
	const loginIds = (overrides.loginIds as string[] | undefined) ?? expect.any(Array);
	return {
		loginIds,
		userId: expect.stringMatching(/^U[0-9A-Za-z]{27}$/),
		name: "",
		givenName: "",
		middleName: "",
		familyName: "",
		email: "",
		phone: "",
		verifiedEmail: false,
		verifiedPhone: false,
		roleNames: [],
		userTenants: [],
		status: "invited",
		externalIds: loginIds,
		picture: "",
		test: false,
		customAttributes: {},
		createdTime: expect.any(Number),
		TOTP: false,
		SAML: false,
		SCIM: false,
		OIDC: false,
		OAuth: {},
		webauthn: false,
		password: false,
		push: false,
		ssoAppIds: [],
		editable: true,
		permissions: [],
		consentExpiration: 0,
		recoveryEmail: "",
		recoveryPhone: "",
		verifiedRecoveryEmail: false,
		verifiedRecoveryPhone: false,
		...overrides,
	};
}

/** Asserts the exact key set of a ResponseUser and that createdTime is Unix seconds near now. */
export function expectWireUser(user: any, overrides: Record<string, unknown> = {}) {
	expect(Object.keys(user).sort()).toEqual(Object.keys(wireUser()).sort());
	expect(user).toEqual(wireUser(overrides));
	if (!("createdTime" in overrides)) {
		expect(Number.isInteger(user.createdTime)).toBe(true);
		expect(Math.abs(user.createdTime - Date.now() / 1000), "createdTime is Unix seconds").toBeLessThan(600);
	}
}

/** Creates a user and returns the wire user (fails the test on a non-200). */
export async function createUser(api: Mgmt, body: Record<string, unknown>): Promise<any> {
	return expectStatus(await api.post("/v1/mgmt/user/create", body), 200).user;
}

/** Loads a user by login id or user id; null when the server answers 404. */
export async function loadUser(api: Mgmt, loginIdOrUserId: string): Promise<any | null> {
	const res = await api.get(`/v1/mgmt/user?loginId=${encodeURIComponent(loginIdOrUserId)}`);
	if (res.status === 404) return null;
	return expectStatus(res, 200).user;
}

/** Declares custom attributes: `{name: type}` with Descope's numeric or named types. */
export async function defineAttributes(
	api: Mgmt,
	attributes: Record<string, number | string | { type: number | string; options?: string[] }>,
) {
	const body = Object.entries(attributes).map(([name, spec]) => {
		const { type, options } = typeof spec === "object" ? spec : { type: spec, options: undefined };
		return {
			name,
			type,
			displayName: name,
			...(options ? { options: options.map((value) => ({ value, label: value })) } : {}),
		};
	});
	return expectStatus(await api.post("/v1/mgmt/user/customattribute/create", { attributes: body }), 200);
}

/** Runs a v2 search and returns `{users, total}`; the login ids of the users come back sorted. */
export async function search(api: Mgmt, body: Record<string, unknown>, path = "/v2/mgmt/user/search") {
	const res = expectStatus<{ users: any[]; total: number }>(await api.post(path, body), 200);
	return { ...res, loginIds: res.users.map((u) => u.loginIds[0] as string).sort() };
}
