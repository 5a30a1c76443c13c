import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { DomainError, type DomainErrorCode } from "../../domain/errors";
import { recordRefusal } from "../failure-record";

// Descope error envelope: {errorCode, errorDescription, errorMessage} (docs/descope-compat.md, "Wire behaviour").
// E06xxxx codes are Descope's own; E011401/403/404/409/412/500 are Roster's, in Descope's form.
const TABLE: Record<DomainErrorCode, { status: ContentfulStatusCode; code: string; description: string }> = {
	bad_request: { status: 400, code: "E011001", description: "Bad request" },
	missing_argument: { status: 400, code: "E011002", description: "Missing arguments" },
	invalid_argument: { status: 400, code: "E011004", description: "Invalid arguments" },
	unauthorized: { status: 401, code: "E011401", description: "Unauthorized" },
	forbidden: { status: 403, code: "E011403", description: "Forbidden" },
	not_found: { status: 404, code: "E011404", description: "Not found" },
	user_not_found: { status: 404, code: "E062108", description: "User not found" },
	user_exists: { status: 409, code: "E062107", description: "User already exists" },
	conflict: { status: 409, code: "E011409", description: "Conflict" },
	precondition_failed: { status: 412, code: "E011412", description: "Precondition failed" },
	payload_too_large: { status: 413, code: "E011413", description: "Payload too large" },
	rate_limited: { status: 429, code: "E130429", description: "Rate limit exceeded" },
	password_expired: { status: 400, code: "E062909", description: "Password expired" },
	session_revoked: { status: 401, code: "E064001", description: "Token expired by logout" },
	not_configured: { status: 503, code: "E011503", description: "Server not configured" },
	internal: { status: 500, code: "E011500", description: "Internal error" },
};

export const descopeErrorCodes = TABLE;

export function descopeError(c: Context, error: DomainError) {
	const entry = TABLE[error.code];
	if (error.retryAfter !== undefined) c.header("Retry-After", String(error.retryAfter));
	return c.json(
		{ errorCode: entry.code, errorDescription: entry.description, errorMessage: error.message },
		entry.status,
	);
}

function toDomainError(error: Error, c: Context): DomainError {
	if (error instanceof DomainError) return error;
	if (error instanceof HTTPException && error.status === 415) {
		// zod-openapi's media-type gate: say what to send, as v4 does (src/api/v4/media-type.ts).
		const sent = c.req.header("content-type");
		const got = sent ? `, not ${JSON.stringify(sent.slice(0, 100))}` : " (the request had none)";
		return new DomainError(
			"bad_request",
			`Unsupported Media Type: send Content-Type: application/json${got}`,
		);
	}
	if (error instanceof HTTPException && error.status < 500) {
		// Hono's body parsing (malformed JSON and the like).
		return new DomainError("bad_request", error.message || "Malformed request");
	}
	console.error("unhandled error", c.req.method, c.req.path, error);
	return new DomainError("internal", "Internal error");
}

/** onError for the dialect: every failure, even an unexpected one, answers in the envelope. */
export async function onDescopeError(error: Error, c: Context) {
	const domain = toDomainError(error, c);
	const entry = TABLE[domain.code];
	await recordRefusal(c, { status: entry.status, errorCode: entry.code, message: domain.message });
	return descopeError(c, domain);
}

/** Whether the value at `path` is absent (or null) in the request's input. */
function isAbsent(input: unknown, path: PropertyKey[]): boolean {
	let value = input;
	for (const key of path) {
		if (value === null || typeof value !== "object") return true;
		value = (value as Record<PropertyKey, unknown>)[key];
	}
	return value === undefined || value === null;
}

/**
 * Turns zod issues into one DomainError naming the first offending field: E011002 when the
 * field is absent from the input, E011004 when it is there but wrong.
 */
export function validationError(error: z.ZodError, input?: unknown): DomainError {
	const issue = error.issues[0];
	const field = issue?.path.length ? issue.path.map(String).join(".") : "body";
	const absent =
		issue !== undefined &&
		(input === undefined ? /received undefined/.test(issue.message) : isAbsent(input, issue.path));
	if (absent && issue.path.length > 0)
		return new DomainError("missing_argument", `${field} is required`, field);
	return new DomainError("invalid_argument", `${field}: ${issue?.message ?? "invalid value"}`, field);
}

/** The validation hook of Descope-style sub-apps; on failure `data` is the raw input. */
export function descopeValidationHook(
	result: { success: true } | { success: false; error: z.ZodError; data?: unknown },
) {
	if (!result.success) throw validationError(result.error, result.data ?? {});
}
