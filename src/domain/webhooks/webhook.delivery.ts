// Delivery state (docs/webhooks.md, "Retries", "Delivery log and replay"): the retry schedule, what an
// attempt's answer means, the delivery log, and the replay / test-ping commands.
//
// The consumer's delivery-state writes (attempts, status, next attempt) go straight to D1, not through
// commit(): they are system bookkeeping, not user-visible changes, and would flood the change log. The
// one exception is disabling an endpoint after a 410, a change of the endpoint recorded as `webhook.disabled`.
import { batch } from "../../db/sql";
import { randomToken } from "../../lib/crypto";
import { commit } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { WEBHOOK_TEST_EVENT } from "./webhook.events";
import type { WebhookMessage, WebhookQueue } from "./webhook.outbox";
import {
	type AttemptRecord,
	attemptStatements,
	type DeliveryToSend,
	deliveriesInRangeQuery,
	deliveriesPageQuery,
	deliveryQuery,
	deliveryToSendQuery,
	disableEndpointStatement,
	enabledEndpointTarget,
	endpointExistsQuery,
	insertTestDeliveryStatement,
	markFailedStatement,
	replayDeliveriesStatement,
	replayDeliveryStatement,
} from "./webhook-deliveries.repo";

/**
 * Seconds before each attempt (https://www.standardwebhooks.com/, "Retry schedule"): immediately,
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; about a day and a half in all.
 */
export const RETRY_SCHEDULE_SECONDS: readonly number[] = [0, 5, 300, 1800, 7200, 18000, 36000, 36000];
/** The longest delay Cloudflare Queues accepts for `retry({ delaySeconds })`: 12 h. */
export const MAX_DELAY_SECONDS = 43_200;
/** Jitter around each scheduled delay, so receivers that failed together are not retried together. */
export const JITTER = 0.1;

/** Seconds of a Retry-After header (RFC 9110 §10.2.3: delay-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, now: number): number | null {
	if (!value) return null;
	const text = value.trim();
	if (/^\d+$/.test(text)) return Math.min(Number(text), MAX_DELAY_SECONDS);
	const at = Date.parse(text);
	if (Number.isNaN(at)) return null;
	return Math.min(Math.max(0, Math.ceil((at - now) / 1000)), MAX_DELAY_SECONDS);
}

export type AttemptOutcome =
	| { kind: "succeeded" }
	/** 410 Gone: the receiver asks to stop; the endpoint is disabled. */
	| { kind: "gone" }
	/** No more attempts: the schedule is exhausted, or the target is refused. */
	| { kind: "failed" }
	| { kind: "retry"; delaySeconds: number };

/**
 * What follows an attempt. `attempt` is the 1-based position in the schedule of the attempt just made;
 * `status` null when no answer came. 429 and 503 honour Retry-After (capped to the Queues maximum).
 */
export function outcomeOf(
	attempt: number,
	status: number | null,
	retryAfter: number | null,
	random: () => number = Math.random,
	schedule: readonly number[] = RETRY_SCHEDULE_SECONDS,
): AttemptOutcome {
	if (status !== null && status >= 200 && status < 300) return { kind: "succeeded" };
	if (status === 410) return { kind: "gone" };
	if (attempt >= schedule.length) return { kind: "failed" };
	if ((status === 429 || status === 503) && retryAfter !== null)
		return { kind: "retry", delaySeconds: Math.min(retryAfter, MAX_DELAY_SECONDS) };
	const base = schedule[attempt] as number;
	const jittered = base * (1 + JITTER * (2 * random() - 1));
	return { kind: "retry", delaySeconds: Math.min(Math.round(jittered), MAX_DELAY_SECONDS) };
}

/** The delivery and its endpoint, for the consumer (null: deleted). */
export async function deliveryToSend(deps: Pick<Deps, "d1">, projectId: string, deliveryId: string) {
	const [rows] = await batch(deps.d1, [deliveryToSendQuery(projectId, deliveryId)]);
	return ((rows ?? [])[0] as unknown as DeliveryToSend | undefined) ?? null;
}

/** One attempt's row and the delivery's new state, in one batch (system bookkeeping, see above). */
export async function recordAttempt(
	deps: Pick<Deps, "d1">,
	projectId: string,
	deliveryId: string,
	attempt: AttemptRecord,
) {
	await batch(deps.d1, attemptStatements(projectId, deliveryId, attempt));
}

/** A dead-lettered delivery, or one whose endpoint is gone: failed, no further attempt. */
export async function markDeliveryFailed(
	deps: Pick<Deps, "d1" | "now">,
	projectId: string,
	deliveryId: string,
) {
	await batch(deps.d1, [markFailedStatement(projectId, deliveryId, deps.now())]);
}

/** The receiver answered 410: the endpoint is disabled (reason `Gone`), recorded with actor system. */
export async function disableGoneEndpoint(deps: Deps, projectId: string, endpointId: string) {
	await commit({ ...deps, actor: { type: "system", id: null, name: null } }, projectId, {
		entriesFrom: [
			{
				action: "webhook.disabled",
				targetType: "webhook",
				select: enabledEndpointTarget(projectId, endpointId),
				data: { reason: "Gone" },
				changes: { enabled: { before: true, after: false }, disabledReason: { after: "Gone" } },
			},
		],
		statements: [disableEndpointStatement(projectId, endpointId, "Gone", deps.now())],
	});
}

// ---------------------------------------------------------------- the delivery log

export interface AttemptView {
	attempt: number;
	at: number;
	statusCode: number | null;
	latencyMs: number;
	responseSnippet: string | null;
	error: string | null;
}

export interface DeliveryView {
	id: string;
	eventType: string;
	eventSeq: number | null;
	status: "pending" | "succeeded" | "failed";
	attempts: number;
	createdAt: number;
	lastAttemptAt: number | null;
	nextAttemptAt: number | null;
	lastStatusCode: number | null;
	attemptLog: AttemptView[];
}

export interface DeliveryPage {
	items: DeliveryView[];
	/** The position after the page's last item, or null on the last page. */
	next: { createdAt: number; id: string } | null;
}

function toView(r: Record<string, unknown>): DeliveryView {
	const log = typeof r.attemptLog === "string" ? (JSON.parse(r.attemptLog) as AttemptView[]) : [];
	return {
		id: String(r.id),
		eventType: String(r.eventType),
		eventSeq: r.eventSeq === null ? null : Number(r.eventSeq),
		status: r.status as DeliveryView["status"],
		attempts: Number(r.attempts),
		createdAt: Number(r.createdAt),
		lastAttemptAt: r.lastAttemptAt === null ? null : Number(r.lastAttemptAt),
		nextAttemptAt: r.nextAttemptAt === null ? null : Number(r.nextAttemptAt),
		lastStatusCode: r.lastStatusCode === null ? null : Number(r.lastStatusCode),
		attemptLog: log.sort((a, b) => a.attempt - b.attempt),
	};
}

async function endpointOf(deps: Pick<Deps, "d1">, projectId: string, endpointId: string) {
	const [rows] = await batch(deps.d1, [endpointExistsQuery(projectId, endpointId)]);
	const row = rows?.[0];
	if (!row) throw new DomainError("not_found", "Webhook endpoint not found");
	return { enabled: Number(row.enabled) === 1 };
}

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;

/**
 * A page of an endpoint's deliveries, newest first, each with its attempts: one round trip. An
 * unknown endpoint is an empty first page only if it exists; otherwise not found (checked in the
 * same batch).
 */
export async function listDeliveries(
	deps: Pick<Deps, "d1">,
	projectId: string,
	endpointId: string,
	q: { limit: number; after: { createdAt: number; id: string } | null; status: string | null },
): Promise<DeliveryPage> {
	const [endpoint, rows] = await batch(deps.d1, [
		endpointExistsQuery(projectId, endpointId),
		deliveriesPageQuery(projectId, endpointId, q.limit + 1, q.after, q.status),
	]);
	if (!endpoint?.length) throw new DomainError("not_found", "Webhook endpoint not found");
	const items = (rows ?? []).map(toView);
	const more = items.length > q.limit;
	const page = items.slice(0, q.limit);
	const last = page.at(-1);
	return { items: page, next: more && last ? { createdAt: last.createdAt, id: last.id } : null };
}

async function readDelivery(deps: Pick<Deps, "d1">, projectId: string, endpointId: string, id: string) {
	const [rows] = await batch(deps.d1, [deliveryQuery(projectId, endpointId, id)]);
	const row = rows?.[0];
	if (!row) throw new DomainError("not_found", "Delivery not found");
	return toView(row);
}

function requireEnabled(endpoint: { enabled: boolean }) {
	if (!endpoint.enabled)
		throw new DomainError("conflict", "The webhook endpoint is disabled; enable it before sending to it");
}

/** Sends a message, leaving a failure to the sweep (the delivery is pending and due now). */
async function enqueue(queue: WebhookQueue, messages: WebhookMessage[]) {
	try {
		await queue.sendBatch(messages);
	} catch (error) {
		console.error("webhook enqueue failed; the sweep will resend", error);
	}
}

/** Sends one delivery again: the same webhook-id and payload, a fresh retry schedule. */
export async function replayDelivery(
	deps: Deps,
	projectId: string,
	endpointId: string,
	deliveryId: string,
	queue: WebhookQueue,
): Promise<DeliveryView> {
	requireEnabled(await endpointOf(deps, projectId, endpointId));
	await readDelivery(deps, projectId, endpointId, deliveryId);
	const { reads } = await commit(deps, projectId, {
		statements: [replayDeliveryStatement(projectId, endpointId, deliveryId, deps.now())],
		entries: [
			{
				action: "webhook.replayed",
				target: { type: "webhook", id: endpointId },
				data: { deliveryIds: [deliveryId] },
			},
		],
		reads: [deliveryQuery(projectId, endpointId, deliveryId)],
	});
	const row = reads[0]?.[0];
	if (!row) throw new DomainError("not_found", "Delivery not found");
	await enqueue(queue, [{ kind: "deliver", projectId, deliveryId }]);
	return toView(row);
}

/** At most this many deliveries per range replay. */
export const MAX_REPLAY = 1000;

/** Sends every delivery created in [from, to] again; more than MAX_REPLAY is refused. */
export async function replayRange(
	deps: Deps,
	projectId: string,
	endpointId: string,
	range: { from: number; to: number },
	queue: WebhookQueue,
): Promise<number> {
	if (range.to < range.from) throw invalid("to", "must not be before From");
	requireEnabled(await endpointOf(deps, projectId, endpointId));
	const [rows] = await batch(deps.d1, [
		deliveriesInRangeQuery(projectId, endpointId, range.from, range.to, MAX_REPLAY + 1),
	]);
	const ids = (rows ?? []).map((r) => String(r.id));
	if (ids.length > MAX_REPLAY)
		throw invalid("to", `the range holds more than ${MAX_REPLAY} deliveries; narrow it`);
	if (!ids.length) return 0;
	await commit(deps, projectId, {
		statements: [replayDeliveriesStatement(projectId, endpointId, ids, deps.now())],
		entries: [
			{
				action: "webhook.replayed",
				target: { type: "webhook", id: endpointId },
				data: { from: range.from, to: range.to, count: ids.length },
			},
		],
	});
	await enqueue(
		queue,
		ids.map((deliveryId) => ({ kind: "deliver", projectId, deliveryId })),
	);
	return ids.length;
}

/** A `webhook.test` ping to the endpoint, whatever its filter. */
export async function testEndpoint(
	deps: Deps,
	projectId: string,
	endpointId: string,
	render: (deliveryId: string, at: number) => string,
	queue: WebhookQueue,
): Promise<DeliveryView> {
	requireEnabled(await endpointOf(deps, projectId, endpointId));
	const now = deps.now();
	const id = `msg_${randomToken(16)}`;
	const { reads } = await commit(deps, projectId, {
		statements: [
			insertTestDeliveryStatement(
				projectId,
				{ id, endpointId, eventSeq: null, eventType: WEBHOOK_TEST_EVENT, payload: render(id, now) },
				now,
			),
		],
		entries: [
			{ action: "webhook.tested", target: { type: "webhook", id: endpointId }, data: { deliveryId: id } },
		],
		reads: [deliveryQuery(projectId, endpointId, id)],
	});
	const row = reads[0]?.[0];
	if (!row) throw new DomainError("not_found", "Delivery not found");
	await enqueue(queue, [{ kind: "deliver", projectId, deliveryId: id }]);
	return toView(row);
}
