// The shared security suite: every management route the Descope app registers refuses every
// kind of bad credential in the Descope envelope, and no key sees another project's data.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	addManagementKey,
	BASE,
	bearer,
	call,
	expectDescopeError,
	expectStatus,
	mgmt,
	newProject,
	sha256Hex,
	type TestProject,
	waitForCachedKey,
} from "./harness";

interface Route {
	method: string;
	path: string;
	hasBody: boolean;
}

// The route list comes from the app's own OpenAPI document (served without auth), so a route
// added later is covered without touching this file.
const HTTP_METHODS = new Set(["get", "put", "post", "patch", "delete"]);
const openapi = await call<{ paths: Record<string, Record<string, { requestBody?: unknown }>> }>(
	"GET",
	"/v1/mgmt/openapi.json",
);
// Management routes only: the document also lists the end-user auth endpoints (/v1/auth/…,
// /v2/keys/…), which take a project bearer or a refresh JWT and have suites of their own.
const MANAGEMENT_PATH = /^\/v[12]\/mgmt\//;
const routes: Route[] = Object.entries(openapi.body.paths)
	.filter(([path]) => MANAGEMENT_PATH.test(path))
	.flatMap(([path, operations]) =>
		Object.entries(operations)
			.filter(([method]) => HTTP_METHODS.has(method))
			.map(([method, operation]) => ({
				method: method.toUpperCase(),
				path,
				hasBody: operation.requestBody !== undefined,
			})),
	);

/** A minimal request: auth runs before validation, so placeholders are enough. */
const send = (route: Route, headers: Record<string, string>) =>
	call(route.method, route.path, { headers, ...(route.hasBody ? { body: {} } : {}) });

let a: TestProject;
let b: TestProject;
/** Takes the placeholder requests that succeed, so they cannot disturb a and b. */
let control: TestProject;
type KeyedProject = TestProject & { keyId: string };
let inactive: KeyedProject;
let expired: KeyedProject;
let ipBound: KeyedProject;

beforeAll(async () => {
	a = await newProject("auth-contract A");
	b = await newProject("auth-contract B");
	control = await newProject("auth-contract control");

	inactive = await addManagementKey(a, { name: "inactive" });
	expectStatus(
		await mgmt(a).patch("/v1/mgmt/managementkey", {
			id: inactive.keyId,
			name: "inactive",
			status: "inactive",
		}),
		200,
	);

	// Expiry: waiting for a 1-second key to lapse would make the suite slow and timing-dependent,
	// and workerd's clock cannot be faked from here. So the key is created with a long expiry,
	// never used, and its stored expiry is moved into the past directly in D1; its KV entry (keyed
	// by the key's hash) is deleted too, so no cached copy with the old expiry can answer.
	expired = await addManagementKey(a, { name: "expired", expiresIn: 3600 });
	await env.DB.prepare("UPDATE management_keys SET expires_at = ? WHERE id = ?")
		.bind(Date.now() - 60_000, expired.keyId)
		.run();
	await env.KEY_CACHE.delete(`mgmt-key:${await sha256Hex(expired.managementKey)}`);

	ipBound = await addManagementKey(a, { name: "ip-bound", permittedIps: ["10.0.0.0/8"] });
});

interface Case {
	name: string;
	status: 401 | 403;
	headers: () => Record<string, string>;
	/** Pins the reason, for keys that are valid but for the one property under test. */
	message?: string;
}

const auth = (value: string) => ({ authorization: value });
const cases: Case[] = [
	{ name: "no Authorization header", status: 401, headers: () => ({}) },
	{ name: "empty Authorization header", status: 401, headers: () => auth("") },
	{
		name: "no 'Bearer' scheme",
		status: 401,
		headers: () => auth(`${a.projectId}:${a.managementKey}`),
	},
	{
		name: "another scheme (Basic)",
		status: 401,
		headers: () => auth(`Basic ${btoa(`${a.projectId}:${a.managementKey}`)}`),
	},
	{ name: "no colon (project id only)", status: 401, headers: () => auth(`Bearer ${a.projectId}`) },
	{ name: "no colon (key only)", status: 401, headers: () => auth(`Bearer ${a.managementKey}`) },
	{ name: "empty key", status: 401, headers: () => auth(`Bearer ${a.projectId}:`) },
	{
		name: "bad project id with a valid key",
		status: 401,
		headers: () => auth(`Bearer not-a-project:${a.managementKey}`),
	},
	{
		name: "lower-case project id with a valid key",
		status: 401,
		headers: () => auth(`Bearer ${a.projectId.toLowerCase()}:${a.managementKey}`),
	},
	{ name: "wrong key", status: 401, headers: () => bearer(a, "rk_wrong") },
	{
		name: "this project's id with another project's key",
		status: 401,
		headers: () => bearer(a, b.managementKey),
	},
	{
		name: "project A's key with project B's id",
		status: 401,
		headers: () => bearer(b, a.managementKey),
	},
	{ name: "inactive key", status: 401, headers: () => bearer(inactive), message: "inactive" },
	{ name: "expired key", status: 401, headers: () => bearer(expired), message: "expired" },
	{
		name: "client IP outside permittedIps",
		status: 403,
		headers: () => ({ ...bearer(ipBound), "cf-connecting-ip": "192.0.2.1" }),
		message: "IP",
	},
	{
		name: "no client IP for a key with permittedIps",
		status: 403,
		headers: () => bearer(ipBound),
		message: "IP",
	},
];

describe("the OpenAPI document", () => {
	it("lists the management routes this suite runs over", () => {
		expect(openapi.status).toBe(200);
		const names = routes.map((r) => `${r.method} ${r.path}`);
		expect(names).toEqual(
			expect.arrayContaining([
				"GET /v1/mgmt/user",
				"POST /v1/mgmt/user/create",
				"POST /v2/mgmt/user/search",
				"PUT /v1/mgmt/managementkey",
				"PATCH /v1/mgmt/managementkey",
				"GET /v1/mgmt/license",
			]),
		);
		expect(routes.every((r) => /^\/v[12]\/mgmt\//.test(r.path))).toBe(true);
	});
});

describe("the keys the cases rely on", () => {
	it("the IP-bound key works from a permitted address", async () => {
		const res = await mgmt(ipBound, { "cf-connecting-ip": "10.20.30.40" }).get("/v1/mgmt/license");
		expectStatus(res, 200);
	});

	it("the expired key is refused for its expiry alone: moving it back into the future revives it", async () => {
		const other = await addManagementKey(a, { name: "expired-control", expiresIn: 3600 });
		const hash = await sha256Hex(other.managementKey);
		await env.DB.prepare("UPDATE management_keys SET expires_at = ? WHERE id = ?")
			.bind(Date.now() - 60_000, other.keyId)
			.run();
		expectDescopeError(await mgmt(other).get("/v1/mgmt/license"), 401, "E011401", "expired");
		// That refusal caches the key (with its past expiry) in the background: let the write land,
		// then drop it, so the next request reads the revived row from D1.
		await waitForCachedKey(other.managementKey);
		await env.DB.prepare("UPDATE management_keys SET expires_at = ? WHERE id = ?")
			.bind(Date.now() + 60_000, other.keyId)
			.run();
		await env.KEY_CACHE.delete(`mgmt-key:${hash}`);
		expectStatus(await mgmt(other).get("/v1/mgmt/license"), 200);
	});
});

describe.each(routes)("$method $path", (route) => {
	it("is routed for a valid key: no auth error, no 'no route' 404, no 5xx", async () => {
		const res = await send(route, bearer(control));
		const body = JSON.stringify(res.body);
		expect([401, 403], body).not.toContain(res.status);
		expect(res.status, body).toBeLessThan(500);
		// An entity 404 (the placeholder names nothing) is fine; the router's own 404 is not.
		if (res.status === 404) expect(res.body.errorMessage, body).not.toMatch(/^No route/);
	});

	it.each(cases)("$name → $status", async ({ status, headers, message }) => {
		const code = status === 401 ? "E011401" : "E011403";
		expectDescopeError(await send(route, headers()), status, code, message);
	});
});

describe("unknown routes", () => {
	it("answer 404 in the envelope with a valid key", async () => {
		expectDescopeError(await mgmt(a).get("/v1/mgmt/no-such-route"), 404, "E011404");
		expectDescopeError(await mgmt(a).post("/v2/mgmt/no-such-route"), 404, "E011404");
		// A registered path with a method it does not serve.
		expectDescopeError(await mgmt(a).delete("/v1/mgmt/user/create"), 404, "E011404");
	});

	it("answer 404 in the envelope outside the management prefix, without a key", async () => {
		expectDescopeError(await call("GET", "/no-such-route"), 404, "E011404");
		expectDescopeError(await call("POST", "/v1/no-such-route", { body: {} }), 404, "E011404");
	});

	it("answer 401 under the management prefix without a key (auth guards the whole prefix)", async () => {
		// Authentication runs for every /v1/mgmt/* and /v2/mgmt/* path before routing, so an
		// anonymous caller cannot tell which management routes exist.
		expectDescopeError(await call("GET", "/v1/mgmt/no-such-route"), 401, "E011401");
		expectDescopeError(await call("POST", "/v2/mgmt/no-such-route", { body: {} }), 401, "E011401");
	});
});

describe("path spellings", () => {
	it("never reach a management route without a key", async () => {
		const spellings = [
			"/v1/mgmt/%75ser?loginId=x",
			"/v1/%6dgmt/user?loginId=x",
			"/v1//mgmt/user?loginId=x",
			"//v1/mgmt/user?loginId=x",
			"/v1/mgmt//user?loginId=x",
			"/v1/mgmt/user/?loginId=x",
			"/v1/mgmt/openapi.json/../user?loginId=x",
			"/v1/mgmt/openapi.json%2F..%2Fuser?loginId=x",
			"/V1/MGMT/user?loginId=x",
			"/v1/mgmt/managementkey%2Fsearch",
		];
		for (const path of spellings) {
			const res = await call("GET", path);
			expect([401, 404], `${path}: ${JSON.stringify(res.body)}`).toContain(res.status);
			expect(res.body).toMatchObject({ errorCode: expect.stringMatching(/^E01140[14]$/) });
		}
		// HEAD answers without a body, so it is sent without the JSON-parsing harness.
		for (const method of ["HEAD", "OPTIONS"]) {
			const res = await exports.default.fetch(`${BASE}/v1/mgmt/managementkey/search`, { method });
			expect(res.status, method).toBe(401);
		}
	});
});

describe("cross-project isolation", () => {
	let userId: string;
	const loginId = "isolated@example.com";

	beforeAll(async () => {
		const api = mgmt(a);
		expectStatus(
			await api.post("/v1/mgmt/user/customattribute/create", {
				attributes: [{ name: "plan", type: 1, displayName: "Plan" }],
			}),
			200,
		);
		const created = expectStatus(
			await api.post("/v1/mgmt/user/create", {
				loginId,
				email: loginId,
				displayName: "Isolated",
				customAttributes: { plan: "gold" },
			}),
			200,
		);
		userId = created.user.userId;
		expectStatus(await api.post("/v1/mgmt/user/create/test", { loginId: "a-test-user" }), 200);
	});

	/** A's user is still there, unchanged. */
	async function expectAUserIntact() {
		const loaded = expectStatus(await mgmt(a).get(`/v1/mgmt/user?userId=${userId}`), 200);
		expect(loaded.user).toMatchObject({
			userId,
			loginIds: [loginId],
			email: loginId,
			name: "Isolated",
			status: "invited",
			customAttributes: { plan: "gold" },
		});
	}

	it("B cannot load A's user by user id or login id", async () => {
		const api = mgmt(b);
		expectStatus(await api.get(`/v1/mgmt/user?userId=${userId}`), 404);
		expectStatus(await api.get(`/v1/mgmt/user?loginId=${userId}`), 404);
		expectStatus(await api.get(`/v1/mgmt/user?loginId=${encodeURIComponent(loginId)}`), 404);
		const many = expectStatus(await api.post("/v1/mgmt/users/load", { userIds: [userId] }), 200);
		expect(many).toEqual({ users: [], total: 0 });
	});

	it("B's searches never return A's user", async () => {
		const api = mgmt(b);
		for (const query of [
			{},
			{ userIds: [userId] },
			{ loginIds: [loginId] },
			{ emails: [loginId] },
			{ text: "isolated" },
			{ text: a.projectId },
			{ customAttributes: { plan: "gold" } },
		]) {
			const found = expectStatus(await api.post("/v2/mgmt/user/search", query), 200);
			expect(found, JSON.stringify(query)).toEqual({ users: [], total: 0 });
		}
		const tests = expectStatus(await api.post("/v2/mgmt/user/search/test", {}), 200);
		expect(tests).toEqual({ users: [], total: 0 });
	});

	it("B cannot change A's user, whichever id it sends", async () => {
		const api = mgmt(b);
		for (const ref of [userId, loginId]) {
			const attempts = [
				api.patch("/v1/mgmt/user/patch", { loginId: ref, displayName: "pwned" }),
				api.post("/v1/mgmt/user/update", { loginId: ref, displayName: "pwned" }),
				api.post("/v1/mgmt/user/update/status", { loginId: ref, status: "disabled" }),
				api.post("/v1/mgmt/user/update/email", { loginId: ref, email: "pwned@example.com" }),
				api.post("/v1/mgmt/user/update/name", { loginId: ref, displayName: "pwned" }),
				api.post("/v1/mgmt/user/update/picture", { loginId: ref, picture: "https://x.test/p.png" }),
				api.post("/v1/mgmt/user/update/loginid", { loginId: ref, newLoginId: "pwned" }),
				api.post("/v1/mgmt/user/update/customAttribute", {
					loginId: ref,
					attributeKey: "plan",
					attributeValue: "free",
				}),
			];
			for (const res of await Promise.all(attempts)) expectStatus(res, 404);
			const batch = expectStatus(
				await api.patch("/v1/mgmt/user/patch/batch", { users: [{ loginId: ref, displayName: "pwned" }] }),
				200,
			);
			expect(batch.patchedUsers).toEqual([]);
			expect(batch.failedUsers).toHaveLength(1);
		}
		await expectAUserIntact();
	});

	it("B's deletes leave A's users intact", async () => {
		const api = mgmt(b);
		// Deleting an unknown user succeeds (contract), so the proof is that A's user survives.
		expectStatus(await api.post("/v1/mgmt/user/delete", { userId }), 200);
		expectStatus(await api.post("/v1/mgmt/user/delete", { loginId: userId }), 200);
		expectStatus(await api.post("/v1/mgmt/user/delete", { loginId }), 200);
		expectStatus(await api.post("/v1/mgmt/user/delete/batch", { userIds: [userId] }), 200);
		expectStatus(await api.delete("/v1/mgmt/user/test/delete/all"), 200);
		await expectAUserIntact();
		const aTests = expectStatus(await mgmt(a).post("/v2/mgmt/user/search/test", {}), 200);
		expect(aTests.total).toBe(1);
	});

	it("login ids are unique per project, not across projects", async () => {
		const created = expectStatus(
			await mgmt(b).post("/v1/mgmt/user/create", { loginId, email: loginId }),
			200,
		);
		expect(created.user.userId).not.toBe(userId);
		await expectAUserIntact();
		expectStatus(await mgmt(b).post("/v1/mgmt/user/delete", { loginId }), 200);
		await expectAUserIntact();
	});

	it("B sees none of A's custom attribute definitions", async () => {
		const list = expectStatus(await mgmt(b).get("/v1/mgmt/user/customattributes"), 200);
		expect(list.data.map((d: { name: string }) => d.name)).not.toContain("plan");
		expectStatus(await mgmt(b).post("/v1/mgmt/user/customattribute/delete", { names: ["plan"] }), 200);
		const still = expectStatus(await mgmt(a).get("/v1/mgmt/user/customattributes"), 200);
		expect(still.data.map((d: { name: string }) => d.name)).toContain("plan");
	});

	it("B can neither see nor change A's tenants and roles, and may reuse their ids and names", async () => {
		const api = mgmt(a);
		expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "acme", name: "Acme" }), 200);
		const role = expectStatus(await api.post("/v1/mgmt/role/create", { name: "admin" }), 200);
		expectStatus(await api.post("/v1/mgmt/role/create", { name: "tenant-admin", tenantId: "acme" }), 200);

		const other = mgmt(b);
		expectStatus(await other.get("/v1/mgmt/tenant?id=acme"), 404);
		expect(expectStatus(await other.get("/v1/mgmt/tenant/all"), 200)).toEqual({ tenants: [] });
		expect(expectStatus(await other.post("/v1/mgmt/tenant/search", { tenantIds: ["acme"] }), 200)).toEqual({
			tenants: [],
		});
		expectStatus(await other.post("/v1/mgmt/tenant/update", { id: "acme", name: "pwned" }), 404);
		expect(expectStatus(await other.get("/v1/mgmt/role/all"), 200)).toEqual({ roles: [] });
		const roles = await other.post("/v1/mgmt/role/search", {
			tenantIds: ["acme"],
			includeProjectRoles: true,
		});
		expect(expectStatus(roles, 200)).toEqual({ roles: [] });
		expectStatus(await other.post("/v1/mgmt/role/update", { name: "admin", newName: "pwned" }), 404);
		// Deletes either refuse (unknown here) or succeed as no-ops; A's data must survive.
		for (const res of [
			await other.post("/v1/mgmt/tenant/delete", { id: "acme" }),
			await other.post("/v1/mgmt/role/delete", { name: "admin" }),
			await other.post("/v1/mgmt/role/delete", { id: role.id }),
		]) {
			expect([200, 404], JSON.stringify(res.body)).toContain(res.status);
		}
		// A user of B cannot be given A's tenant-scoped role.
		const assign = await other.post("/v1/mgmt/user/create", {
			loginId: "borrower",
			userTenants: [{ tenantId: "acme", roleNames: ["tenant-admin"] }],
		});
		expect([400, 404], JSON.stringify(assign.body)).toContain(assign.status);

		expectStatus(await other.post("/v1/mgmt/tenant/create", { id: "acme", name: "B's Acme" }), 200);
		expectStatus(await other.post("/v1/mgmt/role/create", { name: "admin" }), 200);

		expect(expectStatus(await api.get("/v1/mgmt/tenant?id=acme"), 200)).toMatchObject({
			id: "acme",
			name: "Acme",
		});
		const aRoles = expectStatus(await api.get("/v1/mgmt/role/all"), 200);
		expect(aRoles.roles.map((r: { name: string }) => r.name).sort()).toEqual(["admin", "tenant-admin"]);
		expect(aRoles.roles.find((r: { name: string }) => r.name === "admin").id).toBe(role.id);
	});

	it("B cannot list, load, change or delete A's management keys", async () => {
		const victim = await addManagementKey(a, { name: "victim" });
		const api = mgmt(b);
		const listed = expectStatus(await api.get("/v1/mgmt/managementkey/search"), 200);
		const aKeys = expectStatus(await mgmt(a).get("/v1/mgmt/managementkey/search"), 200);
		const aIds = aKeys.keys.map((k: { id: string }) => k.id);
		expect(aIds).toContain(victim.keyId);
		for (const key of listed.keys as { id: string }[]) expect(aIds).not.toContain(key.id);

		expectDescopeError(await api.get(`/v1/mgmt/managementkey?id=${victim.keyId}`), 404, "E011404");
		expectDescopeError(
			await api.patch("/v1/mgmt/managementkey", { id: victim.keyId, name: "pwned", status: "inactive" }),
			404,
			"E011404",
		);
		expectStatus(await api.post("/v1/mgmt/managementkey/delete", { ids: [victim.keyId] }), 200);

		const loaded = expectStatus(await mgmt(victim).get(`/v1/mgmt/managementkey?id=${victim.keyId}`), 200);
		expect(loaded.key).toMatchObject({ name: "victim", status: "active" });
	});
});
