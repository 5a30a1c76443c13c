import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = DrizzleD1Database<typeof schema>;

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

/** Wraps the D1 binding so every statement's `meta` is added to `stats`. */
export function instrumentD1(d1: D1Database, stats: D1Stats): D1Database {
	return {
		prepare: (query: string) => new CountingStatement(d1.prepare(query), stats),
		batch: async (statements: CountingStatement[]) => {
			stats.roundTrips++;
			const results = await d1.batch(statements.map((s) => s.inner));
			for (const r of results) stats.add(r.meta);
			return results;
		},
		exec: (query: string) => d1.exec(query),
		dump: () => d1.dump(),
		withSession: (constraint?: string) => d1.withSession(constraint),
	} as unknown as D1Database;
}

export const createDb = (d1: D1Database): Db => drizzle(d1, { schema });

/** Decides, before it is prepared, whether a statement may run; returns the error to throw instead. */
export type StatementCheck = (query: string) => Error | null;

/**
 * Wraps the D1 binding so every statement passes `check` when it is prepared: before anything of
 * it (or of the batch it is built for) is sent, and outside drizzle's query-error wrapping, so the
 * caller sees the check's own error. `exec` and `dump` are checked as statements that are not reads.
 */
export function guardD1(d1: D1Database, check: StatementCheck): D1Database {
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
		exec: async (query: string) => {
			refuse(`EXEC ${query}`);
			return d1.exec(query);
		},
		dump: async () => {
			refuse("DUMP");
			return d1.dump();
		},
		withSession: (constraint?: string) => guardD1(d1.withSession(constraint) as unknown as D1Database, check),
	} as unknown as D1Database;
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
