import type { Context } from "hono";

// The origin that absolute links and the JWT issuer name. It comes from configuration
// (PUBLIC_ORIGIN), never from the Host header, which any client sets as it likes
// (docs/security.md, "Public origin").

/** localhost, 127.0.0.0/8 and ::1, as URL.hostname spells them. */
const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/i;

/**
 * The origin to put before absolute paths, or "" when none is known (links are then relative):
 * PUBLIC_ORIGIN when set; otherwise the request's own origin, but only on a loopback host, which
 * is local development.
 */
export function resolvePublicOrigin(configured: string, requestUrl: string): string {
	if (configured) {
		try {
			const url = new URL(configured);
			return url.protocol === "https:" || url.protocol === "http:" ? url.origin : "";
		} catch {
			return "";
		}
	}
	const url = new URL(requestUrl);
	return LOOPBACK.test(url.hostname) ? url.origin : "";
}

export const publicOrigin = (c: Context) =>
	resolvePublicOrigin(
		((c.env as Partial<Env> | undefined)?.PUBLIC_ORIGIN as string | undefined) ?? "",
		c.req.url,
	);

/**
 * The JWT `iss`: `<origin>/<projectId>`, or the project id alone when no origin is known. The
 * Descope SDK's validateJwt accepts both (the project id as the whole issuer, or as its last path
 * segment).
 */
export function issuerFor(c: Context, projectId: string) {
	const origin = publicOrigin(c);
	return origin ? `${origin}/${projectId}` : projectId;
}
