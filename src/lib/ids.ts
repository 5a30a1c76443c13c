const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Random base62 string; rejection sampling keeps every character equally likely. */
export function randomBase62(length: number): string {
	let out = "";
	while (out.length < length) {
		const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
		for (const b of bytes) {
			if (b < 248 && out.length < length) out += ALPHABET[b % 62];
		}
	}
	return out;
}

/** Ids are a one-letter kind prefix and 27 random characters: P project, U user, K key, T tenant, R role, M permission. */
export const newId = (prefix: "P" | "U" | "K" | "T" | "R" | "M") => prefix + randomBase62(27);

export const isProjectId = (value: string) => /^P[0-9A-Za-z]{27}$/.test(value);
