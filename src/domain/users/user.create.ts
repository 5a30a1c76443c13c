// Creating users: single, invite, batch and import (one read, one write batch).
import { type SQL, sql } from "drizzle-orm";
import { batch } from "../../db/sql";
import { newId } from "../../lib/ids";
import type { HashedPasswordInput } from "../../lib/passwords";
import type { Action } from "../activity/actions";
import { commit, type Entry } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { assertNotReadOnly, tenantView } from "../scope";
import { passwordFromInput, readPasswordPolicy } from "../sessions/password-input";
import { identifierKey } from "./identifiers";
import {
	checkAssignmentsInScope,
	contextQueries,
	resolveAssignments,
	toContext,
	writeAssignmentsStatements,
} from "./user.assignments-sql";
import { createdChanges, userEntry } from "./user.changes";
import type { User, UserFields } from "./user.types";
import {
	checkAssignmentLists,
	checkExternalId,
	checkLoginId,
	checkLoginIds,
	checkUserFlags,
	profileColumns,
} from "./user.validate";
import * as repo from "./users.repo";

import {
	type AttributeDefs,
	checkPhoneQuiet,
	definitionsQuery,
	type EnsuredAttribute,
	MAX_BATCH,
	toDefinitions,
	withEnsuredDefinitions,
} from "./users.shared";

/** How the users came to be, as their change rows say it. */
export type CreateAction = Extract<Action, "user.created" | "user.invited" | "user.imported">;

export interface CreateOptions {
	/** One user: its failure is thrown rather than reported. */
	single?: boolean;
	action?: CreateAction;
	/** More of the same write, for the one user created (a sign-up's history row): one batch. */
	also?: (user: { id: string; loginId: string }) => { statements: SQL[]; entries: Entry[] };
	/** Custom attributes the inputs use, defined (when missing) in the same batch. */
	ensureAttributes?: EnsuredAttribute[];
	/**
	 * An email or phone number another user already holds is left off the new user instead of
	 * failing it (contact data from a directory that does not promise uniqueness).
	 */
	contactIfFree?: boolean;
}

export interface CreateResult {
	created: User[];
	failed: { input: UserFields; reason: string }[];
}

function buildRow(input: UserFields, defs: AttributeDefs, now: number): repo.NewUserRow {
	const loginId = checkLoginId(input.loginId, "loginId");
	const additional = checkLoginIds(input.additionalLoginIds ?? [], "additionalLoginIds", [loginId]);
	const loginIds = [loginId, ...additional];
	checkAssignmentLists(input);
	const profile = profileColumns(input, defs);
	return {
		id: newId("U"),
		loginIds,
		...profile,
		status: input.status ?? "invited",
		test: input.test ?? false,
		createdAt: input.createdAt ?? now,
		modifiedAt: now,
		externalId: checkExternalId(input.externalId) ?? null,
		userFlags: checkUserFlags(input.userFlags) ?? [],
	};
}

/**
 * Creates users: one read (definitions and existing login ids, emails, phones) and one write
 * batch, whatever the count. Invalid or colliding users are reported, the rest created.
 */
export async function createUsers(
	deps: Deps,
	projectId: string,
	inputs: UserFields[],
	options: CreateOptions = {},
): Promise<CreateResult> {
	const { single = false } = options;
	assertNotReadOnly(deps);
	if (inputs.length > MAX_BATCH) throw invalid("users", `at most ${MAX_BATCH} users per request`);
	for (let attempt = 0; ; attempt++) {
		try {
			return await createUsersOnce(deps, projectId, inputs, single, options);
		} catch (error) {
			// A concurrent writer took a login id between our read and our write (commit names the
			// collision): read again, and the collision becomes that user's failure.
			// (A conflict naming a field of what `also` writes, e.g. a passkey's credential, is not one.)
			const collided =
				error instanceof DomainError &&
				(error.code === "user_exists" || (error.code === "conflict" && error.field === undefined));
			if (attempt < 2 && collided) continue;
			throw error;
		}
	}
}

async function createUsersOnce(
	deps: Deps,
	projectId: string,
	inputs: UserFields[],
	single: boolean,
	{ action = "user.created", also, ensureAttributes, contactIfFree = false }: CreateOptions,
): Promise<CreateResult> {
	// Tenant-aware (src/domain/scope.ts): each user is checked against the key's tenants below.
	const { deps: d, tenantIds } = tenantView(deps);
	const now = d.now();
	const candidates = inputs.flatMap((u) => [u.loginId, ...(u.additionalLoginIds ?? [])]);
	const loginKeys = candidates.filter((v) => typeof v === "string").map(identifierKey);
	const emails = inputs.flatMap((u) =>
		typeof u.email === "string" && u.email ? [identifierKey(u.email)] : [],
	);
	const phones = inputs.flatMap((u) => {
		const p = typeof u.phone === "string" && u.phone ? checkPhoneQuiet(u.phone) : null;
		return p ? [p] : [];
	});
	const [defRows, takenLogins, takenEmails, takenPhones, ...contextRows] = await batch(d.d1, [
		definitionsQuery(projectId),
		repo.existingLoginIdsQuery(projectId, loginKeys),
		repo.existingEmailsQuery(projectId, emails),
		repo.existingPhonesQuery(projectId, phones),
		...contextQueries(projectId, inputs),
	]);
	const ctx = toContext(contextRows);
	const ensured = withEnsuredDefinitions(projectId, toDefinitions(defRows), ensureAttributes, now);
	const defs = ensured.defs;
	const usedLogins = new Set((takenLogins ?? []).map((r) => r.login_id_lower as string));
	const usedEmails = new Set((takenEmails ?? []).map((r) => r.email as string));
	const usedPhones = new Set((takenPhones ?? []).map((r) => r.phone as string));

	const rows: repo.NewUserRow[] = [];
	const assignments: Parameters<typeof writeAssignmentsStatements>[1] = [];
	const passwords: [string, string, string, number][] = [];
	const failed: CreateResult["failed"] = [];
	const entries: Entry[] = [];
	for (const input of inputs) {
		try {
			checkAssignmentsInScope(input, tenantIds, true);
			const row = buildRow(input, defs, now);
			const resolved = resolveAssignments(input, ctx, { isNewUser: true });
			// A tenant-bound key grants no project role, not even the project's defaults.
			if (tenantIds) resolved.projectRoleIds = [];
			const clash = row.loginIds.find((id) => usedLogins.has(identifierKey(id)));
			if (clash)
				throw new DomainError("user_exists", `A user with login id "${clash}" already exists`, "loginId");
			if (row.email && usedEmails.has(identifierKey(row.email))) {
				if (!contactIfFree)
					throw new DomainError("user_exists", `Another user already has email "${row.email}"`, "email");
				row.email = null;
				row.verifiedEmail = false;
			}
			if (row.phone && usedPhones.has(row.phone)) {
				if (!contactIfFree)
					throw new DomainError("user_exists", `Another user already has phone "${row.phone}"`, "phone");
				row.phone = null;
				row.verifiedPhone = false;
			}
			for (const id of row.loginIds) usedLogins.add(identifierKey(id));
			if (row.email) usedEmails.add(identifierKey(row.email));
			if (row.phone) usedPhones.add(row.phone);
			rows.push(row);
			assignments.push({ userId: row.id, resolved });
			entries.push(userEntry(row, action, createdChanges(createdFields(row, input))));
			if (input.password) {
				passwords.push([
					row.id,
					input.password.algorithm,
					input.password.hash,
					Number(input.password.temporary ?? false),
				]);
			}
		} catch (error) {
			if (!(error instanceof DomainError)) throw error;
			if (single) throw error;
			failed.push({ input, reason: error.message });
		}
	}
	if (rows.length === 0) return { created: [], failed };
	// A sign-up (an end user not yet known, src/domain/sessions) is the act of the user it creates.
	const self = single && d.actor?.type === "user" && d.actor.id === null ? rows[0] : undefined;
	const as: Deps = self ? { ...d, actor: { type: "user", id: self.id, name: null } } : d;
	const extra =
		single && also && rows[0] ? also({ id: rows[0].id, loginId: rows[0].loginIds[0] ?? "" }) : undefined;
	const { reads } = await commit(as, projectId, {
		statements: [
			...ensured.statements,
			...repo.insertUsersStatements(projectId, rows),
			...writeAssignmentsStatements(projectId, assignments, now),
			...(passwords.length
				? [
						sql`INSERT INTO user_passwords (user_id, project_id, algorithm, hash, expired, temporary, set_at)
							SELECT value->>0, ${projectId}, value->>1, value->>2, 0, value->>3, ${now}
							FROM json_each(${JSON.stringify(passwords)})`,
					]
				: []),
			...(extra?.statements ?? []),
		],
		entries: [...ensured.entries, ...entries, ...(extra?.entries ?? [])],
		reads: [
			repo.usersByIdsQuery(
				projectId,
				rows.map((r) => r.id),
			),
		],
	});
	const byId = new Map(repo.toUsers(reads[0]).map((u) => [u.id, u]));
	return { created: rows.map((r) => byId.get(r.id)).filter((u): u is User => u !== undefined), failed };
}

/** What a created user was given, as its change row records it (never the password). */
function createdFields(row: repo.NewUserRow, input: UserFields) {
	return {
		loginIds: row.loginIds,
		name: row.name,
		givenName: row.givenName,
		middleName: row.middleName,
		familyName: row.familyName,
		email: row.email,
		phone: row.phone,
		verifiedEmail: row.verifiedEmail,
		verifiedPhone: row.verifiedPhone,
		picture: row.picture,
		status: row.status,
		test: row.test,
		customAttributes: row.customAttributes,
		externalId: row.externalId,
		userFlags: row.userFlags,
		roleNames: input.roleNames,
		userTenants: input.userTenants,
		ssoAppIds: input.ssoAppIds,
	};
}

/** A user to create with its password as given: cleartext (policy, then hashed) or an imported hash. */
export type NewUserInput = Omit<UserFields, "password"> & {
	password?: string | null;
	hashedPassword?: HashedPasswordInput | null;
};

export interface CreateManyResult extends CreateResult {
	/** The inputs that passed the password checks (what a dry run would create). */
	valid: UserFields[];
}

/** The hashed password of `input` (policy read only when there is a cleartext one). */
export async function passwordOf(
	deps: Deps,
	projectId: string,
	input: Pick<NewUserInput, "password" | "hashedPassword">,
) {
	if (!input.password && !input.hashedPassword) return undefined;
	return passwordFromInput(await readPasswordPolicy(deps, projectId), input);
}

/**
 * Batch create and import (`management.user.createBatch`, `management.user.import`): each user's
 * password is checked against the policy and hashed, or its imported hash validated; a bad one
 * fails that user only. With `dryRun` nothing is written.
 */
export async function createManyUsers(
	deps: Deps,
	projectId: string,
	items: NewUserInput[],
	{ dryRun = false, action = "user.created" }: { dryRun?: boolean; action?: CreateAction } = {},
): Promise<CreateManyResult> {
	if (items.length > MAX_BATCH) throw invalid("users", `at most ${MAX_BATCH} users per request`);
	const failed: CreateResult["failed"] = [];
	const valid: UserFields[] = [];
	const policy = items.some((i) => i.password) ? await readPasswordPolicy(deps, projectId) : NO_POLICY;
	for (const { password, hashedPassword, ...fields } of items) {
		try {
			const hashed =
				password || hashedPassword
					? await passwordFromInput(policy, { password, hashedPassword })
					: undefined;
			valid.push({ ...fields, password: hashed });
		} catch (error) {
			if (!(error instanceof DomainError)) throw error;
			failed.push({ input: fields, reason: error.message });
		}
	}
	if (dryRun || valid.length === 0) return { created: [], failed, valid };
	const result = await createUsers(deps, projectId, valid, { action });
	return { created: result.created, failed: [...failed, ...result.failed], valid };
}

const NO_POLICY = { minLength: 0, lowercase: false, uppercase: false, number: false, nonAlphanumeric: false };

export async function createUser(
	deps: Deps,
	projectId: string,
	input: UserFields,
	action: CreateAction = "user.created",
	also?: CreateOptions["also"],
	options: Omit<CreateOptions, "single" | "action" | "also"> = {},
): Promise<User> {
	const { created } = await createUsers(deps, projectId, [input], { ...options, single: true, action, also });
	const user = created[0];
	if (!user) throw new DomainError("internal", "User was not created");
	return user;
}

/**
 * Inviting an existing user (by user id or login id) re-invites them rather than failing. A value
 * in user-id shape names only a user by id: when there is none, createUser refuses it as a login id.
 */
export async function inviteUser(deps: Deps, projectId: string, input: UserFields): Promise<User> {
	const { deps: d, tenantIds } = tenantView(deps);
	const existing = await repo.findUserByRef(d.d1, projectId, input.loginId, tenantIds);
	if (existing) return existing;
	return createUser(deps, projectId, { ...input, status: input.status ?? "invited" }, "user.invited");
}
