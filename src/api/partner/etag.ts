import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { sha256Hex } from "../../lib/crypto";

// Every partner GET carries a weak ETag of its body (RFC 9110 §8.8.3) and must be revalidated
// (`Cache-Control: private, no-cache`); If-None-Match naming it answers 304 with no body.

export const CACHE_CONTROL = "private, no-cache";

/** W/"<first 128 bits of the SHA-256 of the body, hex>". */
export const bodyEtag = async (text: string) => `W/"${(await sha256Hex(text)).slice(0, 32)}"`;

/** Weak comparison (RFC 9110 §13.1.2): `*`, or any listed tag with the same opaque value. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
	if (header === undefined) return false;
	if (header.trim() === "*") return true;
	const opaque = etag.replace(/^W\//, "");
	return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === opaque);
}

/** Answers a GET's JSON body with its ETag, or 304 when If-None-Match already names it. */
export async function withEtag(
	c: Context,
	body: unknown,
	status: ContentfulStatusCode = 200,
): Promise<Response> {
	const text = JSON.stringify(body);
	const etag = await bodyEtag(text);
	const headers = { ETag: etag, "Cache-Control": CACHE_CONTROL };
	if (matchesIfNoneMatch(c.req.header("if-none-match"), etag)) return c.body(null, 304, headers);
	return c.body(text, status, { ...headers, "Content-Type": "application/json" });
}
