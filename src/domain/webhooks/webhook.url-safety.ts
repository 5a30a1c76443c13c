// Outbound safety of webhook targets (docs/webhooks.md, "Outbound safety"): checked when an endpoint
// is created or updated and again before every attempt. Only literal addresses can be judged here: a
// Worker cannot resolve names, so a public name that resolves to a private address is not caught
// (Cloudflare does not route Workers subrequests to RFC 1918 space).

const MAX_URL_LENGTH = 2048;

/** IPv4 ranges never reachable as a webhook target (RFC 6890 special-purpose, RFC 1918, RFC 6598…). */
const V4_BLOCKED: [number, number, string][] = [
	[0x00000000, 8, "an unspecified (0.0.0.0/8) address"],
	[0x0a000000, 8, "a private (RFC 1918) address"],
	[0x64400000, 10, "a shared (CGNAT, RFC 6598) address"],
	[0x7f000000, 8, "a loopback address"],
	[0xa9fe0000, 16, "a link-local address"],
	[0xac100000, 12, "a private (RFC 1918) address"],
	[0xc0000000, 24, "an IETF protocol (192.0.0.0/24) address"],
	[0xc0000200, 24, "a documentation address"],
	[0xc0a80000, 16, "a private (RFC 1918) address"],
	[0xc6120000, 15, "a benchmarking (198.18.0.0/15) address"],
	[0xc6336400, 24, "a documentation address"],
	[0xcb007100, 24, "a documentation address"],
	[0xe0000000, 4, "a multicast address"],
	[0xf0000000, 4, "a reserved (240.0.0.0/4) address"],
];

function parseV4(host: string): number | null {
	const parts = host.split(".");
	if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
	return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

const inV4 = (ip: number, base: number, bits: number) =>
	bits === 0 || Math.floor(ip / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits));

function v4Reason(ip: number, allowLoopback: boolean): string | null {
	if (allowLoopback && inV4(ip, 0x7f000000, 8)) return null;
	for (const [base, bits, what] of V4_BLOCKED) if (inV4(ip, base, bits)) return what;
	return null;
}

/** Eight 16-bit groups of an IPv6 literal as WHATWG URL serialises it (hex only, `::` compressed), or null. */
function parseV6(host: string): number[] | null {
	const halves = host.split("::");
	if (halves.length > 2) return null;
	const groups = (s: string) => (s === "" ? [] : s.split(":"));
	const head = groups(halves[0] as string);
	const rest = halves.length === 2 ? groups(halves[1] as string) : [];
	if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
	const fill = 8 - head.length - rest.length;
	if (halves.length === 1 ? fill !== 0 : fill < 1) return null;
	return [
		...head.map((g) => Number.parseInt(g, 16)),
		...Array<number>(halves.length === 2 ? fill : 0).fill(0),
		...rest.map((g) => Number.parseInt(g, 16)),
	];
}

function v6Reason(g: number[], allowLoopback: boolean): string | null {
	const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
	if (zeroUpTo(8)) return "the unspecified address";
	if (zeroUpTo(7) && g[7] === 1) return allowLoopback ? null : "a loopback address";
	const first = g[0] as number;
	if (zeroUpTo(5) && g[5] === 0xffff) return "an IPv4-mapped IPv6 address";
	if (zeroUpTo(6)) return "an IPv4-compatible IPv6 address";
	if (first === 0x64 && g[1] === 0xff9b) return "a NAT64 (IPv4-embedding) address";
	if (first === 0x2002) return "a 6to4 (IPv4-embedding) address";
	if (first === 0x2001 && g[1] === 0x0db8) return "a documentation address";
	if ((first & 0xfe00) === 0xfc00) return "a unique-local (fc00::/7) address";
	if ((first & 0xffc0) === 0xfe80) return "a link-local address";
	if ((first & 0xffc0) === 0xfec0) return "a site-local address";
	if ((first & 0xff00) === 0xff00) return "a multicast address";
	return null;
}

const LOCAL_NAME = /(^|\.)(localhost|local|internal|home\.arpa)\.?$/i;

/**
 * Why `url` may not receive webhooks, or null when it may. `allowLoopback` (WEBHOOKS_ALLOW_LOOPBACK,
 * tests and local development) admits loopback targets over http or https, nothing wider.
 */
export function checkWebhookTarget(url: string, allowLoopback: boolean): string | null {
	if (url.length > MAX_URL_LENGTH) return `The URL is longer than ${MAX_URL_LENGTH} characters`;
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return "The URL is not a valid absolute URL";
	}
	if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return "The URL must use https";
	if (parsed.username || parsed.password) return "The URL must not carry credentials; use headers";
	// WHATWG URL parsing has already normalised numeric IPv4 forms (`0x7f.1`, `2130706433`) to dotted quads.
	const host = parsed.hostname.toLowerCase();
	let reason: string | null;
	let loopback = false;
	if (host.startsWith("[")) {
		const groups = parseV6(host.slice(1, -1));
		if (!groups) return "The URL's host is not a valid IPv6 address";
		reason = v6Reason(groups, allowLoopback);
		loopback = groups.slice(0, 7).every((x) => x === 0) && groups[7] === 1;
	} else {
		const v4 = parseV4(host);
		if (v4 !== null) {
			reason = v4Reason(v4, allowLoopback);
			loopback = inV4(v4, 0x7f000000, 8);
		} else if (/^localhost\.?$|\.localhost\.?$/.test(host)) {
			reason = allowLoopback ? null : "a localhost name";
			loopback = true;
		} else if (LOCAL_NAME.test(host)) {
			reason = "a local network name";
		} else if (!host.includes(".")) {
			reason = "a single-label (intranet) name";
		} else reason = null;
	}
	if (reason) return `The URL's host is ${reason}`;
	if (parsed.protocol === "http:" && !(allowLoopback && loopback)) return "The URL must use https";
	return null;
}
