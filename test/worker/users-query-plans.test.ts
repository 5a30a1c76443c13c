// Query plans of the Descope dialect's user reads: a filter that names users must drive the
// query through an index (primary key, login ids, attributes, trigram text), never a scan of
// the project. SQLite has no statistics in D1, so this pins the plans the code asks for.
import { env } from "cloudflare:workers";
import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { insertUsersStatements, usersByIdsQuery } from "../../src/domain/users/users.repo";
import { searchQueries, type UserSearch } from "../../src/domain/users/users.search";

const dialect = new SQLiteSyncDialect();
const P = `P${"0".repeat(27)}`;

async function plan(query: SQL): Promise<string[]> {
	const { sql, params } = dialect.sqlToQuery(query);
	const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
		.bind(...params)
		.all<{ detail: string }>();
	return rows.results.map((r) => r.detail);
}

/** How the outer query reads `users u` (its first step). */
const outerAccess = (lines: string[]) =>
	lines.find((l) => / u /.test(l) || l.startsWith("SEARCH u") || l.startsWith("SCAN u"));
const BY_KEY = /^SEARCH u USING (INDEX sqlite_autoindex_users_1 \(id=\?\)|INTEGER PRIMARY KEY \(rowid=\?\))/;

describe("user search plans", () => {
	it.each<[string, UserSearch, RegExp]>([
		["emails", { emails: ["a@x.com"] }, /users_project_email_key_uq \(project_id=\? AND email_key=\?\)/],
		["phones", { phones: ["+14155550100"] }, /users_project_phone_uq \(project_id=\? AND phone=\?\)/],
		["loginIds", { loginIds: ["a"] }, /user_login_ids_1 \(project_id=\? AND login_id_lower=\?\)/],
		["userIds", { userIds: ["U1"] }, /json_each/],
		[
			"customAttributes",
			{ customAttributes: { dept: "d1" } },
			/user_attribute_values_lookup_idx \(project_id=\? AND name=\? AND value=\?\)/,
		],
		["text", { text: "alice" }, /users_fts VIRTUAL TABLE/],
		["tenantIds", { tenantIds: ["t1"] }, /user_tenants_tenant_idx \(project_id=\? AND tenant_id=\?\)/],
		["roleNames", { roleNames: ["admin"] }, /roles_scope_name_uq|user_roles_role_idx/],
		["ssoAppIds", { ssoAppIds: ["app"] }, /user_sso_apps_app_idx \(project_id=\? AND app_id=\?\)/],
	])("%s: page and count seek by key", async (_name, query, filterIndex) => {
		const { page, count } = searchQueries(P, query);
		for (const lines of [await plan(page), await plan(count)]) {
			expect(outerAccess(lines), lines.join("\n")).toMatch(BY_KEY);
			expect(lines.join("\n")).toMatch(filterIndex);
			expect(
				lines.some((l) => l.startsWith("SCAN u ")),
				lines.join("\n"),
			).toBe(false);
		}
	});

	it("an unfiltered page walks the project's index in order", async () => {
		const lines = await plan(searchQueries(P, {}).page);
		expect(outerAccess(lines)).toMatch(
			/SEARCH u USING INDEX users_project_test_idx \(project_id=\? AND test=\?\)/,
		);
	});
});

describe("id-list statements", () => {
	it("load many seeks each id", async () => {
		const lines = await plan(usersByIdsQuery(P, ["U1", "U2"]));
		expect(outerAccess(lines), lines.join("\n")).toMatch(BY_KEY);
	});

	it("batch insert statements never scan users", async () => {
		const row = {
			id: "U1",
			loginIds: ["a"],
			name: null,
			givenName: null,
			middleName: null,
			familyName: null,
			email: null,
			phone: null,
			verifiedEmail: false,
			verifiedPhone: false,
			picture: null,
			status: "invited" as const,
			test: false,
			customAttributes: {},
			createdAt: 1,
			modifiedAt: 1,
		};
		for (const statement of insertUsersStatements(P, [row])) {
			const lines = await plan(statement);
			expect(
				lines.filter((l) => l.startsWith("SCAN ") && !/VIRTUAL TABLE/.test(l)),
				lines.join("\n"),
			).toEqual([]);
		}
	});
});
