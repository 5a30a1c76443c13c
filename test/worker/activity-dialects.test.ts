import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	addManagementKey,
	call,
	expectStatus,
	mgmt,
	newProject,
	operatorHeaders,
	type TestProject,
} from "./harness";
import { passkeyClient, SoftAuthenticator } from "./support/authenticator";
import { endUser } from "./support/sessions";
import { createV4, v4 } from "./v4-harness";

// An action taken through each dialect leaves one change row naming the action, the actor, the request
// and the dialect it came through (docs/audit.md); a refused management call leaves a failure without
// its payload.

type Row = Record<string, any>;

/** Where every request of these tests comes from. */
const ORIGIN = { "user-agent": "activity-dialects/1.0", "cf-connecting-ip": "198.51.100.23" };

async function changeRows(projectId: string, where = "1 = 1", ...binds: unknown[]): Promise<Row[]> {
	const { results } = await env.DB.prepare(
		`SELECT * FROM change_log WHERE project_id = ? AND ${where} ORDER BY seq`,
	)
		.bind(projectId, ...binds)
		.all<Row>();
	return results.map((r) => ({
		...r,
		changes: r.changes === null ? null : JSON.parse(r.changes),
		data: r.data === null ? null : JSON.parse(r.data),
	}));
}

/** The one row of `action` in the project (the assertion message lists what the log holds). */
async function onlyRow(projectId: string, action: string): Promise<Row> {
	const all = await changeRows(projectId);
	const rows = all.filter((r) => r.action === action);
	expect(rows, `rows of ${action} among ${JSON.stringify(all.map((r) => r.action))}`).toHaveLength(1);
	return rows[0] as Row;
}

/** A project and a second key with a name of its own, so the actor is unmistakable. */
async function projectWithNamedKey(name = "ci-deployer") {
	const p = await newProject("activity");
	const key = await addManagementKey(p, { name });
	return { p, key, name };
}

function expectRequestStamped(row: Row, dialect: string) {
	const message = JSON.stringify(row);
	expect(row.dialect, message).toBe(dialect);
	expect(row.ip, message).toBe(ORIGIN["cf-connecting-ip"]);
	expect(row.user_agent, message).toBe(ORIGIN["user-agent"]);
	expect(row.request_id, message).toEqual(expect.any(String));
	expect(row.request_id.length, message).toBeGreaterThan(0);
	expect(Math.abs(Number(row.at) - Date.now()), message).toBeLessThan(60_000);
}

const LEGACY = "/api/management/user";

describe("an entry per dialect", () => {
	it("Descope management: user/create is user.created by the key (id and name), dialect descope", async () => {
		const { p, key, name } = await projectWithNamedKey();
		const res = await mgmt(key, ORIGIN).post("/v1/mgmt/user/create", {
			loginId: "ada@example.com",
			email: "ada@example.com",
			name: "Ada",
		});
		const user = expectStatus(res, 200).user;
		const row = await onlyRow(p.projectId, "user.created");
		expect(row, JSON.stringify(row)).toMatchObject({
			result: "success",
			actor_type: "key",
			actor_id: key.keyId,
			actor_name: name,
			target_type: "user",
			target_id: user.userId,
			user_id: user.userId,
			login_id: "ada@example.com",
		});
		expect(row.changes?.email?.after, JSON.stringify(row)).toBe("ada@example.com");
		expectRequestStamped(row, "descope");
	});

	it("REST v4: POST /users is user.created by the key, dialect v4", async () => {
		const { p, key, name } = await projectWithNamedKey("v4-client");
		const user = await createV4(v4(key, ORIGIN), {
			name: "Grace",
			contact_details: { email: "grace@example.com" },
		});
		const row = await onlyRow(p.projectId, "user.created");
		expect(row, JSON.stringify(row)).toMatchObject({
			result: "success",
			actor_type: "key",
			actor_id: key.keyId,
			actor_name: name,
			target_type: "user",
			target_id: user.id,
			user_id: user.id,
		});
		expectRequestStamped(row, "v4");
	});

	it("legacy: POST /api/management/user is user.created by the key, dialect legacy", async () => {
		const { p, key, name } = await projectWithNamedKey("legacy-client");
		const res = await call("POST", LEGACY, {
			body: { email: "old@example.com", name: "Old Client" },
			headers: { authorization: `Apikey ${key.managementKey}`, ...ORIGIN },
		});
		const user = expectStatus(res, 201);
		const row = await onlyRow(p.projectId, "user.created");
		expect(row, JSON.stringify(row)).toMatchObject({
			result: "success",
			actor_type: "key",
			actor_id: key.keyId,
			actor_name: name,
			target_id: user.user_id,
			user_id: user.user_id,
		});
		expectRequestStamped(row, "legacy");
	});

	it("operator: a project settings update is project.updated by the operator, before → after", async () => {
		const p = await newProject("activity");
		const before = expectStatus(
			await call("GET", `/v1/operator/projects/${p.projectId}`, { headers: operatorHeaders }),
			200,
		).project;
		expect(before.sessionTtl).not.toBe(900);
		const res = await call("PATCH", `/v1/operator/projects/${p.projectId}`, {
			body: { sessionTtl: 900 },
			headers: { ...operatorHeaders, ...ORIGIN },
		});
		expectStatus(res, 200);
		const row = await onlyRow(p.projectId, "project.updated");
		expect(row, JSON.stringify(row)).toMatchObject({
			result: "success",
			actor_type: "operator",
			target_type: "project",
			target_id: p.projectId,
		});
		expect(row.changes, JSON.stringify(row)).toMatchObject({
			sessionTtl: { before: before.sessionTtl, after: 900 },
		});
		expectRequestStamped(row, "operator");
	});

	it("end-user auth: password sign-up is auth.signed_up by the user, dialect auth", async () => {
		const p = await newProject("activity");
		const res = await call("POST", "/v1/auth/password/signup", {
			body: { loginId: "eve@example.com", password: "Correct-horse-9", user: { name: "Eve" } },
			headers: { ...endUser(p), ...ORIGIN },
		});
		const body = expectStatus(res, 200);
		const userId = body.user.userId;
		const row = await onlyRow(p.projectId, "auth.signed_up");
		expect(row, JSON.stringify(row)).toMatchObject({
			result: "success",
			actor_type: "user",
			actor_id: userId,
			target_type: "user",
			target_id: userId,
			user_id: userId,
			login_id: "eve@example.com",
		});
		expectRequestStamped(row, "auth");
		expect(JSON.stringify(row)).not.toContain("Correct-horse-9");
	});

	it("end-user auth: the user a sign-up creates is created by that user", async () => {
		const p = await newProject("activity");
		const password = expectStatus(
			await call("POST", "/v1/auth/password/signup", {
				body: { loginId: "pw-signup@example.com", password: "Correct-horse-9" },
				headers: { ...endUser(p), ...ORIGIN },
			}),
			200,
		).user;
		const passkey = expectStatus(
			await passkeyClient(p.projectId).signUp(new SoftAuthenticator(), "pk-signup@example.com"),
			200,
		).user;
		const rows = (await changeRows(p.projectId)).filter((r) => r.action === "user.created");
		expect(
			rows.map((r) => [r.target_id, r.actor_type, r.actor_id, r.dialect]),
			JSON.stringify(rows),
		).toEqual([
			[password.userId, "user", password.userId, "auth"],
			[passkey.userId, "user", passkey.userId, "auth"],
		]);
	});

	it("a failed management call (bad email, 400) is request.failed, a failure without its payload", async () => {
		const { p, key, name } = await projectWithNamedKey();
		const password = "Never-Logged-Passw0rd!";
		const marker = "Payload-Marker-7Q";
		const res = await mgmt(key, ORIGIN).post("/v1/mgmt/user/create", {
			loginId: "bad-email",
			email: "not an email",
			password,
			name: marker,
		});
		expect(res.status, JSON.stringify(res.body)).toBe(400);
		const rows = await changeRows(p.projectId);
		expect(
			rows.filter((r) => r.action === "user.created"),
			"nothing written",
		).toEqual([]);
		const row = await onlyRow(p.projectId, "request.failed");
		expect(row, JSON.stringify(row)).toMatchObject({
			result: "failure",
			actor_type: "key",
			actor_id: key.keyId,
			actor_name: name,
		});
		expectRequestStamped(row, "descope");
		const stored = JSON.stringify(row);
		expect(stored, "no password in the entry").not.toContain(password);
		expect(stored, "no request body in the entry").not.toContain(marker);
		expect(stored, "no management key in the entry").not.toContain(key.managementKey);
	});
});

describe("the same entries through audit.search", () => {
	/** POST /v1/mgmt/audit/search, as `management.audit.search` sends it. */
	const auditSearch = (p: TestProject, body: Record<string, unknown> = {}) =>
		mgmt(p).post("/v1/mgmt/audit/search", body);

	it("finds the Descope, v4 and legacy creates and the sign-up of one project", async () => {
		const { p, key } = await projectWithNamedKey();
		const descope = expectStatus(
			await mgmt(key).post("/v1/mgmt/user/create", { loginId: "d@example.com", email: "d@example.com" }),
			200,
		).user;
		const viaV4 = await createV4(v4(key), { name: "V", contact_details: { email: "v@example.com" } });
		const legacy = expectStatus(
			await call("POST", LEGACY, {
				body: { email: "l@example.com", name: "L" },
				headers: { authorization: `Apikey ${key.managementKey}` },
			}),
			201,
		);
		const signedUp = expectStatus(
			await call("POST", "/v1/auth/password/signup", {
				body: { loginId: "s@example.com", password: "Correct-horse-9" },
				headers: endUser(p),
			}),
			200,
		).user;

		const res = await auditSearch(p, { actions: ["user.created"] });
		const body = expectStatus(res, 200);
		expect(Array.isArray(body.audits), JSON.stringify(body)).toBe(true);
		// A sign-up creates its user too.
		const dialects = Object.fromEntries(body.audits.map((a: Row) => [a.userId, a.dialect]));
		expect(dialects, JSON.stringify(body)).toEqual({
			[descope.userId]: "descope",
			[viaV4.id]: "v4",
			[legacy.user_id]: "legacy",
			[signedUp.userId]: "auth",
		});
		for (const a of body.audits) {
			expect(a, JSON.stringify(a)).toMatchObject({ projectId: p.projectId, action: "user.created" });
			expect(Number(a.occurred), JSON.stringify(a)).toBeGreaterThan(Date.now() - 60_000);
		}

		const byUser = expectStatus(await auditSearch(p, { userIds: [signedUp.userId] }), 200);
		expect(
			byUser.audits.map((a: Row) => a.action),
			JSON.stringify(byUser),
		).toContain("auth.signed_up");
		const byLogin = expectStatus(await auditSearch(p, { externalIds: ["d@example.com"] }), 200);
		expect(
			byLogin.audits.every((a: Row) => a.userId === descope.userId),
			JSON.stringify(byLogin),
		).toBe(true);
		expect(byLogin.audits.length, JSON.stringify(byLogin)).toBeGreaterThan(0);
	});

	it("shows a refused call as a failure", async () => {
		const { p, key } = await projectWithNamedKey();
		expect((await mgmt(key).post("/v1/mgmt/user/create", { loginId: "x", email: "nope" })).status).toBe(400);
		const body = expectStatus(await auditSearch(p, { actions: ["request.failed"] }), 200);
		expect(body.audits, JSON.stringify(body)).toHaveLength(1);
		expect(body.audits[0], JSON.stringify(body)).toMatchObject({
			action: "request.failed",
			projectId: p.projectId,
		});
	});
});
