// Creating users: single, invite, batch (one read, one write batch).
import { sql } from "drizzle-orm";
import { batch } from "../../db/sql";
import { newId } from "../../lib/ids";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { assertNotReadOnly, tenantView } from "../scope";
import {
	checkAssignmentsInScope,
	contextQueries,
	resolveAssignments,
	toContext,
	writeAssignmentsStatements,
} from "./assignments";
import { identifierKey } from "./identifiers";
import type { User, UserFields } from "./user.types";
import {
	checkAssignmentLists,
	checkCustomAttributes,
	checkEmail,
	checkLoginId,
	checkLoginIds,
	checkPhone,
	checkProfileText,
} from "./user.validate";
import * as repo from "./users.repo";

import {
	type AttributeDefs,
	checkPhoneQuiet,
	constraintError,
	definitionsQuery,
	MAX_BATCH,
	toDefinitions,
} from "./users.shared";

export interface CreateResult {
	created: User[];
	failed: { input: UserFields; reason: string }[];
}

function buildRow(input: UserFields, defs: AttributeDefs, now: number): repo.NewUserRow {
	const loginId = checkLoginId(input.loginId, "loginId");
	const additional = checkLoginIds(input.additionalLoginIds ?? [], "additionalLoginIds", [loginId]);
	const loginIds = [loginId, ...additional];
	checkAssignmentLists(input);
	const text = checkProfileText(input);
	const attributes = checkCustomAttributes(input.customAttributes ?? {}, defs).set;
	const email = checkEmail(input.email) ?? null;
	const phone = checkPhone(input.phone) ?? null;
	return {
		id: newId("U"),
		loginIds,
		name: text.name ?? null,
		givenName: text.givenName ?? null,
		middleName: text.middleName ?? null,
		familyName: text.familyName ?? null,
		email,
		phone,
		verifiedEmail: email !== null && (input.verifiedEmail ?? false),
		verifiedPhone: phone !== null && (input.verifiedPhone ?? false),
		picture: text.picture ?? null,
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
	assertNotReadOnly(deps);
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
			checkAssignmentsInScope(input, tenantIds, true);
			const row = buildRow(input, defs, now);
			const resolved = resolveAssignments(input, ctx, { isNewUser: true });
			// A tenant-bound key grants no project role, not even the project's defaults.
			if (tenantIds) resolved.projectRoleIds = [];
			const clash = row.loginIds.find((id) => usedLogins.has(identifierKey(id)));
			if (clash)
				throw new DomainError("user_exists", `A user with login id "${clash}" already exists`, "loginId");
			if (row.email && usedEmails.has(identifierKey(row.email))) {
				throw new DomainError("user_exists", `Another user already has email "${row.email}"`, "email");
			}
			if (row.phone && usedPhones.has(row.phone)) {
				throw new DomainError("user_exists", `Another user already has phone "${row.phone}"`, "phone");
			}
			for (const id of row.loginIds) usedLogins.add(identifierKey(id));
			if (row.email) usedEmails.add(identifierKey(row.email));
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
	const results = await batch(d.d1, [
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

export async function createUser(deps: Deps, projectId: string, input: UserFields): Promise<User> {
	const { created } = await createUsers(deps, projectId, [input], { single: true });
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
	return createUser(deps, projectId, { ...input, status: input.status ?? "invited" });
}
