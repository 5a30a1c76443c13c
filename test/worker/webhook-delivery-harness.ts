// Shared by the webhook delivery tests: services' deps whose WEBHOOK_QUEUE records what is sent (the
// tests run the consumer themselves, with createMessageBatch), and a scripted receiver for the
// sender's injectable fetch (workerd cannot listen on a port; test/node/webhooks.test.ts uses a real one).
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createDb } from "../../src/db/client";
import type { Deps } from "../../src/domain/deps";
import { type CreateEndpointInput, createWebhookEndpoint } from "../../src/domain/webhooks/webhook.endpoints";
import { type WebhookMessage, webhookQueue } from "../../src/domain/webhooks/webhook.outbox";
import { handleWebhookBatch, WEBHOOK_QUEUE_NAME, type WebhookRuntime } from "../../src/webhooks/consumer";
import { newProject } from "./harness";

export interface Received {
	url: string;
	init: RequestInit;
	headers: Record<string, string>;
	body: string;
}

type Answer = Response | Error | (() => Response | Promise<Response>);

/** A receiver answering from a script (the last answer repeats); records every request. */
export function receiver(...answers: Answer[]) {
	const received: Received[] = [];
	const fetcher = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
		received.push({
			url: String(input),
			init,
			headers: Object.fromEntries(new Headers(init.headers)),
			body: String(init.body),
		});
		const answer = answers.length > 1 ? answers.shift() : answers[0];
		if (answer instanceof Error) throw answer;
		if (typeof answer === "function") return answer();
		return (answer ?? new Response("ok")).clone();
	}) as typeof fetch;
	return { received, fetch: fetcher };
}

/** A project, deps for its services and a consumer runtime, all sending to a recording queue. */
export async function webhookWorld(fetcher: typeof fetch = receiver(new Response("ok")).fetch) {
	const project = await newProject("webhooks");
	const sent: WebhookMessage[] = [];
	const waits: Promise<unknown>[] = [];
	const queue = {
		send: async (body: WebhookMessage) => {
			sent.push(body);
		},
		sendBatch: async (messages: { body: WebhookMessage }[]) => {
			sent.push(...messages.map((m) => m.body));
		},
	} as unknown as Queue;
	const testEnv = { ...env, WEBHOOK_QUEUE: queue } as Env;
	const deps: Deps = {
		db: createDb(env.DB),
		d1: env.DB,
		kv: env.KEY_CACHE,
		env: testEnv,
		now: Date.now,
		waitUntil: (p) => {
			waits.push(p);
		},
		actor: { type: "key", id: "K-test", name: "test key" },
	};
	const runtime: WebhookRuntime = {
		fetch: fetcher,
		queue: webhookQueue(testEnv),
		now: Date.now,
		random: () => 0.5,
	};

	/** Runs messages through the consumer as one batch, each with `attempts` deliveries so far. */
	async function run(messages: WebhookMessage[], attempts = 1, queueName = WEBHOOK_QUEUE_NAME) {
		const batch = createMessageBatch<WebhookMessage>(
			queueName,
			messages.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })),
		);
		const ctx = createExecutionContext();
		await handleWebhookBatch(batch, testEnv, ctx, runtime);
		return getQueueResult(batch, ctx);
	}

	/** Waits for the commits' background work, then runs what was sent until the queue is empty. */
	async function drain() {
		for (let round = 0; round < 10; round++) {
			await Promise.all(waits.splice(0));
			const pending = sent.splice(0);
			if (!pending.length) return;
			await run(pending);
		}
	}

	async function endpoint(input: Partial<CreateEndpointInput> = {}) {
		return createWebhookEndpoint(deps, project.projectId, {
			url: "https://hooks.example.com/roster",
			...input,
		});
	}

	return {
		project,
		projectId: project.projectId,
		deps,
		env: testEnv,
		runtime,
		sent,
		waits,
		run,
		drain,
		endpoint,
	};
}

export const sql1 = <T = Record<string, unknown>>(query: string, ...params: unknown[]) =>
	env.DB.prepare(query)
		.bind(...params)
		.first<T>();

export const sqlAll = async <T = Record<string, unknown>>(query: string, ...params: unknown[]) =>
	(
		await env.DB.prepare(query)
			.bind(...params)
			.all<T>()
	).results;
