// The routes the auth-contract suite runs over, from every dialect's OpenAPI document (the legacy
// endpoints, which have none, from a short list), and how each dialect answers a refusal.

import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { BASE, type CallResult } from "../harness";
import { loadOperations, type Operation, type OperationDialect, type Pool, sample } from "./fuzz-openapi";

export const operations = await loadOperations();

/** Placeholders for path parameters: well-formed ids that name nothing. */
const PLACEHOLDERS: Record<string, string> = {
	user_id: `U${"0".repeat(27)}`,
	projectId: `P${"0".repeat(27)}`,
	email: "nobody@example.com",
};

export const fill = (path: string, values: Record<string, string> = {}) =>
	path.replace(/\{(\w+)\}/g, (_, name: string) =>
		encodeURIComponent(values[name] ?? PLACEHOLDERS[name] ?? "x"),
	);

export const label = (op: Pick<Operation, "method" | "path">) => `${op.method} ${op.path}`;

/** Sends a request whose body (if any) is `body`, in the operation's media type. */
export async function sendTo(
	op: Operation,
	headers: Record<string, string>,
	options: { body?: unknown; values?: Record<string, string> } = {},
): Promise<CallResult> {
	const hasBody = op.body !== undefined || (op.method !== "GET" && op.method !== "DELETE");
	const res = await exports.default.fetch(`${BASE}${fill(op.path, options.values)}`, {
		method: op.method,
		headers: hasBody ? { "content-type": op.contentType, ...headers } : headers,
		body: hasBody ? JSON.stringify(options.body ?? {}) : undefined,
	});
	const text = await res.text();
	let body: unknown;
	try {
		body = text === "" ? {} : JSON.parse(text);
	} catch {
		throw new Error(`${label(op)} answered ${res.status} with a non-JSON body: ${text}`);
	}
	return { status: res.status, body, headers: res.headers };
}

/** A body that passes the operation's schema shape, naming the given project's rows. */
export const plausibleBody = (op: Operation, pool: Pool) =>
	op.body ? (sample(op.body, pool) ?? {}) : undefined;

/**
 * Asserts a refusal in the dialect's envelope; `message` pins the reason. A Descope 401 or 403 is
 * Roster's E011401 / E011403 unless `anyCode` (a revoked session has Descope's own E064001).
 */
export function expectRefusal(
	dialect: OperationDialect,
	res: CallResult,
	status: number,
	message?: string,
	anyCode = false,
) {
	const text = JSON.stringify(res.body);
	expect(res.status, text).toBe(status);
	switch (dialect) {
		case "descope":
		case "operator": {
			const code = anyCode ? undefined : { 401: "E011401", 403: "E011403" }[status];
			expect(res.body, text).toMatchObject({
				errorCode: code ?? expect.stringMatching(/^E\d{6}$/),
				errorDescription: expect.any(String),
				errorMessage: expect.any(String),
			});
			if (message) expect(res.body.errorMessage, text).toContain(message);
			break;
		}
		case "v4":
			expect(res.body.errors, text).toEqual(
				expect.arrayContaining([
					expect.objectContaining({ status: String(status), detail: expect.any(String) }),
				]),
			);
			if (message)
				expect(res.body.errors.map((e: { detail: string }) => e.detail).join(" "), text).toContain(message);
			break;
		case "legacy":
			expect(res.body, text).toMatchObject({ error: expect.any(String), message: expect.any(String) });
			expect(Array.isArray(res.body.errors), text).toBe(true);
			if (message) expect(res.body.message, text).toContain(message);
			break;
		case "partner":
			// RFC 9457 problem details (docs/partner.md, "Errors").
			expect(res.headers.get("content-type"), text).toBe("application/problem+json");
			expect(res.body, text).toMatchObject({
				type: expect.any(String),
				title: expect.any(String),
				status,
				detail: expect.any(String),
				errors: expect.any(Array),
			});
			if (message) expect(res.body.detail, text).toContain(message);
			break;
		case "scim":
			// RFC 7644 §3.12 (docs/scim.md, "Errors"): the status as a string.
			expect(res.headers.get("content-type"), text).toBe("application/scim+json");
			expect(res.body, text).toMatchObject({
				schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
				status: String(status),
				detail: expect.any(String),
			});
			if (message) expect(res.body.detail, text).toContain(message);
			break;
	}
}

/** Asserts an answer in the dialect's envelope when it is an error, and never a 5xx. */
export function expectNo5xx(dialect: OperationDialect, res: CallResult) {
	const text = JSON.stringify(res.body);
	expect(res.status, text).toBeLessThan(500);
	if (res.status >= 400) expectRefusal(dialect, res, res.status, undefined, true);
}

/** The message a scoped key's refusal carries, when it is refused for its scope. */
export const READ_ONLY = "read-only";
export const TENANT_BOUND = "tenant-bound";

// ---------------------------------------------------------------------------------------------
// Which routes read and which write (for read-only keys).

/** Management routes that only read: GETs, and the POSTs that search, load or list. */
export const isRead = (op: Pick<Operation, "method" | "path">) =>
	op.method === "GET" || /\/(search|search\/test|load|list|history)$/.test(op.path);
/** Routes that read rows but act on tokens, not rows: a read-only key may use them or not. */
export const EITHER = new Set(["POST /v1/mgmt/jwt/update"]);

/** Management operations of every dialect (the end-user routes and the JWKS are not). */
export const managementOps = (): Operation[] => [
	...operations.descope.filter((op) => /^\/v[12]\/mgmt\//.test(op.path)),
	...operations.v4,
	...operations.legacy,
];

/** End-user routes that act on the caller's session: they need `Bearer <projectId>:<refreshJwt>`. */
export const SESSION_ROUTES = new Set([
	"POST /v1/auth/password/update",
	"POST /v1/auth/refresh",
	"POST /v1/auth/logout",
	"POST /v1/auth/logoutall",
	"GET /v1/auth/me",
	"GET /v1/auth/me/history",
	"POST /v1/auth/tenant/select",
	"POST /v1/auth/webauthn/update/start",
]);
/** End-user routes that need no session: sign-up, sign-in, and the ceremonies' second steps. */
export const PUBLIC_AUTH_ROUTES = new Set([
	"POST /v1/auth/password/signup",
	"POST /v1/auth/password/signin",
	"POST /v1/auth/password/replace",
	"GET /v1/auth/password/policy",
	"POST /v1/auth/webauthn/signup/start",
	"POST /v1/auth/webauthn/signup/finish",
	"POST /v1/auth/webauthn/signin/start",
	"POST /v1/auth/webauthn/signin/finish",
	"POST /v1/auth/webauthn/update/finish",
	// Federated sign-in (docs/federation.md); its browser callback is not an API route.
	"POST /v1/auth/saml/authorize",
	"POST /v1/auth/oauth/authorize",
	"POST /v1/auth/saml/exchange",
	"POST /v1/auth/oauth/exchange",
	// `Bearer <projectId>:<accessKey>` (docs/access-keys.md): a refresh JWT or no key is refused like a wrong key.
	"POST /v1/auth/accesskey/exchange",
]);
/**
 * Browser routes under /v1/auth: no bearer at all (the identity provider sends the browser to the
 * callback, docs/federation.md). They have their own cases, not the bearer cases of authOps.
 */
export const BROWSER_AUTH_ROUTES = new Set(["GET /v1/auth/federation/{projectId}/callback"]);
export const browserOps = (): Operation[] =>
	operations.descope.filter((op) => BROWSER_AUTH_ROUTES.has(label(op)));
export const authOps = (): Operation[] =>
	operations.descope.filter((op) => op.path.startsWith("/v1/auth/") && !BROWSER_AUTH_ROUTES.has(label(op)));
