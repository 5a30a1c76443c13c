// The SCIM filter and path grammar (RFC 7644 §3.4.2.2, §3.5.2): the RFC's own examples, what
// Entra sends (unquoted values, mixed case), precedence, limits, and properties: parsing never
// throws anything but a 400 ScimError, and printing then parsing gives the same tree.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ScimError } from "../../src/api/scim/errors";
import {
	type AttrPath,
	MAX_FILTER_DEPTH,
	MAX_FILTER_LENGTH,
	MAX_FILTER_TERMS,
	matchesFilter,
	parseAttrPath,
	parseFilter,
	printFilter,
	type ScimFilter,
	type ScimValue,
} from "../../src/api/scim/filter";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user";

function expectScimError(run: () => unknown, scimType: string, detailPart?: string) {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(ScimError);
		const e = error as ScimError;
		expect(e.status).toBe(400);
		expect(e.scimType).toBe(scimType);
		if (detailPart) expect(e.message).toContain(detailPart);
		return e;
	}
	throw new Error("expected a ScimError");
}

describe("parseFilter: RFC 7644 §3.4.2.2 examples", () => {
	it.each([
		'userName eq "bjensen"',
		'name.familyName co "O\'Malley"',
		'userName sw "J"',
		'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
		"title pr",
		'meta.lastModified gt "2011-05-13T04:42:34Z"',
		'meta.lastModified ge "2011-05-13T04:42:34Z"',
		'meta.lastModified lt "2011-05-13T04:42:34Z"',
		'meta.lastModified le "2011-05-13T04:42:34Z"',
		'title pr and userType eq "Employee"',
		'title pr or userType eq "Intern"',
		'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
		'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
		'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
		'userType eq "Employee" and (emails.type eq "work")',
		'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
		'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
	])("%s", (text) => {
		const f = parseFilter(text);
		// The canonical text reads back to the same tree.
		expect(parseFilter(printFilter(f))).toEqual(f);
	});

	it("reads a comparison, lower-casing names and operator", () => {
		expect(parseFilter('UserName EQ "BJensen"')).toEqual({
			op: "eq",
			path: { attr: "username" },
			value: "BJensen",
		});
	});

	it("reads sub-attributes and URN prefixes", () => {
		expect(parseFilter('name.givenName eq "Barbara"')).toEqual({
			op: "eq",
			path: { attr: "name", sub: "givenname" },
			value: "Barbara",
		});
		expect(parseFilter(`${ENTERPRISE}:department eq "Tour"`)).toEqual({
			op: "eq",
			path: { schema: ENTERPRISE, attr: "department" },
			value: "Tour",
		});
		expect(
			parseFilter(`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "U1"`),
		).toEqual({ op: "eq", path: { schema: ENTERPRISE, attr: "manager", sub: "value" }, value: "U1" });
	});

	it("reads a value path as 'an element matching exists', and with a sub-attribute as a comparison", () => {
		const typeWork: ScimFilter = { op: "eq", path: { attr: "type" }, value: "work" };
		expect(parseFilter('emails[type eq "work" and primary eq true]')).toEqual({
			op: "pr",
			path: {
				attr: "emails",
				valueFilter: {
					op: "and",
					left: typeWork,
					right: { op: "eq", path: { attr: "primary" }, value: true },
				},
			},
		});
		expect(parseFilter('emails[type eq "work"].value eq "a@x.com"')).toEqual({
			op: "eq",
			path: { attr: "emails", valueFilter: typeWork, sub: "value" },
			value: "a@x.com",
		});
	});

	it("gives not precedence over and, and and over or", () => {
		const a: ScimFilter = { op: "pr", path: { attr: "a" } };
		const b: ScimFilter = { op: "pr", path: { attr: "b" } };
		const c: ScimFilter = { op: "pr", path: { attr: "c" } };
		expect(parseFilter("a pr or b pr and c pr")).toEqual({
			op: "or",
			left: a,
			right: { op: "and", left: b, right: c },
		});
		expect(parseFilter("a pr and b pr or c pr")).toEqual({
			op: "or",
			left: { op: "and", left: a, right: b },
			right: c,
		});
		expect(parseFilter("not (a pr) and b pr")).toEqual({
			op: "and",
			left: { op: "not", filter: a },
			right: b,
		});
		expect(parseFilter("(a pr or b pr) and c pr")).toEqual({
			op: "and",
			left: { op: "or", left: a, right: b },
			right: c,
		});
		expect(parseFilter("a pr AND NOT (b pr) Or c pr")).toEqual({
			op: "or",
			left: { op: "and", left: a, right: { op: "not", filter: b } },
			right: c,
		});
	});

	it("reads literals: strings with escapes, numbers, true, false, null", () => {
		const value = (text: string) => (parseFilter(`x eq ${text}`) as { value: ScimValue }).value;
		expect(value('"a \\"q\\" \\u00e9"')).toBe('a "q" é');
		expect(value("42")).toBe(42);
		expect(value("-1.5")).toBe(-1.5);
		expect(value("true")).toBe(true);
		expect(value("False")).toBe(false);
		expect(value("null")).toBe(null);
	});

	it("reads Entra's unquoted values", () => {
		const value = (text: string) => (parseFilter(text) as { value: ScimValue }).value;
		expect(value("userName eq Test_User_abc")).toBe("Test_User_abc");
		expect(value("userName sw O")).toBe("O");
		expect(parseFilter('DisplayName eq "BobIsAmazing"')).toEqual({
			op: "eq",
			path: { attr: "displayname" },
			value: "BobIsAmazing",
		});
		expect(value("externalId eq 123")).toBe(123);
		// Text that a number would not print back the same stays text.
		expect(value("externalId eq 0123")).toBe("0123");
		expect(value("active eq True")).toBe(true);
		expect(value("meta.Created gt 2015-10-10T14:38:21.8617979-07:00")).toBe(
			"2015-10-10T14:38:21.8617979-07:00",
		);
		expect(
			parseFilter(
				"name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)",
			),
		).toEqual({
			op: "and",
			left: { op: "eq", path: { attr: "name", sub: "familyname" }, value: "Employee" },
			right: {
				op: "or",
				left: { op: "co", path: { attr: "emails", sub: "value" }, value: "example.com" },
				right: { op: "co", path: { attr: "emails", sub: "value" }, value: "example.org" },
			},
		});
	});
});

describe("parseFilter: refusals name the problem", () => {
	it.each([
		["", "empty"],
		['userName eq "open', "unterminated string starting at position 13"],
		["userName", 'expected an operator after "userName" at the end'],
		['userName equals "x"', 'unknown operator "equals" at position 10'],
		["userName eq", 'expected a value after "eq" at the end'],
		['(userName eq "x"', 'expected ")" at the end'],
		['userName eq "x")', 'unexpected ")" at position 16'],
		['userName eq "x" and', "at the end"],
		['userName eq "x" "y"', 'unexpected "y" at position 17'],
		['1abc eq "x"', '"1abc" at position 1 is not an attribute name'],
		['emails[type eq "work"', 'expected "]" at the end'],
		['emails[types[value eq "x"] pr]', "value paths cannot nest"],
		['name.givenName[value eq "x"]', "must follow an attribute"],
		['a eq "\\x"', "invalid string"],
	])("%j", (text, detail) => {
		const e = expectScimError(() => parseFilter(text), "invalidFilter", detail);
		expect(e.message.startsWith("filter: ")).toBe(true);
	});

	it(`refuses a filter longer than ${MAX_FILTER_LENGTH} characters`, () => {
		expectScimError(
			() => parseFilter(`userName eq "${"a".repeat(MAX_FILTER_LENGTH)}"`),
			"invalidFilter",
			"longer than",
		);
	});

	it(`refuses nesting deeper than ${MAX_FILTER_DEPTH}`, () => {
		const deep = `${"(".repeat(MAX_FILTER_DEPTH + 1)}a pr${")".repeat(MAX_FILTER_DEPTH + 1)}`;
		expectScimError(() => parseFilter(deep), "invalidFilter", "nested deeper");
		const ok = `${"(".repeat(MAX_FILTER_DEPTH)}a pr${")".repeat(MAX_FILTER_DEPTH)}`;
		expect(parseFilter(ok)).toEqual({ op: "pr", path: { attr: "a" } });
	});

	it(`refuses more than ${MAX_FILTER_TERMS} comparisons`, () => {
		const terms = (n: number) => Array.from({ length: n }, (_, i) => `a eq ${i}`).join(" or ");
		expect(() => parseFilter(terms(MAX_FILTER_TERMS))).not.toThrow();
		expectScimError(() => parseFilter(terms(MAX_FILTER_TERMS + 1)), "invalidFilter", "comparisons");
	});
});

describe("parseAttrPath", () => {
	it.each<[string, AttrPath]>([
		["userName", { attr: "username" }],
		["name.givenName", { attr: "name", sub: "givenname" }],
		[`${ENTERPRISE}:department`, { schema: ENTERPRISE, attr: "department" }],
		[
			`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`,
			{ schema: ENTERPRISE, attr: "manager" },
		],
		[
			'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
			{
				attr: "members",
				valueFilter: { op: "eq", path: { attr: "value" }, value: "2819c223-7f76-453a-919d-413861904646" },
			},
		],
		[
			'emails[type eq "work"].value',
			{ attr: "emails", sub: "value", valueFilter: { op: "eq", path: { attr: "type" }, value: "work" } },
		],
		[
			'addresses[type eq "work" and primary eq True].streetAddress',
			{
				attr: "addresses",
				sub: "streetaddress",
				valueFilter: {
					op: "and",
					left: { op: "eq", path: { attr: "type" }, value: "work" },
					right: { op: "eq", path: { attr: "primary" }, value: true },
				},
			},
		],
	])("%s", (text, expected) => {
		expect(parseAttrPath(text)).toEqual(expected);
	});

	it.each([
		["", "is not an attribute path"],
		["a b", "is not an attribute path"],
		["emails[", "is not closed"],
		["emails[]", "empty"],
		['emails[type eq "work"]value', "is not a sub-attribute"],
		['emails[type eq "work" "x"]', "unexpected text"],
		['emails[type eq "work"', "is not closed"],
		['name.givenName[type eq "x"]', "before"],
	])("refuses %j with invalidPath", (text, detail) => {
		const e = expectScimError(() => parseAttrPath(text), "invalidPath", detail);
		expect(e.message.startsWith("path: ")).toBe(true);
	});
});

describe("matchesFilter", () => {
	const user = {
		schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
		id: "U1",
		userName: "BJensen",
		externalId: "Ext-1",
		active: true,
		name: { givenName: "Barbara", familyName: "Jensen" },
		emails: [
			{ value: "bjensen@example.com", type: "work", primary: true },
			{ value: "babs@jensen.org", type: "home" },
		],
		meta: { created: "2011-08-01T18:29:49.793Z" },
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Tour Operations" },
	};
	const m = (text: string) => matchesFilter(user, parseFilter(text));

	it.each([
		['userName eq "bjensen"', true],
		['USERNAME eq "BJENSEN"', true],
		['userName ne "bjensen"', false],
		['externalId eq "ext-1"', false],
		['externalId eq "Ext-1"', true],
		['id eq "u1"', false],
		['name.familyName co "ens"', true],
		['userName sw "bj"', true],
		['userName ew "SEN"', true],
		["title pr", false],
		["title eq null", true],
		["name pr", true],
		['not (title pr) and userName eq "bjensen"', true],
		['title pr or name.givenName eq "barbara"', true],
		['emails[type eq "work" and value co "@example.com"]', true],
		['emails[type eq "home" and value co "@example.com"]', false],
		['emails[type eq "home"].value eq "babs@jensen.org"', true],
		['emails eq "babs@jensen.org"', true],
		['emails.type eq "home"', true],
		["active eq true", true],
		['active eq "True"', true],
		["active eq false", false],
		['meta.created gt "2011-08-01T11:29:49.000-07:00"', true],
		['meta.created lt "2011-08-01T18:29:49.7931234Z"', false],
		[`${ENTERPRISE}:department eq "tour operations"`, true],
		['department eq "Tour Operations"', false],
		['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen"', true],
		["nosuch ne 1", true],
	])("%s -> %s", (text, expected) => {
		expect(m(text)).toBe(expected);
	});

	it("evaluates a PATCH value filter against one element", () => {
		const f = parseAttrPath('members[value eq "U2"]').valueFilter as ScimFilter;
		expect(matchesFilter({ value: "U2", display: "x" }, f)).toBe(true);
		expect(matchesFilter({ value: "U3" }, f)).toBe(false);
	});
});

// ---------------------------------------------------------------- properties

const name = fc.constantFrom("username", "emails", "name", "title", "x-y", "a_1", "value", "$ref", "meta");
const schema = fc.constantFrom(
	undefined,
	"urn:ietf:params:scim:schemas:core:2.0:user",
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:user",
);
const value: fc.Arbitrary<ScimValue> = fc.oneof(
	fc.string({ maxLength: 12 }),
	fc.integer(),
	fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
	fc.boolean(),
	fc.constant(null),
);
const op = fc.constantFrom("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le" as const);

function filterArb(allowValuePaths: boolean): fc.Arbitrary<ScimFilter> {
	return fc.letrec<{ f: ScimFilter }>((tie) => {
		const simplePath = fc
			.record({ schema, attr: name, sub: fc.option(name, { nil: undefined }) }, { requiredKeys: ["attr"] })
			.map((p) => {
				const out: AttrPath = { attr: p.attr };
				if (p.schema) out.schema = p.schema;
				if (p.sub) out.sub = p.sub;
				return out;
			});
		const leaves: fc.Arbitrary<ScimFilter>[] = [
			fc.record({ op, path: simplePath, value }) as fc.Arbitrary<ScimFilter>,
			simplePath.map((path): ScimFilter => ({ op: "pr", path })),
		];
		if (allowValuePaths) {
			const inner = filterArb(false);
			leaves.push(
				fc.record({ attr: name, valueFilter: inner }).map((p): ScimFilter => ({ op: "pr", path: p })),
				fc.record({ attr: name, valueFilter: inner, sub: name, op, value }).map(
					(p): ScimFilter => ({
						op: p.op,
						path: { attr: p.attr, valueFilter: p.valueFilter, sub: p.sub },
						value: p.value,
					}),
				),
			);
		}
		return {
			f: fc.oneof(
				{ depthSize: "small", maxDepth: 3 },
				...leaves,
				fc.record({ op: fc.constantFrom("and" as const, "or" as const), left: tie("f"), right: tie("f") }),
				tie("f").map((filter): ScimFilter => ({ op: "not", filter })),
			),
		};
	}).f;
}

function terms(f: ScimFilter): number {
	switch (f.op) {
		case "and":
		case "or":
			return terms(f.left) + terms(f.right);
		case "not":
			return terms(f.filter);
		default:
			return 1 + (f.path.valueFilter ? terms(f.path.valueFilter) : 0);
	}
}

/** Random case and spacing: the same filter as a client might spell it. */
function respell(text: string, seed: number): string {
	let n = seed;
	const flip = () => {
		n = (n * 1103515245 + 12345) & 0x7fffffff;
		return n % 2 === 0;
	};
	// Only outside string literals: names, operators and keywords are case-insensitive.
	const word = (w: string) =>
		/^-?\d/.test(w) ? w : [...w].map((c) => (flip() ? c.toUpperCase() : c)).join("");
	return text.replace(/"(?:[^"\\]|\\.)*"|[^"]+/g, (part) =>
		part.startsWith('"') ? part : part.replace(/[^\s()[\]]+/g, word).replaceAll(" ", flip() ? "  " : " "),
	);
}

describe("filter properties", () => {
	it("parsing any text throws nothing but a 400 invalidFilter ScimError", () => {
		const alphabet = fc.constantFrom(..."abc eqorandnotpr()[]\"'.:\\ 1-_$urn".split(""));
		fc.assert(
			fc.property(
				fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: alphabet, maxLength: 60 })),
				(text) => {
					try {
						parseFilter(text);
					} catch (error) {
						expect(error).toBeInstanceOf(ScimError);
						expect((error as ScimError).status).toBe(400);
						expect((error as ScimError).scimType).toBe("invalidFilter");
					}
				},
			),
			{ numRuns: 2000 },
		);
	});

	it("parsing any path throws nothing but a 400 invalidPath ScimError", () => {
		const alphabet = fc.constantFrom(...'abc eq[]."valuetype:urn1'.split(""));
		fc.assert(
			fc.property(fc.string({ unit: alphabet, maxLength: 40 }), (text) => {
				try {
					parseAttrPath(text);
				} catch (error) {
					expect(error).toBeInstanceOf(ScimError);
					expect((error as ScimError).scimType).toBe("invalidPath");
				}
			}),
			{ numRuns: 1000 },
		);
	});

	it("printing then parsing gives the same tree, however the text is cased and spaced", () => {
		fc.assert(
			fc.property(
				filterArb(true).filter((f) => terms(f) <= MAX_FILTER_TERMS),
				fc.integer({ min: 0, max: 1_000_000 }),
				(f, seed) => {
					const text = printFilter(f);
					expect(parseFilter(text)).toEqual(f);
					expect(parseFilter(respell(text, seed))).toEqual(f);
				},
			),
			{ numRuns: 500 },
		);
	});

	it("evaluating a parsed filter never throws", () => {
		const resource = {
			username: "a",
			emails: [{ value: "x", type: "work" }],
			name: { givenname: "b" },
			title: null,
		};
		fc.assert(
			fc.property(filterArb(true), (f) => {
				expect(typeof matchesFilter(resource, f)).toBe("boolean");
			}),
			{ numRuns: 300 },
		);
	});
});
