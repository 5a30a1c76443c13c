import { argon2d, argon2i, argon2id } from "@noble/hashes/argon2.js";
import { equalBytes, fromBase64, utf8 } from "./bytes";
import type { Fields } from "./fields";

/** PHC strings: "$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>" (unpadded base64). */
const PHC =
	/^\$(argon2id|argon2i|argon2d)\$(?:v=(16|19)\$)?m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;
const VARIANTS = { argon2id, argon2i, argon2d };
/** Workers have 128 MB in all; argon2 needs m KiB at once. */
const MAX_MEMORY_KIB = 64 * 1024;
const MAX_PASSES = 10;
const MAX_LANES = 16;

interface Phc {
	variant: keyof typeof VARIANTS;
	version: number;
	m: number;
	t: number;
	p: number;
	salt: Uint8Array;
	hash: Uint8Array;
}

function parse(encoded: string): Phc | undefined {
	const match = PHC.exec(encoded);
	if (!match) return undefined;
	const [, variant, version, m, t, p, salt, hash] = match as unknown as string[];
	const saltBytes = fromBase64(salt as string);
	const hashBytes = fromBase64(hash as string);
	if (!saltBytes || !hashBytes) return undefined;
	return {
		variant: variant as Phc["variant"],
		version: version === "19" ? 0x13 : 0x10, // no "v=" means a hash from before version 1.3
		m: Number(m),
		t: Number(t),
		p: Number(p),
		salt: saltBytes,
		hash: hashBytes,
	};
}

function problem(h: Phc): string | undefined {
	if (h.p < 1 || h.p > MAX_LANES) return `p must be between 1 and ${MAX_LANES}`;
	if (h.t < 1 || h.t > MAX_PASSES) return `t must be between 1 and ${MAX_PASSES}`;
	if (h.m < 8 * h.p || h.m > MAX_MEMORY_KIB) return `m must be between 8·p and ${MAX_MEMORY_KIB} KiB`;
	if (h.salt.length < 8) return "the salt must be at least 8 bytes";
	if (h.hash.length < 4) return "the hash must be at least 4 bytes";
	return undefined;
}

export function importArgon2(fields: Fields): string {
	const hash = fields.string("hash");
	const parsed = parse(hash);
	if (!parsed)
		fields.fail("hash", 'must be a PHC string like "$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>"');
	const why = problem(parsed);
	if (why) fields.fail("hash", why);
	return hash;
}

export async function verifyArgon2(encoded: string, password: string): Promise<boolean> {
	const h = parse(encoded);
	if (!h || problem(h)) return false;
	const derived = VARIANTS[h.variant](utf8(password), h.salt, {
		m: h.m,
		t: h.t,
		p: h.p,
		version: h.version,
		dkLen: h.hash.length,
		maxmem: (MAX_MEMORY_KIB + 1024) * 1024,
	});
	return equalBytes(derived, h.hash);
}
