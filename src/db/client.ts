import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = DrizzleD1Database<typeof schema>;

/**
 * What repos run statements on: the binding, or a D1 Sessions API session over it (a request's;
 * docs/performance.md, "Read replication"). Only `prepare` and `batch` are common to both.
 */
export type D1Handle = D1Database | D1DatabaseSession;

/** Sum of D1's own `meta.rows_read` over one request (reported by the bench header). */
export class D1Stats {
	rowsRead = 0;
	rowsWritten = 0;
	roundTrips = 0;
	add(meta: { rows_read?: number; rows_written?: number } | undefined) {
		this.rowsRead += meta?.rows_read ?? 0;
		this.rowsWritten += meta?.rows_written ?? 0;
	}
}

class CountingStatement {
	constructor(
		readonly inner: D1PreparedStatement,
		private readonly stats: D1Stats,
	) {}
	bind(...values: unknown[]) {
		return new CountingStatement(this.inner.bind(...values), this.stats);
	}
	async all<T>() {
		this.stats.roundTrips++;
		const result = await this.inner.all<T>();
		this.stats.add(result.meta);
		return result;
	}
	async run<T>() {
		this.stats.roundTrips++;
		const result = await this.inner.run<T>();
		this.stats.add(result.meta);
		return result;
	}
	// raw() and first() carry no meta: counted as round trips only.
	raw<T>(options?: { columnNames?: false }) {
		this.stats.roundTrips++;
		return this.inner.raw<T>(options);
	}
	first<T>(column?: string) {
		this.stats.roundTrips++;
		return column === undefined ? this.inner.first<T>() : this.inner.first<T>(column);
	}
}

/** The handle's session bookmark (null for the bare binding or before the first statement). */
const bookmarkOf = (d1: D1Handle) => ("getBookmark" in d1 ? d1.getBookmark() : null);

/** Wraps a D1 handle so every statement's `meta` is added to `stats`. */
export function instrumentD1(d1: D1Handle, stats: D1Stats): D1DatabaseSession {
	return {
		prepare: (query: string) => new CountingStatement(d1.prepare(query), stats),
		batch: async (statements: CountingStatement[]) => {
			stats.roundTrips++;
			const results = await d1.batch(statements.map((s) => s.inner));
			for (const r of results) stats.add(r.meta);
			return results;
		},
		getBookmark: () => bookmarkOf(d1),
	} as unknown as D1DatabaseSession;
}

// drizzle's d1 driver is typed for D1Database but calls only prepare() and batch(), which a
// session has too: the one cast from a session to the binding's type.
export const createDb = (d1: D1Handle): Db => drizzle(d1 as D1Database, { schema });

/** Decides, before it is prepared, whether a statement may run; returns the error to throw instead. */
export type StatementCheck = (query: string) => Error | null;

/**
 * Wraps the D1 binding so every statement passes `check` when it is prepared: before anything of
 * it (or of the batch it is built for) is sent, and outside drizzle's query-error wrapping, so the
 * caller sees the check's own error. Like a session, the wrapper has no `exec` or `dump` to get around it.
 */
export function guardD1(d1: D1Handle, check: StatementCheck): D1DatabaseSession {
	const refuse = (query: string) => {
		const error = check(query);
		if (error) throw error;
	};
	return {
		prepare: (query: string) => {
			refuse(query);
			return d1.prepare(query);
		},
		batch: (statements: D1PreparedStatement[]) => d1.batch(statements),
		getBookmark: () => bookmarkOf(d1),
	} as unknown as D1DatabaseSession;
}

const WRITE_WORD =
	/\b(insert|update|delete|replace|upsert|create|drop|alter|attach|detach|pragma|vacuum|reindex)\b/i;

/**
 * Whether a statement only reads: SELECT, EXPLAIN, or WITH … SELECT (SQLite allows WITH before
 * INSERT/UPDATE/DELETE, so a WITH must name none of the writing keywords).
 */
export function isReadStatement(query: string): boolean {
	const text = query.replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)+/, "").replace(/^\(+\s*/, "");
	const first = /^[a-z]+/i.exec(text)?.[0]?.toLowerCase();
	if (first === "select" || first === "values") return true;
	if (first === "with" || first === "explain") return !WRITE_WORD.test(text);
	return false;
}
