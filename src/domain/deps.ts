import type { D1Handle, Db } from "../db/client";
import type { Actor, RequestContext } from "./activity/actions";

/** What services need from the platform, built once per request. */
export interface Deps {
	db: Db;
	/** The request's D1 session (instrumented when stats are exposed), for raw-SQL repos. */
	d1: D1Handle;
	kv: KVNamespace;
	env: Env;
	now: () => number;
	waitUntil: (promise: Promise<unknown>) => void;
	/** Who acts: stamped on every change row the request commits (src/domain/commit.ts). */
	actor?: Actor;
	/** Where the request came from and through which dialect; stamped on every change row. */
	request?: RequestContext;
	/** The authenticated management key's scope; absent for end-user and operator requests. */
	scope?: KeyScope;
}

/** What a management key may see and change (docs/security.md). */
export interface KeyScope {
	keyId: string;
	/** Any write is refused (403). */
	readOnly: boolean;
	/** Non-empty: only these tenants, their roles and their members. */
	tenantIds: string[];
}
