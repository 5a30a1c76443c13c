import { DomainError, invalid } from "../../domain/errors";
import { importArgon2, verifyArgon2 } from "./argon2";
import { importBcrypt, verifyBcrypt } from "./bcrypt";
import { utf8 } from "./bytes";
import { importHexDigest, SHA_TYPES, verifyHexDigest } from "./digest";
import { importDjango, verifyDjango } from "./django";
import { Fields } from "./fields";
import { importFirebase, verifyFirebase } from "./firebase";
import { decodePbkdf2, encodePbkdf2, importPbkdf2, pbkdf2, verifyPbkdf2 } from "./pbkdf2";
import { importPhpass, verifyPhpass } from "./phpass";

export { MAX_IMPORTED_PBKDF2_ITERATIONS } from "./pbkdf2";
export { checkPolicy, MAX_PASSWORD_LENGTH, type PasswordPolicy } from "./policy";

export const ROSTER_ALGORITHM = "pbkdf2-sha256";
/** Raising this makes needsRehash() flag older hashes, which then upgrade at their next sign-in. */
export const ROSTER_ITERATIONS = 100_000;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

/** `hash` is self-describing: it carries every parameter needed to verify it. */
export interface StoredPassword {
	algorithm: string;
	hash: string;
}

export async function hashPassword(password: string): Promise<StoredPassword> {
	const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
	const hash = await pbkdf2("sha256", utf8(password), salt, ROSTER_ITERATIONS, KEY_BYTES);
	return {
		algorithm: ROSTER_ALGORITHM,
		hash: encodePbkdf2({ digest: "sha256", iterations: ROSTER_ITERATIONS, salt, hash }),
	};
}

/**
 * Passwords longer than this never match: iterated formats (phpass, argon2) rehash the password
 * on every round, so a megabyte-long guess would otherwise cost minutes of CPU.
 */
const MAX_VERIFY_BYTES = 1024;

type Verifier = (hash: string, password: string) => Promise<boolean>;
const VERIFIERS = new Map<string, Verifier>([
	[ROSTER_ALGORITHM, verifyEncodedPbkdf2],
	["pbkdf2", verifyEncodedPbkdf2],
	["bcrypt", verifyBcrypt],
	["firebase-scrypt", verifyFirebase],
	["django", verifyDjango],
	["phpass", verifyPhpass],
	["md5", verifyHexDigest],
	["sha", verifyHexDigest],
	["argon2", verifyArgon2],
]);

async function verifyEncodedPbkdf2(hash: string, password: string): Promise<boolean> {
	const decoded = decodePbkdf2(hash);
	return decoded !== undefined && verifyPbkdf2(decoded, password);
}

/** Compares derived bytes in constant time. A stored value this module cannot read is a data bug. */
export async function verifyPassword(stored: StoredPassword, password: string): Promise<boolean> {
	const verify = VERIFIERS.get(stored.algorithm);
	if (!verify) throw new DomainError("internal", `Unknown password algorithm "${stored.algorithm}"`);
	if (typeof password !== "string" || utf8(password).length > MAX_VERIFY_BYTES) return false;
	return verify(stored.hash, password);
}

/** True for every imported format, and for Roster hashes made with fewer iterations than today's. */
export function needsRehash(stored: StoredPassword): boolean {
	if (stored.algorithm !== ROSTER_ALGORITHM) return true;
	const decoded = decodePbkdf2(stored.hash);
	return decoded === undefined || decoded.digest !== "sha256" || decoded.iterations < ROSTER_ITERATIONS;
}

/** The Descope `hashedPassword` object: exactly one of these keys, holding that format's fields. */
export type HashedPasswordInput = Record<string, unknown>;

const IMPORTERS = new Map<string, (fields: Fields) => StoredPassword>([
	["bcrypt", (f) => ({ algorithm: "bcrypt", hash: importBcrypt(f) })],
	["pbkdf2", (f) => ({ algorithm: "pbkdf2", hash: importPbkdf2(f) })],
	["firebase", (f) => ({ algorithm: "firebase-scrypt", hash: importFirebase(f) })],
	["django", (f) => ({ algorithm: "django", hash: importDjango(f) })],
	["phpass", (f) => ({ algorithm: "phpass", hash: importPhpass(f) })],
	["md5", (f) => ({ algorithm: "md5", hash: importHexDigest(f, "md5") })],
	["sha", (f) => ({ algorithm: "sha", hash: importHexDigest(f, f.oneOf("type", SHA_TYPES)) })],
	["argon2", (f) => ({ algorithm: "argon2", hash: importArgon2(f) })],
]);

const isObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Validates a Descope `hashedPassword` object and encodes it for storage. Keys set to null count as
 * absent; exactly one variant must remain. Errors name the offending field, e.g.
 * "hashedPassword.pbkdf2.salt: must be base64".
 */
export function importHashedPassword(input: HashedPasswordInput, field = "hashedPassword"): StoredPassword {
	if (!isObject(input)) throw invalid(field, "must be an object");
	const present = Object.keys(input).filter((k) => input[k] !== undefined && input[k] !== null);
	const supported = [...IMPORTERS.keys()].join(", ");
	if (present.length !== 1)
		throw invalid(
			field,
			present.length === 0
				? `must set one of ${supported}`
				: `must set exactly one hash variant, got ${present.join(" and ")}`,
		);
	const variant = present[0] as string;
	const importer = IMPORTERS.get(variant);
	if (!importer) throw invalid(`${field}.${variant}`, `unsupported hash variant; supported: ${supported}`);
	const value = input[variant];
	if (!isObject(value)) throw invalid(`${field}.${variant}`, "must be an object");
	return importer(new Fields(value, `${field}.${variant}`));
}
