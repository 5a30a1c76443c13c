// Every write to a project-level object (tenants, roles, permissions, SSO applications, attribute
// definitions, management keys, projects) commits its change row in the same batch (docs/audit.md):
// the action, the target, the actor, before → after of the fields touched, the request and its
// dialect. A refused write leaves none, and no key cleartext or hash ever enters the log.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import {
	addManagementKey,
	call,
	expectStatus,
	mgmt,
	newProject,
	operatorHeaders,
	sha256Hex,
	type TestProject,
} from "./harness";

type Row = Record<string, any>;

const ORIGIN = { "user-agent": "activity-objects/1.0", "cf-connecting-ip": "203.0.113.9" };

// `any[]`: a destructured row is asserted present by the count rowsOf checks.
async function changeRows(projectId: string): Promise<any[]> {
	const { results } = await env.DB.prepare("SELECT * FROM change_log WHERE project_id = ? ORDER BY seq")
		.bind(projectId)
		.all<Row>();
	return results.map((r) => ({
		...r,
		changes: r.changes === null ? null : JSON.parse(r.changes),
		data: r.data === null ? null : JSON.parse(r.data),
	}));
}

/** The rows of `action` (the assertion message lists what the log holds). */
async function rowsOf(projectId: string, action: string, count = 1): Promise<any[]> {
	const all = await changeRows(projectId);
	const rows = all.filter((r) => r.action === action);
	expect(rows, `${action} among ${JSON.stringify(all.map((r) => r.action))}`).toHaveLength(count);
	return rows;
}

/** A project and a second key with a name of its own, which makes every call below. */
async function setup() {
	const p = await newProject("activity-objects");
	const key = await addManagementKey(p, { name: "ops-bot" });
	return { p, key, api: mgmt(key, ORIGIN) };
}

/** Stamped by the key that made the call, through the Descope dialect, from ORIGIN. */
function expectByKey(row: Row, key: TestProject & { keyId: string }) {
	expect(row, JSON.stringify(row)).toMatchObject({
		result: "success",
		actor_type: "key",
		actor_id: key.keyId,
		actor_name: "ops-bot",
		dialect: "descope",
		ip: ORIGIN["cf-connecting-ip"],
		user_agent: ORIGIN["user-agent"],
		request_id: expect.stringMatching(/.+/),
	});
}

it("tenant create, update, settings and default roles: before → after of what changed", async () => {
	const { p, key, api } = await setup();
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "acme", name: "Acme" }), 200);
	const [created] = await rowsOf(p.projectId, "tenant.created");
	expectByKey(created, key);
	expect(created).toMatchObject({ target_type: "tenant", target_id: "acme", tenant_id: "acme" });
	expect(created.changes).toMatchObject({
		name: { after: "Acme" },
		selfProvisioningDomains: { after: [] },
		disabled: { after: false },
	});
	expect(created.changes.name).not.toHaveProperty("before");

	expectStatus(
		await api.post("/v1/mgmt/tenant/update", {
			id: "acme",
			name: "Acme Inc",
			selfProvisioningDomains: ["acme.com"],
		}),
		200,
	);
	expectStatus(await api.post("/v1/mgmt/tenant/settings", { tenantId: "acme", enabled: true }), 200);
	expectStatus(await api.post("/v1/mgmt/role/create", { name: "member" }), 200);
	expectStatus(
		await api.post("/v1/mgmt/tenant/updateDefaultRoles", { id: "acme", defaultRoles: ["member"] }),
		200,
	);
	const [update, settings, defaults] = await rowsOf(p.projectId, "tenant.updated", 3);
	for (const row of [update, settings, defaults]) {
		expectByKey(row, key);
		expect(row).toMatchObject({ target_type: "tenant", target_id: "acme", tenant_id: "acme" });
	}
	// Only the fields that changed.
	expect(update.changes).toEqual({
		name: { before: "Acme", after: "Acme Inc" },
		selfProvisioningDomains: { before: [], after: ["acme.com"] },
	});
	expect(settings.changes).toEqual({ settings: { before: {}, after: { enabled: true } } });
	expect(defaults.changes).toEqual({ defaultRoles: { before: [], after: ["member"] } });
});

it("tenant delete with cascade: the tenant's entry, and one row per member and per tenant role it took", async () => {
	const { p, key, api } = await setup();
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "t1", name: "One" }), 200);
	expectStatus(await api.post("/v1/mgmt/role/create", { name: "t-admin", tenantId: "t1" }), 200);
	const user = expectStatus(
		await api.post("/v1/mgmt/user/create", {
			loginId: "ann@example.com",
			userTenants: [{ tenantId: "t1", roleNames: ["t-admin"] }],
		}),
		200,
	).user;
	const role = expectStatus(await api.get("/v1/mgmt/role/all"), 200).roles[0];
	expectStatus(await api.post("/v1/mgmt/tenant/delete", { id: "t1", cascade: true }), 200);

	const [deleted] = await rowsOf(p.projectId, "tenant.deleted");
	expectByKey(deleted, key);
	expect(deleted).toMatchObject({ target_type: "tenant", target_id: "t1", tenant_id: "t1" });
	expect(deleted.changes).toMatchObject({ name: { before: "One" } });
	expect(deleted.changes.name).not.toHaveProperty("after");
	expect(deleted.data).toEqual({ cascade: true, members: 1, roles: 1, detachedSuccessors: [] });

	const [removed] = await rowsOf(p.projectId, "user.tenants.removed");
	expectByKey(removed, key);
	expect(removed).toMatchObject({
		target_type: "user",
		target_id: user.userId,
		user_id: user.userId,
		login_id: "ann@example.com",
		tenant_id: "t1",
	});
	const [roleGone] = await rowsOf(p.projectId, "role.deleted");
	expect(roleGone).toMatchObject({ target_type: "role", target_id: role.id, tenant_id: "t1" });
});

it("roles: create, update (rename), delete with the holders it had", async () => {
	const { p, key, api } = await setup();
	expectStatus(await api.post("/v1/mgmt/permission/create", { name: "read" }), 200);
	expectStatus(
		await api.post("/v1/mgmt/role/create", {
			name: "viewer",
			description: "Sees",
			permissionNames: ["read"],
		}),
		200,
	);
	const [row] = await rowsOf(p.projectId, "role.created");
	expectByKey(row, key);
	const roleId = row.target_id;
	expect(row).toMatchObject({ target_type: "role", tenant_id: null });
	expect(row.changes).toMatchObject({
		name: { after: "viewer" },
		description: { after: "Sees" },
		permissionNames: { after: ["read"] },
	});

	expectStatus(
		await api.post("/v1/mgmt/role/update", { name: "viewer", newName: "watcher", permissionNames: ["read"] }),
		200,
	);
	const [updated] = await rowsOf(p.projectId, "role.updated");
	expectByKey(updated, key);
	expect(updated).toMatchObject({ target_id: roleId });
	// The description was not sent: an overwrite clears it, and the row says so.
	expect(updated.changes).toEqual({
		name: { before: "viewer", after: "watcher" },
		description: { before: "Sees", after: "" },
	});

	expectStatus(await api.post("/v1/mgmt/user/create", { loginId: "bob", roleNames: ["watcher"] }), 200);
	expectStatus(await api.post("/v1/mgmt/role/delete", { name: "watcher" }), 200);
	const [deleted] = await rowsOf(p.projectId, "role.deleted");
	expectByKey(deleted, key);
	expect(deleted).toMatchObject({ target_id: roleId, data: { holders: 1 } });
	expect(deleted.changes).toMatchObject({
		name: { before: "watcher" },
		permissionNames: { before: ["read"] },
	});
});

it("roles and permissions in batches: one row per object", async () => {
	const { p, api } = await setup();
	expectStatus(
		await api.post("/v1/mgmt/permission/create/batch", { permissions: [{ name: "a" }, { name: "b" }] }),
		200,
	);
	expectStatus(
		await api.post("/v1/mgmt/role/create/batch", { roles: [{ name: "r1" }, { name: "r2" }] }),
		200,
	);
	expectStatus(await api.post("/v1/mgmt/role/delete/batch", { roleNames: ["r1", "r2"] }), 200);
	expect((await rowsOf(p.projectId, "permission.created", 2)).map((r) => r.changes.name.after)).toEqual([
		"a",
		"b",
	]);
	expect((await rowsOf(p.projectId, "role.created", 2)).map((r) => r.changes.name.after)).toEqual([
		"r1",
		"r2",
	]);
	expect((await rowsOf(p.projectId, "role.deleted", 2)).map((r) => r.changes.name.before).sort()).toEqual([
		"r1",
		"r2",
	]);
});

it("permissions: create, rename, delete with the roles that granted it", async () => {
	const { p, key, api } = await setup();
	expectStatus(await api.post("/v1/mgmt/permission/create", { name: "read", description: "Reads" }), 200);
	expectStatus(await api.post("/v1/mgmt/role/create", { name: "viewer", permissionNames: ["read"] }), 200);
	expectStatus(
		await api.post("/v1/mgmt/permission/update", { name: "read", newName: "see", description: "Reads" }),
		200,
	);
	expectStatus(await api.post("/v1/mgmt/permission/delete", { name: "see" }), 200);
	const [created] = await rowsOf(p.projectId, "permission.created");
	const [updated] = await rowsOf(p.projectId, "permission.updated");
	const [deleted] = await rowsOf(p.projectId, "permission.deleted");
	for (const row of [created, updated, deleted]) {
		expectByKey(row, key);
		expect(row).toMatchObject({ target_type: "permission", target_id: created.target_id });
	}
	expect(created.changes).toEqual({ name: { after: "read" }, description: { after: "Reads" } });
	expect(updated.changes).toEqual({ name: { before: "read", after: "see" } });
	expect(deleted.changes).toEqual({ name: { before: "see" }, description: { before: "Reads" } });
	expect(deleted.data).toEqual({ roles: ["viewer"] });
});

it("SSO applications: create, update, delete", async () => {
	const { p, key, api } = await setup();
	const app = { id: "wiki", name: "Wiki", loginPageUrl: "https://wiki.example.com/login" };
	expectStatus(await api.post("/v1/mgmt/sso/idp/app/oidc/create", app), 200);
	expectStatus(
		await api.post("/v1/mgmt/sso/idp/app/oidc/update", { ...app, name: "Team Wiki", enabled: false }),
		200,
	);
	expectStatus(await api.post("/v1/mgmt/sso/idp/app/delete", { id: "wiki" }), 200);
	const [created] = await rowsOf(p.projectId, "sso_app.created");
	const [updated] = await rowsOf(p.projectId, "sso_app.updated");
	const [deleted] = await rowsOf(p.projectId, "sso_app.deleted");
	for (const row of [created, updated, deleted]) {
		expectByKey(row, key);
		expect(row).toMatchObject({ target_type: "sso_app", target_id: "wiki" });
	}
	expect(created.changes).toMatchObject({
		name: { after: "Wiki" },
		enabled: { after: true },
		settings: { after: { loginPageUrl: app.loginPageUrl, forceAuthentication: false } },
	});
	expect(updated.changes).toEqual({
		name: { before: "Wiki", after: "Team Wiki" },
		enabled: { before: true, after: false },
	});
	expect(deleted.changes).toMatchObject({ name: { before: "Team Wiki" } });
	expect(deleted.data).toEqual({ holders: 0 });
});

it("custom attribute definitions: created, redefined, deleted with the users that held a value", async () => {
	const { p, key, api } = await setup();
	const path = "/v1/mgmt/user/customattribute";
	expectStatus(await api.post(`${path}/create`, { attributes: [{ name: "plan", type: 1 }] }), 200);
	expectStatus(
		await api.post(`${path}/create`, { attributes: [{ name: "plan", type: 1, displayName: "Plan" }] }),
		200,
	);
	expectStatus(
		await api.post("/v1/mgmt/user/create", { loginId: "cy", customAttributes: { plan: "gold" } }),
		200,
	);
	expectStatus(await api.post(`${path}/delete`, { names: ["plan"] }), 200);
	const [created, redefined] = await rowsOf(p.projectId, "attribute.created", 2);
	const [deleted] = await rowsOf(p.projectId, "attribute.deleted");
	for (const row of [created, redefined, deleted]) {
		expectByKey(row, key);
		expect(row).toMatchObject({ target_type: "attribute", target_id: "plan" });
	}
	expect(created.changes).toMatchObject({
		name: { after: "plan" },
		displayName: { after: "plan" },
		type: { after: 1 },
	});
	expect(redefined.changes).toEqual({ displayName: { before: "plan", after: "Plan" } });
	expect(redefined.data).toEqual({ redefined: true });
	expect(deleted.changes).toMatchObject({ displayName: { before: "Plan" } });
	expect(deleted.data).toEqual({ holders: 1 });
});

it("management keys: create, update, delete; never their cleartext or hash", async () => {
	const { p, key, api } = await setup();
	const made = expectStatus(
		await api.put("/v1/mgmt/managementkey", { name: "ci", description: "CI", permittedIps: ["10.0.0.0/8"] }),
		200,
	);
	const id = made.key.id;
	expectStatus(
		await api.patch("/v1/mgmt/managementkey", {
			id,
			name: "ci",
			description: "CI",
			status: "inactive",
			readOnly: true,
		}),
		200,
	);
	expectStatus(await api.post("/v1/mgmt/managementkey/delete", { ids: [id] }), 200);
	const [created] = (await changeRows(p.projectId)).filter(
		(r) => r.action === "key.created" && r.target_id === id,
	);
	const [updated] = await rowsOf(p.projectId, "key.updated");
	const [deleted] = await rowsOf(p.projectId, "key.deleted");
	for (const row of [created, updated, deleted]) {
		expectByKey(row, key);
		expect(row).toMatchObject({ target_type: "key", target_id: id });
	}
	expect(created?.changes).toEqual({
		name: { after: "ci" },
		description: { after: "CI" },
		status: { after: "active" },
		expiresAt: { after: null },
		permittedIps: { after: ["10.0.0.0/8"] },
		readOnly: { after: false },
		tenantIds: { after: [] },
	});
	expect(updated.changes).toEqual({
		status: { before: "active", after: "inactive" },
		readOnly: { before: false, after: true },
	});
	expect(deleted.changes).toMatchObject({ name: { before: "ci" }, status: { before: "inactive" } });

	const log = JSON.stringify(await changeRows(p.projectId));
	for (const secret of [
		made.cleartext,
		await sha256Hex(made.cleartext),
		key.managementKey,
		p.managementKey,
	]) {
		expect(log).not.toContain(secret);
		expect(log).not.toContain(await sha256Hex(secret));
	}
	expect(log).not.toMatch(/rk_[A-Za-z0-9_-]{20,}/);
});

it("operator: project created (with its first key), settings, signing-key rotation, issued key", async () => {
	const res = await call("POST", "/v1/operator/projects", {
		body: { name: "audited" },
		headers: { ...operatorHeaders, ...ORIGIN },
	});
	const { projectId, managementKey } = expectStatus(res, 201);
	const path = `/v1/operator/projects/${projectId}`;
	const headers = { ...operatorHeaders, ...ORIGIN };
	expectStatus(
		await call("PATCH", path, {
			body: {
				sessionTtl: 900,
				rateLimitTier: "high",
				activityRetentionDays: 30,
				passwordPolicy: {
					minLength: 12,
					lowercase: true,
					uppercase: false,
					number: false,
					nonAlphanumeric: false,
				},
			},
			headers,
		}),
		200,
	);
	const rotated = expectStatus(
		await call("POST", `${path}/signing-keys/rotate`, { body: { activateAfterSeconds: 60 }, headers }),
		200,
	);
	const issued = expectStatus(
		await call("POST", `${path}/keys`, { body: { name: "recovery" }, headers }),
		201,
	);

	const operator = { result: "success", actor_type: "operator", actor_id: null, dialect: "operator" };
	const [created] = await rowsOf(projectId, "project.created");
	expect(created).toMatchObject({ ...operator, target_type: "project", target_id: projectId });
	expect(created.changes).toEqual({ name: { after: "audited" } });
	const keys = await rowsOf(projectId, "key.created", 2);
	expect(keys[0]).toMatchObject({ ...operator, target_type: "key" });
	expect(keys[0].changes.name).toEqual({ after: "initial" });
	expect(keys[1]).toMatchObject({ ...operator, target_id: issued.keyId });

	const [updated] = await rowsOf(projectId, "project.updated");
	expect(updated).toMatchObject({ ...operator, target_id: projectId, ip: ORIGIN["cf-connecting-ip"] });
	expect(updated.changes).toEqual({
		sessionTtl: { before: 600, after: 900 },
		rateLimitTier: { before: "standard", after: "high" },
		activityRetentionDays: { before: 90, after: 30 },
		policy: {
			before: { minLength: 8, lowercase: false, uppercase: false, number: false, nonAlphanumeric: false },
			after: { minLength: 12, lowercase: true, uppercase: false, number: false, nonAlphanumeric: false },
		},
	});
	const [rotation] = await rowsOf(projectId, "project.signing_key.rotated");
	expect(rotation).toMatchObject({ ...operator, target_id: projectId });
	expect(rotation.data).toEqual({ kid: rotated.kid, activateAt: expect.any(Number) });
	expect(Math.floor(rotation.data.activateAt / 1000)).toBe(rotated.activateTime);

	const log = JSON.stringify(await changeRows(projectId));
	for (const secret of [managementKey, issued.managementKey]) {
		expect(log).not.toContain(secret);
		expect(log).not.toContain(await sha256Hex(secret));
	}
	expect(log).not.toMatch(/private|"d":/);
});

it("a settings change that changes nothing writes no row", async () => {
	const p = await newProject("activity-objects");
	const path = `/v1/operator/projects/${p.projectId}`;
	expectStatus(await call("PATCH", path, { body: { sessionTtl: 600 }, headers: operatorHeaders }), 200);
	expectStatus(await call("PATCH", path, { body: {}, headers: operatorHeaders }), 200);
	await rowsOf(p.projectId, "project.updated", 0);
});

it("deleting a project deletes its change rows", async () => {
	const { p, api } = await setup();
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "t", name: "T" }), 200);
	expect((await changeRows(p.projectId)).length).toBeGreaterThan(0);
	expectStatus(
		await call("DELETE", `/v1/operator/projects/${p.projectId}`, { headers: operatorHeaders }),
		200,
	);
	expect(await changeRows(p.projectId)).toEqual([]);
});

it("a refused write (duplicate name or id) leaves no change row of its action", async () => {
	const { p, api } = await setup();
	const app = { id: "wiki", name: "Wiki", loginPageUrl: "https://wiki.example.com/login" };
	const writes: [string, unknown, string][] = [
		["/v1/mgmt/tenant/create", { name: "Acme" }, "tenant.created"],
		["/v1/mgmt/permission/create", { name: "read" }, "permission.created"],
		["/v1/mgmt/role/create", { name: "viewer" }, "role.created"],
		["/v1/mgmt/sso/idp/app/oidc/create", app, "sso_app.created"],
	];
	for (const [path, body] of writes) expectStatus(await api.post(path, body), 200);
	const before = await changeRows(p.projectId);
	// The same names again; the tenant one case-folded, caught by the database's unique index.
	for (const [path, body] of [
		["/v1/mgmt/tenant/create", { name: "ACME" }],
		["/v1/mgmt/permission/create", { name: "read" }],
		["/v1/mgmt/role/create", { name: "viewer" }],
		["/v1/mgmt/sso/idp/app/oidc/create", { ...app, name: "Other" }],
	] as const) {
		const res = await api.post(path, body);
		expect(res.status, JSON.stringify(res.body)).toBe(409);
	}
	const after = await changeRows(p.projectId);
	for (const [, , action] of writes) await rowsOf(p.projectId, action, 1);
	// What the refusals added is their failure record only (docs/audit.md), nothing of what they tried.
	const added = after.slice(before.length);
	expect(
		added.every((r) => r.action === "request.failed" && r.result === "failure"),
		JSON.stringify(added),
	).toBe(true);
	expect(await api.get("/v1/mgmt/tenant/all").then((r) => r.body.tenants)).toHaveLength(1);
});
