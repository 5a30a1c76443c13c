import { fromBase64, utf8 } from "./bytes";
import type { Fields } from "./fields";
import { MAX_IMPORTED_PBKDF2_ITERATIONS, type Pbkdf2Hash, verifyPbkdf2 } from "./pbkdf2";

/** Django's "pbkdf2_sha256$<iterations>$<salt>$<base64 hash>" (or pbkdf2_sha1); the salt is text. */
const DJANGO = /^pbkdf2_(sha256|sha1)\$([1-9][0-9]*)\$([^$]+)\$([^$]+)$/;
const DIGEST_BYTES = { sha1: 20, sha256: 32 } as const;

function parse(encoded: string): Pbkdf2Hash | undefined {
	const m = DJANGO.exec(encoded);
	const hash = m && fromBase64(m[4] as string);
	if (!m || !hash) return undefined;
	return { digest: m[1] as "sha1" | "sha256", iterations: Number(m[2]), salt: utf8(m[3] as string), hash };
}

export function importDjango(fields: Fields): string {
	const hash = fields.string("hash");
	const algorithm = hash.split("$", 1)[0];
	if (algorithm !== "pbkdf2_sha256" && algorithm !== "pbkdf2_sha1")
		fields.fail(
			"hash",
			`Django algorithm "${algorithm}" is not supported, only pbkdf2_sha256 and pbkdf2_sha1`,
		);
	const parsed = parse(hash);
	if (!parsed) fields.fail("hash", `must look like "${algorithm}$<iterations>$<salt>$<base64 hash>"`);
	const bytes = DIGEST_BYTES[parsed.digest as keyof typeof DIGEST_BYTES];
	if (parsed.hash.length !== bytes)
		fields.fail("hash", `the ${algorithm} hash must decode to ${bytes} bytes`);
	if (parsed.iterations > MAX_IMPORTED_PBKDF2_ITERATIONS)
		fields.fail("hash", `iterations must be at most ${MAX_IMPORTED_PBKDF2_ITERATIONS}`);
	return hash;
}

export async function verifyDjango(encoded: string, password: string): Promise<boolean> {
	const parsed = parse(encoded);
	return parsed !== undefined && verifyPbkdf2(parsed, password);
}
