// Patching many users in one request: per-item failures, one write batch.
import { type SQL, sql } from "drizzle-orm";
import { batch } from "../../db/sql";
import type { Entry } from "../commit";
import { commit } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { asUserId, identifierKey, isUserIdShaped } from "./identifiers";
import { contextQueries, toContext } from "./user.assignments-sql";
import { endsSessions, patchStatements } from "./user.patch";
import type { User, UserPatch } from "./user.types";
import * as repo from "./users.repo";
import { checkPhoneQuiet, definitionsQuery, MAX_BATCH, toDefinitions } from "./users.shared";

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
	// A ref in user-id shape is a user id, anything else a login id (by identifier key).
	const refKey = (ref: string) => (isUserIdShaped(ref) ? `u:${asUserId(ref)}` : `l:${identifierKey(ref)}`);
	const userIds = items.filter((i) => isUserIdShaped(i.ref)).map((i) => asUserId(i.ref));
	const loginRefs = items.filter((i) => !isUserIdShaped(i.ref)).map((i) => identifierKey(i.ref));
	// Values the patches would take, to find collisions with other users before writing.
	const wantedLogins = items.flatMap((i) => (i.patch.additionalLoginIds ?? []).map(identifierKey));
	const wantedEmails = items.flatMap((i) => (i.patch.email?.trim() ? [identifierKey(i.patch.email)] : []));
	const wantedPhones = items.flatMap((i) => {
		const p = i.patch.phone ? checkPhoneQuiet(i.patch.phone) : null;
		return p ? [p] : [];
	});
	const [userRows, defRows, takenLogins, takenEmails, takenPhones, ...contextRows] = await batch(deps.d1, [
		repo.selectUsers(sql`+u.project_id = ${projectId} AND u.id IN (
			SELECT value FROM json_each(${JSON.stringify(userIds)})
			UNION SELECT user_id FROM user_login_ids WHERE project_id = ${projectId}
				AND login_id_lower IN (SELECT value FROM json_each(${JSON.stringify(loginRefs)})))`),
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
		byRef.set(`u:${u.id}`, u);
		// A login id in user-id shape (kept from before the rule) addresses nothing.
		for (const id of u.loginIds) if (!isUserIdShaped(id)) byRef.set(`l:${identifierKey(id)}`, u);
	}
	const defs = toDefinitions(defRows);
	const now = deps.now();
	const statements: SQL[] = [];
	const entries: Entry[] = [];
	const targets: User[] = [];
	const failed: PatchResult["failed"] = [];
	const seen = new Set<string>();
	for (const item of items) {
		const user = byRef.get(refKey(item.ref));
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
				keys.push([`l:${identifierKey(v)}`, `login id "${v.trim()}"`]);
			}
			const email = item.patch.email?.trim();
			if (email) keys.push([`e:${identifierKey(email)}`, `email "${email}"`]);
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
			entries.push(...itemStatements.entries);
			seen.add(user.id);
			targets.push(user);
		} catch (error) {
			if (!(error instanceof DomainError)) throw error;
			failed.push({ ...item, user, reason: error.message });
		}
	}
	if (targets.length === 0) return { patched: [], failed };
	// Users disabled (or unregistered) by the batch lose their sessions before the call returns.
	const disabled = new Set(
		items.filter((i) => endsSessions(i.patch.status)).map((i) => byRef.get(refKey(i.ref))?.id),
	);
	const { reads } = await commit(deps, projectId, {
		statements,
		entries,
		reads: [
			repo.usersByIdsQuery(
				projectId,
				targets.map((u) => u.id),
			),
		],
		effects: { revokeSessionsOf: targets.filter((t) => disabled.has(t.id)).map((t) => t.id) },
	});
	const byId = new Map(repo.toUsers(reads[0]).map((u) => [u.id, u]));
	return { patched: targets.map((t) => byId.get(t.id)).filter((u): u is User => u !== undefined), failed };
}
