import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { DomainError } from "../domain/errors";
import type { D1Handle } from "./client";

// Raw-SQL statements (drizzle `sql` templates) run straight on D1. drizzle's own batch() only
// takes query builders when parameters are bound, and the user queries here are raw SQL.
const dialect = new SQLiteSyncDialect();

/** D1 binds at most 100 parameters per statement. */
export const MAX_PARAMS = 100;

export function prepare(d1: D1Handle, query: SQL): D1PreparedStatement {
	const { sql, params } = dialect.sqlToQuery(query);
	if (params.length > MAX_PARAMS) {
		// Lists travel as one JSON parameter, so only a request with very many separate filters gets here.
		throw new DomainError(
			"invalid_argument",
			"The request has too many filters or keys for one query; narrow it",
			"body",
		);
	}
	return d1.prepare(sql).bind(...params);
}

export async function all<T>(d1: D1Handle, query: SQL): Promise<T[]> {
	const { results } = await prepare(d1, query).all<T>();
	return results;
}

/** Runs the statements as one D1 batch: one round trip, one transaction. */
export async function batch(d1: D1Handle, queries: SQL[]): Promise<Record<string, unknown>[][]> {
	const results = await d1.batch(queries.map((q) => prepare(d1, q)));
	return results.map((r) => r.results as Record<string, unknown>[]);
}
