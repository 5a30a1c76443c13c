import { DurableObject } from "cloudflare:workers";

/**
 * One instance per (project, user): the user's live refresh sessions and its failed sign-ins.
 * Every refresh, logout and logout-all goes through this single object, so revocation is
 * strongly consistent: once `revokeAll` returns, no earlier refresh token is accepted anywhere.
 */
export class UserSessions extends DurableObject<Env> {
	private readonly sql: SqlStorage;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		this.sql.exec(`CREATE TABLE IF NOT EXISTS sessions (
			id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, last_used_at INTEGER NOT NULL)`);
		this.sql.exec(`CREATE TABLE IF NOT EXISTS sign_in_failures (
			id INTEGER PRIMARY KEY CHECK (id = 1), count INTEGER NOT NULL, locked_until INTEGER)`);
	}

	/** Records a new refresh session (and drops expired ones). */
	openSession(id: string, now: number, expiresAt: number): void {
		this.sql.exec("DELETE FROM sessions WHERE expires_at <= ?", now);
		this.sql.exec(
			"INSERT INTO sessions (id, created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?)",
			id,
			now,
			expiresAt,
			now,
		);
	}

	/** True while the session exists, was not revoked and has not expired. */
	useSession(id: string, now: number): boolean {
		const row = this.sql
			.exec<{ expires_at: number }>("SELECT expires_at FROM sessions WHERE id = ?", id)
			.toArray()[0];
		if (!row || row.expires_at <= now) return false;
		this.sql.exec("UPDATE sessions SET last_used_at = ? WHERE id = ?", now, id);
		return true;
	}

	closeSession(id: string): void {
		this.sql.exec("DELETE FROM sessions WHERE id = ?", id);
	}

	/** Revokes every refresh session; returns how many were live. */
	revokeAll(): number {
		const count = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM sessions").one().n;
		this.sql.exec("DELETE FROM sessions");
		return count;
	}

	listSessions(now: number): { id: string; createdAt: number; expiresAt: number; lastUsedAt: number }[] {
		return this.sql
			.exec<{ id: string; created_at: number; expires_at: number; last_used_at: number }>(
				"SELECT id, created_at, expires_at, last_used_at FROM sessions WHERE expires_at > ? ORDER BY created_at",
				now,
			)
			.toArray()
			.map((r) => ({
				id: r.id,
				createdAt: r.created_at,
				expiresAt: r.expires_at,
				lastUsedAt: r.last_used_at,
			}));
	}

	/** The time the user stays locked out until, or null. */
	lockedUntil(now: number): number | null {
		const row = this.sql
			.exec<{ locked_until: number | null }>("SELECT locked_until FROM sign_in_failures")
			.toArray()[0];
		return row?.locked_until && row.locked_until > now ? row.locked_until : null;
	}

	/**
	 * Counts a failed sign-in. After `maxAttempts` consecutive failures the user is locked out for
	 * `lockSeconds` (0 attempts = never); the count restarts once a lockout has passed. `locked` is
	 * true for the one failure that started the lockout (the `user.locked_out` entry, docs/audit.md).
	 */
	recordFailure(
		now: number,
		maxAttempts: number,
		lockSeconds: number,
	): { failures: number; lockedUntil: number | null; locked: boolean } {
		const row = this.sql
			.exec<{ count: number; locked_until: number | null }>(
				"SELECT count, locked_until FROM sign_in_failures",
			)
			.toArray()[0];
		const expiredLock = row?.locked_until != null && row.locked_until <= now;
		const wasLocked = row?.locked_until != null && !expiredLock;
		const failures = (row && !expiredLock ? row.count : 0) + 1;
		const lockedUntil = maxAttempts > 0 && failures >= maxAttempts ? now + lockSeconds * 1000 : null;
		this.sql.exec(
			"INSERT INTO sign_in_failures (id, count, locked_until) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET count = excluded.count, locked_until = excluded.locked_until",
			failures,
			lockedUntil,
		);
		return { failures, lockedUntil, locked: lockedUntil !== null && !wasLocked };
	}

	/** A successful sign-in clears the failure count. Returns whether there was anything to clear. */
	recordSuccess(): boolean {
		const cleared = this.sql.exec("DELETE FROM sign_in_failures").rowsWritten > 0;
		return cleared;
	}
}
