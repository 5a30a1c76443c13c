// Reading users: by login id or user id, many by id, search v2.
import { sql } from "drizzle-orm";
import { all } from "../../db/sql";
import type { Deps } from "../deps";
import { invalid, userNotFound } from "../errors";
import { tenantView } from "../scope";
import type { User } from "./user.types";
import * as repo from "./users.repo";
import { searchUsers as runSearch, type UserSearch } from "./users.search";
import { MAX_BATCH } from "./users.shared";

export type SearchQuery = UserSearch;

// Tenant-aware (src/domain/scope.ts): a tenant-bound key reads only members of its tenants.
export async function loadUser(deps: Deps, projectId: string, ref: string): Promise<User> {
	const { deps: d, tenantIds } = tenantView(deps);
	const user = await repo.findUserByRef(d.d1, projectId, ref, tenantIds);
	if (!user) throw userNotFound();
	return user;
}

export async function loadUserById(deps: Deps, projectId: string, id: string): Promise<User> {
	const { deps: d, tenantIds } = tenantView(deps);
	const rows = await all<Record<string, unknown>>(d.d1, repo.userByIdQuery(projectId, id, tenantIds));
	const user = repo.toUsers(rows)[0];
	if (!user) throw userNotFound();
	return user;
}

export async function loadUsersByIds(deps: Deps, projectId: string, ids: string[], includeInvalid: boolean) {
	if (ids.length > MAX_BATCH) throw invalid("userIds", `at most ${MAX_BATCH} ids per request`);
	const { deps: d, tenantIds } = tenantView(deps);
	const rows = await all<Record<string, unknown>>(
		d.d1,
		repo.usersByIdsQuery(projectId, ids, includeInvalid ? sql`1` : sql`u.status <> 'disabled'`, tenantIds),
	);
	return repo.toUsers(rows);
}

export function searchUsers(deps: Deps, projectId: string, query: UserSearch) {
	const { deps: d, tenantIds } = tenantView(deps);
	return runSearch(d.d1, projectId, tenantIds ? { ...query, scopeTenantIds: tenantIds } : query);
}
