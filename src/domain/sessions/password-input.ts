import { all } from "../../db/sql";
import {
	checkPolicy,
	type HashedPasswordInput,
	hashPassword,
	importHashedPassword,
} from "../../lib/passwords";
import type { Deps } from "../deps";
import { DomainError } from "../errors";
import { projectQuery, toProject } from "./context";

// Passwords given on user creation: cleartext (checked against the policy, hashed with
// Roster's own algorithm) or an imported hash (kept as is, replaced at the first sign-in).

export async function readPasswordPolicy(deps: Deps, projectId: string) {
	const project = toProject(await all(deps.d1, projectQuery(projectId)));
	if (!project) throw new DomainError("unauthorized", "Unknown project");
	return project.passwordPolicy;
}

export async function passwordFromInput(
	policy: Awaited<ReturnType<typeof readPasswordPolicy>>,
	input: { password?: string | null; hashedPassword?: HashedPasswordInput | null },
) {
	if (input.password && input.hashedPassword) {
		throw new DomainError("invalid_argument", "give either password or hashedPassword, not both", "password");
	}
	if (input.password) {
		checkPolicy(input.password, policy);
		return hashPassword(input.password);
	}
	if (input.hashedPassword) return importHashedPassword(input.hashedPassword, "hashedPassword");
	return undefined;
}
