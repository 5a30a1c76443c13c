// CSRF defence for the console's forms (docs/console.md): every POST carries a token, the HMAC of
// the session id under a key derived from CONSOLE_SESSION_KEY, and must come from this origin.
// SameSite=Strict on the cookie is the first line; these two hold where it does not.
import { consoleKeys, toBase64Url } from "./session";

export const CSRF_FIELD = "_csrf";

const encoder = new TextEncoder();

/** The token for a session (the sign-in form, which has none yet, uses the empty id). */
export async function csrfToken(secret: string | undefined, sid: string): Promise<string> {
	const { mac } = await consoleKeys(secret);
	const sig = await crypto.subtle.sign("HMAC", mac, encoder.encode(`csrf:${sid}`));
	return toBase64Url(new Uint8Array(sig));
}

/** Constant-time: HMAC verify compares inside the runtime. */
export async function verifyCsrf(secret: string | undefined, sid: string, token: unknown): Promise<boolean> {
	if (typeof token !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(token)) return false;
	const { mac } = await consoleKeys(secret);
	const b64 = token.replace(/-/g, "+").replace(/_/g, "/");
	const sig = Uint8Array.from(atob(`${b64}=`), (ch) => ch.charCodeAt(0));
	return crypto.subtle.verify("HMAC", mac, sig, encoder.encode(`csrf:${sid}`));
}

/**
 * The Origin header must name this deployment: the request's own origin, or PUBLIC_ORIGIN when it
 * is set. Browsers send Origin on every form POST; a POST without one is refused.
 */
export function sameOrigin(request: Request, publicOrigin: string | undefined): boolean {
	const origin = request.headers.get("origin");
	if (!origin || origin === "null") return false;
	if (origin === new URL(request.url).origin) return true;
	return !!publicOrigin && origin === publicOrigin.replace(/\/+$/, "");
}
