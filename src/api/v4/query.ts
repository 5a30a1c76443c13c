import type { Context } from "hono";
import { MAX_SEARCH_TEXT } from "../../domain/limits";
import { isUserFlag } from "../../domain/users/user-flags";
import {
	type KeyValue,
	type ListQuery,
	MAX_LIST_FILTER,
	type SortField,
	type SortKey,
	sortFields,
	sortValueType,
	type UserFilter,
} from "../../domain/users/users.list";
import { publicOrigin } from "../public-origin";
import { type ErrorObject, errorObject, JsonApiError } from "./errors";
import { type RegistrationState, registrationStates, statusesOf } from "./registration";
import type { IndexQuery } from "./schemas";
import { PROFILE_FIELDS, USER_FIELDS, type View } from "./user-mapper";

// Query parameters of the v4 dialect, parsed into the domain's terms. Every bad parameter is
// reported (source.parameter), not just the first.

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

type Problems = ErrorObject[];
const bad = (problems: Problems, parameter: string, detail: string, code = "invalid_parameter") =>
	problems.push(errorObject(400, code, `${parameter}: ${detail}`, { parameter }));

const list = (value: string) => value.split(",").map((v) => v.trim());

function fieldset(
	problems: Problems,
	parameter: string,
	value: string | undefined,
	allowed: readonly string[],
) {
	if (value === undefined) return undefined;
	const names = value.trim() === "" ? [] : list(value);
	for (const name of names) {
		if (!allowed.includes(name)) bad(problems, parameter, `"${name}" is not one of ${allowed.join(", ")}`);
	}
	return new Set(names);
}

/** include and fields[…]: what a response shows. */
function parseView(
	problems: Problems,
	q: { include?: string; "fields[users]"?: string; "fields[user_profiles]"?: string },
	base: string,
	now: number,
): View {
	let includeProfile = false;
	if (q.include !== undefined) {
		for (const path of list(q.include)) {
			if (path === "default_user_profile") includeProfile = true;
			else
				bad(
					problems,
					"include",
					`"${path}" cannot be included (only default_user_profile)`,
					"unsupported_include",
				);
		}
	}
	return {
		base,
		includeProfile,
		users: fieldset(problems, "fields[users]", q["fields[users]"], USER_FIELDS),
		profiles: fieldset(problems, "fields[user_profiles]", q["fields[user_profiles]"], PROFILE_FIELDS),
		now,
	};
}

/** The URL of the v4 root at the public origin (relative when none is configured). */
export const apiBase = (c: Context, v4Base: string) => `${publicOrigin(c)}${v4Base}`;

export function readView(c: Context, q: Parameters<typeof parseView>[1], v4Base: string, now: number): View {
	const problems: Problems = [];
	const view = parseView(problems, q, apiBase(c, v4Base), now);
	if (problems.length) throw new JsonApiError(problems);
	return view;
}

// ---------------------------------------------------------------- cursors

const toBase64Url = (bytes: Uint8Array) =>
	btoa(String.fromCharCode(...bytes))
		.replaceAll("+", "-")
		.replaceAll("/", "_")
		.replace(/=+$/, "");

const fromBase64Url = (text: string) => {
	const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
	return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
};

export const sortSpec = (sort: SortKey[]) => sort.map((k) => `${k.desc ? "-" : ""}${k.field}`).join(",");

/** base64url of {s: sort, k: the sort-key values, i: the user id}. */
export const encodeCursor = (sort: SortKey[], values: KeyValue[], id: string) =>
	toBase64Url(new TextEncoder().encode(JSON.stringify({ s: sortSpec(sort), k: values, i: id })));

function decodeCursor(text: string, sort: SortKey[]): { values: KeyValue[]; id: string } | string {
	let parsed: unknown;
	try {
		if (!/^[A-Za-z0-9_-]{1,4096}$/.test(text)) return "is not a cursor this API issued";
		parsed = JSON.parse(
			new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(fromBase64Url(text)),
		);
	} catch {
		return "is not a cursor this API issued";
	}
	const cursor = parsed as { s?: unknown; k?: unknown; i?: unknown };
	if (
		typeof cursor !== "object" ||
		cursor === null ||
		typeof cursor.i !== "string" ||
		!Array.isArray(cursor.k)
	) {
		return "is not a cursor this API issued";
	}
	if (cursor.s !== sortSpec(sort)) {
		return `was issued for sort=${String(cursor.s)}; send the same sort with it, or start again without a cursor`;
	}
	const values = cursor.k as unknown[];
	const typesOk =
		values.length === sort.length &&
		values.every((v, i) => v === null || typeof v === sortValueType((sort[i] as SortKey).field));
	if (!typesOk) return "is not a cursor this API issued";
	return { values: values as KeyValue[], id: cursor.i };
}

// ---------------------------------------------------------------- index

function parseSort(problems: Problems, value: string | undefined): SortKey[] {
	if (value === undefined) return [{ field: "created", desc: false }];
	const keys: SortKey[] = [];
	for (const token of list(value)) {
		const desc = token.startsWith("-");
		const field = desc ? token.slice(1) : token;
		if (!(sortFields as readonly string[]).includes(field)) {
			bad(
				problems,
				"sort",
				`"${token}" is not a sort field (${sortFields.join(", ")}; "-" for descending)`,
				"unsupported_sort",
			);
		} else if (keys.some((k) => k.field === field)) {
			bad(problems, "sort", `"${field}" is given more than once`, "unsupported_sort");
		} else keys.push({ field: field as SortField, desc });
	}
	return keys;
}

/** Epoch seconds (integer) or an RFC 3339 date-time, as epoch ms bounds (exclusive). */
function parseTime(problems: Problems, parameter: string, value: string | undefined, isAfter: boolean) {
	if (value === undefined) return undefined;
	if (/^\d{1,12}$/.test(value)) {
		// Whole seconds: "after 100" means from 101 s on, as created_time (seconds) shows it.
		return isAfter ? Number(value) * 1000 + 999 : Number(value) * 1000;
	}
	const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)
		? Date.parse(value)
		: NaN;
	if (Number.isNaN(ms)) {
		bad(problems, parameter, `"${value}" is neither epoch seconds nor an RFC 3339 date-time`);
		return undefined;
	}
	return ms;
}

function parseValues(problems: Problems, parameter: string, value: string | undefined) {
	if (value === undefined) return undefined;
	const values = list(value).filter((v) => v !== "");
	if (values.length === 0) bad(problems, parameter, "must not be empty");
	if (values.length > MAX_LIST_FILTER) bad(problems, parameter, `at most ${MAX_LIST_FILTER} values`);
	return values;
}

function parseFilter(problems: Problems, q: IndexQuery): UserFilter {
	const filter: UserFilter = {};
	filter.emails = parseValues(problems, "filter[email]", q["filter[email]"]);
	if (q["filter[external_id]"] !== undefined) {
		if (q["filter[external_id]"] === "") bad(problems, "filter[external_id]", "must not be empty");
		filter.externalIds = [q["filter[external_id]"]];
	}
	const states = parseValues(problems, "filter[registration_state]", q["filter[registration_state]"]);
	if (states) {
		filter.statuses = [];
		for (const state of states) {
			if (!(registrationStates as readonly string[]).includes(state)) {
				bad(
					problems,
					"filter[registration_state]",
					`"${state}" is not one of ${registrationStates.join(", ")}`,
				);
			} else filter.statuses.push(...statusesOf(state as RegistrationState));
		}
	}
	filter.flags = parseValues(problems, "filter[user_flags]", q["filter[user_flags]"]);
	for (const flag of filter.flags ?? []) {
		if (!isUserFlag(flag)) {
			bad(
				problems,
				"filter[user_flags]",
				`"${flag}" is not a user flag (see GET …/v4/user_flags)`,
				"unknown_user_flag",
			);
		}
	}
	if (q["filter[name]"] !== undefined) {
		const text = q["filter[name]"].trim();
		if (text === "") bad(problems, "filter[name]", "must not be empty");
		else if (text.length > MAX_SEARCH_TEXT) {
			bad(problems, "filter[name]", `longer than ${MAX_SEARCH_TEXT} characters`);
		} else if (text.includes("\u0000")) {
			// No name holds one (and SQLite's text functions stop at it).
			bad(problems, "filter[name]", "must not contain a NUL character (U+0000)");
		}
		filter.nameContains = text;
	}
	filter.createdAfter = parseTime(problems, "filter[created_after]", q["filter[created_after]"], true);
	filter.createdBefore = parseTime(problems, "filter[created_before]", q["filter[created_before]"], false);
	return filter;
}

export function parseIndexQuery(
	c: Context,
	q: IndexQuery,
	v4Base: string,
	now: number,
): { view: View; list: ListQuery } {
	const problems: Problems = [];
	const view = parseView(problems, q, apiBase(c, v4Base), now);
	let size = DEFAULT_PAGE_SIZE;
	if (q["page[size]"] !== undefined) {
		size = /^\d{1,4}$/.test(q["page[size]"]) ? Number(q["page[size]"]) : Number.NaN;
		if (!(size >= 1 && size <= MAX_PAGE_SIZE)) {
			bad(problems, "page[size]", `must be an integer from 1 to ${MAX_PAGE_SIZE}`, "invalid_page_size");
		}
	}
	const total = q["page[total]"];
	if (total !== undefined && total !== "true" && total !== "false")
		bad(problems, "page[total]", "must be true or false");
	const sort = parseSort(problems, q.sort);
	const after = q["page[after]"];
	const before = q["page[before]"];
	let cursor: ListQuery["cursor"];
	if (after !== undefined && before !== undefined) {
		bad(
			problems,
			"page[before]",
			"give page[after] or page[before], not both",
			"range_pagination_not_supported",
		);
	} else if ((after ?? before) !== undefined && !problems.some((p) => p.source?.parameter === "sort")) {
		const parameter = after !== undefined ? "page[after]" : "page[before]";
		const decoded = decodeCursor((after ?? before) as string, sort);
		if (typeof decoded === "string") bad(problems, parameter, decoded, "invalid_cursor");
		else cursor = { ...decoded, backwards: before !== undefined };
	}
	const filter = parseFilter(problems, q);
	if (problems.length) throw new JsonApiError(problems);
	return { view, list: { filter, sort, cursor, size, withTotal: total === "true" } };
}

/** The request URL with some query parameters replaced or removed (brackets and commas left readable). */
export function linkWith(c: Context, changes: Record<string, string | null>): string {
	const url = new URL(c.req.url);
	// Re-serialised even without changes, so a raw `page[size]` in the request comes out encoded.
	const params = new URLSearchParams(url.search);
	for (const [key, value] of Object.entries(changes)) {
		if (value === null) params.delete(key);
		else params.set(key, value);
	}
	const search = params.size > 0 ? `?${params}` : "";
	// `[` and `]` stay percent-encoded: raw they are not allowed in a query (RFC 3986 §3.4), and
	// JSON:API's schema checks links as `uri`. The input side decodes either form.
	return `${publicOrigin(c)}${url.pathname}${search}`.replaceAll("%2C", ",");
}
