// Users a provisioning connection (an identity provider's directory sync) created, and taking a user
// out of a connection's tenant: the membership goes, and the user too when that connection created
// them and no other tenant holds them. A connection is the tenant its key is bound to, "" for the
// project (table scim_provisioned_users).
import { sql } from "drizzle-orm";
import { batch } from "../../db/sql";
import { changesOf, commit } from "../commit";
import type { Deps } from "../deps";
import { assertTenantInScope, tenantView } from "../scope";
import { userEntry } from "./user.changes";
import type { CreateOptions } from "./user.create";
import { deleteUserById } from "./user.delete";
import * as repo from "./users.repo";

/** For createUser's `also`: records that `connection` created the user, in the create's batch. */
export const recordProvisioned =
	(projectId: string, connection: string, now: number): NonNullable<CreateOptions["also"]> =>
	(user) => ({
		statements: [
			sql`INSERT INTO scim_provisioned_users (user_id, project_id, connection, created_at)
				VALUES (${user.id}, ${projectId}, ${connection}, ${now}) ON CONFLICT (user_id) DO NOTHING`,
		],
		entries: [],
	});

/**
 * Takes a user out of `tenantId` (a key bound to it): deletes the user when `tenantId`'s connection
 * created them and they belong to no other tenant, else removes the membership and the roles held
 * in it (also of a user other tenants hold: leaving one tenant takes nothing from the others).
 * Answers what happened; false when the user is no member of the tenant.
 */
export async function deprovisionFromTenant(
	scoped: Deps,
	projectId: string,
	userId: string,
	tenantId: string,
): Promise<"deleted" | "removed" | false> {
	const { deps, tenantIds } = tenantView(scoped);
	assertTenantInScope(tenantIds, tenantId);
	const [userRows, memberships, provisioned] = await batch(deps.d1, [
		repo.userByIdQuery(projectId, userId, [tenantId]),
		sql`SELECT tenant_id FROM user_tenants WHERE project_id = ${projectId} AND user_id = ${userId}`,
		sql`SELECT connection FROM scim_provisioned_users WHERE project_id = ${projectId} AND user_id = ${userId}`,
	]);
	const user = repo.toUsers(userRows)[0];
	const tenants = (memberships ?? []).map((r) => r.tenant_id as string);
	if (!user || !tenants.includes(tenantId)) return false;
	const ownCreation = provisioned?.[0]?.connection === tenantId;
	if (ownCreation && tenants.length === 1 && (await deleteUserById(scoped, projectId, userId)))
		return "deleted";
	const before = [...tenants].sort();
	await commit(deps, projectId, {
		statements: [
			sql`DELETE FROM user_roles WHERE project_id = ${projectId} AND user_id = ${userId} AND tenant_id = ${tenantId}`,
			sql`DELETE FROM user_tenants WHERE project_id = ${projectId} AND user_id = ${userId} AND tenant_id = ${tenantId}`,
			sql`UPDATE users SET modified_at = ${deps.now()}, version = version + 1
				WHERE project_id = ${projectId} AND id = ${userId}`,
		],
		entries: [
			userEntry(
				user,
				"user.tenants.removed",
				changesOf({ tenantIds: before }, { tenantIds: before.filter((t) => t !== tenantId) }),
				{ tenantId },
			),
		],
	});
	return "removed";
}
