// What the SCIM worker tests share (scim-users, scim-users-patch, scim-groups): a client that sends
// application/scim+json with a bearer key and reads any answer (an empty body is null), the RFC 7644
// §3.12 error envelope check, and the schema URNs.
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { ERROR_SCHEMA, SCIM_MEDIA_TYPE } from "../../../src/api/scim/errors";
import { BASE, newProject } from "../harness";

export const S = "/scim/v2";
export const CORE = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const ERROR = ERROR_SCHEMA;

export interface Answer {
	status: number;
	body: any;
	headers: Headers;
}

/** One SCIM request with `key` as the bearer token; `raw` sends a body as is. */
export async function scim(
	key: string,
	method: string,
	path: string,
	options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
	const headers: Record<string, string> = { authorization: `Bearer ${key}`, ...options.headers };
	const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
	if (body !== undefined) headers["content-type"] ??= SCIM_MEDIA_TYPE;
	const res = await exports.default.fetch(`${BASE}${S}${path}`, { method, headers, body });
	const text = await res.text();
	return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

export const scimClient = (key: string) => ({
	get: (path: string, headers?: Record<string, string>) => scim(key, "GET", path, { headers }),
	post: (path: string, body: unknown, headers?: Record<string, string>) =>
		scim(key, "POST", path, { body, headers }),
	put: (path: string, body: unknown, headers?: Record<string, string>) =>
		scim(key, "PUT", path, { body, headers }),
	patch: (path: string, body: unknown, headers?: Record<string, string>) =>
		scim(key, "PATCH", path, { body, headers }),
	delete: (path: string, headers?: Record<string, string>) => scim(key, "DELETE", path, { headers }),
});

export type ScimClient = ReturnType<typeof scimClient>;

/** Asserts the status and gives the body. */
export const is = (res: Answer, status: number) => {
	expect(res.status, JSON.stringify(res.body)).toBe(status);
	return res.body;
};

/** Asserts an RFC 7644 §3.12 error: the status (also as a string in the body), scimType, detail. */
export const scimError = (res: Answer, status: number, scimType?: string, detailPart?: string) => {
	const text = JSON.stringify(res.body);
	expect(res.status, text).toBe(status);
	expect(res.headers.get("content-type"), text).toContain(SCIM_MEDIA_TYPE);
	expect(res.body).toMatchObject({ schemas: [ERROR], status: String(status), detail: expect.any(String) });
	if (scimType) expect(res.body.scimType, text).toBe(scimType);
	if (detailPart) expect(res.body.detail, text).toContain(detailPart);
};

export const patchOp = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

/** A new project and a SCIM client with its project-wide key. */
export async function setup() {
	const p = await newProject();
	return { p, api: scimClient(p.managementKey) };
}

/** The users row as D1 holds it. */
export const userRow = async (id: string) =>
	env.DB.prepare(
		"SELECT id, status, email, phone, name, login_ids, custom_attributes FROM users WHERE id = ?",
	)
		.bind(id)
		.first<Record<string, string>>();
