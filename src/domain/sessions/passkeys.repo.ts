// Passkeys' SQL: the single-use ceremony challenges (insert, sweep, consume) and the stored
// passkeys (insert, list, look up, update the counter, delete). Every function takes the project id.
import type { WebAuthnCredential } from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { type SQL, sql } from "drizzle-orm";
import { loginIdOwner, selectUsers } from "../users/users.repo";

/** How long a started ceremony may be finished (the options' `timeout` too). */
export const CEREMONY_TTL_MS = 5 * 60 * 1000;
/** Expired challenges removed by each start, so abandoned ceremonies do not pile up. */
const SWEEP_LIMIT = 50;

export interface ChallengeRow {
	userId: string | null;
	challenge: string;
	rpId: string;
	origin: string;
	expiresAt: number;
}

export interface PasskeyRow {
	id: string;
	userId: string;
	publicKey: string;
	counter: number;
	transports: string;
	rpId: string;
}

export const transportsOf = (row: Record<string, unknown> | PasskeyRow): string[] =>
	JSON.parse(String(row.transports));

// ---------------------------------------------------------------- challenges

export const sweepStatement = (projectId: string, now: number) =>
	sql`DELETE FROM webauthn_challenges WHERE id IN (SELECT id FROM webauthn_challenges
		WHERE project_id = ${projectId} AND expires_at < ${now} LIMIT ${SWEEP_LIMIT})`;

export const insertChallenge = (
	projectId: string,
	row: { id: string; userId: string | null; kind: "register" | "authenticate"; challenge: string },
	at: { origin: string; rpId: string },
	now: number,
) =>
	sql`INSERT INTO webauthn_challenges (id, project_id, user_id, kind, challenge, rp_id, origin, expires_at)
		VALUES (${row.id}, ${projectId}, ${row.userId}, ${row.kind}, ${row.challenge}, ${at.rpId}, ${at.origin},
			${now + CEREMONY_TTL_MS})`;

/** Who holds the challenge: nobody (sign-up), a signed-in user (adding a passkey), either (sign-in). */
const challengeOwner = {
	none: () => sql`user_id IS NULL`,
	user: () => sql`user_id IS NOT NULL`,
	any: () => sql`1`,
};

/** Takes the challenge out: it is gone after this, whatever the outcome (single use). */
export const consumeChallenge = (
	projectId: string,
	id: string,
	kind: "register" | "authenticate",
	owner: keyof typeof challengeOwner,
) =>
	sql`DELETE FROM webauthn_challenges WHERE project_id = ${projectId} AND id = ${id} AND kind = ${kind}
		AND ${challengeOwner[owner]()}
		RETURNING user_id AS userId, challenge, rp_id AS rpId, origin, expires_at AS expiresAt`;

/** The user who started the ceremony, as a subquery. */
export const challengeUserId = (projectId: string, transactionId: string) =>
	sql`(SELECT user_id FROM webauthn_challenges WHERE project_id = ${projectId} AND id = ${transactionId})`;

// ---------------------------------------------------------------- passkeys

export const passkeysOfUserQuery = (projectId: string, userId: SQL | string) =>
	sql`SELECT id, rp_id AS rpId, transports, display_name AS displayName, created_at AS createdAt,
			last_used_at AS lastUsedAt
		FROM passkeys WHERE project_id = ${projectId} AND user_id = ${userId} ORDER BY created_at, id`;

export const passkeyQuery = (projectId: string, credentialId: string) =>
	sql`SELECT id, user_id AS userId, public_key AS publicKey, counter, transports, rp_id AS rpId
		FROM passkeys WHERE project_id = ${projectId} AND id = ${credentialId}`;

/** The user holding the passkey, as a subquery. */
export const passkeyUserId = (projectId: string, credentialId: string) =>
	sql`(SELECT user_id FROM passkeys WHERE project_id = ${projectId} AND id = ${credentialId})`;

export function insertPasskey(
	projectId: string,
	userId: string,
	credential: WebAuthnCredential,
	rpId: string,
	now: number,
) {
	return sql`INSERT INTO passkeys (id, project_id, user_id, public_key, counter, transports, rp_id, display_name, created_at)
		VALUES (${credential.id}, ${projectId}, ${userId}, ${isoBase64URL.fromBuffer(credential.publicKey)},
			${credential.counter}, ${JSON.stringify(credential.transports ?? [])}, ${rpId}, '', ${now})`;
}

export const updateCounter = (projectId: string, credentialId: string, newCounter: number, now: number) =>
	// max(): a concurrent sign-in with a higher counter is never rolled back.
	sql`UPDATE passkeys SET counter = max(counter, ${newCounter}), last_used_at = ${now}
		WHERE project_id = ${projectId} AND id = ${credentialId}`;

export const deletePasskey = (projectId: string, userId: SQL, credentialId: string) =>
	sql`DELETE FROM passkeys WHERE project_id = ${projectId} AND user_id = ${userId} AND id = ${credentialId} RETURNING id`;

export const deleteAllPasskeys = (projectId: string, userId: SQL) =>
	sql`DELETE FROM passkeys WHERE project_id = ${projectId} AND user_id = ${userId}`;

/** For `touchUser`: the user holds this passkey. */
export const holdsPasskey = (projectId: string, credentialId: string) =>
	sql`EXISTS (SELECT 1 FROM passkeys WHERE project_id = ${projectId} AND user_id = users.id AND id = ${credentialId})`;

/** For `touchUser`: the user holds any passkey. */
export const holdsAnyPasskey = (projectId: string) =>
	sql`EXISTS (SELECT 1 FROM passkeys WHERE project_id = ${projectId} AND user_id = users.id)`;

// ---------------------------------------------------------------- the users passkeys touch

/** The user a login id names (users.repo: a value in user-id shape names none). */
export const userIdByLoginId = loginIdOwner;

/** The user whose id the subquery yields (no row when it yields none). */
export const userQuery = (projectId: string, userId: SQL) =>
	selectUsers(sql`u.project_id = ${projectId} AND u.id = ${userId}`);

/** A passkey added or removed changes what the user object reports (`webauthn`). */
export const touchUser = (projectId: string, userId: SQL | string, now: number, only: SQL = sql`1`) =>
	sql`UPDATE users SET modified_at = ${now}, version = version + 1
		WHERE project_id = ${projectId} AND id = ${userId} AND ${only}`;
