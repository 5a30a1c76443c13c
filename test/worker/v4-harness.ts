// Helpers for the REST v4 and legacy tests (v4-*.test.ts, legacy-*.test.ts).
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { BASE, type TestProject } from "./harness";

export const V4 = "/api/user/management/v4";
export const JSONAPI = "application/vnd.api+json";

export interface Res<T = any> {
	status: number;
	body: T;
	headers: Headers;
	text: string;
}

/** Sends a request; the body is parsed as JSON when there is one (204 and 304 have none). */
export async function send<T = any>(
	method: string,
	path: string,
	options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Res<T>> {
	const headers: Record<string, string> = { ...options.headers };
	let body = options.raw;
	if (options.body !== undefined) {
		body = JSON.stringify(options.body);
		headers["content-type"] ??= JSONAPI;
	}
	const res = await exports.default.fetch(`${BASE}${path}`, { method, headers, body });
	const text = await res.text();
	let parsed: unknown;
	if (text !== "") {
		try {
			parsed = JSON.parse(text);
		} catch {
			throw new Error(`${method} ${path} answered ${res.status} with a non-JSON body: ${text}`);
		}
	}
	return { status: res.status, body: parsed as T, headers: res.headers, text };
}

export const apikey = (p: TestProject, key = p.managementKey) => ({ authorization: `Apikey ${key}` });

/** A v4 client for one project. */
export function v4(project: TestProject, extra: Record<string, string> = {}) {
	const headers = { ...apikey(project), ...extra };
	const h = (more?: Record<string, string>) => ({ ...headers, ...more });
	return {
		get: <T = any>(path: string, more?: Record<string, string>) => send<T>("GET", path, { headers: h(more) }),
		post: <T = any>(path: string, body: unknown, more?: Record<string, string>) =>
			send<T>("POST", path, { body, headers: h(more) }),
		patch: <T = any>(path: string, body: unknown, more?: Record<string, string>) =>
			send<T>("PATCH", path, { body, headers: h(more) }),
		put: <T = any>(path: string, body: unknown, more?: Record<string, string>) =>
			send<T>("PUT", path, { body, headers: h(more) }),
		delete: <T = any>(path: string, more?: Record<string, string>) =>
			send<T>("DELETE", path, { headers: h(more) }),
	};
}
export type V4Client = ReturnType<typeof v4>;

/** Asserts a status and returns the body; the failure message carries the response. */
export function expectStatus<T = any>(res: { status: number; body: T; text?: string }, status: number): T {
	expect(res.status, res.text ?? JSON.stringify(res.body)).toBe(status);
	return res.body;
}

export const userDoc = (attributes: Record<string, unknown>) => ({ data: { type: "users", attributes } });

/** Creates a user through v4 and returns the resource (fails the test on a non-201). */
export async function createV4(api: V4Client, attributes: Record<string, unknown>): Promise<any> {
	return expectStatus(await api.post(`${V4}/users`, userDoc(attributes)), 201).data;
}

export const patchDoc = (id: string, attributes: Record<string, unknown>) => ({
	data: { type: "users", id, attributes },
});

/** Asserts a JSON:API error document: the status, and each expected error (subset match). */
export function expectErrors(res: Res, status: number, errors: Record<string, unknown>[]) {
	expect(res.status, res.text).toBe(status);
	expect(res.headers.get("content-type"), res.text).toContain(JSONAPI);
	expect(Array.isArray(res.body?.errors), res.text).toBe(true);
	for (const e of res.body.errors) {
		expect(typeof e.status, res.text).toBe("string");
		expect(e, res.text).toMatchObject({
			code: expect.any(String),
			title: expect.any(String),
			detail: expect.any(String),
		});
	}
	for (const expected of errors) {
		expect(res.body.errors, res.text).toContainEqual(expect.objectContaining(expected));
	}
}
