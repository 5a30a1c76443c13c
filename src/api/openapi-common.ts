import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { MAX_BODY_BYTES } from "../domain/limits";
import type { AppEnv } from "./context";
import { publicOrigin } from "./public-origin";

// What every dialect's OpenAPI document shares, added in one place after generation
// (docs/api-reference.md): servers, the licence, security schemes, operation ids and the
// responses the middleware in front of every route can answer (auth, body limit, rate limits).

type Json = Record<string, unknown>;
type OpenApiDocument = ReturnType<OpenAPIHono<AppEnv>["getOpenAPI31Document"]>;
type ObjectConfig = Parameters<OpenAPIHono<AppEnv>["getOpenAPI31Document"]>[0];

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** The answers of the shared middleware, by status. */
export const SHARED_RESPONSES = {
	400: "Invalid or missing arguments",
	401: "Missing, malformed, wrong, inactive or expired credentials",
	403: "The client address is not on the key's IP allowlist, or the key's scope does not allow the call",
	404: "Not found",
	406: "Accept asks for a media type with parameters this server does not support",
	413: `The request body is larger than ${MAX_BODY_BYTES} bytes`,
	415: "Content-Type is not a supported media type",
	429: "Rate limit exceeded; retry after Retry-After seconds (docs/security.md)",
	500: "Internal error",
} as const;
export type SharedStatus = keyof typeof SHARED_RESPONSES;

export interface OperationRef {
	method: (typeof METHODS)[number];
	path: string;
}

export interface DocumentProfile {
	/** The dialect's error body, as a media-type map (e.g. `{"application/json": {schema}}`). */
	errorContent: Json;
	/** The shared statuses this operation can answer (those the route already declares are kept). */
	sharedStatuses: (op: OperationRef) => readonly SharedStatus[];
	securitySchemes: Record<string, Json>;
	/** The operation's security requirement; `[]` for a public route. */
	security: (op: OperationRef) => Record<string, string[]>[];
	/** The tag of an operation that has none, so the reference and the Postman folders group it. */
	tag: (op: OperationRef) => string;
	/** Tags with their descriptions, in display order. */
	tags: { name: string; description: string }[];
	/** Media types the dialect answers in as well, with the same body: `[declared, alsoAnswered]`. */
	alsoAnswers?: [string, string];
	serverDescription: string;
}

const retryAfter = {
	"Retry-After": { description: "Seconds until the window resets", schema: { type: "integer", minimum: 1 } },
};

/** `post /v1/mgmt/user/search` → `postV1MgmtUserSearch`; `{userId}` → `ByUserId`. */
export function fallbackOperationId(op: OperationRef): string {
	const words = op.path
		.split("/")
		.filter(Boolean)
		.flatMap((segment) => {
			const param = /^\{(.+)\}$/.exec(segment)?.[1];
			return (param ? `by-${param}` : segment).split(/[^A-Za-z0-9]+/);
		})
		.filter(Boolean);
	return [op.method, ...words].map((w, i) => (i ? w[0]?.toUpperCase() + w.slice(1) : w)).join("");
}

/** Adds what every dialect's document shares; the generated document is not changed in place. */
export function finishDocument(generated: OpenApiDocument, profile: DocumentProfile, origin: string) {
	const doc = structuredClone(generated) as unknown as Json & { paths?: Record<string, Json> };
	const info = doc.info as Json;
	info.license = { name: "Apache-2.0", identifier: "Apache-2.0" };
	// Relative when no public origin is known (docs/security.md, "Public origin").
	doc.servers = [{ url: origin || "/", description: profile.serverDescription }];
	doc.components ??= {};
	const components = doc.components as Json;
	components.securitySchemes = { ...(components.securitySchemes as Json), ...profile.securitySchemes };
	const used = new Set<string>();
	for (const [path, item] of Object.entries(doc.paths ?? {})) {
		for (const method of METHODS) {
			const operation = item[method] as Json | undefined;
			if (!operation) continue;
			const op = { method, path };
			operation.operationId ??= fallbackOperationId(op);
			operation.summary ??= `${method.toUpperCase()} ${path}`;
			if (!Array.isArray(operation.tags) || operation.tags.length === 0) operation.tags = [profile.tag(op)];
			for (const tag of operation.tags as string[]) used.add(tag);
			operation.security ??= profile.security(op);
			operation.responses ??= {};
			const responses = operation.responses as Record<string, Json>;
			for (const status of profile.sharedStatuses(op)) {
				responses[status] ??= {
					description: SHARED_RESPONSES[status],
					...(status === 429 ? { headers: retryAfter } : {}),
					content: profile.errorContent,
				};
			}
			if (profile.alsoAnswers) mirrorMediaType(responses, ...profile.alsoAnswers);
		}
	}
	delete doc.security;
	const declared = profile.tags.filter((t) => used.has(t.name));
	const undeclared = [...used].filter((name) => !declared.some((t) => t.name === name));
	doc.tags = [...declared, ...undeclared.map((name) => ({ name, description: name }))];
	return doc;
}

function mirrorMediaType(responses: Record<string, Json>, declared: string, also: string) {
	for (const response of Object.values(responses)) {
		const content = response.content as Json | undefined;
		if (content?.[declared] && !content[also]) content[also] = content[declared];
	}
}

/**
 * Serves a dialect's document at `path`: generated once per isolate (the routes are fixed after
 * start-up), finished with the profile, servers set to the public origin of the request.
 */
export function serveOpenApiDocument(
	app: OpenAPIHono<AppEnv>,
	path: string,
	config: ObjectConfig,
	profile: DocumentProfile,
) {
	let generated: OpenApiDocument | undefined;
	app.get(path, (c: Context<AppEnv>) => {
		generated ??= app.getOpenAPI31Document(config);
		return c.json(finishDocument(generated, profile, publicOrigin(c)));
	});
}
