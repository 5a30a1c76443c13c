// Retention (docs/audit.md): entries older than their project's `activity_retention_days` are
// deleted by the scheduled handler, in chunks of a bounded size and a bounded number per run, so a
// run costs what it deletes (plus one index probe per project) however long the log is.
import { sql } from "drizzle-orm";
import { prepare } from "../../db/sql";

export const RETENTION_CHUNK = 1000;
export const RETENTION_STATEMENTS_PER_RUN = 10;
const DAY_MS = 86_400_000;

/**
 * One chunk: each project's entries older than its cutoff, found through `(project_id, at)`. A walk
 * of `change_log_at_idx` from the oldest entry would re-read, on every run, the old entries that
 * projects with a longer retention keep; this reads only entries it deletes. CROSS JOIN keeps
 * `projects` the outer loop (SQLite does not reorder it).
 */
export const retentionChunk = (now: number, chunk: number) =>
	sql`DELETE FROM change_log WHERE seq IN (
		SELECT c.seq FROM projects p CROSS JOIN change_log c
		WHERE c.project_id = p.id AND c.at < ${now} - p.activity_retention_days * ${DAY_MS}
		LIMIT ${chunk})`;

export interface RetentionRun {
	deleted: number;
	statements: number;
}

/** Deletes expired entries: at most `statements` chunks of `chunk` rows, each its own statement. */
export async function enforceRetention(
	d1: D1Database,
	now: number,
	{ chunk = RETENTION_CHUNK, statements = RETENTION_STATEMENTS_PER_RUN } = {},
): Promise<RetentionRun> {
	const run: RetentionRun = { deleted: 0, statements: 0 };
	while (run.statements < statements) {
		const result = await prepare(d1, retentionChunk(now, chunk)).run();
		run.statements++;
		const deleted = result.meta.changes ?? 0;
		run.deleted += deleted;
		if (deleted < chunk) break;
	}
	return run;
}
