import { ScimError } from "./errors";

// RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths: a tokenizer, a recursive-descent parser
// (precedence not > and > or), a printer that the parser reads back to the same tree, and an
// evaluator for in-memory elements (PATCH value paths). Names are lower-cased: SCIM attribute
// names are case-insensitive (RFC 7643 §2.1). Values may come unquoted, as Microsoft Entra
// sends them (`userName eq Test_User_abc`).

/** Longest filter (or path) text accepted, in characters. */
export const MAX_FILTER_LENGTH = 2048;
/** Deepest nesting of parentheses, `not` and value-path brackets. */
export const MAX_FILTER_DEPTH = 10;
/**
 * Most comparisons in one filter. Each becomes indexed subqueries of one statement, binding up to
 * 7 parameters (an email value path: the email key, the value and its lower case, the element's
 * fields), and D1 binds at most 100 per statement.
 */
export const MAX_FILTER_TERMS = 10;

export interface AttrPath {
	/** The schema URN prefix, when given (lower-cased). */
	schema?: string;
	attr: string;
	sub?: string;
	valueFilter?: ScimFilter;
}
export type ScimValue = string | number | boolean | null;
export type CompareOp = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";
export type ScimFilter =
	| { op: "and" | "or"; left: ScimFilter; right: ScimFilter }
	| { op: "not"; filter: ScimFilter }
	| { op: "pr"; path: AttrPath }
	| { op: CompareOp; path: AttrPath; value: ScimValue };

const COMPARE_OPS = new Set<string>(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"]);

type Token =
	| { kind: "(" | ")" | "[" | "]"; at: number }
	| { kind: "string"; value: string; at: number }
	| { kind: "word"; text: string; at: number };

const filterError = (detail: string) => new ScimError(400, detail, "invalidFilter");

function tokenize(text: string, fail: (detail: string) => ScimError): Token[] {
	const tokens: Token[] = [];
	let i = 0;
	while (i < text.length) {
		const c = text[i] as string;
		if (/\s/.test(c)) {
			i++;
		} else if (c === "(" || c === ")" || c === "[" || c === "]") {
			tokens.push({ kind: c, at: i });
			i++;
		} else if (c === '"') {
			// A JSON string (RFC 7644 §3.4.2.2: values are JSON).
			let j = i + 1;
			while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
			if (j >= text.length) throw fail(`unterminated string starting at position ${i + 1}`);
			const raw = text.slice(i, j + 1);
			let value: string;
			try {
				value = JSON.parse(raw) as string;
			} catch {
				throw fail(`invalid string ${raw} at position ${i + 1}`);
			}
			tokens.push({ kind: "string", value, at: i });
			i = j + 1;
		} else {
			let j = i;
			while (j < text.length && !/[\s()[\]"]/.test(text[j] as string)) j++;
			tokens.push({ kind: "word", text: text.slice(i, j), at: i });
			i = j;
		}
	}
	return tokens;
}

// ATTRNAME = ALPHA *(nameChar), plus `$ref` (RFC 7643 §2.1); a URN prefix ends at the last ":".
const ATTR_NAME = /^(?:[A-Za-z][\w-]*|\$ref)$/i;
const URN = /^urn:[^\s()[\]"]+$/i;

/** `[urn:…:]attr[.sub]`, lower-cased; null when the text is no attribute path. */
function readPath(text: string): AttrPath | null {
	let schema: string | undefined;
	let rest = text;
	const colon = text.lastIndexOf(":");
	if (colon >= 0) {
		schema = text.slice(0, colon);
		if (!URN.test(schema)) return null;
		rest = text.slice(colon + 1);
	}
	const parts = rest.split(".");
	if (parts.length > 2 || !parts.every((p) => ATTR_NAME.test(p))) return null;
	const path: AttrPath = { attr: (parts[0] as string).toLowerCase() };
	if (schema) path.schema = schema.toLowerCase();
	if (parts[1]) path.sub = parts[1].toLowerCase();
	return path;
}

/** An unquoted value: true/false/null, a number that reads back the same, else the text itself. */
function unquoted(text: string): ScimValue {
	const lower = text.toLowerCase();
	if (lower === "true") return true;
	if (lower === "false") return false;
	if (lower === "null") return null;
	const n = Number(text);
	if (/^-?\d/.test(text) && Number.isFinite(n) && String(n) === text) return n;
	return text;
}

class Parser {
	private pos = 0;
	private terms = 0;

	constructor(
		private readonly tokens: Token[],
		private readonly fail: (detail: string) => ScimError,
	) {}

	private peek(): Token | undefined {
		return this.tokens[this.pos];
	}

	private where(token = this.peek()): string {
		return token ? `at position ${token.at + 1}` : "at the end";
	}

	private describe(token: Token): string {
		if (token.kind === "word") return `"${token.text}"`;
		if (token.kind === "string") return JSON.stringify(token.value);
		return `"${token.kind}"`;
	}

	private isKeyword(token: Token | undefined, word: string): boolean {
		return token?.kind === "word" && token.text.toLowerCase() === word;
	}

	private expect(kind: ")" | "]") {
		const token = this.peek();
		if (token?.kind !== kind) {
			throw this.fail(`expected "${kind}" ${this.where()}${token ? `, found ${this.describe(token)}` : ""}`);
		}
		this.pos++;
	}

	parseAll(): ScimFilter {
		if (this.tokens.length === 0) throw this.fail("the filter is empty");
		const filter = this.parseOr(0, false);
		const extra = this.peek();
		if (extra) throw this.fail(`unexpected ${this.describe(extra)} ${this.where(extra)}`);
		return filter;
	}

	parseOr(depth: number, inValuePath: boolean): ScimFilter {
		let left = this.parseAnd(depth, inValuePath);
		while (this.isKeyword(this.peek(), "or")) {
			this.pos++;
			left = { op: "or", left, right: this.parseAnd(depth, inValuePath) };
		}
		return left;
	}

	private parseAnd(depth: number, inValuePath: boolean): ScimFilter {
		let left = this.parseUnary(depth, inValuePath);
		while (this.isKeyword(this.peek(), "and")) {
			this.pos++;
			left = { op: "and", left, right: this.parseUnary(depth, inValuePath) };
		}
		return left;
	}

	private nest(depth: number): number {
		if (depth + 1 > MAX_FILTER_DEPTH) {
			throw this.fail(`nested deeper than ${MAX_FILTER_DEPTH} levels ${this.where()}`);
		}
		return depth + 1;
	}

	private parseUnary(depth: number, inValuePath: boolean): ScimFilter {
		const token = this.peek();
		if (!token) throw this.fail('expected an attribute, "(" or "not" at the end');
		// `not` is the operator unless an operator follows it (then it names an attribute).
		const next = this.tokens[this.pos + 1];
		const nextIsOperator =
			next?.kind === "word" && (COMPARE_OPS.has(next.text.toLowerCase()) || next.text.toLowerCase() === "pr");
		if (this.isKeyword(token, "not") && !nextIsOperator) {
			this.pos++;
			return { op: "not", filter: this.parseUnary(this.nest(depth), inValuePath) };
		}
		if (token.kind === "(") {
			this.pos++;
			const inner = this.parseOr(this.nest(depth), inValuePath);
			this.expect(")");
			return inner;
		}
		return this.parseComparison(depth, inValuePath);
	}

	private parseComparison(depth: number, inValuePath: boolean): ScimFilter {
		const token = this.peek() as Token;
		if (token.kind !== "word") {
			throw this.fail(`expected an attribute name ${this.where(token)}, found ${this.describe(token)}`);
		}
		const path = readPath(token.text);
		if (!path) throw this.fail(`"${token.text}" ${this.where(token)} is not an attribute name`);
		this.pos++;
		if (this.peek()?.kind === "[") {
			if (inValuePath) throw this.fail(`value paths cannot nest (${this.where()})`);
			if (path.sub) throw this.fail(`"[" ${this.where()} must follow an attribute, not a sub-attribute`);
			this.pos++;
			path.valueFilter = this.parseOr(this.nest(depth), true);
			this.expect("]");
			// `emails[type eq "work"].value eq "x"`: a sub-attribute of the matching elements.
			const after = this.peek();
			if (after?.kind === "word" && after.text.startsWith(".")) {
				const sub = after.text.slice(1);
				if (!ATTR_NAME.test(sub))
					throw this.fail(`"${after.text}" ${this.where(after)} is not a sub-attribute`);
				path.sub = sub.toLowerCase();
				this.pos++;
			} else {
				// A value path alone: an element matching it exists.
				this.count();
				return { op: "pr", path };
			}
		}
		const opToken = this.peek();
		if (opToken?.kind !== "word") {
			throw this.fail(`expected an operator after "${token.text}" ${this.where(opToken)}`);
		}
		const op = opToken.text.toLowerCase();
		this.pos++;
		this.count();
		if (op === "pr") return { op: "pr", path };
		if (!COMPARE_OPS.has(op)) {
			throw this.fail(
				`unknown operator "${opToken.text}" ${this.where(opToken)} (one of eq, ne, co, sw, ew, gt, ge, lt, le, pr)`,
			);
		}
		const valueToken = this.peek();
		if (
			!valueToken ||
			valueToken.kind === "(" ||
			valueToken.kind === ")" ||
			valueToken.kind === "[" ||
			valueToken.kind === "]"
		) {
			throw this.fail(`expected a value after "${opToken.text}" ${this.where(valueToken)}`);
		}
		this.pos++;
		const value =
			valueToken.kind === "string"
				? valueToken.value
				: valueToken.kind === "word"
					? unquoted(valueToken.text)
					: null;
		return { op: op as CompareOp, path, value };
	}

	private count() {
		this.terms++;
		if (this.terms > MAX_FILTER_TERMS) throw this.fail(`more than ${MAX_FILTER_TERMS} comparisons`);
	}

	done(): boolean {
		return this.pos >= this.tokens.length;
	}

	next(): Token | undefined {
		return this.tokens[this.pos++];
	}
}

function checkLength(text: string, fail: (detail: string) => ScimError) {
	if (typeof text !== "string") throw fail("must be a string");
	if (text.length > MAX_FILTER_LENGTH) throw fail(`longer than ${MAX_FILTER_LENGTH} characters`);
}

/** Parses a `filter` parameter; ScimError 400 invalidFilter naming where it fails. */
export function parseFilter(text: string): ScimFilter {
	const fail = (detail: string) => filterError(`filter: ${detail}`);
	checkLength(text, fail);
	return new Parser(tokenize(text, fail), fail).parseAll();
}

/**
 * Parses a PATCH `path` (RFC 7644 §3.5.2): `attr`, `attr.sub`, `urn:…:attr[.sub]`,
 * `attr[filter]`, `attr[filter].sub`. ScimError 400 invalidPath.
 */
export function parseAttrPath(text: string): AttrPath {
	const fail = (detail: string) => new ScimError(400, `path: ${detail}`, "invalidPath");
	checkLength(text, fail);
	const trimmed = text.trim();
	const bracket = trimmed.indexOf("[");
	if (bracket < 0) {
		const path = readPath(trimmed);
		if (!path) throw fail(`"${trimmed}" is not an attribute path`);
		return path;
	}
	const path = readPath(trimmed.slice(0, bracket));
	if (!path || path.sub) throw fail(`"${trimmed.slice(0, bracket)}" before "[" is not an attribute name`);
	const close = trimmed.lastIndexOf("]");
	if (close < bracket) throw fail(`"[" at position ${bracket + 1} is not closed`);
	const inner = trimmed.slice(bracket + 1, close);
	const tail = trimmed.slice(close + 1);
	const innerFail = (detail: string) => fail(`in [${inner}]: ${detail}`);
	const parser = new Parser(tokenize(inner, innerFail), innerFail);
	if (parser.done()) throw fail("the filter in [] is empty");
	path.valueFilter = parser.parseOr(1, true);
	const extra = parser.next();
	if (extra) throw fail(`unexpected text in [${inner}]`);
	if (tail) {
		const sub = tail.startsWith(".") ? tail.slice(1) : "";
		if (!ATTR_NAME.test(sub)) throw fail(`"${tail}" after "]" is not a sub-attribute`);
		path.sub = sub.toLowerCase();
	}
	return path;
}

// ---------------------------------------------------------------- printing

const printValue = (v: ScimValue) => (typeof v === "string" ? JSON.stringify(v) : String(v));

export function printPath(p: AttrPath): string {
	const head = `${p.schema ? `${p.schema}:` : ""}${p.attr}`;
	if (p.valueFilter) return `${head}[${printFilter(p.valueFilter)}]${p.sub ? `.${p.sub}` : ""}`;
	return p.sub ? `${head}.${p.sub}` : head;
}

/** The canonical text of a filter: parseFilter reads it back to the same tree. */
export function printFilter(f: ScimFilter): string {
	const operand = (g: ScimFilter) =>
		g.op === "and" || g.op === "or" ? `(${printFilter(g)})` : printFilter(g);
	switch (f.op) {
		case "and":
		case "or":
			return `${operand(f.left)} ${f.op} ${operand(f.right)}`;
		case "not":
			return `not (${printFilter(f.filter)})`;
		case "pr":
			// A value path alone already means "an element matching exists".
			return f.path.valueFilter && !f.path.sub ? printPath(f.path) : `${printPath(f.path)} pr`;
		default:
			return `${printPath(f.path)} ${f.op} ${printValue(f.value)}`;
	}
}

// ---------------------------------------------------------------- evaluation

/** Attributes compared case-sensitively (RFC 7643 caseExact true); every other string is not. */
const CASE_EXACT = new Set(["id", "externalid", "$ref"]);

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch ms of an xsd:dateTime (any number of fraction digits), or null. */
export function parseDateTime(text: string): number | null {
	if (!DATE_TIME.test(text)) return null;
	// Date.parse takes at most 3 fraction digits reliably: cut the rest.
	const ms = Date.parse(text.replace(/(\.\d{3})\d+/, "$1"));
	return Number.isNaN(ms) ? null : ms;
}

function getKey(obj: Record<string, unknown>, name: string): unknown {
	if (Object.hasOwn(obj, name)) return obj[name];
	for (const key of Object.keys(obj)) if (key.toLowerCase() === name) return obj[key];
	return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === "object" && v !== null && !Array.isArray(v);

/** The values a path names in a resource: each element of a multi-valued attribute is one. */
function valuesAt(resource: Record<string, unknown>, path: AttrPath): unknown[] {
	let holder: unknown = resource;
	if (path.schema) {
		const ext = getKey(resource, path.schema);
		// Core-schema attributes live at the top level; extension ones under their URN.
		holder = isObject(ext) ? ext : resource;
	}
	if (!isObject(holder)) return [];
	let values = [getKey(holder, path.attr)].flat().filter((v) => v !== undefined);
	if (path.valueFilter) {
		const vf = path.valueFilter;
		values = values.filter((v) => isObject(v) && matchesFilter(v, vf));
	}
	if (path.sub) {
		const sub = path.sub;
		values = values
			.flatMap((v) => (isObject(v) ? [getKey(v, sub)].flat() : []))
			.filter((v) => v !== undefined);
	}
	return values;
}

const present = (v: unknown) =>
	v !== null &&
	v !== undefined &&
	v !== "" &&
	!(Array.isArray(v) && v.length === 0) &&
	!(isObject(v) && Object.keys(v).length === 0);

function asBoolean(v: unknown): boolean | undefined {
	if (typeof v === "boolean") return v;
	const text = String(v).toLowerCase();
	return text === "true" ? true : text === "false" ? false : undefined;
}

/**
 * One comparison of an attribute value with a filter value (RFC 7644 §3.4.2.2): strings
 * case-insensitively unless `caseExact`, date-times as instants, booleans and numbers as such
 * (also when either side is their text, as Entra sends "True").
 */
export function compareValue(
	op: CompareOp,
	actual: unknown,
	expected: ScimValue,
	caseExact = false,
): boolean {
	if (isObject(actual)) actual = getKey(actual, "value");
	if (actual === undefined || actual === null) return op === "ne" && expected !== null;
	if (expected === null) return op === "ne";
	if (typeof actual === "boolean" || typeof expected === "boolean") {
		const a = asBoolean(actual);
		const e = asBoolean(expected);
		if (a === undefined || e === undefined) return op === "ne";
		if (op === "eq") return a === e;
		if (op === "ne") return a !== e;
		return false;
	}
	if (typeof actual === "number" || typeof expected === "number") {
		const a = Number(actual);
		const e = Number(expected);
		if (!Number.isNaN(a) && !Number.isNaN(e) && typeof actual !== "object") {
			const result = ordered(op, a, e);
			if (result !== undefined) return result;
		}
	}
	if (typeof actual !== "string" && typeof actual !== "number") return op === "ne";
	let a = String(actual);
	let e = String(expected);
	if (op === "gt" || op === "ge" || op === "lt" || op === "le") {
		const da = parseDateTime(a);
		const de = parseDateTime(e);
		if (da !== null && de !== null) return ordered(op, da, de) as boolean;
	}
	if (!caseExact) {
		a = a.toLowerCase();
		e = e.toLowerCase();
	}
	switch (op) {
		case "co":
			return a.includes(e);
		case "sw":
			return a.startsWith(e);
		case "ew":
			return a.endsWith(e);
		default:
			return ordered(op, a, e) as boolean;
	}
}

/** eq, ne and the orderings over two values of one kind; undefined for co, sw and ew. */
function ordered<T extends number | string>(op: CompareOp, a: T, e: T): boolean | undefined {
	switch (op) {
		case "eq":
			return a === e;
		case "ne":
			return a !== e;
		case "gt":
			return a > e;
		case "ge":
			return a >= e;
		case "lt":
			return a < e;
		case "le":
			return a <= e;
		default:
			return undefined;
	}
}

/** Evaluates a filter against one JSON element (a resource, or an element of a multi-valued attribute). */
export function matchesFilter(resource: Record<string, unknown>, f: ScimFilter): boolean {
	switch (f.op) {
		case "and":
			return matchesFilter(resource, f.left) && matchesFilter(resource, f.right);
		case "or":
			return matchesFilter(resource, f.left) || matchesFilter(resource, f.right);
		case "not":
			return !matchesFilter(resource, f.filter);
		case "pr": {
			const values = valuesAt(resource, f.path);
			return f.path.valueFilter && !f.path.sub ? values.length > 0 : values.some(present);
		}
		default: {
			const values = valuesAt(resource, f.path);
			const exact = CASE_EXACT.has(f.path.sub ?? f.path.attr);
			// `eq null`: absent; `ne null`: present.
			if (f.value === null) {
				if (f.op === "eq") return !values.some(present);
				return f.op === "ne" && values.some(present);
			}
			// ne: no value equals (an absent attribute is "not equal").
			if (f.op === "ne") return !values.some((v) => compareValue("eq", v, f.value, exact));
			return values.some((v) => compareValue(f.op as CompareOp, v, f.value, exact));
		}
	}
}
