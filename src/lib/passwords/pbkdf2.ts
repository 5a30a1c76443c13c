import { equalBytes, fromBase64, toBase64, utf8 } from "./bytes";

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
 * RFC 8018 PBKDF2 built from WebCrypto HMAC calls. Measured in workerd it is several times faster
 * than the pure-JS @noble/hashes pbkdf2, since each HMAC runs natively.
 */
async function pbkdf2ByHmac(
	digest: Pbkdf2Digest,
	password: Uint8Array,
	salt: Uint8Array,
	iterations: number,
	length: number,
): Promise<Uint8Array> {
	const key = await crypto.subtle.importKey(
		"raw",
		password,
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
