import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError, type DomainErrorCode } from "../../domain/errors";
import type { AppEnv } from "../context";
import { recordRefusal } from "../failure-record";

// Problem details (RFC 9457) for the partner dialect (docs/partner.md, "Errors"): one table maps
// every DomainError code to a status, a problem type and a title.

export const PROBLEM_MEDIA_TYPE = "application/problem+json";
const TYPE_BASE = "https://roster.dev/problems/";

export interface FieldProblem {
	field: string;
	message: string;
}

export interface Problem {
	type: string;
	title: string;
	status: number;
	detail: string;
	errors: FieldProblem[];
}

const TABLE: Record<DomainErrorCode, { status: ContentfulStatusCode; type: string; title: string }> = {
	bad_request: { status: 400, type: "bad-request", title: "Bad request" },
	missing_argument: { status: 400, type: "validation", title: "Missing value" },
	invalid_argument: { status: 400, type: "validation", title: "Invalid value" },
	unauthorized: { status: 401, type: "unauthorized", title: "Invalid or missing management key" },
	forbidden: { status: 403, type: "forbidden", title: "Forbidden" },
	not_found: { status: 404, type: "not-found", title: "Not found" },
	user_not_found: { status: 404, type: "not-found", title: "User not found" },
	user_exists: { status: 409, type: "conflict", title: "Value already taken" },
	conflict: { status: 409, type: "conflict", title: "Conflict" },
	precondition_failed: { status: 412, type: "precondition-failed", title: "Precondition failed" },
	payload_too_large: { status: 413, type: "payload-too-large", title: "Payload too large" },
	rate_limited: { status: 429, type: "rate-limited", title: "Too many requests" },
	password_expired: { status: 400, type: "password-expired", title: "Password expired" },
	session_revoked: { status: 401, type: "unauthorized", title: "Session revoked" },
	not_configured: { status: 503, type: "not-configured", title: "Server not configured" },
	internal: { status: 500, type: "internal", title: "Internal error" },
};

/** Thrown by the dialect itself (validation of the wire shape): already a problem. */
export class PartnerProblem extends Error {
	constructor(readonly problem: Problem) {
		super(problem.detail);
		this.name = "PartnerProblem";
	}
}

export function problem(
	status: number,
	type: string,
	title: string,
	detail: string,
	errors: FieldProblem[] = [],
): Problem {
	return { type: TYPE_BASE + type, title, status, detail, errors };
}

/** The wire name of a domain field: `url` → `Url`, `eventTypes` → `EventTypes` (PascalCase). */
const wireField = (field: string) =>
	field.replace(/(^|\.)([a-z])/g, (_, dot: string, c: string) => dot + c.toUpperCase());

function domainProblem(error: DomainError): Problem {
	const entry = TABLE[error.code];
	if (!error.field) return problem(entry.status, entry.type, entry.title, error.message);
	const field = wireField(error.field);
	const prefix = `${error.field}: `;
	const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
	return problem(entry.status, entry.type, entry.title, `${field}: ${message}`, [{ field, message }]);
}

export function toProblem(error: unknown, c: Context): Problem {
	if (error instanceof PartnerProblem) return error.problem;
	if (error instanceof DomainError) return domainProblem(error);
	if (error instanceof HTTPException && error.status < 500) {
		// Hono's own: malformed JSON bodies (400), zod-openapi's media-type gate.
		const detail = error.message || "The request body is not valid JSON";
		return problem(error.status, "bad-request", "Bad request", detail);
	}
	console.error("unhandled error", c.req.method, c.req.path, error);
	return problem(500, "internal", "Internal error", "Internal error");
}

export function problemResponse(c: Context, body: Problem) {
	if (body.status === 401) c.header("WWW-Authenticate", 'Bearer realm="roster"');
	return c.json(body, body.status as ContentfulStatusCode, { "Content-Type": PROBLEM_MEDIA_TYPE });
}

/** onError of the partner sub-app: every failure, even an unexpected one, answers problem details. */
export async function onPartnerError(error: Error, c: Context<AppEnv>) {
	if (error instanceof DomainError && error.retryAfter !== undefined)
		c.header("Retry-After", String(error.retryAfter));
	const body = toProblem(error, c);
	await recordRefusal(c, {
		status: body.status,
		errorCode: body.type.slice(TYPE_BASE.length),
		message: body.detail,
	});
	return problemResponse(c, body);
}

/** The root 404 for paths under /api/partner/v1 (src/app.ts). */
export const partnerNotFound = (c: Context<AppEnv>) =>
	onPartnerError(
		new PartnerProblem(problem(404, "not-found", "Not found", `No route for ${c.req.method} ${c.req.path}`)),
		c,
	);

// ---------------------------------------------------------------- zod issues → problem details

/** `EventTypes[0]`, `Url`, `limit`: the member as a reader of the wire would write it. */
export function fieldName(path: PropertyKey[], fallback: string): string {
	if (!path.length) return fallback;
	return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("");
}

function valueAt(data: unknown, path: PropertyKey[]): unknown {
	let at = data;
	for (const key of path) {
		if (at === null || typeof at !== "object") return undefined;
		at = (at as Record<PropertyKey, unknown>)[key];
	}
	return at;
}

const TARGET_NAMES: Record<string, string> = {
	json: "body",
	query: "query",
	param: "path",
	header: "header",
};

/** Every zod issue as one entry of `errors`, naming its field. */
export function validationProblem(error: z.ZodError, target: string, data: unknown): Problem {
	const errors: FieldProblem[] = [];
	const where = TARGET_NAMES[target] ?? target;
	for (const issue of error.issues) {
		if (issue.code === "unrecognized_keys") {
			for (const key of issue.keys) {
				const field = fieldName([...issue.path, key], where);
				errors.push({
					field,
					message:
						target === "query"
							? "is not a query parameter of this operation"
							: "is not a member of this object",
				});
			}
			continue;
		}
		const field = fieldName(issue.path, where);
		const value = valueAt(data, issue.path);
		if (target === "query" && Array.isArray(value)) errors.push({ field, message: "given more than once" });
		else if (issue.code === "invalid_type" && value === undefined && issue.path.length)
			errors.push({ field, message: "is required" });
		else errors.push({ field, message: issue.message });
	}
	const detail = errors.map((e) => `${e.field}: ${e.message}`).join("; ") || `Invalid ${where}`;
	return problem(400, "validation", "Invalid request", detail, errors);
}

/** The value a validator looked at (zod keeps only the path). */
async function rawInput(c: Context, target: string, data: unknown) {
	if (data !== undefined) return data;
	if (target === "json") return c.req.json().catch(() => undefined);
	if (target === "query") return c.req.queries();
	return undefined;
}

/** defaultHook of the partner sub-app: zod failures become a 400 naming each field. */
export async function partnerValidationHook(
	result: { success: true } | { success: false; error: z.ZodError; target: string; data?: unknown },
	c: Context,
) {
	if (result.success) return;
	const data = await rawInput(c, result.target, result.data);
	throw new PartnerProblem(validationProblem(result.error, result.target, data));
}

// ---------------------------------------------------------------- OpenAPI declarations

export const problemSchema = z
	.object({
		type: z.string().openapi({ description: "A URI naming the kind of problem" }),
		title: z.string(),
		status: z.number().int(),
		detail: z.string(),
		errors: z.array(
			z.object({
				field: z.string().openapi({ description: "The wire name: `Url`, `EventTypes[0]`, `limit`" }),
				message: z.string(),
			}),
		),
	})
	.openapi("Problem");

const problemContent = { [PROBLEM_MEDIA_TYPE]: { schema: problemSchema } };

const problemOf = (description: string) => ({ description, content: problemContent });

/** The errors every authenticated partner operation may answer; spread into createRoute's responses. */
export const partnerErrorResponses = {
	400: problemOf("Invalid body, path or query parameter: `errors` names each field"),
	401: problemOf("Missing, invalid, expired or inactive management key"),
	403: problemOf("The key's IP allowlist, a read-only key writing, or a tenant-bound key"),
	404: problemOf("No such object in the key's project"),
	413: problemOf("The request body is larger than 1 MiB"),
	429: problemOf("Rate limit exceeded (Retry-After)"),
	500: problemOf("Internal error"),
	503: problemOf("The server is not configured for this operation (WEBHOOK_ENCRYPTION_KEY)"),
} as const;

export const notModifiedResponse = {
	304: {
		description: "If-None-Match names the current ETag",
		headers: z.object({ ETag: z.string() }),
	},
} as const;
