// Writes over one neutral input (every field; undefined = not given, null = clears) with optional
// version preconditions (If-Match, docs/rest-v4.md): create, patch and delete of a user and its
// default profile. The v4 and legacy dialects map their wire to `UserInput`; every write commits
// through src/domain/commit.ts with its change rows.
import { type SQL, sql } from "drizzle-orm";
import { all } from "../../db/sql";
import { parseInternationalPhone } from "../../lib/phone";
import { type CommitPlan, commit, type EntriesFrom } from "../commit";
import type { Deps } from "../deps";
import { DomainError } from "../errors";
import { MAX_LIST_ENTRIES } from "../limits";
import { assertNotReadOnly, isTenantBound, membersOnly, tenantBoundError, tenantView } from "../scope";
import { identifierKey, storedIdentifier } from "./identifiers";
import { changesOf } from "./user.changes";
import { createUser } from "./user.create";
import type { User, UserStatus } from "./user.types";
import {
	emailInputProblem,
	externalIdInputProblem,
	FieldErrors,
	type FieldIssue,
	flagProblem,
	nameProblem,
	type UserField,
} from "./user.validate";
import { recordByIdQuery, toRecords, type UserRecord } from "./users.list";
import { syncLoginIdsStatement } from "./users.repo";

/** undefined = not given; null = clear. */
export interface UserInput {
	name?: string | null;
	email?: string | null;
	phone?: string | null;
	externalId?: string | null;
	userFlags?: string[];
	/** true: registered (invited → enabled); false: back to invited, sessions end. */
	registered?: boolean;
}

const jsonList = (values: unknown[]) => sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;

export interface InputChanges {
	name?: string | null;
	email?: string | null;
	phone?: string | null;
	externalId?: string | null;
	userFlags?: string[];
	/** true: registered (invited → enabled, registration stamped); false: back to invited. */
	registered?: boolean;
}

/** The user a guarded PATCH applies to (none: it does not apply), as change rows select it. */
export const patchTarget = (
	projectId: string,
	userId: string,
	versions: number[] | undefined,
	tenantIds?: string[] | null,
) =>
	sql`SELECT id AS target_id, id AS user_id, login_ids->>'$[0]' AS login_id, NULL AS tenant_id FROM users
		WHERE project_id = ${projectId} AND id = ${userId}
			${versions === undefined ? sql`` : sql`AND version IN ${jsonList(versions)}`}
			AND ${membersOnly(projectId, tenantIds, sql`id`, true)}`;

/**
 * The statements of a guarded patch. The users UPDATE runs last and, like every statement before it,
 * only when the user exists at one of `versions` (when given): in one D1 batch they all see the
 * same version, so either all apply or none does, and of two writers holding the same ETag
 * exactly one wins. The UPDATE returns the new version: no row back means not applied.
 */
export function patchStatements(
	projectId: string,
	userId: string,
	changes: InputChanges,
	versions: number[] | undefined,
	now: number,
	tenantIds?: string[] | null,
): SQL[] {
	// A tenant-bound key (src/domain/scope.ts) changes only users it may change, in every statement.
	const inScope = membersOnly(projectId, tenantIds, sql`id`, true);
	const guard = sql`EXISTS (${patchTarget(projectId, userId, versions, tenantIds)})`;
	const statements: SQL[] = [];
	// A login id that was the old email (or external id) follows it, so the user keeps one identity.
	const follow = (column: "email" | "external_id", value: string | null | undefined) => {
		if (value === undefined || value === null) return;
		statements.push(sql`UPDATE user_login_ids SET login_id = ${value}, login_id_lower = ${identifierKey(value)}
			WHERE project_id = ${projectId} AND user_id = ${userId} AND ${guard}
				AND login_id = (SELECT ${sql.raw(column)} FROM users WHERE project_id = ${projectId} AND id = ${userId})
				AND login_id <> ${value}`);
	};
	follow("email", changes.email);
	follow("external_id", changes.externalId);
	if (statements.length) statements.push(syncLoginIdsStatement(projectId, userId));
	if (changes.userFlags !== undefined) {
		statements.push(
			sql`DELETE FROM user_flag_values WHERE project_id = ${projectId} AND user_id = ${userId} AND ${guard}`,
			sql`INSERT INTO user_flag_values (project_id, flag, user_id)
				SELECT ${projectId}, value, ${userId} FROM json_each(${JSON.stringify(changes.userFlags)}) WHERE ${guard}`,
		);
	}
	const sets: SQL[] = [];
	if (changes.name !== undefined) sets.push(sql`name = ${changes.name}`);
	if (changes.email !== undefined) {
		// A new address is not verified yet (right-hand sides read the old row).
		sets.push(
			sql`email = ${changes.email}`,
			sql`email_key = ${changes.email === null ? null : identifierKey(changes.email)}`,
			sql`verified_email = CASE WHEN email IS ${changes.email} THEN verified_email ELSE 0 END`,
		);
	}
	if (changes.phone !== undefined) {
		sets.push(
			sql`phone = ${changes.phone}`,
			sql`verified_phone = CASE WHEN phone IS ${changes.phone} THEN verified_phone ELSE 0 END`,
		);
	}
	if (changes.externalId !== undefined) sets.push(sql`external_id = ${changes.externalId}`);
	if (changes.userFlags !== undefined) sets.push(sql`user_flags = ${JSON.stringify(changes.userFlags)}`);
	if (changes.registered === true) {
		sets.push(
			sql`status = CASE WHEN status = 'invited' THEN 'enabled' ELSE status END`,
			sql`registration_time = coalesce(registration_time, ${now})`,
		);
	} else if (changes.registered === false) {
		sets.push(sql`status = 'invited'`, sql`registration_time = NULL`);
	}
	sets.push(sql`modified_at = ${now}`, sql`version = version + 1`);
	const versionCheck = versions === undefined ? sql`` : sql` AND version IN ${jsonList(versions)}`;
	statements.push(sql`UPDATE users SET ${sql.join(sets, sql`, `)}
		WHERE project_id = ${projectId} AND id = ${userId}${versionCheck} AND ${inScope} RETURNING version`);
	return statements;
}

/** Deletes the user (at one of `versions`, when given); login ids, profile and flags cascade. */
export function deleteStatements(
	projectId: string,
	userId: string,
	versions: number[] | undefined,
	tenantIds?: string[] | null,
): SQL[] {
	const versionCheck = versions === undefined ? sql`` : sql` AND version IN ${jsonList(versions)}`;
	const inScope = membersOnly(projectId, tenantIds, sql`id`, true);
	return [
		sql`DELETE FROM users WHERE project_id = ${projectId} AND id = ${userId}${versionCheck} AND ${inScope} RETURNING id`,
		sql`SELECT version FROM users WHERE project_id = ${projectId} AND id = ${userId} AND ${inScope}`,
	];
}

export interface UniqueValues {
	email?: string | null;
	phone?: string | null;
	externalId?: string | null;
	/** Values that become login ids, by the field they come from. */
	loginIds?: { field: "email" | "externalId"; value: string }[];
}

/**
 * Which of these values another user already holds: read only after a write failed on a unique
 * index, to name every colliding field at once.
 */
export function takenValuesQuery(projectId: string, selfId: string | null, values: UniqueValues): SQL | null {
	const notSelf = (column: "id" | "user_id") =>
		selfId === null ? sql`1` : sql`${sql.raw(column)} <> ${selfId}`;
	const parts: SQL[] = [];
	if (values.email) {
		parts.push(sql`SELECT 'email' AS field, 'email' AS kind FROM users WHERE project_id = ${projectId}
			AND email_key IS NOT NULL AND email_key = ${identifierKey(values.email)} AND ${notSelf("id")}`);
	}
	if (values.phone) {
		parts.push(sql`SELECT 'phone' AS field, 'phone' AS kind FROM users WHERE project_id = ${projectId}
			AND phone IS NOT NULL AND phone = ${values.phone} AND ${notSelf("id")}`);
	}
	if (values.externalId) {
		parts.push(sql`SELECT 'externalId' AS field, 'externalId' AS kind FROM users WHERE project_id = ${projectId}
			AND external_id IS NOT NULL AND external_id = ${values.externalId} AND ${notSelf("id")}`);
	}
	for (const { field, value } of values.loginIds ?? []) {
		parts.push(sql`SELECT ${field} AS field, 'loginId' AS kind FROM user_login_ids WHERE project_id = ${projectId}
			AND login_id_lower = ${identifierKey(value)} AND ${notSelf("user_id")}`);
	}
	return parts.length ? sql.join(parts, sql` UNION ALL `) : null;
}

function normalize(input: UserInput, creating: boolean): InputChanges {
	const issues: FieldIssue[] = [];
	const changes: InputChanges = {};
	const check = (field: UserField, code: string, problem: string | null) => {
		if (problem) issues.push({ field, code, message: problem });
		return problem === null;
	};
	if (input.name !== undefined) {
		const name = input.name?.trim() ? input.name : null;
		if (name === null || check("name", "invalid_name", nameProblem(name))) changes.name = name;
	}
	if (input.email !== undefined) {
		if (input.email === null) changes.email = null;
		else if (check("email", "invalid_email", emailInputProblem(input.email)))
			changes.email = storedIdentifier(input.email);
	}
	if (input.phone !== undefined) {
		if (input.phone === null) changes.phone = null;
		else {
			const parsed = parseInternationalPhone(input.phone);
			if (parsed.ok) changes.phone = parsed.e164;
			else check("phone", "invalid_phone", parsed.reason);
		}
	}
	if (input.externalId !== undefined) {
		if (input.externalId === null) changes.externalId = null;
		else if (check("externalId", "invalid_external_id", externalIdInputProblem(input.externalId))) {
			changes.externalId = storedIdentifier(input.externalId);
		}
	}
	if (input.userFlags !== undefined) {
		if (input.userFlags.length > MAX_LIST_ENTRIES) {
			issues.push({
				field: "userFlags",
				code: "too_many",
				message: `at most ${MAX_LIST_ENTRIES} entries`,
			});
		}
		for (const [index, flag] of input.userFlags.slice(0, MAX_LIST_ENTRIES).entries()) {
			const problem = flagProblem(flag);
			if (problem) issues.push({ field: "userFlags", index, code: "unknown_user_flag", message: problem });
		}
		changes.userFlags = [...new Set(input.userFlags)];
	}
	if (input.registered !== undefined) changes.registered = input.registered;
	if (creating && !changes.email && !changes.externalId && !issues.some((i) => i.field === "email")) {
		issues.push({
			field: "email",
			code: "required",
			message: "an email or an external id is required: it becomes the user's login id",
		});
	}
	if (issues.length) throw new FieldErrors(issues);
	return changes;
}

const notFound = (userId: string) => new DomainError("user_not_found", `No user with id "${userId}"`);

/**
 * Commits one write; when it collides on a unique index, reads which values collide and names
 * them all (the error path may cost a second round trip, the normal path never does).
 */
async function commitNaming(
	deps: Deps,
	projectId: string,
	selfId: string | null,
	values: UniqueValues,
	plan: CommitPlan,
) {
	try {
		return await commit(deps, projectId, plan);
	} catch (error) {
		throw await namedCollision(deps, projectId, selfId, error, values);
	}
}

/** A collision on a unique value, as FieldErrors naming every colliding field; other errors as they are. */
async function namedCollision(
	deps: Deps,
	projectId: string,
	selfId: string | null,
	error: unknown,
	values: UniqueValues,
): Promise<unknown> {
	if (!(error instanceof DomainError) || (error.code !== "user_exists" && error.code !== "conflict"))
		return error;
	const query = takenValuesQuery(projectId, selfId, values);
	const rows = query ? await all<{ field: UserField; kind: string }>(deps.d1, query) : [];
	const issues = new Map<string, FieldIssue>();
	for (const { field, kind } of rows) {
		const value = field === "email" ? values.email : field === "phone" ? values.phone : values.externalId;
		const message =
			kind === "loginId"
				? `"${value}" is another user's login id`
				: `another user already has ${field === "externalId" ? "external id" : field} "${value}"`;
		issues.set(field, { field, code: "taken", message });
	}
	if (issues.size === 0)
		return new DomainError("conflict", "A concurrent change collided with this one; retry");
	return new FieldErrors([...issues.values()], "user_exists");
}

/**
 * Creates through the one create command (user.create.ts, as Descope's `management.user.create`):
 * the login id is the email, else the external id; registered → enabled, else invited. A collision
 * names every colliding field, as a patch does.
 */
export async function createUserRecord(deps: Deps, projectId: string, input: UserInput): Promise<UserRecord> {
	const c = normalize(input, true);
	// This input names no tenant, so a tenant-bound key could only make a user outside its tenants.
	if (isTenantBound(deps.scope)) throw tenantBoundError();
	// normalize guarantees an email or an external id.
	const loginField = c.email ? "email" : "externalId";
	const loginId = (c.email ?? c.externalId) as string;
	let created: User;
	try {
		created = await createUser(deps, projectId, {
			loginId,
			email: c.email ?? undefined,
			phone: c.phone ?? undefined,
			name: c.name ?? undefined,
			externalId: c.externalId ?? null,
			userFlags: c.userFlags,
			status: c.registered ? "enabled" : "invited",
		});
	} catch (error) {
		throw await namedCollision(deps, projectId, null, error, {
			email: c.email,
			phone: c.phone,
			externalId: c.externalId,
			loginIds: [{ field: loginField, value: loginId }],
		});
	}
	const { deps: d, tenantIds } = tenantView(deps);
	const record = toRecords(await all(d.d1, recordByIdQuery(projectId, created.id, tenantIds, true)))[0];
	if (!record) throw new DomainError("internal", "The user was not created");
	return record;
}

const stale = (userId: string, version: number) =>
	new DomainError(
		"precondition_failed",
		`User ${userId} has changed: its current version is ${version}; read it again and retry`,
	);

/**
 * Changes only the given fields. With `versions` (from If-Match) the write applies only if the
 * user is still at one of them, atomically: otherwise precondition_failed and nothing changes.
 */
export async function patchUserRecord(
	scoped: Deps,
	projectId: string,
	userId: string,
	input: UserInput,
	versions?: number[],
): Promise<UserRecord> {
	assertNotReadOnly(scoped);
	const changes = normalize(input, false);
	// Tenant-aware (src/domain/scope.ts): only a user the key may change; the statements check it too.
	const { deps, tenantIds } = tenantView(scoped);
	// The user as it is: the before of the change rows, and the version an If-Match names.
	const current = toRecords(await all(deps.d1, recordByIdQuery(projectId, userId, tenantIds, true)))[0];
	if (!current) throw notFound(userId);
	const before = current.user;
	if (versions && !versions.includes(before.version)) throw stale(userId, before.version);
	if (Object.keys(changes).length === 0) return current;
	const statements = patchStatements(projectId, userId, changes, versions, deps.now(), tenantIds);
	const loginIds = [
		...(changes.email ? [{ field: "email" as const, value: changes.email }] : []),
		...(changes.externalId ? [{ field: "externalId" as const, value: changes.externalId }] : []),
	];
	const { registered, ...fields } = changes;
	const status: UserStatus | undefined =
		registered === undefined
			? undefined
			: registered
				? before.status === "invited"
					? "enabled"
					: before.status
				: "invited";
	// Change rows exist only where the guarded write applies (selected from the same guard).
	const target = patchTarget(projectId, userId, versions, tenantIds);
	const entriesFrom: EntriesFrom[] = [];
	const updated = changesOf(
		{
			name: before.name,
			email: before.email,
			phone: before.phone,
			externalId: before.externalId,
			userFlags: before.userFlags,
			status: before.status,
		},
		{ ...fields, status: status === "enabled" ? undefined : status },
	);
	if (Object.keys(updated).length) {
		entriesFrom.push({ action: "user.updated", targetType: "user", select: target, changes: updated });
	}
	if (status === "enabled" && before.status === "invited") {
		entriesFrom.push({
			action: "user.registered",
			targetType: "user",
			select: target,
			changes: { status: { before: before.status, after: status } },
		});
	}
	const { results, reads } = await commitNaming(
		deps,
		projectId,
		userId,
		{ email: changes.email, phone: changes.phone, externalId: changes.externalId, loginIds },
		{
			statements,
			entriesFrom,
			reads: [recordByIdQuery(projectId, userId)],
			// Only registered users may sign in: unregistering ends the sessions they hold.
			effects: registered === false ? { revokeSessionsOf: [userId] } : undefined,
		},
	);
	const record = toRecords(reads[0])[0];
	if (!record) throw notFound(userId);
	const applied = (results[statements.length - 1]?.length ?? 0) > 0;
	if (!applied) throw stale(userId, record.user.version);
	return record;
}

export async function deleteUserRecord(scoped: Deps, projectId: string, userId: string, versions?: number[]) {
	const { deps, tenantIds } = tenantView(scoped);
	const [del, versionQuery] = deleteStatements(projectId, userId, versions, tenantIds);
	// One read first: whom the key may delete and at which version (its sessions end with it).
	const [found] = await all<{ version: number }>(deps.d1, versionQuery as NonNullable<typeof versionQuery>);
	if (!found) throw notFound(userId);
	if (versions && !versions.includes(Number(found.version))) throw stale(userId, Number(found.version));
	const { results, reads } = await commit(deps, projectId, {
		entriesFrom: [
			{
				action: "user.deleted",
				targetType: "user",
				select: patchTarget(projectId, userId, versions, tenantIds),
			},
		],
		statements: [del as NonNullable<typeof del>],
		reads: [versionQuery as NonNullable<typeof versionQuery>],
		effects: { revokeSessionsOf: [userId] },
	});
	if (results[0]?.length) return;
	const remaining = reads[0]?.[0];
	if (remaining) throw stale(userId, Number(remaining.version));
	throw notFound(userId);
}
