// The console's webhook endpoint page (docs/console.md): deliveries, replay, test ping, secret rotation.
import { describe, expect, it } from "vitest";
import { addManagementKey, call, newProject, type TestProject } from "./harness";
import { csrfOf, page, post, signIn } from "./support/console";

const API = "/api/partner/v1/webhooks";
// Nothing listens on the discard port: the queue consumer's attempts just fail.
const HOOK = "http://127.0.0.1:9/hook";

const partner = (project: TestProject) => {
	const headers = { authorization: `Bearer ${project.managementKey}` };
	return {
		get: (path: string) => call("GET", `${API}${path}`, { headers }),
		post: (path: string, body: unknown = {}) => call("POST", `${API}${path}`, { headers, body }),
	};
};

/** A project, a signed-in console, one endpoint and its page's CSRF token. */
async function world() {
	const project = await newProject();
	const created = await partner(project).post("", { Url: HOOK, Description: "console page" });
	expect(created.status, JSON.stringify(created.body)).toBe(201);
	const id: string = created.body.Id;
	const cookie = await signIn(project);
	const detail = await page(`/console/webhooks/${id}`, { headers: { cookie } });
	expect(detail.status, detail.html).toBe(200);
	return { project, id, cookie, csrf: csrfOf(detail.html), path: `/console/webhooks/${id}` };
}

/** Waits until the queue consumer has attempted the endpoint's latest delivery (it runs in the background). */
async function firstAttempt(project: TestProject, id: string, timeoutMs = 5000) {
	for (const start = Date.now(); Date.now() - start < timeoutMs; ) {
		const res = await partner(project).get(`/${id}/deliveries`);
		const delivery = res.body.Items[0];
		if (delivery?.AttemptLog.length) return { delivery, log: delivery.AttemptLog[0] };
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	throw new Error("the delivery was never attempted");
}

const rows = (html: string) => [...html.matchAll(/name="deliveryId" value="([^"]+)"/g)].map((m) => m[1]);

describe("console webhook endpoint page", () => {
	it("is linked from the list and shows the endpoint's fields", async () => {
		const w = await world();
		const list = await page("/console/webhooks", { headers: { cookie: w.cookie } });
		expect(list.html).toContain(`href="/console/webhooks/${w.id}"`);
		const res = await page(w.path, { headers: { cookie: w.cookie } });
		expect(res.html).toContain(`<code>${w.id}</code>`);
		expect(res.html).toContain(`<code>${HOOK}</code>`);
		expect(res.html).toContain("console page");
		expect(res.html).toContain("No deliveries yet.");
		expect(res.html).not.toContain('role="alert"');
	});

	it("sends a test ping and answers with the page, a notice and the ping's delivery row", async () => {
		const w = await world();
		const res = await post(`${w.path}/test`, { _csrf: w.csrf }, w.cookie);
		expect(res.status, res.html).toBe(200);
		const id = /Test ping queued as delivery ([^.<\s]+)\./.exec(res.html)?.[1];
		expect(id, res.html).toBeTruthy();
		expect(res.html).toContain('role="status"');
		expect(rows(res.html), res.html).toEqual([id]);
		expect(res.html).toContain("<code>webhook.test</code>");
		const api = await partner(w.project).get(`/${w.id}/deliveries`);
		expect(
			api.body.Items.map((d: { Id: string }) => d.Id),
			JSON.stringify(api.body),
		).toEqual([id]);
	});

	it("lists each delivery's attempts with time, status code, latency and error", async () => {
		const w = await world();
		const ping = await partner(w.project).post(`/${w.id}/test`);
		expect(ping.status, JSON.stringify(ping.body)).toBe(202);
		const attempt = await firstAttempt(w.project, w.id);
		const res = await page(w.path, { headers: { cookie: w.cookie } });
		expect(res.html).toContain(`<summary>${attempt.delivery.Attempts} attempt`);
		expect(res.html).toContain(`<td>${attempt.log.LatencyMs} ms</td>`);
		expect(res.html).toContain('<span class="muted">no answer</span>');
		expect(res.html).toContain(`<td>${attempt.log.Error}</td>`);
		expect(res.html).toContain(`<time datetime="${new Date(attempt.log.At).toISOString()}">`);
	});

	it("replays a delivery and answers with the page and a notice", async () => {
		const w = await world();
		const ping = await partner(w.project).post(`/${w.id}/test`);
		expect(ping.status, JSON.stringify(ping.body)).toBe(202);
		const res = await post(`${w.path}/replay`, { _csrf: w.csrf, deliveryId: ping.body.Id }, w.cookie);
		expect(res.status, res.html).toBe(200);
		expect(res.html).toContain(`Delivery ${ping.body.Id} queued again.`);
		expect(rows(res.html), res.html).toEqual([ping.body.Id]);
	});

	it("shows the API's refusal when replaying an unknown delivery", async () => {
		const w = await world();
		const res = await post(`${w.path}/replay`, { _csrf: w.csrf, deliveryId: "msg_unknown" }, w.cookie);
		expect(res.status, res.html).toBe(404);
		expect(res.html).toContain('role="alert"');
		expect(res.html).toContain("The API refused this (404");
	});

	it("filters deliveries by status and pages older ones by the API's cursor", async () => {
		const w = await world();
		const ids: string[] = [];
		for (let i = 0; i < 21; i++) {
			const ping = await partner(w.project).post(`/${w.id}/test`);
			expect(ping.status, JSON.stringify(ping.body)).toBe(202);
			ids.push(ping.body.Id);
		}
		const first = await page(w.path, { headers: { cookie: w.cookie } });
		expect(rows(first.html), first.html).toEqual(ids.slice(1).reverse());
		const older = /href="([^"]+)" rel="next">\s*Older/.exec(first.html)?.[1]?.replaceAll("&amp;", "&");
		expect(older, first.html).toMatch(new RegExp(`^/console/webhooks/${w.id}\\?cursor=`));
		const second = await page(older ?? "", { headers: { cookie: w.cookie } });
		expect(second.status, second.html).toBe(200);
		expect(rows(second.html), second.html).toEqual([ids[0]]);
		expect(second.html).not.toContain('rel="next"');
		const succeeded = await page(`${w.path}?status=succeeded`, { headers: { cookie: w.cookie } });
		expect(succeeded.status, succeeded.html).toBe(200);
		expect(rows(succeeded.html), succeeded.html).toEqual([]);
		expect(succeeded.html).toContain("No succeeded deliveries.");
	});

	it("shows the API's refusal of an unknown status filter", async () => {
		const w = await world();
		const res = await page(`${w.path}?status=lost`, { headers: { cookie: w.cookie } });
		expect(res.status, res.html).toBe(400);
		expect(res.html).toContain("The API refused this (400");
	});

	it("rotates the secret and shows the new one only once", async () => {
		const w = await world();
		const res = await post(`${w.path}/rotate-secret`, { _csrf: w.csrf }, w.cookie);
		expect(res.status, res.html).toBe(200);
		const secret = /id="new-secret"[^>]*value="(whsec_[^"]+)"/.exec(res.html)?.[1];
		expect(secret, res.html).toMatch(/^whsec_/);
		expect(res.html).toContain("24 hours");
		const after = await page(w.path, { headers: { cookie: w.cookie } });
		expect(after.status, after.html).toBe(200);
		expect(after.html).not.toContain(secret);
		expect(after.html).not.toContain('id="new-secret"');
	});

	it("answers 404 with the API's refusal for an unknown endpoint", async () => {
		const w = await world();
		const res = await page("/console/webhooks/wh_unknown", { headers: { cookie: w.cookie } });
		expect(res.status, res.html).toBe(404);
		expect(res.html).toContain('role="alert"');
	});

	it("gives a read-only key the page without write forms", async () => {
		const w = await world();
		await partner(w.project).post(`/${w.id}/test`);
		const ro = await addManagementKey(w.project, { name: "viewer", readOnly: true });
		const cookie = await signIn(ro, ro.managementKey);
		const res = await page(w.path, { headers: { cookie } });
		expect(res.status, res.html).toBe(200);
		expect(res.html).toContain("This key is read-only");
		expect(res.html).toContain("<code>webhook.test</code>");
		expect(res.html).not.toContain('method="post" action="/console/webhooks/');
		expect(res.html).not.toContain("Send test ping");
		expect(res.html).not.toContain("Rotate secret");
		expect(rows(res.html), res.html).toEqual([]);
	});

	it("refuses these POSTs without the CSRF token: 403, nothing sent or rotated", async () => {
		const w = await world();
		const ping = await partner(w.project).post(`/${w.id}/test`);
		const before = await partner(w.project).get(`/${w.id}`);
		for (const [action, fields] of [
			["test", {}],
			["replay", { deliveryId: ping.body.Id }],
			["rotate-secret", {}],
		] as const) {
			const res = await post(`${w.path}/${action}`, fields, w.cookie);
			expect(res.status, `${action}: ${res.html}`).toBe(403);
			expect(res.html).toContain("could not be verified");
		}
		const api = await partner(w.project).get(`/${w.id}/deliveries`);
		expect(api.body.Items, JSON.stringify(api.body)).toHaveLength(1);
		const after = await partner(w.project).get(`/${w.id}`);
		expect(after.body, JSON.stringify(after.body)).toEqual(before.body);
	});
});
