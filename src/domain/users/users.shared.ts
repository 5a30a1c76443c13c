// Helpers shared by the user services: attribute definitions, constraint errors, read-then-write.
import { type SQL, sql } from "drizzle-orm";
import { batch } from "../../db/sql";
import type { Deps } from "../deps";
import { DomainError, userNotFound } from "../errors";
import { tenantView } from "../scope";
import { checkAssignmentsInScope, contextQueries, toContext } from "./assignments";
import type { AttributeDefinition } from "./custom-attributes.repo";
import { checkPhone } from "./user.validate";
import * as repo from "./users.repo";

export const MAX_BATCH = 2000;

export type AttributeDefs = Map<string, AttributeDefinition>;

export const definitionsQuery = (projectId: string) =>
	sql`SELECT name, display_name AS displayName, type, options, default_value AS defaultValue, created_at AS createdAt
		FROM custom_attribute_definitions WHERE project_id = ${projectId}`;

export function toDefinitions(rows: Record<string, unknown>[] | undefined): AttributeDefs {
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
export function constraintError(error: unknown): DomainError | null {
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

export async function withConstraints<T>(run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (error) {
		throw constraintError(error) ?? error;
	}
}

export function checkPhoneQuiet(phone: string) {
	try {
		return checkPhone(phone) ?? null;
	} catch {
		return null;
	}
}

/**
 * Resolves the user, reads attribute definitions and what the fields name: one round trip.
 * Tenant-aware (src/domain/scope.ts): a tenant-bound key finds only members of its tenants and may
 * not change project roles, SSO applications or memberships through these fields; the write must
 * use the returned `deps`, which only this confined read opens.
 */
export async function readForWrite(
	scoped: Deps,
	projectId: string,
	ref: string,
	fields: Parameters<typeof contextQueries>[1][number] = {},
) {
	const { deps, tenantIds } = tenantView(scoped);
	checkAssignmentsInScope(fields, tenantIds, false);
	const [userRows, defRows, ...contextRows] = await batch(deps.d1, [
		repo.userByRefQuery(projectId, ref, tenantIds, true),
		definitionsQuery(projectId),
		...contextQueries(projectId, [fields]),
	]);
	const user = repo.toUsers(userRows)[0];
	if (!user)
		throw new DomainError("user_not_found", `User not found: loginId "${ref}" matches no user`, "loginId");
	return { user, defs: toDefinitions(defRows), ctx: toContext(contextRows), deps };
}

/** Runs the write statements and reads the user back, as one batch. */
export async function writeAndRead(deps: Deps, projectId: string, userId: string, statements: SQL[]) {
	const results = await withConstraints(() =>
		batch(deps.d1, [...statements, repo.userByIdQuery(projectId, userId)]),
	);
	const user = repo.toUsers(results.at(-1))[0];
	if (!user) throw userNotFound();
	return user;
}
