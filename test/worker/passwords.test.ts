import { pbkdf2 } from "@noble/hashes/pbkdf2.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors";
import {
	checkPolicy,
	hashPassword,
	needsRehash,
	type PasswordPolicy,
	ROSTER_ALGORITHM,
	ROSTER_ITERATIONS,
	verifyPassword,
} from "../../src/lib/passwords";

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const utf8 = (s: string) => new TextEncoder().encode(s);
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** Roster's format, built on the test side with @noble/hashes (the module itself uses WebCrypto). */
function rosterHash(password: string, iterations: number, salt = new Uint8Array(16).fill(7)) {
	const hash = pbkdf2(sha256, password, salt, { c: iterations, dkLen: 32 });
	return { algorithm: ROSTER_ALGORITHM, hash: `pbkdf2-sha256$${iterations}$${b64(salt)}$${b64(hash)}` };
}

function expectInvalid(fn: () => unknown, field: string, rule?: RegExp) {
	let thrown: unknown;
	try {
		fn();
	} catch (e) {
		thrown = e;
	}
	expect(thrown, `expected a DomainError for ${field}`).toBeInstanceOf(DomainError);
	const error = thrown as DomainError;
	expect(error.code).toBe("invalid_argument");
	expect(error.field).toBe(field);
	expect(error.message).toContain(field);
	if (rule) expect(error.message).toMatch(rule);
}

describe("Roster's own hashes", () => {
	it("encode PBKDF2-SHA256 with 100,000 iterations, a 16-byte salt and a 32-byte key", async () => {
		const started = performance.now();
		const stored = await hashPassword("correct horse battery staple");
		console.log(
			`[passwords] hashPassword (pbkdf2-sha256, 100000): ${Math.round(performance.now() - started)} ms`,
		);
		expect(stored.algorithm).toBe("pbkdf2-sha256");
		const [tag, iterations, salt, hash, ...rest] = stored.hash.split("$");
		expect([tag, iterations, rest]).toEqual(["pbkdf2-sha256", "100000", []]);
		expect(unb64(salt!)).toHaveLength(16);
		expect(unb64(hash!)).toHaveLength(32);
		// Recomputed with plain WebCrypto (noble would take seconds at this count).
		const key = await crypto.subtle.importKey("raw", utf8("correct horse battery staple"), "PBKDF2", false, [
			"deriveBits",
		]);
		const params = { name: "PBKDF2", hash: "SHA-256", salt: unb64(salt!), iterations: 100_000 };
		expect(hash).toBe(b64(new Uint8Array(await crypto.subtle.deriveBits(params, key, 256))));
	});

	it("verify the right password and reject a wrong one", async () => {
		const stored = await hashPassword("s3cret-Password");
		const started = performance.now();
		expect(await verifyPassword(stored, "s3cret-Password")).toBe(true);
		console.log(`[passwords] verify pbkdf2-sha256 (100000): ${Math.round(performance.now() - started)} ms`);
		expect(await verifyPassword(stored, "s3cret-password")).toBe(false);
		expect(await verifyPassword(stored, "")).toBe(false);
		expect(needsRehash(stored)).toBe(false);
	});

	it("use a fresh random salt every time", async () => {
		const [a, b] = await Promise.all([hashPassword("same"), hashPassword("same")]);
		expect(a.hash.split("$")[2]).not.toBe(b.hash.split("$")[2]);
		expect(a.hash).not.toBe(b.hash);
	});

	it("hash non-ASCII passwords as UTF-8", async () => {
		const stored = await hashPassword("pässwörd 🔑");
		expect(await verifyPassword(stored, "pässwörd 🔑")).toBe(true);
		expect(await verifyPassword(stored, "passwort 🔑")).toBe(false);
		expect(await verifyPassword(rosterHash("pässwörd 🔑", 1000), "pässwörd 🔑")).toBe(true);
	});

	it("handle the empty password like any other", async () => {
		expect(await verifyPassword(rosterHash("", 1000), "")).toBe(true);
		expect(await verifyPassword(rosterHash("", 1000), " ")).toBe(false);
	});

	it("still verify hashes made with fewer iterations, and flag them for rehashing", async () => {
		const old = rosterHash("legacy-pw", 1000);
		expect(await verifyPassword(old, "legacy-pw")).toBe(true);
		expect(await verifyPassword(old, "legacy-pX")).toBe(false);
		expect(needsRehash(old)).toBe(true);
		const justBelow = old.hash.replace("$1000$", `$${ROSTER_ITERATIONS - 1}$`);
		expect(needsRehash({ algorithm: ROSTER_ALGORITHM, hash: justBelow })).toBe(true);
	});

	it("verify hashes with more iterations than WebCrypto allows (after the count is raised)", async () => {
		// Computed offline with Python's hashlib (OpenSSL); the module takes its HMAC path above 100,000.
		const raised = {
			algorithm: ROSTER_ALGORITHM,
			hash: "pbkdf2-sha256$100001$AQEBAQEBAQEBAQEBAQEBAQ==$yBwVsdS6WvfYwzPGKjcChPlhNt/bx6y9yTqri0fs5cM=",
		};
		expect(await verifyPassword(raised, "future-pw")).toBe(true);
		expect(await verifyPassword(raised, "")).toBe(false);
		expect(needsRehash(raised)).toBe(false);
	});

	it("flag unreadable Roster hashes for rehashing and never match them", async () => {
		const broken = { algorithm: ROSTER_ALGORITHM, hash: "pbkdf2-sha256$abc$!!$!!" };
		expect(needsRehash(broken)).toBe(true);
		expect(await verifyPassword(broken, "anything")).toBe(false);
	});

	it("refuse an unknown algorithm as a data error, not a mismatch", async () => {
		await expect(verifyPassword({ algorithm: "rot13", hash: "x" }, "x")).rejects.toMatchObject({
			code: "internal",
		});
		await expect(verifyPassword({ algorithm: "constructor", hash: "x" }, "x")).rejects.toBeInstanceOf(
			DomainError,
		);
	});

	it("never match passwords longer than 1 KiB (the iterated formats would burn CPU)", async () => {
		const stored = rosterHash("x".repeat(1025), 10);
		expect(await verifyPassword(stored, "x".repeat(1025))).toBe(false);
	});
});

describe("password policy", () => {
	const strict: PasswordPolicy = {
		minLength: 8,
		lowercase: true,
		uppercase: true,
		number: true,
		nonAlphanumeric: true,
	};
	const lax: PasswordPolicy = {
		minLength: 1,
		lowercase: false,
		uppercase: false,
		number: false,
		nonAlphanumeric: false,
	};

	it("accepts a password meeting every rule", () => {
		expect(() => checkPolicy("Abcdef1!", strict)).not.toThrow();
		expect(() => checkPolicy("Ünïcödé9 ", strict)).not.toThrow();
		expect(() => checkPolicy("x", lax)).not.toThrow();
	});

	it("names the field and each unmet rule", () => {
		expectInvalid(() => checkPolicy("Abcde1!", strict), "password", /at least 8 characters/);
		expectInvalid(() => checkPolicy("ABCDEF1!", strict), "password", /lowercase letter/);
		expectInvalid(() => checkPolicy("abcdef1!", strict), "password", /uppercase letter/);
		expectInvalid(() => checkPolicy("Abcdefg!", strict), "password", /number/);
		expectInvalid(() => checkPolicy("Abcdefg1", strict), "password", /not a letter or a number/);
		expectInvalid(
			() => checkPolicy("abc", strict, "newPassword"),
			"newPassword",
			/at least 8.*uppercase.*number.*not a letter/,
		);
	});

	it("uses the given field name", () => {
		expectInvalid(() => checkPolicy("short", strict, "user.password"), "user.password", /at least 8/);
	});

	it("counts characters, not UTF-16 units", () => {
		expect(() => checkPolicy("🔑🔑🔑🔑", { ...lax, minLength: 4 })).not.toThrow();
		expectInvalid(() => checkPolicy("🔑🔑🔑", { ...lax, minLength: 4 }), "password", /at least 4/);
	});

	it("caps every password at 128 characters, whatever the policy", () => {
		expect(() => checkPolicy("a".repeat(128), lax)).not.toThrow();
		expectInvalid(() => checkPolicy("a".repeat(129), lax), "password", /at most 128 characters/);
	});

	it("rejects an empty password even when the policy has no minimum", () => {
		expectInvalid(() => checkPolicy("", { ...lax, minLength: 0 }), "password", /must not be empty/);
	});
});
