// Webhook endpoints below the partner wire (docs/partner.md, docs/audit.md "createAuditWebhook"):
// the secrets module, the target check without loopback, project deletion, the Descope
// createAuditWebhook call, and the answer when the encryption key is not configured.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import { DomainError } from "../../src/domain/errors";
import {
	decryptSecret,
	encryptSecret,
	newSigningSecret,
	WebhookKeyNotConfigured,
} from "../../src/domain/webhooks/webhook.secrets";
import { checkWebhookTarget } from "../../src/domain/webhooks/webhook.url-safety";
import {
	BASE,
	call,
	expectDescopeError,
	expectStatus,
	mgmt,
	newProject,
	operatorHeaders,
	type TestProject,
} from "./harness";

const P = "/api/partner/v1";
const auth = (p: TestProject) => ({ authorization: `Bearer ${p.managementKey}` });

/** The body @descope/node-sdk 2.13.0 sends for management.audit.createAuditWebhook. */
const SDK_BODY = {
	name: "wh",
	description: "d",
	url: "https://hook.example",
	authentication: { apiKey: { key: "k", token: "t" }, bearerToken: "bt" },
	hmacSecret: "hs",
	headers: { h: "v" },
	insecure: false,
	filters: [{ key: "actions", operator: "includes", values: ["LoginSucceed"] }],
};

const endpointsOf = async (projectId: string) =>
	(
		await env.DB.prepare("SELECT * FROM webhook_endpoints WHERE project_id = ?")
			.bind(projectId)
			.all<Record<string, unknown>>()
	).results;

describe("secrets", () => {
	it("makes Standard Webhooks secrets: whsec_ and 32 random bytes in base64", () => {
		const a = newSigningSecret();
		expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
		expect(Uint8Array.from(atob(a.slice(6)), (c) => c.charCodeAt(0))).toHaveLength(32);
		expect(newSigningSecret()).not.toBe(a);
	});

	it("encrypts with a fresh IV each time and decrypts back", async () => {
		const one = await encryptSecret(env, "s3cret");
		const two = await encryptSecret(env, "s3cret");
		expect(one).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
		expect(one).not.toBe(two);
		expect(await decryptSecret(env, one)).toBe("s3cret");
		expect(await decryptSecret(env, two)).toBe("s3cret");
	});

	it("refuses a tampered ciphertext", async () => {
		const sealed = await encryptSecret(env, "s3cret");
		// The first character of the ciphertext part: all six of its bits are data.
		const at = sealed.lastIndexOf(".") + 1;
		const flipped = sealed[at] === "A" ? "B" : "A";
		const tampered = `${sealed.slice(0, at)}${flipped}${sealed.slice(at + 1)}`;
		await expect(decryptSecret(env, tampered)).rejects.toBeInstanceOf(DomainError);
		await expect(decryptSecret(env, "v2.x.y")).rejects.toBeInstanceOf(DomainError);
	});

	it("refuses to run without a 32-byte WEBHOOK_ENCRYPTION_KEY", async () => {
		for (const key of [undefined, "", "c2hvcnQ", "not base64 !"]) {
			const broken = { WEBHOOK_ENCRYPTION_KEY: key as unknown as string };
			await expect(encryptSecret(broken, "x")).rejects.toBeInstanceOf(WebhookKeyNotConfigured);
		}
	});

	it("does not decrypt under another key", async () => {
		const sealed = await encryptSecret(env, "s3cret");
		const other = { WEBHOOK_ENCRYPTION_KEY: "b3RoZXItd2ViaG9vay1lbmNyeXB0aW9uLWtleS0zMmI" };
		await expect(decryptSecret(other, sealed)).rejects.toBeInstanceOf(DomainError);
	});
});

describe("targets without loopback", () => {
	it.each([
		"http://127.0.0.1/hook",
		"https://127.0.0.1/hook",
		"http://[::1]/hook",
		"https://localhost/hook",
		"http://10.0.0.1/hook",
		"https://192.168.1.1/hook",
		"https://169.254.169.254/",
	])("refuses %s", (url) => {
		expect(checkWebhookTarget(url, false)).toEqual(expect.any(String));
	});

	it("admits a public https target", () => {
		expect(checkWebhookTarget("https://hooks.example.com/x", false)).toBeNull();
	});

	it("admits loopback http only when allowed, and no other private range", () => {
		expect(checkWebhookTarget("http://127.0.0.1:8787/x", true)).toBeNull();
		expect(checkWebhookTarget("http://[::1]:8787/x", true)).toBeNull();
		expect(checkWebhookTarget("http://10.0.0.1/x", true)).toEqual(expect.any(String));
	});
});

describe("project deletion", () => {
	it("removes the project's webhook rows and nobody else's", async () => {
		const gone = await newProject();
		const kept = await newProject();
		const now = Date.now();
		for (const p of [gone, kept]) {
			expectStatus(
				await call("POST", `${P}/webhooks`, {
					headers: auth(p),
					body: { Url: "https://hooks.example.com/a" },
				}),
				201,
			);
			const [endpoint] = await endpointsOf(p.projectId);
			await env.DB.batch([
				env.DB.prepare(
					`INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_seq, event_type, payload, created_at, updated_at)
					VALUES (?, ?, ?, NULL, 'webhook.test', '{}', ?, ?)`,
				).bind(`del-${p.projectId}`, p.projectId, endpoint?.id, now, now),
				env.DB.prepare(
					`INSERT INTO webhook_attempts (delivery_id, attempt, project_id, endpoint_id, at, status_code, latency_ms)
					VALUES (?, 1, ?, ?, ?, 200, 1)`,
				).bind(`del-${p.projectId}`, p.projectId, endpoint?.id, now),
				env.DB.prepare(
					"INSERT INTO webhook_outbox (project_id, last_seq, updated_at) VALUES (?, 0, ?) ON CONFLICT DO NOTHING",
				).bind(p.projectId, now),
			]);
		}
		expectStatus(
			await call("DELETE", `/v1/operator/projects/${gone.projectId}`, { headers: operatorHeaders }),
			200,
		);
		const count = (table: string, projectId: string) =>
			env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE project_id = ?`)
				.bind(projectId)
				.first<{ n: number }>()
				.then((r) => r?.n);
		for (const table of ["webhook_endpoints", "webhook_deliveries", "webhook_attempts", "webhook_outbox"]) {
			expect(await count(table, gone.projectId), table).toBe(0);
			expect(await count(table, kept.projectId), table).toBe(1);
		}
	});
});

describe("Descope createAuditWebhook", () => {
	it("creates an audit endpoint from the SDK's body, visible in the partner list", async () => {
		const p = await newProject();
		const res = await mgmt(p).post("/v2/mgmt/connector/audit/web/set", SDK_BODY);
		expect(expectStatus(res, 200)).toEqual({});
		const list = expectStatus(await call("GET", `${P}/webhooks`, { headers: auth(p) }), 200);
		expect(list, JSON.stringify(list)).toEqual({
			Items: [
				{
					Id: expect.stringMatching(/^W/),
					Kind: "audit",
					Url: "https://hook.example",
					Description: "d",
					EventTypes: ["LoginSucceed"],
					ExcludedEventTypes: [],
					Enabled: true,
					DisabledReason: null,
					CreatedAt: expect.any(String),
					UpdatedAt: expect.any(String),
				},
			],
			NextCursor: null,
		});
	});

	it("signs with hmacSecret and sends authentication and headers, all stored encrypted", async () => {
		const p = await newProject();
		expectStatus(await mgmt(p).post("/v2/mgmt/connector/audit/web/set", SDK_BODY), 200);
		const [row] = await endpointsOf(p.projectId);
		expect(row?.name).toBe("wh");
		expect(await decryptSecret(env, row?.secret_ciphertext as string)).toBe("hs");
		expect(JSON.parse(await decryptSecret(env, row?.headers_ciphertext as string))).toEqual({
			Authorization: "Bearer bt",
			k: "t",
			h: "v",
		});
		const log = JSON.stringify(
			(await env.DB.prepare("SELECT * FROM change_log WHERE project_id = ?").bind(p.projectId).all()).results,
		);
		expect(log).toContain("webhook.created");
		expect(log).not.toContain("Bearer bt");
		expect(log).not.toContain('"hs"');
	});

	it("turns basic credentials into an Authorization header", async () => {
		const p = await newProject();
		const body = {
			name: "wh",
			url: "https://hook.example",
			authentication: { basic: { username: "u", password: "p" } },
		};
		expectStatus(await mgmt(p).post("/v2/mgmt/connector/audit/web/set", body), 200);
		const [row] = await endpointsOf(p.projectId);
		expect(JSON.parse(await decryptSecret(env, row?.headers_ciphertext as string))).toEqual({
			Authorization: `Basic ${btoa("u:p")}`,
		});
		expect(await decryptSecret(env, row?.secret_ciphertext as string)).toMatch(/^whsec_/);
	});

	it("refuses bearerToken and basic together, naming authentication", async () => {
		const p = await newProject();
		const body = {
			...SDK_BODY,
			authentication: { bearerToken: "bt", basic: { username: "u", password: "p" } },
		};
		expectDescopeError(
			await mgmt(p).post("/v2/mgmt/connector/audit/web/set", body),
			400,
			"E011004",
			"authentication",
		);
		expect(await endpointsOf(p.projectId)).toEqual([]);
	});

	it("needs a url", async () => {
		const p = await newProject();
		const res = await mgmt(p).post("/v2/mgmt/connector/audit/web/set", { name: "wh" });
		expectDescopeError(res, 400, "E011002", "url");
	});

	it("refuses a private url", async () => {
		const p = await newProject();
		const res = await mgmt(p).post("/v2/mgmt/connector/audit/web/set", {
			name: "wh",
			url: "https://10.0.0.1/x",
		});
		expectDescopeError(res, 400, "E011004", "url");
	});

	it("refuses filters on other keys or with another operator, naming the field", async () => {
		const p = await newProject();
		const api = mgmt(p);
		const send = (filter: Record<string, unknown>) =>
			api.post("/v2/mgmt/connector/audit/web/set", { ...SDK_BODY, filters: [filter] });
		expectDescopeError(
			await send({ key: "tenants", operator: "includes", values: ["t"] }),
			400,
			"E011004",
			"filters[0].key",
		);
		expectDescopeError(
			await send({ key: "actions", operator: "matches", values: ["x"] }),
			400,
			"E011004",
			"filters[0].operator",
		);
		expect(await endpointsOf(p.projectId)).toEqual([]);
	});

	it("keeps `excludes` filters as the endpoint's excluded actions, shown by the partner API", async () => {
		const p = await newProject();
		const res = await mgmt(p).post("/v2/mgmt/connector/audit/web/set", {
			...SDK_BODY,
			filters: [
				{ key: "actions", operator: "includes", values: ["user.created", "user.deleted"] },
				{ key: "actions", operator: "excludes", values: ["request.failed"] },
			],
		});
		expect(res.status, JSON.stringify(res.body)).toBe(200);
		const list = await call("GET", `${P}/webhooks`, { headers: auth(p) });
		expect(list.body.Items, JSON.stringify(list.body)).toMatchObject([
			{ Kind: "audit", EventTypes: ["user.created", "user.deleted"], ExcludedEventTypes: ["request.failed"] },
		]);
	});

	it("refuses a header the delivery sets itself", async () => {
		const p = await newProject();
		const body = { ...SDK_BODY, headers: { "Webhook-Signature": "forged" } };
		expectDescopeError(
			await mgmt(p).post("/v2/mgmt/connector/audit/web/set", body),
			400,
			"E011004",
			"Webhook-Signature",
		);
	});
});

describe("not configured", () => {
	it("answers 503 problem details when WEBHOOK_ENCRYPTION_KEY is missing", async () => {
		const p = await newProject();
		const app = buildApp();
		const ctx = createExecutionContext();
		const res = await app.request(
			`${BASE}${P}/webhooks`,
			{
				method: "POST",
				headers: { ...auth(p), "content-type": "application/json" },
				body: JSON.stringify({ Url: "https://hooks.example.com/a" }),
			},
			{ ...env, WEBHOOK_ENCRYPTION_KEY: "" },
			ctx,
		);
		await waitOnExecutionContext(ctx);
		const body = (await res.json()) as Record<string, unknown>;
		expect(res.status, JSON.stringify(body)).toBe(503);
		expect(body, JSON.stringify(body)).toMatchObject({ status: 503, title: "Server not configured" });
		expect(await endpointsOf(p.projectId)).toEqual([]);
	});

	it("answers Descope's createAuditWebhook 503 E011503 too, and keeps nothing", async () => {
		const p = await newProject();
		const ctx = createExecutionContext();
		const res = await buildApp().request(
			`${BASE}/v2/mgmt/connector/audit/web/set`,
			{
				method: "POST",
				headers: {
					authorization: `Bearer ${p.projectId}:${p.managementKey}`,
					"content-type": "application/json",
				},
				body: JSON.stringify(SDK_BODY),
			},
			{ ...env, WEBHOOK_ENCRYPTION_KEY: "" },
			ctx,
		);
		await waitOnExecutionContext(ctx);
		const body = (await res.json()) as Record<string, unknown>;
		expect(res.status, JSON.stringify(body)).toBe(503);
		expect(body, JSON.stringify(body)).toMatchObject({ errorCode: "E011503" });
		expect(await endpointsOf(p.projectId)).toEqual([]);
	});
});
