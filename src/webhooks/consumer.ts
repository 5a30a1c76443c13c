// The WEBHOOK_QUEUE consumer (docs/webhooks.md): fan-out messages turn change rows into deliveries,
// deliver messages make one attempt each and retry on the Standard Webhooks schedule through
// `message.retry({ delaySeconds })`; the dead-letter queue's consumer marks what reached it failed.
import { createDb } from "../db/client";
import type { Deps } from "../domain/deps";
import {
	deliveryToSend,
	disableGoneEndpoint,
	markDeliveryFailed,
	outcomeOf,
	parseRetryAfter,
	recordAttempt,
} from "../domain/webhooks/webhook.delivery";
import type { WebhookMessage, WebhookQueue } from "../domain/webhooks/webhook.outbox";
import { fanOut, sweepOutbox, webhookQueue } from "../domain/webhooks/webhook.outbox";
import { payloadRenderer } from "./payload";
import { sendDelivery } from "./sender";

export const WEBHOOK_QUEUE_NAME = "roster-webhooks";
export const WEBHOOK_DLQ_NAME = "roster-webhooks-dlq";

/** What the consumer talks to; production uses the bindings and the global fetch. */
export interface WebhookRuntime {
	fetch: typeof fetch;
	queue: WebhookQueue;
	now: () => number;
	random: () => number;
}

export const productionRuntime = (env: Env): WebhookRuntime => ({
	fetch: (input, init) => fetch(input, init),
	queue: webhookQueue(env),
	now: Date.now,
	random: Math.random,
});

function depsFor(env: Env, ctx: ExecutionContext, runtime: WebhookRuntime): Deps {
	return {
		db: createDb(env.DB),
		d1: env.DB,
		kv: env.KEY_CACHE,
		env,
		now: runtime.now,
		waitUntil: (promise) => ctx.waitUntil(promise),
	};
}

type Verdict = { ack: true } | { ack: false; delaySeconds?: number };

/** One deliver message: one attempt, its record, and what the message does next. */
async function deliver(
	deps: Deps,
	runtime: WebhookRuntime,
	body: Extract<WebhookMessage, { kind: "deliver" }>,
	queueAttempts: number,
): Promise<Verdict> {
	const d = await deliveryToSend(deps, body.projectId, body.deliveryId);
	// Already settled (a duplicate message, a replay's older retry) or deleted with its endpoint.
	if (d?.status !== "pending") return { ack: true };
	if (!d.url || Number(d.enabled) !== 1) {
		await markDeliveryFailed(deps, body.projectId, d.id);
		return { ack: true };
	}
	const position = (body.from ?? 0) + queueAttempts;
	const sent = await sendDelivery({ fetch: runtime.fetch, now: runtime.now, env: deps.env }, d);
	const outcome = sent.refused
		? ({ kind: "failed" } as const)
		: outcomeOf(position, sent.statusCode, parseRetryAfter(sent.retryAfter, sent.at), runtime.random);
	const status = outcome.kind === "succeeded" ? "succeeded" : outcome.kind === "retry" ? "pending" : "failed";
	await recordAttempt(deps, body.projectId, d.id, {
		at: sent.at,
		statusCode: sent.statusCode,
		latencyMs: sent.latencyMs,
		responseSnippet: sent.responseSnippet,
		error: sent.error,
		status,
		nextAttemptAt: outcome.kind === "retry" ? sent.at + outcome.delaySeconds * 1000 : null,
	});
	if (outcome.kind === "gone") await disableGoneEndpoint(deps, body.projectId, d.endpointId);
	return outcome.kind === "retry" ? { ack: false, delaySeconds: outcome.delaySeconds } : { ack: true };
}

/** The queue handler of both queues (dispatch on `batch.queue`); messages run one after another, in order. */
export async function handleWebhookBatch(
	batch: MessageBatch<unknown>,
	env: Env,
	ctx: ExecutionContext,
	runtime: WebhookRuntime = productionRuntime(env),
): Promise<void> {
	const deps = depsFor(env, ctx, runtime);
	const deadLetters = batch.queue === WEBHOOK_DLQ_NAME;
	for (const message of batch.messages) {
		const body = message.body as WebhookMessage;
		try {
			if (deadLetters) {
				// Retries exhausted without a verdict (repeated crashes): the delivery is failed.
				if (body?.kind === "deliver") await markDeliveryFailed(deps, body.projectId, body.deliveryId);
				message.ack();
			} else if (body?.kind === "fanout") {
				await fanOut(deps, body.projectId, payloadRenderer, runtime.queue);
				message.ack();
			} else if (body?.kind === "deliver") {
				const verdict = await deliver(deps, runtime, body, message.attempts);
				if (verdict.ack) message.ack();
				else message.retry({ delaySeconds: verdict.delaySeconds });
			} else {
				console.error("webhook queue: unknown message", JSON.stringify(body)?.slice(0, 200));
				message.ack();
			}
		} catch (error) {
			console.error("webhook queue: message failed, retrying", message.id, error);
			message.retry({ delaySeconds: 5 });
		}
	}
}

/** The outbox sweep of the cron (src/index.ts). */
export const sweepWebhooks = (env: Env, now: number, runtime: WebhookRuntime = productionRuntime(env)) =>
	sweepOutbox({ d1: env.DB, now: () => now }, runtime.queue);
