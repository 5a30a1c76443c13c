import { isIpAllowed } from "../lib/ip-allowlist";

// Where a request came from, for sign-in history and the activity log (docs/sessions.md).

/** Loopback, private (RFC 1918, RFC 4193) and link-local addresses: a caller on this machine or network. */
const LOCAL_RANGES = [
	"127.0.0.0/8",
	"10.0.0.0/8",
	"172.16.0.0/12",
	"192.168.0.0/16",
	"169.254.0.0/16",
	"::1/128",
	"fc00::/7",
	"fe80::/10",
];

export const LOCAL = "local";

interface RequestCf {
	city?: unknown;
	country?: unknown;
	asn?: unknown;
	colo?: unknown;
	postalCode?: unknown;
}

/** Miniflare's offline stand-in for `request.cf` (Austin, US): no real visitor's location. */
const isPlaceholderCf = (cf: RequestCf) =>
	cf.city === "Austin" &&
	cf.country === "US" &&
	cf.asn === 395747 &&
	cf.colo === "DFW" &&
	cf.postalCode === "78701";

export const isLocalAddress = (ip: string) => ip !== "" && isIpAllowed(LOCAL_RANGES, ip);

/** City and country from Cloudflare's `request.cf`; "local" for a local caller or the placeholder. */
export function requestLocation(req: Request, ip: string): { city: string; country: string } {
	const cf = (req as Request & { cf?: RequestCf }).cf;
	if (isLocalAddress(ip) || (cf && isPlaceholderCf(cf))) return { city: LOCAL, country: LOCAL };
	return {
		city: typeof cf?.city === "string" ? cf.city : "",
		country: typeof cf?.country === "string" ? cf.country : "",
	};
}
