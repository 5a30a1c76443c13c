// Retention (docs/audit.md): entries, and sign-in history rows, older than their project's
// `activity_retention_days` are deleted by the scheduled handler, in chunks of a bounded size and a bounded number per run, so a
// run costs what it deletes (plus one index probe per project) however long the log is.
import { type SQL, sql } from "drizzle-orm";
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

/** The same for sign-in history (`login_history`), through `(project_id, at)`. */
export const historyRetentionChunk = (now: number, chunk: number) =>
	sql`DELETE FROM login_history WHERE id IN (
		SELECT h.id FROM projects p CROSS JOIN login_history h
		WHERE h.project_id = p.id AND h.at < ${now} - p.activity_retention_days * ${DAY_MS}
		LIMIT ${chunk})`;

export interface RetentionRun {
	deleted: number;
	statements: number;
}

/** Deletes expired entries: at most `statements` chunks of `chunk` rows, each its own statement. */
export const enforceRetention = (
	d1: D1Database,
	now: number,
	bounds: { chunk?: number; statements?: number } = {},
): Promise<RetentionRun> => deleteInChunks(d1, (chunk) => retentionChunk(now, chunk), bounds);

/** Deletes expired sign-in history the same way, with bounds of its own. */
export const enforceHistoryRetention = (
	d1: D1Database,
	now: number,
	bounds: { chunk?: number; statements?: number } = {},
): Promise<RetentionRun> => deleteInChunks(d1, (chunk) => historyRetentionChunk(now, chunk), bounds);

async function deleteInChunks(
	d1: D1Database,
	statement: (chunk: number) => SQL,
	{ chunk = RETENTION_CHUNK, statements = RETENTION_STATEMENTS_PER_RUN } = {},
): Promise<RetentionRun> {
	const run: RetentionRun = { deleted: 0, statements: 0 };
	while (run.statements < statements) {
		const result = await prepare(d1, statement(chunk)).run();
		run.statements++;
		const deleted = result.meta.changes ?? 0;
		run.deleted += deleted;
		if (deleted < chunk) break;
	}
	return run;
}
