import { equalBytes, fromBase64, toBase64, utf8 } from "./bytes";
import type { Fields } from "./fields";

export type Pbkdf2Digest = "sha1" | "sha256" | "sha512";
export const PBKDF2_DIGESTS: readonly Pbkdf2Digest[] = ["sha1", "sha256", "sha512"];

const WEBCRYPTO_NAME: Record<Pbkdf2Digest, string> = { sha1: "SHA-1", sha256: "SHA-256", sha512: "SHA-512" };

/** workerd's WebCrypto refuses PBKDF2 above this; higher counts (imported hashes) take the slow path. */
export const WEBCRYPTO_MAX_ITERATIONS = 100_000;

export async function pbkdf2(
	digest: Pbkdf2Digest,
	password: Uint8Array,
	salt: Uint8Array,
	iterations: number,
	length: number,
): Promise<Uint8Array> {
	if (iterations > WEBCRYPTO_MAX_ITERATIONS) return pbkdf2ByHmac(digest, password, salt, iterations, length);
	const key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
	const bits = await crypto.subtle.deriveBits(
		{ name: "PBKDF2", hash: WEBCRYPTO_NAME[digest], salt, iterations },
		key,
		length * 8,
	);
	return new Uint8Array(bits);
}

/**
 * RFC 8018 PBKDF2 from one native WebCrypto HMAC per round. Measured in workerd it is as fast as
 * @noble/hashes' pure-JS pbkdf2 under `wrangler dev` and 4-14x faster under the vitest pool
 * (~5 µs a round either way). nodejs_compat's native pbkdf2Sync would be ~30x faster still.
 */
async function pbkdf2ByHmac(
	digest: Pbkdf2Digest,
	password: Uint8Array,
	salt: Uint8Array,
	iterations: number,
	length: number,
): Promise<Uint8Array> {
	// WebCrypto refuses empty HMAC keys; HMAC zero-pads short keys, so "" and "\0" are the same key.
	const key = await crypto.subtle.importKey(
		"raw",
		password.length > 0 ? password : new Uint8Array(1),
		{ name: "HMAC", hash: WEBCRYPTO_NAME[digest] },
		false,
		["sign"],
	);
	const out = new Uint8Array(length);
	const block = new Uint8Array(salt.length + 4);
	block.set(salt);
	for (let offset = 0, index = 1; offset < length; index++) {
		new DataView(block.buffer).setUint32(salt.length, index);
		let u = new Uint8Array(await crypto.subtle.sign("HMAC", key, block));
		const t = u.slice();
		for (let i = 1; i < iterations; i++) {
			u = new Uint8Array(await crypto.subtle.sign("HMAC", key, u));
			for (let j = 0; j < t.length; j++) t[j] = (t[j] as number) ^ (u[j] as number);
		}
		const take = Math.min(t.length, length - offset);
		out.set(t.subarray(0, take), offset);
		offset += take;
	}
	return out;
}

/** "pbkdf2-<digest>$<iterations>$<salt b64>$<hash b64>": Roster's own format, also used for imports. */
export interface Pbkdf2Hash {
	digest: Pbkdf2Digest;
	iterations: number;
	salt: Uint8Array;
	hash: Uint8Array;
}

export const encodePbkdf2 = (h: Pbkdf2Hash): string =>
	`pbkdf2-${h.digest}$${h.iterations}$${toBase64(h.salt)}$${toBase64(h.hash)}`;

export function decodePbkdf2(encoded: string): Pbkdf2Hash | undefined {
	const m = /^pbkdf2-(sha1|sha256|sha512)\$([1-9][0-9]*)\$([^$]+)\$([^$]+)$/.exec(encoded);
	if (!m) return undefined;
	const salt = fromBase64(m[3] as string);
	const hash = fromBase64(m[4] as string);
	if (!salt || !hash) return undefined;
	return { digest: m[1] as Pbkdf2Digest, iterations: Number(m[2]), salt, hash };
}

export async function verifyPbkdf2(h: Pbkdf2Hash, password: string): Promise<boolean> {
	const derived = await pbkdf2(h.digest, utf8(password), h.salt, h.iterations, h.hash.length);
	return equalBytes(derived, h.hash);
}

/** Highest count accepted on import: above WebCrypto's 100,000 each round is one awaited HMAC call. */
export const MAX_IMPORTED_PBKDF2_ITERATIONS = 2_000_000;

/** Descope's `pbkdf2{hash, salt, iterations, type}`; the derived length is the hash's length. */
export function importPbkdf2(fields: Fields): string {
	const hash = fields.base64("hash");
	const salt = fields.base64("salt");
	const iterations = fields.integer("iterations", 1, MAX_IMPORTED_PBKDF2_ITERATIONS);
	const digest = fields.oneOf("type", PBKDF2_DIGESTS);
	if (hash.length < 16 || hash.length > 128) fields.fail("hash", "must decode to between 16 and 128 bytes");
	return encodePbkdf2({ digest, iterations, salt, hash });
}
