import { invalid } from "./errors";
import { MAX_ATTRIBUTE_VALUE_BYTES, MAX_JSON_DEPTH, MAX_LIST_ENTRIES, MAX_SEARCH_TEXT } from "./limits";

// Checks of the limits in limits.ts, shared by every service so that each dialect refuses the
// same inputs with a 400 naming the field (docs/security.md).

/** A string of at most `max` characters (code points, as the user fields count them). */
export function checkLength(field: string, value: string | undefined | null, max: number) {
	// UTF-16 length bounds the code-point count from above, so most values skip the count.
	if (typeof value === "string" && value.length > max && [...value].length > max)
		throw invalid(field, `longer than ${max} characters`);
}

/** At most `max` entries. */
export function checkCount(
	field: string,
	values: readonly unknown[] | undefined | null,
	max = MAX_LIST_ENTRIES,
) {
	if (values && values.length > max) throw invalid(field, `at most ${max} entries`);
}

/**
 * Free text and patterns of a search: at most MAX_SEARCH_TEXT characters and no NUL, which no
 * stored name or identifier holds and which SQLite's text functions stop at.
 */
export function checkSearchText(field: string, value: string | undefined | null) {
	if (typeof value !== "string") return;
	checkLength(field, value, MAX_SEARCH_TEXT);
	if (value.includes("\u0000")) throw invalid(field, "must not contain a NUL character (U+0000)");
}

/**
 * Nesting depth of a JSON value: a scalar is 0, `[]` and `{}` are 1, `[[1]]` is 2. Stops as soon
 * as `max` is exceeded, so a value nested a million deep costs no more than one nested `max`.
 */
export function exceedsDepth(value: unknown, max = MAX_JSON_DEPTH): boolean {
	const walk = (v: unknown, depth: number): boolean => {
		if (v === null || typeof v !== "object") return false;
		if (depth + 1 > max) return true;
		for (const child of Array.isArray(v) ? v : Object.values(v)) if (walk(child, depth + 1)) return true;
		return false;
	};
	return walk(value, 0);
}

const utf8Length = (text: string) => new TextEncoder().encode(text).length;

/**
 * A JSON value the domain stores: nested at most MAX_JSON_DEPTH deep (SQLite's JSON functions
 * fail past 1,000) and at most `maxBytes` serialized. Depth is checked first, so serializing
 * cannot overflow the stack.
 */
export function checkJsonValue(field: string, value: unknown, maxBytes = MAX_ATTRIBUTE_VALUE_BYTES) {
	if (value === undefined) return;
	if (exceedsDepth(value)) throw invalid(field, `nested deeper than ${MAX_JSON_DEPTH} levels`);
	if (utf8Length(JSON.stringify(value) ?? "") > maxBytes) {
		throw invalid(field, `larger than ${maxBytes} bytes serialized`);
	}
}
