import { ScimError } from "./errors";
import { matchesFilter, parseAttrPath, type ScimFilter } from "./filter";
import { isObject } from "./resource";

// RFC 7644 §3.4.2.5: `attributes` keeps only the named attributes (plus those always returned),
// `excludedAttributes` drops the named ones. Names are case-insensitive, may carry their schema URN
// (`urn:…:enterprise:2.0:User:department`) and a sub-attribute (`name.givenName`). Microsoft's
// validator also sends a value filter (`emails[type eq "work"]`): the elements matching it are kept.

export interface ProjectionQuery {
	attributes?: string;
	excludedAttributes?: string;
}

export interface ProjectionDefaults {
	/** The resource's own schema URN (its attributes sit at the top level). */
	coreSchema: string;
	/** Top-level attributes returned whatever the parameters say (RFC 7643 "returned": "always"). */
	always?: string[];
}

/** What one name selects: a top-level key, optionally a sub-attribute or a value filter. */
interface Selector {
	/** Lower-cased top-level key: an attribute, or an extension's URN. */
	top: string;
	sub?: string;
	/** Within an extension object: its attribute (and sub-attribute). */
	inner?: { attr: string; sub?: string };
	filter?: ScimFilter;
}

/** Splits at commas outside brackets and quotes. */
function names(param: string): string[] {
	const out: string[] = [];
	let depth = 0;
	let quoted = false;
	let start = 0;
	for (let i = 0; i < param.length; i++) {
		const ch = param[i];
		if (ch === '"' && param[i - 1] !== "\\") quoted = !quoted;
		else if (!quoted && ch === "[") depth++;
		else if (!quoted && ch === "]") depth--;
		else if (!quoted && depth === 0 && ch === ",") {
			out.push(param.slice(start, i));
			start = i + 1;
		}
	}
	out.push(param.slice(start));
	return out.map((n) => n.trim()).filter((n) => n !== "");
}

function selector(name: string, keys: string[], core: string, label: string): Selector {
	const lower = name.toLowerCase();
	// A whole extension, or an attribute inside it.
	const ext = keys.find(
		(k) => k.startsWith("urn:") && k !== core && (lower === k || lower.startsWith(`${k}:`)),
	);
	if (ext) {
		if (lower === ext) return { top: ext };
		const [attr = "", sub] = lower.slice(ext.length + 1).split(".");
		return { top: ext, inner: { attr, sub } };
	}
	let path: ReturnType<typeof parseAttrPath>;
	try {
		path = parseAttrPath(name);
	} catch (error) {
		if (error instanceof ScimError) throw new ScimError(400, `${label}: ${error.message}`, "invalidValue");
		throw error;
	}
	if (path.schema && path.schema !== core && !keys.includes(path.schema)) {
		// `urn:…:User` alone parses as schema `urn:…:2.0` + attr `user`: the whole (absent) extension.
		return { top: `${path.schema}:${path.attr}` };
	}
	return { top: path.attr, sub: path.sub, filter: path.valueFilter };
}

function parse(
	param: string | undefined,
	keys: string[],
	core: string,
	label: string,
): Selector[] | undefined {
	if (param === undefined || param.trim() === "") return undefined;
	return names(param).map((n) => selector(n, keys, core, label));
}

const keyOf = (obj: Record<string, unknown>, lower: string) =>
	Object.keys(obj).find((k) => k.toLowerCase() === lower);

/** Keeps, in `value`, what the selectors naming this key ask for. */
function pick(value: unknown, wanted: Selector[]): unknown {
	if (wanted.some((s) => !s.sub && !s.inner && !s.filter)) return value;
	// Value filters on a multi-valued attribute: the matching elements (with their sub-attribute when named).
	if (Array.isArray(value)) {
		const kept = value.filter((el) =>
			wanted.some((s) => !s.filter || (isObject(el) && matchesFilter(el, s.filter))),
		);
		const subs = wanted.map((s) => s.sub);
		if (subs.some((s) => s === undefined)) return kept;
		return kept.map((el) => (isObject(el) ? subset(el, subs as string[]) : el));
	}
	if (!isObject(value)) return value;
	const subs = wanted.flatMap((s) => (s.inner ? [s.inner.attr] : s.sub ? [s.sub] : []));
	return subset(value, subs);
}

function subset(obj: Record<string, unknown>, lowerNames: string[]) {
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(obj)) if (lowerNames.includes(k.toLowerCase())) out[k] = v;
	return out;
}

/** Removes, from `value`, what the selectors naming this key exclude; undefined: the whole key goes. */
function drop(value: unknown, excluded: Selector[]): unknown {
	if (excluded.some((s) => !s.sub && !s.inner && !s.filter)) return undefined;
	if (Array.isArray(value)) {
		return value
			.filter(
				(el) => !excluded.some((s) => s.filter && !s.sub && isObject(el) && matchesFilter(el, s.filter)),
			)
			.map((el) => {
				if (!isObject(el)) return el;
				const subs = excluded
					.filter((s) => s.sub && (!s.filter || matchesFilter(el, s.filter)))
					.map((s) => s.sub);
				return Object.fromEntries(Object.entries(el).filter(([k]) => !subs.includes(k.toLowerCase())));
			});
	}
	if (!isObject(value)) return value;
	const subs = excluded.flatMap((s) => (s.inner ? [s.inner.attr] : s.sub ? [s.sub] : []));
	return Object.fromEntries(Object.entries(value).filter(([k]) => !subs.includes(k.toLowerCase())));
}

/** `resource` as the query's `attributes` / `excludedAttributes` shape it; id, schemas and meta always stay. */
export function project<T extends Record<string, unknown>>(
	resource: T,
	query: ProjectionQuery,
	defaults: ProjectionDefaults,
): Record<string, unknown> {
	const keys = Object.keys(resource).map((k) => k.toLowerCase());
	const core = defaults.coreSchema.toLowerCase();
	const only = parse(query.attributes, keys, core, "attributes");
	const excluded = only ? undefined : parse(query.excludedAttributes, keys, core, "excludedAttributes");
	if (!only && !excluded) return resource;
	const always = new Set(["id", "schemas", "meta", ...(defaults.always ?? []).map((a) => a.toLowerCase())]);
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(resource)) {
		const lower = key.toLowerCase();
		if (always.has(lower)) {
			out[key] = value;
			continue;
		}
		if (only) {
			const wanted = only.filter((s) => s.top === lower);
			if (wanted.length) out[key] = pick(value, wanted);
		} else {
			const named = (excluded ?? []).filter((s) => s.top === lower);
			const kept = named.length ? drop(value, named) : value;
			if (kept !== undefined) out[key] = kept;
		}
	}
	// An extension kept in part still names its schema; one dropped entirely does not.
	if (Array.isArray(out.schemas)) {
		out.schemas = (out.schemas as string[]).filter(
			(s) => s.toLowerCase() === core || keyOf(out, s.toLowerCase()) !== undefined,
		);
	}
	return out;
}
