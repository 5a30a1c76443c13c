// The webhook event catalogue, version 1 (docs/webhooks.md): which change-log rows (the activity
// vocabulary, src/domain/activity/actions.ts) become which events. Rendering the payload is the
// dialect's business (src/webhooks/payload.ts); this file only names and maps.
import type { Action } from "../activity/actions";

/** The envelope version every payload carries (`"version": 1`); bumped only on a breaking change. */
export const WEBHOOK_PAYLOAD_VERSION = 1;

/** Event types an endpoint of kind `events` may subscribe to (docs/webhooks.md, "Events"). */
export const WEBHOOK_EVENT_TYPES = [
	"user.created",
	"user.invited",
	"user.updated",
	"user.deleted",
	"user.enabled",
	"user.disabled",
	"user.roles.changed",
	"user.tenants.changed",
	"user.password.changed",
	"user.locked_out",
	"user.signed_in",
	"session.revoked",
	// Reserved: invitation links arrive later; no change row maps to it yet.
	"invitation.accepted",
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The ping of `POST …/webhooks/{id}/test`: sent whatever the endpoint's filter, never subscribable. */
export const WEBHOOK_TEST_EVENT = "webhook.test";

/** Events whose `data` is the user as it is at fan-out; the others (deletions) carry the row's ids and changes. */
export const USER_OBJECT_EVENTS: ReadonlySet<string> = new Set<WebhookEventType>([
	"user.created",
	"user.invited",
	"user.updated",
	"user.enabled",
	"user.disabled",
	"user.roles.changed",
	"user.tenants.changed",
	"user.password.changed",
	"user.locked_out",
	"user.signed_in",
	"session.revoked",
]);

const MAP: Partial<Record<Action, WebhookEventType[]>> = {
	// Every creation is `user.created`; an invitation is also `user.invited`, in that order.
	"user.created": ["user.created"],
	"user.imported": ["user.created"],
	"user.invited": ["user.created", "user.invited"],
	"user.updated": ["user.updated"],
	"user.login_id.changed": ["user.updated"],
	// An invited user's first sign-in or activation: the status changed invited → enabled.
	"user.registered": ["user.updated"],
	"user.sso_apps.added": ["user.updated"],
	"user.sso_apps.removed": ["user.updated"],
	"user.sso_apps.set": ["user.updated"],
	"user.passkey.added": ["user.updated"],
	"user.passkey.removed": ["user.updated"],
	"user.deleted": ["user.deleted"],
	"user.enabled": ["user.enabled"],
	"user.disabled": ["user.disabled"],
	"user.roles.added": ["user.roles.changed"],
	"user.roles.removed": ["user.roles.changed"],
	"user.roles.set": ["user.roles.changed"],
	"user.tenants.added": ["user.tenants.changed"],
	"user.tenants.removed": ["user.tenants.changed"],
	"user.tenant_roles.added": ["user.tenants.changed"],
	"user.tenant_roles.removed": ["user.tenants.changed"],
	"user.tenant_roles.set": ["user.tenants.changed"],
	"user.password.set": ["user.password.changed"],
	"user.locked_out": ["user.locked_out"],
	"auth.signed_in": ["user.signed_in"],
	"session.revoked": ["session.revoked"],
};

/** The events of one change row (successful rows only; a refusal changes nothing). */
export function eventsOf(action: string, result: string): WebhookEventType[] {
	if (result !== "success") return [];
	return MAP[action as Action] ?? [];
}

/** The actions that produce at least one event: fan-out reads only these rows for `events` endpoints. */
export const EVENT_ACTIONS: readonly string[] = Object.keys(MAP);

/** Whether an endpoint's filter (empty: everything) lets `type` through. */
export const subscribed = (eventTypes: readonly string[], type: string) =>
	eventTypes.length === 0 || eventTypes.includes(type);
