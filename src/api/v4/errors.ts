import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { DomainError, type DomainErrorCode } from "../../domain/errors";
import { FieldErrors, type UserField } from "../../domain/users/user.validate";
import { recordRefusal } from "../failure-record";
import { JSONAPI, responseMediaType } from "./media-type";

// JSON:API error documents (v1.1 §7): one error object per problem, `status` as a string, the
// most generally applicable status on the response.

export interface ErrorObject {
	status: string;
	code: string;
	title: string;
	detail: string;
	source?: { pointer?: string; parameter?: string; header?: string };
}

/** Thrown by the dialect itself (validation, negotiation, ids): already in wire terms. */
export class JsonApiError extends Error {
	constructor(readonly errors: ErrorObject[]) {
		super(errors.map((e) => e.detail).join("; "));
		this.name = "JsonApiError";
	}
}

const TITLES: Record<string, string> = {
	"400": "Bad Request",
	"401": "Unauthorized",
	"403": "Forbidden",
	"404": "Not Found",
	"405": "Method Not Allowed",
	"406": "Not Acceptable",
	"409": "Conflict",
	"412": "Precondition Failed",
	"413": "Payload Too Large",
	"415": "Unsupported Media Type",
	"429": "Too Many Requests",
	"500": "Internal Server Error",
};

export function errorObject(
	status: number,
	code: string,
	detail: string,
	source?: ErrorObject["source"],
	title?: string,
): ErrorObject {
	return {
		status: String(status),
		code,
		title: title ?? CODE_TITLES[code] ?? TITLES[String(status)] ?? "Error",
		detail,
		...(source ? { source } : {}),
	};
}

const DOMAIN: Record<DomainErrorCode, { status: ContentfulStatusCode; title: string }> = {
	bad_request: { status: 400, title: "Bad request" },
	missing_argument: { status: 400, title: "Missing value" },
	invalid_argument: { status: 400, title: "Invalid value" },
	unauthorized: { status: 401, title: "Invalid or missing API key" },
	forbidden: { status: 403, title: "Forbidden" },
	not_found: { status: 404, title: "Not found" },
	user_not_found: { status: 404, title: "User not found" },
	user_exists: { status: 409, title: "Value already taken" },
	conflict: { status: 409, title: "Conflict" },
	precondition_failed: { status: 412, title: "Precondition failed" },
	payload_too_large: { status: 413, title: "Payload too large" },
	rate_limited: { status: 429, title: "Too many requests" },
	password_expired: { status: 400, title: "Password expired" },
	session_revoked: { status: 401, title: "Session revoked" },
	not_configured: { status: 503, title: "Server not configured" },
	internal: { status: 500, title: "Internal error" },
};

const CODE_TITLES: Record<string, string> = {
	required: "Missing value",
	invalid_type: "Invalid type",
	invalid_value: "Invalid value",
	unknown_attribute: "Unknown attribute",
	unknown_member: "Unknown member",
	unknown_relationship: "Unknown relationship",
	read_only: "Read-only member",
	type_mismatch: "Type mismatch",
	id_mismatch: "Id mismatch",
	unknown_parameter: "Unknown query parameter",
	repeated_parameter: "Repeated query parameter",
	invalid_parameter: "Invalid query parameter",
	invalid_page_size: "Invalid page size",
	invalid_cursor: "Invalid cursor",
	unsupported_sort: "Unsupported sort",
	unsupported_include: "Unsupported include",
	range_pagination_not_supported: "Range pagination not supported",
	invalid_email: "Invalid email address",
	invalid_phone: "Invalid telephone number",
	invalid_name: "Invalid name",
	invalid_external_id: "Invalid external id",
	unknown_user_flag: "Unknown user flag",
	invalid_locale: "Invalid locale",
	invalid_time_zone: "Invalid time zone",
	taken: "Value already taken",
};

const escapePointer = (segment: PropertyKey) => String(segment).replaceAll("~", "~0").replaceAll("/", "~1");
const pointer = (path: PropertyKey[]) => `/${path.map(escapePointer).join("/")}`;
/** contact_details.email, user_flags[1], data.id: the member's name as a reader would write it. */
function dotted(path: PropertyKey[]): string {
	const rest = path[0] === "data" && path[1] === "attributes" && path.length > 2 ? path.slice(2) : path;
	return rest.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("");
}

/** Where each domain field lives in a v4 resource document (its pointer under /data/attributes). */
export const FIELD_PATHS: Partial<Record<UserField, string[]>> = {
	name: ["name"],
	email: ["contact_details", "email"],
	phone: ["contact_details", "telephone_number_E123"],
	externalId: ["external_id"],
	userFlags: ["user_flags"],
	registered: ["registration_information", "registration_state"],
	status: ["registration_information", "registration_state"],
	locale: ["locale"],
	timeZone: ["time_zone"],
};

export function domainErrorObjects(error: DomainError): ErrorObject[] {
	const entry = DOMAIN[error.code];
	if (error instanceof FieldErrors) {
		return error.issues.map((issue) => {
			const path = [
				"data",
				"attributes",
				...(FIELD_PATHS[issue.field] ?? [issue.field]),
				...(issue.index === undefined ? [] : [issue.index]),
				...(issue.path === undefined ? [] : [issue.path]),
			];
			return errorObject(
				issue.code === "taken" ? 409 : entry.status,
				issue.code,
				`${dotted(path)}: ${issue.message}`,
				{ pointer: pointer(path) },
				CODE_TITLES[issue.code],
			);
		});
	}
	return [errorObject(entry.status, error.code, error.message, undefined, entry.title)];
}

/** One status for the response: the errors' own when they agree, else the general 4xx/5xx. */
export function statusOf(errors: ErrorObject[]): ContentfulStatusCode {
	const statuses = new Set(errors.map((e) => e.status));
	if (statuses.size === 1) return Number([...statuses][0]) as ContentfulStatusCode;
	return errors.some((e) => e.status.startsWith("5")) ? 500 : 400;
}

export function errorResponse(c: Context, errors: ErrorObject[]) {
	const status = statusOf(errors);
	if (status === 401) c.header("WWW-Authenticate", 'Apikey realm="roster"');
	return c.json({ jsonapi: JSONAPI, errors }, status, { "Content-Type": responseMediaType(c) });
}

export function toErrorObjects(error: unknown, c: Context): ErrorObject[] {
	if (error instanceof JsonApiError) return error.errors;
	if (error instanceof DomainError) return domainErrorObjects(error);
	if (error instanceof HTTPException && error.status < 500) {
		// Hono's own: malformed JSON bodies (400), zod-openapi's media-type gate (415).
		const code = error.status === 415 ? "unsupported_media_type" : "malformed_document";
		const detail =
			error.status === 415
				? "Send the document as application/vnd.api+json (or application/json)"
				: error.message || "The request body is not valid JSON";
		return [errorObject(error.status, code, detail)];
	}
	console.error("unhandled error", c.req.method, c.req.path, error);
	return [errorObject(500, "internal", "Internal error")];
}

/** onError of the v4 sub-app: every failure answers a JSON:API error document. */
export async function onJsonApiError(error: Error, c: Context) {
	if (error instanceof DomainError && error.retryAfter !== undefined)
		c.header("Retry-After", String(error.retryAfter));
	const errors = toErrorObjects(error, c);
	const first = errors[0];
	await recordRefusal(c, {
		status: statusOf(errors),
		errorCode: first?.code ?? "",
		message: errors.map((e) => e.detail).join("; "),
	});
	return errorResponse(c, errors);
}

/** The root 404 for paths under /api/. */
export const jsonApiNotFound = (c: Context) =>
	onJsonApiError(
		new JsonApiError([errorObject(404, "route_not_found", `No route for ${c.req.method} ${c.req.path}`)]),
		c,
	);

// ---------------------------------------------------------------- zod issues → error objects

function valueAt(data: unknown, path: PropertyKey[]): unknown {
	let at = data;
	for (const key of path) {
		if (at === null || typeof at !== "object") return undefined;
		at = (at as Record<PropertyKey, unknown>)[key];
	}
	return at;
}

interface IssueParams {
	status?: number;
	code?: string;
}

/** Every zod issue as its own error object: body issues carry a pointer, query issues a parameter. */
export function validationErrors(error: z.ZodError, target: string, data: unknown): ErrorObject[] {
	const errors: ErrorObject[] = [];
	const inBody = target === "json";
	for (const issue of error.issues) {
		const path = issue.path;
		const source = (p: PropertyKey[]) =>
			inBody ? { pointer: p.length ? pointer(p) : "" } : { parameter: String(p[0] ?? "") };
		const name = (p: PropertyKey[]) => (inBody ? dotted(p) || "document" : String(p[0] ?? "query"));
		if (issue.code === "unrecognized_keys") {
			for (const key of issue.keys) {
				const at = [...path, key];
				const isAttribute = inBody && path.includes("attributes");
				if (isAttribute && path.length === 2 && (key === "id" || key === "type")) {
					// JSON:API reserves them: the resource's own, which the client does not set here.
					errors.push(errorObject(403, "read_only", `${key}: is read-only: it is data.${key}`, source(at)));
					continue;
				}
				errors.push(
					inBody
						? errorObject(
								400,
								isAttribute ? "unknown_attribute" : "unknown_member",
								`${name(at)}: ${isAttribute ? "is not an attribute of users" : "is not a member of this object"}`,
								source(at),
							)
						: errorObject(400, "unknown_parameter", `"${key}" is not a query parameter of this endpoint`, {
								parameter: key,
							}),
				);
			}
			continue;
		}
		const params = (issue.code === "custom" ? issue.params : undefined) as IssueParams | undefined;
		if (params?.status) {
			errors.push(
				errorObject(
					params.status,
					params.code ?? "invalid_value",
					`${name(path)}: ${issue.message}`,
					source(path),
				),
			);
			continue;
		}
		const value = valueAt(data, path);
		if (!inBody && Array.isArray(value)) {
			errors.push(
				errorObject(400, "repeated_parameter", `${name(path)}: given more than once`, source(path)),
			);
		} else if (inBody && issue.code === "invalid_value" && path.includes("user_flags")) {
			errors.push(
				errorObject(
					400,
					"unknown_user_flag",
					`${name(path)}: ${JSON.stringify(value)} is not a user flag (see GET /api/user/management/v4/user_flags)`,
					source(path),
					"Unknown user flag",
				),
			);
		} else if (issue.code === "invalid_type" && value === undefined) {
			errors.push(errorObject(400, "required", `${name(path)}: is required`, source(path), "Missing value"));
		} else {
			const code = params?.code ?? (issue.code === "invalid_type" ? "invalid_type" : "invalid_value");
			errors.push(errorObject(400, code, `${name(path)}: ${issue.message}`, source(path)));
		}
	}
	return errors;
}
