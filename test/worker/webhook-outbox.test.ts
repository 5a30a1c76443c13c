// The outbox (docs/webhooks.md, "Outbox and sweep"): a commit asks for a fan-out, fan-out is bounded
// and idempotent and moves the cursor in the same batch, and the cron's sweep delivers what a lost
// message left behind.
import { createScheduledController } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { commit } from "../../src/domain/commit";
import { createUser } from "../../src/domain/users/user.create";
import { FANOUT_ROWS, fanOut, OVERDUE_MS, sweepOutbox } from "../../src/domain/webhooks/webhook.outbox";
import worker from "../../src/index";
import { payloadRenderer } from "../../src/webhooks/payload";
import { receiver, sql1, sqlAll, webhookWorld } from "./webhook-delivery-harness";

const cursorOf = async (projectId: string) =>
	(await sql1<{ last_seq: number }>("SELECT last_seq FROM webhook_outbox WHERE project_id = ?", projectId))
		?.last_seq ?? null;

const maxSeq = async (projectId: string) =>
	(await sql1<{ m: number }>("SELECT MAX(seq) AS m FROM change_log WHERE project_id = ?", projectId))?.m;

describe("notify after commit", () => {
	it("a commit in a project with an enabled endpoint enqueues a fan-out", async () => {
		const w = await webhookWorld();
		await w.endpoint();
		await Promise.all(w.waits.splice(0));
		w.sent.splice(0);
		await createUser(w.deps, w.projectId, { loginId: "a@example.com" });
		await Promise.all(w.waits.splice(0));
		expect(w.sent).toEqual([{ kind: "fanout", projectId: w.projectId }]);
	});

	it("a project without enabled endpoints enqueues nothing", async () => {
		const w = await webhookWorld();
		await w.endpoint({ enabled: false });
		await createUser(w.deps, w.projectId, { loginId: "b@example.com" });
		await Promise.all(w.waits.splice(0));
		expect(w.sent).toEqual([]);
	});

	it("a failing queue never fails the write", async () => {
		const w = await webhookWorld();
		await w.endpoint();
		const broken = {
			...w.deps,
			env: {
				...w.deps.env,
				WEBHOOK_QUEUE: {
					send: () => Promise.reject(new Error("queue unavailable")),
					sendBatch: () => Promise.reject(new Error("queue unavailable")),
				} as unknown as Queue,
			},
		};
		await Promise.all(w.waits.splice(0));
		w.sent.splice(0);
		const user = await createUser(broken, w.projectId, { loginId: "c@example.com" });
		await Promise.all(w.waits.splice(0));
		expect(user.loginIds).toEqual(["c@example.com"]);
		expect(w.sent).toEqual([]);
	});
});

describe("fan-out", () => {
	it("is idempotent: a repeated fan-out of the same rows creates and enqueues nothing new", async () => {
		const w = await webhookWorld();
		await w.endpoint();
		await createUser(w.deps, w.projectId, { loginId: "d@example.com" });
		const first = await fanOut(w.deps, w.projectId, payloadRenderer, w.runtime.queue);
		expect(first).toMatchObject({ created: 1, more: false });
		expect(w.sent.filter((m) => m.kind === "deliver")).toHaveLength(1);
		await sql1("DELETE FROM webhook_outbox WHERE project_id = ?", w.projectId);
		w.sent.splice(0);
		const again = await fanOut(w.deps, w.projectId, payloadRenderer, w.runtime.queue);
		expect(again).toMatchObject({ created: 0 });
		expect(w.sent).toEqual([]);
		const count = await sql1(
			"SELECT COUNT(*) AS n FROM webhook_deliveries WHERE project_id = ?",
			w.projectId,
		);
		expect(count).toEqual({ n: 1 });
	});

	it("moves the cursor with the deliveries and is bounded, enqueueing the next step", async () => {
		const w = await webhookWorld();
		await w.endpoint({ eventTypes: ["user.updated"] });
		for (let i = 0; i < 150; i += 50) {
			await commit(w.deps, w.projectId, {
				statements: [],
				entries: Array.from({ length: 50 }, (_, j) => ({
					action: "user.updated" as const,
					target: { type: "user" as const, id: `U${i + j}` },
				})),
			});
		}
		await Promise.all(w.waits.splice(0));
		w.sent.splice(0);
		const step = await fanOut(w.deps, w.projectId, payloadRenderer, w.runtime.queue);
		// The first row is the endpoint's own `webhook.created`, which is no event.
		expect(step).toEqual({ rows: FANOUT_ROWS, created: FANOUT_ROWS - 1, more: true });
		expect(w.sent.at(-1)).toEqual({ kind: "fanout", projectId: w.projectId });
		const seqs = await sqlAll<{ event_seq: number }>(
			"SELECT event_seq FROM webhook_deliveries WHERE project_id = ? ORDER BY event_seq",
			w.projectId,
		);
		expect(await cursorOf(w.projectId)).toBe(seqs.at(-1)?.event_seq);
		const rest = await fanOut(w.deps, w.projectId, payloadRenderer, w.runtime.queue);
		expect(rest).toMatchObject({ rows: 51, created: 51, more: false });
		expect(await cursorOf(w.projectId)).toBe(await maxSeq(w.projectId));
	});

	it("an endpoint receives only what happened after it was created", async () => {
		const w = await webhookWorld();
		await createUser(w.deps, w.projectId, { loginId: "before@example.com" });
		await w.endpoint();
		await createUser(w.deps, w.projectId, { loginId: "after@example.com" });
		await fanOut(w.deps, w.projectId, payloadRenderer, w.runtime.queue);
		const rows = await sqlAll<{ payload: string }>(
			"SELECT payload FROM webhook_deliveries WHERE project_id = ?",
			w.projectId,
		);
		expect(rows.map((r) => JSON.parse(r.payload).data.loginIds)).toEqual([["after@example.com"]]);
	});

	it("a project without enabled endpoints only moves its cursor to its latest row", async () => {
		const w = await webhookWorld();
		await createUser(w.deps, w.projectId, { loginId: "e@example.com" });
		const step = await fanOut(w.deps, w.projectId, payloadRenderer, w.runtime.queue);
		expect(step).toEqual({ rows: 0, created: 0, more: false });
		expect(await cursorOf(w.projectId)).toBe(await maxSeq(w.projectId));
	});
});

describe("sweep", () => {
	it("a change written while the queue was unavailable is delivered by the cron's sweep", async () => {
		const rx = receiver(new Response("ok"));
		const w = await webhookWorld(rx.fetch);
		await w.endpoint();
		await Promise.all(w.waits.splice(0));
		await w.drain();
		// The notification is lost: the queue is unavailable between the commit and the enqueue.
		const unavailable = {
			send: () => Promise.reject(new Error("queue unavailable")),
			sendBatch: () => Promise.reject(new Error("queue unavailable")),
		} as unknown as Queue;
		const broken = { ...w.deps, env: { ...w.deps.env, WEBHOOK_QUEUE: unavailable } };
		await createUser(broken, w.projectId, { loginId: "lost@example.com" });
		await Promise.all(w.waits.splice(0));
		expect(w.sent).toEqual([]);
		await worker.scheduled(createScheduledController({ scheduledTime: Date.now() }), w.env);
		expect(w.sent).toContainEqual({ kind: "fanout", projectId: w.projectId });
		w.sent.splice(0, w.sent.length, { kind: "fanout", projectId: w.projectId });
		await w.drain();
		expect(rx.received.map((r) => JSON.parse(r.body).data.loginIds)).toEqual([["lost@example.com"]]);
	});

	it("re-enqueues a pending delivery overdue by more than a few minutes, resuming its schedule", async () => {
		const w = await webhookWorld();
		await w.endpoint();
		await createUser(w.deps, w.projectId, { loginId: "f@example.com" });
		await fanOut(w.deps, w.projectId, payloadRenderer, w.runtime.queue);
		const d = await sql1<{ id: string }>(
			"SELECT id FROM webhook_deliveries WHERE project_id = ?",
			w.projectId,
		);
		await sql1(
			"UPDATE webhook_deliveries SET attempts = 3, next_attempt_at = ? WHERE id = ?",
			Date.now() - OVERDUE_MS - 60_000,
			d?.id,
		);
		w.sent.splice(0);
		const now = Date.now();
		await sweepOutbox({ d1: w.deps.d1, now: () => now }, w.runtime.queue);
		expect(w.sent).toContainEqual({ kind: "deliver", projectId: w.projectId, deliveryId: d?.id, from: 3 });
		const after = await sql1("SELECT next_attempt_at FROM webhook_deliveries WHERE id = ?", d?.id);
		expect(after).toEqual({ next_attempt_at: now });
	});

	it("leaves projects whose cursor is current alone", async () => {
		const w = await webhookWorld();
		await w.endpoint();
		await createUser(w.deps, w.projectId, { loginId: "g@example.com" });
		await Promise.all(w.waits.splice(0));
		await w.drain();
		w.sent.splice(0);
		await sweepOutbox({ d1: w.deps.d1, now: Date.now }, w.runtime.queue);
		expect(w.sent.filter((m) => m.projectId === w.projectId)).toEqual([]);
	});
});
