/**
 * The one error type services throw. Each dialect maps `code` to its own status and envelope in
 * a single table, so the domain never speaks HTTP.
 */
export type DomainErrorCode =
	| "bad_request" // the request could not be read (malformed JSON, wrong content)
	| "missing_argument"
	| "invalid_argument"
	| "unauthorized"
	| "forbidden"
	| "not_found"
	| "user_not_found"
	| "user_exists"
	| "conflict"
	| "precondition_failed"
	| "payload_too_large" // the request body is over MAX_BODY_BYTES
	| "rate_limited" // with retryAfter seconds
	| "password_expired"
	| "session_revoked"
	| "not_configured" // a secret the feature needs is not set on this deployment (503)
	| "internal";

export class DomainError extends Error {
	constructor(
		readonly code: DomainErrorCode,
		message: string,
		readonly field?: string,
		/** Seconds, for rate_limited. */
		readonly retryAfter?: number,
	) {
		super(message);
		this.name = "DomainError";
	}
}

export const invalid = (field: string, message: string) =>
	new DomainError("invalid_argument", `${field}: ${message}`, field);
export const missing = (field: string) => new DomainError("missing_argument", `${field} is required`, field);
export const userNotFound = () => new DomainError("user_not_found", "User not found");
