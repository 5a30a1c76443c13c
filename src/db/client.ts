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
