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
