/**
 * Normalises a phone number to E.164 (`+` and 8 to 15 digits, no leading zero). Spaces, dots,
 * dashes and parentheses are dropped; anything else makes the number invalid (null).
 */
export function normalizeE164(input: string): string | null {
	const compact = input.trim().replace(/[\s().-]/g, "");
	return /^\+[1-9]\d{7,14}$/.test(compact) ? compact : null;
}
