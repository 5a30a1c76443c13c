// Events an application writes into its own activity history (`management.audit.createEvent`,
// docs/audit.md): stored with actor type "application" and the action as given.

import { commit } from "../commit";
import type { Deps } from "../deps";
import { invalid, missing } from "../errors";
import { checkJsonValue, checkLength } from "../input-limits";
import { MAX_ATTRIBUTES_BYTES, MAX_IDENTIFIER_LENGTH, MAX_NAME_LENGTH } from "../limits";
import { assertNotReadOnly, assertTenantInScope, tenantView } from "../scope";
import { ACTIONS, type Action } from "./actions";

export const EVENT_LEVELS = ["info", "warn", "error"] as const;
export type EventLevel = (typeof EVENT_LEVELS)[number];

export interface ApplicationEvent {
	action: string;
	level: EventLevel;
	actorId: string;
	tenantId?: string | null;
	userId?: string | null;
	data?: Record<string, unknown> | null;
}

/** Appends one application event; the level and the application's data are kept under `data`. */
export async function createEvent(deps: Deps, projectId: string, event: ApplicationEvent) {
	assertNotReadOnly(deps);
	const action = event.action.trim();
	if (!action) throw missing("action");
	checkLength("action", action, MAX_NAME_LENGTH);
	// Roster's own vocabulary stays Roster's: an application cannot forge a `user.deleted`.
	if ((ACTIONS as readonly string[]).includes(action)) throw invalid("action", `"${action}" is reserved`);
	if (!EVENT_LEVELS.includes(event.level)) throw invalid("type", `one of ${EVENT_LEVELS.join(", ")}`);
	checkLength("actorId", event.actorId, MAX_IDENTIFIER_LENGTH);
	checkLength("tenantId", event.tenantId, MAX_IDENTIFIER_LENGTH);
	checkLength("userId", event.userId, MAX_IDENTIFIER_LENGTH);
	if (event.data !== undefined && event.data !== null) {
		if (typeof event.data !== "object" || Array.isArray(event.data)) throw invalid("data", "an object");
		checkJsonValue("data", event.data, MAX_ATTRIBUTES_BYTES);
	}
	const view = tenantView(deps);
	const tenantId = event.tenantId || null;
	if (view.tenantIds) {
		if (!tenantId) throw invalid("tenantId", "a tenant-bound management key must name one of its tenants");
		assertTenantInScope(view.tenantIds, tenantId);
	}
	const actor = { type: "application" as const, id: event.actorId || null, name: null };
	await commit({ ...view.deps, actor }, projectId, {
		statements: [],
		entries: [
			{
				// Any name the application chose (not Roster's vocabulary, checked above).
				action: action as Action,
				userId: event.userId || null,
				tenantId,
				target: event.userId ? { type: "user", id: event.userId } : undefined,
				data: { level: event.level, ...(event.data ? { data: event.data } : {}) },
			},
		],
	});
}
