import { sql } from "drizzle-orm";
import { check, integer, sqliteTable } from "drizzle-orm/sqlite-core";

// Never holds a row. A write whose precondition no longer holds (If-Match naming a version the row
// has left, docs/rest-v4.md) inserts into it inside its own batch; the CHECK fails, and D1 rolls the
// whole batch back: data, change rows and all (src/domain/commit.ts, `preconditions`).
export const writePreconditions = sqliteTable(
	"write_preconditions",
	{ failed: integer("failed").notNull() },
	(t) => [check("precondition_failed", sql`${t.failed} = 0`)],
);
