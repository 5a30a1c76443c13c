import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { equalStrings, toHex, utf8 } from "./bytes";
import type { Fields } from "./fields";

/** Unsalted hex digests: `md5{hash}` and `sha{hash, type}`, stored as "<type>$<lowercase hex>". */
export type HexDigest = "md5" | "sha1" | "sha256" | "sha512";
export const SHA_TYPES = ["sha1", "sha256", "sha512"] as const;

const DIGESTS: Record<HexDigest, { fn: (b: Uint8Array) => Uint8Array; hexLength: number }> = {
	md5: { fn: md5, hexLength: 32 },
	sha1: { fn: sha1, hexLength: 40 },
	sha256: { fn: sha256, hexLength: 64 },
	sha512: { fn: sha512, hexLength: 128 },
};

export function importHexDigest(fields: Fields, type: HexDigest): string {
	const hash = fields.string("hash").toLowerCase();
	const { hexLength } = DIGESTS[type];
	if (!new RegExp(`^[0-9a-f]{${hexLength}}$`).test(hash))
		fields.fail("hash", `must be a hex ${type} digest (${hexLength} hex characters)`);
	return `${type}$${hash}`;
}

export async function verifyHexDigest(encoded: string, password: string): Promise<boolean> {
	const [type, hex] = encoded.split("$");
	if (type === undefined || hex === undefined || !Object.hasOwn(DIGESTS, type)) return false;
	return equalStrings(toHex(DIGESTS[type as HexDigest].fn(utf8(password))), hex);
}
