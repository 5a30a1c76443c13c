import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { publicOrigin } from "../public-origin";
import { SCIM_MEDIA_TYPE, ScimError } from "./errors";

// Small helpers every SCIM resource shares (RFC 7644): the absolute base of `meta.location`, the
// ListResponse envelope (§3.4.2), answers as application/scim+json, and Entra's string booleans.

export const LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/** The SCIM path prefix (app.ts mounts the sub-app there). */
const SCIM_PATH = "/scim/v2";

/** The absolute SCIM base URL (`https://host/scim/v2`), or the bare path when no public origin is known. */
export const scimBase = (c: Context) => `${publicOrigin(c)}${SCIM_PATH}`;

export interface ScimMeta {
	resourceType: string;
	created: string;
	lastModified: string;
	location: string;
	version: string;
}

/** RFC 7643 §3.1 `meta`: times as xsd:dateTime, the version as a weak ETag. */
export function scimMeta(
	resourceType: string,
	location: string,
	createdAt: number,
	modifiedAt: number,
	version: string,
): ScimMeta {
	return {
		resourceType,
		created: new Date(createdAt).toISOString(),
		lastModified: new Date(modifiedAt).toISOString(),
		location,
		version,
	};
}

/** RFC 7644 §3.4.2: `Resources` is always present, an empty array when nothing matched. */
export function listResponse(resources: unknown[], totalResults: number, startIndex: number) {
	return {
		schemas: [LIST_RESPONSE_SCHEMA],
		totalResults,
		startIndex,
		itemsPerPage: resources.length,
		Resources: resources,
	};
}

/** A SCIM answer: the JSON body as application/scim+json, with extra headers (ETag, Location). */
export function scimJson(
	_c: Context,
	body: unknown,
	status: ContentfulStatusCode = 200,
	headers: Record<string, string> = {},
): Response {
	// A plain Response: route handlers declare their bodies loosely (the mapper shapes them).
	return new Response(JSON.stringify(body), {
		status,
		headers: { ...headers, "Content-Type": SCIM_MEDIA_TYPE },
	});
}

/** An answer without a body (204, 304). */
export const scimEmpty = (status: 204 | 304, headers: Record<string, string> = {}): Response =>
	new Response(null, { status, headers });

/**
 * A boolean as sent: JSON true/false, or the strings "True"/"False" (any case) that Microsoft Entra
 * sends. Anything else is a 400 invalidValue naming the attribute.
 */
export function scimBoolean(value: unknown, label: string): boolean {
	if (typeof value === "boolean") return value;
	if (typeof value === "string") {
		const text = value.trim().toLowerCase();
		if (text === "true") return true;
		if (text === "false") return false;
	}
	throw new ScimError(400, `${label} must be true or false, not ${JSON.stringify(value)}`, "invalidValue");
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === "object" && v !== null && !Array.isArray(v);

/** The value under `name`, matched case-insensitively (SCIM attribute names are, RFC 7643 §2.1). */
export function field(obj: Record<string, unknown>, name: string): unknown {
	if (Object.hasOwn(obj, name)) return obj[name];
	const lower = name.toLowerCase();
	const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
	return key === undefined ? undefined : obj[key];
}
