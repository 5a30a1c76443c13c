// Reads cost their page at any size (docs/architecture.md): every v4 index page and filter is read through an index, and a
// cursor seeks into it. Pinned with EXPLAIN QUERY PLAN on the statements the repo builds.
import { env } from "cloudflare:workers";
import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { countQuery, type PageRequest, pageQuery } from "../../src/domain/users/users.list";

const dialect = new SQLiteSyncDialect();
const P = "P000000000000000000000000000";

async function plan(query: SQL): Promise<string[]> {
	const { sql, params } = dialect.sqlToQuery(query);
	const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
		.bind(...params)
		.all<{ detail: string }>();
	return results.map((r) => r.detail);
}

/** The plan lines that read the users table itself (not the per-user subqueries). */
const usersAccess = (lines: string[]) => lines.filter((l) => /^(SEARCH|SCAN) u\b/.test(l));

const page = (over: Partial<PageRequest>): PageRequest => ({
	filter: {},
	sort: [{ field: "created", desc: false }],
	limit: 51,
	...over,
});

describe("GET /users query plans", () => {
	it.each<[string, Partial<PageRequest>, RegExp[]]>([
		["the default page", {}, [/users_project_created_idx \(project_id=\?\)/]],
		[
			"a created cursor",
			{ cursor: { values: [1], id: "U1", backwards: false } },
			[/users_project_created_idx \(project_id=\? AND created_at>\?\)/],
		],
		[
			"a name cursor",
			{ sort: [{ field: "name", desc: false }], cursor: { values: ["m"], id: "U1", backwards: false } },
			[/users_project_name_idx \(project_id=\? AND name>\?\)/],
		],
		[
			"a descending registration_time cursor (then the unregistered)",
			{
				sort: [{ field: "registration_time", desc: true }],
				cursor: { values: [5], id: "U1", backwards: false },
			},
			[
				/users_project_registration_idx \(project_id=\? AND registration_time<\?\)/,
				/users_project_registration_idx \(project_id=\? AND registration_time=\?\)/,
			],
		],
		[
			"an email sort cursor",
			{
				sort: [{ field: "email", desc: false }],
				cursor: { values: ["m@x.com"], id: "U1", backwards: false },
			},
			[/users_project_email_sort_idx \(project_id=\? AND <expr>>\?\)/],
		],
		[
			"filter[email]",
			{ filter: { emails: ["a@example.com"] } },
			[/users_project_email_key_uq \(project_id=\? AND email_key=\?\)/],
		],
		["filter[external_id]", { filter: { externalIds: ["c-1"] } }, [/users_project_external_id_uq/]],
		[
			"filter[registration_state]",
			{ filter: { statuses: ["invited"] } },
			[/users_project_status_idx \(project_id=\? AND status=\?\)/],
		],
		[
			"filter[user_flags]",
			{ filter: { flags: ["BETA_FEATURES_ENABLED"] } },
			[/sqlite_autoindex_users_1 \(id=\?\)/],
		],
		["filter[name]", { filter: { nameContains: "love" } }, [/INTEGER PRIMARY KEY \(rowid=\?\)/]],
	])("%s", async (_name, request, expected) => {
		const lines = await plan(pageQuery(P, page(request)));
		const access = usersAccess(lines);
		expect(
			access.every((l) => l.startsWith("SEARCH")),
			lines.join("\n"),
		).toBe(true);
		for (const [i, pattern] of expected.entries()) expect(access[i], lines.join("\n")).toMatch(pattern);
	});

	it("the flag and name filters read their own index", async () => {
		const flags = await plan(pageQuery(P, page({ filter: { flags: ["BETA_FEATURES_ENABLED"] } })));
		expect(flags.join("\n")).toMatch(
			/SEARCH user_flag_values USING COVERING INDEX \S+ \(project_id=\? AND flag=\?\)/,
		);
		const name = await plan(pageQuery(P, page({ filter: { nameContains: "love" } })));
		expect(name.join("\n")).toMatch(/users_fts VIRTUAL TABLE/);
	});

	it("meta.total counts through an index", async () => {
		const lines = await plan(countQuery(P, { statuses: ["invited"] }));
		expect(usersAccess(lines)).toEqual([expect.stringMatching(/COVERING INDEX users_project_status_idx/)]);
	});
});
