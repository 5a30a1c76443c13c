// Naming every colliding value of a create or patch that failed on a unique index.
import { sql } from "drizzle-orm";
import { all } from "../../db/sql";
import type { Deps } from "../deps";
import { DomainError } from "../errors";
import { identifierKey } from "./identifiers";
import type { UserPatch } from "./user.types";
import {
	checkEmail,
	checkExternalId,
	checkPhone,
	FieldErrors,
	type FieldIssue,
	type UserField,
} from "./user.validate";

interface Wanted {
	field: UserField;
	kind: "email" | "phone" | "externalId" | "loginId";
	value: string;
}

/** Which of these values another user (not `selfId`) already holds: one query. */
function takenQuery(projectId: string, selfId: string | null, values: Wanted[]) {
	const notSelf = (column: "id" | "user_id") =>
		selfId === null ? sql`1` : sql`${sql.raw(column)} <> ${selfId}`;
	const parts = values.map(({ field, kind, value }) => {
		if (kind === "email")
			return sql`SELECT ${field} AS field, 'email' AS kind FROM users WHERE project_id = ${projectId}
				AND email_key = ${identifierKey(value)} AND ${notSelf("id")}`;
		if (kind === "phone")
			return sql`SELECT ${field} AS field, 'phone' AS kind FROM users WHERE project_id = ${projectId}
				AND phone = ${value} AND ${notSelf("id")}`;
		if (kind === "externalId")
			return sql`SELECT ${field} AS field, 'externalId' AS kind FROM users WHERE project_id = ${projectId}
				AND external_id = ${value} AND ${notSelf("id")}`;
		return sql`SELECT ${field} AS field, 'loginId' AS kind FROM user_login_ids WHERE project_id = ${projectId}
			AND login_id_lower = ${identifierKey(value)} AND ${notSelf("user_id")}`;
	});
	return parts.length ? sql.join(parts, sql` UNION ALL `) : null;
}

const quiet = <T>(check: () => T): T | null => {
	try {
		return check();
	} catch {
		return null;
	}
};

/**
 * A collision on a unique value as FieldErrors naming every colliding field (the error path may
 * cost a second round trip; the normal path never does). Other errors pass through as they are.
 */
export async function namedCollision(
	deps: Deps,
	projectId: string,
	selfId: string | null,
	input: Pick<UserPatch, "email" | "phone" | "externalId" | "additionalLoginIds"> & { loginId?: string },
	error: unknown,
): Promise<unknown> {
	if (!(error instanceof DomainError) || error.code !== "user_exists") return error;
	const values: Wanted[] = [];
	const email = quiet(() => checkEmail(input.email));
	const phone = quiet(() => checkPhone(input.phone));
	const externalId = quiet(() => checkExternalId(input.externalId));
	if (email) values.push({ field: "email", kind: "email", value: email });
	if (phone) values.push({ field: "phone", kind: "phone", value: phone });
	if (externalId) values.push({ field: "externalId", kind: "externalId", value: externalId });
	if (email) values.push({ field: "email", kind: "loginId", value: email });
	if (externalId) values.push({ field: "externalId", kind: "loginId", value: externalId });
	for (const id of input.additionalLoginIds ?? [])
		values.push({ field: "additionalLoginIds", kind: "loginId", value: id.trim() });
	const query = takenQuery(projectId, selfId, values);
	const rows = query ? await all<{ field: UserField; kind: string }>(deps.d1, query) : [];
	const issues = new Map<string, FieldIssue>();
	for (const { field, kind } of rows) {
		const value = values.find((v) => v.field === field && v.kind === kind)?.value;
		const message =
			kind === "loginId"
				? `"${value}" is another user's login id`
				: `another user already has ${field === "externalId" ? "external id" : field} "${value}"`;
		// A login id holding the value (listed last) names the collision over the column.
		issues.set(field, { field, code: "taken", message });
	}
	if (issues.size === 0) return error;
	return new FieldErrors([...issues.values()], "user_exists");
}
