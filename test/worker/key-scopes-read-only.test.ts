// Read-only management keys (docs/management-keys.md): every write answers 403 in the dialect's
// envelope and changes nothing; reads work as with a full key.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { isReadStatement } from "../../src/db/client";
import {
	addManagementKey,
	call,
	createUser,
	defineAttributes,
	expectDescopeError,
	expectStatus,
	mgmt,
	newProject,
	type TestProject,
} from "./harness";
import { JSONAPI, send, V4, v4 } from "./v4-harness";

const READ_ONLY = "This management key is read-only";

/** Every row of every table (management keys without their last-used time, which reads update). */
async function snapshot(): Promise<string> {
	const tables = await env.DB.prepare(
		`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
			AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%' AND name NOT LIKE 'users_fts%' ORDER BY name`,
	).all<{ name: string }>();
	const out: Record<string, unknown[]> = {};
	for (const { name } of tables.results) {
		// A refusal is recorded as request.failed (docs/audit.md); everything else stays as it was.
		const where = name === "change_log" ? ` WHERE action <> 'request.failed'` : "";
		const rows = (await env.DB.prepare(`SELECT * FROM "${name}"${where} ORDER BY rowid`).all()).results;
		out[name] = rows.map((r) => (name === "management_keys" ? { ...r, last_used_at: null } : r));
	}
	return JSON.stringify(out);
}

interface Fixture {
	project: TestProject;
	readOnly: TestProject & { keyId: string };
	userId: string;
	v4UserId: string;
	appId: string;
	otherKeyId: string;
	accessKeyId: string;
}

async function fixture(): Promise<Fixture> {
	const project = await newProject();
	const api = mgmt(project);
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "t1", name: "Tenant One" }), 200);
	expectStatus(await api.post("/v1/mgmt/permission/create", { name: "read" }), 200);
	expectStatus(await api.post("/v1/mgmt/role/create", { name: "viewer", permissionNames: ["read"] }), 200);
	expectStatus(await api.post("/v1/mgmt/role/create", { name: "t-admin", tenantId: "t1" }), 200);
	await defineAttributes(api, { dept: 1 });
	const appId = expectStatus(
		await api.post("/v1/mgmt/sso/idp/app/oidc/create", {
			name: "App",
			loginPageUrl: "https://a.example.com/l",
		}),
		200,
	).id;
	const user = await createUser(api, {
		loginId: "alice@example.com",
		email: "alice@example.com",
		userTenants: [{ tenantId: "t1" }],
	});
	const v4User = expectStatus(
		await v4(project).post(`${V4}/users`, {
			data: { type: "users", attributes: { name: "Vera", contact_details: { email: "vera@example.com" } } },
		}),
		201,
	).data;
	const other = await addManagementKey(project, { name: "other" });
	const readOnly = await addManagementKey(project, { name: "ro", readOnly: true });
	const accessKeyId = expectStatus(
		await api.post("/v1/mgmt/accesskey/create", { name: "machine", expireTime: 0 }),
		200,
	).key.id;
	// A tenant SSO configuration and a project-level OAuth provider for the SSO writes to name.
	const provider = { clientId: "cid", issuer: "https://idp.example.com" };
	expectStatus(
		await api.post("/v1/mgmt/sso/oidc", { tenantId: "t1", settings: { name: "Corp", ...provider } }),
		200,
	);
	expectStatus(await api.post("/v1/mgmt/oauth/provider", { name: "corp", ...provider }), 200);
	return {
		project,
		readOnly,
		userId: user.userId,
		v4UserId: v4User.id,
		appId,
		otherKeyId: other.keyId,
		accessKeyId,
	};
}

/** Valid Descope writes against existing objects: each would succeed with a full key. */
function descopeWrites(f: Fixture): [string, string, unknown][] {
	const login = "alice@example.com";
	return [
		["POST", "/v1/mgmt/user/create", { loginId: "new@example.com" }],
		["POST", "/v1/mgmt/user/create/test", { loginId: "test@example.com" }],
		["POST", "/v1/mgmt/user/create/batch", { users: [{ loginId: "b1@example.com" }] }],
		["POST", "/v1/mgmt/user/import", { users: [{ loginId: "i1@example.com" }] }],
		["POST", "/v1/mgmt/user/update", { loginId: login, email: "alice@example.com", displayName: "A" }],
		["PATCH", "/v1/mgmt/user/patch", { loginId: login, displayName: "A" }],
		["PATCH", "/v1/mgmt/user/patch/batch", { users: [{ loginId: login, displayName: "A" }] }],
		["POST", "/v1/mgmt/user/update/status", { loginId: login, status: "disabled" }],
		["POST", "/v1/mgmt/user/update/email", { loginId: login, email: "a2@example.com", verified: true }],
		["POST", "/v1/mgmt/user/update/phone", { loginId: login, phone: "+14155550100", verified: true }],
		["POST", "/v1/mgmt/user/update/loginid", { loginId: login, newLoginId: "alice2@example.com" }],
		["POST", "/v1/mgmt/user/update/name", { loginId: login, displayName: "Alice" }],
		["POST", "/v1/mgmt/user/update/picture", { loginId: login, picture: "https://p.example.com/a.png" }],
		[
			"POST",
			"/v1/mgmt/user/update/customAttribute",
			{ loginId: login, attributeKey: "dept", attributeValue: "eng" },
		],
		["POST", "/v1/mgmt/user/delete", { loginId: login }],
		["POST", "/v1/mgmt/user/delete/batch", { userIds: [f.userId] }],
		["DELETE", "/v1/mgmt/user/test/delete/all", undefined],
		["POST", "/v1/mgmt/user/update/tenant/add", { loginId: login, tenantId: "t1" }],
		["POST", "/v1/mgmt/user/update/tenant/remove", { loginId: login, tenantId: "t1" }],
		["POST", "/v2/mgmt/user/update/role/add", { loginId: login, roleNames: ["viewer"] }],
		["POST", "/v1/mgmt/user/update/role/add", { loginId: login, roleNames: ["viewer"] }],
		["POST", "/v1/mgmt/user/update/role/set", { loginId: login, roleNames: ["viewer"] }],
		["POST", "/v1/mgmt/user/update/role/remove", { loginId: login, roleNames: ["viewer"] }],
		["POST", "/v1/mgmt/user/update/ssoapp/add", { loginId: login, ssoAppIds: [f.appId] }],
		["POST", "/v1/mgmt/user/update/ssoapp/set", { loginId: login, ssoAppIds: [f.appId] }],
		["POST", "/v1/mgmt/user/update/ssoapp/remove", { loginId: login, ssoAppIds: [f.appId] }],
		["POST", "/v1/mgmt/user/customattribute/create", { attributes: [{ name: "team", type: 1 }] }],
		["POST", "/v1/mgmt/user/customattribute/delete", { names: ["dept"] }],
		["POST", "/v1/mgmt/tenant/create", { id: "t2", name: "Tenant Two" }],
		["POST", "/v1/mgmt/tenant/update", { id: "t1", name: "Renamed" }],
		["POST", "/v1/mgmt/tenant/delete", { id: "t1", cascade: true }],
		["POST", "/v1/mgmt/tenant/updateDefaultRoles", { id: "t1", defaultRoles: ["t-admin"] }],
		["POST", "/v1/mgmt/tenant/settings", { tenantId: "t1", selfProvisioningDomains: ["acme.com"] }],
		["POST", "/v1/mgmt/role/create", { name: "editor" }],
		["POST", "/v1/mgmt/role/update", { name: "viewer", newName: "watcher" }],
		["POST", "/v1/mgmt/role/delete", { name: "viewer" }],
		["POST", "/v1/mgmt/role/create/batch", { roles: [{ name: "editor" }] }],
		["POST", "/v1/mgmt/role/update/batch", { roles: [{ name: "viewer", newName: "watcher" }] }],
		["POST", "/v1/mgmt/role/delete/batch", { roleNames: ["viewer"] }],
		["POST", "/v1/mgmt/permission/create", { name: "write" }],
		["POST", "/v1/mgmt/permission/create/batch", { permissions: [{ name: "write" }] }],
		["POST", "/v1/mgmt/permission/update", { name: "read", newName: "see" }],
		["POST", "/v1/mgmt/permission/update/batch", { permissions: [{ name: "read", newName: "see" }] }],
		["POST", "/v1/mgmt/permission/delete", { name: "read" }],
		["POST", "/v1/mgmt/permission/delete/batch", { names: ["read"] }],
		["POST", "/v1/mgmt/sso/idp/app/oidc/create", { name: "App2", loginPageUrl: "https://b.example.com/l" }],
		[
			"POST",
			"/v1/mgmt/sso/idp/app/oidc/update",
			{ id: f.appId, name: "App", loginPageUrl: "https://c.example.com/l" },
		],
		["POST", "/v1/mgmt/sso/idp/app/delete", { id: f.appId }],
		["PUT", "/v1/mgmt/managementkey", { name: "escalate" }],
		["PATCH", "/v1/mgmt/managementkey", { id: f.readOnly.keyId, name: "ro", readOnly: false }],
		["POST", "/v1/mgmt/managementkey/delete", { ids: [f.otherKeyId] }],
		["POST", "/v1/mgmt/accesskey/create", { name: "escalate", expireTime: 0 }],
		["POST", "/v1/mgmt/accesskey/update", { id: f.accessKeyId, name: "renamed" }],
		["POST", "/v1/mgmt/accesskey/rotate", { id: f.accessKeyId }],
		["POST", "/v1/mgmt/accesskey/deactivate", { id: f.accessKeyId }],
		["POST", "/v1/mgmt/accesskey/deactivate/batch", { ids: [f.accessKeyId] }],
		["POST", "/v1/mgmt/accesskey/activate", { id: f.accessKeyId }],
		["POST", "/v1/mgmt/accesskey/activate/batch", { ids: [f.accessKeyId] }],
		["POST", "/v1/mgmt/accesskey/delete", { id: f.accessKeyId }],
		["POST", "/v1/mgmt/accesskey/delete/batch", { ids: [f.accessKeyId] }],
		["POST", "/v2/mgmt/connector/audit/web/set", { name: "wh", url: "https://hook.example" }],
		["POST", "/v1/mgmt/sso/settings/new", { tenantId: "t1", ssoId: "second", displayName: "Second" }],
		["POST", "/v1/mgmt/sso/oidc", { tenantId: "t1", settings: { name: "Corp 2", clientId: "cid2" } }],
		["POST", "/v1/mgmt/sso/redirect", { tenantId: "t1", oauthRedirectUrl: "" }],
		["POST", "/v1/mgmt/sso/recalculate-mappings", { tenantId: "t1" }],
		["DELETE", "/v1/mgmt/sso/settings?tenantId=t1", undefined],
		["POST", "/v1/mgmt/oauth/provider", { name: "corp", clientId: "cid3" }],
		["DELETE", "/v1/mgmt/oauth/provider?id=corp", undefined],
		["POST", "/v1/mgmt/user/password/set/active", { loginId: login, password: "Str0ng!Passw0rd" }],
		["POST", "/v1/mgmt/user/password/set/temporary", { loginId: login, password: "Str0ng!Passw0rd" }],
		["POST", "/v1/mgmt/user/password/set", { loginId: login, password: "Str0ng!Passw0rd" }],
		["POST", "/v1/mgmt/user/password/expire", { loginId: login }],
		["POST", "/v1/mgmt/user/logout", { loginId: login }],
		["POST", "/v1/mgmt/user/passkeys/delete", { loginId: login }],
		["POST", "/v1/mgmt/audit/event", { action: "RoEvent", type: "info", actorId: "a", tenantId: "" }],
	];
}

// Operations that only read (POST searches and loads included) or change no stored state.
const DESCOPE_READS = new Set([
	"get",
	"post /v1/mgmt/users/load",
	"post /v2/mgmt/user/search",
	"post /v2/mgmt/user/search/test",
	"post /v1/mgmt/tenant/search",
	"post /v1/mgmt/role/search",
	"post /v1/mgmt/user/history",
	"post /v1/mgmt/user/passkeys/list",
	"post /v1/mgmt/audit/search",
	"post /v1/mgmt/accesskey/search",
	// SAML configuration: refused for every key (SAML is not supported, docs/descope-compat.md); stores nothing.
	"post /v1/mgmt/sso/saml",
	"post /v1/mgmt/sso/saml/metadata",
	"post /v1/mgmt/sso/settings",
	"post /v1/mgmt/sso/metadata",
	"post /v1/mgmt/sso/mapping",
	// Signs a token from the given one; stores nothing.
	"post /v1/mgmt/jwt/update",
	// Deletes one passkey by id: covered by passkeys/delete (the fixture has no passkey to name).
	"post /v1/mgmt/user/passkey/delete",
]);

describe("a read-only key", () => {
	it("is created with readOnly and shows it on load and search", async () => {
		const p = await newProject();
		const created = expectStatus(
			await mgmt(p).put("/v1/mgmt/managementkey", { name: "ro", readOnly: true }),
			200,
		);
		expect(created.key).toMatchObject({ readOnly: true, tenantIds: [] });
		const loaded = expectStatus(await mgmt(p).get(`/v1/mgmt/managementkey?id=${created.key.id}`), 200);
		expect(loaded.key).toMatchObject({ readOnly: true, tenantIds: [] });
		const all = expectStatus(await mgmt(p).get("/v1/mgmt/managementkey/search"), 200);
		expect(all.keys.find((k: any) => k.id === created.key.id)).toMatchObject({ readOnly: true });
	});

	it("covers every Descope management write in the OpenAPI document", async () => {
		const f = await fixture();
		const doc = expectStatus(await call("GET", "/v1/mgmt/openapi.json"), 200);
		const listed = new Set(descopeWrites(f).map(([m, path]) => `${m.toLowerCase()} ${path.split("?")[0]}`));
		for (const [path, ops] of Object.entries<Record<string, unknown>>(doc.paths)) {
			if (!path.startsWith("/v1/mgmt/") && !path.startsWith("/v2/mgmt/")) continue;
			for (const method of Object.keys(ops)) {
				const op = `${method} ${path}`;
				if (method === "get" || DESCOPE_READS.has(op)) continue;
				expect(listed.has(op), `${op} is a write with no read-only case`).toBe(true);
			}
		}
	});

	it("gets 403 on every Descope write and nothing changes", async () => {
		const f = await fixture();
		const headers = { authorization: `Bearer ${f.project.projectId}:${f.readOnly.managementKey}` };
		const before = await snapshot();
		const wrong: string[] = [];
		for (const [method, path, body] of descopeWrites(f)) {
			const res = await call(method, path, { body, headers });
			if (res.status !== 403 || res.body.errorCode !== "E011403" || res.body.errorMessage !== READ_ONLY)
				wrong.push(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
		}
		expect(wrong).toEqual([]);
		expect(await snapshot()).toBe(before);
	});

	it("gets 403 on every v4 write in the JSON:API envelope and nothing changes", async () => {
		const f = await fixture();
		const api = v4(f.readOnly);
		const before = await snapshot();
		const writes = [
			await api.post(`${V4}/users`, {
				data: { type: "users", attributes: { name: "N", contact_details: { email: "n@example.com" } } },
			}),
			await api.patch(`${V4}/users/${f.v4UserId}`, {
				data: { type: "users", id: f.v4UserId, attributes: { name: "Renamed" } },
			}),
			await api.delete(`${V4}/users/${f.v4UserId}`),
		];
		for (const res of writes) {
			expect(res.status, res.text).toBe(403);
			expect(res.headers.get("content-type"), res.text).toContain(JSONAPI);
			expect(res.body.errors, res.text).toEqual([
				expect.objectContaining({ status: "403", code: "forbidden", detail: READ_ONLY }),
			]);
		}
		expect(await snapshot()).toBe(before);
	});

	it("gets 403 on every legacy write in the legacy envelope and nothing changes", async () => {
		const f = await fixture();
		const headers = {
			authorization: `Apikey ${f.readOnly.managementKey}`,
			"content-type": "application/json",
		};
		const before = await snapshot();
		const writes = [
			await send("POST", "/api/management/user", { body: { email: "l@example.com", name: "L" }, headers }),
			await send("PUT", "/api/management/user/vera%40example.com", { body: { name: "V2" }, headers }),
			await send("DELETE", "/api/management/user/vera%40example.com", { headers }),
		];
		for (const res of writes) {
			expect(res.status, res.text).toBe(403);
			expect(res.body, res.text).toEqual({ error: "forbidden", message: READ_ONLY, errors: [] });
		}
		expect(await snapshot()).toBe(before);
	});

	it("reads in every dialect as a full key does", async () => {
		const f = await fixture();
		const ro = mgmt(f.readOnly);
		const full = mgmt(f.project);
		for (const path of [
			"/v1/mgmt/user?loginId=alice%40example.com",
			"/v1/mgmt/tenant/all",
			"/v1/mgmt/role/all",
			"/v1/mgmt/permission/all",
			"/v1/mgmt/user/customattributes",
			"/v1/mgmt/sso/idp/apps/load",
			"/v1/mgmt/managementkey/search",
		]) {
			expect(expectStatus(await ro.get(path), 200), path).toEqual(expectStatus(await full.get(path), 200));
		}
		const search = expectStatus(await ro.post("/v2/mgmt/user/search", {}), 200);
		expect(search.users.map((u: any) => u.userId).sort()).toEqual([f.userId, f.v4UserId].sort());
		expectStatus(await ro.post("/v1/mgmt/tenant/search", {}), 200);
		expectStatus(await ro.post("/v1/mgmt/user/history", [f.userId]), 200);
		expectStatus(await ro.post("/v1/mgmt/user/passkeys/list", { loginId: "alice@example.com" }), 200);
		expectStatus(await ro.post("/v1/mgmt/role/search", {}), 200);
		expect(expectStatus(await v4(f.readOnly).get(`${V4}/users`), 200).data).toHaveLength(2);
		expectStatus(await v4(f.readOnly).get(`${V4}/users/${f.v4UserId}`), 200);
		const legacy = await send("GET", "/api/management/user", {
			headers: { authorization: `Apikey ${f.readOnly.managementKey}` },
		});
		expect(legacy.status, legacy.text).toBe(200);
	});

	it("cannot turn itself back into a full key", async () => {
		const f = await fixture();
		const res = await mgmt(f.readOnly).patch("/v1/mgmt/managementkey", {
			id: f.readOnly.keyId,
			name: "ro",
			readOnly: false,
		});
		expectDescopeError(res, 403, "E011403", READ_ONLY);
		const loaded = expectStatus(
			await mgmt(f.project).get(`/v1/mgmt/managementkey?id=${f.readOnly.keyId}`),
			200,
		);
		expect(loaded.key.readOnly).toBe(true);
	});

	it("becomes a full key again when a full key clears readOnly, at once", async () => {
		const f = await fixture();
		expectDescopeError(
			await mgmt(f.readOnly).post("/v1/mgmt/tenant/create", { id: "t9", name: "Nine" }),
			403,
			"E011403",
		);
		expectStatus(
			await mgmt(f.project).patch("/v1/mgmt/managementkey", {
				id: f.readOnly.keyId,
				name: "ro",
				readOnly: false,
			}),
			200,
		);
		expectStatus(await mgmt(f.readOnly).post("/v1/mgmt/tenant/create", { id: "t9", name: "Nine" }), 200);
	});

	it("tells reads from writes by the statement, WITH included", () => {
		for (const read of [
			"SELECT 1",
			"  select * from users",
			"WITH x AS (SELECT 1) SELECT * FROM x",
			"/* c */ SELECT 1",
		])
			expect(isReadStatement(read), read).toBe(true);
		for (const write of [
			"INSERT INTO t VALUES (1)",
			"WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x",
			"with x as (select 1) delete from t",
			"UPDATE users SET name = 'a'",
			"REPLACE INTO t VALUES (1)",
			"PRAGMA foreign_keys = OFF",
			"EXPLAIN DELETE FROM t",
		])
			expect(isReadStatement(write), write).toBe(false);
	});

	it("is issued read-only by the operator API", async () => {
		const p = await newProject();
		const res = await call("POST", `/v1/operator/projects/${p.projectId}/keys`, {
			body: { name: "ro", readOnly: true },
			headers: { authorization: "Bearer test-operator-key" },
		});
		const issued = expectStatus(res, 201);
		const ro = { projectId: p.projectId, managementKey: issued.managementKey };
		expectDescopeError(
			await mgmt(ro).post("/v1/mgmt/tenant/create", { name: "X" }),
			403,
			"E011403",
			READ_ONLY,
		);
		expectStatus(await mgmt(ro).get("/v1/mgmt/tenant/all"), 200);
	});
});
