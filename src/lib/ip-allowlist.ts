// Per-key IP allowlists: single addresses and CIDR ranges, IPv4 and IPv6.

type Parsed = { version: 4 | 6; value: bigint };
type Range = { version: 4 | 6; network: bigint; prefix: number };

function parseIPv4(text: string): bigint | null {
	const parts = text.split(".");
	if (parts.length !== 4) return null;
	let value = 0n;
	for (const part of parts) {
		if (!/^\d{1,3}$/.test(part) || (part.length > 1 && part.startsWith("0"))) return null;
		const n = Number(part);
		if (n > 255) return null;
		value = (value << 8n) | BigInt(n);
	}
	return value;
}

function parseIPv6(text: string): bigint | null {
	let input = text;
	const zone = input.indexOf("%");
	if (zone !== -1) input = input.slice(0, zone);
	if (input.startsWith("[") && input.endsWith("]")) input = input.slice(1, -1);
	// An embedded dotted IPv4 tail (::ffff:1.2.3.4) is rewritten as its two hex groups.
	if (input.includes(".")) {
		const lastColon = input.lastIndexOf(":");
		const v4 = parseIPv4(input.slice(lastColon + 1));
		if (v4 === null) return null;
		input = `${input.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
	}
	const halves = input.split("::");
	if (halves.length > 2) return null;
	const toGroups = (s: string) => (s === "" ? [] : s.split(":"));
	const head = toGroups(halves[0] ?? "");
	const rest = halves.length === 2 ? toGroups(halves[1] ?? "") : [];
	if (![...head, ...rest].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
	const explicit = head.length + rest.length;
	if (halves.length === 1 ? explicit !== 8 : explicit > 7) return null;
	const groups = [...head, ...Array<string>(8 - explicit).fill("0"), ...rest];
	return groups.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n);
}

export function parseIp(text: string): Parsed | null {
	const trimmed = text.trim();
	if (trimmed.includes(":")) {
		const value = parseIPv6(trimmed);
		if (value === null) return null;
		// IPv4-mapped addresses (::ffff:a.b.c.d) are the IPv4 address.
		if (value >> 32n === 0xffffn) return { version: 4, value: value & 0xffffffffn };
		return { version: 6, value };
	}
	const value = parseIPv4(trimmed);
	return value === null ? null : { version: 4, value };
}

export function parseRange(entry: string): Range | null {
	const [address, prefixText, extra] = entry.trim().split("/");
	if (address === undefined || extra !== undefined) return null;
	const parsed = parseIp(address);
	if (!parsed) return null;
	const bits = parsed.version === 4 ? 32 : 128;
	let prefix = bits;
	if (prefixText !== undefined) {
		if (!/^\d{1,3}$/.test(prefixText)) return null;
		prefix = Number(prefixText);
		// A mapped IPv4 written in IPv6 notation keeps an IPv6 prefix length.
		if (parsed.version === 4 && address.includes(":")) prefix -= 96;
		if (prefix < 0 || prefix > bits) return null;
	}
	const shift = BigInt(bits - prefix);
	return { version: parsed.version, network: (parsed.value >> shift) << shift, prefix };
}

export const isValidIpEntry = (entry: string) => parseRange(entry) !== null;

/** An empty list allows every address; otherwise the client address must fall in one entry. */
export function isIpAllowed(entries: readonly string[], clientIp: string | null | undefined): boolean {
	if (entries.length === 0) return true;
	if (!clientIp) return false;
	const ip = parseIp(clientIp);
	if (!ip) return false;
	return entries.some((entry) => {
		const range = parseRange(entry);
		if (!range || range.version !== ip.version) return false;
		const shift = BigInt((ip.version === 4 ? 32 : 128) - range.prefix);
		return (ip.value >> shift) << shift === range.network;
	});
}
