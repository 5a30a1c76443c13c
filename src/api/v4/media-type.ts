import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";

// JSON:API content negotiation (v1.1 §5). Roster supports no JSON:API extensions; profiles are
// accepted and ignored. application/json is accepted too, for clients that know no better.

export const JSONAPI_MEDIA_TYPE = "application/vnd.api+json";
export const JSONAPI = { version: "1.1" } as const;

interface MediaRange {
	type: string;
	params: Record<string, string>;
}

function parseMediaRange(text: string): MediaRange {
	const [type = "", ...rest] = text.split(";");
	const params: Record<string, string> = {};
	for (const p of rest) {
		const [k, v = ""] = p.split("=");
		if (k?.trim()) params[k.trim().toLowerCase()] = v.trim().replace(/^"|"$/g, "");
	}
	return { type: type.trim().toLowerCase(), params };
}

/** Parameters other than ext and profile (and Accept's q) are not allowed on the JSON:API type. */
const hasForeignParams = (range: MediaRange, allowQ: boolean) =>
	Object.keys(range.params).some((k) => !(k === "profile" || (allowQ && k === "q")));

/** The media type of a response: JSON:API unless the client asks only for application/json. */
export function responseMediaType(c: Context): string {
	const accept = c.req.header("accept");
	if (!accept) return JSONAPI_MEDIA_TYPE;
	const types = accept.split(",").map((r) => parseMediaRange(r).type);
	return !types.includes(JSONAPI_MEDIA_TYPE) && types.includes("application/json")
		? "application/json"
		: JSONAPI_MEDIA_TYPE;
}

/** Thrown as a 415/406 by the caller, which owns the error envelope. */
export interface NegotiationFailure {
	status: 406 | 415;
	detail: string;
}

export function negotiationFailure(c: Context): NegotiationFailure | null {
	const method = c.req.method;
	if (method === "POST" || method === "PATCH" || method === "PUT") {
		const header = c.req.header("content-type");
		if (!header) return { status: 415, detail: `Send the request document as ${JSONAPI_MEDIA_TYPE}` };
		const range = parseMediaRange(header);
		if (range.type === JSONAPI_MEDIA_TYPE) {
			// `ext` is a parameter JSON:API defines, but no extension is supported here.
			if (hasForeignParams(range, false)) {
				return {
					status: 415,
					detail: `${JSONAPI_MEDIA_TYPE} takes no media type parameters here (no JSON:API extension is supported)`,
				};
			}
		} else if (range.type !== "application/json") {
			return { status: 415, detail: `${range.type} is not supported: send ${JSONAPI_MEDIA_TYPE}` };
		}
	}
	const accept = c.req.header("accept");
	if (accept) {
		const ranges = accept
			.split(",")
			.map(parseMediaRange)
			.filter((r) => r.type === JSONAPI_MEDIA_TYPE);
		if (ranges.length > 0 && ranges.every((r) => hasForeignParams(r, true))) {
			return {
				status: 406,
				detail: `Every ${JSONAPI_MEDIA_TYPE} in Accept carries parameters this server does not support`,
			};
		}
	}
	return null;
}

/** Answers JSON bodies with the negotiated media type (errors included) and says it varies. */
export const jsonApiContentType = createMiddleware<AppEnv>(async (c, next) => {
	await next();
	const type = c.res.headers.get("content-type");
	if (type?.startsWith("application/json")) c.header("Content-Type", responseMediaType(c));
	c.header("Vary", "Accept");
});
