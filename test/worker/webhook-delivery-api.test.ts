// The delivery log, replay and test ping of the partner API (docs/webhooks.md, "Delivery log and replay").
import { describe, expect, it } from "vitest";
import { createUser } from "../../src/domain/users/user.create";
import { fanOut } from "../../src/domain/webhooks/webhook.outbox";
import { payloadRenderer } from "../../src/webhooks/payload";
import { call } from "./harness";
import { receiver, sql1, sqlAll, webhookWorld } from "./webhook-delivery-harness";

const BASE = "/api/partner/v1/webhooks";

async function world(answer = new Response("ok")) {
	const w = await webhookWorld(receiver(answer).fetch);
	// Replay and test go through the real queue, whose consumer really sends: to a closed loopback port.
	const { endpoint } = await w.endpoint({ url: "http://127.0.0.1:9/hook" });
	const headers = { authorization: `Bearer ${w.project.managementKey}` };
	const api = {
		get: (path: string) => call("GET", path, { headers }),
		post: (path: string, body?: unknown) => call("POST", path, { headers, body: body ?? {} }),
	};
	return { ...w, endpoint, api };
}

/** Deliveries for `n` new users, each attempted once (the receiver's answer). */
async function delivered(w: Awaited<ReturnType<typeof world>>, n: number) {
	for (let i = 0; i < n; i++) await createUser(w.deps, w.projectId, { loginId: `u${i}@example.com` });
	await Promise.all(w.waits.splice(0));
	w.sent.splice(0);
	await fanOut(w.deps, w.projectId, payloadRenderer, w.runtime.queue);
	await w.run(w.sent.splice(0));
}

describe("GET /webhooks/{id}/deliveries", () => {
	it("lists deliveries newest first with their attempt log", async () => {
		const w = await world(new Response("nope", { status: 500 }));
		await delivered(w, 1);
		const res = await w.api.get(`${BASE}/${w.endpoint.id}/deliveries`);
		expect(res.status, JSON.stringify(res.body)).toBe(200);
		expect(res.body, JSON.stringify(res.body)).toEqual({
			Items: [
				{
					Id: expect.stringMatching(/^msg_/),
					EventType: "user.created",
					EventSeq: expect.any(Number),
					Status: "pending",
					Attempts: 1,
					CreatedAt: expect.stringMatching(/Z$/),
					LastAttemptAt: expect.stringMatching(/Z$/),
					NextAttemptAt: expect.stringMatching(/Z$/),
					LastStatusCode: 500,
					AttemptLog: [
						{
							Attempt: 1,
							At: expect.stringMatching(/Z$/),
							StatusCode: 500,
							LatencyMs: expect.any(Number),
							ResponseSnippet: "nope",
							Error: null,
						},
					],
				},
			],
			NextCursor: null,
		});
	});

	it("pages with the cursor and filters by status", async () => {
		const w = await world();
		await delivered(w, 3);
		const first = await w.api.get(`${BASE}/${w.endpoint.id}/deliveries?limit=2`);
		expect(first.status, JSON.stringify(first.body)).toBe(200);
		expect(first.body.Items).toHaveLength(2);
		expect(first.body.NextCursor).toEqual(expect.any(String));
		const second = await w.api.get(
			`${BASE}/${w.endpoint.id}/deliveries?limit=2&cursor=${first.body.NextCursor}`,
		);
		expect(second.body.Items, JSON.stringify(second.body)).toHaveLength(1);
		expect(second.body.NextCursor).toBeNull();
		const ids = [...first.body.Items, ...second.body.Items].map((d: { Id: string }) => d.Id);
		expect(new Set(ids).size).toBe(3);
		const failed = await w.api.get(`${BASE}/${w.endpoint.id}/deliveries?status=failed`);
		expect(failed.body, JSON.stringify(failed.body)).toEqual({ Items: [], NextCursor: null });
		const ok = await w.api.get(`${BASE}/${w.endpoint.id}/deliveries?status=succeeded`);
		expect(ok.body.Items).toHaveLength(3);
	});

	it("refuses a bad status, a bad cursor and an unknown endpoint", async () => {
		const w = await world();
		const status = await w.api.get(`${BASE}/${w.endpoint.id}/deliveries?status=lost`);
		expect(status.status, JSON.stringify(status.body)).toBe(400);
		expect(status.body.errors, JSON.stringify(status.body)).toMatchObject([{ field: "status" }]);
		const cursor = await w.api.get(`${BASE}/${w.endpoint.id}/deliveries?cursor=xyz`);
		expect(cursor.status, JSON.stringify(cursor.body)).toBe(400);
		expect(cursor.body.errors).toEqual([{ field: "cursor", message: "is not a cursor this API issued" }]);
		const unknown = await w.api.get(`${BASE}/W_unknown/deliveries`);
		expect(unknown.status, JSON.stringify(unknown.body)).toBe(404);
	});
});

describe("replay and test", () => {
	it("replays one delivery: the same id, pending again, recorded as webhook.replayed", async () => {
		const w = await world();
		await delivered(w, 1);
		const d = await sql1<{ id: string; payload: string }>(
			"SELECT id, payload FROM webhook_deliveries WHERE project_id = ?",
			w.projectId,
		);
		const res = await w.api.post(`${BASE}/${w.endpoint.id}/deliveries/${d?.id}/replay`);
		expect(res.status, JSON.stringify(res.body)).toBe(202);
		expect(res.body).toMatchObject({ Id: d?.id, EventType: "user.created", Status: "pending", Attempts: 1 });
		const after = await sql1("SELECT payload FROM webhook_deliveries WHERE id = ?", d?.id);
		expect(after).toEqual({ payload: d?.payload });
		const rows = await sqlAll(
			"SELECT action, target_id FROM change_log WHERE project_id = ? AND action = 'webhook.replayed'",
			w.projectId,
		);
		expect(rows).toEqual([{ action: "webhook.replayed", target_id: w.endpoint.id }]);
	});

	it("an unknown delivery is 404", async () => {
		const w = await world();
		const res = await w.api.post(`${BASE}/${w.endpoint.id}/deliveries/msg_nothere/replay`);
		expect(res.status, JSON.stringify(res.body)).toBe(404);
	});

	it("replays a time range and refuses one over 1,000 deliveries or reversed", async () => {
		const w = await world();
		await delivered(w, 2);
		const from = new Date(Date.now() - 60_000).toISOString();
		const to = new Date(Date.now() + 60_000).toISOString();
		const res = await w.api.post(`${BASE}/${w.endpoint.id}/deliveries/replay`, { From: from, To: to });
		expect(res.status, JSON.stringify(res.body)).toBe(202);
		expect(res.body).toEqual({ Replayed: 2 });
		const reversed = await w.api.post(`${BASE}/${w.endpoint.id}/deliveries/replay`, { From: to, To: from });
		expect(reversed.status, JSON.stringify(reversed.body)).toBe(400);
		expect(reversed.body.errors).toMatchObject([{ field: "To" }]);
		const missing = await w.api.post(`${BASE}/${w.endpoint.id}/deliveries/replay`, {
			From: "yesterday",
			To: to,
		});
		expect(missing.status, JSON.stringify(missing.body)).toBe(400);
		expect(missing.body.errors).toMatchObject([{ field: "From" }]);
		await w.env.DB.prepare(
			`INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_seq, event_type, payload, status,
				attempts, created_at, updated_at)
			SELECT 'bulk' || value, ?, ?, 100000 + value, 'user.updated', '{}', 'succeeded', 1, ?, ?
			FROM json_each(?)`,
		)
			.bind(
				w.projectId,
				w.endpoint.id,
				Date.now(),
				Date.now(),
				JSON.stringify(Array.from({ length: 1000 }, (_, i) => i)),
			)
			.run();
		const big = await w.api.post(`${BASE}/${w.endpoint.id}/deliveries/replay`, { From: from, To: to });
		expect(big.status, JSON.stringify(big.body)).toBe(400);
		expect(big.body.errors).toMatchObject([{ field: "To" }]);
		const pending = await sql1(
			"SELECT COUNT(*) AS n FROM webhook_deliveries WHERE project_id = ? AND id LIKE 'bulk%' AND status = 'pending'",
			w.projectId,
		);
		expect(pending).toEqual({ n: 0 });
	});

	it("sends a webhook.test ping, recorded as webhook.tested", async () => {
		const w = await world();
		const res = await w.api.post(`${BASE}/${w.endpoint.id}/test`);
		expect(res.status, JSON.stringify(res.body)).toBe(202);
		expect(res.body, JSON.stringify(res.body)).toEqual({
			Id: expect.stringMatching(/^msg_/),
			EventType: "webhook.test",
			EventSeq: null,
			Status: "pending",
			Attempts: 0,
			CreatedAt: expect.stringMatching(/Z$/),
			LastAttemptAt: null,
			NextAttemptAt: expect.stringMatching(/Z$/),
			LastStatusCode: null,
			AttemptLog: [],
		});
		const d = await sql1<{ payload: string }>(
			"SELECT payload FROM webhook_deliveries WHERE id = ?",
			res.body.Id,
		);
		expect(JSON.parse(d?.payload ?? "{}")).toMatchObject({
			type: "webhook.test",
			version: 1,
			data: { endpointId: w.endpoint.id, deliveryId: res.body.Id },
		});
		const rows = await sqlAll(
			"SELECT action FROM change_log WHERE project_id = ? AND action = 'webhook.tested'",
			w.projectId,
		);
		expect(rows).toEqual([{ action: "webhook.tested" }]);
	});

	it("a disabled endpoint is not sent to (409)", async () => {
		const w = await world();
		await sql1("UPDATE webhook_endpoints SET enabled = 0 WHERE id = ?", w.endpoint.id);
		const res = await w.api.post(`${BASE}/${w.endpoint.id}/test`);
		expect(res.status, JSON.stringify(res.body)).toBe(409);
		expect(res.headers.get("content-type")).toContain("application/problem+json");
	});
});
