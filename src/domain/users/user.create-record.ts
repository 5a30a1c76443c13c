// Creating one user and answering with its default profile too (the view of the v4 and legacy
// dialects): the one create command (user.create.ts), with every field checked at once and every
// colliding value named.
import { all } from "../../db/sql";
import type { Deps } from "../deps";
import { DomainError } from "../errors";
import { isTenantBound, tenantBoundError, tenantView } from "../scope";
import { namedCollision } from "./user.collisions";
import { createUser } from "./user.create";
import type { UserFields } from "./user.types";
import {
	checkEmail,
	checkExternalId,
	checkPhone,
	checkProfileText,
	checkUserFlags,
	IssueCollector,
} from "./user.validate";
import { recordByIdQuery, toRecords, type UserRecord } from "./users.list";

export async function createUserRecord(
	deps: Deps,
	projectId: string,
	input: UserFields,
): Promise<UserRecord> {
	const issues = new IssueCollector();
	issues.take(() => checkProfileText(input));
	issues.take(() => checkEmail(input.email));
	issues.take(() => checkPhone(input.phone));
	issues.take(() => checkExternalId(input.externalId));
	issues.take(() => checkUserFlags(input.userFlags));
	issues.throwIfAny();
	// An input naming no tenant could only make a user outside a tenant-bound key's tenants.
	if (isTenantBound(deps.scope) && !input.userTenants?.length) throw tenantBoundError();
	let id: string;
	try {
		id = (await createUser(deps, projectId, input)).id;
	} catch (error) {
		throw await namedCollision(deps, projectId, null, input, error);
	}
	const { deps: d, tenantIds } = tenantView(deps);
	const record = toRecords(await all(d.d1, recordByIdQuery(projectId, id, tenantIds, true)))[0];
	if (!record) throw new DomainError("internal", "The user was not created");
	return record;
}
