const encoder = new TextEncoder();

export const utf8 = (value: string): Uint8Array => encoder.encode(value);

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let offset = 0;
	for (const p of parts) {
		out.set(p, offset);
		offset += p.length;
	}
	return out;
}

/** Constant-time for equal lengths; lengths are never secret here (they follow from the format). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
	return a.length === b.length && crypto.subtle.timingSafeEqual(a, b);
}

export const equalStrings = (a: string, b: string): boolean => equalBytes(utf8(a), utf8(b));

export function toBase64(bytes: Uint8Array): string {
	let binary = "";
	for (const b of bytes) binary += String.fromCharCode(b);
	return btoa(binary);
}

/**
 * Strict base64 decoding: standard or URL-safe alphabet (Firebase's Admin SDK exports the latter),
 * padding optional. Returns undefined for anything else, so callers can name the bad field.
 */
export function fromBase64(value: string): Uint8Array | undefined {
	if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) && !/^[A-Za-z0-9_-]*={0,2}$/.test(value)) return undefined;
	const body = value.replace(/=+$/, "").replaceAll("-", "+").replaceAll("_", "/");
	if (body.length % 4 === 1) return undefined;
	if (value.length !== body.length && value.length % 4 !== 0) return undefined; // padded, but wrongly
	let binary: string;
	try {
		binary = atob(body.padEnd(Math.ceil(body.length / 4) * 4, "="));
	} catch {
		return undefined;
	}
	return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export const toHex = (bytes: Uint8Array): string =>
	Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** The alphabet of phpass / Drupal "portable" hashes (a base64 variant, least significant bits first). */
export const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function encodeItoa64(input: Uint8Array): string {
	let out = "";
	for (let i = 0; i < input.length; i += 3) {
		const value = (input[i] ?? 0) | ((input[i + 1] ?? 0) << 8) | ((input[i + 2] ?? 0) << 16);
		const chars = Math.min(4, Math.ceil(((input.length - i) * 8) / 6));
		for (let c = 0; c < chars; c++) out += ITOA64[(value >> (6 * c)) & 0x3f];
	}
	return out;
}
