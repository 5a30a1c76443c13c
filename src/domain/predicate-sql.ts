import { type SQL, sql } from "drizzle-orm";
import type { D1Handle } from "../db/client";
import { batch } from "../db/sql";
import { invalid } from "./errors";

// The SQL pieces the neutral queries share (users.query.ts, roles.query.ts): comparison operators,
// and/or/not over compiled predicates with their selectivity, the page bounds, and the one round
// trip that reads the exact total and the page.

export type QueryOp = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";

export interface Compiled {
	sql: SQL;
	/** Names few rows through an index: the page is read from it, not by walking the scope. */
	selective: boolean;
}

/** The greatest code point: `k <= x < k || MAX_CHAR` is "x starts with k" as an index range. */
export const MAX_CHAR = "\u{10FFFF}";

/** Deepest nesting of a predicate tree. */
export const MAX_PREDICATE_DEPTH = 64;

export const TRUE: Compiled = { sql: sql`1`, selective: false };
export const FALSE: Compiled = { sql: sql`0`, selective: true };

export function checkDepth(depth: number) {
	if (depth > MAX_PREDICATE_DEPTH) throw invalid("filter", "nested too deeply");
}

export function not(inner: Compiled): Compiled {
	// coalesce: a NULL column compares as NULL, and "not equal" must include it.
	return { sql: sql`NOT coalesce((${inner.sql}), 0)`, selective: false };
}

/** And: selective when one item is; or: when every item is. No items: true for and, false for or. */
export function junction(kind: "and" | "or", items: Compiled[]): Compiled {
	if (items.length === 0) return kind === "and" ? TRUE : FALSE;
	return {
		sql: sql`(${sql.join(
			items.map((i) => i.sql),
			kind === "and" ? sql` AND ` : sql` OR `,
		)})`,
		selective: kind === "and" ? items.some((i) => i.selective) : items.every((i) => i.selective),
	};
}

/** `left op right`. Where a column may be NULL and "ne" must match it, compile not(eq) instead. */
export function compare(op: QueryOp, left: SQL, right: SQL): SQL {
	switch (op) {
		case "ne":
			return sql`${left} != ${right}`;
		case "gt":
			return sql`${left} > ${right}`;
		case "ge":
			return sql`${left} >= ${right}`;
		case "lt":
			return sql`${left} < ${right}`;
		case "le":
			return sql`${left} <= ${right}`;
		case "co":
			return sql`instr(${left}, ${right}) > 0`;
		case "sw":
			return sql`substr(${left}, 1, length(${right})) = ${right}`;
		case "ew":
			// substr from before the start gives the whole text, which equals the suffix only if it is it.
			return sql`substr(${left}, -length(${right})) = ${right}`;
		default:
			return sql`${left} = ${right}`;
	}
}

/** A text column that is set and not empty (the `pr` operator). */
export const textPresent = (column: SQL) => sql`(${column} IS NOT NULL AND ${column} != '')`;

/** Refuses a page size or offset out of bounds, naming the query's `count` / `startIndex`. */
export function checkPage(q: { limit: number; offset: number }, maxLimit: number, maxOffset: number) {
	if (!Number.isInteger(q.limit) || q.limit < 0 || q.limit > maxLimit) {
		throw invalid("count", `must be a whole number from 0 to ${maxLimit}`);
	}
	if (!Number.isInteger(q.offset) || q.offset < 0 || q.offset > maxOffset) {
		throw invalid("startIndex", `must be a whole number within the first ${maxOffset} results`);
	}
}

/** An ORDER BY term of a requested sort: NULLs sort as the smallest value either way. */
export const sortTerm = (expression: string, desc: boolean) =>
	`${expression} ${desc ? "DESC NULLS FIRST" : "ASC NULLS LAST"}`;

/** One round trip: the exact total and (unless the page is empty) the page's rows. */
export async function totalAndPage(
	d1: D1Handle,
	statements: { page: SQL; count: SQL },
	limit: number,
): Promise<{ total: number; rows: Record<string, unknown>[] }> {
	const { page, count } = statements;
	const [counted, rows] = await batch(d1, limit === 0 ? [count] : [count, page]);
	return { total: Number(counted?.[0]?.total ?? 0), rows: rows ?? [] };
}
