// management.audit on the Descope wire (docs/audit.md): search filters and paging, createEvent,
// and createAuditWebhook's clear refusal.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import {
	addManagementKey,
	createUser,
	expectDescopeError,
	expectStatus,
	mgmt,
	newProject,
	type TestProject,
} from "./harness";

const search = (p: TestProject, body: Record<string, unknown> = {}) =>
	mgmt(p).post("/v1/mgmt/audit/search", body);
const event = (p: TestProject, body: Record<string, unknown>) => mgmt(p).post("/v1/mgmt/audit/event", body);

it("a user created through the API shows up by userIds, externalIds and actions, occurred in ms", async () => {
	const p = await newProject("audit");
	const before = Date.now();
	const user = await createUser(mgmt(p), { loginId: "ann@example.com", email: "ann@example.com" });
	for (const filter of [
		{ userIds: [user.userId] },
		{ externalIds: ["ann@example.com"] },
		{ actions: ["user.created"] },
	]) {
		const body = expectStatus(await search(p, filter), 200);
		const created = body.audits.find((a: any) => a.action === "user.created");
		expect(created, JSON.stringify({ filter, body })).toMatchObject({
			projectId: p.projectId,
			userId: user.userId,
			externalIds: ["ann@example.com"],
			tenants: [],
			type: "info",
			actorType: "key",
			result: "success",
			dialect: "descope",
			device: "Unknown",
		});
		expect(created.occurred, JSON.stringify(created)).toBeGreaterThanOrEqual(before);
		expect(Number.isInteger(created.occurred)).toBe(true);
		expect(created.ID, JSON.stringify(created)).toMatch(/^\d+$/);
	}
});

it("audits is always an array, total counts only what was read", async () => {
	const p = await newProject("audit");
	const body = expectStatus(await search(p, { userIds: ["Unobody"] }), 200);
	expect(body, JSON.stringify(body)).toEqual({ audits: [], total: 0, nextCursor: "" });
});

it("createEvent stores the application's event: action as given, type, actor, tenant, data", async () => {
	const p = await newProject("audit");
	const created = expectStatus(
		await event(p, {
			action: "InvoicePaid",
			type: "warn",
			actorId: "billing-service",
			tenantId: "T1",
			userId: "U1",
			data: { amount: 12, note: "x" },
		}),
		200,
	);
	expect(created).toEqual({});
	const body = expectStatus(await search(p, { actions: ["InvoicePaid"] }), 200);
	expect(body.audits, JSON.stringify(body)).toHaveLength(1);
	expect(body.audits[0], JSON.stringify(body)).toMatchObject({
		action: "InvoicePaid",
		type: "warn",
		actorId: "billing-service",
		actorType: "application",
		tenants: ["T1"],
		userId: "U1",
		data: { amount: 12, note: "x" },
	});
	const byTenant = expectStatus(await search(p, { tenants: ["T1"] }), 200);
	expect(byTenant.audits.map((a: any) => a.action)).toEqual(["InvoicePaid"]);
	const noTenant = expectStatus(await search(p, { noTenants: true, actions: ["InvoicePaid"] }), 200);
	expect(noTenant.audits, JSON.stringify(noTenant)).toEqual([]);
});

it("createEvent refuses Roster's own action names, bad types and oversized data; writes nothing", async () => {
	const p = await newProject("audit");
	expectDescopeError(
		await event(p, { action: "user.deleted", type: "info", actorId: "a", tenantId: "" }),
		400,
		"E011004",
		"reserved",
	);
	expectDescopeError(
		await event(p, { action: "X", type: "fatal", actorId: "a", tenantId: "" }),
		400,
		"E011004",
		"type",
	);
	expectDescopeError(
		await event(p, {
			action: "X",
			type: "info",
			actorId: "a",
			tenantId: "",
			data: { big: "x".repeat(20_000) },
		}),
		400,
		"E011004",
		"data",
	);
	expectDescopeError(await event(p, { type: "info", actorId: "a", tenantId: "" }), 400, "E011002", "action");
	const rows = await env.DB.prepare(
		"SELECT action FROM change_log WHERE project_id = ? AND actor_type = 'application'",
	)
		.bind(p.projectId)
		.all();
	expect(rows.results).toEqual([]);
});

it("a read-only key may search but not create events", async () => {
	const p = await newProject("audit");
	const ro = await addManagementKey(p, { readOnly: true });
	expectStatus(await search(ro), 200);
	expectDescopeError(
		await event(ro, { action: "X", type: "info", actorId: "a", tenantId: "" }),
		403,
		"E011403",
	);
});

it("pages newest first with size/page and with the cursor; total says whether more follow", async () => {
	const p = await newProject("audit");
	for (const n of [1, 2, 3, 4, 5]) {
		expectStatus(
			await event(p, { action: "Step", type: "info", actorId: "a", tenantId: "", data: { n } }),
			200,
		);
	}
	const first = expectStatus(await search(p, { actions: ["Step"], size: 2 }), 200);
	expect(
		first.audits.map((a: any) => a.data.n),
		JSON.stringify(first),
	).toEqual([5, 4]);
	expect(first.total).toBe(3);
	const second = expectStatus(await search(p, { actions: ["Step"], size: 2, cursor: first.nextCursor }), 200);
	expect(
		second.audits.map((a: any) => a.data.n),
		JSON.stringify(second),
	).toEqual([3, 2]);
	const last = expectStatus(await search(p, { actions: ["Step"], size: 2, page: 2 }), 200);
	expect(
		last.audits.map((a: any) => a.data.n),
		JSON.stringify(last),
	).toEqual([1]);
	expect(last.total).toBe(5);
	expect(last.nextCursor).toBe("");
	// Strings for int64 fields, as Descope's own API documents them.
	const strings = expectStatus(await search(p, { actions: ["Step"], size: "2", page: "1" }), 200);
	expect(strings.audits.map((a: any) => a.data.n)).toEqual([3, 2]);
});

it("from/to select a time range; from before the retention is raised to it", async () => {
	const p = await newProject("audit");
	expectStatus(await event(p, { action: "Early", type: "info", actorId: "a", tenantId: "" }), 200);
	const mid = Date.now() + 1;
	await new Promise((r) => setTimeout(r, 5));
	expectStatus(await event(p, { action: "Late", type: "info", actorId: "a", tenantId: "" }), 200);
	const late = expectStatus(
		await search(p, { from: mid, excludedActions: ["project.created", "key.created"] }),
		200,
	);
	expect(
		late.audits.map((a: any) => a.action),
		JSON.stringify(late),
	).toEqual(["Late"]);
	const early = expectStatus(await search(p, { to: String(mid - 1), actions: ["Early", "Late"] }), 200);
	expect(
		early.audits.map((a: any) => a.action),
		JSON.stringify(early),
	).toEqual(["Early"]);
	const all = expectStatus(await search(p, { from: 0, actions: ["Early", "Late"] }), 200);
	expect(all.audits.map((a: any) => a.action)).toEqual(["Late", "Early"]);
	// An entry older than the retention is not served even before the scheduled handler removes it.
	await env.DB.prepare(
		"INSERT INTO change_log (project_id, at, action, actor_type) VALUES (?, ?, 'Ancient', 'application')",
	)
		.bind(p.projectId, Date.now() - 91 * 86_400_000)
		.run();
	const ancient = expectStatus(await search(p, { from: 1, actions: ["Ancient"] }), 200);
	expect(ancient.audits, JSON.stringify(ancient)).toEqual([]);
});

it("filters by geo, remote address, device and text", async () => {
	const p = await newProject("audit");
	const headers = {
		"cf-connecting-ip": "203.0.113.9",
		"user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148",
	};
	expectStatus(
		await mgmt(p, headers).post("/v1/mgmt/audit/event", {
			action: "FromPhone",
			type: "info",
			actorId: "a",
			tenantId: "",
		}),
		200,
	);
	const byIp = expectStatus(await search(p, { remoteAddresses: ["203.0.113.9"] }), 200);
	expect(byIp.audits.map((a: any) => a.action)).toEqual(["FromPhone"]);
	expect(byIp.audits[0]).toMatchObject({ remoteAddress: "203.0.113.9", device: "Mobile" });
	const byDevice = expectStatus(await search(p, { devices: ["Mobile"] }), 200);
	expect(byDevice.audits.map((a: any) => a.action)).toEqual(["FromPhone"]);
	const byText = expectStatus(await search(p, { text: "fromphone" }), 200);
	expect(byText.audits.map((a: any) => a.action)).toEqual(["FromPhone"]);
	expectStatus(await search(p, { geos: ["US"] }), 200);
	expectDescopeError(await search(p, { devices: ["Toaster"] }), 400, "E011004", "devices");
});

it("searches only the key's own project", async () => {
	const a = await newProject("audit");
	const b = await newProject("audit");
	expectStatus(await event(a, { action: "OnlyA", type: "info", actorId: "a", tenantId: "" }), 200);
	const body = expectStatus(await search(b, { actions: ["OnlyA"] }), 200);
	expect(body.audits).toEqual([]);
});

it("createAuditWebhook creates an audit endpoint whose secrets never reach the log", async () => {
	const p = await newProject("audit");
	const res = await mgmt(p).post("/v2/mgmt/connector/audit/web/set", {
		name: "wh",
		url: "https://hook.example",
		hmacSecret: "Hmac-Secret-Marker",
		authentication: { bearerToken: "Bearer-Marker" },
	});
	expect(res.status, JSON.stringify(res.body)).toBe(200);
	const rows = await env.DB.prepare(
		"SELECT * FROM change_log WHERE project_id = ? AND action = 'webhook.created'",
	)
		.bind(p.projectId)
		.all();
	expect(rows.results, JSON.stringify(rows.results)).toHaveLength(1);
	expect(JSON.stringify(rows.results)).not.toMatch(/Marker/);
	const stored = await env.DB.prepare("SELECT * FROM webhook_endpoints WHERE project_id = ?")
		.bind(p.projectId)
		.all();
	expect(stored.results).toHaveLength(1);
	expect(JSON.stringify(stored.results)).not.toMatch(/Marker/);
});
