// Changing one user: overwrite, patch, status, email, phone, login id, names, picture, attributes.
import type { SQL } from "drizzle-orm";
import { all } from "../../db/sql";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { identifierKey, isUserIdShaped } from "./identifiers";
import {
	type AssignmentContext,
	resolveAssignments,
	writeAssignmentsStatements,
} from "./user.assignments-sql";
import { assignmentsOf, changesOf, statusEntry, userEntry } from "./user.changes";
import type { User, UserFields, UserPatch, UserStatus } from "./user.types";
import {
	checkAssignmentLists,
	checkAttributesSize,
	checkCustomAttributes,
	checkEmail,
	checkExternalId,
	checkLoginId,
	checkLoginIds,
	checkPhone,
	checkProfileText,
	checkUserFlags,
	profileColumns,
} from "./user.validate";
import * as repo from "./users.repo";
import { type AttributeDefs, commitUser, readForWrite } from "./users.shared";

const revokeIf = (disabled: boolean, userId: string) =>
	disabled ? { revokeSessionsOf: [userId] } : undefined;

/** The profile fields of a user, as change rows name them. */
const profileOf = (u: User) => ({
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

/** user.updated with before → after of the fields touched, and user.enabled/disabled for status. */
function updateEntries(user: User, after: Record<string, unknown>, status: UserStatus | undefined) {
	const changes = changesOf({ ...profileOf(user), ...assignmentsOf(user) }, after);
	return [
		...(Object.keys(changes).length ? [userEntry(user, "user.updated", changes)] : []),
		...statusEntry(user, status),
	];
}

const sortedAssignments = (a: {
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
	checkAssignmentLists(assignmentFields);
	// Names and picture are refused before the read, so an over-long one is a 400 even for an unknown user.
	checkProfileText(input);
	const { user, defs, ctx } = await readForWrite(deps, projectId, ref, assignmentFields);
	const resolved = resolveAssignments(assignmentFields, ctx);
	const primary = user.loginIds[0] ?? ref;
	const additional = checkLoginIds(input.additionalLoginIds ?? [], "additionalLoginIds", [primary]);
	const now = deps.now();
	const columns = { ...profileColumns(input, defs), status: input.status };
	const { status, ...profile } = columns;
	return commitUser(deps, projectId, user.id, {
		statements: [
			repo.updateUserStatement(projectId, user.id, columns, now),
			...repo.replaceAdditionalLoginIdsStatements(projectId, user.id, additional),
			...repo.reindexAttributesStatements(projectId, [user.id]),
			...writeAssignmentsStatements(projectId, [{ userId: user.id, resolved }], now),
		],
		entries: updateEntries(
			user,
			{ ...profile, additionalLoginIds: additional, ...sortedAssignments(assignmentFields) },
			status,
		),
		effects: revokeIf(status === "disabled", user.id),
	});
}

export function patchStatements(
	projectId: string,
	user: User,
	patch: UserPatch,
	defs: AttributeDefs,
	ctx: AssignmentContext,
	now: number,
) {
	checkAssignmentLists(patch);
	const resolved = resolveAssignments(patch, ctx);
	const statements: SQL[] = [];
	const text = checkProfileText(patch);
	const email = checkEmail(patch.email);
	const phone = checkPhone(patch.phone);
	const externalId = checkExternalId(patch.externalId);
	const userFlags = checkUserFlags(patch.userFlags);
	const attributes = patch.customAttributes ? checkCustomAttributes(patch.customAttributes, defs) : undefined;
	const merge = attributes
		? { ...attributes.set, ...Object.fromEntries(attributes.remove.map((n) => [n, null])) }
		: undefined;
	if (attributes) {
		// What the user will hold once merged (a concurrent patch may add a little to it).
		const after = { ...user.customAttributes, ...attributes.set };
		for (const name of attributes.remove) delete after[name];
		checkAttributesSize(after);
	}
	statements.push(
		repo.updateUserStatement(
			projectId,
			user.id,
			{
				name: text.name,
				givenName: text.givenName,
				middleName: text.middleName,
				familyName: text.familyName,
				email,
				phone,
				verifiedEmail: verifiedFlag(email, user.email, patch.verifiedEmail),
				verifiedPhone: verifiedFlag(phone, user.phone, patch.verifiedPhone),
				picture: text.picture,
				status: patch.status,
				externalId,
				mergeCustomAttributes: merge,
			},
			now,
		),
	);
	if (userFlags !== undefined) statements.push(...repo.setUserFlagsStatements(projectId, user.id, userFlags));
	if (patch.additionalLoginIds !== undefined) {
		const additional = checkLoginIds(patch.additionalLoginIds, "additionalIdentifiers", [
			user.loginIds[0] ?? "",
		]);
		statements.push(...repo.replaceAdditionalLoginIdsStatements(projectId, user.id, additional));
	}
	if (merge) statements.push(...repo.reindexAttributesStatements(projectId, [user.id]));
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
		verifiedEmail: verifiedFlag(email, user.email, patch.verifiedEmail),
		verifiedPhone: verifiedFlag(phone, user.phone, patch.verifiedPhone),
		customAttributes: mergedAttributes,
		externalId,
		userFlags,
		additionalLoginIds: patch.additionalLoginIds?.map((id) => id.trim()),
		...sortedAssignments(patch),
	};
	return Object.assign(statements, { entries: updateEntries(user, after, patch.status) });
}

/** A verified flag can only be true for a value the user has (after the patch). */
function verifiedFlag(given: string | null | undefined, current: string | null, flag: boolean | undefined) {
	const value = given === undefined ? current : given;
	if (value === null) return flag !== undefined || given === null ? false : undefined;
	return flag;
}

/** Only the given fields change; each is its own column, so concurrent patches compose. */
export async function patchUser(scoped: Deps, projectId: string, ref: string, patch: UserPatch) {
	const { user, defs, ctx, deps } = await readForWrite(scoped, projectId, ref, patch);
	const statements = patchStatements(projectId, user, patch, defs, ctx, deps.now());
	return commitUser(deps, projectId, user.id, {
		statements,
		entries: statements.entries,
		effects: revokeIf(patch.status === "disabled", user.id),
	});
}

/** Disabling a user also ends every session before returning. */
export async function setStatus(scoped: Deps, projectId: string, ref: string, status: UserStatus) {
	const { user, deps } = await readForWrite(scoped, projectId, ref);
	return commitUser(deps, projectId, user.id, {
		statements: [repo.updateUserStatement(projectId, user.id, { status }, deps.now())],
		entries: statusEntry(user, status),
		effects: revokeIf(status === "disabled", user.id),
	});
}

async function loginIdConflict(deps: Deps, projectId: string, userId: string, value: string) {
	const rows = await all<{ user_id: string }>(
		deps.d1,
		repo.existingLoginIdsQuery(projectId, [identifierKey(value)]),
	);
	return rows.some((r) => r.user_id !== userId);
}

/** Sets or (empty) removes the email or phone; `failOnConflict` refuses another user's login id. */
async function updateContact(
	scoped: Deps,
	projectId: string,
	ref: string,
	field: "email" | "phone",
	given: string,
	verified: boolean | undefined,
	failOnConflict: boolean,
) {
	const { user, deps } = await readForWrite(scoped, projectId, ref);
	const value = (field === "email" ? checkEmail(given) : checkPhone(given)) ?? null;
	if (value && failOnConflict && (await loginIdConflict(deps, projectId, user.id, value))) {
		throw new DomainError("user_exists", `"${value}" is another user's login id`, field);
	}
	const isVerified = value !== null && (verified ?? false);
	const changes =
		field === "email"
			? { email: value, verifiedEmail: isVerified }
			: { phone: value, verifiedPhone: isVerified };
	return commitUser(deps, projectId, user.id, {
		statements: [repo.updateUserStatement(projectId, user.id, changes, deps.now())],
		entries: updateEntries(user, changes, undefined),
	});
}

export const updateEmail = (
	deps: Deps,
	projectId: string,
	ref: string,
	value: string,
	verified: boolean | undefined,
	failOnConflict: boolean,
) => updateContact(deps, projectId, ref, "email", value, verified, failOnConflict);

export const updatePhone = (
	deps: Deps,
	projectId: string,
	ref: string,
	value: string,
	verified: boolean | undefined,
	failOnConflict: boolean,
) => updateContact(deps, projectId, ref, "phone", value, verified, failOnConflict);

/** Renames one login id in place, or removes it (never the last one). */
export async function updateLoginId(
	scoped: Deps,
	projectId: string,
	ref: string,
	newLoginId: string | undefined,
) {
	const { user, deps } = await readForWrite(scoped, projectId, ref);
	// `ref` is the login id to change; a user id means the primary one.
	const target =
		(isUserIdShaped(ref)
			? undefined
			: user.loginIds.find((id) => identifierKey(id) === identifierKey(ref))) ?? user.loginIds[0];
	if (!target) throw invalid("loginId", "the user has no login id");
	const next = newLoginId?.trim() ? checkLoginId(newLoginId, "newLoginId") : null;
	if (next === null && user.loginIds.length <= 1) {
		throw invalid("newLoginId", "cannot remove the user's last login id");
	}
	const updated = await commitUser(deps, projectId, user.id, {
		statements: repo.changeLoginIdStatements(projectId, user.id, target, next, deps.now()),
		entries: [
			userEntry(
				user,
				"user.login_id.changed",
				{ loginId: { before: target, after: next } },
				{ loginId: target },
			),
		],
	});
	if (next === null && updated.loginIds.some((id) => identifierKey(id) === identifierKey(target))) {
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
	scoped: Deps,
	projectId: string,
	ref: string,
	key: string,
	value: unknown,
) {
	const { user, defs, deps } = await readForWrite(scoped, projectId, ref);
	const checked = checkCustomAttributes({ [key]: value }, defs, "attributeKey");
	const after = { ...user.customAttributes, ...checked.set };
	if (!(key in checked.set)) delete after[key];
	checkAttributesSize(after, "attributeValue");
	const now = deps.now();
	return commitUser(deps, projectId, user.id, {
		statements: [
			repo.setAttributeStatement(projectId, user.id, key, key in checked.set ? checked.set[key] : null, now),
			...repo.reindexAttributesStatements(projectId, [user.id]),
		],
		entries: updateEntries(user, { customAttributes: after }, undefined),
	});
}
