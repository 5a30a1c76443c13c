// Webhook delivery through the queue consumer (docs/webhooks.md): events of the catalogue, Standard
// Webhooks signatures, the retry schedule, 410, Retry-After, redirects, timeouts, rotation, audit
// endpoints and the dead-letter queue. The receiver is the sender's injectable fetch.
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { createUser, inviteUser } from "../../src/domain/users/user.create";
import { deleteUser, deleteUserById } from "../../src/domain/users/user.delete";
import {
	outcomeOf,
	parseRetryAfter,
	RETRY_SCHEDULE_SECONDS,
} from "../../src/domain/webhooks/webhook.delivery";
import { rotateWebhookSecret } from "../../src/domain/webhooks/webhook.endpoints";
import { WEBHOOK_DLQ_NAME } from "../../src/webhooks/consumer";
import { SNIPPET_BYTES } from "../../src/webhooks/sender";
import { receiver, sql1, sqlAll, webhookWorld } from "./webhook-delivery-harness";

const verify = (secret: string, r: { body: string; headers: Record<string, string> }) =>
	new Webhook(secret).verify(r.body, r.headers) as Record<string, unknown>;

const delayOf = async (id: string) => {
	const d = await sql1<{ next_attempt_at: number; last_attempt_at: number }>(
		"SELECT next_attempt_at, last_attempt_at FROM webhook_deliveries WHERE id = ?",
		id,
	);
	return d ? d.next_attempt_at - d.last_attempt_at : null;
};

const deliveryOf = (id: string) =>
	sql1<Record<string, unknown>>("SELECT * FROM webhook_deliveries WHERE id = ?", id);

describe("events", () => {
	it("a created user is delivered as user.created, signed per Standard Webhooks", async () => {
		const rx = receiver(new Response("thanks"));
		const w = await webhookWorld(rx.fetch);
		const { secret } = await w.endpoint();
		const user = await createUser(w.deps, w.projectId, {
			loginId: "alice@example.com",
			email: "alice@example.com",
			status: "enabled",
		});
		await w.drain();
		expect(rx.received, JSON.stringify(rx.received)).toHaveLength(1);
		const [r] = rx.received;
		expect(r?.url).toBe("https://hooks.example.com/roster");
		expect(r?.headers["webhook-id"]).toMatch(/^msg_[0-9a-f]{32}$/);
		expect(r?.headers["webhook-timestamp"]).toMatch(/^\d{10}$/);
		expect(r?.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
		expect(r?.headers["content-type"]).toBe("application/json");
		const payload = verify(secret, r!);
		expect(Object.keys(payload).sort()).toEqual(["data", "seq", "timestamp", "type", "version"]);
		expect(payload, r?.body).toMatchObject({
			type: "user.created",
			version: 1,
			timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
			seq: expect.any(Number),
			data: {
				userId: user.id,
				loginIds: ["alice@example.com"],
				email: "alice@example.com",
				status: "enabled",
				roleNames: [],
				userTenants: [],
			},
		});
		const d = await deliveryOf(r!.headers["webhook-id"] as string);
		expect(d, JSON.stringify(d)).toMatchObject({ status: "succeeded", attempts: 1, last_status_code: 200 });
		const attempts = await sqlAll("SELECT * FROM webhook_attempts WHERE delivery_id = ?", d?.id);
		expect(attempts, JSON.stringify(attempts)).toMatchObject([
			{ attempt: 1, status_code: 200, response_snippet: "thanks", error: null },
		]);
	});

	it("an invitation is delivered as user.created then user.invited, with the same seq", async () => {
		const rx = receiver(new Response("ok"));
		const w = await webhookWorld(rx.fetch);
		await w.endpoint();
		await inviteUser(w.deps, w.projectId, { loginId: "bob@example.com", email: "bob@example.com" });
		await w.drain();
		const payloads = rx.received.map((r) => JSON.parse(r.body));
		expect(
			payloads.map((p) => p.type),
			JSON.stringify(payloads),
		).toEqual(["user.created", "user.invited"]);
		expect(payloads[0].seq).toBe(payloads[1].seq);
		expect(payloads[1].data).toMatchObject({ loginIds: ["bob@example.com"], status: "invited" });
		expect(rx.received[0]?.headers["webhook-id"]).not.toBe(rx.received[1]?.headers["webhook-id"]);
	});

	it("only subscribed event types are delivered; a deletion carries ids and changes", async () => {
		const rx = receiver(new Response("ok"));
		const w = await webhookWorld(rx.fetch);
		await w.endpoint({ eventTypes: ["user.deleted"] });
		const user = await createUser(w.deps, w.projectId, {
			loginId: "carol@example.com",
			email: "carol@example.com",
		});
		await w.drain();
		expect(rx.received, JSON.stringify(rx.received)).toHaveLength(0);
		await deleteUser(w.deps, w.projectId, user.id);
		await w.drain();
		expect(rx.received).toHaveLength(1);
		const payload = JSON.parse(rx.received[0]!.body);
		expect(payload, rx.received[0]?.body).toMatchObject({
			type: "user.deleted",
			version: 1,
			data: { userId: user.id, loginIds: ["carol@example.com"] },
		});
	});
});

describe("signatures", () => {
	it("during a rotation's overlap both secrets sign, each verifiable", async () => {
		const rx = receiver(new Response("ok"));
		const w = await webhookWorld(rx.fetch);
		const { endpoint, secret: oldSecret } = await w.endpoint();
		const { secret: newSecret } = await rotateWebhookSecret(w.deps, w.projectId, endpoint.id);
		await createUser(w.deps, w.projectId, { loginId: "dave@example.com" });
		await w.drain();
		const r = rx.received[0]!;
		expect(r.headers["webhook-signature"]?.split(" "), r.headers["webhook-signature"]).toHaveLength(2);
		expect(verify(newSecret, r)).toMatchObject({ type: "user.created" });
		expect(verify(oldSecret, r)).toMatchObject({ type: "user.created" });
	});

	it("after the overlap only the new secret signs", async () => {
		const rx = receiver(new Response("ok"));
		const w = await webhookWorld(rx.fetch);
		const { endpoint, secret: oldSecret } = await w.endpoint();
		const { secret: newSecret } = await rotateWebhookSecret(w.deps, w.projectId, endpoint.id);
		await sql1(
			"UPDATE webhook_endpoints SET previous_secret_expires_at = ? WHERE id = ?",
			Date.now() - 1,
			endpoint.id,
		);
		await createUser(w.deps, w.projectId, { loginId: "erin@example.com" });
		await w.drain();
		const r = rx.received[0]!;
		expect(r.headers["webhook-signature"]?.split(" ")).toHaveLength(1);
		expect(verify(newSecret, r)).toMatchObject({ type: "user.created" });
		expect(() => verify(oldSecret, r)).toThrow();
	});
});

describe("audit endpoints", () => {
	it("receive change rows as audit records, filtered by action, with their extra headers", async () => {
		const rx = receiver(new Response("ok"));
		const w = await webhookWorld(rx.fetch);
		const { secret } = await w.endpoint({
			kind: "audit",
			eventTypes: ["user.created"],
			headers: { "x-receiver-token": "r-123" },
		});
		const user = await createUser(w.deps, w.projectId, { loginId: "frank@example.com" });
		await w.drain();
		expect(rx.received, JSON.stringify(rx.received.map((r) => r.body))).toHaveLength(1);
		const r = rx.received[0]!;
		expect(r.headers["x-receiver-token"]).toBe("r-123");
		const payload = verify(secret, r);
		expect(payload, r.body).toMatchObject({
			type: "user.created",
			version: 1,
			data: {
				projectId: w.projectId,
				userId: user.id,
				action: "user.created",
				occurred: expect.any(Number),
				externalIds: ["frank@example.com"],
				actorId: "K-test",
				actorType: "key",
				type: "info",
				ID: String(payload.seq),
			},
		});
	});
});

describe("audit endpoints with excluded actions", () => {
	it("every activity entry but the excluded actions is delivered", async () => {
		const rx = receiver(new Response("ok"));
		const w = await webhookWorld(rx.fetch);
		await w.endpoint({ kind: "audit", excludedEventTypes: ["user.deleted"] });
		const user = await createUser(w.deps, w.projectId, { loginId: "hal@example.com" });
		await deleteUserById(w.deps, w.projectId, user.id);
		await w.drain();
		const actions = rx.received.map((r) => JSON.parse(r.body).type);
		expect(actions, JSON.stringify(actions)).toContain("user.created");
		expect(actions).toContain("session.revoked");
		expect(actions).not.toContain("user.deleted");
	});
});

describe("retries", () => {
	it("a failing receiver is retried on the schedule; the attempt is logged", async () => {
		const rx = receiver(new Response("boom", { status: 500 }));
		const w = await webhookWorld(rx.fetch);
		await w.endpoint();
		await createUser(w.deps, w.projectId, { loginId: "gina@example.com" });
		await Promise.all(w.waits.splice(0));
		await w.run(w.sent.splice(0));
		const deliver = w.sent.splice(0);
		expect(deliver).toMatchObject([{ kind: "deliver", projectId: w.projectId }]);
		const first = await w.run(deliver, 1);
		expect(first.retryMessages, JSON.stringify(first)).toEqual([{ msgId: "m0" }]);
		const id = (deliver[0] as { deliveryId: string }).deliveryId;
		// getQueueResult does not report delaySeconds; the delivery's next attempt is set from the same delay.
		expect(await delayOf(id)).toBe(5_000);
		expect(await deliveryOf(id)).toMatchObject({ status: "pending", attempts: 1, last_status_code: 500 });
		const second = await w.run(deliver, 2);
		expect(second.retryMessages).toEqual([{ msgId: "m0" }]);
		expect(await delayOf(id)).toBe(300_000);
		const last = await w.run(deliver, RETRY_SCHEDULE_SECONDS.length);
		expect(last.explicitAcks, JSON.stringify(last)).toEqual(["m0"]);
		expect(await deliveryOf(id)).toMatchObject({ status: "failed", attempts: 3, next_attempt_at: null });
		const attempts = await sqlAll<{ attempt: number; status_code: number }>(
			"SELECT attempt, status_code, response_snippet FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt",
			id,
		);
		expect(attempts).toEqual([
			{ attempt: 1, status_code: 500, response_snippet: "boom" },
			{ attempt: 2, status_code: 500, response_snippet: "boom" },
			{ attempt: 3, status_code: 500, response_snippet: "boom" },
		]);
	});

	it("a receiver that fails twice then succeeds gets the event three times with the same webhook-id", async () => {
		const rx = receiver(
			new Response("no", { status: 500 }),
			new Response("no", { status: 503 }),
			new Response("ok"),
		);
		const w = await webhookWorld(rx.fetch);
		await w.endpoint();
		await createUser(w.deps, w.projectId, { loginId: "thrice@example.com" });
		await Promise.all(w.waits.splice(0));
		await w.run(w.sent.splice(0));
		const deliver = w.sent.splice(0);
		const id = (deliver[0] as { deliveryId: string }).deliveryId;
		// The queue hands the same message back after each retry: attempts 1, 2 and 3.
		expect((await w.run(deliver, 1)).retryMessages).toEqual([{ msgId: "m0" }]);
		expect((await w.run(deliver, 2)).retryMessages).toEqual([{ msgId: "m0" }]);
		expect((await w.run(deliver, 3)).explicitAcks).toEqual(["m0"]);
		expect(rx.received.map((r) => r.headers["webhook-id"])).toEqual([id, id, id]);
		expect(new Set(rx.received.map((r) => r.body)).size).toBe(1);
		expect(await deliveryOf(id)).toMatchObject({ status: "succeeded", attempts: 3, last_status_code: 200 });
	});

	it("the schedule is Standard Webhooks' with ±10 % jitter", () => {
		expect(RETRY_SCHEDULE_SECONDS).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 36000]);
		for (let attempt = 1; attempt < RETRY_SCHEDULE_SECONDS.length; attempt++) {
			const base = RETRY_SCHEDULE_SECONDS[attempt] as number;
			expect(outcomeOf(attempt, 500, null, () => 0)).toEqual({
				kind: "retry",
				delaySeconds: Math.round(base * 0.9),
			});
			expect(outcomeOf(attempt, 500, null, () => 1)).toEqual({
				kind: "retry",
				delaySeconds: Math.round(base * 1.1),
			});
		}
		expect(outcomeOf(8, 500, null)).toEqual({ kind: "failed" });
		expect(outcomeOf(1, null, null, () => 0.5)).toEqual({ kind: "retry", delaySeconds: 5 });
		expect(outcomeOf(3, 204, null)).toEqual({ kind: "succeeded" });
		expect(outcomeOf(1, 410, null)).toEqual({ kind: "gone" });
	});

	it("429 and 503 honour Retry-After in seconds or as an HTTP date, capped at 12 h", async () => {
		const now = Date.parse("2026-01-01T00:00:00Z");
		expect(parseRetryAfter("120", now)).toBe(120);
		expect(parseRetryAfter("Thu, 01 Jan 2026 00:10:00 GMT", now)).toBe(600);
		expect(parseRetryAfter("999999", now)).toBe(43200);
		expect(parseRetryAfter("soon", now)).toBeNull();
		const rx = receiver(new Response("slow down", { status: 429, headers: { "retry-after": "120" } }));
		const w = await webhookWorld(rx.fetch);
		await w.endpoint();
		await createUser(w.deps, w.projectId, { loginId: "hank@example.com" });
		await Promise.all(w.waits.splice(0));
		await w.run(w.sent.splice(0));
		const deliver = w.sent.splice(0);
		const result = await w.run(deliver);
		expect(result.retryMessages, JSON.stringify(result)).toEqual([{ msgId: "m0" }]);
		expect(await delayOf((deliver[0] as { deliveryId: string }).deliveryId)).toBe(120_000);
	});

	it("410 disables the endpoint (Gone), records webhook.disabled by the system, and stops", async () => {
		const rx = receiver(new Response("gone", { status: 410 }));
		const w = await webhookWorld(rx.fetch);
		const { endpoint } = await w.endpoint();
		await createUser(w.deps, w.projectId, { loginId: "ivy@example.com" });
		await Promise.all(w.waits.splice(0));
		await w.run(w.sent.splice(0));
		const deliver = w.sent.splice(0);
		const result = await w.run(deliver);
		expect(result.explicitAcks, JSON.stringify(result)).toEqual(["m0"]);
		const e = await sql1("SELECT enabled, disabled_reason FROM webhook_endpoints WHERE id = ?", endpoint.id);
		expect(e).toEqual({ enabled: 0, disabled_reason: "Gone" });
		expect(await deliveryOf((deliver[0] as { deliveryId: string }).deliveryId)).toMatchObject({
			status: "failed",
			last_status_code: 410,
		});
		const rows = await sqlAll(
			"SELECT action, actor_type, target_id FROM change_log WHERE project_id = ? AND action = 'webhook.disabled'",
			w.projectId,
		);
		expect(rows).toEqual([{ action: "webhook.disabled", actor_type: "system", target_id: endpoint.id }]);
	});

	it("a redirect is not followed and counts as a failure", async () => {
		const rx = receiver(new Response(null, { status: 302, headers: { location: "http://10.0.0.1/" } }));
		const w = await webhookWorld(rx.fetch);
		await w.endpoint();
		await createUser(w.deps, w.projectId, { loginId: "jack@example.com" });
		await Promise.all(w.waits.splice(0));
		await w.run(w.sent.splice(0));
		const deliver = w.sent.splice(0);
		const result = await w.run(deliver);
		expect(result.retryMessages).toHaveLength(1);
		expect(rx.received[0]?.init.redirect).toBe("manual");
		const a = await sql1(
			"SELECT status_code, error FROM webhook_attempts WHERE delivery_id = ?",
			(deliver[0] as { deliveryId: string }).deliveryId,
		);
		expect(a).toEqual({ status_code: 302, error: "Redirects are not followed" });
	});

	it("no answer within the timeout is a failed attempt with no status", async () => {
		const rx = receiver(new DOMException("The operation timed out.", "TimeoutError"));
		const w = await webhookWorld(rx.fetch);
		await w.endpoint();
		await createUser(w.deps, w.projectId, { loginId: "kate@example.com" });
		await Promise.all(w.waits.splice(0));
		await w.run(w.sent.splice(0));
		const deliver = w.sent.splice(0);
		await w.run(deliver);
		expect(rx.received[0]?.init.signal).toBeInstanceOf(AbortSignal);
		const a = await sql1(
			"SELECT status_code, error FROM webhook_attempts WHERE delivery_id = ?",
			(deliver[0] as { deliveryId: string }).deliveryId,
		);
		expect(a).toEqual({ status_code: null, error: "No answer within 15 s" });
	});

	it("keeps only the first 2 KiB of the answer", async () => {
		const rx = receiver(() => new Response("x".repeat(1024 * 1024)));
		const w = await webhookWorld(rx.fetch);
		await w.endpoint();
		await createUser(w.deps, w.projectId, { loginId: "leo@example.com" });
		await w.drain();
		const a = await sql1<{ response_snippet: string }>(
			"SELECT a.response_snippet FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.project_id = ?",
			w.projectId,
		);
		expect(a?.response_snippet.length).toBe(SNIPPET_BYTES);
	});

	it("a target that became private is refused at delivery time, without a request", async () => {
		const rx = receiver(new Response("ok"));
		const w = await webhookWorld(rx.fetch);
		const { endpoint } = await w.endpoint();
		await createUser(w.deps, w.projectId, { loginId: "mia@example.com" });
		await Promise.all(w.waits.splice(0));
		await w.run(w.sent.splice(0));
		await sql1("UPDATE webhook_endpoints SET url = 'https://10.1.2.3/hook' WHERE id = ?", endpoint.id);
		const deliver = w.sent.splice(0);
		const result = await w.run(deliver);
		expect(result.explicitAcks).toEqual(["m0"]);
		expect(rx.received).toHaveLength(0);
		const id = (deliver[0] as { deliveryId: string }).deliveryId;
		expect(await deliveryOf(id)).toMatchObject({ status: "failed", attempts: 1 });
		const a = await sql1<{ error: string }>("SELECT error FROM webhook_attempts WHERE delivery_id = ?", id);
		expect(a?.error).toContain("Target refused");
	});

	it("a settled delivery's duplicate message sends nothing", async () => {
		const rx = receiver(new Response("ok"));
		const w = await webhookWorld(rx.fetch);
		await w.endpoint();
		await createUser(w.deps, w.projectId, { loginId: "ned@example.com" });
		await Promise.all(w.waits.splice(0));
		await w.run(w.sent.splice(0));
		const deliver = w.sent.splice(0);
		await w.run(deliver);
		const again = await w.run(deliver, 3);
		expect(again.explicitAcks).toEqual(["m0"]);
		expect(rx.received).toHaveLength(1);
	});

	it("the dead-letter queue's consumer marks the delivery failed", async () => {
		const rx = receiver(new Response("boom", { status: 500 }));
		const w = await webhookWorld(rx.fetch);
		await w.endpoint();
		await createUser(w.deps, w.projectId, { loginId: "olga@example.com" });
		await Promise.all(w.waits.splice(0));
		await w.run(w.sent.splice(0));
		const deliver = w.sent.splice(0);
		const result = await w.run(deliver, 11, WEBHOOK_DLQ_NAME);
		expect(result.explicitAcks).toEqual(["m0"]);
		expect(rx.received).toHaveLength(0);
		expect(await deliveryOf((deliver[0] as { deliveryId: string }).deliveryId)).toMatchObject({
			status: "failed",
			next_attempt_at: null,
		});
	});
});
