// Phone numbers, one rule for every dialect: ITU-T E.164 with an assigned country code, and the
// North American Numbering Plan's NPA NXX XXXX for +1. Stored in E.164 (users.phone).

// E.164 country codes are prefix-free: 1 and 7 have one digit, these have two, the rest three.
const TWO_DIGIT = new Set(
	"20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98".split(
		" ",
	),
);

// Assigned three-digit codes (ITU-T "List of ITU-T Recommendation E.164 assigned country codes").
const THREE_DIGIT_RANGES =
	"211-213 216 218 220-258 260-269 290-291 297-299 350-359 370-383 385-387 389 420-421 423 500-509 590-599 " +
	"670 672-683 685-692 800 808 850 852-853 855-856 870 878 880-883 886 888 960-968 970-977 979 991-996 998";

const THREE_DIGIT = new Set(
	THREE_DIGIT_RANGES.split(" ").flatMap((range) => {
		const [from, to = from] = range.split("-").map(Number) as [number, number?];
		return Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
	}),
);

/** The country code of an E.164 number (digits after the +), or null when none is assigned. */
export function countryCodeOf(digits: string): string | null {
	if (digits.startsWith("1") || digits.startsWith("7")) return digits.slice(0, 1);
	if (TWO_DIGIT.has(digits.slice(0, 2))) return digits.slice(0, 2);
	return THREE_DIGIT.has(digits.slice(0, 3)) ? digits.slice(0, 3) : null;
}

export type PhoneCheck = { ok: true; e164: string } | { ok: false; reason: string };

/**
 * Accepts international notation with spaces, dots, dashes, parentheses and the "(0)" trunk-prefix
 * hint ("+44 (0)20 7946 0958"); returns the E.164 form. Seven digits is the shortest real number
 * (Niue, Tokelau: "+683 4002").
 */
export function parseInternationalPhone(input: string): PhoneCheck {
	const compact = input
		.trim()
		.replace(/\(0\)/g, "")
		.replace(/[\s().-]/g, "");
	if (!/^\+[1-9]\d{6,14}$/.test(compact)) {
		return {
			ok: false,
			reason: `"${input}" is not an international phone number: "+", country code and number, 7 to 15 digits (e.g. +1 415 555 0100)`,
		};
	}
	const e164 = compact;
	const digits = e164.slice(1);
	const cc = countryCodeOf(digits);
	if (!cc) return { ok: false, reason: `"${input}" has no assigned ITU-T E.164 country code` };
	// The North American Numbering Plan is closed: NPA NXX XXXX, neither starting with 0 or 1.
	if (cc === "1" && !/^1[2-9]\d{2}[2-9]\d{6}$/.test(digits)) {
		return { ok: false, reason: `"${input}" is not a valid North American number (+1 NPA NXX XXXX)` };
	}
	return { ok: true, e164 };
}

/** The E.164 form of `input`, or null when it is not a valid international number. */
export function normalizeE164(input: string): string | null {
	const parsed = parseInternationalPhone(input);
	return parsed.ok ? parsed.e164 : null;
}
