// Patching one user: only the given fields change. The one partial-update command of every dialect
// (Descope `management.user.patch`, v4 PATCH, legacy PUT, later SCIM PATCH): the same validators,
// the same statements, the same change rows, optionally guarded by the version a client read.
import type { SQL } from "drizzle-orm";
import { sql } from "drizzle-orm";
import { all } from "../../db/sql";
import type { Entry } from "../commit";
import type { Deps } from "../deps";
import { DomainError } from "../errors";
import { assertNotReadOnly } from "../scope";
import { identifierKey } from "./identifiers";
import {
	type AssignmentContext,
	resolveAssignments,
	writeAssignmentsStatements,
} from "./user.assignments-sql";
import { assignmentsOf, changesOf, statusEntry, userEntry } from "./user.changes";
import { namedCollision } from "./user.collisions";
import type { User, UserPatch, UserStatus } from "./user.types";
import {
	checkAssignmentLists,
	checkAttributesSize,
	checkCustomAttributes,
	checkEmail,
	checkExternalId,
	checkLocale,
	checkLoginId,
	checkLoginIds,
	checkPhone,
	checkProfileText,
	checkTimeZone,
	checkUserFlags,
	IssueCollector,
} from "./user.validate";
import { recordByIdQuery, toRecords, type UserRecord } from "./users.list";
import * as repo from "./users.repo";
import {
	type AttributeDefs,
	commitUserWith,
	type EnsuredAttribute,
	readForWrite,
	withEnsuredDefinitions,
} from "./users.shared";

export interface PatchOptions {
	/**
	 * If-Match (docs/rest-v4.md): the patch applies only while the user is at one of these versions;
	 * otherwise `precondition_failed` and nothing changes, checked inside the write's own batch.
	 */
	versions?: number[];
	/**
	 * When the email or external id changes, a login id equal to the old value becomes the new one,
	 * so a user who signs in with their address keeps one identity (the v4 model, docs/rest-v4.md).
	 */
	loginIdFollows?: boolean;
	/** Custom attributes the patch sets, defined (when missing) in the same batch. */
	ensureAttributes?: EnsuredAttribute[];
}

/** The profile fields of a user, as change rows name them. */
export const profileOf = (u: User) => ({
	name: u.name,
	givenName: u.givenName,
	middleName: u.middleName,
	familyName: u.familyName,
	email: u.email,
	phone: u.phone,
	verifiedEmail: u.verifiedEmail,
	verifiedPhone: u.verifiedPhone,
	picture: u.picture,
	customAttributes: u.customAttributes,
	additionalLoginIds: u.loginIds.slice(1),
	externalId: u.externalId,
	userFlags: u.userFlags,
});

/**
 * user.updated with before → after of the fields touched, and one status row: user.registered
 * (invited → enabled), user.enabled, user.disabled or user.unregistered (back to invited).
 */
export function updateEntries(user: User, after: Record<string, unknown>, status: UserStatus | undefined) {
	const changes = changesOf({ ...profileOf(user), ...assignmentsOf(user) }, after);
	return [
		...(Object.keys(changes).length ? [userEntry(user, "user.updated", changes)] : []),
		...statusEntry(user, status),
	];
}

export const sortedAssignments = (a: {
	roleNames?: string[];
	userTenants?: { tenantId: string; roleNames?: string[] }[];
	ssoAppIds?: string[];
}) => ({
	roleNames: a.roleNames && [...a.roleNames].sort(),
	userTenants: a.userTenants
		?.map((t) => ({ tenantId: t.tenantId, roleNames: [...(t.roleNames ?? [])].sort() }))
		.sort((x, y) => x.tenantId.localeCompare(y.tenantId)),
	ssoAppIds: a.ssoAppIds && [...a.ssoAppIds].sort(),
});

/**
 * A verified flag holds only for a value the user has after the patch, and a new address or
 * number is not verified until said so.
 */
function verifiedFlag(given: string | null | undefined, current: string | null, flag: boolean | undefined) {
	const value = given === undefined ? current : given;
	if (value === null) return flag !== undefined || given === null ? false : undefined;
	if (flag === undefined && given !== undefined && given !== current) return false;
	return flag;
}

/** The status a patch leads to: `registered` is status seen as registration (invited ↔ registered). */
function statusAfter(user: User, patch: UserPatch): UserStatus | undefined {
	if (patch.status !== undefined) return patch.status;
	if (patch.registered === false) return "invited";
	if (patch.registered === true && user.status === "invited") return "enabled";
	return undefined;
}

/** Whether a status change ends the user's sessions: disabled, or back to invited. */
export const endsSessions = (status: UserStatus | undefined) => status === "disabled" || status === "invited";

/**
 * The statements and change rows of one patch, every field checked (all refusals at once, as
 * FieldErrors). Used for one user here and for many in user.patch-batch.ts.
 */
export function patchStatements(
	projectId: string,
	user: User,
	patch: UserPatch,
	defs: AttributeDefs,
	ctx: AssignmentContext,
	now: number,
	options: PatchOptions = {},
) {
	const issues = new IssueCollector();
	issues.take(() => checkAssignmentLists(patch));
	const text = issues.take(() => checkProfileText(patch)) ?? {};
	const email = issues.take(() => checkEmail(patch.email));
	const phone = issues.take(() => checkPhone(patch.phone));
	const externalId = issues.take(() => checkExternalId(patch.externalId));
	const userFlags = issues.take(() => checkUserFlags(patch.userFlags));
	const locale = issues.take(() => checkLocale(patch.locale));
	const timeZone = issues.take(() => checkTimeZone(patch.timeZone));
	const attributes = patch.customAttributes
		? issues.take(() => checkCustomAttributes(patch.customAttributes ?? {}, defs))
		: undefined;
	const primary = user.loginIds[0] ?? "";
	const renamed =
		patch.loginId === undefined ? undefined : issues.take(() => checkLoginId(patch.loginId, "loginId"));
	const rename = renamed !== undefined && renamed !== primary ? renamed : undefined;
	const additional =
		patch.additionalLoginIds === undefined
			? undefined
			: issues.take(() =>
					checkLoginIds(patch.additionalLoginIds ?? [], "additionalLoginIds", [rename ?? primary]),
				);
	if (attributes) {
		// What the user will hold once merged (a concurrent patch may add a little to it).
		const after = { ...user.customAttributes, ...attributes.set };
		for (const name of attributes.remove) delete after[name];
		issues.take(() => checkAttributesSize(after));
	}
	issues.throwIfAny();
	const resolved = resolveAssignments(patch, ctx);
	const status = statusAfter(user, patch);
	const merge = attributes
		? { ...attributes.set, ...Object.fromEntries(attributes.remove.map((n) => [n, null])) }
		: undefined;
	const statements: SQL[] = [];
	if (rename !== undefined)
		statements.push(...repo.changeLoginIdStatements(projectId, user.id, primary, rename, now));
	if (options.loginIdFollows) {
		statements.push(...followStatements(projectId, user, "email", email));
		statements.push(...followStatements(projectId, user, "externalId", externalId));
	}
	const verifiedEmail = verifiedFlag(email, user.email, patch.verifiedEmail);
	const verifiedPhone = verifiedFlag(phone, user.phone, patch.verifiedPhone);
	statements.push(
		repo.updateUserStatement(
			projectId,
			user.id,
			{
				...text,
				email,
				phone,
				verifiedEmail,
				verifiedPhone,
				status: patch.status ?? (patch.registered === false ? "invited" : undefined),
				register: patch.status === undefined && patch.registered === true,
				externalId,
				mergeCustomAttributes: merge,
			},
			now,
		),
	);
	if (userFlags !== undefined) statements.push(...repo.setUserFlagsStatements(projectId, user.id, userFlags));
	if (additional !== undefined) {
		statements.push(...repo.replaceAdditionalLoginIdsStatements(projectId, user.id, additional));
	}
	if (merge) statements.push(...repo.reindexAttributesStatements(projectId, [user.id]));
	if (locale !== undefined || timeZone !== undefined) {
		statements.push(repo.updateDefaultProfileStatement(projectId, user.id, { locale, timeZone }, now));
	}
	statements.push(...writeAssignmentsStatements(projectId, [{ userId: user.id, resolved }], now));
	const mergedAttributes = attributes
		? Object.fromEntries(
				Object.entries({ ...user.customAttributes, ...attributes.set }).filter(
					([name]) => !attributes.remove.includes(name),
				),
			)
		: undefined;
	const after = {
		...text,
		email,
		phone,
		verifiedEmail,
		verifiedPhone,
		customAttributes: mergedAttributes,
		externalId,
		userFlags,
		additionalLoginIds: additional,
		locale,
		timeZone,
		...sortedAssignments(patch),
	};
	const entries: Entry[] = [
		...(rename !== undefined
			? [
					userEntry(
						user,
						"user.login_id.changed",
						{ loginId: { before: primary, after: rename } },
						{ loginId: primary },
					),
				]
			: []),
		...updateEntries(user, after, status),
	];
	return Object.assign(statements, { entries, status });
}

/** A login id equal to the user's old email / external id takes the new value (then login_ids is rebuilt). */
function followStatements(
	projectId: string,
	user: User,
	field: "email" | "externalId",
	value: string | null | undefined,
): SQL[] {
	const old = field === "email" ? user.email : user.externalId;
	if (value === undefined || value === null || old === null || old === value) return [];
	if (!user.loginIds.includes(old)) return [];
	return [
		sql`UPDATE user_login_ids SET login_id = ${value}, login_id_lower = ${identifierKey(value)}
			WHERE project_id = ${projectId} AND user_id = ${user.id} AND login_id = ${old}`,
		repo.syncLoginIdsStatement(projectId, user.id),
	];
}

/** The user still at one of `versions`: the precondition of a guarded write. */
export const atVersion = (projectId: string, userId: string, versions: number[]) =>
	sql`SELECT 1 FROM users WHERE project_id = ${projectId} AND id = ${userId}
		AND version IN (SELECT value FROM json_each(${JSON.stringify(versions)}))`;

export const staleError = (userId: string, version: number) =>
	new DomainError(
		"precondition_failed",
		`User ${userId} has changed: its current version is ${version}; read it again and retry`,
	);

/** One patch of one user: read, check, one batch (with the version guard when given), read back. */
async function applyPatch(
	scoped: Deps,
	projectId: string,
	ref: string,
	patch: UserPatch,
	options: PatchOptions,
	readBack: (userId: string) => SQL,
) {
	// A read-only key is refused even a patch that changes nothing.
	assertNotReadOnly(scoped);
	const read = await readForWrite(scoped, projectId, ref, patch);
	const { user, ctx, deps } = read;
	if (options.versions && !options.versions.includes(user.version)) throw staleError(user.id, user.version);
	// Nothing given: nothing changes, not even the version.
	if (Object.values(patch).every((v) => v === undefined)) {
		const rows = await all<Record<string, unknown>>(deps.d1, readBack(user.id));
		return { user: repo.toUsers(rows)[0] ?? user, rows };
	}
	const ensured = withEnsuredDefinitions(projectId, read.defs, options.ensureAttributes, deps.now());
	const statements = patchStatements(projectId, user, patch, ensured.defs, ctx, deps.now(), options);
	try {
		return await commitUserWith(
			deps,
			projectId,
			{
				preconditions: options.versions ? [atVersion(projectId, user.id, options.versions)] : undefined,
				statements: [...ensured.statements, ...statements],
				entries: [...ensured.entries, ...statements.entries],
				// Disabling or unregistering a user ends every session they hold.
				effects: endsSessions(statements.status) ? { revokeSessionsOf: [user.id] } : undefined,
			},
			readBack(user.id),
		);
	} catch (error) {
		if (error instanceof DomainError && error.code === "precondition_failed") {
			const [now] = await all<{ version: number }>(
				deps.d1,
				sql`SELECT version FROM users WHERE project_id = ${projectId} AND id = ${user.id}`,
			);
			if (!now) throw new DomainError("user_not_found", `No user with id "${user.id}"`);
			throw staleError(user.id, Number(now.version));
		}
		throw await namedCollision(deps, projectId, user.id, patch, error);
	}
}

/** Only the given fields change; each is its own column, so concurrent patches compose. */
export async function patchUser(
	scoped: Deps,
	projectId: string,
	ref: string,
	patch: UserPatch,
	options: PatchOptions = {},
): Promise<User> {
	const { user } = await applyPatch(scoped, projectId, ref, patch, options, (id) =>
		repo.userByIdQuery(projectId, id),
	);
	return user;
}

/** The same patch, answered with the user and their default profile (the v4 and legacy view). */
export async function patchUserRecord(
	scoped: Deps,
	projectId: string,
	userId: string,
	patch: UserPatch,
	options: PatchOptions = {},
): Promise<UserRecord> {
	const { rows } = await applyPatch(scoped, projectId, userId, patch, options, (id) =>
		recordByIdQuery(projectId, id),
	);
	const record = toRecords(rows)[0];
	if (!record) throw new DomainError("user_not_found", `No user with id "${userId}"`);
	return record;
}
