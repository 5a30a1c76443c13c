// Access keys (docs/access-keys.md): the management routes, the exchange for a session JWT, its
// claims and expiry, revocation, the IP allowlist, scoped management keys, and what D1 holds.
import { env } from "cloudflare:workers";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import {
	addManagementKey,
	call,
	expectDescopeError,
	expectStatus,
	mgmt,
	newProject,
	operatorHeaders,
	sha256Hex,
	type TestProject,
} from "./harness";

const AK = "/v1/mgmt/accesskey";
const EXCHANGE = "/v1/auth/accesskey/exchange";
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Creates an access key; returns the wire key and its cleartext. */
async function createKey(p: TestProject, body: Record<string, unknown> = {}) {
	const res = expectStatus(await mgmt(p).post(`${AK}/create`, { name: "ak", expireTime: 0, ...body }), 200);
	return res as { key: any; cleartext: string };
}

const exchange = (
	p: TestProject,
	cleartext: string,
	body: unknown = {},
	headers: Record<string, string> = {},
) =>
	call("POST", EXCHANGE, {
		body,
		headers: { authorization: `Bearer ${p.projectId}:${cleartext}`, ...headers },
	});

/** Verifies a session JWT against the project's published keys (what the SDK does) and returns its claims. */
async function verified(p: TestProject, jwt: string) {
	const jwks = expectStatus(await call("GET", `/v2/keys/${p.projectId}`), 200);
	const { payload } = await jwtVerify(jwt, createLocalJWKSet(jwks));
	return payload as Record<string, any>;
}

async function changeRows(projectId: string, prefix = "access_key.") {
	const { results } = await env.DB.prepare(
		"SELECT * FROM change_log WHERE project_id = ? AND action LIKE ? ORDER BY seq",
	)
		.bind(projectId, `${prefix}%`)
		.all<Record<string, any>>();
	return results;
}

/** A project with roles, permissions and two tenants to give keys. */
async function authzProject() {
	const p = await newProject("access-keys");
	const api = mgmt(p);
	expectStatus(await api.post("/v1/mgmt/permission/create", { name: "read" }), 200);
	expectStatus(await api.post("/v1/mgmt/permission/create", { name: "write" }), 200);
	expectStatus(await api.post("/v1/mgmt/role/create", { name: "reader", permissionNames: ["read"] }), 200);
	expectStatus(await api.post("/v1/mgmt/role/create", { name: "writer", permissionNames: ["write"] }), 200);
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "acme", name: "Acme" }), 200);
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "globex", name: "Globex" }), 200);
	expectStatus(
		await api.post("/v1/mgmt/role/create", {
			name: "acme-admin",
			tenantId: "acme",
			permissionNames: ["write"],
		}),
		200,
	);
	return p;
}

describe("create", () => {
	it("returns the AccessKey object and the cleartext once; D1 holds only its SHA-256", async () => {
		const p = await authzProject();
		const user = expectStatus(await mgmt(p).post("/v1/mgmt/user/create", { loginId: "bot-owner" }), 200).user;
		const expireTime = nowSeconds() + 3600;
		const res = await createKey(p, {
			name: "ci",
			expireTime,
			roleNames: ["reader"],
			keyTenants: [{ tenantId: "acme", roleNames: ["acme-admin"] }],
			userId: user.userId,
			customClaims: { plan: "gold" },
			description: "for CI",
			permittedIps: ["10.0.0.0/8"],
			customAttributes: { team: "infra" },
		});
		const keyRow = await env.DB.prepare("SELECT id FROM management_keys WHERE project_id = ?")
			.bind(p.projectId)
			.first<{ id: string }>();
		expect(res).toEqual({
			key: {
				id: expect.stringMatching(/^K[0-9A-Za-z]{27}$/),
				name: "ci",
				roleNames: ["reader"],
				keyTenants: [{ tenantId: "acme", roleNames: ["acme-admin"], tenantName: "Acme" }],
				status: "active",
				createdTime: expect.any(Number),
				expireTime,
				createdBy: keyRow?.id,
				clientId: res.key.id,
				boundUserId: user.userId,
				customClaims: { plan: "gold" },
				description: "for CI",
				permittedIps: ["10.0.0.0/8"],
				customAttributes: { team: "infra" },
				editable: true,
			},
			cleartext: expect.stringMatching(/^rk_ak_[A-Za-z0-9_-]{40,}$/),
		});
		expect(Math.abs(res.key.createdTime - nowSeconds())).toBeLessThan(600);

		const row = await env.DB.prepare("SELECT * FROM access_keys WHERE id = ?").bind(res.key.id).first();
		expect(row?.key_hash).toBe(await sha256Hex(res.cleartext));
		expect(row?.expires_at).toBe(expireTime * 1000);
		const all = JSON.stringify((await env.DB.prepare("SELECT * FROM access_keys").all()).results);
		expect(all).not.toContain(res.cleartext);

		// Never returned again.
		const loaded = expectStatus(await mgmt(p).get(`${AK}?id=${res.key.id}`), 200);
		expect(loaded).toEqual({ key: res.key });
		expect(JSON.stringify(loaded)).not.toContain(res.cleartext);
	});

	it("takes expireTime as Unix seconds, a number or an int64 string; 0 = never", async () => {
		const p = await newProject();
		const at = nowSeconds() + 7200;
		expect((await createKey(p, { expireTime: String(at) })).key.expireTime).toBe(at);
		expect((await createKey(p, { expireTime: 0 })).key.expireTime).toBe(0);
		expect((await createKey(p, { expireTime: "0" })).key.expireTime).toBe(0);
		const { expireTime: _e, ...noExpiry } = { name: "none", expireTime: 0 };
		expect(expectStatus(await mgmt(p).post(`${AK}/create`, noExpiry), 200).key.expireTime).toBe(0);
	});

	it.each([
		["in the past", () => nowSeconds() - 10, "expireTime"],
		["in milliseconds", () => Date.now() + 60_000, "expireTime"],
		["negative", () => -5, "expireTime"],
		["fractional", () => nowSeconds() + 10.5, "expireTime"],
		["not a number", () => "soon", "expireTime"],
	])("refuses an expireTime %s (400 naming it, nothing written)", async (_name, value, field) => {
		const p = await newProject();
		const res = await mgmt(p).post(`${AK}/create`, { name: "bad", expireTime: value() });
		expectDescopeError(res, 400, "E011004", field);
		const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM access_keys WHERE project_id = ?")
			.bind(p.projectId)
			.first<{ n: number }>();
		expect(count?.n).toBe(0);
	});

	it("validates roles, tenants, the bound user, claims, IPs and attributes, naming the field", async () => {
		const p = await authzProject();
		const api = mgmt(p);
		const cases: [Record<string, unknown>, number, string, string][] = [
			[{ name: "" }, 400, "E011004", "name"],
			[{ name: undefined }, 400, "E011002", "name"],
			[{ roleNames: ["nope"] }, 400, "E011004", "roleNames[0]"],
			// A tenant's role is not a project role.
			[{ roleNames: ["acme-admin"] }, 400, "E011004", "roleNames[0]"],
			[{ keyTenants: [{ tenantId: "nope" }] }, 400, "E011004", "keyTenants[0].tenantId"],
			[
				{ keyTenants: [{ tenantId: "acme" }, { tenantId: "acme" }] },
				400,
				"E011004",
				"keyTenants[1].tenantId",
			],
			[
				{ keyTenants: [{ tenantId: "globex", roleNames: ["acme-admin"] }] },
				400,
				"E011004",
				"keyTenants[0].roleNames[0]",
			],
			[{ userId: `U${"0".repeat(27)}` }, 404, "E062108", "userId"],
			[{ customClaims: { roles: ["admin"] } }, 400, "E011004", "customClaims.roles"],
			[{ customClaims: { sub: "x" } }, 400, "E011004", "customClaims.sub"],
			[{ permittedIps: ["10.0.0.0/8", "not-an-ip"] }, 400, "E011004", "permittedIps[1]"],
			[{ customAttributes: { "bad name": 1 } }, 400, "E011004", "customAttributes.bad name"],
		];
		for (const [body, status, code, field] of cases) {
			const res = await api.post(`${AK}/create`, { name: "k", expireTime: 0, ...body });
			expectDescopeError(res, status, code, field);
		}
		const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM access_keys WHERE project_id = ?")
			.bind(p.projectId)
			.first<{ n: number }>();
		expect(count?.n).toBe(0);
		// A project role in a tenant, and the tenant's own role, are both accepted.
		const ok = await createKey(p, { keyTenants: [{ tenantId: "globex", roleNames: ["reader"] }] });
		expect(ok.key.keyTenants).toEqual([{ tenantId: "globex", roleNames: ["reader"], tenantName: "Globex" }]);
	});
});

describe("load and search", () => {
	it("load answers 404 for an unknown id and for another project's key", async () => {
		const a = await newProject();
		const b = await newProject();
		const { key } = await createKey(a);
		expectDescopeError(await mgmt(a).get(`${AK}?id=K${"0".repeat(27)}`), 404, "E011404", "not found");
		expectDescopeError(await mgmt(b).get(`${AK}?id=${key.id}`), 404, "E011404");
		expectDescopeError(await mgmt(a).get(AK), 400, "E011002", "id");
	});

	it("search filters by tenants, bound user, creator and custom attributes", async () => {
		const p = await authzProject();
		const other = await addManagementKey(p, { name: "other-creator" });
		const user = expectStatus(await mgmt(p).post("/v1/mgmt/user/create", { loginId: "owner" }), 200).user;
		const k1 = (
			await createKey(p, {
				name: "k1",
				keyTenants: [{ tenantId: "acme" }],
				customAttributes: { env: "prod" },
			})
		).key;
		const k2 = (
			await createKey(p, { name: "k2", userId: user.userId, customAttributes: { env: "dev", n: 2 } })
		).key;
		const k3 = expectStatus(
			await mgmt(other).post(`${AK}/create`, {
				name: "k3",
				expireTime: 0,
				keyTenants: [{ tenantId: "globex" }],
			}),
			200,
		).key;
		const names = async (body: unknown) =>
			(expectStatus(await mgmt(p).post(`${AK}/search`, body), 200).keys as any[]).map((k) => k.name).sort();
		expect(await names({})).toEqual(["k1", "k2", "k3"]);
		expect(await names({ tenantIds: ["acme"] })).toEqual(["k1"]);
		expect(await names({ tenantIds: ["acme", "globex"] })).toEqual(["k1", "k3"]);
		expect(await names({ boundUserId: user.userId })).toEqual(["k2"]);
		expect(await names({ creatingUser: other.keyId })).toEqual(["k3"]);
		expect(await names({ customAttributes: { env: "prod" } })).toEqual(["k1"]);
		expect(await names({ customAttributes: { env: "dev", n: 2 } })).toEqual(["k2"]);
		expect(await names({ customAttributes: { env: "dev", n: 3 } })).toEqual([]);
		const found = expectStatus(await mgmt(p).post(`${AK}/search`, { tenantIds: ["globex"] }), 200).keys;
		expect(found).toEqual([expect.objectContaining({ id: k3.id, createdBy: other.keyId })]);
		expect(JSON.stringify(found)).not.toMatch(/rk_ak_/);
		// Another project sees none of them.
		const b = await newProject();
		expect(expectStatus(await mgmt(b).post(`${AK}/search`, {}), 200)).toEqual({ keys: [] });
		expect([k1.id, k2.id]).toHaveLength(2);
	});
});

describe("update", () => {
	it("overwrites every editable field; a field not given is cleared", async () => {
		const p = await authzProject();
		const { key, cleartext } = await createKey(p, {
			name: "before",
			description: "d",
			roleNames: ["reader"],
			keyTenants: [{ tenantId: "acme", roleNames: ["acme-admin"] }],
			customClaims: { a: 1 },
			permittedIps: ["10.0.0.1"],
			customAttributes: { x: 1 },
		});
		const full = expectStatus(
			await mgmt(p).post(`${AK}/update`, {
				id: key.id,
				name: "after",
				description: "d2",
				roleNames: ["writer"],
				keyTenants: [{ tenantId: "globex", roleNames: [] }],
				customClaims: { b: 2 },
				permittedIps: ["1.1.1.1"],
				customAttributes: { y: "z" },
			}),
			200,
		);
		expect(full.key).toEqual({
			...key,
			name: "after",
			description: "d2",
			roleNames: ["writer"],
			keyTenants: [{ tenantId: "globex", roleNames: [], tenantName: "Globex" }],
			customClaims: { b: 2 },
			permittedIps: ["1.1.1.1"],
			customAttributes: { y: "z" },
		});
		expect(expectStatus(await mgmt(p).get(`${AK}?id=${key.id}`), 200).key).toEqual(full.key);

		const min = expectStatus(await mgmt(p).post(`${AK}/update`, { id: key.id, name: "n" }), 200);
		expect(min.key).toMatchObject({
			name: "n",
			description: "",
			roleNames: [],
			keyTenants: [],
			customClaims: {},
			permittedIps: [],
			customAttributes: {},
			status: "active",
			expireTime: 0,
		});
		// The cleartext is unchanged and still works.
		expectStatus(await exchange(p, cleartext), 200);
	});

	it("refuses unknown ids (404) and bad fields (400), changing nothing", async () => {
		const p = await authzProject();
		const { key } = await createKey(p, { name: "keep", roleNames: ["reader"] });
		expectDescopeError(
			await mgmt(p).post(`${AK}/update`, { id: `K${"0".repeat(27)}`, name: "x" }),
			404,
			"E011404",
		);
		expectDescopeError(
			await mgmt(p).post(`${AK}/update`, { id: key.id, name: "x", roleNames: ["nope"] }),
			400,
			"E011004",
			"roleNames[0]",
		);
		expectDescopeError(await mgmt(p).post(`${AK}/update`, { id: key.id }), 400, "E011002", "name");
		expect(expectStatus(await mgmt(p).get(`${AK}?id=${key.id}`), 200).key).toEqual(key);
	});
});

describe("the exchange", () => {
	it("issues a session JWT signed by a published key, with the key's roles, tenants and claims", async () => {
		const p = await authzProject();
		const { key, cleartext } = await createKey(p, {
			roleNames: ["reader", "writer"],
			keyTenants: [
				{ tenantId: "acme", roleNames: ["acme-admin", "reader"] },
				{ tenantId: "globex", roleNames: [] },
			],
			customClaims: { plan: "gold", nested: { a: [1, 2] } },
		});
		const before = nowSeconds();
		const res = expectStatus(await exchange(p, cleartext, { loginOptions: { selectedTenant: "acme" } }), 200);
		expect(res).toEqual({ keyId: key.id, sessionJwt: expect.any(String), expiration: expect.any(Number) });
		const claims = await verified(p, res.sessionJwt);
		expect(claims).toEqual({
			iss: expect.stringMatching(new RegExp(`/${p.projectId}$`)),
			sub: key.id,
			iat: expect.any(Number),
			exp: res.expiration,
			drn: "DS",
			amr: ["accesskey"],
			roles: ["reader", "writer"],
			permissions: ["read", "write"],
			tenants: {
				acme: { roles: ["acme-admin", "reader"], permissions: ["read", "write"] },
				globex: { roles: [], permissions: [] },
			},
			dct: "acme",
			plan: "gold",
			nested: { a: [1, 2] },
		});
		// The project's session lifetime (600 s by default).
		expect(claims.exp - claims.iat).toBe(600);
		expect(claims.iat).toBeGreaterThanOrEqual(before - 1);
	});

	it("sends {} without loginOptions: no dct, no nsec", async () => {
		const p = await newProject();
		const { cleartext } = await createKey(p);
		const claims = decodeJwt(expectStatus(await exchange(p, cleartext), 200).sessionJwt);
		expect(claims.dct).toBeUndefined();
		expect(claims.nsec).toBeUndefined();
		expect(claims).toMatchObject({ roles: [], permissions: [], tenants: {} });
	});

	it("accepts a request without a body", async () => {
		const p = await newProject();
		const { key, cleartext } = await createKey(p);
		const res = await call("POST", EXCHANGE, {
			headers: { authorization: `Bearer ${p.projectId}:${cleartext}` },
		});
		expect(expectStatus(res, 200).keyId).toBe(key.id);
	});

	it("signs the caller's claims under nsec only: they never override the key's or Roster's claims", async () => {
		const p = await authzProject();
		const { cleartext } = await createKey(p, { roleNames: ["reader"], customClaims: { plan: "free" } });
		const asked = { plan: "enterprise", roles: ["admin"], sub: "forged", isAdmin: true };
		const res = expectStatus(await exchange(p, cleartext, { loginOptions: { customClaims: asked } }), 200);
		const claims = await verified(p, res.sessionJwt);
		expect(claims).toMatchObject({ plan: "free", roles: ["reader"], nsec: asked });
		expect(claims.sub).toMatch(/^K/);
		expect(claims.isAdmin).toBeUndefined();
		const big = { blob: "x".repeat(5000) };
		expectDescopeError(
			await exchange(p, cleartext, { loginOptions: { customClaims: big } }),
			400,
			"E011004",
			"loginOptions.customClaims",
		);
	});

	it("refuses a selectedTenant that is not one of the key's tenants (403)", async () => {
		const p = await authzProject();
		const { cleartext } = await createKey(p, { keyTenants: [{ tenantId: "acme" }] });
		expectDescopeError(
			await exchange(p, cleartext, { loginOptions: { selectedTenant: "globex" } }),
			403,
			"E011403",
			"selectedTenant",
		);
	});

	it("clamps exp to the key's expiry, and uses the project's session TTL otherwise", async () => {
		const p = await newProject();
		expectStatus(
			await call("PATCH", `/v1/operator/projects/${p.projectId}`, {
				body: { sessionTtl: 3600 },
				headers: operatorHeaders,
			}),
			200,
		);
		const soon = nowSeconds() + 120;
		const short = await createKey(p, { expireTime: soon });
		const res = expectStatus(await exchange(p, short.cleartext), 200);
		expect(res.expiration).toBe(soon);
		expect((await verified(p, res.sessionJwt)).exp).toBe(soon);
		const long = await createKey(p, { expireTime: 0 });
		const claims = decodeJwt(expectStatus(await exchange(p, long.cleartext), 200).sessionJwt);
		expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
	});

	it("drops roles and tenants deleted since the key was made", async () => {
		const p = await authzProject();
		const { cleartext } = await createKey(p, {
			roleNames: ["reader", "writer"],
			keyTenants: [{ tenantId: "acme" }, { tenantId: "globex" }],
		});
		expectStatus(await mgmt(p).post("/v1/mgmt/role/delete", { name: "writer" }), 200);
		expectStatus(await mgmt(p).post("/v1/mgmt/tenant/delete", { id: "globex" }), 200);
		const claims = decodeJwt(expectStatus(await exchange(p, cleartext), 200).sessionJwt);
		expect(claims).toMatchObject({
			roles: ["reader"],
			permissions: ["read"],
			tenants: { acme: expect.any(Object) },
		});
		expect(Object.keys(claims.tenants as object)).toEqual(["acme"]);
	});

	it("refuses unknown keys, keys of another project and missing keys with 401 and errorMessage", async () => {
		const a = await newProject();
		const b = await newProject();
		const { cleartext } = await createKey(a);
		for (const res of [
			await exchange(a, "rk_ak_unknown"),
			await exchange(b, cleartext),
			await call("POST", EXCHANGE, { body: {}, headers: { authorization: `Bearer ${a.projectId}` } }),
			await exchange(a, a.managementKey),
		]) {
			expectDescopeError(res, 401, "E011401");
			expect(res.body.errorMessage).not.toBe("");
		}
		expectDescopeError(await exchange(a, "rk_ak_unknown"), 401, "E011401", "Invalid access key");
	});

	it("refuses an expired key", async () => {
		const p = await newProject();
		const { key, cleartext } = await createKey(p, { expireTime: nowSeconds() + 3600 });
		expectStatus(await exchange(p, cleartext), 200);
		await env.DB.prepare("UPDATE access_keys SET expires_at = ? WHERE id = ?")
			.bind(Date.now() - 1000, key.id)
			.run();
		expectDescopeError(await exchange(p, cleartext), 401, "E011401", "expired");
	});

	it("admits only the permitted IPs (403 otherwise, also without a client address)", async () => {
		const p = await newProject();
		const { cleartext } = await createKey(p, { permittedIps: ["10.0.0.0/8", "2001:db8::/32"] });
		expectStatus(await exchange(p, cleartext, {}, { "cf-connecting-ip": "10.1.2.3" }), 200);
		expectStatus(await exchange(p, cleartext, {}, { "cf-connecting-ip": "2001:db8::1" }), 200);
		expectDescopeError(
			await exchange(p, cleartext, {}, { "cf-connecting-ip": "192.0.2.1" }),
			403,
			"E011403",
			"IP",
		);
		expectDescopeError(await exchange(p, cleartext), 403, "E011403", "IP");
	});

	it("a key bound to a user stops working when the user is disabled or deleted", async () => {
		const p = await newProject();
		const user = expectStatus(
			await mgmt(p).post("/v1/mgmt/user/create", { loginId: "owner", status: "enabled" }),
			200,
		).user;
		const { cleartext } = await createKey(p, { userId: user.userId });
		expectStatus(await exchange(p, cleartext), 200);
		expectStatus(
			await mgmt(p).post("/v1/mgmt/user/update/status", { loginId: "owner", status: "disabled" }),
			200,
		);
		expectDescopeError(await exchange(p, cleartext), 403, "E011403", "disabled");
		expectStatus(await mgmt(p).post("/v1/mgmt/user/delete", { userId: user.userId }), 200);
		expectDescopeError(await exchange(p, cleartext), 401, "E011401", "no longer exists");
	});

	it("writes nothing: no change row, no key column", async () => {
		const p = await newProject();
		const { key, cleartext } = await createKey(p);
		const rowBefore = await env.DB.prepare("SELECT * FROM access_keys WHERE id = ?").bind(key.id).first();
		const logBefore = await changeRows(p.projectId, "");
		expectStatus(await exchange(p, cleartext), 200);
		expectDescopeError(await exchange(p, "rk_ak_wrong"), 401, "E011401");
		expect(await env.DB.prepare("SELECT * FROM access_keys WHERE id = ?").bind(key.id).first()).toEqual(
			rowBefore,
		);
		expect(await changeRows(p.projectId, "")).toEqual(logBefore);
	});
});

describe("revocation", () => {
	it("deactivate refuses the next exchange at once; activate restores it", async () => {
		const p = await newProject();
		const { key, cleartext } = await createKey(p);
		expectStatus(await exchange(p, cleartext), 200);
		expect(expectStatus(await mgmt(p).post(`${AK}/deactivate`, { id: key.id }), 200)).toEqual({});
		expectDescopeError(await exchange(p, cleartext), 401, "E011401", "inactive");
		expect(expectStatus(await mgmt(p).get(`${AK}?id=${key.id}`), 200).key.status).toBe("inactive");
		expectStatus(await mgmt(p).post(`${AK}/activate`, { id: key.id }), 200);
		expectStatus(await exchange(p, cleartext), 200);
	});

	it("delete refuses the next exchange at once; the key is gone", async () => {
		const p = await newProject();
		const { key, cleartext } = await createKey(p);
		expectStatus(await exchange(p, cleartext), 200);
		expectStatus(await mgmt(p).post(`${AK}/delete`, { id: key.id }), 200);
		expectDescopeError(await exchange(p, cleartext), 401, "E011401");
		expectDescopeError(await mgmt(p).get(`${AK}?id=${key.id}`), 404, "E011404");
		expectDescopeError(await mgmt(p).post(`${AK}/delete`, { id: key.id }), 404, "E011404");
	});

	it("rotate keeps the id, returns a new cleartext, and the old one is refused at once", async () => {
		const p = await authzProject();
		const { key, cleartext } = await createKey(p, { roleNames: ["reader"] });
		const rotated = expectStatus(await mgmt(p).post(`${AK}/rotate`, { id: key.id }), 200);
		expect(rotated).toEqual({ key: { ...key }, cleartext: expect.stringMatching(/^rk_ak_/) });
		expect(rotated.cleartext).not.toBe(cleartext);
		expectDescopeError(await exchange(p, cleartext), 401, "E011401");
		const res = expectStatus(await exchange(p, rotated.cleartext), 200);
		expect(res.keyId).toBe(key.id);
		const row = await env.DB.prepare("SELECT key_hash FROM access_keys WHERE id = ?").bind(key.id).first();
		expect(row?.key_hash).toBe(await sha256Hex(rotated.cleartext));
		expectDescopeError(await mgmt(p).post(`${AK}/rotate`, { id: `K${"0".repeat(27)}` }), 404, "E011404");
	});

	it("the batch forms act on every listed key and skip unknown ids", async () => {
		const p = await newProject();
		const keys = [await createKey(p), await createKey(p), await createKey(p)];
		const ids = keys.map((k) => k.key.id);
		const unknown = `K${"0".repeat(27)}`;
		expectStatus(await mgmt(p).post(`${AK}/deactivate/batch`, { ids: [ids[0], ids[1], unknown] }), 200);
		expectDescopeError(await exchange(p, keys[0]!.cleartext), 401, "E011401", "inactive");
		expectDescopeError(await exchange(p, keys[1]!.cleartext), 401, "E011401", "inactive");
		expectStatus(await exchange(p, keys[2]!.cleartext), 200);
		expectStatus(await mgmt(p).post(`${AK}/activate/batch`, { ids: [ids[0], unknown] }), 200);
		expectStatus(await exchange(p, keys[0]!.cleartext), 200);
		expectStatus(await mgmt(p).post(`${AK}/delete/batch`, { ids: [ids[0], ids[2], unknown] }), 200);
		const left = expectStatus(await mgmt(p).post(`${AK}/search`, {}), 200).keys.map((k: any) => k.id);
		expect(left).toEqual([ids[1]]);
		expectDescopeError(await mgmt(p).post(`${AK}/delete/batch`, { ids: [] }), 400, "E011004", "ids");
		expectDescopeError(await mgmt(p).post(`${AK}/activate`, { id: unknown }), 404, "E011404");
	});
});

describe("scoped management keys", () => {
	it("a read-only key may load and search, and every write is refused (403)", async () => {
		const p = await newProject();
		const { key } = await createKey(p);
		const ro = await addManagementKey(p, { name: "ro", readOnly: true });
		expectStatus(await mgmt(ro).get(`${AK}?id=${key.id}`), 200);
		expect(expectStatus(await mgmt(ro).post(`${AK}/search`, {}), 200).keys).toHaveLength(1);
		for (const [path, body] of [
			["create", { name: "x", expireTime: 0 }],
			["update", { id: key.id, name: "x" }],
			["deactivate", { id: key.id }],
			["activate/batch", { ids: [key.id] }],
			["rotate", { id: key.id }],
			["delete", { id: key.id }],
		] as const) {
			expectDescopeError(await mgmt(ro).post(`${AK}/${path}`, body), 403, "E011403", "read-only");
		}
		expect(expectStatus(await mgmt(p).get(`${AK}?id=${key.id}`), 200).key).toEqual(key);
	});

	it("a tenant-bound key may neither see nor change access keys (403)", async () => {
		const p = await authzProject();
		const { key } = await createKey(p, { keyTenants: [{ tenantId: "acme" }] });
		const tb = await addManagementKey(p, { name: "tb", tenantIds: ["acme"] });
		expectDescopeError(await mgmt(tb).get(`${AK}?id=${key.id}`), 403, "E011403", "tenant-bound");
		expectDescopeError(
			await mgmt(tb).post(`${AK}/search`, { tenantIds: ["acme"] }),
			403,
			"E011403",
			"tenant-bound",
		);
		expectDescopeError(
			await mgmt(tb).post(`${AK}/create`, { name: "x", expireTime: 0, keyTenants: [{ tenantId: "acme" }] }),
			403,
			"E011403",
			"tenant-bound",
		);
		expectDescopeError(await mgmt(tb).post(`${AK}/delete`, { id: key.id }), 403, "E011403", "tenant-bound");
	});
});

describe("activity", () => {
	it("records every change, never the cleartext or the hash", async () => {
		const p = await authzProject();
		const { key, cleartext } = await createKey(p, {
			name: "audited",
			roleNames: ["reader"],
			customClaims: { c: 1 },
		});
		const api = mgmt(p);
		expectStatus(await api.post(`${AK}/update`, { id: key.id, name: "renamed" }), 200);
		expectStatus(await api.post(`${AK}/deactivate`, { id: key.id }), 200);
		// Already inactive: no second row.
		expectStatus(await api.post(`${AK}/deactivate/batch`, { ids: [key.id] }), 200);
		expectStatus(await api.post(`${AK}/activate`, { id: key.id }), 200);
		const rotated = expectStatus(await api.post(`${AK}/rotate`, { id: key.id }), 200);
		expectStatus(await api.post(`${AK}/delete`, { id: key.id }), 200);

		const rows = await changeRows(p.projectId);
		expect(rows.map((r) => r.action)).toEqual([
			"access_key.created",
			"access_key.updated",
			"access_key.deactivated",
			"access_key.activated",
			"access_key.rotated",
			"access_key.deleted",
		]);
		for (const r of rows)
			expect(r).toMatchObject({ target_type: "access_key", target_id: key.id, actor_type: "key" });
		expect(JSON.parse(rows[0]!.changes)).toMatchObject({
			name: { after: "audited" },
			roleNames: { after: ["reader"] },
			claimNames: { after: ["c"] },
		});
		expect(JSON.parse(rows[1]!.changes)).toMatchObject({
			name: { before: "audited", after: "renamed" },
			roleNames: { before: ["reader"], after: [] },
		});
		expect(JSON.parse(rows[2]!.changes)).toEqual({ status: { before: "active", after: "inactive" } });
		const text = JSON.stringify(rows);
		for (const secret of [
			cleartext,
			rotated.cleartext,
			await sha256Hex(cleartext),
			await sha256Hex(rotated.cleartext),
		])
			expect(text).not.toContain(secret);
	});
});
