// What the SCIM suites (scim-conformance, scim-okta, scim-entra) share: SCIM requests over real HTTP
// with a bearer token, and the keys and tenants a SCIM connection is set up with (docs/scim.md).
import { expect } from "vitest";
import { baseUrl, newProject, operatorKey, type TestProject } from "./harness.js";

export const SCIM = "/scim/v2";
export const SCIM_MEDIA_TYPE = "application/scim+json";
export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export interface ScimAnswer {
	status: number;
	headers: Headers;
	text: string;
	body: any;
}

/** One SCIM request; the body is sent as `contentType` (IdPs send application/json as often as scim+json). */
export async function scim(
	token: string,
	method: string,
	path: string,
	body?: unknown,
	options: { contentType?: string; headers?: Record<string, string> } = {},
): Promise<ScimAnswer> {
	const headers: Record<string, string> = {
		authorization: `Bearer ${token}`,
		accept: `${SCIM_MEDIA_TYPE}, application/json`,
		...options.headers,
	};
	if (body !== undefined) headers["content-type"] = options.contentType ?? SCIM_MEDIA_TYPE;
	const res = await fetch(`${baseUrl()}${SCIM}${path}`, {
		method,
		headers,
		body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
	});
	const text = await res.text();
	let parsed: unknown;
	try {
		parsed = text === "" ? undefined : JSON.parse(text);
	} catch {
		parsed = undefined;
	}
	return { status: res.status, headers: res.headers, text, body: parsed };
}

/** Asserts the status (the message carries the request and the answer) and returns the body. */
export function expectScim(answer: ScimAnswer, status: number, what = ""): any {
	expect(answer.status, `${what} → ${answer.status} ${answer.text.slice(0, 1500)}`).toBe(status);
	if (answer.text !== "")
		expect(answer.headers.get("content-type") ?? "", `${what}: media type`).toContain(SCIM_MEDIA_TYPE);
	return answer.body;
}

/** A Descope management call with the project-wide key: POST with a body, GET without; expects 200. */
export async function mgmtCall(project: TestProject, path: string, body?: unknown) {
	const res = await fetch(`${baseUrl()}${path}`, {
		method: body === undefined ? "GET" : "POST",
		headers: {
			authorization: `Bearer ${project.projectId}:${project.managementKey}`,
			"content-type": "application/json",
		},
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	expect(res.status, `${path}: ${text}`).toBe(200);
	return JSON.parse(text);
}

/** A tenant of the project (Descope `tenant/create`). */
export async function newTenant(project: TestProject, name: string): Promise<string> {
	const created = await mgmtCall(project, "/v1/mgmt/tenant/create", { name });
	expect(created.id, JSON.stringify(created)).toEqual(expect.any(String));
	return created.id as string;
}

/**
 * A management key bound to one tenant, the secret token of a B2B SCIM connection, made the way
 * docs/scim.md tells operators to: `POST /v1/operator/projects/{projectId}/keys`.
 */
export async function tenantKey(
	project: TestProject,
	tenantId: string,
	name = "entra-scim",
): Promise<string> {
	const res = await fetch(`${baseUrl()}/v1/operator/projects/${project.projectId}/keys`, {
		method: "POST",
		headers: { authorization: `Bearer ${operatorKey()}`, "content-type": "application/json" },
		body: JSON.stringify({ name, tenantIds: [tenantId] }),
	});
	const text = await res.text();
	expect(res.status, text).toBe(201);
	return JSON.parse(text).managementKey as string;
}

/** The user as the Descope management API loads it (status, tenants, roles, custom attributes). */
export async function loadUser(project: TestProject, userId: string): Promise<any> {
	const res = await fetch(`${baseUrl()}/v1/mgmt/user?userId=${encodeURIComponent(userId)}`, {
		headers: { authorization: `Bearer ${project.projectId}:${project.managementKey}` },
	});
	const text = await res.text();
	return { status: res.status, user: res.status === 200 ? JSON.parse(text).user : undefined, text };
}

/** RFC 7644 §3.5.2: a PATCH answers 200 with the resource, or 204. */
export function expectPatched(answer: ScimAnswer, what: string) {
	expect([200, 204], `${what} → ${answer.status} ${answer.text.slice(0, 800)}`).toContain(answer.status);
}

/** A B2B SCIM connection: a new project, a tenant of it and a token bound to that tenant. */
export async function tenantConnection(
	projectName: string,
	tenantName: string,
	keyName: string,
): Promise<{ project: TestProject; tenantId: string; token: string }> {
	const project = await newProject(projectName);
	const tenantId = await newTenant(project, tenantName);
	return { project, tenantId, token: await tenantKey(project, tenantId, keyName) };
}

/** A list response's resources, after checking its envelope. */
export function resources(body: any): any[] {
	expect(body?.schemas, JSON.stringify(body)).toEqual([LIST_SCHEMA]);
	expect(Array.isArray(body.Resources), JSON.stringify(body)).toBe(true);
	return body.Resources;
}

/** `?filter=…` with the expression URL-encoded the way IdPs send it. */
export const filterQuery = (filter: string, extra = "") => `?filter=${encodeURIComponent(filter)}${extra}`;
