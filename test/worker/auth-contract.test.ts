// The shared security suite: every authenticated route of every dialect (Descope management and
// end-user auth, REST v4, legacy, operator) refuses every kind of bad credential in its dialect's
// envelope, scoped keys (read-only, tenant-bound) are held to their scope on every management
// route, and no key sees another project's data.
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
	OPERATOR_KEY,
	operatorHeaders,
	sha256Hex,
	type TestProject,
	waitForCachedKey,
} from "./harness";
import {
	authOps,
	BROWSER_AUTH_ROUTES,
	browserOps,
	EITHER,
	expectNo5xx,
	expectRefusal,
	isRead,
	label,
	managementOps,
	operations,
	PUBLIC_AUTH_ROUTES,
	plausibleBody,
	READ_ONLY,
	SESSION_ROUTES,
	sendTo,
	TENANT_BOUND,
} from "./support/auth-contract-routes";
import { changedTables, snapshot } from "./support/fuzz-check";
import type { Operation } from "./support/fuzz-openapi";
import { type FuzzProject, fuzzProject } from "./support/fuzz-project";

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
// Management routes here; the end-user auth endpoints (/v1/auth/…) take a project bearer or a
// refresh JWT and have their cases further down (the JWKS, /v2/keys/…, is public).
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
	{ name: "the key of a deleted project", status: 401, headers: () => bearer(gone) },
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
		// A registered path with a method it does not serve: 405 with Allow (src/api/method-not-allowed.ts).
		expectDescopeError(await mgmt(a).delete("/v1/mgmt/user/create"), 405, "E011405");
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

// ---------------------------------------------------------------------------------------------
// REST v4 and legacy: `Authorization: Apikey <key>` (src/api/v4/auth.ts), the key's IP allowlist.

const apikeyCases: Case[] = [
	{ name: "no Authorization header", status: 401, headers: () => ({}) },
	{ name: "empty Authorization header", status: 401, headers: () => auth("") },
	{ name: "'Apikey' without a key", status: 401, headers: () => auth("Apikey") },
	{ name: "no scheme", status: 401, headers: () => auth(a.managementKey) },
	{ name: "the Descope bearer form", status: 401, headers: () => bearer(a) },
	{
		name: "another scheme (Basic)",
		status: 401,
		headers: () => auth(`Basic ${btoa(`x:${a.managementKey}`)}`),
	},
	{ name: "wrong key", status: 401, headers: () => auth("Apikey rk_wrong") },
	{ name: "a key with junk after it", status: 401, headers: () => auth(`Apikey ${a.managementKey} x`) },
	{
		name: "a key one character short",
		status: 401,
		headers: () => auth(`Apikey ${a.managementKey.slice(0, -1)}`),
	},
	{
		name: "inactive key",
		status: 401,
		headers: () => auth(`Apikey ${inactive.managementKey}`),
		message: "inactive",
	},
	{
		name: "expired key",
		status: 401,
		headers: () => auth(`Apikey ${expired.managementKey}`),
		message: "expired",
	},
	{
		name: "client IP outside permittedIps",
		status: 403,
		headers: () => ({ ...auth(`Apikey ${ipBound.managementKey}`), "cf-connecting-ip": "192.0.2.1" }),
		message: "IP",
	},
	{
		name: "no client IP for a key with permittedIps",
		status: 403,
		headers: () => auth(`Apikey ${ipBound.managementKey}`),
		message: "IP",
	},
	{ name: "the key of a deleted project", status: 401, headers: () => auth(`Apikey ${gone.managementKey}`) },
];

let gone: TestProject;
beforeAll(async () => {
	gone = await newProject("auth-contract deleted");
	expectStatus(
		await call("GET", "/api/management/user", { headers: auth(`Apikey ${gone.managementKey}`) }),
		200,
	);
	expectStatus(
		await call("DELETE", `/v1/operator/projects/${gone.projectId}`, { headers: operatorHeaders }),
		200,
	);
});

describe("REST v4 and legacy routes", () => {
	const apiRoutes = [...operations.v4, ...operations.legacy];

	it("come from the v4 document and the legacy list", () => {
		expect(apiRoutes.map(label)).toEqual(
			expect.arrayContaining([
				"GET /api/user/management/v4/users",
				"PATCH /api/user/management/v4/users/{user_id}",
				"GET /api/management/user",
				"DELETE /api/management/user/{email}",
			]),
		);
	});

	describe.each(apiRoutes)("$method $path", (op) => {
		it("is routed for a valid key: no auth error, no 'no route' 404, no 5xx", async () => {
			const res = await sendTo(op, auth(`Apikey ${control.managementKey}`));
			const body = JSON.stringify(res.body);
			expect([401, 403], body).not.toContain(res.status);
			expect(res.status, body).toBeLessThan(500);
			if (res.status === 404) expect(body).not.toContain("route_not_found");
		});

		it.each(apikeyCases)("$name → $status", async ({ status, headers, message }) => {
			expectRefusal(op.dialect, await sendTo(op, headers()), status, message);
		});
	});

	it("unknown routes need a key, then answer 404 in the dialect's envelope", async () => {
		expectRefusal("v4", await call("GET", "/api/user/management/v4/no-such-route"), 401);
		const v4Missing = await call("GET", "/api/user/management/v4/no-such-route", {
			headers: auth(`Apikey ${control.managementKey}`),
		});
		expectRefusal("v4", v4Missing, 404);
		expectRefusal("legacy", await call("GET", "/api/management/user/a/b"), 401);
		const legacyMissing = await call("GET", "/api/management/user/a/b", {
			headers: auth(`Apikey ${control.managementKey}`),
		});
		expectRefusal("legacy", legacyMissing, 404);
	});
});

// ---------------------------------------------------------------------------------------------
// Operator: `Authorization: Bearer <OPERATOR_KEY>` (src/api/operator/app.ts).

describe("operator routes", () => {
	const operatorCases: Case[] = [
		{ name: "no Authorization header", status: 401, headers: () => ({}) },
		{ name: "empty Authorization header", status: 401, headers: () => auth("") },
		{ name: "'Bearer' without a key", status: 401, headers: () => auth("Bearer ") },
		{ name: "no scheme", status: 401, headers: () => auth(OPERATOR_KEY) },
		{ name: "another scheme (Apikey)", status: 401, headers: () => auth(`Apikey ${OPERATOR_KEY}`) },
		{ name: "wrong key", status: 401, headers: () => auth("Bearer wrong") },
		{ name: "the key with a suffix", status: 401, headers: () => auth(`Bearer ${OPERATOR_KEY}x`) },
		{ name: "a prefix of the key", status: 401, headers: () => auth(`Bearer ${OPERATOR_KEY.slice(0, -1)}`) },
		{
			name: "the key in upper case",
			status: 401,
			headers: () => auth(`Bearer ${OPERATOR_KEY.toUpperCase()}`),
		},
		{ name: "a project's management key", status: 401, headers: () => bearer(a) },
		{ name: "a management key alone", status: 401, headers: () => auth(`Bearer ${a.managementKey}`) },
	];

	it("come from the operator document", () => {
		expect(operations.operator.map(label)).toEqual(
			expect.arrayContaining(["POST /v1/operator/projects", "DELETE /v1/operator/projects/{projectId}"]),
		);
	});

	describe.each(operations.operator)("$method $path", (op) => {
		it("is routed for the operator key: no auth error, no 5xx", async () => {
			const res = await sendTo(op, operatorHeaders);
			const body = JSON.stringify(res.body);
			expect([401, 403], body).not.toContain(res.status);
			expect(res.status, body).toBeLessThan(500);
			if (res.status === 404) expect(res.body.errorMessage, body).not.toMatch(/^No route/);
		});

		it.each(operatorCases)("$name → $status", async ({ status, headers }) => {
			expectRefusal("operator", await sendTo(op, headers()), status);
		});
	});
});

// ---------------------------------------------------------------------------------------------
// End-user auth: `Bearer <projectId>[:<refreshJwt>]` (src/api/descope/auth-endpoints.ts).

describe("end-user auth routes", () => {
	const loginId = "enduser@example.com";
	const password = "Auth-contract-1";
	let user: FuzzProjectLike;
	let otherRefresh: string;
	let revokedRefresh: string;

	interface FuzzProjectLike extends TestProject {
		refreshJwt: string;
		pool: (field: string) => string;
	}

	const signIn = async (p: TestProject) =>
		expectStatus(
			await call("POST", "/v1/auth/password/signin", {
				body: { loginId, password },
				headers: { authorization: `Bearer ${p.projectId}` },
			}),
			200,
		).refreshJwt as string;

	async function withUser(p: TestProject) {
		const api = mgmt(p);
		expectStatus(await api.post("/v1/mgmt/user/create", { loginId, email: loginId }), 200);
		expectStatus(await api.post("/v1/mgmt/user/password/set/active", { loginId, password }), 200);
		return signIn(p);
	}

	beforeAll(async () => {
		const p = await newProject("auth-contract end-user");
		const refreshJwt = await withUser(p);
		user = {
			...p,
			refreshJwt,
			pool: (field) =>
				/password/i.test(field)
					? password
					: /tenant/i.test(field)
						? "t"
						: /origin/i.test(field)
							? "https://app.example.com"
							: loginId,
		};
		otherRefresh = await withUser(await newProject("auth-contract end-user B"));
		revokedRefresh = await signIn(p);
		expectStatus(
			await call("POST", "/v1/auth/logout", {
				body: {},
				headers: { authorization: `Bearer ${p.projectId}:${revokedRefresh}` },
			}),
			200,
		);
	});

	it("browser routes take no bearer: whatever Authorization comes, an unknown state is a 400, nothing written", async () => {
		const ops = browserOps();
		expect(ops.map(label)).toEqual([...BROWSER_AUTH_ROUTES]);
		for (const op of ops) {
			const path = op.path.replace("{projectId}", user.projectId);
			for (const headers of [
				{},
				auth(`Bearer ${user.projectId}`),
				auth(`Bearer ${user.projectId}:${user.managementKey}`),
				auth("Basic Zm9vOmJhcg=="),
			]) {
				const before = await snapshot(user.projectId);
				const res = await call(op.method, `${path}?state=unknown-state&code=c`, { headers });
				const text = JSON.stringify(res.body);
				expect(res.status, text).toBe(400);
				expect(res.headers.get("location"), text).toBeNull();
				expect(res.body.errorCode, text).toBe("E011004");
				// The refused callback is in the sign-in history (docs/federation.md); nothing else changes.
				expect(changedTables(before, await snapshot(user.projectId), ["login_history"]), text).toEqual([]);
			}
			// A browser gets a page, with what it was sent escaped.
			const page = await exports.default.fetch(`${BASE}${path}?state=%3Cb%3Ex%3C%2Fb%3E`, {
				headers: { accept: "text/html" },
			});
			const html = await page.text();
			expect(page.status).toBe(400);
			expect(page.headers.get("content-type")).toContain("text/html");
			expect(html).not.toContain("<b>x</b>");
		}
	});

	it("every end-user route is classified as needing a session or not", () => {
		const unclassified = authOps()
			.map(label)
			.filter((name) => !SESSION_ROUTES.has(name) && !PUBLIC_AUTH_ROUTES.has(name));
		expect(unclassified).toEqual([]);
		expect(authOps().length).toBe(SESSION_ROUTES.size + PUBLIC_AUTH_ROUTES.size);
	});

	const headerCases: Case[] = [
		{ name: "no Authorization header", status: 401, headers: () => ({}) },
		{ name: "empty Authorization header", status: 401, headers: () => auth("") },
		{ name: "'Bearer' without a project", status: 401, headers: () => auth("Bearer ") },
		{ name: "no scheme", status: 401, headers: () => auth(user.projectId) },
		{ name: "another scheme (Basic)", status: 401, headers: () => auth(`Basic ${btoa(user.projectId)}`) },
		{ name: "not a project id", status: 401, headers: () => auth("Bearer not-a-project") },
		{
			name: "lower-case project id",
			status: 401,
			headers: () => auth(`Bearer ${user.projectId.toLowerCase()}`),
		},
	];

	const sessionCases: Case[] = [
		{
			name: "project id without a refresh JWT",
			status: 401,
			headers: () => auth(`Bearer ${user.projectId}`),
		},
		{
			name: "a refresh JWT that is not a JWT",
			status: 401,
			headers: () => auth(`Bearer ${user.projectId}:x.y.z`),
		},
		{
			name: "a refresh JWT with a broken signature",
			status: 401,
			headers: () => auth(`Bearer ${user.projectId}:${user.refreshJwt.slice(0, -4)}AAAA`),
		},
		{
			name: "another project's refresh JWT",
			status: 401,
			headers: () => auth(`Bearer ${user.projectId}:${otherRefresh}`),
		},
		{
			name: "a logged-out session's refresh JWT",
			status: 401,
			headers: () => auth(`Bearer ${user.projectId}:${revokedRefresh}`),
		},
		{
			name: "a management key instead of a refresh JWT",
			status: 401,
			headers: () => auth(`Bearer ${user.projectId}:${user.managementKey}`),
		},
	];

	describe.each(authOps())("$method $path", (op) => {
		const body = () => plausibleBody(op, user.pool);

		it.each(headerCases)("$name → $status", async ({ status, headers }) => {
			expectRefusal("descope", await sendTo(op, headers(), { body: body() }), status);
		});

		it("an unknown project (well-formed id) → a 4xx in the envelope, never a 5xx", async () => {
			const res = await sendTo(op, auth(`Bearer P${"0".repeat(27)}`), { body: body() });
			expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
			expectNo5xx("descope", res);
		});

		if (SESSION_ROUTES.has(label(op))) {
			it.each(sessionCases)("$name → $status", async ({ status, headers }) => {
				expectRefusal("descope", await sendTo(op, headers(), { body: body() }), status, undefined, true);
			});

			it("answers for the session's own refresh JWT: no 401, no 5xx", async () => {
				// A project of its own: the route may end the session or change the password.
				const own = await newProject("auth-contract own session");
				const refreshJwt = await withUser(own);
				const res = await sendTo(op, auth(`Bearer ${own.projectId}:${refreshJwt}`), { body: body() });
				// A 403 may still come from the route itself (tenant/select: not a member of "t").
				expect(res.status, JSON.stringify(res.body)).not.toBe(401);
				expectNo5xx("descope", res);
			});
		}
	});
});

// ---------------------------------------------------------------------------------------------
// Scoped keys (issue 8, "Least privilege for keys"): every management route of every dialect with
// a read-only key and with a tenant-bound key. The wire shape is the key-scopes feature's
// (docs/security.md): PUT /v1/mgmt/managementkey {readOnly} / {tenantIds}; a refusal is a 403.

describe("scoped keys on every management route", () => {
	let p: FuzzProject;
	let readOnly: KeyedProject;
	let tenantBound: KeyedProject;
	let outsider: { userId: string; tenantId: string };

	beforeAll(async () => {
		p = await fuzzProject("auth-contract scopes");
		const api = mgmt(p);
		// The seeded user and tenant are outside the bound key's tenant.
		outsider = { userId: p.userId, tenantId: "fuzz-tenant" };
		expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "bound", name: "Bound" }), 200);
		expectStatus(
			await api.post("/v1/mgmt/user/create", {
				loginId: "member@example.com",
				userTenants: [{ tenantId: "bound" }],
			}),
			200,
		);
		readOnly = await addManagementKey(p, { name: "read-only", readOnly: true });
		tenantBound = await addManagementKey(p, { name: "tenant-bound", tenantIds: ["bound"] });
	});

	const headersFor = (op: Operation, key: TestProject) =>
		op.dialect === "descope" ? bearer(key) : auth(`Apikey ${key.managementKey}`);
	const values = () => ({ user_id: p.userId, email: "fuzz@example.com" });

	it("the scoped keys carry their scope when loaded", async () => {
		const ro = expectStatus(await mgmt(p).get(`/v1/mgmt/managementkey?id=${readOnly.keyId}`), 200);
		expect(ro.key).toMatchObject({ readOnly: true });
		const tb = expectStatus(await mgmt(p).get(`/v1/mgmt/managementkey?id=${tenantBound.keyId}`), 200);
		expect(tb.key).toMatchObject({ tenantIds: ["bound"] });
	});

	describe.each(managementOps())("$method $path", (op) => {
		it("read-only key: writes are refused (403, nothing written), reads answer, never a 5xx", async () => {
			const before = await snapshot(p.projectId);
			const res = await sendTo(op, headersFor(op, readOnly), {
				body: plausibleBody(op, p.pool),
				values: values(),
			});
			const text = JSON.stringify(res.body);
			expectNo5xx(op.dialect, res);
			expect(res.status, JSON.stringify(res.body)).not.toBe(401);
			if (isRead(op)) {
				if (res.status === 403) expect(text).not.toContain(READ_ONLY);
			} else if (!EITHER.has(label(op))) {
				// Validation and lookups run before the scope, so a body this generic may be a 400 or a 404.
				expect(res.status, text).toBeGreaterThanOrEqual(400);
				if (res.status === 403) expectRefusal(op.dialect, res, 403, READ_ONLY);
			}
			expect(changedTables(before, await snapshot(p.projectId)), text).toEqual([]);
		});

		it("tenant-bound key: 2xx, 4xx or 403, never a 5xx, and the outside user and tenant untouched", async () => {
			const before = await outsideRows(p.projectId, outsider);
			const res = await sendTo(op, headersFor(op, tenantBound), {
				body: plausibleBody(op, p.pool),
				values: values(),
			});
			expectNo5xx(op.dialect, res);
			expect(res.status, JSON.stringify(res.body)).not.toBe(401);
			if (res.status === 403 && op.dialect === "descope" && !/IP/.test(res.body.errorMessage)) {
				expect(res.body.errorMessage).toMatch(/tenant/i);
			}
			expect(await outsideRows(p.projectId, outsider), JSON.stringify(res.body)).toEqual(before);
		});
	});

	it("read-only key: exact 403 on valid writes of every dialect", async () => {
		const ro = mgmt(readOnly);
		for (const res of [
			await ro.post("/v1/mgmt/user/create", { loginId: "ro-new@example.com" }),
			await ro.post("/v1/mgmt/user/update/name", { loginId: "fuzz@example.com", displayName: "changed" }),
			await ro.post("/v1/mgmt/tenant/create", { id: "ro-tenant", name: "RO" }),
			await ro.post("/v1/mgmt/role/create", { name: "ro-role" }),
			await ro.put("/v1/mgmt/managementkey", { name: "ro-made" }),
			await ro.post("/v1/mgmt/user/delete", { loginId: "fuzz@example.com" }),
		]) {
			expectRefusal("descope", res, 403, READ_ONLY);
		}
		const key = auth(`Apikey ${readOnly.managementKey}`);
		const v4Create = await call("POST", "/api/user/management/v4/users", {
			body: { data: { type: "users", attributes: { external_id: "ro" } } },
			headers: { ...key, "content-type": "application/vnd.api+json" },
		});
		expectRefusal("v4", v4Create, 403, READ_ONLY);
		expectRefusal(
			"v4",
			await call("DELETE", `/api/user/management/v4/users/${p.userId}`, { headers: key }),
			403,
			READ_ONLY,
		);
		const legacyCreate = await call("POST", "/api/management/user", {
			body: { email: "ro@example.com" },
			headers: key,
		});
		expectRefusal("legacy", legacyCreate, 403, READ_ONLY);
		expectRefusal(
			"legacy",
			await call("DELETE", "/api/management/user/fuzz@example.com", { headers: key }),
			403,
			READ_ONLY,
		);
		// Reads still answer.
		expectStatus(await ro.get(`/v1/mgmt/user?userId=${p.userId}`), 200);
		expectStatus(await call("GET", "/api/user/management/v4/users", { headers: key }), 200);
	});

	it("tenant-bound key: the outside user is invisible, project-level writes are refused", async () => {
		const tb = mgmt(tenantBound);
		expectStatus(await tb.get(`/v1/mgmt/user?userId=${outsider.userId}`), 404);
		const found = expectStatus(await tb.post("/v2/mgmt/user/search", {}), 200);
		expect(found.users.map((u: { loginIds: string[] }) => u.loginIds[0])).toEqual(["member@example.com"]);
		expectRefusal("descope", await tb.post("/v1/mgmt/role/create", { name: "tb-role" }), 403, TENANT_BOUND);
		expectRefusal("descope", await tb.put("/v1/mgmt/managementkey", { name: "tb-made" }), 403, TENANT_BOUND);
		const key = auth(`Apikey ${tenantBound.managementKey}`);
		const v4List = expectStatus(await call("GET", "/api/user/management/v4/users", { headers: key }), 200);
		expect(v4List.data).toHaveLength(1);
		expectRefusal(
			"v4",
			await call("GET", `/api/user/management/v4/users/${outsider.userId}`, { headers: key }),
			404,
		);
	});
});

/** The rows a tenant-bound key must never change: the outside user, its tenant, project-level rows. */
async function outsideRows(projectId: string, outsider: { userId: string; tenantId: string }) {
	const q = (sql: string, ...args: unknown[]) => env.DB.prepare(sql).bind(projectId, ...args);
	const results = await env.DB.batch([
		q("SELECT * FROM users WHERE project_id = ? AND id = ?", outsider.userId),
		q("SELECT * FROM user_login_ids WHERE project_id = ? AND user_id = ?", outsider.userId),
		q("SELECT * FROM user_roles WHERE project_id = ? AND user_id = ?", outsider.userId),
		q("SELECT * FROM user_tenants WHERE project_id = ? AND user_id = ?", outsider.userId),
		q("SELECT * FROM tenants WHERE project_id = ? AND id = ?", outsider.tenantId),
		q("SELECT * FROM roles WHERE project_id = ? AND tenant_id = ''"),
		q("SELECT * FROM permissions WHERE project_id = ?"),
		q("SELECT * FROM custom_attribute_definitions WHERE project_id = ?"),
		q("SELECT id, name, status, read_only, tenant_ids FROM management_keys WHERE project_id = ?"),
		q("SELECT * FROM sso_apps WHERE project_id = ?"),
	]);
	return results.map((r) => r.results);
}
