// Single-use federation grants (docs/federation.md, "The flow"): the `state` of a started sign-in and
// the one-time `code` the application exchanges. Stored by the SHA-256 of the value, never the value;
// consumed by one DELETE … RETURNING, so two requests racing for one grant cannot both win.
import { sql } from "drizzle-orm";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { commit } from "../commit";
import type { Deps } from "../deps";

/** Between start and the provider's callback: long enough to sign in at the provider. */
export const STATE_TTL_MS = 10 * 60 * 1000;
/** Between the callback and the application's exchange: a redirect and one call. */
export const CODE_TTL_MS = 2 * 60 * 1000;

export type GrantKind = "state" | "code";

/** What a state grant holds: everything the callback needs, nothing the browser may change. */
export interface StateGrant {
	flow: "sso" | "oauth";
	providerId: string;
	tenantId: string;
	redirectUrl: string;
	callbackUrl: string;
	verifier: string;
	nonce: string;
	loginOptions: Record<string, unknown>;
}

/** What a code grant holds: the user signed in and how. */
export interface CodeGrant {
	flow: "sso" | "oauth";
	providerId: string;
	tenantId: string;
	userId: string;
	loginId: string;
	firstSeen: boolean;
	customClaims?: Record<string, unknown>;
}

/** A new grant value and its hash; the value goes to the browser or the application, the hash to D1. */
export async function newGrantValue(kind: GrantKind) {
	const value = randomToken(32);
	return { value, hash: await sha256Hex(`${kind}:${value}`) };
}

/** Stores a grant under its hash. */
export const grantStatement = (
	hash: string,
	projectId: string,
	kind: GrantKind,
	data: StateGrant | CodeGrant,
	expiresAt: number,
) =>
	sql`INSERT INTO federation_grants (hash, project_id, kind, data, expires_at)
		VALUES (${hash}, ${projectId}, ${kind}, ${JSON.stringify(data)}, ${expiresAt})`;

/**
 * Takes a grant: deleted whatever its state, returned only when it is this project's, of this kind
 * and live. `projectExists` says whether a refusal has a project to be recorded in.
 */
export async function consumeGrant<T extends StateGrant | CodeGrant>(
	deps: Deps,
	projectId: string,
	kind: GrantKind,
	value: string,
): Promise<{ grant: T | null; projectExists: boolean }> {
	const hash = await sha256Hex(`${kind}:${value}`);
	const { results, reads } = await commit(deps, projectId, {
		statements: [
			sql`DELETE FROM federation_grants WHERE hash = ${hash} AND project_id = ${projectId} AND kind = ${kind}
				RETURNING data, expires_at`,
		],
		reads: [sql`SELECT id FROM projects WHERE id = ${projectId}`],
	});
	const row = results[0]?.[0];
	const projectExists = (reads[0]?.length ?? 0) > 0;
	if (!row || Number(row.expires_at) <= deps.now()) return { grant: null, projectExists };
	return { grant: JSON.parse(String(row.data)) as T, projectExists };
}

/** Removes the project's expired grants (run with a new grant's write; the expiry index serves it). */
export const sweepExpiredStatement = (projectId: string, now: number) =>
	sql`DELETE FROM federation_grants WHERE expires_at <= ${now} AND project_id = ${projectId}`;
