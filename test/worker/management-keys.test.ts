// Management keys (docs/management-keys.md): create, load, search, update, delete, permittedIps
// and the license handshake.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	addManagementKey,
	expectDescopeError,
	expectStatus,
	mgmt,
	newProject,
	sha256Hex,
	type TestProject,
	waitForCachedKey,
} from "./harness";

const KEY_PATH = "/v1/mgmt/managementkey";
const LICENSE = "/v1/mgmt/license";

const cacheEntry = async (cleartext: string) => env.KEY_CACHE.get(`mgmt-key:${await sha256Hex(cleartext)}`);

/** Uses a key once and waits until its lookup is cached in KV, so a later change must evict it. */
async function useAndCache(key: TestProject) {
	expectStatus(await mgmt(key).get(LICENSE), 200);
	await waitForCachedKey(key.managementKey);
}

describe("create (PUT)", () => {
	it("returns the key and its cleartext once; the cleartext works at once", async () => {
		const project = await newProject();
		const before = Math.floor(Date.now() / 1000);
		const res = expectStatus(
			await mgmt(project).put(KEY_PATH, { name: "ci", description: "for CI", reBac: { a: 1 } }),
			200,
		);
		expect(res).toEqual({
			key: {
				id: expect.stringMatching(/^K[0-9A-Za-z]{27}$/),
				name: "ci",
				description: "for CI",
				status: "active",
				createdTime: expect.any(Number),
				expireTime: 0,
				lastUsedTime: 0,
				permittedIps: [],
				reBac: { a: 1 },
				readOnly: false,
				tenantIds: [],
			},
			cleartext: expect.any(String),
		});
		expect(res.key.createdTime).toBeGreaterThanOrEqual(before - 1);
		// The header is split on ':', so a key must never contain one.
		expect(res.cleartext).toMatch(/^[^:\s]{32,}$/);

		const fresh = { projectId: project.projectId, managementKey: res.cleartext };
		const loaded = expectStatus(await mgmt(fresh).get(`${KEY_PATH}?id=${res.key.id}`), 200);
		// This very request may already have recorded the key's first use.
		expect(loaded.key).toEqual({ ...res.key, lastUsedTime: expect.any(Number) });
	});

	it("stores only the SHA-256 hex of the key, never the cleartext (D1 and KV)", async () => {
		const project = await newProject();
		const key = await addManagementKey(project, { name: "hashed" });
		await useAndCache(key);

		const row = await env.DB.prepare("SELECT * FROM management_keys WHERE id = ?").bind(key.keyId).first();
		expect(row?.key_hash).toBe(await sha256Hex(key.managementKey));
		expect(row?.key_hash).toMatch(/^[0-9a-f]{64}$/);
		const everyKeyRow = await env.DB.prepare("SELECT * FROM management_keys").all();
		expect(JSON.stringify(everyKeyRow.results)).not.toContain(key.managementKey);
		expect(JSON.stringify(everyKeyRow.results)).not.toContain(project.managementKey);

		const cached = await cacheEntry(key.managementKey);
		expect(cached).not.toBeNull();
		expect(cached).not.toContain(key.managementKey);
	});

	it("sets expireTime from expiresIn (seconds, number or numeric string)", async () => {
		const api = mgmt(await newProject());
		const now = Math.floor(Date.now() / 1000);
		const asNumber = expectStatus(await api.put(KEY_PATH, { name: "n", expiresIn: 3600 }), 200);
		expect(asNumber.key.expireTime).toBeGreaterThanOrEqual(now + 3599);
		expect(asNumber.key.expireTime).toBeLessThanOrEqual(now + 3602);
		const asString = expectStatus(await api.put(KEY_PATH, { name: "s", expiresIn: "60" }), 200);
		expect(asString.key.expireTime).toBeGreaterThanOrEqual(now + 59);
		const never = expectStatus(await api.put(KEY_PATH, { name: "z", expiresIn: 0 }), 200);
		expect(never.key.expireTime).toBe(0);
		expectDescopeError(await api.put(KEY_PATH, { name: "neg", expiresIn: -5 }), 400, "E011004", "expiresIn");
	});

	// expiresIn is int64 seconds: an expiry that is no safe integer (1e20, 1e300 seconds) is refused
	// or bounded, since neither a JS client nor an int64 decoder (Go, .NET) could read it.
	it("refuses an expiresIn whose expiry no client can read (or bounds it)", async () => {
		const api = mgmt(await newProject());
		for (const expiresIn of [1e20, 1e300]) {
			const res = await api.put(KEY_PATH, { name: "far", expiresIn });
			if (res.status === 200)
				expect(Number.isSafeInteger(res.body.key.expireTime), JSON.stringify(res.body)).toBe(true);
			else expectDescopeError(res, 400, "E011004", "expiresIn");
		}
	});

	it("requires a name", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(await api.put(KEY_PATH, {}), 400, "E011002", "name");
		expectDescopeError(await api.put(KEY_PATH, { description: "no name" }), 400, "E011002", "name");
		expectDescopeError(await api.put(KEY_PATH, { name: "" }), 400, "E011004", "name");
		expectDescopeError(await api.put(KEY_PATH, { name: 7 }), 400, "E011004", "name");
	});
});

describe("load and search", () => {
	it("loads a key by id; an unknown or missing id is refused", async () => {
		const project = await newProject();
		const key = await addManagementKey(project, { name: "loadable", permittedIps: ["10.0.0.0/8"] });
		const loaded = expectStatus(await mgmt(project).get(`${KEY_PATH}?id=${key.keyId}`), 200);
		expect(loaded.key).toMatchObject({ id: key.keyId, name: "loadable", permittedIps: ["10.0.0.0/8"] });
		expectDescopeError(await mgmt(project).get(`${KEY_PATH}?id=Knope`), 404, "E011404");
		expectDescopeError(await mgmt(project).get(KEY_PATH), 400, "E011002", "id");
	});

	it("lists the project's keys without any secret or hash", async () => {
		const project = await newProject();
		const one = await addManagementKey(project, { name: "one" });
		const two = await addManagementKey(project, { name: "two" });
		const res = await mgmt(project).get("/v1/mgmt/managementkey/search");
		const body = expectStatus(res, 200);
		expect(body.keys.map((k: { name: string }) => k.name).sort()).toEqual(["initial", "one", "two"]);

		const text = JSON.stringify(body);
		for (const secret of [project.managementKey, one.managementKey, two.managementKey]) {
			expect(text).not.toContain(secret);
			expect(text).not.toContain(await sha256Hex(secret));
		}
		for (const key of body.keys) {
			expect(Object.keys(key).sort()).toEqual(
				[
					"createdTime",
					"description",
					"expireTime",
					"id",
					"lastUsedTime",
					"name",
					"permittedIps",
					"reBac",
					"readOnly",
					"status",
					"tenantIds",
				].sort(),
			);
		}
	});

	it("records when a key was last used", async () => {
		const project = await newProject();
		const key = await addManagementKey(project, { name: "used" });
		await useAndCache(key);
		// last-used time is written in the background next to the cache entry; poll briefly.
		let lastUsed = 0;
		for (let i = 0; i < 50 && lastUsed === 0; i++) {
			const loaded = expectStatus(await mgmt(project).get(`${KEY_PATH}?id=${key.keyId}`), 200);
			lastUsed = loaded.key.lastUsedTime;
			if (lastUsed === 0) await new Promise((resolve) => setTimeout(resolve, 20));
		}
		expect(lastUsed).toBeGreaterThan(0);
	});
});

describe("update (PATCH)", () => {
	it("changes name, description, status and permittedIps", async () => {
		const project = await newProject();
		const key = await addManagementKey(project, { name: "before", description: "d1" });
		const res = await mgmt(project).patch(KEY_PATH, {
			id: key.keyId,
			name: "after",
			description: "d2",
			status: "inactive",
			permittedIps: ["192.0.2.0/24"],
		});
		expect(expectStatus(res, 200).key).toMatchObject({
			id: key.keyId,
			name: "after",
			description: "d2",
			status: "inactive",
			permittedIps: ["192.0.2.0/24"],
		});
		const loaded = expectStatus(await mgmt(project).get(`${KEY_PATH}?id=${key.keyId}`), 200);
		expect(loaded.key).toMatchObject({ name: "after", description: "d2", status: "inactive" });
	});

	it("an empty permittedIps clears the allowlist", async () => {
		const project = await newProject();
		const key = await addManagementKey(project, { name: "k", permittedIps: ["10.0.0.1"] });
		expectDescopeError(await mgmt(key).get(LICENSE), 403, "E011403");
		const res = await mgmt(project).patch(KEY_PATH, { id: key.keyId, name: "k", permittedIps: [] });
		expect(expectStatus(res, 200).key.permittedIps).toEqual([]);
		expectStatus(await mgmt(key).get(LICENSE), 200);
	});

	it("keeps permittedIps and status when they are not given", async () => {
		const project = await newProject();
		const key = await addManagementKey(project, { name: "k", permittedIps: ["10.0.0.1"] });
		const res = await mgmt(project).patch(KEY_PATH, { id: key.keyId, name: "renamed" });
		expect(expectStatus(res, 200).key).toMatchObject({
			name: "renamed",
			status: "active",
			permittedIps: ["10.0.0.1"],
		});
	});

	it("deactivating a cached key refuses it at once; reactivating restores it", async () => {
		const project = await newProject();
		const key = await addManagementKey(project, { name: "toggle" });
		await useAndCache(key);

		expectStatus(
			await mgmt(project).patch(KEY_PATH, { id: key.keyId, name: "toggle", status: "inactive" }),
			200,
		);
		expect(await cacheEntry(key.managementKey)).toBeNull();
		expectDescopeError(await mgmt(key).get(LICENSE), 401, "E011401", "inactive");
		// The refusal re-caches the row; the next change must evict it again.
		await waitForCachedKey(key.managementKey);

		expectStatus(
			await mgmt(project).patch(KEY_PATH, { id: key.keyId, name: "toggle", status: "active" }),
			200,
		);
		expectStatus(await mgmt(key).get(LICENSE), 200);
	});

	it("a key can deactivate itself and is refused on its next request", async () => {
		const project = await newProject();
		const key = await addManagementKey(project, { name: "self" });
		await useAndCache(key);
		expectStatus(await mgmt(key).patch(KEY_PATH, { id: key.keyId, name: "self", status: "inactive" }), 200);
		expectDescopeError(await mgmt(key).get(LICENSE), 401, "E011401");
	});

	it("a new IP allowlist applies at once to a cached key", async () => {
		const project = await newProject();
		const key = await addManagementKey(project, { name: "ips" });
		await useAndCache(key);
		expectStatus(
			await mgmt(project).patch(KEY_PATH, { id: key.keyId, name: "ips", permittedIps: ["10.0.0.0/8"] }),
			200,
		);
		expectDescopeError(await mgmt(key, { "cf-connecting-ip": "192.0.2.1" }).get(LICENSE), 403, "E011403");
		expectStatus(await mgmt(key, { "cf-connecting-ip": "10.9.8.7" }).get(LICENSE), 200);
	});

	it("refuses an unknown id, a missing id or name, and a bad status", async () => {
		const project = await newProject();
		const api = mgmt(project);
		expectDescopeError(await api.patch(KEY_PATH, { id: "Knope", name: "x" }), 404, "E011404");
		expectDescopeError(await api.patch(KEY_PATH, { name: "x" }), 400, "E011002", "id");
		const key = await addManagementKey(project, { name: "k" });
		expectDescopeError(await api.patch(KEY_PATH, { id: key.keyId }), 400, "E011002", "name");
		expectDescopeError(
			await api.patch(KEY_PATH, { id: key.keyId, name: "k", status: "paused" }),
			400,
			"E011004",
			"status",
		);
	});
});

describe("delete", () => {
	it("a deleted key is refused at once, even when cached, and is gone from D1 and KV", async () => {
		const project = await newProject();
		const key = await addManagementKey(project, { name: "doomed" });
		await useAndCache(key);

		expectStatus(await mgmt(project).post("/v1/mgmt/managementkey/delete", { ids: [key.keyId] }), 200);
		expect(await cacheEntry(key.managementKey)).toBeNull();
		expectDescopeError(await mgmt(key).get(LICENSE), 401, "E011401");
		const row = await env.DB.prepare("SELECT id FROM management_keys WHERE id = ?").bind(key.keyId).first();
		expect(row).toBeNull();
		expectDescopeError(await mgmt(project).get(`${KEY_PATH}?id=${key.keyId}`), 404, "E011404");
	});

	it("deletes several keys; unknown ids are ignored; an empty list is refused", async () => {
		const project = await newProject();
		const one = await addManagementKey(project, { name: "one" });
		const two = await addManagementKey(project, { name: "two" });
		const api = mgmt(project);
		expectStatus(
			await api.post("/v1/mgmt/managementkey/delete", { ids: [one.keyId, two.keyId, "Knope"] }),
			200,
		);
		const left = expectStatus(await api.get("/v1/mgmt/managementkey/search"), 200);
		expect(left.keys.map((k: { name: string }) => k.name)).toEqual(["initial"]);
		expectDescopeError(await api.post("/v1/mgmt/managementkey/delete", { ids: [] }), 400, "E011004", "ids");
		expectDescopeError(await api.post("/v1/mgmt/managementkey/delete", {}), 400, "E011002", "ids");
	});

	// D1 binds at most 100 parameters per statement: 100 or more ids still work, or are a 400.
	it("deletes a long list of ids (100+) without a 5xx", async () => {
		const project = await newProject();
		const key = await addManagementKey(project, { name: "in-a-long-list" });
		const ids = [key.keyId, ...Array.from({ length: 149 }, (_, i) => `Kunknown${i}`)];
		const res = await mgmt(project).post("/v1/mgmt/managementkey/delete", { ids });
		if (res.status === 200) {
			expectDescopeError(await mgmt(key).get(LICENSE), 401, "E011401");
		} else {
			expectDescopeError(res, 400, "E011004", "ids");
		}
	});
});

describe("permittedIps", () => {
	/** Creates a key limited to `entries` and reports, per client address, whether it is let in. */
	async function admits(entries: string[], clients: string[]) {
		const project = await newProject();
		const key = await addManagementKey(project, { name: "ip", permittedIps: entries });
		const out: Record<string, boolean> = {};
		for (const ip of clients) {
			const res = await mgmt(key, { "cf-connecting-ip": ip }).get(LICENSE);
			expect([200, 403], JSON.stringify(res.body)).toContain(res.status);
			if (res.status === 403) expectDescopeError(res, 403, "E011403");
			out[ip] = res.status === 200;
		}
		return out;
	}

	it("IPv4 exact address", async () => {
		expect(await admits(["192.0.2.1"], ["192.0.2.1", "192.0.2.2", "192.0.2.10"])).toEqual({
			"192.0.2.1": true,
			"192.0.2.2": false,
			"192.0.2.10": false,
		});
	});

	it("IPv4 CIDR range", async () => {
		expect(
			await admits(["198.51.100.0/24"], ["198.51.100.0", "198.51.100.77", "198.51.100.255", "198.51.101.1"]),
		).toEqual({
			"198.51.100.0": true,
			"198.51.100.77": true,
			"198.51.100.255": true,
			"198.51.101.1": false,
		});
	});

	it("IPv6 exact address, whatever its spelling", async () => {
		expect(
			await admits(
				["2001:db8::1"],
				["2001:db8::1", "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::2"],
			),
		).toEqual({
			"2001:db8::1": true,
			"2001:0DB8:0000:0000:0000:0000:0000:0001": true,
			"2001:db8::2": false,
		});
	});

	it("IPv6 CIDR range", async () => {
		expect(await admits(["2001:db8::/32"], ["2001:db8::1", "2001:db8:ffff:1::9", "2001:db9::1"])).toEqual({
			"2001:db8::1": true,
			"2001:db8:ffff:1::9": true,
			"2001:db9::1": false,
		});
	});

	it("an IPv4-mapped IPv6 client address counts as its IPv4 address", async () => {
		expect(
			await admits(["192.0.2.0/24"], ["::ffff:192.0.2.9", "::ffff:c000:209", "::ffff:10.0.0.1"]),
		).toEqual({
			"::ffff:192.0.2.9": true,
			"::ffff:c000:209": true,
			"::ffff:10.0.0.1": false,
		});
	});

	it("several entries: any one admits; v4 and v6 never match each other", async () => {
		expect(
			await admits(["10.0.0.0/8", "2001:db8::/32"], ["10.1.1.1", "2001:db8::5", "::a00:101", "192.0.2.1"]),
		).toEqual({ "10.1.1.1": true, "2001:db8::5": true, "::a00:101": false, "192.0.2.1": false });
	});

	it("an empty list admits any address, and a request without one", async () => {
		const project = await newProject();
		const key = await addManagementKey(project, { name: "open", permittedIps: [] });
		expectStatus(await mgmt(key, { "cf-connecting-ip": "203.0.113.5" }).get(LICENSE), 200);
		expectStatus(await mgmt(key).get(LICENSE), 200);
	});

	it("a garbage client address is refused", async () => {
		expect(await admits(["0.0.0.0/0"], ["not-an-ip", "10.0.0.1"])).toEqual({
			"not-an-ip": false,
			"10.0.0.1": true,
		});
	});

	it.each([
		[["300.1.1.1"], 0],
		[["10.0.0.1", "10.0.0.0/33"], 1],
		[["10.0.0.1", "2001:db8::/32", "fe80::/129"], 2],
		[["not-an-ip"], 0],
		[[""], 0],
		[["10.0.0.1/8/8"], 0],
		[["010.0.0.1"], 0],
		[["1:2:3:4:5:6:7:8:9"], 0],
	])("refuses %j, naming permittedIps[%i]", async (entries, index) => {
		const project = await newProject();
		const api = mgmt(project);
		expectDescopeError(
			await api.put(KEY_PATH, { name: "bad", permittedIps: entries }),
			400,
			"E011004",
			`permittedIps[${index}]`,
		);
		const key = await addManagementKey(project, { name: "good" });
		expectDescopeError(
			await api.patch(KEY_PATH, { id: key.keyId, name: "good", permittedIps: entries }),
			400,
			"E011004",
			`permittedIps[${index}]`,
		);
		const loaded = expectStatus(await api.get(`${KEY_PATH}?id=${key.keyId}`), 200);
		expect(loaded.key.permittedIps).toEqual([]);
		const keys = expectStatus(await api.get("/v1/mgmt/managementkey/search"), 200);
		expect(keys.keys.map((k: { name: string }) => k.name).sort()).toEqual(["good", "initial"]);
	});

	it("refuses a non-string entry, naming it", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(
			await api.put(KEY_PATH, { name: "bad", permittedIps: ["10.0.0.1", 42] }),
			400,
			"E011004",
			"permittedIps.1",
		);
	});
});

describe("license handshake", () => {
	it("GET /v1/mgmt/license answers a non-empty rateLimitTier", async () => {
		const body = expectStatus(await mgmt(await newProject()).get(LICENSE), 200);
		expect(body).toEqual({ rateLimitTier: expect.any(String) });
		expect(body.rateLimitTier.length).toBeGreaterThan(0);
	});
});
