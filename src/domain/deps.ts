import type { Db } from "../db/client";

/** What services need from the platform, built once per request. */
export interface Deps {
	db: Db;
	/** The D1 binding (instrumented when stats are exposed), for raw-SQL repos. */
	d1: D1Database;
	kv: KVNamespace;
	env: Env;
	now: () => number;
	waitUntil: (promise: Promise<unknown>) => void;
}
