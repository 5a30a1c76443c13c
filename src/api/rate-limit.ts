// Workers Rate Limiting (docs/security.md): the bindings are declared in wrangler.toml; each one
// counts calls per key, per Cloudflare location, in windows of 10 or 60 seconds.
import type { Context } from "hono";
import { DomainError } from "../domain/errors";
import { parseIp } from "../lib/ip-allowlist";
import type { AppEnv } from "./context";

/** Each binding's `period` in wrangler.toml: the binding answers only `{success}`, so Retry-After is the window. */
export const RATE_LIMIT_PERIODS = {
	management: 10,
	auth: 60,
	keyFailure: 60,
} as const;

const limited = (what: string, retryAfter: number) =>
	new DomainError(
		"rate_limited",
		`Rate limit exceeded: ${what}; retry after ${retryAfter} seconds`,
		undefined,
		retryAfter,
	);

/**
 * The client's address as a counter key: CF-Connecting-IP, set by Cloudflare's edge and not
 * forgeable through it. IPv6 counts per /64, the block one subscriber usually holds (RFC 6177).
 * Requests without it (local tools, service bindings) share one counter.
 */
export function clientKey(c: Context<AppEnv>): string {
	const ip = parseIp(c.req.header("cf-connecting-ip") ?? "");
	if (!ip) return "ip:unknown";
	if (ip.version === 4) return `ip4:${ip.value.toString(16)}`;
	return `ip6:${(ip.value >> 64n).toString(16)}`;
}

/** Per management key; a project on the high tier uses the larger binding. */
export async function limitManagementKey(
	c: Context<AppEnv>,
	principal: { keyId: string; rateLimitTier: "standard" | "high" },
): Promise<void> {
	const binding = principal.rateLimitTier === "high" ? c.env.MGMT_RATE_LIMIT_HIGH : c.env.MGMT_RATE_LIMIT;
	const { success } = await binding.limit({ key: `key:${principal.keyId}` });
	if (!success) throw limited("too many calls with this management key", RATE_LIMIT_PERIODS.management);
}

/** Per client address on the end-user sign-up and sign-in routes: password spraying across accounts. */
export async function limitAuthByIp(c: Context<AppEnv>): Promise<void> {
	const { success } = await c.env.AUTH_RATE_LIMIT.limit({ key: clientKey(c) });
	if (!success) throw limited("too many sign-in requests from this address", RATE_LIMIT_PERIODS.auth);
}

// The binding cannot be read without counting, so an address that went over the failure limit is
// remembered in this location's cache (the same reach as the binding's counters) for the window.
const blockedUrl = (key: string) =>
	`https://rate-limit.roster.internal/key-failures/${encodeURIComponent(key)}`;

async function isBlocked(key: string): Promise<boolean> {
	return (await caches.default.match(blockedUrl(key))) !== undefined;
}

async function block(key: string): Promise<void> {
	const headers = { "cache-control": `max-age=${RATE_LIMIT_PERIODS.keyFailure}` };
	await caches.default.put(blockedUrl(key), new Response("blocked", { headers }));
}

/**
 * Runs a key authentication, counting only its failures (an `unauthorized` DomainError) per client
 * address. Past the limit the address is refused for the window before any key is checked, so a
 * correct guess then is refused like a wrong one.
 */
export async function withKeyFailureLimit<T>(c: Context<AppEnv>, authenticate: () => Promise<T>): Promise<T> {
	const key = clientKey(c);
	const tooMany = () =>
		limited("too many failed authentications from this address", RATE_LIMIT_PERIODS.keyFailure);
	if (await isBlocked(key)) throw tooMany();
	try {
		return await authenticate();
	} catch (error) {
		if (!(error instanceof DomainError) || error.code !== "unauthorized") throw error;
		const { success } = await c.env.KEY_FAILURE_RATE_LIMIT.limit({ key });
		if (success) throw error;
		await block(key);
		throw tooMany();
	}
}
