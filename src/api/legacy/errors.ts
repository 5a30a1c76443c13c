import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { DomainError, type DomainErrorCode } from "../../domain/errors";
import { FieldErrors, type UserField } from "../../domain/users/user.validate";
import { recordRefusal } from "../failure-record";

// The legacy error shape: {error: <code>, message, errors: [{field, message}]}, one entry per
// problem, with the HTTP status of the v4 dialect for the same failure.

export const SERVICE_REFUSED =
	'The "service" parameter is not supported: Roster manages users only and serves no licensing API. List users with GET /api/management/user or the REST v4 users resource (GET /api/user/management/v4/users, docs/rest-v4.md)';

export interface LegacyFieldError {
	field: string;
	message: string;
}

export class LegacyError extends Error {
	constructor(
		readonly status: ContentfulStatusCode,
		readonly code: string,
		message: string,
		readonly errors: LegacyFieldError[] = [],
	) {
		super(message);
		this.name = "LegacyError";
	}
}

const STATUS: Record<DomainErrorCode, ContentfulStatusCode> = {
	bad_request: 400,
	missing_argument: 400,
	invalid_argument: 400,
	unauthorized: 401,
	forbidden: 403,
	not_found: 404,
	user_not_found: 404,
	user_exists: 409,
	conflict: 409,
	precondition_failed: 412,
	payload_too_large: 413,
	rate_limited: 429,
	password_expired: 400,
	session_revoked: 401,
	not_configured: 503,
	internal: 500,
};

/** Legacy names of the domain's fields. */
export const LEGACY_FIELDS: Partial<Record<UserField, string>> = {
	name: "name",
	email: "email",
	phone: "phone",
	externalId: "cid",
	userFlags: "user_flags",
	registered: "registered",
	status: "registered",
};

function toLegacy(error: unknown, c: Context): LegacyError {
	if (error instanceof LegacyError) return error;
	if (error instanceof FieldErrors) {
		const errors = error.issues.map((i) => {
			const field = (LEGACY_FIELDS[i.field] ?? i.field) + (i.index === undefined ? "" : `[${i.index}]`);
			return { field, message: `${field}: ${i.message}` };
		});
		return new LegacyError(STATUS[error.code], error.code, errors.map((e) => e.message).join("; "), errors);
	}
	if (error instanceof DomainError) return new LegacyError(STATUS[error.code], error.code, error.message);
	if (error instanceof HTTPException && error.status < 500) {
		return new LegacyError(
			error.status as ContentfulStatusCode,
			"bad_request",
			error.message || "Malformed request",
		);
	}
	console.error("unhandled error", c.req.method, c.req.path, error);
	return new LegacyError(500, "internal", "Internal error");
}

export async function onLegacyError(error: Error, c: Context) {
	if (error instanceof DomainError && error.retryAfter !== undefined)
		c.header("Retry-After", String(error.retryAfter));
	const e = toLegacy(error, c);
	await recordRefusal(c, { status: e.status, errorCode: e.code, message: e.message });
	return c.json({ error: e.code, message: e.message, errors: e.errors }, e.status);
}

/** Every zod issue, named by its dotted path. */
export function legacyValidationError(error: z.ZodError): LegacyError {
	const errors = error.issues.map((issue) => {
		const field = issue.path.map(String).join(".") || "body";
		return { field, message: `${field}: ${issue.message}` };
	});
	return new LegacyError(400, "invalid_argument", errors.map((e) => e.message).join("; "), errors);
}

export const serviceRefused = () =>
	new LegacyError(400, "unsupported_parameter", SERVICE_REFUSED, [
		{ field: "service", message: SERVICE_REFUSED },
	]);
