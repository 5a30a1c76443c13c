import { createMiddleware } from "hono/factory";
import { createDb, D1Stats, instrumentD1 } from "../db/client";
import type { AppEnv } from "./context";

/** Builds the services' dependencies once per request. */
export const depsMiddleware = createMiddleware<AppEnv>(async (c, next) => {
	const stats = (c.env.EXPOSE_D1_STATS as string) === "true" ? new D1Stats() : undefined;
	const d1 = stats ? instrumentD1(c.env.DB, stats) : c.env.DB;
	c.set("deps", {
		db: createDb(d1),
		d1,
		kv: c.env.KEY_CACHE,
		env: c.env,
		now: Date.now,
		waitUntil: (promise) => c.executionCtx.waitUntil(promise),
	});
	await next();
	if (stats) {
		c.header("x-roster-d1-rows-read", String(stats.rowsRead));
		c.header("x-roster-d1-rows-written", String(stats.rowsWritten));
		c.header("x-roster-d1-round-trips", String(stats.roundTrips));
	}
});
