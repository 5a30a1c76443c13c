// The one rule for identifiers (login ids, emails, and every value compared with them), applied
// by every dialect and by sign-in alike: docs/security.md, "Identifiers".
import { type SQL, sql } from "drizzle-orm";
import { all, batch } from "../../db/sql";
import { commit } from "../commit";
import type { Deps } from "../deps";
import { invalid } from "../errors";

/**
 * Control (Cc), format (Cf: zero-width, bidi controls, BOM, soft hyphen…), line and paragraph
 * separators, lone surrogates, and every other default-ignorable code point (combining grapheme
 * joiner, variation selectors, Hangul fillers…): characters that change no glyph.
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;

const USER_ID_SHAPE = /^u[0-9a-z]{27}$/i;

/**
 * Whether the value, once normalised, has the shape of a user id ("U" and 27 letters or digits,
 * any case, fullwidth or not). Such a value is always a user id, never a login id.
 */
export function isUserIdShaped(value: string): boolean {
	const trimmed = value.trim();
	// NFKC can turn at most two UTF-16 units into one ASCII letter (mathematical alphanumerics).
	if (trimmed.length < 28 || trimmed.length > 56) return false;
	return USER_ID_SHAPE.test(trimmed.normalize("NFKC").trim());
}

/** The user id a user-id-shaped reference names (as given, once normalised: ids are case-sensitive). */
export const asUserId = (value: string) => value.trim().normalize("NFKC").trim();

/** NFKC first (so fullwidth letters and spaces become ASCII), then trimmed. */
export const storedIdentifier = (value: string) => value.normalize("NFKC").trim();

/** A message when the (stored) identifier holds a control, zero-width or bidi-control character. */
export function identifierCharacterProblem(value: string): string | null {
	const bad = FORBIDDEN.exec(value);
	if (!bad) return null;
	const code = (bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
	return `contains U+${code}, a control, zero-width or bidirectional formatting character, which identifiers may not contain`;
}

/** The stored form of an identifier (storedIdentifier); a forbidden character is a 400 naming the field. */
export function normalizeIdentifier(value: string, field: string): string {
	const normalized = storedIdentifier(value);
	const problem = identifierCharacterProblem(normalized);
	if (problem) throw invalid(field, problem);
	return normalized;
}

/**
 * The comparison key: two identifiers are the same identity when their keys are equal. NFKC, then
 * full case folding, approximated as toUpperCase().toLowerCase() (ß and "SS" fold to "ss"; the
 * Kelvin sign is already "K" after NFKC), then NFKC again since case mapping can denormalise.
 * JS's toLowerCase() alone is simple folding ("ß" stays "ß"); the round trip through upper case
 * also folds a few pairs that case folding keeps apart (dotless ı like i), which only makes more
 * look-alikes collide.
 */
export const identifierKey = (value: string) =>
	value.normalize("NFKC").trim().toUpperCase().toLowerCase().normalize("NFKC");

// ---------------------------------------------------------------- login ids that predate the rule

export interface LoginIdConflict {
	loginId: string;
	userId: string;
	foundAt: number;
}

/** Login ids in user-id shape found by migration 0008: they stay on their user but address nothing. */
export async function listLoginIdConflicts(deps: Deps, projectId: string): Promise<LoginIdConflict[]> {
	return all<LoginIdConflict>(
		deps.d1,
		sql`SELECT login_id AS loginId, user_id AS userId, found_at AS foundAt FROM login_id_conflicts
			WHERE project_id = ${projectId} ORDER BY found_at, login_id`,
	);
}

// ---------------------------------------------------------------- keys written before this rule

export interface RekeyCollision {
	field: "loginId" | "email";
	value: string;
	userId: string;
	/** The user whose identifier already has that key. */
	heldBy: string;
}

export interface RekeyResult {
	rekeyed: number;
	collisions: RekeyCollision[];
}

const REKEY_CHUNK = 500;

/**
 * Recomputes the comparison keys of login ids and emails stored before NFKC and full case folding
 * (SQL has no NFKC, so a migration could only lower-case ASCII). Only non-ASCII values can differ.
 * A value whose new key another identifier already holds keeps its old key and is reported.
 */
export async function rekeyIdentifiers(deps: Deps, projectId: string): Promise<RekeyResult> {
	const [loginRows, emailRows] = await batch(deps.d1, [
		sql`SELECT login_id, login_id_lower, user_id FROM user_login_ids
			WHERE project_id = ${projectId} AND login_id GLOB '*[^ -~]*'`,
		sql`SELECT id, email, email_key FROM users
			WHERE project_id = ${projectId} AND email IS NOT NULL AND email GLOB '*[^ -~]*'`,
	]);
	const logins = (loginRows ?? [])
		.map((r) => ({ value: String(r.login_id), old: String(r.login_id_lower), userId: String(r.user_id) }))
		.map((r) => ({ ...r, key: identifierKey(r.value) }))
		.filter((r) => r.key !== r.old);
	const emails = (emailRows ?? [])
		.map((r) => ({ value: String(r.email), old: r.email_key as string | null, userId: String(r.id) }))
		.map((r) => ({ ...r, key: identifierKey(r.value) }))
		.filter((r) => r.key !== r.old);
	if (logins.length === 0 && emails.length === 0) return { rekeyed: 0, collisions: [] };
	const [takenLogins, takenEmails] = await batch(deps.d1, [
		sql`SELECT login_id_lower AS k, user_id AS u FROM user_login_ids WHERE project_id = ${projectId}
			AND login_id_lower IN (SELECT value FROM json_each(${JSON.stringify(logins.map((r) => r.key))}))`,
		sql`SELECT email_key AS k, id AS u FROM users WHERE project_id = ${projectId} AND email_key IS NOT NULL
			AND email_key IN (SELECT value FROM json_each(${JSON.stringify(emails.map((r) => r.key))}))`,
	]);
	const collisions: RekeyCollision[] = [];
	const keep = <T extends { key: string; value: string; userId: string }>(
		field: RekeyCollision["field"],
		rows: T[],
		taken: Record<string, unknown>[] | undefined,
	) => {
		const holders = new Map((taken ?? []).map((r) => [String(r.k), String(r.u)]));
		return rows.filter((r) => {
			const heldBy = holders.get(r.key);
			if (heldBy !== undefined) {
				collisions.push({ field, value: r.value, userId: r.userId, heldBy });
				return false;
			}
			holders.set(r.key, r.userId);
			return true;
		});
	};
	const loginUpdates = keep("loginId", logins, takenLogins);
	const emailUpdates = keep("email", emails, takenEmails);
	const statements: SQL[] = [];
	for (let i = 0; i < loginUpdates.length; i += REKEY_CHUNK) {
		const pairs = JSON.stringify(loginUpdates.slice(i, i + REKEY_CHUNK).map((r) => [r.old, r.key]));
		statements.push(sql`UPDATE user_login_ids
			SET login_id_lower = (SELECT value->>1 FROM json_each(${pairs}) WHERE value->>0 = user_login_ids.login_id_lower)
			WHERE project_id = ${projectId} AND login_id_lower IN (SELECT value->>0 FROM json_each(${pairs}))`);
	}
	for (let i = 0; i < emailUpdates.length; i += REKEY_CHUNK) {
		const pairs = JSON.stringify(emailUpdates.slice(i, i + REKEY_CHUNK).map((r) => [r.userId, r.key]));
		statements.push(sql`UPDATE users
			SET email_key = (SELECT value->>1 FROM json_each(${pairs}) WHERE value->>0 = users.id)
			WHERE project_id = ${projectId} AND id IN (SELECT value->>0 FROM json_each(${pairs}))`);
	}
	// Comparison keys only: no field a reader sees changes, so no change row.
	if (statements.length) await commit(deps, projectId, { statements });
	return { rekeyed: loginUpdates.length + emailUpdates.length, collisions };
}
