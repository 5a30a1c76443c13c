import { scrypt } from "@noble/hashes/scrypt.js";
import { concatBytes, equalBytes, fromBase64, toBase64, utf8 } from "./bytes";
import type { Fields } from "./fields";

/**
 * Firebase Auth's modified scrypt: key = scrypt(password, salt ‖ saltSeparator, N = 2^memory,
 * r = rounds, p = 1), and the stored hash is the project's signer key encrypted with
 * AES-256-CTR under the first 32 bytes of that key, with an all-zero counter block. (Firebase
 * derives 64 bytes; scrypt's first 32 do not depend on the length asked for, so 32 suffice.)
 * Stored as "firebase-scrypt$<memory>$<rounds>$<salt>$<saltSeparator>$<signerKey>$<hash>" (base64).
 */
interface FirebaseHash {
	memory: number;
	rounds: number;
	salt: Uint8Array;
	saltSeparator: Uint8Array;
	signerKey: Uint8Array;
	hash: Uint8Array;
}

/** scrypt needs 128·r·N bytes; Workers have 128 MB in all, so refuse parameters above 64 MiB. */
const MAX_SCRYPT_BYTES = 64 * 1024 * 1024;

const affordable = (h: FirebaseHash): boolean =>
	Number.isInteger(h.memory) &&
	Number.isInteger(h.rounds) &&
	h.memory >= 1 &&
	h.rounds >= 1 &&
	128 * h.rounds * 2 ** h.memory <= MAX_SCRYPT_BYTES;

export function importFirebase(fields: Fields): string {
	const h: FirebaseHash = {
		hash: fields.base64("hash"),
		salt: fields.base64("salt"),
		saltSeparator: fields.base64("saltSeparator", { allowEmpty: true }),
		signerKey: fields.base64("signerKey"),
		memory: fields.integer("memory", 1, 20),
		rounds: fields.integer("rounds", 1, 32),
	};
	if (!affordable(h))
		fields.fail("memory", "with these rounds needs more than 64 MiB, more than a Worker can use");
	if (h.hash.length !== h.signerKey.length)
		fields.fail("hash", "must be as long as signerKey (it is the signer key, encrypted)");
	return encode(h);
}

const encode = (h: FirebaseHash): string =>
	[
		"firebase-scrypt",
		h.memory,
		h.rounds,
		...[h.salt, h.saltSeparator, h.signerKey, h.hash].map(toBase64),
	].join("$");

function decode(encoded: string): FirebaseHash | undefined {
	const [tag, memory, rounds, ...rest] = encoded.split("$");
	const [salt, saltSeparator, signerKey, hash] = rest.map(fromBase64);
	if (tag !== "firebase-scrypt" || rest.length !== 4 || !salt || !saltSeparator || !signerKey || !hash)
		return undefined;
	const h = { memory: Number(memory), rounds: Number(rounds), salt, saltSeparator, signerKey, hash };
	return affordable(h) ? h : undefined;
}

export async function verifyFirebase(encoded: string, password: string): Promise<boolean> {
	const h = decode(encoded);
	if (!h) return false;
	const derived = scrypt(utf8(password), concatBytes(h.salt, h.saltSeparator), {
		N: 2 ** h.memory,
		r: h.rounds,
		p: 1,
		dkLen: 32,
		maxmem: MAX_SCRYPT_BYTES + 1024 * 1024,
	});
	const key = await crypto.subtle.importKey("raw", derived, "AES-CTR", false, ["encrypt"]);
	const cipher = await crypto.subtle.encrypt(
		{ name: "AES-CTR", counter: new Uint8Array(16), length: 128 },
		key,
		h.signerKey,
	);
	return equalBytes(new Uint8Array(cipher), h.hash);
}
