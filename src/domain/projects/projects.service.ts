import { batch } from "../../db/sql";
import { sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { changesOf, commit } from "../commit";
import type { Deps } from "../deps";
import { DomainError } from "../errors";
import { checkAllowedRedirectUrls } from "../federation/providers.urls";
import { checkLength } from "../input-limits";
import { insertKeySql } from "../keys/keys.repo";
import { keyCreated, type ManagementKey, newKeySecret } from "../keys/keys.service";
import { MAX_NAME_LENGTH } from "../limits";
import { firstSigningKey } from "../sessions/signing-keys";
import * as repo from "./projects.repo";

export type Project = repo.ProjectRow;

/**
 * What a change row shows of a project. The password policy is recorded as `policy`: the log's
 * secret filter drops every field whose name says password (src/domain/commit.ts).
 */
const recorded = (p: Partial<Project>) => {
	const { passwordPolicy, id: _id, createdAt: _at, ...rest } = p;
	return { ...rest, ...(passwordPolicy !== undefined ? { policy: passwordPolicy } : {}) };
};

/** Creates a project, its first management key and its first signing key in one batch. */
export async function createProject(deps: Deps, name: string) {
	checkLength("name", name, MAX_NAME_LENGTH);
	const now = deps.now();
	const row = { id: newId("P"), name, createdAt: now };
	const managementKey = newKeySecret();
	const key: ManagementKey = {
		id: newId("K"),
		projectId: row.id,
		name: "initial",
		description: "Issued with the project by the operator API",
		keyHash: await sha256Hex(managementKey),
		status: "active",
		expiresAt: null,
		permittedIps: [],
		reBac: {},
		readOnly: false,
		tenantIds: [],
		createdAt: now,
		lastUsedAt: null,
	};
	const signing = await firstSigningKey(row.id, now);
	const { reads } = await commit(deps, row.id, {
		statements: [repo.insertProjectSql(row), insertKeySql(key), repo.insertSigningKeySql(signing)],
		entries: [
			{
				action: "project.created",
				target: { type: "project", id: row.id },
				changes: changesOf({}, { name }),
				data: { signingKeyId: signing.kid },
			},
			keyCreated(key),
		],
		reads: [repo.projectSql(row.id)],
	});
	const project = reads[0]?.[0];
	if (!project) throw new DomainError("internal", "Project was not created");
	return { project: repo.toProject(project), managementKey, keyId: key.id };
}

export async function getProject(deps: Deps, id: string) {
	const project = await repo.findProject(deps.db, id);
	if (!project) throw new DomainError("not_found", `Project ${id} not found`, "projectId");
	return project;
}

export const listProjects = (deps: Deps, after: string | undefined, limit: number) =>
	repo.listProjects(deps.db, after, limit);

/** The project and, when asked, its management keys' hashes: one read. */
async function readProject(deps: Deps, id: string, withKeys: boolean) {
	const [found, hashes] = await batch(deps.d1, [
		repo.projectSql(id),
		...(withKeys ? [repo.keyHashesSql(id)] : []),
	]);
	if (!found?.[0]) throw new DomainError("not_found", `Project ${id} not found`, "projectId");
	return { project: repo.toProject(found[0]), keyHashes: (hashes ?? []).map((h) => h.keyHash as string) };
}

/**
 * Deletes the project with every row that belongs to it, its change rows included. No
 * `project.deleted` entry is kept: the project's log goes with it, and no key could read it.
 */
export async function deleteProject(deps: Deps, id: string) {
	const { keyHashes } = await readProject(deps, id, true);
	await commit(deps, id, {
		statements: repo.deleteProjectSql(id),
		// Its keys stop working at once.
		effects: { forgetKeyHashes: keyHashes },
	});
}

export interface ProjectSettings {
	sessionTtl?: number;
	refreshTtl?: number;
	/** Merged into the current policy: the rules not given keep their values. */
	passwordPolicy?: Partial<Project["passwordPolicy"]>;
	lockoutAttempts?: number;
	lockoutSeconds?: number;
	/** Which management rate limit the project's keys get (docs/security.md). */
	rateLimitTier?: Project["rateLimitTier"];
	/** Days its activity entries are kept (docs/audit.md). */
	activityRetentionDays?: number;
	/** Where federated sign-in may return the browser (docs/federation.md); replaces the list. */
	allowedRedirectUrls?: string[];
}

/** Session lifetimes, password policy, lockout, rate-limit tier, activity retention and redirect allowlist; only the given settings change. */
export async function updateSettings(deps: Deps, id: string, settings: ProjectSettings) {
	const defined = <T extends object>(o: T) =>
		Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
	const { passwordPolicy, ...rest } = defined(settings);
	if (rest.allowedRedirectUrls)
		rest.allowedRedirectUrls = checkAllowedRedirectUrls(deps.env, rest.allowedRedirectUrls);
	const { project: before, keyHashes } = await readProject(deps, id, rest.rateLimitTier !== undefined);
	const given: Partial<Project> = {
		...rest,
		...(passwordPolicy ? { passwordPolicy: { ...before.passwordPolicy, ...defined(passwordPolicy) } } : {}),
	};
	const after: Project = { ...before, ...given };
	const changes = changesOf(recorded(before), recorded(given));
	if (Object.keys(changes).length === 0) return before;
	await commit(deps, id, {
		statements: [repo.updateProjectSql(id, given)],
		entries: [{ action: "project.updated", target: { type: "project", id }, changes }],
		// The key cache carries the tier: drop the project's entries so the next call reads the new one.
		effects: { forgetKeyHashes: before.rateLimitTier !== after.rateLimitTier ? keyHashes : [] },
	});
	return after;
}
