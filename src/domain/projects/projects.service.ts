import { forgetCachedKeys } from "../../kv/key-cache";
import { sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import type { Deps } from "../deps";
import { DomainError } from "../errors";
import { insertKeyStatement } from "../keys/keys.repo";
import { newKeySecret } from "../keys/keys.service";
import * as repo from "./projects.repo";

export type Project = repo.ProjectRow;

/** Creates a project and its first management key in one batch. */
export async function createProject(deps: Deps, name: string) {
	const now = deps.now();
	const row = { id: newId("P"), name, createdAt: now };
	const managementKey = newKeySecret();
	const keyId = newId("K");
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
}

/** Session lifetimes, password policy and lockout; only the given settings change. */
export async function updateSettings(deps: Deps, id: string, settings: ProjectSettings) {
	const project = await repo.updateProject(deps.db, id, settings);
	if (!project) throw new DomainError("not_found", `Project ${id} not found`, "projectId");
	return project;
}
