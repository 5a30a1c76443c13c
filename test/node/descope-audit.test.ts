// The official @descope/node-sdk against Roster: management.audit (docs/audit.md).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { expect, it } from "vitest";
import { createTenant, expectError, expectOk, setupProject, sleep, unique } from "./harness.js";

it("search finds what the SDK did, by userIds, loginIds and actions; occurred is a number", async () => {
	const { project, sdk } = await setupProject();
	const loginId = `${unique("audit")}@example.com`;
	const user = expectOk(await sdk.management.user.create(loginId, { email: loginId }));
	const userId = (user as { userId: string }).userId;
	for (const options of [{ userIds: [userId] }, { loginIds: [loginId] }, { actions: ["user.created"] }]) {
		const audits = expectOk(await sdk.management.audit.search(options));
		expect(Array.isArray(audits), JSON.stringify(audits)).toBe(true);
		const created = audits.find((a: any) => a.action === "user.created");
		expect(created, JSON.stringify({ options, audits })).toMatchObject({
			projectId: project.projectId,
			userId,
			loginIds: [loginId],
			tenants: [],
		});
		expect(typeof created?.occurred, JSON.stringify(created)).toBe("number");
		expect(Math.abs((created?.occurred ?? 0) - Date.now())).toBeLessThan(120_000);
		expect(created, "the SDK renames externalIds").not.toHaveProperty("externalIds");
	}
});

it("searchAll answers {audits, total}; from/to and text narrow it", async () => {
	const { sdk } = await setupProject();
	const tenantId = await createTenant(sdk);
	const start = Date.now();
	expectOk(
		await sdk.management.audit.createEvent({
			action: "ReportExported",
			type: "info",
			actorId: "svc",
			tenantId,
		}),
	);
	const all = expectOk(await sdk.management.audit.searchAll({ actions: ["ReportExported"] }));
	expect(all.total, JSON.stringify(all)).toBe(1);
	expect(all.audits.map((a) => a.action)).toEqual(["ReportExported"]);
	const inRange = expectOk(
		await sdk.management.audit.searchAll({ from: start - 1000, to: Date.now() + 1000, text: "reportexp" }),
	);
	expect(
		inRange.audits.map((a) => a.action),
		JSON.stringify(inRange),
	).toEqual(["ReportExported"]);
	const before = expectOk(
		await sdk.management.audit.searchAll({ to: start - 60_000, actions: ["ReportExported"] }),
	);
	expect(before, JSON.stringify(before)).toEqual({ audits: [], total: 0 });
	const byTenant = expectOk(await sdk.management.audit.search({ tenants: [tenantId] }));
	expect(
		byTenant.map((a) => a.action),
		JSON.stringify(byTenant),
	).toContain("ReportExported");
	expect(byTenant.every((a) => a.tenants.includes(tenantId))).toBe(true);
});

it("createEvent writes an application event that search returns with its type, actor and data", async () => {
	const { sdk } = await setupProject();
	const res = await sdk.management.audit.createEvent({
		action: "CustomAction",
		type: "error",
		actorId: "A1",
		tenantId: "T1",
		userId: "U1",
		data: { k: "v", n: 1 },
	});
	expectOk(res);
	const [audit, ...rest] = expectOk(await sdk.management.audit.search({ actions: ["CustomAction"] }));
	expect(rest).toEqual([]);
	expect(audit, JSON.stringify(audit)).toMatchObject({
		action: "CustomAction",
		type: "error",
		actorId: "A1",
		userId: "U1",
		tenants: ["T1"],
		data: { k: "v", n: 1 },
		loginIds: [],
	});
});

it("createAuditWebhook: activity entries reach the receiver, signed with the given hmacSecret", async () => {
	const hits: { headers: Record<string, unknown>; body: string }[] = [];
	const server = createServer((req, res) => {
		let body = "";
		req.on("data", (chunk) => {
			body += chunk;
		});
		req.on("end", () => {
			hits.push({ headers: req.headers, body });
			res.end("ok");
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	try {
		const { port } = server.address() as AddressInfo;
		const { sdk } = await setupProject();
		const secret = `whsec_${Buffer.from("audit-webhook-test-secret-32-bytes").toString("base64")}`;
		expectOk(
			await sdk.management.audit.createAuditWebhook({
				name: "audit",
				url: `http://127.0.0.1:${port}/audit`,
				hmacSecret: secret,
				headers: { "x-audit-source": "roster-test" },
				filters: [{ key: "actions", operator: "includes", values: ["user.created"] }],
			} as never),
		);
		const loginId = `${unique("hook")}@example.com`;
		expectOk(await sdk.management.user.create(loginId, { email: loginId }));
		for (let i = 0; i < 100 && hits.length === 0; i++) await sleep(100);
		expect(hits, "one delivery").toHaveLength(1);
		const hit = hits[0] as (typeof hits)[number];
		expect(hit.headers["x-audit-source"]).toBe("roster-test");
		const verified = new Webhook(secret).verify(hit.body, hit.headers as Record<string, string>) as any;
		expect(verified.action ?? verified.data?.action, hit.body).toBe("user.created");
		expect(hit.body).toContain(loginId);
	} finally {
		server.close();
	}
});

it("a refused SDK call shows up as request.failed", async () => {
	const { sdk } = await setupProject();
	expectError(await sdk.management.user.load("nobody@example.com"), "E062108");
	const audits = expectOk(await sdk.management.audit.search({ actions: ["request.failed"] }));
	expect(audits, JSON.stringify(audits)).toHaveLength(1);
	expect(audits[0], JSON.stringify(audits)).toMatchObject({ type: "error", data: { status: 404 } });
});
