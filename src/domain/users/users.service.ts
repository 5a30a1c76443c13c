import { type SQL, sql } from "drizzle-orm";
import { customAttributeTypes } from "../../db/schema";
import { all, batch } from "../../db/sql";
import { newId } from "../../lib/ids";
import { revokeSessionsOfUsers, revokeUserSessions } from "../../sessions/client";
import type { Deps } from "../deps";
import { DomainError, invalid, userNotFound } from "../errors";
import {
	type AssignmentContext,
	contextQueries,
	resolveAssignments,
	toContext,
	writeAssignmentsStatements,
} from "./assignments";
import type { AttributeDefinition } from "./custom-attributes.repo";
import type { User, UserFields, UserPatch, UserStatus } from "./user.types";
import {
	checkCustomAttributes,
	checkEmail,
	checkLoginId,
	checkPhone,
	emailKey,
	loginIdKey,
	textOrNull,
} from "./user.validate";
import * as repo from "./users.repo";
import { searchUsers as runSearch, type UserSearch } from "./users.search";

export type SearchQuery = UserSearch;

export const MAX_BATCH = 2000;

type AttributeDefs = Map<string, AttributeDefinition>;

const definitionsQuery = (projectId: string) =>
	sql`SELECT name, display_name AS displayName, type, options, default_value AS defaultValue, created_at AS createdAt
		FROM custom_attribute_definitions WHERE project_id = ${projectId}`;

function toDefinitions(rows: Record<string, unknown>[] | undefined): AttributeDefs {
	const defs: AttributeDefs = new Map();
	for (const r of rows ?? []) {
		defs.set(r.name as string, {
			...(r as unknown as AttributeDefinition),
			options: JSON.parse((r.options as string) ?? "[]"),
		});
	}
	return defs;
}

/** Maps a D1 unique-constraint failure to the field that collided. */
function constraintError(error: unknown): DomainError | null {
	const message = String((error as Error)?.message ?? error);
	if (message.includes("FOREIGN KEY constraint failed")) {
		return new DomainError("conflict", "A role, tenant or SSO application was deleted meanwhile; retry");
	}
	if (!message.includes("UNIQUE constraint failed")) return null;
	if (message.includes("user_login_ids"))
		return new DomainError("user_exists", "A user with this login id already exists", "loginId");
	if (message.includes("email"))
		return new DomainError("user_exists", "Another user already has this email", "email");
	if (message.includes("phone"))
		return new DomainError("user_exists", "Another user already has this phone", "phone");
	if (message.includes("external_id")) {
		return new DomainError("user_exists", "Another user already has this external id", "externalId");
	}
	return new DomainError("user_exists", "User already exists");
}

async function withConstraints<T>(run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (error) {
		throw constraintError(error) ?? error;
	}
}

// ---------------------------------------------------------------- create

export interface CreateResult {
	created: User[];
	failed: { input: UserFields; reason: string }[];
}

function buildRow(input: UserFields, defs: AttributeDefs, now: number): repo.NewUserRow {
	const loginId = checkLoginId(input.loginId, "loginId");
	const additional = (input.additionalLoginIds ?? []).map((id, i) =>
		checkLoginId(id, `additionalLoginIds[${i}]`),
	);
	const loginIds = [loginId, ...additional];
	if (new Set(loginIds.map(loginIdKey)).size !== loginIds.length) {
		throw invalid("additionalLoginIds", "login ids must be unique");
	}
	const attributes = checkCustomAttributes(input.customAttributes ?? {}, defs).set;
	const email = checkEmail(input.email) ?? null;
	const phone = checkPhone(input.phone) ?? null;
	return {
		id: newId("U"),
		loginIds,
		name: textOrNull(input.name) ?? null,
		givenName: textOrNull(input.givenName) ?? null,
		middleName: textOrNull(input.middleName) ?? null,
		familyName: textOrNull(input.familyName) ?? null,
		email,
		phone,
		verifiedEmail: email !== null && (input.verifiedEmail ?? false),
		verifiedPhone: phone !== null && (input.verifiedPhone ?? false),
		picture: textOrNull(input.picture) ?? null,
		status: input.status ?? "invited",
		test: input.test ?? false,
		customAttributes: attributes,
		createdAt: input.createdAt ?? now,
		modifiedAt: now,
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
	{ single = false } = {},
): Promise<CreateResult> {
	if (inputs.length > MAX_BATCH) throw invalid("users", `at most ${MAX_BATCH} users per request`);
	for (let attempt = 0; ; attempt++) {
		try {
			return await createUsersOnce(deps, projectId, inputs, single);
		} catch (error) {
			// A concurrent writer took a login id between our read and our write: read again.
			if (attempt < 2 && constraintError(error)) continue;
			throw constraintError(error) ?? error;
		}
	}
}

async function createUsersOnce(
	deps: Deps,
	projectId: string,
	inputs: UserFields[],
	single: boolean,
): Promise<CreateResult> {
	const now = deps.now();
	const candidates = inputs.flatMap((u) => [u.loginId, ...(u.additionalLoginIds ?? [])]);
	const loginKeys = candidates.filter((v) => typeof v === "string").map((v) => loginIdKey(v.trim()));
	const emails = inputs.flatMap((u) =>
		typeof u.email === "string" && u.email ? [emailKey(u.email.trim())] : [],
	);
	const phones = inputs.flatMap((u) => {
		const p = typeof u.phone === "string" && u.phone ? checkPhoneQuiet(u.phone) : null;
		return p ? [p] : [];
	});
	const [defRows, takenLogins, takenEmails, takenPhones, ...contextRows] = await batch(deps.d1, [
		definitionsQuery(projectId),
		repo.existingLoginIdsQuery(projectId, loginKeys),
		repo.existingEmailsQuery(projectId, emails),
		repo.existingPhonesQuery(projectId, phones),
		...contextQueries(projectId, inputs),
	]);
	const ctx = toContext(contextRows);
	const defs = toDefinitions(defRows);
	const usedLogins = new Set((takenLogins ?? []).map((r) => r.login_id_lower as string));
	const usedEmails = new Set((takenEmails ?? []).map((r) => r.email as string));
	const usedPhones = new Set((takenPhones ?? []).map((r) => r.phone as string));

	const rows: repo.NewUserRow[] = [];
	const assignments: Parameters<typeof writeAssignmentsStatements>[1] = [];
	const passwords: [string, string, string, number][] = [];
	const failed: CreateResult["failed"] = [];
	for (const input of inputs) {
		try {
			const row = buildRow(input, defs, now);
			const resolved = resolveAssignments(input, ctx, { isNewUser: true });
			const clash = row.loginIds.find((id) => usedLogins.has(loginIdKey(id)));
			if (clash)
				throw new DomainError("user_exists", `A user with login id "${clash}" already exists`, "loginId");
			if (row.email && usedEmails.has(emailKey(row.email))) {
				throw new DomainError("user_exists", `Another user already has email "${row.email}"`, "email");
			}
			if (row.phone && usedPhones.has(row.phone)) {
				throw new DomainError("user_exists", `Another user already has phone "${row.phone}"`, "phone");
			}
			for (const id of row.loginIds) usedLogins.add(loginIdKey(id));
			if (row.email) usedEmails.add(emailKey(row.email));
			if (row.phone) usedPhones.add(row.phone);
			rows.push(row);
			assignments.push({ userId: row.id, resolved });
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
	const results = await batch(deps.d1, [
		...repo.insertUsersStatements(projectId, rows),
		...writeAssignmentsStatements(projectId, assignments, now),
		...(passwords.length
			? [
					sql`INSERT INTO user_passwords (user_id, project_id, algorithm, hash, expired, temporary, set_at)
						SELECT value->>0, ${projectId}, value->>1, value->>2, 0, value->>3, ${now}
						FROM json_each(${JSON.stringify(passwords)})`,
				]
			: []),
		repo.usersByIdsQuery(
			projectId,
			rows.map((r) => r.id),
		),
	]);
	const byId = new Map(repo.toUsers(results.at(-1)).map((u) => [u.id, u]));
	return { created: rows.map((r) => byId.get(r.id)).filter((u): u is User => u !== undefined), failed };
}

function checkPhoneQuiet(phone: string) {
	try {
		return checkPhone(phone) ?? null;
	} catch {
		return null;
	}
}

export async function createUser(deps: Deps, projectId: string, input: UserFields): Promise<User> {
	const { created } = await createUsers(deps, projectId, [input], { single: true });
	const user = created[0];
	if (!user) throw new DomainError("internal", "User was not created");
	return user;
}

/** Inviting an existing user (by user id or login id) re-invites them rather than failing. */
export async function inviteUser(deps: Deps, projectId: string, input: UserFields): Promise<User> {
	const existing = await repo.findUserByRef(deps.d1, projectId, input.loginId);
	if (existing) return existing;
	return createUser(deps, projectId, { ...input, status: input.status ?? "invited" });
}

// ---------------------------------------------------------------- read

export async function loadUser(deps: Deps, projectId: string, ref: string): Promise<User> {
	const user = await repo.findUserByRef(deps.d1, projectId, ref);
	if (!user) throw userNotFound();
	return user;
}

export async function loadUserById(deps: Deps, projectId: string, id: string): Promise<User> {
	const rows = await all<Record<string, unknown>>(deps.d1, repo.userByIdQuery(projectId, id));
	const user = repo.toUsers(rows)[0];
	if (!user) throw userNotFound();
	return user;
}

export async function loadUsersByIds(deps: Deps, projectId: string, ids: string[], includeInvalid: boolean) {
	if (ids.length > MAX_BATCH) throw invalid("userIds", `at most ${MAX_BATCH} ids per request`);
	const rows = await all<Record<string, unknown>>(
		deps.d1,
		repo.usersByIdsQuery(projectId, ids, includeInvalid ? sql`1` : sql`u.status <> 'disabled'`),
	);
	return repo.toUsers(rows);
}

export const searchUsers = (deps: Deps, projectId: string, query: UserSearch) =>
	runSearch(deps.d1, projectId, query);

// ---------------------------------------------------------------- update

/** Resolves the user, reads attribute definitions and what the fields name: one round trip. */
async function readForWrite(
	deps: Deps,
	projectId: string,
	ref: string,
	fields: Parameters<typeof contextQueries>[1][number] = {},
) {
	const [userRows, defRows, ...contextRows] = await batch(deps.d1, [
		repo.userByRefQuery(projectId, ref),
		definitionsQuery(projectId),
		...contextQueries(projectId, [fields]),
	]);
	const user = repo.toUsers(userRows)[0];
	if (!user)
		throw new DomainError("user_not_found", `User not found: loginId "${ref}" matches no user`, "loginId");
	return { user, defs: toDefinitions(defRows), ctx: toContext(contextRows) };
}

/** Runs the write statements and reads the user back, as one batch. */
async function writeAndRead(deps: Deps, projectId: string, userId: string, statements: SQL[]) {
	const results = await withConstraints(() =>
		batch(deps.d1, [...statements, repo.userByIdQuery(projectId, userId)]),
	);
	const user = repo.toUsers(results.at(-1))[0];
	if (!user) throw userNotFound();
	return user;
}

/** Full overwrite: every field not given is cleared (the primary login id stays). */
export async function updateUser(
	deps: Deps,
	projectId: string,
	ref: string,
	input: Omit<UserFields, "loginId">,
) {
	// Overwrite: roles, tenants and applications not given are removed too.
	const assignmentFields = {
		roleNames: input.roleNames ?? [],
		userTenants: input.userTenants ?? [],
		ssoAppIds: input.ssoAppIds ?? [],
	};
	const { user, defs, ctx } = await readForWrite(deps, projectId, ref, assignmentFields);
	const resolved = resolveAssignments(assignmentFields, ctx);
	const additional = (input.additionalLoginIds ?? []).map((id, i) =>
		checkLoginId(id, `additionalLoginIds[${i}]`),
	);
	const primary = user.loginIds[0] ?? ref;
	const all = [primary, ...additional].map(loginIdKey);
	if (new Set(all).size !== all.length) throw invalid("additionalLoginIds", "login ids must be unique");
	const email = checkEmail(input.email) ?? null;
	const phone = checkPhone(input.phone) ?? null;
	const now = deps.now();
	const updated = await writeAndRead(deps, projectId, user.id, [
		repo.updateUserStatement(
			projectId,
			user.id,
			{
				name: textOrNull(input.name) ?? null,
				givenName: textOrNull(input.givenName) ?? null,
				middleName: textOrNull(input.middleName) ?? null,
				familyName: textOrNull(input.familyName) ?? null,
				email,
				phone,
				verifiedEmail: email !== null && (input.verifiedEmail ?? false),
				verifiedPhone: phone !== null && (input.verifiedPhone ?? false),
				picture: textOrNull(input.picture) ?? null,
				status: input.status,
				customAttributes: checkCustomAttributes(input.customAttributes ?? {}, defs).set,
			},
			now,
		),
		...repo.replaceAdditionalLoginIdsStatements(projectId, user.id, additional),
		...repo.reindexAttributesStatements(projectId, [user.id]),
		...writeAssignmentsStatements(projectId, [{ userId: user.id, resolved }], now),
	]);
	if (input.status === "disabled") await revokeUserSessions(deps, projectId, user.id);
	return updated;
}

function patchStatements(
	projectId: string,
	user: User,
	patch: UserPatch,
	defs: AttributeDefs,
	ctx: AssignmentContext,
	now: number,
) {
	const resolved = resolveAssignments(patch, ctx);
	const statements: SQL[] = [];
	const email = checkEmail(patch.email);
	const phone = checkPhone(patch.phone);
	const attributes = patch.customAttributes ? checkCustomAttributes(patch.customAttributes, defs) : undefined;
	const merge = attributes
		? { ...attributes.set, ...Object.fromEntries(attributes.remove.map((n) => [n, null])) }
		: undefined;
	statements.push(
		repo.updateUserStatement(
			projectId,
			user.id,
			{
				name: textOrNull(patch.name),
				givenName: textOrNull(patch.givenName),
				middleName: textOrNull(patch.middleName),
				familyName: textOrNull(patch.familyName),
				email,
				phone,
				verifiedEmail: verifiedFlag(email, user.email, patch.verifiedEmail),
				verifiedPhone: verifiedFlag(phone, user.phone, patch.verifiedPhone),
				picture: textOrNull(patch.picture),
				status: patch.status,
				mergeCustomAttributes: merge,
			},
			now,
		),
	);
	if (patch.additionalLoginIds !== undefined) {
		const additional = patch.additionalLoginIds.map((id, i) =>
			checkLoginId(id, `additionalIdentifiers[${i}]`),
		);
		const keys = [user.loginIds[0] ?? "", ...additional].map(loginIdKey);
		if (new Set(keys).size !== keys.length)
			throw invalid("additionalIdentifiers", "login ids must be unique");
		statements.push(...repo.replaceAdditionalLoginIdsStatements(projectId, user.id, additional));
	}
	if (merge) statements.push(...repo.reindexAttributesStatements(projectId, [user.id]));
	statements.push(...writeAssignmentsStatements(projectId, [{ userId: user.id, resolved }], now));
	return statements;
}

/** A verified flag can only be true for a value the user has (after the patch). */
function verifiedFlag(given: string | null | undefined, current: string | null, flag: boolean | undefined) {
	const value = given === undefined ? current : given;
	if (value === null) return flag !== undefined || given === null ? false : undefined;
	return flag;
}

/** Only the given fields change; each is its own column, so concurrent patches compose. */
export async function patchUser(deps: Deps, projectId: string, ref: string, patch: UserPatch) {
	const { user, defs, ctx } = await readForWrite(deps, projectId, ref, patch);
	const statements = patchStatements(projectId, user, patch, defs, ctx, deps.now());
	const updated = await writeAndRead(deps, projectId, user.id, statements);
	if (patch.status === "disabled") await revokeUserSessions(deps, projectId, user.id);
	return updated;
}

export interface PatchResult {
	patched: User[];
	failed: { ref: string; patch: UserPatch; reason: string; user?: User }[];
}

/** Patches many users: one read, one write batch; invalid items are reported, the rest applied. */
export async function patchUsers(
	deps: Deps,
	projectId: string,
	items: { ref: string; patch: UserPatch }[],
): Promise<PatchResult> {
	if (items.length > MAX_BATCH) throw invalid("users", `at most ${MAX_BATCH} users per request`);
	const refs = items.map((i) => i.ref);
	// Values the patches would take, to find collisions with other users before writing.
	const wantedLogins = items.flatMap((i) =>
		(i.patch.additionalLoginIds ?? []).map((v) => loginIdKey(v.trim())),
	);
	const wantedEmails = items.flatMap((i) => (i.patch.email?.trim() ? [emailKey(i.patch.email.trim())] : []));
	const wantedPhones = items.flatMap((i) => {
		const p = i.patch.phone ? checkPhoneQuiet(i.patch.phone) : null;
		return p ? [p] : [];
	});
	const [userRows, defRows, takenLogins, takenEmails, takenPhones, ...contextRows] = await batch(deps.d1, [
		repo.selectUsers(sql`+u.project_id = ${projectId} AND u.id IN (
			SELECT value FROM json_each(${JSON.stringify(refs)})
			UNION SELECT user_id FROM user_login_ids WHERE project_id = ${projectId}
				AND login_id_lower IN (SELECT value FROM json_each(${JSON.stringify(refs.map(loginIdKey))})))`),
		definitionsQuery(projectId),
		repo.existingLoginIdsQuery(projectId, wantedLogins),
		repo.existingEmailsQuery(projectId, wantedEmails),
		repo.existingPhonesQuery(projectId, wantedPhones),
		...contextQueries(
			projectId,
			items.map((i) => i.patch),
		),
	]);
	// value → owning user id, for login ids, emails and phones
	const owners = new Map<string, string>();
	for (const r of takenLogins ?? []) owners.set(`l:${r.login_id_lower}`, r.user_id as string);
	for (const r of takenEmails ?? []) owners.set(`e:${r.email}`, r.id as string);
	for (const r of takenPhones ?? []) owners.set(`p:${r.phone}`, r.id as string);
	const ctx = toContext(contextRows);
	const found = repo.toUsers(userRows);
	const byRef = new Map<string, User>();
	for (const u of found) {
		byRef.set(u.id, u);
		for (const id of u.loginIds) byRef.set(loginIdKey(id), u);
	}
	const defs = toDefinitions(defRows);
	const now = deps.now();
	const statements: SQL[] = [];
	const targets: User[] = [];
	const failed: PatchResult["failed"] = [];
	const seen = new Set<string>();
	for (const item of items) {
		const user = byRef.get(loginIdKey(item.ref)) ?? byRef.get(item.ref);
		if (!user) {
			failed.push({ ...item, reason: "User not found" });
			continue;
		}
		if (seen.has(user.id)) {
			failed.push({ ...item, user, reason: "The same user appears more than once in the batch" });
			continue;
		}
		try {
			const itemStatements = patchStatements(projectId, user, item.patch, defs, ctx, now);
			const keys: [string, string][] = [];
			for (const v of item.patch.additionalLoginIds ?? []) {
				keys.push([`l:${loginIdKey(v.trim())}`, `login id "${v.trim()}"`]);
			}
			const email = item.patch.email?.trim();
			if (email) keys.push([`e:${emailKey(email)}`, `email "${email}"`]);
			const phone = item.patch.phone ? checkPhoneQuiet(item.patch.phone) : null;
			if (phone) keys.push([`p:${phone}`, `phone "${phone}"`]);
			// Check every value first, then claim them, so a failed item claims nothing.
			for (const [key, what] of keys) {
				const owner = owners.get(key);
				if (owner && owner !== user.id)
					throw new DomainError("user_exists", `Another user already has ${what}`);
			}
			for (const [key] of keys) owners.set(key, user.id);
			statements.push(...itemStatements);
			seen.add(user.id);
			targets.push(user);
		} catch (error) {
			if (!(error instanceof DomainError)) throw error;
			failed.push({ ...item, user, reason: error.message });
		}
	}
	if (targets.length === 0) return { patched: [], failed };
	const results = await withConstraints(() =>
		batch(deps.d1, [
			...statements,
			repo.usersByIdsQuery(
				projectId,
				targets.map((u) => u.id),
			),
		]),
	);
	const byId = new Map(repo.toUsers(results.at(-1)).map((u) => [u.id, u]));
	// Users disabled by the batch lose their sessions before the call returns.
	const disabled = new Set(
		items
			.filter((i) => i.patch.status === "disabled")
			.map((i) => (byRef.get(loginIdKey(i.ref)) ?? byRef.get(i.ref))?.id),
	);
	await revokeSessionsOfUsers(
		deps,
		projectId,
		targets.filter((t) => disabled.has(t.id)).map((t) => t.id),
	);
	return { patched: targets.map((t) => byId.get(t.id)).filter((u): u is User => u !== undefined), failed };
}

/** Disabling a user also ends every session before returning. */
export async function setStatus(deps: Deps, projectId: string, ref: string, status: UserStatus) {
	const { user } = await readForWrite(deps, projectId, ref);
	const updated = await writeAndRead(deps, projectId, user.id, [
		repo.updateUserStatement(projectId, user.id, { status }, deps.now()),
	]);
	if (status === "disabled") await revokeUserSessions(deps, projectId, user.id);
	return updated;
}

async function loginIdConflict(deps: Deps, projectId: string, userId: string, value: string) {
	const rows = await all<{ user_id: string }>(
		deps.d1,
		repo.existingLoginIdsQuery(projectId, [loginIdKey(value)]),
	);
	return rows.some((r) => r.user_id !== userId);
}

export async function updateEmail(
	deps: Deps,
	projectId: string,
	ref: string,
	value: string,
	verified: boolean | undefined,
	failOnConflict: boolean,
) {
	const { user } = await readForWrite(deps, projectId, ref);
	const email = checkEmail(value) ?? null;
	if (email && failOnConflict && (await loginIdConflict(deps, projectId, user.id, email))) {
		throw new DomainError("user_exists", `"${email}" is another user's login id`, "email");
	}
	return writeAndRead(deps, projectId, user.id, [
		repo.updateUserStatement(
			projectId,
			user.id,
			{ email, verifiedEmail: email !== null && (verified ?? false) },
			deps.now(),
		),
	]);
}

export async function updatePhone(
	deps: Deps,
	projectId: string,
	ref: string,
	value: string,
	verified: boolean | undefined,
	failOnConflict: boolean,
) {
	const { user } = await readForWrite(deps, projectId, ref);
	const phone = checkPhone(value) ?? null;
	if (phone && failOnConflict && (await loginIdConflict(deps, projectId, user.id, phone))) {
		throw new DomainError("user_exists", `"${phone}" is another user's login id`, "phone");
	}
	return writeAndRead(deps, projectId, user.id, [
		repo.updateUserStatement(
			projectId,
			user.id,
			{ phone, verifiedPhone: phone !== null && (verified ?? false) },
			deps.now(),
		),
	]);
}

/** Renames one login id in place, or removes it (never the last one). */
export async function updateLoginId(
	deps: Deps,
	projectId: string,
	ref: string,
	newLoginId: string | undefined,
) {
	const { user } = await readForWrite(deps, projectId, ref);
	// `ref` is the login id to change; a user id means the primary one.
	const target = user.loginIds.find((id) => loginIdKey(id) === loginIdKey(ref)) ?? user.loginIds[0];
	if (!target) throw invalid("loginId", "the user has no login id");
	const next = newLoginId?.trim() ? checkLoginId(newLoginId, "newLoginId") : null;
	if (next === null && user.loginIds.length <= 1) {
		throw invalid("newLoginId", "cannot remove the user's last login id");
	}
	const updated = await writeAndRead(
		deps,
		projectId,
		user.id,
		repo.changeLoginIdStatements(projectId, user.id, target, next, deps.now()),
	);
	if (next === null && updated.loginIds.some((id) => loginIdKey(id) === loginIdKey(target))) {
		// Concurrent removals left this one as the last: the guarded DELETE kept it.
		throw invalid("newLoginId", "cannot remove the user's last login id");
	}
	return updated;
}

export async function updateNames(
	deps: Deps,
	projectId: string,
	ref: string,
	names: Pick<UserPatch, "name" | "givenName" | "middleName" | "familyName">,
) {
	return patchUser(deps, projectId, ref, names);
}

export async function updatePicture(deps: Deps, projectId: string, ref: string, picture: string) {
	return patchUser(deps, projectId, ref, { picture });
}

export async function updateCustomAttribute(
	deps: Deps,
	projectId: string,
	ref: string,
	key: string,
	value: unknown,
) {
	const { user, defs } = await readForWrite(deps, projectId, ref);
	const checked = checkCustomAttributes({ [key]: value }, defs, "attributeKey");
	const now = deps.now();
	return writeAndRead(deps, projectId, user.id, [
		repo.setAttributeStatement(projectId, user.id, key, key in checked.set ? checked.set[key] : null, now),
		...repo.reindexAttributesStatements(projectId, [user.id]),
	]);
}

// ---------------------------------------------------------------- delete

/**
 * Deleting an unknown user succeeds: the end state is the one asked for. The user's sessions end
 * too (a refresh also needs the user row, so the sessions of users deleted in bulk die with it).
 */
export async function deleteUser(deps: Deps, projectId: string, ref: string) {
	const [deleted] = await batch(deps.d1, [
		sql`${repo.deleteUsersStatement(projectId, sql`id = ${repo.resolveRef(projectId, ref)}`)} RETURNING id`,
	]);
	for (const row of deleted ?? []) await revokeUserSessions(deps, projectId, row.id as string);
}

export async function deleteUserById(deps: Deps, projectId: string, userId: string) {
	const [deleted] = await batch(deps.d1, [
		sql`${repo.deleteUsersStatement(projectId, sql`id = ${userId}`)} RETURNING id`,
	]);
	for (const row of deleted ?? []) await revokeUserSessions(deps, projectId, row.id as string);
}

export async function deleteUsers(deps: Deps, projectId: string, userIds: string[]) {
	if (userIds.length > MAX_BATCH) throw invalid("userIds", `at most ${MAX_BATCH} ids per request`);
	await batch(deps.d1, [
		repo.deleteUsersStatement(
			projectId,
			sql`id IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))`,
		),
	]);
}

export async function deleteTestUsers(deps: Deps, projectId: string) {
	await batch(deps.d1, [repo.deleteUsersStatement(projectId, sql`test = 1`)]);
}

export { customAttributeTypes };
