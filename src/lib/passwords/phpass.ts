import { md5 } from "@noble/hashes/legacy.js";
import { concatBytes, encodeItoa64, equalStrings, ITOA64, utf8 } from "./bytes";
import type { Fields } from "./fields";

/**
 * phpass "portable" hashes (WordPress, phpBB: "$P$"/"$H$", md5) and Drupal 7's sha512 variant ("$S$"):
 * h = H(salt ‖ password), then h = H(h ‖ password) 2^n times; output is
 * "$P$" + itoa64[n] + 8-character salt + itoa64-encoded h (Drupal truncates the whole string to 55).
 * Stored in that portable form whether it arrives whole or in Descope's separate parts.
 */
const PORTABLE = /^\$([PHS])\$([./0-9A-Za-z])([./0-9A-Za-z]{8})([./0-9A-Za-z]+)$/;
const MIN_LOG2 = 7;
/** 2^18 rounds take about a second of Worker CPU; real deployments use 2^8 to 2^16. */
const MAX_LOG2 = 18;
/** Measured in workerd: JS md5 is as fast as WebCrypto's; JS sha512 is ten times slower than it. */
const DIGEST = {
	md5: async (b: Uint8Array) => md5(b),
	sha512: async (b: Uint8Array) => new Uint8Array(await crypto.subtle.digest("SHA-512", b)),
};
const HASH_CHARS = { md5: [22, 22], sha512: [43, 86] } as const;

interface Portable {
	type: "md5" | "sha512";
	log2: number;
	salt: string;
	hash: string;
}

function parse(encoded: string): Portable | undefined {
	const m = PORTABLE.exec(encoded);
	if (!m) return undefined;
	return {
		type: m[1] === "S" ? "sha512" : "md5",
		log2: ITOA64.indexOf(m[2] as string),
		salt: m[3] as string,
		hash: m[4] as string,
	};
}

export function importPhpass(fields: Fields): string {
	const hash = fields.string("hash");
	if (/^\$[PHS]\$/.test(hash)) {
		const parsed = parse(hash);
		if (!parsed) fields.fail("hash", "is not a valid phpass portable hash");
		checkParts(fields, parsed, "hash");
		return hash;
	}
	const type = fields.oneOf("type", ["md5", "sha512"] as const);
	const salt = fields.string("salt");
	if (!/^[./0-9A-Za-z]{8}$/.test(salt))
		fields.fail("salt", "must be 8 characters of the phpass alphabet ./0-9A-Za-z");
	const iterations = fields.integer("iterations", 2 ** MIN_LOG2, 2 ** MAX_LOG2);
	const log2 = Math.log2(iterations);
	if (!Number.isInteger(log2))
		fields.fail("iterations", "must be a power of two (the iteration count, not its log2)");
	const parts: Portable = { type, log2, salt, hash };
	checkParts(fields, parts, "hash");
	return `$${type === "md5" ? "P" : "S"}$${ITOA64[log2]}${salt}${hash}`;
}

const inRange = (p: Portable): boolean => p.log2 >= MIN_LOG2 && p.log2 <= MAX_LOG2;
const hashLengthOk = (p: Portable): boolean =>
	p.hash.length >= HASH_CHARS[p.type][0] && p.hash.length <= HASH_CHARS[p.type][1];

function checkParts(fields: Fields, p: Portable, name: string): void {
	if (!inRange(p)) fields.fail(name, `iteration count must be between 2^${MIN_LOG2} and 2^${MAX_LOG2}`);
	const [min, max] = HASH_CHARS[p.type];
	if (!/^[./0-9A-Za-z]+$/.test(p.hash) || !hashLengthOk(p))
		fields.fail(
			name,
			`the ${p.type} hash must be ${min === max ? min : `${min} to ${max}`} characters of ./0-9A-Za-z`,
		);
}

export async function verifyPhpass(encoded: string, password: string): Promise<boolean> {
	const p = parse(encoded);
	if (!p || !inRange(p) || !hashLengthOk(p)) return false;
	const digest = DIGEST[p.type];
	const pw = utf8(password);
	let h = await digest(concatBytes(utf8(p.salt), pw));
	const buf = concatBytes(h, pw);
	for (let i = 2 ** p.log2; i > 0; i--) {
		h = await digest(buf);
		buf.set(h, 0);
	}
	return equalStrings(encodeItoa64(h).slice(0, p.hash.length), p.hash);
}
