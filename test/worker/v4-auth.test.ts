// REST v4 authentication: `Authorization: Apikey <key>`, the per-key IP allowlist (IPv4, IPv6, CIDR), and JSON:API 401/403/404.
import { describe, expect, it } from "vitest";
import { addManagementKey, bearer, mgmt, newProject } from "./harness";
import { apikey, createV4, expectErrors, expectStatus, send, V4, v4 } from "./v4-harness";

describe("Apikey authentication", () => {
	it("a missing header is a 401 error document with WWW-Authenticate", async () => {
		const res = await send("GET", `${V4}/users`);
		expectErrors(res, 401, [{ status: "401", code: "unauthorized" }]);
		expect(res.headers.get("www-authenticate")).toContain("Apikey");
	});

	it.each([
		["an unknown key", "Apikey rk_not-a-real-key"],
		["an empty key", "Apikey "],
		["another scheme", "Basic dXNlcjpwYXNz"],
	])("%s is a 401", async (_name, authorization) => {
		expectErrors(await send("GET", `${V4}/users`, { headers: { authorization } }), 401, [{ status: "401" }]);
	});

	it("the Descope bearer form is not this dialect's", async () => {
		const p = await newProject();
		expectErrors(await send("GET", `${V4}/users`, { headers: bearer(p) }), 401, []);
	});

	it("the scheme is case-insensitive and the key alone names its project", async () => {
		const p = await newProject();
		const res = await send("GET", `${V4}/users`, { headers: { authorization: `APIKEY ${p.managementKey}` } });
		expectStatus(res, 200);
	});

	it("an inactive key is a 401", async () => {
		const p = await newProject();
		const extra = await addManagementKey(p, { name: "soon-off" });
		expectStatus(await v4(extra).get(`${V4}/users`), 200);
		expectStatus(
			await mgmt(p).patch("/v1/mgmt/managementkey", {
				id: extra.keyId,
				name: "soon-off",
				status: "inactive",
			}),
			200,
		);
		expectErrors(await v4(extra).get(`${V4}/users`), 401, [{ status: "401" }]);
	});

	it("the legacy endpoints authenticate the same way", async () => {
		const missing = await send("GET", "/api/management/user");
		expect(missing.status).toBe(401);
		expect(missing.body).toMatchObject({ error: "unauthorized", message: expect.any(String) });
		const p = await newProject();
		expect((await send("GET", "/api/management/user", { headers: apikey(p) })).status).toBe(200);
	});
});

describe("IP allowlist (CF-Connecting-IP)", () => {
	it.each([
		[["192.0.2.10"], "192.0.2.10", 200],
		[["192.0.2.10"], "192.0.2.11", 403],
		[["10.0.0.0/8"], "10.200.3.4", 200],
		[["10.0.0.0/8"], "11.0.0.1", 403],
		[["2001:db8::1"], "2001:db8:0:0::1", 200],
		[["2001:db8::/32"], "2001:db8:ffff::42", 200],
		[["2001:db8::/32"], "2001:db9::1", 403],
		[["10.0.0.0/8", "2001:db8::/32"], "2001:db8::7", 200],
		[["192.0.2.0/24"], "::ffff:192.0.2.9", 200],
		[["192.0.2.0/24"], "2001:db8::1", 403],
	])("permittedIps %j, client %s → %i", async (permittedIps, ip, status) => {
		const p = await newProject();
		const key = await addManagementKey(p, { name: "ip", permittedIps });
		const res = await v4(key, { "cf-connecting-ip": ip }).get(`${V4}/users`);
		if (status === 200) expectStatus(res, 200);
		else expectErrors(res, 403, [{ status: "403", code: "forbidden" }]);
	});

	it("a key with an allowlist and no client IP is refused; other keys of the project are not bound", async () => {
		const p = await newProject();
		const key = await addManagementKey(p, { name: "ip", permittedIps: ["10.0.0.0/8"] });
		expectErrors(await v4(key).get(`${V4}/users`), 403, []);
		expectStatus(await v4(p, { "cf-connecting-ip": "192.0.2.1" }).get(`${V4}/users`), 200);
	});

	it("every operation is guarded, writes included, and nothing is written when refused", async () => {
		const p = await newProject();
		const key = await addManagementKey(p, { name: "ip", permittedIps: ["10.0.0.1"] });
		const outside = v4(key, { "cf-connecting-ip": "10.0.0.2" });
		const user = await createV4(v4(p), { external_id: "guarded" });
		expectErrors(
			await outside.post(`${V4}/users`, { data: { type: "users", attributes: { external_id: "x" } } }),
			403,
			[],
		);
		expectErrors(
			await outside.patch(`${V4}/users/${user.id}`, { data: { type: "users", id: user.id } }),
			403,
			[],
		);
		expectErrors(await outside.delete(`${V4}/users/${user.id}`), 403, []);
		expectErrors(await outside.get(`${V4}/users/${user.id}`), 403, []);
		const legacy = await send("GET", "/api/management/user", {
			headers: { ...apikey(key), "cf-connecting-ip": "10.0.0.2" },
		});
		expect(legacy.status).toBe(403);
		expect(legacy.body).toMatchObject({ error: "forbidden" });
		const all = expectStatus(await v4(p).get(`${V4}/users`), 200);
		expect(all.data.map((u: any) => u.id)).toEqual([user.id]);
	});
});

describe("routes", () => {
	it("an unknown route under /api/ is a JSON:API 404; elsewhere the Descope envelope stays", async () => {
		const p = await newProject();
		expectErrors(await v4(p).get(`${V4}/accounts`), 404, [{ status: "404", code: "route_not_found" }]);
		expectErrors(await send("GET", "/api/nothing/here"), 404, [{ code: "route_not_found" }]);
		// A known path under another method: 405 with Allow (src/api/method-not-allowed.ts).
		expectErrors(await v4(p).put(`${V4}/users/U1`, {}), 405, [{ status: "405", code: "method_not_allowed" }]);
		const other = await send("GET", "/v1/mgmt/nothing", { headers: bearer(p) });
		expect(other.status).toBe(404);
		expect(other.body).toMatchObject({ errorCode: expect.any(String) });
	});
});
