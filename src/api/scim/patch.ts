import { ScimError } from "./errors";
import { type AttrPath, matchesFilter, parseAttrPath, type ScimFilter } from "./filter";
import { field, isObject } from "./resource";

// RFC 7644 §3.5.2 PATCH on a resource's JSON document: add, replace and remove, with a path
// (`attr`, `attr.sub`, `urn:…:attr`, `attr[filter]`, `attr[filter].sub`) or without one (the value
// is an object of attributes, whose keys may themselves be paths, as Okta and Entra send
// `{"name.givenName": "x"}`). Op names are case-insensitive ("Replace", as Entra sends them).
// Names are matched case-insensitively; the mapper reads the result the same way. The document is
// never mutated: a new one is returned.

export const PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export type PatchOpName = "add" | "replace" | "remove";

export interface PatchOperation {
	op: PatchOpName;
	path?: AttrPath;
	value?: unknown;
	/** Where the operation sits in the request, for messages (`Operations[2]`). */
	label: string;
}

export interface PatchSchema {
	/** The resource's core schema URN: a path prefixed with it names a top-level attribute. */
	core: string;
	/** Extension URNs: their attributes live under the URN key. */
	extensions: string[];
	/** Top-level attributes that are multi-valued (lower-cased), e.g. emails, members. */
	multiValued: string[];
	/** Attributes a client may send but not change (ignored): id, meta, schemas. */
	readOnly?: string[];
}

/** Reads a PatchOp body: `Operations` (any case), each op named in any case. */
export function readPatchOperations(body: unknown): PatchOperation[] {
	if (!isObject(body)) throw new ScimError(400, "The body must be a PatchOp object", "invalidSyntax");
	const schemas = field(body, "schemas");
	if (schemas !== undefined && !(Array.isArray(schemas) && schemas.every((s) => typeof s === "string")))
		throw new ScimError(400, "schemas must be an array of schema URNs", "invalidValue");
	if (
		Array.isArray(schemas) &&
		schemas.length &&
		!schemas.some((s) => String(s).toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())
	)
		throw new ScimError(400, `schemas must list ${PATCH_OP_SCHEMA}`, "invalidValue");
	const operations = field(body, "Operations");
	if (!Array.isArray(operations))
		throw new ScimError(400, "Operations: the PatchOp needs an array of operations", "invalidSyntax");
	return operations.map((operation, i) => {
		const label = `Operations[${i}]`;
		if (!isObject(operation)) throw new ScimError(400, `${label} must be an object`, "invalidSyntax");
		const rawOp = field(operation, "op");
		const op = typeof rawOp === "string" ? rawOp.trim().toLowerCase() : "";
		if (op !== "add" && op !== "replace" && op !== "remove")
			throw new ScimError(400, `${label}.op must be add, replace or remove`, "invalidValue");
		const rawPath = field(operation, "path");
		let path: AttrPath | undefined;
		if (rawPath !== undefined && rawPath !== null && rawPath !== "") {
			if (typeof rawPath !== "string")
				throw new ScimError(400, `${label}.path must be a string`, "invalidPath");
			path = parseAttrPath(rawPath);
		}
		const value = field(operation, "value");
		if (!path && op === "remove") throw new ScimError(400, `${label}: remove needs a path`, "noTarget");
		if (!path && !isObject(value))
			throw new ScimError(
				400,
				`${label}.value: without a path, the value is an object of attributes`,
				"invalidValue",
			);
		if (op !== "remove" && value === undefined)
			throw new ScimError(400, `${label}.value is required for ${op}`, "invalidValue");
		return { op, path, value, label };
	});
}

type Doc = Record<string, unknown>;

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

const keyOf = (obj: Doc, lower: string) => Object.keys(obj).find((k) => k.toLowerCase() === lower);

function setKey(obj: Doc, lower: string, value: unknown) {
	const key = keyOf(obj, lower) ?? lower;
	obj[key] = value;
}

function deleteKey(obj: Doc, lower: string) {
	const key = keyOf(obj, lower);
	if (key !== undefined) delete obj[key];
}

/** Applies the operations in order; answers the new document. */
export function applyPatch(doc: Doc, operations: PatchOperation[], schema: PatchSchema): Doc {
	const out = clone(doc);
	for (const operation of operations) {
		if (operation.path) applyAt(out, operation.op, operation.path, operation.value, schema, operation.label);
		else {
			for (const [key, value] of Object.entries(operation.value as Doc)) {
				const label = `${operation.label}.value.${key}`;
				const ext = schema.extensions.find((e) => e.toLowerCase() === key.toLowerCase());
				if (ext && isObject(value)) {
					// `{"urn:…:enterprise:2.0:User": {"department": "x"}}`: each attribute of the extension.
					for (const [inner, v] of Object.entries(value)) {
						applyAt(
							out,
							operation.op,
							{ ...parseAttrPath(inner), schema: ext.toLowerCase() },
							v,
							schema,
							`${label}.${inner}`,
						);
					}
					continue;
				}
				applyAt(out, operation.op, parseAttrPath(key), value, schema, label);
			}
		}
	}
	return out;
}

/** The object an attribute path lives in: the document, or an extension's object (created on demand). */
function holderOf(
	doc: Doc,
	path: AttrPath,
	schema: PatchSchema,
	create: boolean,
	label: string,
): { holder?: Doc; path: AttrPath } {
	const core = schema.core.toLowerCase();
	if (!path.schema || path.schema === core) return { holder: doc, path };
	const ext = schema.extensions.find((e) => e.toLowerCase() === path.schema);
	if (!ext) {
		// The extension itself as the path (`urn:…:2.0:User`): parsed as schema `urn:…:2.0`, attr `user`.
		const whole = schema.extensions.find((e) => e.toLowerCase() === `${path.schema}:${path.attr}`);
		if (!whole) throw new ScimError(400, `${label}: unknown schema "${path.schema}"`, "invalidPath");
		return { holder: doc, path: { attr: whole.toLowerCase() } };
	}
	const inner = { ...path, schema: undefined };
	const current = field(doc, ext);
	if (isObject(current)) return { holder: current, path: inner };
	if (!create) return { path: inner };
	const holder: Doc = {};
	setKey(doc, ext.toLowerCase(), holder);
	return { holder, path: inner };
}

/** Elements of a multi-valued attribute an operation adds: the value as an array. */
const asElements = (value: unknown) => (Array.isArray(value) ? value : [value]);

/**
 * Whether `given` (an element a request names) is the element `el`: the same value (a bare string
 * is one, as Entra sends member ids) and, when the request names a type, the same type.
 */
function sameElement(el: unknown, given: unknown): boolean {
	const value = (v: unknown) => (isObject(v) ? field(v, "value") : v);
	const ev = value(el);
	const gv = value(given);
	if (ev === undefined || gv === undefined || isObject(ev) || isObject(gv))
		return JSON.stringify(el) === JSON.stringify(given);
	if (String(ev).toLowerCase() !== String(gv).toLowerCase()) return false;
	const type = isObject(given) ? field(given, "type") : undefined;
	const elType = isObject(el) ? field(el, "type") : undefined;
	return type === undefined || type === null || String(type) === String(elType ?? "");
}

/** An element added as primary makes every other element non-primary (RFC 7643 §2.4). */
function keepOnePrimary(list: unknown[]) {
	const isPrimary = (el: unknown) => isObject(el) && String(field(el, "primary")).toLowerCase() === "true";
	const last = list.map(isPrimary).lastIndexOf(true);
	if (last < 0) return list;
	return list.map((el, i) => (i !== last && isObject(el) && isPrimary(el) ? { ...el, primary: false } : el));
}

/** The elements a filter names and, when none does, a new one built from its `eq` terms. */
function elementFromFilter(f: ScimFilter): Doc | null {
	if (f.op === "eq" && !f.path.sub && !f.path.valueFilter) return { [f.path.attr]: f.value };
	if (f.op === "and") {
		const left = elementFromFilter(f.left);
		const right = elementFromFilter(f.right);
		return left && right ? { ...left, ...right } : null;
	}
	return null;
}

function applyAt(
	doc: Doc,
	op: PatchOpName,
	given: AttrPath,
	value: unknown,
	schema: PatchSchema,
	label: string,
) {
	const { holder, path } = holderOf(doc, given, schema, op !== "remove", label);
	if (!holder) return; // remove inside an absent extension: nothing to remove
	const attr = path.attr;
	if ((schema.readOnly ?? ["id", "meta", "schemas"]).includes(attr) && holder === doc) return;
	const current = field(holder, attr);
	const multi = holder === doc && schema.multiValued.includes(attr);

	if (path.valueFilter) {
		if (!multi && !Array.isArray(current))
			throw new ScimError(
				400,
				`${label}: "${attr}" is not multi-valued; a [filter] does not apply`,
				"invalidPath",
			);
		const filter = path.valueFilter;
		const list = Array.isArray(current) ? [...current] : [];
		const matches = list.map((el) => isObject(el) && matchesFilter(el, filter));
		if (op === "remove") {
			const kept = path.sub
				? list.map((el, i) => (matches[i] && isObject(el) ? withoutKey(el, path.sub as string) : el))
				: list.filter((_, i) => !matches[i]);
			setOrDelete(holder, attr, kept);
			return;
		}
		if (!matches.some(Boolean)) {
			// Entra replaces `emails[type eq "work"].value` on a user with no work email: a new element.
			const seed = elementFromFilter(filter);
			if (!seed) throw new ScimError(400, `${label}: no "${attr}" element matches the filter`, "noTarget");
			const element = path.sub
				? { ...seed, [path.sub]: value }
				: isObject(value)
					? { ...seed, ...value }
					: null;
			if (!element)
				throw new ScimError(400, `${label}: the value of "${attr}[…]" is an object`, "invalidValue");
			setKey(holder, attr, keepOnePrimary([...list, element]));
			return;
		}
		const next = list.map((el, i) => {
			if (!matches[i] || !isObject(el)) return el;
			if (path.sub) return withKey(el, path.sub, value);
			if (!isObject(value))
				throw new ScimError(400, `${label}: the value of "${attr}[…]" is an object`, "invalidValue");
			return op === "add" ? { ...el, ...value } : { ...value };
		});
		setKey(holder, attr, keepOnePrimary(next));
		return;
	}

	if (path.sub) {
		if (multi || Array.isArray(current)) {
			// `emails.value`: every element's sub-attribute.
			const list = Array.isArray(current) ? current : [];
			if (op === "remove")
				setOrDelete(
					holder,
					attr,
					list.map((el) => (isObject(el) ? withoutKey(el, path.sub as string) : el)),
				);
			else
				setKey(
					holder,
					attr,
					list.length
						? list.map((el) => (isObject(el) ? withKey(el, path.sub as string, value) : el))
						: [{ [path.sub]: value }],
				);
			return;
		}
		const obj = isObject(current) ? { ...current } : {};
		if (op === "remove") {
			if (!isObject(current)) return;
			setOrDelete(holder, attr, withoutKey(obj, path.sub));
			return;
		}
		setKey(holder, attr, withKey(obj, path.sub, value));
		return;
	}

	if (op === "remove") {
		if ((multi || Array.isArray(current)) && value !== undefined && value !== null) {
			// Remove those elements only (Entra's member removal: path "members" with a value array).
			const list = Array.isArray(current) ? current : [];
			const gone = asElements(value);
			setOrDelete(
				holder,
				attr,
				list.filter((el) => !gone.some((g) => sameElement(el, g))),
			);
			return;
		}
		deleteKey(holder, attr);
		return;
	}
	if (multi || Array.isArray(current)) {
		const list = Array.isArray(current)
			? current
			: current === undefined || current === null
				? []
				: [current];
		const added = asElements(value);
		if (op === "replace") setKey(holder, attr, keepOnePrimary(added));
		else
			setKey(
				holder,
				attr,
				keepOnePrimary([...list.filter((el) => !added.some((a) => sameElement(el, a))), ...added]),
			);
		return;
	}
	if (isObject(value) && (isObject(current) || current === undefined)) {
		// A complex attribute: the sub-attributes given replace theirs, the others stay (§3.5.2.1, §3.5.2.3).
		const merged: Doc = isObject(current) ? { ...current } : {};
		for (const [k, v] of Object.entries(value)) setKey(merged, k.toLowerCase(), v);
		setKey(holder, attr, merged);
		return;
	}
	setKey(holder, attr, value);
}

function withKey(obj: Doc, lower: string, value: unknown): Doc {
	const out = { ...obj };
	setKey(out, lower, value);
	return out;
}

function withoutKey(obj: Doc, lower: string): Doc {
	const out = { ...obj };
	deleteKey(out, lower);
	return out;
}

function setOrDelete(holder: Doc, attr: string, value: unknown) {
	if (Array.isArray(value) ? value.length === 0 : isObject(value) && Object.keys(value).length === 0)
		deleteKey(holder, attr);
	else setKey(holder, attr, value);
}
