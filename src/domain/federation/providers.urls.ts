// URL rules of the registry (docs/federation.md, "Identity providers"): provider endpoints are
// https, or plain http to a loopback host when IDP_ALLOW_LOOPBACK is "true" (development, tests);
// application redirect URLs are on the project's allowlist.
import type { Deps } from "../deps";
import { invalid } from "../errors";
import { MAX_URL_LENGTH } from "../limits";

/** At most this many entries in a project's allowedRedirectUrls. */
export const MAX_ALLOWED_REDIRECT_URLS = 50;

const LOOPBACK_HOST = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/i;

export const idpLoopbackAllowed = (env: Pick<Deps, "env">["env"]) =>
	(env.IDP_ALLOW_LOOPBACK as string | undefined) === "true";

function parse(field: string, value: string): URL {
	if (value.length > MAX_URL_LENGTH) throw invalid(field, `must be at most ${MAX_URL_LENGTH} characters`);
	if (!URL.canParse(value)) throw invalid(field, "must be an absolute URL");
	const url = new URL(value);
	if (url.username || url.password) throw invalid(field, "must not carry credentials");
	if (url.hash) throw invalid(field, "must not have a fragment");
	return url;
}

/** https, or http to a loopback host only when IDP_ALLOW_LOOPBACK is "true". */
function checkScheme(env: Env, field: string, url: URL) {
	if (url.protocol === "https:") return;
	if (url.protocol === "http:" && LOOPBACK_HOST.test(url.hostname) && idpLoopbackAllowed(env)) return;
	throw invalid(
		field,
		idpLoopbackAllowed(env)
			? "must be an https URL (plain http only to localhost, 127.x or [::1])"
			: "must be an https URL",
	);
}

/** A provider endpoint (issuer, discovery, authorize, token, userinfo, JWKS). "" means not set. */
export function checkProviderUrl(env: Env, field: string, value: string): string {
	if (!value) return "";
	checkScheme(env, field, parse(field, value));
	return value;
}

/** One entry of a project's allowedRedirectUrls: absolute, https (or loopback http in development). */
export function checkAllowedRedirectUrls(env: Env, urls: string[]): string[] {
	if (urls.length > MAX_ALLOWED_REDIRECT_URLS)
		throw invalid("allowedRedirectUrls", `at most ${MAX_ALLOWED_REDIRECT_URLS} URLs`);
	const out = urls.map((value, i) => {
		const field = `allowedRedirectUrls[${i}]`;
		const url = parse(field, value.trim());
		checkScheme(env, field, url);
		return url.toString();
	});
	return [...new Set(out)];
}

/** Compared on origin and path: an application may carry its own state in the query, never another path. */
const withoutQuery = (url: URL) => `${url.origin}${url.pathname}`;

/** Whether `value` is on the allowlist (origin and path). */
export function isAllowedRedirect(allowlist: string[], value: string): boolean {
	if (!URL.canParse(value)) return false;
	const target = withoutQuery(new URL(value));
	return allowlist.some((entry) => URL.canParse(entry) && withoutQuery(new URL(entry)) === target);
}

/** A provider's default landing URL: "" (none), or an absolute http(s) URL on the project's allowlist. */
export function checkLandingUrl(field: string, value: string, allowlist: string[]): string {
	if (!value) return "";
	const url = parse(field, value);
	if (url.protocol !== "https:" && url.protocol !== "http:") throw invalid(field, "must be an http(s) URL");
	if (!isAllowedRedirect(allowlist, value))
		throw invalid(field, "is not one of the project's allowedRedirectUrls (set them with the operator API)");
	return value;
}
