import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError, type DomainErrorCode } from "../../domain/errors";
import type { AppEnv } from "../context";
import { recordRefusal } from "../failure-record";

// The SCIM error envelope (RFC 7644 §3.12): `{schemas, status (a string), scimType?, detail}`,
// answered as application/scim+json. One table maps every DomainError code to a status and a
// scimType; the dialect's own parse errors are ScimError.

export const SCIM_MEDIA_TYPE = "application/scim+json";
export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

/** RFC 7644 §3.12, table 9, plus the statuses of the shared middleware. */
export type ScimType =
	| "invalidFilter"
	| "tooMany"
	| "uniqueness"
	| "mutability"
	| "invalidSyntax"
	| "invalidPath"
	| "noTarget"
	| "invalidValue"
	| "invalidVers"
	| "sensitive";

export interface ScimErrorBody {
	schemas: [typeof ERROR_SCHEMA];
	status: string;
	scimType?: ScimType;
	detail: string;
}

/** Thrown by the dialect (parsing filters, paths, PATCH operations, resource bodies). */
export class ScimError extends Error {
	constructor(
		readonly status: number,
		detail: string,
		readonly scimType?: ScimType,
	) {
		super(detail);
		this.name = "ScimError";
	}
}

const TABLE: Record<DomainErrorCode, { status: number; scimType?: ScimType }> = {
	bad_request: { status: 400, scimType: "invalidSyntax" },
	missing_argument: { status: 400, scimType: "invalidValue" },
	invalid_argument: { status: 400, scimType: "invalidValue" },
	unauthorized: { status: 401 },
	forbidden: { status: 403 },
	not_found: { status: 404 },
	user_not_found: { status: 404 },
	user_exists: { status: 409, scimType: "uniqueness" },
	conflict: { status: 409, scimType: "uniqueness" },
	precondition_failed: { status: 412, scimType: "invalidVers" },
	payload_too_large: { status: 413 },
	rate_limited: { status: 429 },
	password_expired: { status: 400, scimType: "invalidValue" },
	session_revoked: { status: 401 },
	not_configured: { status: 503 },
	internal: { status: 500 },
};

export function scimErrorBody(status: number, detail: string, scimType?: ScimType): ScimErrorBody {
	return { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

export function toScimError(error: unknown, c: Context): ScimErrorBody {
	if (error instanceof ScimError) return scimErrorBody(error.status, error.message, error.scimType);
	if (error instanceof DomainError) {
		const entry = TABLE[error.code];
		return scimErrorBody(entry.status, error.message, entry.scimType);
	}
	if (error instanceof HTTPException && error.status < 500) {
		// Hono's own: a malformed JSON body.
		const detail = error.message || "The request body is not valid JSON";
		return scimErrorBody(error.status, detail, error.status === 400 ? "invalidSyntax" : undefined);
	}
	console.error("unhandled error", c.req.method, c.req.path, error);
	return scimErrorBody(500, "Internal error");
}

export function scimErrorResponse(c: Context, body: ScimErrorBody) {
	const status = Number(body.status);
	if (status === 401) c.header("WWW-Authenticate", 'Bearer realm="roster"');
	return c.json(body, status as ContentfulStatusCode, { "Content-Type": SCIM_MEDIA_TYPE });
}

/** onError of the SCIM sub-app: every failure, even an unexpected one, answers the SCIM envelope. */
export async function onScimError(error: Error, c: Context<AppEnv>) {
	if (error instanceof DomainError && error.retryAfter !== undefined)
		c.header("Retry-After", String(error.retryAfter));
	const body = toScimError(error, c);
	await recordRefusal(c, {
		status: Number(body.status),
		errorCode: body.scimType ?? `scim_${body.status}`,
		message: body.detail,
	});
	return scimErrorResponse(c, body);
}

/** The root 404 for paths under /scim/v2 (src/app.ts). */
export const scimNotFound = (c: Context<AppEnv>) =>
	onScimError(new ScimError(404, `No route for ${c.req.method} ${c.req.path}`), c);

/** The envelope as the OpenAPI document declares it. */
export const scimErrorSchema = z
	.object({
		schemas: z.array(z.literal(ERROR_SCHEMA)),
		status: z.string().openapi({ description: "The HTTP status, as a string (RFC 7644 §3.12)" }),
		scimType: z
			.enum([
				"invalidFilter",
				"tooMany",
				"uniqueness",
				"mutability",
				"invalidSyntax",
				"invalidPath",
				"noTarget",
				"invalidValue",
				"invalidVers",
				"sensitive",
			])
			.optional(),
		detail: z.string(),
	})
	.openapi("ScimError");
