// The outbox (docs/webhooks.md, "Outbox and sweep"): the change log is the outbox, `webhook_outbox`
// the per-project cursor of what has been fanned out. A commit asks for a fan-out; the sweep catches
// whatever a lost message or a stopped Worker left behind.

import { batch } from "../../db/sql";
import { sha256Hex } from "../../lib/crypto";
import type { Deps } from "../deps";
import type { User } from "../users/user.types";
import { toUsers, usersByIdsQuery } from "../users/users.repo";
import { eventsOf, subscribed, USER_OBJECT_EVENTS } from "./webhook.events";
import {
	advanceCursorStatement,
	type ChangeRow,
	changeRowsAfterCursorQuery,
	cursorToLatestStatement,
	type EndpointRow,
	enabledEndpointsQuery,
	insertDeliveriesStatement,
	type NewDelivery,
	overdueDeliveriesQuery,
	projectsBehindQuery,
	touchOverdueStatement,
} from "./webhook-deliveries.repo";

export interface FanoutMessage {
	kind: "fanout";
	projectId: string;
}

export interface DeliverMessage {
	kind: "deliver";
	projectId: string;
	deliveryId: string;
	/** Attempts already made before this message (a sweep's re-enqueue): where the retry schedule resumes. */
	from?: number;
}

export type WebhookMessage = FanoutMessage | DeliverMessage;

/** The producer side of WEBHOOK_QUEUE. */
export interface WebhookQueue {
	send(message: WebhookMessage): Promise<unknown>;
	sendBatch(messages: WebhookMessage[]): Promise<unknown>;
}

/** At most this many messages per Queues sendBatch call. */
const SEND_BATCH_MAX = 100;

export const webhookQueue = (env: Env): WebhookQueue => ({
	send: (message) => env.WEBHOOK_QUEUE.send(message),
	sendBatch: async (messages) => {
		for (let i = 0; i < messages.length; i += SEND_BATCH_MAX)
			await env.WEBHOOK_QUEUE.sendBatch(messages.slice(i, i + SEND_BATCH_MAX).map((body) => ({ body })));
	},
});

/** Renders payloads: the dialect's business (src/webhooks/payload.ts), handed in by the consumer. */
export interface PayloadRenderer {
	/** An event of the catalogue; `user` is the user at fan-out (null: deleted meanwhile, or a deletion). */
	event(projectId: string, row: ChangeRow, type: string, user: User | null): string;
	/** A change row as an activity record, for endpoints of kind `audit`. */
	audit(projectId: string, row: ChangeRow): string;
}

/** Change rows fanned out per message; the rest goes to the next fan-out message. */
export const FANOUT_ROWS = 100;
/** Deliveries per INSERT statement (payloads travel as one JSON parameter). */
const INSERT_CHUNK = 25;

/** The `webhook-id` of one event for one endpoint: derived, so a repeated fan-out inserts nothing new. */
async function deliveryId(endpointId: string, seq: number, type: string) {
	return `msg_${(await sha256Hex(`${endpointId}:${seq}:${type}`)).slice(0, 32)}`;
}

interface Planned {
	row: ChangeRow;
	endpoint: EndpointRow;
	type: string;
	audit: boolean;
}

/** Which endpoint gets which events of which rows, in commit order (then endpoint id). */
function plan(rows: ChangeRow[], endpoints: EndpointRow[]): Planned[] {
	const out: Planned[] = [];
	for (const row of rows) {
		for (const endpoint of endpoints) {
			// An endpoint receives only what happened after it was created.
			if (row.at < endpoint.createdAt) continue;
			const types =
				typeof endpoint.eventTypes === "string" ? JSON.parse(endpoint.eventTypes) : endpoint.eventTypes;
			if (endpoint.kind === "audit") {
				const excluded: string[] =
					typeof endpoint.excludedEventTypes === "string"
						? JSON.parse(endpoint.excludedEventTypes)
						: (endpoint.excludedEventTypes ?? []);
				if (subscribed(types, row.action) && !excluded.includes(row.action))
					out.push({ row, endpoint, type: row.action, audit: true });
				continue;
			}
			for (const type of eventsOf(row.action, row.result))
				if (subscribed(types, type)) out.push({ row, endpoint, type, audit: false });
		}
	}
	return out;
}

export interface FanoutResult {
	rows: number;
	created: number;
	more: boolean;
}

/**
 * One fan-out step of a project: the next rows after its cursor become deliveries of its enabled
 * endpoints and the cursor advances, in one batch; the new deliveries are then enqueued. A project
 * without enabled endpoints only moves its cursor to its latest row.
 */
export async function fanOut(
	deps: Pick<Deps, "d1" | "now">,
	projectId: string,
	render: PayloadRenderer,
	queue: WebhookQueue,
): Promise<FanoutResult> {
	const now = deps.now();
	const [endpointRows, changeRows] = await batch(deps.d1, [
		enabledEndpointsQuery(projectId),
		changeRowsAfterCursorQuery(projectId, FANOUT_ROWS),
	]);
	const endpoints = (endpointRows ?? []) as unknown as EndpointRow[];
	if (!endpoints.length) {
		await batch(deps.d1, [cursorToLatestStatement(projectId, now)]);
		return { rows: 0, created: 0, more: false };
	}
	const rows = (changeRows ?? []) as unknown as ChangeRow[];
	const last = rows.at(-1);
	if (!last) return { rows: 0, created: 0, more: false };
	const planned = plan(rows, endpoints);
	// The users of the whole batch in one query (their state at fan-out, not at the change).
	const userIds = [
		...new Set(
			planned
				.filter((p) => !p.audit && USER_OBJECT_EVENTS.has(p.type) && p.row.userId)
				.map((p) => p.row.userId as string),
		),
	];
	const users = new Map<string, User>();
	if (userIds.length) {
		const [found] = await batch(deps.d1, [usersByIdsQuery(projectId, userIds)]);
		for (const user of toUsers(found)) users.set(user.id, user);
	}
	const payloads = new Map<string, string>();
	const deliveries: NewDelivery[] = [];
	for (const p of planned) {
		const key = `${p.row.seq}:${p.type}:${p.audit}`;
		let payload = payloads.get(key);
		if (payload === undefined) {
			const user = USER_OBJECT_EVENTS.has(p.type) && p.row.userId ? (users.get(p.row.userId) ?? null) : null;
			payload = p.audit ? render.audit(projectId, p.row) : render.event(projectId, p.row, p.type, user);
			payloads.set(key, payload);
		}
		deliveries.push({
			id: await deliveryId(p.endpoint.id, p.row.seq, p.type),
			endpointId: p.endpoint.id,
			eventSeq: p.row.seq,
			eventType: p.type,
			payload,
		});
	}
	const inserts = [];
	for (let i = 0; i < deliveries.length; i += INSERT_CHUNK)
		inserts.push(insertDeliveriesStatement(projectId, deliveries.slice(i, i + INSERT_CHUNK), now));
	const results = await batch(deps.d1, [...inserts, advanceCursorStatement(projectId, last.seq, now)]);
	// Only what this step inserted: a concurrent fan-out of the same rows enqueues nothing twice.
	const inserted = new Set(results.slice(0, inserts.length).flatMap((r) => r.map((x) => String(x.id))));
	const messages: WebhookMessage[] = deliveries
		.filter((d) => inserted.has(d.id))
		.map((d) => ({ kind: "deliver", projectId, deliveryId: d.id }));
	const more = rows.length === FANOUT_ROWS;
	if (more) messages.push({ kind: "fanout", projectId });
	if (messages.length) await queue.sendBatch(messages);
	return { rows: rows.length, created: inserted.size, more };
}

/** A pending delivery this much past its next attempt counts as lost (its message never came). */
export const OVERDUE_MS = 5 * 60_000;
/** Projects and deliveries per sweep; the next sweep takes the rest. */
export const SWEEP_LIMIT = 500;

/**
 * The scheduled sweep: a fan-out for every project with an enabled endpoint whose change log is
 * ahead of its cursor, and a new message for every pending delivery overdue by more than OVERDUE_MS.
 */
export async function sweepOutbox(deps: Pick<Deps, "d1" | "now">, queue: WebhookQueue) {
	const now = deps.now();
	const [behind, overdue] = await batch(deps.d1, [
		projectsBehindQuery(SWEEP_LIMIT),
		overdueDeliveriesQuery(now - OVERDUE_MS, SWEEP_LIMIT),
	]);
	const messages: WebhookMessage[] = [
		...(behind ?? []).map((r) => ({ kind: "fanout" as const, projectId: String(r.projectId) })),
		...(overdue ?? []).map((r) => ({
			kind: "deliver" as const,
			projectId: String(r.projectId),
			deliveryId: String(r.id),
			from: Number(r.attempts),
		})),
	];
	if (overdue?.length)
		await batch(deps.d1, [
			touchOverdueStatement(
				overdue.map((r) => String(r.id)),
				now,
			),
		]);
	if (messages.length) await queue.sendBatch(messages);
	return { projects: behind?.length ?? 0, deliveries: overdue?.length ?? 0 };
}
