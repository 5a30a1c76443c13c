import { signingKeys } from "../../db/schema";
import { forgetCachedKeys } from "../../kv/key-cache";
import { sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import type { Deps } from "../deps";
import { DomainError } from "../errors";
import { checkLength } from "../input-limits";
import { insertKeyStatement } from "../keys/keys.repo";
import { newKeySecret } from "../keys/keys.service";
import { MAX_NAME_LENGTH } from "../limits";
import { firstSigningKey } from "../sessions/signing-keys";
import * as repo from "./projects.repo";

export type Project = repo.ProjectRow;

/** Creates a project, its first management key and its first signing key in one batch. */
export async function createProject(deps: Deps, name: string) {
	checkLength("name", name, MAX_NAME_LENGTH);
	const now = deps.now();
	const row = { id: newId("P"), name, createdAt: now };
	const managementKey = newKeySecret();
	const keyId = newId("K");
	const signing = await firstSigningKey(row.id, now);
	const [inserted] = await deps.db.batch([
		repo.insertProjectStatement(deps.db, row).returning(),
		insertKeyStatement(deps.db, {
			id: keyId,
			projectId: row.id,
			name: "initial",
			description: "Issued with the project by the operator API",
			keyHash: await sha256Hex(managementKey),
			createdAt: now,
		}),
		deps.db.insert(signingKeys).values(signing),
	]);
	const project = inserted[0];
	if (!project) throw new DomainError("internal", "Project was not created");
	return { project, managementKey, keyId };
}

export async function getProject(deps: Deps, id: string) {
	const project = await repo.findProject(deps.db, id);
	if (!project) throw new DomainError("not_found", `Project ${id} not found`, "projectId");
	return project;
}

export const listProjects = (deps: Deps, after: string | undefined, limit: number) =>
	repo.listProjects(deps.db, after, limit);

export async function deleteProject(deps: Deps, id: string) {
	const { keyHashes, deleted } = await repo.deleteProject(deps.db, id);
	if (!deleted) throw new DomainError("not_found", `Project ${id} not found`, "projectId");
	await forgetCachedKeys(deps.kv, keyHashes);
}

export interface ProjectSettings {
	sessionTtl?: number;
	refreshTtl?: number;
	passwordPolicy?: Project["passwordPolicy"];
	lockoutAttempts?: number;
	lockoutSeconds?: number;
	/** Which management rate limit the project's keys get (docs/security.md). */
	rateLimitTier?: Project["rateLimitTier"];
}

/** Session lifetimes, password policy, lockout and rate-limit tier; only the given settings change. */
export async function updateSettings(deps: Deps, id: string, settings: ProjectSettings) {
	if (settings.rateLimitTier !== undefined) {
		// The key cache carries the tier: drop the project's entries so the next call reads the new one.
		const { project, keyHashes } = await repo.updateProjectReadingKeys(deps.db, id, settings);
		if (!project) throw new DomainError("not_found", `Project ${id} not found`, "projectId");
		await forgetCachedKeys(deps.kv, keyHashes);
		return project;
	}
	const project = await repo.updateProject(deps.db, id, settings);
	if (!project) throw new DomainError("not_found", `Project ${id} not found`, "projectId");
	return project;
}
