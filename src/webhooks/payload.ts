// Webhook payloads (docs/webhooks.md, "Payload"): the envelope `{type, version, timestamp, seq, data}`
// with `data` in the Descope dialect's shapes: the user as `management.user.load` returns it, the
// audit record as `management.audit.search` returns it. Dialect mapping, so it lives outside src/domain.
import { toAuditRecord } from "../api/descope/audit-mapper";
import { toResponseUser } from "../api/descope/user-mapper";
import type { Actor } from "../domain/activity/actions";
import { type ActivityEntry, DEVICES, type Device } from "../domain/activity/activity.search";
import { WEBHOOK_PAYLOAD_VERSION, WEBHOOK_TEST_EVENT } from "../domain/webhooks/webhook.events";
import type { PayloadRenderer } from "../domain/webhooks/webhook.outbox";
import type { ChangeRow } from "../domain/webhooks/webhook-deliveries.repo";

const json = (v: string | null) => (v ? (JSON.parse(v) as Record<string, unknown>) : null);

function envelope(
	type: string,
	at: number,
	seq: number | null,
	data: unknown,
	extra: Record<string, unknown> = {},
) {
	return JSON.stringify({
		type,
		version: WEBHOOK_PAYLOAD_VERSION,
		timestamp: new Date(at).toISOString(),
		seq,
		data,
		...extra,
	});
}

function toEntry(row: ChangeRow): ActivityEntry {
	return {
		seq: Number(row.seq),
		at: Number(row.at),
		action: row.action,
		result: row.result === "failure" ? "failure" : "success",
		actor: { type: row.actorType as Actor["type"], id: row.actorId, name: row.actorName },
		target: row.targetType ? { type: row.targetType, id: row.targetId } : null,
		userId: row.userId,
		loginId: row.loginId,
		tenantId: row.tenantId,
		changes: json(row.changes),
		data: json(row.data),
		request: {
			id: row.requestId ?? "",
			dialect: row.dialect ?? "",
			ip: row.ip ?? "",
			city: row.city ?? "",
			country: row.country ?? "",
			userAgent: row.userAgent ?? "",
		},
		device: (DEVICES as readonly string[]).includes(row.device) ? (row.device as Device) : "Unknown",
	};
}

export const payloadRenderer: PayloadRenderer = {
	event(_projectId, row, type, user) {
		// A creation's changes repeat the whole user: only the other events carry theirs.
		const changes = type === "user.created" || type === "user.invited" ? null : json(row.changes);
		const extra = changes ? { changes } : {};
		// A deletion, or a user deleted before the fan-out: the ids the row recorded.
		const data = user
			? toResponseUser(user)
			: { userId: row.userId ?? row.targetId ?? "", loginIds: row.loginId ? [row.loginId] : [] };
		const context = json(row.data);
		return envelope(type, row.at, row.seq, data, context ? { ...extra, context } : extra);
	},
	audit(projectId, row) {
		return envelope(row.action, row.at, row.seq, toAuditRecord(projectId, toEntry(row)));
	},
};

/** The `webhook.test` ping's body. */
export const testPayload = (endpointId: string) => (deliveryId: string, at: number) =>
	envelope(WEBHOOK_TEST_EVENT, at, null, { endpointId, deliveryId, message: "Test delivery from Roster" });
