// Hostile requests for one operation, as fast-check arbitraries: each run takes a plausible request
// (built from the operation's schema and the project's seeded rows) and breaks one thing about it.
import fc from "fast-check";
import { MAX_BODY_BYTES } from "../../../src/domain/limits";
import {
	fieldPaths,
	type Operation,
	type Pool,
	type Schema,
	sample,
	schemaAt,
	setAt,
	typesOf,
} from "./fuzz-openapi";

export interface FuzzRequest {
	method: string;
	/** Path and query string, already encoded. */
	url: string;
	headers: Record<string, string>;
	body?: string;
	/** What was broken, for the failure message. */
	kind: string;
}

/** Strings that have caught parsers, collations and SQL out before (issue 8's look-alikes among them). */
export const ODD_STRINGS = [
	"",
	" ",
	"\u0000",
	"a\u0000b",
	"\ud800",
	"\udfff",
	"x\udc00y",
	"\u200b",
	"alice\u200b@x.com",
	"\u202eevil\u202c",
	"\u200f\u05d0\u05d1",
	"ａｌｉｃｅ＠ｘ．ｃｏｍ",
	"\u212aim@x.com",
	"e\u0301",
	"\ufeff",
	"\uffff",
	"😀",
	"%00",
	"%",
	"../../etc",
	"' OR 1=1 --",
	'"); DROP TABLE users; --',
	"%_%",
	"\\",
	"*",
	"__proto__",
	"constructor",
	"\r\n",
	"\t",
	"null",
	"0",
	"-1",
	"1e309",
	"U",
	`U${"0".repeat(27)}`,
	`P${"0".repeat(27)}`,
];

const oddString = fc.oneof(
	{ weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS) },
	{ weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
	{
		weight: 1,
		arbitrary: fc
			.tuple(fc.constantFrom(...ODD_STRINGS), fc.string({ maxLength: 10 }), fc.constantFrom(...ODD_STRINGS))
			.map((parts) => parts.join("")),
	},
);

const hugeString = fc
	.tuple(
		fc.integer({ min: 300, max: 300_000 }),
		fc.constantFrom("a", "é", "😀", "\u0000", "\u200b", "%", "ab "),
	)
	.map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

/** Around the limits of names, search text and SQL patterns (D1's LIKE pattern, 256-character caps). */
const mediumString = fc
	.tuple(fc.integer({ min: 40, max: 1100 }), fc.constantFrom("a", "%", "_", "é", "a%_\\", "\u200b"))
	.map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

/** Values of every JSON type; a field gets one its schema does not allow. */
const VALUES_BY_TYPE: Record<string, unknown[]> = {
	string: ["x", "", "1", "true"],
	number: [0, -1, 1.5, 1e308, -0, 2 ** 53 + 1],
	integer: [0, -1, 2 ** 31, 2 ** 53 + 1],
	boolean: [true, false],
	null: [null],
	array: [[], [null], [1, "x"], [[[]]]],
	object: [{}, { a: 1 }, { "": null }],
};

function wrongValues(schema: Schema | undefined): unknown[] {
	const allowed = new Set(schema ? typesOf(schema) : []);
	if (allowed.has("number")) allowed.add("integer");
	const out = Object.entries(VALUES_BY_TYPE)
		.filter(([type]) => !allowed.has(type))
		.flatMap(([, values]) => values);
	// Right type, wrong value: out of enum, out of range, fractional integers.
	if (schema?.enum) out.push("not-in-enum", 12345);
	if (allowed.has("integer")) out.push(1.5, -(2 ** 63), 1e21);
	return out.length ? out : [null, [], {}];
}

const MALFORMED_JSON = [
	"",
	"{",
	"}",
	"[",
	'{"a":',
	'{"a":1,}',
	"{'a':1}",
	'{"a":1}}',
	'{"a":1} trailing',
	"nul",
	"NaN",
	"undefined",
	"\u0000",
	'{"a":"\u0000"}',
	'{"a":"\\ud800"}',
	'{"a":"\\u00"}',
	'{"a":"\\x41"}',
	'{"a":01}',
	'{"a":1e999}',
	"\ufeff{}",
	'{"a":1,"a":2}',
	'{"__proto__":{"polluted":true}}',
	'{"constructor":{"prototype":{"polluted":true}}}',
	"[]",
	"[{}]",
	"null",
	"true",
	"0",
	'"string"',
	"-",
	"{}".repeat(1000),
];

const CONTENT_TYPES = [
	"text/plain",
	"application/x-www-form-urlencoded",
	"multipart/form-data; boundary=x",
	"application/xml",
	"application/json; charset=utf-16",
	"application/json; charset=latin1",
	"application/vnd.api+json",
	"application/vnd.api+json; ext=https://jsonapi.org/ext/atomic",
	"application/vnd.api+json; charset=utf-8",
	"application/json",
	"APPLICATION/JSON",
	"*/*",
	"",
	"application/json, text/plain",
];

const ODD_HEADERS = [
	"",
	"*",
	'"x"',
	'W/"x"',
	"*/*;q=0",
	"application/vnd.api+json; ext=x",
	"application/vnd.api+json; profile=x, application/vnd.api+json; ext=y",
	"text/html",
	"0",
	"-1",
	"99999999999999999999",
	"x".repeat(8000),
];

const ODD_QUERIES = [
	"?",
	"?&&&",
	"?=",
	"?a",
	"?%",
	"?%zz=1",
	"?%E0%A4%A=1",
	"?x=%00",
	"?x=%ED%A0%80",
	"?x[]=1&x[]=2",
	"?x[a][b][c]=1",
	"?__proto__[polluted]=1",
	"?constructor[prototype][polluted]=1",
	"?page[size]=-1",
	"?page[size]=1e9",
	"?page[size]=0x10",
	"?page[after]=%FF%FE",
	"?page[before]=x&page[after]=y",
	"?sort=-,-,",
	"?sort=__proto__",
	"?include=a,b,c,d",
	"?fields[users]=",
	"?fields[__proto__]=x",
	"?filter[email]=%00",
	"?filter[name]=%25_%25",
	"?filter[created_after]=not-a-date",
	"?filter[registration_state]=x",
	"?filter[user_flags]=,,,",
	`?filter[name]=${"%E2%80%8B".repeat(300)}`,
	"?per_page=0&page=-1",
	"?per_page=1e3&page=99999999999",
	"?limit=NaN",
	"?after=%00",
	"?service=x",
	"?loginId=&userId=",
	"?id=%00",
];

export interface RequestContext {
	op: Operation;
	pool: Pool;
	/** Authorization and any other header the dialect needs to reach the handler. */
	headers: Record<string, string>;
	/** Values for the path parameters when they are not the thing being broken. */
	pathValues: Record<string, string>;
}

/** encodeURIComponent, except that a lone surrogate is sent as its (invalid) three UTF-8-style bytes. */
export function encode(value: string): string {
	return value.replace(/[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]|[^\ud800-\udfff]+/g, (part) => {
		if (part.length !== 1 || !/[\ud800-\udfff]/.test(part)) return encodeURIComponent(part);
		const u = part.charCodeAt(0);
		return [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)]
			.map((b) => `%${b.toString(16).toUpperCase()}`)
			.join("");
	});
}

function fillPath(op: Operation, values: Record<string, string>): string {
	return op.path.replace(/\{(\w+)\}/g, (_, name: string) => encode(values[name] ?? "x"));
}

/** A plausible query string: the first declared parameter, naming a seeded row. */
function plainQuery(op: Operation, pool: Pool): string {
	if (!op.query.length) return "";
	const name = op.query[0] ?? "";
	const value = pool(name);
	return `?${encode(name)}=${encode(value)}`;
}

function request(
	ctx: RequestContext,
	kind: string,
	body: string | undefined,
	extra: Partial<FuzzRequest> = {},
) {
	const { op } = ctx;
	const headers: Record<string, string> = { ...ctx.headers };
	if (body !== undefined) headers["content-type"] = op.contentType;
	return {
		method: op.method,
		url: fillPath(op, ctx.pathValues) + plainQuery(op, ctx.pool),
		headers,
		body,
		kind,
		...extra,
	} satisfies FuzzRequest;
}

/** The base body as JSON with one field replaced by raw JSON text (deep nesting is built as text). */
function withRawField(base: unknown, path: (string | number)[], raw: string): string {
	const marker = "__fuzz_marker__";
	return JSON.stringify(setAt(base, path, marker)).replace(JSON.stringify(marker), raw);
}

const deepText = fc
	.tuple(fc.integer({ min: 9, max: 5000 }), fc.constantFrom("array", "object", "mixed"))
	.map(([depth, shape]) => {
		if (shape === "array") return `${"[".repeat(depth)}1${"]".repeat(depth)}`;
		if (shape === "object") return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
		return `${'{"a":['.repeat(depth)}1${"]}".repeat(depth)}`;
	});

/** Every way of breaking a request to `op`, weighted towards the body when there is one. */
export function fuzzRequest(ctx: RequestContext): fc.Arbitrary<FuzzRequest> {
	const { op, pool } = ctx;
	const base = op.body ? (sample(op.body, pool) ?? {}) : undefined;
	const fields = fieldPaths(op.body);
	const field = fields.length
		? fc.constantFrom(...fields)
		: fc.constant<(string | number)[]>(["unknownField"]);
	const stringFields = fields.filter((p) => typesOf(schemaAt(op.body, p) ?? {}).includes("string"));
	const stringField = stringFields.length ? fc.constantFrom(...stringFields) : field;
	const bodyText = (value: unknown) => JSON.stringify(value);

	const urlKinds: fc.Arbitrary<FuzzRequest>[] = [
		// Odd query strings, on every operation (unknown parameters must not matter or must be refused).
		fc.tuple(fc.constantFrom(...ODD_QUERIES), oddString).map(([query, odd]) => {
			const q = query.includes("=") ? query : `${query}x=${encode(odd)}`;
			const r = request(ctx, `query ${q.slice(0, 80)}`, base === undefined ? undefined : bodyText(base));
			return { ...r, url: fillPath(op, ctx.pathValues) + q };
		}),
		// Declared query parameters given odd values.
		...(op.query.length
			? [
					fc
						.tuple(
							fc.constantFrom(...op.query),
							fc.oneof(
								oddString,
								mediumString,
								hugeString.map((s) => s.slice(0, 6000)),
							),
						)
						.map(([name, value]) => {
							const r = request(ctx, `query param ${name}`, base === undefined ? undefined : bodyText(base));
							return {
								...r,
								url: `${fillPath(op, ctx.pathValues)}?${encode(name)}=${encode(value)}`,
							};
						}),
				]
			: []),
		// Path parameters given odd values (encoded, so they stay one segment).
		...(op.pathParams.length
			? [
					fc.tuple(fc.constantFrom(...op.pathParams), fc.oneof(oddString, hugeString)).map(([name, value]) =>
						request(ctx, `path param ${name}`, base === undefined ? undefined : bodyText(base), {
							url: fillPath(op, { ...ctx.pathValues, [name]: value.slice(0, 8000) }),
						}),
					),
				]
			: []),
		// Odd negotiation and precondition headers.
		fc
			.tuple(fc.constantFrom("accept", "if-match", "if-none-match"), fc.constantFrom(...ODD_HEADERS))
			.map(([name, value]) => {
				const r = request(
					ctx,
					`header ${name}: ${JSON.stringify(value)}`,
					base === undefined ? undefined : bodyText(base),
				);
				return { ...r, headers: { ...r.headers, [name]: value } };
			}),
	];
	const bodyKinds: fc.Arbitrary<FuzzRequest>[] = [
		// Wrong Content-Type with a body that would otherwise be plausible.
		fc.constantFrom(...CONTENT_TYPES).map((type) => {
			const r = request(ctx, `content-type ${JSON.stringify(type)}`, bodyText(base ?? {}));
			const headers = { ...r.headers };
			if (type === "") delete headers["content-type"];
			else headers["content-type"] = type;
			return { ...r, headers };
		}),
		// Malformed JSON.
		fc
			.oneof(
				fc.constantFrom(...MALFORMED_JSON),
				fc.nat().map((n) => {
					const text = bodyText(base ?? { a: "b" });
					return text.slice(0, text.length > 1 ? n % (text.length - 1) : 0);
				}),
			)
			.map((raw) => request(ctx, `malformed JSON ${JSON.stringify(raw.slice(0, 40))}`, raw)),
		// A body that is valid JSON but not an object.
		fc
			.constantFrom("[]", "null", "1", '"x"', "true", "[{}]", JSON.stringify([base]))
			.map((raw) => request(ctx, `non-object body ${raw.slice(0, 40)}`, raw)),
		// One field of the wrong type.
		field.chain((path) =>
			fc
				.constantFrom(...wrongValues(schemaAt(op.body, path)))
				.map((value) =>
					request(
						ctx,
						`wrong type at ${path.join(".")}: ${JSON.stringify(value)}`,
						bodyText(setAt(base ?? {}, path, value)),
					),
				),
		),
		// Odd Unicode, or a string around the length limits, in one string field.
		fc
			.tuple(stringField, fc.oneof(oddString, mediumString))
			.map(([path, value]) =>
				request(
					ctx,
					`odd string at ${path.join(".")}: ${JSON.stringify(value)}`,
					bodyText(setAt(base ?? {}, path, value)),
				),
			),
		// A huge string in one field.
		fc
			.tuple(stringField, hugeString)
			.map(([path, value]) =>
				request(
					ctx,
					`huge string (${value.length} chars of ${JSON.stringify(value[0])}) at ${path.join(".")}`,
					bodyText(setAt(base ?? {}, path, value)),
				),
			),
		// Deep nesting in one field.
		fc
			.tuple(field, deepText)
			.map(([path, raw]) =>
				request(
					ctx,
					`deep value (${raw.length} chars) at ${path.join(".")}`,
					withRawField(base ?? {}, path, raw),
				),
			),
		// Keys that could reach a prototype, and fields nobody declared.
		fc
			.tuple(fc.constantFrom("__proto__", "constructor", "prototype", "", "\u0000", "toString"), field)
			.map(([key, path]) => {
				const raw = withRawField(base ?? {}, path.slice(0, -1).length ? path.slice(0, -1) : ["x"], "{}");
				const injected = raw.replace(/\{\}/, `{${JSON.stringify(key)}:{"polluted":true}}`);
				return request(ctx, `key ${JSON.stringify(key)} near ${path.join(".")}`, injected);
			}),
		// A body just over the limit (413 before parsing).
		fc
			.constant(null)
			.map(() => request(ctx, "body over the limit", `{"a":"${"x".repeat(MAX_BODY_BYTES + 16)}"}`)),
	];
	// A GET carries no body, so only its URL and headers can be broken.
	return op.method === "GET" ? fc.oneof(...urlKinds) : fc.oneof(...urlKinds, ...bodyKinds, ...bodyKinds);
}

/** Requests to paths no document lists, and to listed paths with methods they do not serve. */
export function strayRequest(
	prefix: string,
	known: Operation[],
	headers: Record<string, string>,
): fc.Arbitrary<FuzzRequest> {
	const methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND", "get", "patch"];
	const segment = fc.oneof(
		fc.constantFrom("x", "users", "user", "..", ".", "%2e%2e", "%2F", "%00", "openapi.json", "v5", "", "~"),
		fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 12 }).map(encodeURIComponent),
		oddString.map(encode),
	);
	const unknownPath = fc
		.tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.constantFrom(...methods))
		.map(([segments, method]) => ({
			method,
			url: `${prefix}/${segments.join("/")}`,
			headers,
			body: method === "GET" ? undefined : "{}",
			kind: "unknown route",
		}));
	const served = new Map<string, Set<string>>();
	for (const op of known) served.set(op.path, (served.get(op.path) ?? new Set()).add(op.method));
	const wrongMethod = fc
		.tuple(fc.constantFrom(...known.map((op) => op.path)), fc.constantFrom(...methods))
		.filter(([path, method]) => !served.get(path)?.has(method.toUpperCase()))
		.map(([path, method]) => ({
			method,
			url: path.replace(/\{\w+\}/g, "x"),
			headers,
			body: method === "GET" ? undefined : "{}",
			kind: "wrong method",
		}));
	return fc.oneof(unknownPath, wrongMethod);
}
