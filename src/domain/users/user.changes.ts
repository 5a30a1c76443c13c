// Change rows of user writes (docs/audit.md): before → after of the fields a command touched.
import type { Changes } from "../activity/actions";
import { changesOf, type Entry } from "../commit";

export { changesOf };

import type { User } from "./user.types";

/** The fields a newly created user was given (`after` only), leaving out empty ones. */
export function createdChanges(fields: Record<string, unknown>): Changes {
	const changes: Changes = {};
	for (const [field, value] of Object.entries(fields)) {
		if (value === undefined || value === null || value === false || value === "") continue;
		if (Array.isArray(value) && value.length === 0) continue;
		if (typeof value === "object" && !Array.isArray(value) && Object.keys(value as object).length === 0)
			continue;
		changes[field] = { after: value };
	}
	return changes;
}

/** One change row about one user. */
export const userEntry = (
	user: Pick<User, "id" | "loginIds">,
	action: Entry["action"],
	changes?: Changes,
	extra: Partial<Entry> = {},
): Entry => ({
	action,
	target: { type: "user", id: user.id },
	userId: user.id,
	loginId: user.loginIds[0] ?? null,
	changes,
	...extra,
});

/**
 * The status row of a status change: invited → enabled is registration (`user.registered`), back to
 * invited `user.unregistered`, otherwise `user.enabled` / `user.disabled`.
 */
export function statusEntry(
	user: Pick<User, "id" | "loginIds" | "status">,
	status: User["status"] | undefined,
) {
	if (status === undefined || status === user.status) return [];
	const action =
		status === "invited"
			? "user.unregistered"
			: status === "disabled"
				? "user.disabled"
				: user.status === "invited"
					? "user.registered"
					: "user.enabled";
	return [userEntry(user, action, { status: { before: user.status, after: status } })];
}

/** The assignment view of a user, for before → after of roles, tenants and applications. */
export const assignmentsOf = (user: User) => ({
	roleNames: [...user.roleNames].sort(),
	userTenants: user.tenants
		.map((t) => ({ tenantId: t.tenantId, roleNames: [...t.roleNames].sort() }))
		.sort((a, b) => a.tenantId.localeCompare(b.tenantId)),
	ssoAppIds: [...user.ssoAppIds].sort(),
});
