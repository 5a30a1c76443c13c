// The one commit point. Every write of every dialect ends here: its statements and the change rows
// that record it run as one D1 batch (one round trip, one transaction), so a change and its record
// commit or fail together; constraint violations become domain errors here, once; and what follows
// from a commit (ending sessions, dropping cached keys) runs here, after it, before the call returns.
import { type SQL, sql } from "drizzle-orm";
import { batch } from "../db/sql";
import { forgetCachedKeys } from "../kv/key-cache";
import { revokeSessionsOfUsers } from "../sessions/client";
import type { Action, Actor, Changes, RequestContext, TargetType } from "./activity/actions";
import type { Deps } from "./deps";
import { DomainError } from "./errors";
import { webhookQueue } from "./webhooks/webhook.outbox";
import { hasEnabledEndpointQuery } from "./webhooks/webhook-deliveries.repo";

export type Rows = Record<string, unknown>[];

/** One change row. `userId` / `loginId` / `tenantId` are what reads filter on. */
export interface Entry {
	action: Action;
	target?: { type: TargetType; id: string | null };
	userId?: string | null;
	loginId?: string | null;
	tenantId?: string | null;
	changes?: Changes;
	data?: Record<string, unknown>;
	result?: "success" | "failure";
}

/**
 * Change rows whose targets only SQL knows (deletes by filter, bulk changes): `select` yields the
 * columns `target_id`, `user_id`, `login_id`, `tenant_id` (NULL where none). They run before the
 * write statements, so they see the rows as they were.
 */
export interface EntriesFrom {
	action: Action;
	targetType: TargetType;
	select: SQL;
	/** The same `data` on every row the select yields. */
	data?: Record<string, unknown>;
	/** The same `changes` on every row (a guarded write of one object: the row exists only if it applies). */
	changes?: Changes;
}

/**
 * Before → after of the fields that differ between two snapshots of one object (compared as JSON);
 * a field absent from `before` is new. For an entry's `changes`.
 */
export function changesOf(before: Record<string, unknown>, after: Record<string, unknown>): Changes {
	const out: Changes = {};
	for (const [field, value] of Object.entries(after)) {
		if (value === undefined) continue;
		if (!(field in before)) out[field] = { after: value };
		else if (JSON.stringify(before[field]) !== JSON.stringify(value))
			out[field] = { before: before[field], after: value };
	}
	return out;
}

/** The fields of an object a change removed (a delete): before only. */
export function removedFields(before: Record<string, unknown>): Changes {
	const out: Changes = {};
	for (const [field, value] of Object.entries(before))
		if (value !== undefined) out[field] = { before: value };
	return out;
}

export interface CommitPlan {
	/**
	 * Selects that must each yield a row for the write to apply (If-Match: the object is still at the
	 * version read). They run first; one that yields nothing aborts the whole batch (the CHECK of
	 * write_preconditions), so nothing of the write or its record lands: `precondition_failed`.
	 */
	preconditions?: SQL[];
	/** The writes, in order. */
	statements: SQL[];
	entries?: Entry[];
	entriesFrom?: EntriesFrom[];
	/** Reads that run after the writes, in the same batch (the object read back). */
	reads?: SQL[];
	/** Run once the batch has committed, before the call returns. */
	effects?: {
		/** Users whose every refresh session ends (disable, delete, password change…); each gets a `session.revoked` row. */
		revokeSessionsOf?: string[];
		/** Management keys whose cached lookups are dropped. */
		forgetKeyHashes?: string[];
	};
}

export interface Committed {
	/** One result per statement of `plan.statements`. */
	results: Rows[];
	/** One result per `plan.reads`. */
	reads: Rows[];
}

const SYSTEM: Actor = { type: "system", id: null, name: null };
const NO_REQUEST: RequestContext = { id: "", dialect: "", ip: "", city: "", country: "", userAgent: "" };

/** Names no change or data field may carry into the log, whatever a caller passes. */
// Narrow enough to keep ids (`passkeyId`, `credentialId`, `keyId`) that are not secrets.
const SECRET_NAME =
	/password|passwd|passcode|hash|secret|token|jwt|cleartext|^credentials?$|^key$|apikey|private/i;

/** Drops secret-named fields, recursively: the log never holds a secret (docs/audit.md). */
export function withoutSecrets<T>(value: T): T {
	if (Array.isArray(value)) return value.map(withoutSecrets) as T;
	if (value === null || typeof value !== "object") return value;
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(value)) if (!SECRET_NAME.test(k)) out[k] = withoutSecrets(v);
	return out as T;
}

function context(deps: Deps) {
	const actor = deps.actor ?? SYSTEM;
	const req = deps.request ?? NO_REQUEST;
	return { actor, req };
}

const COLUMNS = sql.raw(`project_id, at, action, result, actor_type, actor_id, actor_name, target_type,
	target_id, user_id, login_id, tenant_id, changes, data, request_id, dialect, ip, city, country, user_agent`);

/**
 * Now, but never before the project's latest entry: `at` then grows with `seq` within a project, so
 * a time range is a `seq` range and every indexed read serves it (src/domain/activity/activity.search.ts).
 */
const entryTime = (deps: Deps, projectId: string) =>
	sql`MAX(${deps.now()}, COALESCE((SELECT MAX(at) FROM change_log WHERE project_id = ${projectId}), 0))`;

/** The change rows of `entries`, as one statement whatever their number (one JSON parameter). */
export function entriesStatement(deps: Deps, projectId: string, entries: Entry[]): SQL {
	const { actor, req } = context(deps);
	const rows = entries.map((e) => ({
		action: e.action,
		result: e.result ?? "success",
		targetType: e.target?.type ?? null,
		targetId: e.target?.id ?? null,
		userId: e.userId ?? (e.target?.type === "user" ? e.target.id : null),
		loginId: e.loginId ?? null,
		tenantId: e.tenantId ?? null,
		// undefined, not null: the key is left out of the JSON, so `->` stores SQL NULL, not the text 'null'.
		changes: e.changes && Object.keys(e.changes).length ? withoutSecrets(e.changes) : undefined,
		data: e.data && Object.keys(e.data).length ? withoutSecrets(e.data) : undefined,
	}));
	return sql`INSERT INTO change_log (${COLUMNS})
		SELECT ${projectId}, ${entryTime(deps, projectId)}, j.value->>'action', j.value->>'result', ${actor.type}, ${actor.id},
			${actor.name}, j.value->>'targetType', j.value->>'targetId', j.value->>'userId', j.value->>'loginId',
			j.value->>'tenantId', j.value->'changes', j.value->'data', ${req.id}, ${req.dialect}, ${req.ip},
			${req.city}, ${req.country}, ${req.userAgent.slice(0, 512)}
		FROM json_each(${JSON.stringify(rows)}) j`;
}

function entriesFromStatement(deps: Deps, projectId: string, from: EntriesFrom): SQL {
	const { actor, req } = context(deps);
	return sql`INSERT INTO change_log (${COLUMNS})
		SELECT ${projectId}, ${entryTime(deps, projectId)}, ${from.action}, 'success', ${actor.type}, ${actor.id}, ${actor.name},
			${from.targetType}, s.target_id, s.user_id, s.login_id, s.tenant_id,
			${from.changes && Object.keys(from.changes).length ? JSON.stringify(withoutSecrets(from.changes)) : null},
			${from.data && Object.keys(from.data).length ? JSON.stringify(withoutSecrets(from.data)) : null}, ${req.id},
			${req.dialect}, ${req.ip}, ${req.city}, ${req.country}, ${req.userAgent.slice(0, 512)}
		FROM (${from.select}) s`;
}

/** Maps a D1 constraint failure to a domain error naming the field that collided (null: not one). */
export function constraintError(error: unknown): DomainError | null {
	const message = String((error as Error)?.message ?? error);
	if (message.includes("CHECK constraint failed: precondition_failed")) {
		return new DomainError(
			"precondition_failed",
			"The object changed since it was read; read it again and retry",
		);
	}
	if (message.includes("FOREIGN KEY constraint failed")) {
		return new DomainError(
			"conflict",
			"A role, permission, tenant or SSO application was deleted meanwhile; retry",
		);
	}
	if (!message.includes("UNIQUE constraint failed")) return null;
	if (message.includes("user_login_ids"))
		return new DomainError("user_exists", "A user with this login id already exists", "loginId");
	if (message.includes("users.email_key") || message.includes("email"))
		return new DomainError("user_exists", "Another user already has this email", "email");
	if (message.includes("users.phone") || message.includes("phone"))
		return new DomainError("user_exists", "Another user already has this phone", "phone");
	if (message.includes("external_id"))
		return new DomainError("user_exists", "Another user already has this external id", "externalId");
	if (message.includes("users.id")) return new DomainError("user_exists", "User already exists");
	// The leading space keeps `user_tenants.`, `user_roles.`, `role_permissions.` out of these.
	if (message.includes("tenants_project_name_uq"))
		return new DomainError("conflict", "A tenant with this name already exists", "name");
	if (message.includes(" tenants."))
		return new DomainError("conflict", "A tenant with this id already exists", "id");
	if (message.includes(" roles."))
		return new DomainError("conflict", "A role with this name already exists in its scope", "name");
	if (message.includes(" permissions."))
		return new DomainError("conflict", "A permission with this name already exists", "name");
	if (message.includes("sso_apps."))
		return new DomainError("conflict", "An application with this id already exists", "id");
	if (message.includes("custom_attribute_definitions."))
		return new DomainError("conflict", "A custom attribute with this name already exists", "name");
	if (message.includes("passkeys."))
		return new DomainError("conflict", "This passkey is already registered", "credential");
	return new DomainError("conflict", "The change conflicts with an existing object");
}

/** The user an entry concerns: its `userId`, else its target when that is a user. */
const userOf = (e: Entry) => e.userId ?? (e.target?.type === "user" ? e.target.id : null);

/**
 * The `session.revoked` row of a user whose sessions the commit ends, written in the commit's batch:
 * the revocation itself runs right after it, before the call returns. `cause` is the action of the
 * plan's entry about that user (`user.disabled`, `user.password.set`, …). A plan that records its
 * own `session.revoked` for a user (a logout) gets no second one.
 */
function revokedEntry(userId: string, entries: Entry[]): Entry {
	const cause = entries.find((e) => userOf(e) === userId);
	return {
		action: "session.revoked",
		target: { type: "user", id: userId },
		userId,
		loginId: cause?.loginId ?? null,
		tenantId: cause?.tenantId ?? null,
		data: cause ? { cause: cause.action } : undefined,
	};
}

/**
 * For `.catch` after a commit whose precondition is "the object still exists": its failure is the
 * caller's own error (not found), as if the object had never been read.
 */
export const whenPreconditionFails = (error: () => DomainError) => (failure: unknown) => {
	if (failure instanceof DomainError && failure.code === "precondition_failed") throw error();
	throw failure;
};

/** Runs one write and its record as a single D1 batch, then its effects. */
export async function commit(deps: Deps, projectId: string, plan: CommitPlan): Promise<Committed> {
	const guards = (plan.preconditions ?? []).map(
		(select) => sql`INSERT INTO write_preconditions (failed) SELECT 1 WHERE NOT EXISTS (${select})`,
	);
	const before = [
		...guards,
		...(plan.entriesFrom ?? []).map((f) => entriesFromStatement(deps, projectId, f)),
	];
	const revoke = [...new Set(plan.effects?.revokeSessionsOf ?? [])];
	const own = new Set(plan.entries?.filter((e) => e.action === "session.revoked").map(userOf));
	const added = revoke.filter((id) => !own.has(id)).map((id) => revokedEntry(id, plan.entries ?? []));
	const all = [...(plan.entries ?? []), ...added];
	const entries = all.length ? [entriesStatement(deps, projectId, all)] : [];
	const reads = plan.reads ?? [];
	// The change rows are the webhook outbox (docs/webhooks.md): whether the project has an endpoint
	// to hand them to is read in the same batch, so a write still costs one round trip.
	const recorded = entries.length > 0 || (plan.entriesFrom?.length ?? 0) > 0;
	const outbox = recorded ? [hasEnabledEndpointQuery(projectId)] : [];
	let results: Rows[];
	try {
		results = await batch(deps.d1, [...before, ...plan.statements, ...entries, ...reads, ...outbox]);
	} catch (error) {
		throw constraintError(error) ?? error;
	}
	const start = before.length;
	const committed: Committed = {
		results: results.slice(start, start + plan.statements.length),
		reads: results.slice(start + plan.statements.length + entries.length, results.length - outbox.length),
	};
	if (outbox.length && results[results.length - 1]?.length) askForFanout(deps, projectId);
	if (revoke.length) await revokeSessionsOfUsers(deps, projectId, revoke);
	if (plan.effects?.forgetKeyHashes?.length) await forgetCachedKeys(deps.kv, plan.effects.forgetKeyHashes);
	return committed;
}

/**
 * Hands the project's new change rows to the webhook queue, in the background. It never fails the
 * write: a message lost here is found by the scheduled outbox sweep (docs/webhooks.md).
 */
function askForFanout(deps: Deps, projectId: string) {
	try {
		deps.waitUntil(
			webhookQueue(deps.env)
				.send({ kind: "fanout", projectId })
				.catch((error) => console.error("webhook fan-out not enqueued", projectId, error)),
		);
	} catch (error) {
		console.error("webhook fan-out not enqueued", projectId, error);
	}
}

/**
 * Records an entry on its own: a refused management call (after authentication) or an event that
 * writes nothing else (a failed sign-in when no other row changes). Runs on the unscoped binding,
 * because a refusal of a read-only key is still recorded.
 */
export async function record(deps: Deps, projectId: string, entries: Entry[]) {
	if (!entries.length) return;
	const [, endpoints] = await batch(deps.env.DB, [
		entriesStatement(deps, projectId, entries),
		hasEnabledEndpointQuery(projectId),
	]);
	if (endpoints?.length) askForFanout(deps, projectId);
}
