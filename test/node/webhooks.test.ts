// Webhooks end to end (docs/webhooks.md): a real HTTP receiver on this machine, endpoints created
// through the partner API, users through the Descope SDK, delivery through the local Queue.
// The sweep after a lost message is tested in workerd (test/worker/webhook-outbox.test.ts), where the
// scheduled handler can be called directly.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, expectOk, setupProject, type TestProject, unique } from "./harness.js";

interface Hit {
	path: string;
	headers: IncomingHttpHeaders;
	body: string;
}

let server: Server;
let origin = "";
const hits = new Map<string, Hit[]>();
/** Per path: the statuses to answer, in order (the last repeats); 200 when none. */
const scripts = new Map<string, number[]>();

beforeAll(async () => {
	server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on("data", (c: Buffer) => chunks.push(c));
		req.on("end", () => {
			const path = req.url ?? "/";
			const list = hits.get(path) ?? [];
			list.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
			hits.set(path, list);
			const script = scripts.get(path) ?? [200];
			const status = (script.length > 1 ? script.shift() : script[0]) ?? 200;
			res.writeHead(status, { "content-type": "text/plain" }).end(`answer ${status}`);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
});

let pathCounter = 0;
const newPath = () => `/hook-${Date.now().toString(36)}-${++pathCounter}`;

async function partner(project: TestProject, method: string, path: string, body?: unknown) {
	const res = await fetch(`${baseUrl()}/api/partner/v1${path}`, {
		method,
		headers: { authorization: `Bearer ${project.managementKey}`, "content-type": "application/json" },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	return { status: res.status, text, body: text ? JSON.parse(text) : null };
}

async function newEndpoint(project: TestProject, path: string, extra: Record<string, unknown> = {}) {
	const res = await partner(project, "POST", "/webhooks", { Url: `${origin}${path}`, ...extra });
	expect(res.status, res.text).toBe(201);
	return res.body as { Id: string; Secret: string };
}

/** Waits until `path` got `n` requests (or the time is up) and returns them. */
async function waitForHits(path: string, n: number, timeoutMs = 15_000): Promise<Hit[]> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if ((hits.get(path)?.length ?? 0) >= n) return hits.get(path) ?? [];
		await new Promise((r) => setTimeout(r, 100));
	}
	return hits.get(path) ?? [];
}

const headersOf = (h: Hit) => ({
	"webhook-id": String(h.headers["webhook-id"]),
	"webhook-timestamp": String(h.headers["webhook-timestamp"]),
	"webhook-signature": String(h.headers["webhook-signature"]),
});

describe("webhooks, end to end", () => {
	it("a user created through the Descope API arrives signed, filtered by event type", async () => {
		const { project, sdk } = await setupProject();
		const all = newPath();
		const deletions = newPath();
		const { Secret } = await newEndpoint(project, all);
		await newEndpoint(project, deletions, { EventTypes: ["user.deleted"] });
		const loginId = `${unique()}@example.com`;
		const user = expectOk(await sdk.management.user.create(loginId, { email: loginId }));
		const [hit] = await waitForHits(all, 1);
		expect(hit, "no delivery arrived").toBeDefined();
		const payload = new Webhook(Secret).verify(hit!.body, headersOf(hit!)) as Record<string, any>;
		expect(payload, hit!.body).toMatchObject({
			type: "user.created",
			version: 1,
			seq: expect.any(Number),
			data: { userId: user.userId, loginIds: [loginId], email: loginId },
		});
		expect(hits.get(deletions) ?? []).toEqual([]);
		expectOk(await sdk.management.user.delete(loginId));
		const [deleted] = await waitForHits(deletions, 1);
		expect(JSON.parse(deleted?.body ?? "{}")).toMatchObject({
			type: "user.deleted",
			data: { userId: user.userId },
		});
	});

	it("a receiver that fails twice gets the same webhook-id again on retry and on replay", async () => {
		const { project, sdk } = await setupProject();
		const path = newPath();
		scripts.set(path, [500, 500, 200]);
		const { Id } = await newEndpoint(project, path, { EventTypes: ["user.created"] });
		expectOk(await sdk.management.user.create(`${unique()}@example.com`));
		// The first attempt at once, the second about 5 s later (the schedule's first retry).
		const failed = await waitForHits(path, 2, 20_000);
		expect(failed, JSON.stringify(failed.map((h) => h.headers["webhook-id"]))).toHaveLength(2);
		const id = String(failed[0]?.headers["webhook-id"]);
		// The next retry is 5 minutes away: replay sends it now.
		const replay = await partner(project, "POST", `/webhooks/${Id}/deliveries/${id}/replay`);
		expect(replay.status, replay.text).toBe(202);
		const three = await waitForHits(path, 3);
		expect(three.map((h) => h.headers["webhook-id"])).toEqual([id, id, id]);
		expect(new Set(three.map((h) => h.body)).size).toBe(1);
		let log: any;
		for (let i = 0; i < 50; i++) {
			log = await partner(project, "GET", `/webhooks/${Id}/deliveries`);
			if (log.body.Items[0]?.Status === "succeeded") break;
			await new Promise((r) => setTimeout(r, 100));
		}
		expect(log.body.Items[0], log.text).toMatchObject({
			Id: id,
			Status: "succeeded",
			Attempts: 3,
			LastStatusCode: 200,
		});
		expect(log.body.Items[0].AttemptLog.map((a: { StatusCode: number }) => a.StatusCode)).toEqual([
			500, 500, 200,
		]);
	});

	it("410 disables the endpoint with DisabledReason Gone", async () => {
		const { project, sdk } = await setupProject();
		const path = newPath();
		scripts.set(path, [410]);
		const { Id } = await newEndpoint(project, path);
		expectOk(await sdk.management.user.create(`${unique()}@example.com`));
		await waitForHits(path, 1);
		let endpoint: any;
		for (let i = 0; i < 50; i++) {
			endpoint = await partner(project, "GET", `/webhooks/${Id}`);
			if (endpoint.body.Enabled === false) break;
			await new Promise((r) => setTimeout(r, 100));
		}
		expect(endpoint.body, endpoint.text).toMatchObject({ Enabled: false, DisabledReason: "Gone" });
	});

	it("after a rotation both the old and the new secret verify", async () => {
		const { project, sdk } = await setupProject();
		const path = newPath();
		const { Id, Secret: oldSecret } = await newEndpoint(project, path);
		const rotated = await partner(project, "POST", `/webhooks/${Id}/rotate-secret`);
		expect(rotated.status, rotated.text).toBe(200);
		const newSecret = rotated.body.Secret as string;
		expectOk(await sdk.management.user.create(`${unique()}@example.com`));
		const [hit] = await waitForHits(path, 1);
		expect(hit, "no delivery arrived").toBeDefined();
		expect(String(hit!.headers["webhook-signature"]).split(" ")).toHaveLength(2);
		expect(new Webhook(newSecret).verify(hit!.body, headersOf(hit!))).toMatchObject({ type: "user.created" });
		expect(new Webhook(oldSecret).verify(hit!.body, headersOf(hit!))).toMatchObject({ type: "user.created" });
	});

	it("a test ping arrives as webhook.test", async () => {
		const { project } = await setupProject();
		const path = newPath();
		const { Id, Secret } = await newEndpoint(project, path, { EventTypes: ["user.deleted"] });
		const res = await partner(project, "POST", `/webhooks/${Id}/test`);
		expect(res.status, res.text).toBe(202);
		const [hit] = await waitForHits(path, 1);
		expect(hit?.headers["webhook-id"]).toBe(res.body.Id);
		expect(new Webhook(Secret).verify(hit!.body, headersOf(hit!))).toMatchObject({
			type: "webhook.test",
			data: { endpointId: Id },
		});
	});

	it.each([
		"https://10.0.0.1/hook",
		"https://169.254.169.254/latest",
		"https://[::ffff:127.0.0.1]/",
		"http://example.com/",
	])("refuses the target %s", async (url) => {
		const { project } = await setupProject();
		const res = await partner(project, "POST", "/webhooks", { Url: url });
		expect(res.status, res.text).toBe(400);
		expect(res.body.errors, res.text).toMatchObject([{ field: "Url" }]);
	});
});
