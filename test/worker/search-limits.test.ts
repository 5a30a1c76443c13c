// Free text and patterns in searches (docs/security.md): capped at MAX_SEARCH_TEXT with a 400
// naming the field, NUL refused, long names still found (D1 refuses LIKE patterns over 50
// bytes), and `__proto__` refused as an unknown attribute instead of being dropped.
import { env } from "cloudflare:workers";
import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { MAX_SEARCH_TEXT } from "../../src/domain/limits";
import { MAX_TRIGRAM_TERMS, searchQueries, trigramTerms } from "../../src/domain/users/users.search";
import { createUser, expectDescopeError, expectStatus, mgmt, newProject, rawPost, search } from "./harness";
import { createV4, expectErrors, V4, v4 } from "./v4-harness";

const SEARCH = "/v2/mgmt/user/search";
const ROLE_SEARCH = "/v1/mgmt/role/search";
const over = "a".repeat(MAX_SEARCH_TEXT + 1);
/** 256 characters, distinct enough that only the whole of it matches. */
const longName = Array.from({ length: 32 }, (_, i) => `Name${String(i).padStart(3, "0")}`)
	.join("")
	.slice(0, MAX_SEARCH_TEXT);
const v4Name = (text: string) => `${V4}/users?filter[name]=${encodeURIComponent(text)}`;

describe("search text caps", () => {
	it("refuses a Descope search text of 257 characters, naming text", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(await api.post(SEARCH, { text: over }), 400, "E011004", "text");
	});

	it("accepts a Descope search text of exactly 256 characters", async () => {
		const api = mgmt(await newProject());
		expect((await search(api, { text: "b".repeat(MAX_SEARCH_TEXT) })).total).toBe(0);
	});

	it("refuses a v4 filter[name] of 257 characters with source.parameter", async () => {
		const res = await v4(await newProject()).get(v4Name(over));
		expectErrors(res, 400, [{ status: "400", source: { parameter: "filter[name]" } }]);
	});

	it("refuses a role search roleNameLike of 257 characters, naming roleNameLike", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(await api.post(ROLE_SEARCH, { roleNameLike: over }), 400, "E011004", "roleNameLike");
	});

	it("asks the trigram index for a bounded number of distinct terms", () => {
		expect(trigramTerms("x".repeat(MAX_SEARCH_TEXT))).toEqual(["xxx"]);
		const terms = trigramTerms(longName);
		expect(terms.length).toBe(MAX_TRIGRAM_TERMS);
		expect(terms[0]).toBe(longName.slice(0, 3));
		expect(terms.at(-1)).toBe(longName.slice(-3));
	});

	it("reads a 256-character text through the trigram index, not a scan of users", async () => {
		const dialect = new SQLiteSyncDialect();
		const plan = async (query: SQL) => {
			const { sql, params } = dialect.sqlToQuery(query);
			const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
				.bind(...params)
				.all<{ detail: string }>();
			return rows.results.map((r) => r.detail).join("\n");
		};
		for (const text of [longName, "é".repeat(MAX_SEARCH_TEXT)]) {
			const { page, count } = searchQueries(`P${"0".repeat(27)}`, { text });
			for (const lines of [await plan(page), await plan(count)]) {
				expect(lines).toMatch(/users_fts VIRTUAL TABLE/);
				expect(lines).not.toMatch(/^SCAN u /m);
			}
		}
	});
});

describe("long names are searchable (no LIKE pattern limit)", () => {
	it("finds a 256-character name by v4 filter[name], whole and in part", async () => {
		const project = await newProject();
		const api = v4(project);
		const user = await createV4(api, { name: longName, contact_details: { email: "long@example.com" } });
		await createV4(api, { name: "someone else", contact_details: { email: "else@example.com" } });
		for (const text of [longName, longName.slice(100, 149), longName.slice(7, 57).toUpperCase()]) {
			const found = expectStatus(await api.get(v4Name(text)), 200);
			expect(
				found.data.map((u: any) => u.id),
				text,
			).toEqual([user.id]);
		}
	});

	it("finds a 256-character name by the Descope search text", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "long", name: longName });
		await createUser(api, { loginId: "other", name: "Other Person" });
		expect((await search(api, { text: longName })).loginIds).toEqual(["long"]);
		expect((await search(api, { text: longName.slice(30, 90).toLowerCase() })).loginIds).toEqual(["long"]);
		// Each of its trigrams is in the name, the text itself is not: not a match.
		expect((await search(api, { text: "Name000Name000" })).total).toBe(0);
	});

	it("matches other than ASCII text case-insensitively, as the trigram index folds it", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "zoe", name: "Zoë Ångström" });
		expect((await search(api, { text: "ÅNGSTRÖM" })).loginIds).toEqual(["zoe"]);
		expect((await search(api, { text: "zoë å" })).loginIds).toEqual(["zoe"]);
	});

	it("finds a 256-character role name by roleNameLike, whole and in part", async () => {
		const api = mgmt(await newProject());
		expectStatus(await api.post("/v1/mgmt/role/create", { name: longName }), 200);
		expectStatus(await api.post("/v1/mgmt/role/create", { name: "viewer" }), 200);
		for (const text of [longName, longName.slice(50, 100), longName.slice(0, 49).toUpperCase()]) {
			const roles = expectStatus(await api.post(ROLE_SEARCH, { roleNameLike: text }), 200).roles;
			expect(
				roles.map((r: any) => r.name),
				text,
			).toEqual([longName]);
		}
	});

	it("keeps % and _ literal in a long role pattern", async () => {
		const api = mgmt(await newProject());
		expectStatus(await api.post("/v1/mgmt/role/create", { name: `${"r".repeat(60)}_%` }), 200);
		expectStatus(await api.post("/v1/mgmt/role/create", { name: `${"r".repeat(60)}ab` }), 200);
		const roles = expectStatus(
			await api.post(ROLE_SEARCH, { roleNameLike: `${"r".repeat(55)}_%` }),
			200,
		).roles;
		expect(roles.map((r: any) => r.name)).toEqual([`${"r".repeat(60)}_%`]);
	});
});

// Decision: a NUL is refused (400), not matched. No name or identifier holds one, and SQLite's
// text functions would stop at it.
describe("NUL in search text", () => {
	it("refuses NUL in the Descope search text", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "alice", name: "Alice" });
		expectDescopeError(await api.post(SEARCH, { text: "ali\u0000ce" }), 400, "E011004", "text");
		expectDescopeError(await api.post(SEARCH, { text: "\u0000" }), 400, "E011004", "text");
	});

	it("refuses NUL in v4 filter[name]", async () => {
		const api = v4(await newProject());
		for (const text of ["ali\u0000ce", "\u0000", "a\u0000"]) {
			expectErrors(await api.get(v4Name(text)), 400, [{ source: { parameter: "filter[name]" } }]);
		}
	});

	it("refuses NUL in roleNameLike", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(await api.post(ROLE_SEARCH, { roleNameLike: "ad\u0000min" }), 400, "E011004");
	});
});

describe("__proto__ in a customAttributes filter", () => {
	it("refuses it in a user search instead of returning every user", async () => {
		const project = await newProject();
		const api = mgmt(project);
		await createUser(api, { loginId: "alice" });
		const res = await rawPost(project, SEARCH, '{"customAttributes":{"__proto__":"x"}}');
		expectDescopeError(res, 400, "E011004", "__proto__");
	});

	it("refuses it beside a real attribute, and as an object value", async () => {
		const project = await newProject();
		const body = '{"customAttributes":{"plan":"pro","__proto__":{"plan":"pro"}}}';
		expectDescopeError(await rawPost(project, SEARCH, body), 400, "E011004", "__proto__");
	});

	it("refuses it in a tenant search", async () => {
		const project = await newProject();
		const res = await rawPost(project, "/v1/mgmt/tenant/search", '{"customAttributes":{"__proto__":"x"}}');
		expectDescopeError(res, 400, "E011004", "__proto__");
	});
});
