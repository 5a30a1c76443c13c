// Query plans of webhook delivery: fan-out, the consumer's reads, the delivery log and the sweep reach
// their tables through indexes, never a scan of a table. D1 keeps no statistics, so this pins them.
import { env } from "cloudflare:workers";
import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as repo from "../../src/domain/webhooks/webhook-deliveries.repo";

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

/**
 * A full scan of a table: `SCAN <table>` without an index. `a` (the attempts of one delivery) and `p`
 * (the sweep's project ids) are subquery results, already read through an index.
 */
const tableScans = (lines: string[]) =>
	lines.filter(
		(l) => /^SCAN (?!json_each|j\b|a\b|p\b|\(|CONSTANT)/.test(l) && !/USING (COVERING )?INDEX/.test(l),
	);

describe("webhook query plans", () => {
	it.each<[string, SQL, RegExp]>([
		["enabled endpoints", repo.enabledEndpointsQuery(P), /webhook_endpoints_project_idx \(project_id=\?\)/],
		[
			"has enabled endpoint",
			repo.hasEnabledEndpointQuery(P),
			/webhook_endpoints_(enabled_idx \(enabled=\? AND project_id=\?\)|project_idx \(project_id=\?\))/,
		],
		[
			"change rows after cursor",
			repo.changeRowsAfterCursorQuery(P, 100),
			/change_log_project_seq_idx \(project_id=\? AND seq>\?\)/,
		],
		[
			"delivery to send",
			repo.deliveryToSendQuery(P, "msg_1"),
			/SEARCH d USING INDEX sqlite_autoindex_webhook_deliveries_1 \(id=\?\)/,
		],
		[
			"delivery log",
			repo.deliveriesPageQuery(P, "W1", 101, null, null),
			/webhook_deliveries_project_endpoint_created_idx \(project_id=\? AND endpoint_id=\?\)/,
		],
		[
			"delivery log, cursor and status",
			repo.deliveriesPageQuery(P, "W1", 101, { createdAt: NOW, id: "msg_1" }, "failed"),
			/webhook_deliveries_project_endpoint_created_idx \(project_id=\? AND endpoint_id=\?/,
		],
		["one delivery", repo.deliveryQuery(P, "W1", "msg_1"), /sqlite_autoindex_webhook_deliveries_1 \(id=\?\)/],
		[
			"replay range",
			repo.deliveriesInRangeQuery(P, "W1", NOW - 1000, NOW, 1001),
			/webhook_deliveries_project_endpoint_created_idx \(project_id=\? AND endpoint_id=\? AND created_at>\? AND created_at<\?\)/,
		],
		[
			"overdue deliveries",
			repo.overdueDeliveriesQuery(NOW, 500),
			/webhook_deliveries_pending_idx \(status=\? AND next_attempt_at<\?\)/,
		],
		["projects behind", repo.projectsBehindQuery(500), /change_log_project_seq_idx \(project_id=\?\)/],
	])("%s: no scan of a table", async (_name, query, index) => {
		const lines = await plan(query);
		expect(tableScans(lines), lines.join("\n")).toEqual([]);
		expect(lines.join("\n")).toMatch(index);
	});

	it("the attempt log of each delivery reads webhook_attempts by its primary key", async () => {
		const lines = await plan(repo.deliveriesPageQuery(P, "W1", 101, null, null));
		expect(lines.join("\n"), lines.join("\n")).toMatch(
			/SEARCH x USING (COVERING )?INDEX sqlite_autoindex_webhook_attempts_1 \(delivery_id=\?\)/,
		);
	});

	it("the sweep reads only enabled endpoints through their index, the outbox by primary key", async () => {
		const lines = (await plan(repo.projectsBehindQuery(500))).join("\n");
		expect(lines, lines).toMatch(
			/webhook_endpoints USING COVERING INDEX webhook_endpoints_enabled_idx \(enabled=\?\)/,
		);
		expect(lines, lines).toMatch(/SEARCH o USING INDEX sqlite_autoindex_webhook_outbox_1 \(project_id=\?\)/);
	});
});
