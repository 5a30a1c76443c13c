// Changing one user: overwrite, patch, status, email, phone, login id, names, picture, attributes.
import { all } from "../../db/sql";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { identifierKey, isUserIdShaped } from "./identifiers";
import { resolveAssignments, writeAssignmentsStatements } from "./user.assignments-sql";
import { statusEntry, userEntry } from "./user.changes";
import { endsSessions, patchUser, sortedAssignments, updateEntries } from "./user.patch";
import type { UserFields, UserPatch, UserStatus } from "./user.types";
import {
	checkAssignmentLists,
	checkAttributesSize,
	checkCustomAttributes,
	checkEmail,
	checkLoginId,
	checkLoginIds,
	checkPhone,
	checkProfileText,
	profileColumns,
} from "./user.validate";
import * as repo from "./users.repo";
import { commitUser, readForWrite } from "./users.shared";

const revokeIf = (status: UserStatus | undefined, userId: string) =>
	endsSessions(status) ? { revokeSessionsOf: [userId] } : undefined;

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
		effects: revokeIf(status, user.id),
	});
}

/** Disabling (or unregistering) a user also ends every session before returning. */
export async function setStatus(scoped: Deps, projectId: string, ref: string, status: UserStatus) {
	const { user, deps } = await readForWrite(scoped, projectId, ref);
	return commitUser(deps, projectId, user.id, {
		statements: [repo.updateUserStatement(projectId, user.id, { status }, deps.now())],
		entries: statusEntry(user, status),
		effects: revokeIf(status, user.id),
	});
}

async function loginIdConflict(deps: Deps, projectId: string, userId: string, value: string) {
	const rows = await all<{ user_id: string }>(
		deps.d1,
		repo.existingLoginIdsQuery(projectId, [identifierKey(value)]),
	);
	return rows.some((r) => r.user_id !== userId);
}

/** Sets or (null) removes the email or phone; `failOnConflict` refuses another user's login id. */
async function updateContact(
	scoped: Deps,
	projectId: string,
	ref: string,
	field: "email" | "phone",
	given: string | null,
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
	value: string | null,
	verified: boolean | undefined,
	failOnConflict: boolean,
) => updateContact(deps, projectId, ref, "email", value, verified, failOnConflict);

export const updatePhone = (
	deps: Deps,
	projectId: string,
	ref: string,
	value: string | null,
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

export async function updatePicture(deps: Deps, projectId: string, ref: string, picture: string | null) {
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
