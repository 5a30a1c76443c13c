import { argon2id } from "@noble/hashes/argon2.js";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { pbkdf2 } from "@noble/hashes/pbkdf2.js";
import { scrypt } from "@noble/hashes/scrypt.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import bcryptjs from "bcryptjs";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors";
import {
	type HashedPasswordInput,
	importHashedPassword,
	needsRehash,
	type StoredPassword,
	verifyPassword,
} from "../../src/lib/passwords";

// Every hash here is made on the test side: with another library or the platform (WebCrypto,
// bcryptjs, @noble/hashes where the module uses WebCrypto), a test-side port of the reference
// algorithm, or a published / offline-computed (Python hashlib + OpenSSL) known answer.

const utf8 = (s: string) => new TextEncoder().encode(s);
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const concat = (a: Uint8Array, b: Uint8Array) => {
	const out = new Uint8Array(a.length + b.length);
	out.set(a);
	out.set(b, a.length);
	return out;
};

/** `wrong` is null for the slow known-answer vectors: the cheap cases already cover mismatches. */
async function expectVerifies(
	input: HashedPasswordInput,
	right: string,
	wrong: string | null,
	label?: string,
) {
	const stored = importHashedPassword(input);
	const started = performance.now();
	expect(await verifyPassword(stored, right), `right password for ${JSON.stringify(input)}`).toBe(true);
	if (label) console.log(`[passwords] verify ${label}: ${Math.round(performance.now() - started)} ms`);
	if (wrong !== null)
		expect(await verifyPassword(stored, wrong), `wrong password for ${JSON.stringify(input)}`).toBe(false);
	expect(needsRehash(stored)).toBe(true);
	return stored;
}

function expectInvalid(input: unknown, field: string, rule: RegExp, fieldArg?: string) {
	let thrown: unknown;
	try {
		importHashedPassword(input as HashedPasswordInput, fieldArg);
	} catch (e) {
		thrown = e;
	}
	expect(thrown, `expected a DomainError for ${JSON.stringify(input)}`).toBeInstanceOf(DomainError);
	const error = thrown as DomainError;
	expect(error.code).toBe("invalid_argument");
	expect(error.field).toBe(field);
	expect(error.message).toContain(`${field}: `);
	expect(error.message).toMatch(rule);
}

describe("bcrypt", () => {
	it("verifies bcryptjs hashes and the $2a$ / $2y$ spellings of the same hash", async () => {
		const hash = bcryptjs.hashSync("hunter2!", 4);
		const stored = await expectVerifies({ bcrypt: { hash } }, "hunter2!", "hunter3!");
		expect(stored).toEqual({ algorithm: "bcrypt", hash });
		for (const prefix of ["$2a$", "$2y$"])
			await expectVerifies({ bcrypt: { hash: hash.replace("$2b$", prefix) } }, "hunter2!", "Hunter2!");
	});

	it("verifies the OpenBSD reference vector", async () => {
		const hash = "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i";
		await expectVerifies({ bcrypt: { hash } }, "abc", "abd");
	});

	it("verifies a cost-10 hash (timed)", async () => {
		const hash = bcryptjs.hashSync("typical-cost", 10);
		await expectVerifies({ bcrypt: { hash } }, "typical-cost", "typical-cosT", "bcrypt (cost 10)");
	});

	it("rejects missing, malformed and overly costly hashes", () => {
		expectInvalid({ bcrypt: {} }, "hashedPassword.bcrypt.hash", /non-empty string/);
		expectInvalid({ bcrypt: { hash: "$1$abc" } }, "hashedPassword.bcrypt.hash", /must be a bcrypt hash/);
		const tooCostly = "$2b$31$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i";
		expectInvalid(
			{ bcrypt: { hash: tooCostly } },
			"hashedPassword.bcrypt.hash",
			/cost must be between 4 and 15/,
		);
	});
});

describe("pbkdf2", () => {
	const salt = utf8("0123456789abcdef");
	for (const [type, fn] of [
		["sha1", sha1],
		["sha256", sha256],
		["sha512", sha512],
	] as const) {
		it(`verifies ${type} hashes, with the derived length taken from the hash`, async () => {
			for (const dkLen of [20, 32, 64]) {
				const hash = pbkdf2(fn, "pbkdf2-pw", salt, { c: 1000, dkLen });
				const input = { pbkdf2: { hash: b64(hash), salt: b64(salt), iterations: 1000, type } };
				const stored = await expectVerifies(input, "pbkdf2-pw", "pbkdf2-px");
				expect(stored.algorithm).toBe("pbkdf2");
			}
		});
	}

	it("verifies counts above WebCrypto's 100,000 (Python hashlib vectors, timed)", async () => {
		const salt = "AAECAwQFBgcICQoLDA0ODw==";
		await expectVerifies(
			{
				pbkdf2: {
					hash: "JyQbUlxblqE8OK+jPx1X616aRcPgOGq0eaZt4FpzV48=",
					salt,
					iterations: 100_001,
					type: "sha1",
				},
			},
			"battery staple",
			null,
			"pbkdf2-sha1 (100001 iterations, 32 bytes = 2 blocks)",
		);
		const sha512Hash =
			"t31jVGnNfRnkrtgdxWDHtdLk0kfeKw2MesY6xUSwMnUF6xZV3428p469Jbzln252b+mJhXwM75muPsYOlXj3UQ==";
		await expectVerifies(
			{ pbkdf2: { hash: sha512Hash, salt, iterations: 110_000, type: "sha512" } },
			"battery staple",
			null,
			"pbkdf2-sha512 (110000 iterations)",
		);
	}, 30_000);

	it("rejects bad fields, naming each", () => {
		const ok = { hash: b64(new Uint8Array(32)), salt: b64(salt), iterations: 1000, type: "sha256" };
		const f = "hashedPassword.pbkdf2";
		expectInvalid({ pbkdf2: { ...ok, hash: undefined } }, `${f}.hash`, /non-empty base64/);
		expectInvalid({ pbkdf2: { ...ok, salt: "not base64!" } }, `${f}.salt`, /must be base64/);
		expectInvalid({ pbkdf2: { ...ok, salt: "abcde" } }, `${f}.salt`, /must be base64/);
		for (const iterations of [0, -5, 1.5, "1000", null])
			expectInvalid({ pbkdf2: { ...ok, iterations } }, `${f}.iterations`, /positive integer/);
		expectInvalid({ pbkdf2: { ...ok, iterations: 3_000_000 } }, `${f}.iterations`, /between 1 and 2000000/);
		expectInvalid({ pbkdf2: { ...ok, type: "md5" } }, `${f}.type`, /one of sha1, sha256, sha512/);
		expectInvalid({ pbkdf2: { ...ok, hash: b64(new Uint8Array(8)) } }, `${f}.hash`, /16 and 128 bytes/);
	});
});

describe("firebase (modified scrypt)", () => {
	/** Firebase's construction on the test side: noble scrypt, then WebCrypto AES-256-CTR with a zero counter. */
	async function firebaseHash(password: string, salt: Uint8Array, sep: Uint8Array, signer: Uint8Array) {
		const key = scrypt(utf8(password), concat(salt, sep), { N: 2 ** 4, r: 2, p: 1, dkLen: 32 });
		const aes = await crypto.subtle.importKey("raw", key, "AES-CTR", false, ["encrypt"]);
		const params = { name: "AES-CTR", counter: new Uint8Array(16), length: 128 };
		return new Uint8Array(await crypto.subtle.encrypt(params, aes, signer));
	}
	const signerKey = Uint8Array.from({ length: 64 }, (_, i) => (i * 7 + 3) % 256);

	it("verifies hashes built from the published construction", async () => {
		const salt = crypto.getRandomValues(new Uint8Array(12));
		const sep = Uint8Array.of(7);
		const hash = await firebaseHash("fire-pw", salt, sep, signerKey);
		const input = {
			firebase: {
				hash: b64(hash),
				salt: b64(salt),
				saltSeparator: "Bw==",
				signerKey: b64(signerKey),
				memory: 4,
				rounds: 2,
			},
		};
		const stored = await expectVerifies(input, "fire-pw", "fire-pW");
		expect(stored.algorithm).toBe("firebase-scrypt");
	});

	const offline = {
		// Python hashlib.scrypt + `openssl enc -aes-256-ctr`, N = 2^4, r = 2.
		hash: "rXv/XeDN//XQSV+7I6PXYrlmQfikz2IzD4xNnwVTh8pjeb0K5/azzIMlu7LQQ2Rl67VC65bzGPbsf5wdHhospw==",
		salt: "ABEiM0RVZneImQCqu8zd7g==",
		saltSeparator: "Bw==",
		signerKey: "AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dzj6vH4/wYNFBsiKTA3PkVMU1phaG92fYSLkpmgp661vA==",
		memory: 4,
		rounds: 2,
	};

	it("verifies an offline vector, in standard and URL-safe base64 (the Admin SDK's)", async () => {
		await expectVerifies({ firebase: offline }, "firebase pw", "firebase pW");
		const urlSafe = Object.fromEntries(
			Object.entries(offline).map(([k, v]) => [
				k,
				typeof v === "string" ? v.replaceAll("+", "-").replaceAll("/", "_") : v,
			]),
		);
		await expectVerifies({ firebase: urlSafe }, "firebase pw", "firebase pW");
	});

	it("verifies the vector published with firebase/scrypt (memory 14, rounds 8; timed)", async () => {
		const input = {
			firebase: {
				hash: "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==",
				salt: "42xEC+ixf3L2lw==",
				saltSeparator: "Bw==",
				signerKey: "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==",
				memory: 14,
				rounds: 8,
			},
		};
		await expectVerifies(input, "user1password", null, "firebase-scrypt (memory 14, rounds 8)");
	}, 30_000);

	it("rejects bad fields, naming each", () => {
		const f = "hashedPassword.firebase";
		expectInvalid({ firebase: { ...offline, signerKey: undefined } }, `${f}.signerKey`, /non-empty base64/);
		expectInvalid({ firebase: { ...offline, salt: "%%%" } }, `${f}.salt`, /must be base64/);
		expectInvalid({ firebase: { ...offline, memory: 0 } }, `${f}.memory`, /positive integer/);
		expectInvalid({ firebase: { ...offline, memory: 21 } }, `${f}.memory`, /between 1 and 20/);
		expectInvalid({ firebase: { ...offline, memory: 20, rounds: 8 } }, `${f}.memory`, /64 MiB/);
		expectInvalid({ firebase: { ...offline, rounds: 2.5 } }, `${f}.rounds`, /positive integer/);
		expectInvalid({ firebase: { ...offline, hash: "AAAA" } }, `${f}.hash`, /as long as signerKey/);
	});
});

describe("django", () => {
	const djangoHash = (digest: "sha1" | "sha256", password: string, salt: string, iterations: number) => {
		const [fn, dkLen] = digest === "sha1" ? [sha1, 20] : [sha256, 32];
		const hash = pbkdf2(fn, password, salt, { c: iterations, dkLen });
		return `pbkdf2_${digest}$${iterations}$${salt}$${b64(hash)}`;
	};

	it("verifies pbkdf2_sha256 and pbkdf2_sha1 strings, stored as given", async () => {
		for (const digest of ["sha256", "sha1"] as const) {
			const hash = djangoHash(digest, "django-pw", "Xz9qL2mN4pR7", 1000);
			const stored = await expectVerifies({ django: { hash } }, "django-pw", "django-px");
			expect(stored).toEqual({ algorithm: "django", hash });
		}
	});

	it("verifies a Python hashlib vector above WebCrypto's limit (timed)", async () => {
		const hash = "pbkdf2_sha256$150000$seasalt123$HAsK0u2wUGYu5Xi/jRboTlqEtTrsJ1ANTCWJKFvL0a4=";
		await expectVerifies({ django: { hash } }, "correct horse", null, "django pbkdf2_sha256 (150000)");
	}, 30_000);

	it("rejects other Django hashers and malformed strings", () => {
		const f = "hashedPassword.django.hash";
		expectInvalid(
			{ django: { hash: "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA" } },
			f,
			/"argon2" is not supported/,
		);
		expectInvalid({ django: { hash: "bcrypt_sha256$$2b$12$abc" } }, f, /only pbkdf2_sha256 and pbkdf2_sha1/);
		expectInvalid({ django: { hash: "pbkdf2_sha256$many$salt$aGFzaA==" } }, f, /must look like/);
		expectInvalid({ django: { hash: "pbkdf2_sha256$1000$salt$aGFzaA==" } }, f, /must decode to 32 bytes/);
		expectInvalid({ django: {} }, f, /non-empty string/);
	});
});

describe("phpass", () => {
	const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	/** A line-by-line port of phpass's encode64(), independent of the module's encoder. */
	function encode64(input: Uint8Array, count: number): string {
		let output = "";
		let i = 0;
		do {
			let value = input[i++]!;
			output += ITOA64[value & 0x3f];
			if (i < count) value |= input[i]! << 8;
			output += ITOA64[(value >> 6) & 0x3f];
			if (i++ >= count) break;
			if (i < count) value |= input[i]! << 16;
			output += ITOA64[(value >> 12) & 0x3f];
			if (i++ >= count) break;
			output += ITOA64[(value >> 18) & 0x3f];
		} while (i < count);
		return output;
	}
	function portable(type: "md5" | "sha512", password: string, salt: string, log2: number): string {
		const H = type === "md5" ? md5 : sha512;
		let h = H(concat(utf8(salt), utf8(password)));
		for (let n = 2 ** log2; n > 0; n--) h = H(concat(h, utf8(password)));
		const full = `$${type === "md5" ? "P" : "S"}$${ITOA64[log2]}${salt}${encode64(h, h.length)}`;
		return full.slice(0, 55); // Drupal's DRUPAL_HASH_LENGTH; md5 hashes are 34 characters anyway
	}

	for (const type of ["md5", "sha512"] as const) {
		it(`verifies ${type} hashes given whole or as Descope's separate parts`, async () => {
			const whole = portable(type, "php-pw", "AbCd./12", 7);
			const stored = await expectVerifies({ phpass: { hash: whole } }, "php-pw", "php-pW");
			expect(stored).toEqual({ algorithm: "phpass", hash: whole });
			const parts = { hash: whole.slice(12), salt: "AbCd./12", iterations: 128, type };
			expect(await expectVerifies({ phpass: parts }, "php-pw", "php-pW")).toEqual(stored);
		});
	}

	it("verifies phpBB's $H$ prefix", async () => {
		await expectVerifies(
			{ phpass: { hash: portable("md5", "bb", "12345678", 8).replace("$P$", "$H$") } },
			"bb",
			"b",
		);
	});

	it("verifies the phpass and WordPress reference hashes (timed)", async () => {
		await expectVerifies(
			{ phpass: { hash: "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0" } },
			"test12345",
			"test12346",
		);
		const wordpress = { hash: "eXJnDarN7..wRMwRKJeZ40", salt: "uvd5FQxk", iterations: 8192, type: "md5" };
		await expectVerifies({ phpass: wordpress }, "!?!#?#?#$&@&@!&@", "!?!#?#?#$&@&@!&", "phpass md5 (8192)");
	});

	it("verifies a Drupal 7 $S$ hash (Python vector, 2^15 rounds of sha512; timed)", async () => {
		const hash = "$S$DDrupalSaSILEvWJIBuywN7uzca0J0BK9DvdPNn7/Bnrv7VafC9F";
		await expectVerifies({ phpass: { hash } }, "pässword", "password", "phpass sha512 / Drupal (32768)");
	});

	it("rejects bad fields, naming each", () => {
		const ok = { hash: "eXJnDarN7..wRMwRKJeZ40", salt: "uvd5FQxk", iterations: 8192, type: "md5" };
		const f = "hashedPassword.phpass";
		expectInvalid({ phpass: { ...ok, iterations: 13 } }, `${f}.iterations`, /between 128 and 262144/);
		expectInvalid({ phpass: { ...ok, iterations: 1000 } }, `${f}.iterations`, /power of two/);
		expectInvalid({ phpass: { ...ok, salt: "short" } }, `${f}.salt`, /8 characters/);
		expectInvalid({ phpass: { ...ok, type: "sha1" } }, `${f}.type`, /one of md5, sha512/);
		expectInvalid({ phpass: { ...ok, hash: "eXJnDarN7..wRMwRKJeZ4" } }, `${f}.hash`, /22 characters/);
		expectInvalid({ phpass: { hash: "$P$!bad" } }, `${f}.hash`, /not a valid phpass portable hash/);
		expectInvalid(
			{ phpass: { hash: "$P$zIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0" } },
			`${f}.hash`,
			/between 2\^7 and 2\^18/,
		);
	});
});

describe("unsalted digests", () => {
	const digestHex = async (alg: string, s: string) =>
		hex(new Uint8Array(await crypto.subtle.digest(alg, utf8(s))));

	it("verifies md5 hex digests (WebCrypto's MD5 on the test side), any letter case", async () => {
		const hash = await digestHex("MD5", "md5-pw");
		const stored = await expectVerifies({ md5: { hash } }, "md5-pw", "md5-px", "md5");
		expect(stored).toEqual({ algorithm: "md5", hash: `md5$${hash}` });
		await expectVerifies({ md5: { hash: hash.toUpperCase() } }, "md5-pw", "md5-px");
	});

	it("verifies sha hex digests", async () => {
		for (const [type, alg] of [
			["sha1", "SHA-1"],
			["sha256", "SHA-256"],
			["sha512", "SHA-512"],
		]) {
			await expectVerifies({ sha: { hash: await digestHex(alg!, "sha-pw"), type } }, "sha-pw", "sha-px");
		}
	});

	it("rejects digests of the wrong shape", () => {
		expectInvalid(
			{ md5: { hash: "xyz" } },
			"hashedPassword.md5.hash",
			/hex md5 digest \(32 hex characters\)/,
		);
		expectInvalid({ sha: { hash: "ab".repeat(20), type: "sha256" } }, "hashedPassword.sha.hash", /64 hex/);
		expectInvalid({ sha: { hash: "ab".repeat(20), type: "sha3" } }, "hashedPassword.sha.type", /one of/);
	});
});

describe("argon2", () => {
	it("verifies PHC strings made with small parameters", async () => {
		const salt = utf8("pepper-salt");
		const hash = argon2id("argon-pw", salt, { m: 64, t: 1, p: 1, dkLen: 32 });
		const phc = `$argon2id$v=19$m=64,t=1,p=1$${b64(salt).replace(/=+$/, "")}$${b64(hash).replace(/=+$/, "")}`;
		const stored = await expectVerifies({ argon2: { hash: phc } }, "argon-pw", "argon-pW");
		expect(stored).toEqual({ algorithm: "argon2", hash: phc });
	});

	it("verifies the reference implementation's test vectors (timed)", async () => {
		const vectors = [
			"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
			"$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
			"$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$iekCn0Y3spW+sCcFanM2xBT63UP2sghkUoHLIUpWRS8",
		];
		for (const [i, hash] of vectors.entries())
			await expectVerifies(
				{ argon2: { hash } },
				"password",
				"passwore",
				i === 0 ? "argon2id (m=256, t=2)" : undefined,
			);
	});

	it("rejects non-PHC strings and parameters a Worker cannot afford", () => {
		const f = "hashedPassword.argon2.hash";
		expectInvalid({ argon2: { hash: "argon2id:abc" } }, f, /PHC string/);
		const huge = "$argon2id$v=19$m=1048576,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
		expectInvalid({ argon2: { hash: huge } }, f, /m must be between/);
		const shortSalt = "$argon2id$v=19$m=256,t=2,p=1$c2FsdA$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
		expectInvalid({ argon2: { hash: shortSalt } }, f, /salt must be at least 8 bytes/);
	});
});

describe("the hashedPassword object", () => {
	const bcrypt = { hash: "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i" };

	it("needs exactly one variant; null ones count as absent", () => {
		expectInvalid(
			{},
			"hashedPassword",
			/must set one of bcrypt, pbkdf2, firebase, django, phpass, md5, sha, argon2/,
		);
		expectInvalid(
			{ bcrypt, md5: { hash: "0".repeat(32) } },
			"hashedPassword",
			/exactly one hash variant, got bcrypt and md5/,
		);
		expect(importHashedPassword({ bcrypt, md5: null, django: undefined }).algorithm).toBe("bcrypt");
	});

	it("rejects unknown variants and non-object values", () => {
		expectInvalid({ scrypt: { hash: "x" } }, "hashedPassword.scrypt", /unsupported hash variant/);
		expectInvalid({ toString: { hash: "x" } }, "hashedPassword.toString", /unsupported hash variant/);
		expectInvalid({ bcrypt: "$2a$..." }, "hashedPassword.bcrypt", /must be an object/);
		expectInvalid([bcrypt], "hashedPassword", /must be an object/);
		expectInvalid(null, "hashedPassword", /must be an object/);
	});

	it("prefixes errors with the caller's field", () => {
		expectInvalid(
			{ bcrypt: {} },
			"users[3].hashedPassword.bcrypt.hash",
			/non-empty string/,
			"users[3].hashedPassword",
		);
	});

	it("produces values verifyPassword reads back (StoredPassword is plain data)", async () => {
		const stored: StoredPassword = JSON.parse(JSON.stringify(importHashedPassword({ bcrypt })));
		expect(await verifyPassword(stored, "abc")).toBe(true);
	});
});
