// Query plans of the activity history reads: every filter and the cursor reach change_log through
// an index, never a scan of the table. SQLite has no statistics in D1, so this pins the plans.
import { env } from "cloudflare:workers";
import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { retentionChunk } from "../../src/domain/activity/activity.retention";
import { type ActivitySearch, searchQuery } from "../../src/domain/activity/activity.search";

const dialect = new SQLiteSyncDialect();
const P = `P${"0".repeat(27)}`;
const NOW = 1_800_000_000_000;

async function plan(query: SQL): Promise<string[]> {
	const { sql, params } = dialect.sqlToQuery(query);
	const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
		.bind(...params)
		.all<{ detail: string }>();
	return rows.results.map((r) => r.detail);
}

const scansLog = (lines: string[]) => lines.filter((l) => /^SCAN (change_log|c|s|f|t)\b/.test(l));

describe("activity search plans", () => {
	it.each<[string, ActivitySearch, RegExp]>([
		["no filter", {}, /change_log_project_seq_idx \(project_id=\? AND seq>\?\)/],
		[
			"userIds",
			{ userIds: ["U1", "U2"] },
			/change_log_project_user_idx \(project_id=\? AND user_id=\? AND seq>\?\)/,
		],
		["loginIds", { loginIds: ["a@x.com"] }, /change_log_project_login_idx \(project_id=\? AND login_id=\?/],
		["targetIds", { targetIds: ["T1"] }, /change_log_project_target_idx \(project_id=\? AND target_id=\?/],
		["actorIds", { actorIds: ["K1"] }, /change_log_project_actor_idx \(project_id=\? AND actor_id=\?/],
		["tenantIds", { tenantIds: ["t1"] }, /change_log_project_tenant_idx \(project_id=\? AND tenant_id=\?/],
		["actions", { actions: ["user.created"] }, /change_log_project_action_idx \(project_id=\? AND action=\?/],
		[
			"noTenant",
			{ noTenant: true },
			/change_log_project_tenant_idx \(project_id=\? AND tenant_id=\? AND seq>\?\)/,
		],
		["excludedActions", { excludedActions: ["user.created"] }, /change_log_project_seq_idx/],
		["from", { from: NOW - 1000 }, /change_log_project_at_idx \(project_id=\? AND at>\?\)/],
		["to", { to: NOW - 1000 }, /change_log_project_at_idx \(project_id=\? AND at<\?\)/],
		["cursor", { cursor: "12345" }, /change_log_project_seq_idx \(project_id=\? AND seq>\? AND seq<\?\)/],
		[
			"userIds + cursor + to",
			{ userIds: ["U1"], cursor: "99", to: NOW },
			/change_log_project_user_idx \(project_id=\? AND user_id=\? AND seq>\? AND seq<\?\)/,
		],
		["results", { results: ["failure"] }, /change_log_project_seq_idx/],
		["dialects", { dialects: ["v4"] }, /change_log_project_seq_idx/],
		["devices", { devices: ["Bot"] }, /change_log_project_seq_idx/],
		["methods", { methods: ["password"] }, /change_log_project_seq_idx/],
		["countries", { countries: ["US"] }, /change_log_project_seq_idx/],
		["ips", { ips: ["1.2.3.4"] }, /change_log_project_seq_idx/],
		["text", { text: "alice" }, /change_log_project_seq_idx/],
		["tenant-bound key", {}, /change_log_project_seq_idx/],
	])("%s: no scan of change_log", async (name, query, index) => {
		const scope = name === "tenant-bound key" ? ["t1"] : null;
		const lines = await plan(searchQuery(P, query, NOW, scope));
		const text = lines.join("\n");
		expect(text).toMatch(index);
		expect(scansLog(lines), text).toEqual([]);
	});
});

describe("retention plan", () => {
	it("each project's expired entries come from (project_id, at)", async () => {
		const lines = await plan(retentionChunk(NOW, 1000));
		const text = lines.join("\n");
		expect(text).toMatch(
			/SEARCH c USING COVERING INDEX change_log_project_at_idx \(project_id=\? AND at<\?\)/,
		);
		expect(scansLog(lines), text).toEqual([]);
	});
});
