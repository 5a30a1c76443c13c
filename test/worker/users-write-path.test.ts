// One user write path (issue 9): the same input through Descope and REST v4 stores the same row or
// is refused the same way; a failed write leaves neither data nor change rows; every user write
// leaves its change row (docs/audit.md).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser, expectStatus, type Mgmt, mgmt, newProject, type TestProject } from "./harness";
import { createV4, patchDoc, userDoc, V4, v4 } from "./v4-harness";

interface Row {
	name: string | null;
	email: string | null;
	phone: string | null;
}

const userRow = (projectId: string, id: string) =>
	env.DB.prepare("SELECT name, email, phone FROM users WHERE project_id = ? AND id = ?")
		.bind(projectId, id)
		.first<Row>();

const changeRows = (projectId: string) =>
	env.DB.prepare(
		"SELECT action, result, actor_type, actor_id, target_type, target_id, user_id, login_id, tenant_id, changes FROM change_log WHERE project_id = ? ORDER BY seq",
	)
		.bind(projectId)
		.all<Record<string, any>>()
		.then((r) =>
			r.results.map(
				(row): Record<string, any> => ({ ...row, changes: row.changes ? JSON.parse(row.changes) : null }),
			),
		)
		// A refused call is recorded as such (request.failed); these tests look at what was written.
		.then((rows) => rows.filter((row) => row.action !== "request.failed"));

const countRows = async (projectId: string, table: string) =>
	(
		await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE project_id = ?`)
			.bind(projectId)
			.first<{ n: number }>()
	)?.n ?? 0;

type Outcome = { ok: true; row: Row } | { ok: false; field: string };

/** Creates (and then patches) one user through Descope; the stored row or the field refused. */
async function throughDescope(p: TestProject, create: Partial<Row>, patch?: Partial<Row>): Promise<Outcome> {
	const api = mgmt(p);
	const created = await api.post("/v1/mgmt/user/create", {
		loginId: "same@example.com",
		email: "same@example.com",
		...create,
	});
	if (created.status !== 200) return refused(created, "descope");
	const id = created.body.user.userId as string;
	if (patch) {
		// Descope clears a field with "".
		const wire = Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, v === null ? "" : v]));
		const res = await api.patch("/v1/mgmt/user/patch", { loginId: "same@example.com", ...wire });
		if (res.status !== 200) return refused(res, "descope");
	}
	return { ok: true, row: (await userRow(p.projectId, id)) as Row };
}

const v4Attributes = (f: Partial<Row>) => ({
	...(f.name !== undefined ? { name: f.name } : {}),
	...(f.email !== undefined || f.phone !== undefined
		? {
				contact_details: {
					...(f.email !== undefined ? { email: f.email } : {}),
					...(f.phone !== undefined ? { telephone_number_E123: f.phone } : {}),
				},
			}
		: {}),
});

/** The same through REST v4 (null clears). */
async function throughV4(p: TestProject, create: Partial<Row>, patch?: Partial<Row>): Promise<Outcome> {
	const api = v4(p);
	const created = await api.post(
		`${V4}/users`,
		userDoc(v4Attributes({ email: "same@example.com", ...create })),
	);
	if (created.status !== 201) return refused(created, "v4");
	const id = created.body.data.id as string;
	if (patch) {
		const res = await api.patch(`${V4}/users/${id}`, patchDoc(id, v4Attributes(patch)));
		if (res.status !== 200) return refused(res, "v4");
	}
	return { ok: true, row: (await userRow(p.projectId, id)) as Row };
}

/** The field a 400 names, in the dialect's own terms, mapped back to the domain field. */
function refused(res: { status: number; body: any }, dialect: "descope" | "v4"): Outcome {
	expect(res.status, JSON.stringify(res.body)).toBe(400);
	if (dialect === "v4") {
		const pointer = String(res.body.errors?.[0]?.source?.pointer ?? "");
		const field = pointer.endsWith("telephone_number_E123") ? "phone" : (pointer.split("/").at(-1) ?? "");
		return { ok: false, field };
	}
	const text = `${res.body.errorDescription} ${res.body.errorMessage}`;
	const field = ["phone", "name", "email"].find((f) => text.toLowerCase().includes(f)) ?? text;
	return { ok: false, field };
}

const cases: { title: string; create: Partial<Row>; patch?: Partial<Row>; expected: Outcome }[] = [
	{
		title: "a valid phone in E.164",
		create: { phone: "+14155550100" },
		expected: { ok: true, row: { name: null, email: "same@example.com", phone: "+14155550100" } },
	},
	{
		title: "a valid phone with spaces",
		create: { phone: "+33 1 23 45 67 89" },
		expected: { ok: true, row: { name: null, email: "same@example.com", phone: "+33123456789" } },
	},
	{
		title: "+10123456789 (no NANP area code)",
		create: { phone: "+10123456789" },
		expected: { ok: false, field: "phone" },
	},
	{
		title: "a phone without a country code",
		create: { phone: "4155550100" },
		expected: { ok: false, field: "phone" },
	},
	{
		title: "an unassigned country code",
		create: { phone: "+8091234567" },
		expected: { ok: false, field: "phone" },
	},
	{
		title: "a 256-character name",
		create: { name: "n".repeat(256) },
		expected: { ok: true, row: { name: "n".repeat(256), email: "same@example.com", phone: null } },
	},
	{
		title: "a 257-character name",
		create: { name: "n".repeat(257) },
		expected: { ok: false, field: "name" },
	},
	{
		title: "clearing the name and the phone",
		create: { name: "Someone", phone: "+14155550100" },
		patch: { name: null, phone: null },
		expected: { ok: true, row: { name: null, email: "same@example.com", phone: null } },
	},
	{
		title: "a name of only spaces clears it",
		create: { name: "Someone" },
		patch: { name: "   " },
		expected: { ok: true, row: { name: null, email: "same@example.com", phone: null } },
	},
	{
		title: "an invalid phone in a patch",
		create: { name: "Someone" },
		patch: { phone: "+10123456789" },
		expected: { ok: false, field: "phone" },
	},
];

describe("the same user through Descope and v4", () => {
	it.each(cases)("$title", async ({ create, patch, expected }) => {
		const a = await newProject();
		const b = await newProject();
		const descope = await throughDescope(a, create, patch);
		const rest = await throughV4(b, create, patch);
		expect(descope, "Descope").toEqual(expected);
		expect(rest, "v4").toEqual(expected);
		if (!expected.ok) {
			// A refusal writes nothing at all (the patch cases leave only the created user).
			const users = patch ? 1 : 0;
			expect(await countRows(a.projectId, "users")).toBe(users);
			expect(await countRows(b.projectId, "users")).toBe(users);
		}
	});
});

/** The user's status, registration time and the status rows written, by user id. */
async function statusOf(projectId: string, id: string) {
	const row = await env.DB.prepare(
		"SELECT status, registration_time FROM users WHERE project_id = ? AND id = ?",
	)
		.bind(projectId, id)
		.first<{ status: string; registration_time: number | null }>();
	const actions = (await changeRows(projectId))
		.filter((r) => r.target_id === id && /^user\.(registered|unregistered|enabled|disabled)$/.test(r.action))
		.map((r) => r.action);
	return { status: row?.status, registered: row?.registration_time !== null, actions };
}

describe("one patch command: status, registration and refusals", () => {
	it("registering and unregistering store the same and write the same rows through Descope and v4", async () => {
		const a = await newProject();
		const b = await newProject();
		const descope = mgmt(a);
		const viaDescope = expectStatus(
			await descope.post("/v1/mgmt/user/create", {
				loginId: "reg@example.com",
				email: "reg@example.com",
				status: "invited",
			}),
			200,
		).user.userId as string;
		const rest = v4(b);
		const viaV4 = (await createV4(rest, { contact_details: { email: "reg@example.com" } })).id;
		expect(await statusOf(a.projectId, viaDescope)).toMatchObject({ status: "invited", registered: false });
		expect(await statusOf(b.projectId, viaV4)).toMatchObject({ status: "invited", registered: false });

		expectStatus(
			await descope.patch("/v1/mgmt/user/patch", { loginId: "reg@example.com", status: "enabled" }),
			200,
		);
		expectStatus(
			await rest.patch(
				`${V4}/users/${viaV4}`,
				patchDoc(viaV4, { registration_information: { registration_state: "REGISTERED" } }),
			),
			200,
		);
		const registered = { status: "enabled", registered: true, actions: ["user.registered"] };
		expect(await statusOf(a.projectId, viaDescope)).toEqual(registered);
		expect(await statusOf(b.projectId, viaV4)).toEqual(registered);

		expectStatus(
			await descope.patch("/v1/mgmt/user/patch", { loginId: "reg@example.com", status: "invited" }),
			200,
		);
		expectStatus(
			await rest.patch(
				`${V4}/users/${viaV4}`,
				patchDoc(viaV4, { registration_information: { registration_state: "UNREGISTERED" } }),
			),
			200,
		);
		const unregistered = {
			status: "invited",
			registered: false,
			actions: ["user.registered", "user.unregistered"],
		};
		expect(await statusOf(a.projectId, viaDescope)).toEqual(unregistered);
		expect(await statusOf(b.projectId, viaV4)).toEqual(unregistered);
		// Unregistering ends the sessions in both: one session.revoked row each, caused by it.
		for (const [project, id] of [
			[a.projectId, viaDescope],
			[b.projectId, viaV4],
		] as const) {
			const revoked = (await changeRows(project)).filter(
				(r) => r.action === "session.revoked" && r.target_id === id,
			);
			expect(revoked, project).toHaveLength(1);
		}
	});

	it("every refused field is named at once, in each dialect's terms", async () => {
		const a = await newProject();
		const b = await newProject();
		const descope = mgmt(a);
		await createUser(descope, { loginId: "many@example.com", email: "many@example.com" });
		const res = await descope.patch("/v1/mgmt/user/patch", {
			loginId: "many@example.com",
			phone: "abc",
			givenName: "g".repeat(300),
		});
		expect(res.status, JSON.stringify(res.body)).toBe(400);
		expect(res.body.errorMessage).toMatch(/givenName: .*; phone: |phone: .*; givenName: /);
		const rest = v4(b);
		const user = await createV4(rest, { contact_details: { email: "many@example.com" } });
		const refused = await rest.patch(
			`${V4}/users/${user.id}`,
			patchDoc(user.id, {
				contact_details: { telephone_number_E123: "+10123456789" },
				user_flags: ["no-such-flag"],
			}),
		);
		expect(refused.status, JSON.stringify(refused.body)).toBe(400);
		const pointers = refused.body.errors.map((e: any) => e.source?.pointer).sort();
		expect(pointers).toEqual([
			"/data/attributes/contact_details/telephone_number_E123",
			"/data/attributes/user_flags/0",
		]);
		expect(await countRows(b.projectId, "users")).toBe(1);
	});

	it("a new email is unverified through Descope too, unless the patch says otherwise", async () => {
		const p = await newProject();
		const api = mgmt(p);
		await createUser(api, { loginId: "verif", email: "old@example.com", verifiedEmail: true });
		const moved = expectStatus(
			await api.patch("/v1/mgmt/user/patch", { loginId: "verif", email: "new@example.com" }),
			200,
		);
		expect(moved.user).toMatchObject({ email: "new@example.com", verifiedEmail: false, loginIds: ["verif"] });
		const kept = expectStatus(
			await api.patch("/v1/mgmt/user/patch", {
				loginId: "verif",
				email: "newer@example.com",
				verifiedEmail: true,
			}),
			200,
		);
		expect(kept.user).toMatchObject({ email: "newer@example.com", verifiedEmail: true });
	});
});

describe("a failed write", () => {
	it("concurrent creates of one login id: one user, one change row", async () => {
		const p = await newProject();
		const api = mgmt(p);
		const results = await Promise.all(
			Array.from({ length: 5 }, (_, i) =>
				api.post("/v1/mgmt/user/create", { loginId: "raced@example.com", name: `n${i}` }),
			),
		);
		expect(results.filter((r) => r.status === 200).length, JSON.stringify(results.map((r) => r.body))).toBe(
			1,
		);
		expect(await countRows(p.projectId, "users")).toBe(1);
		const rows = await changeRows(p.projectId);
		expect(rows.filter((r) => r.action === "user.created")).toHaveLength(1);
	});

	it("concurrent v4 creates of one email: the losers roll back with their change rows", async () => {
		const p = await newProject();
		const api = v4(p);
		const results = await Promise.all(
			Array.from({ length: 5 }, () =>
				api.post(`${V4}/users`, userDoc({ contact_details: { email: "raced@example.com" } })),
			),
		);
		expect(results.filter((r) => r.status === 201).length, results.map((r) => r.text).join("\n")).toBe(1);
		expect(await countRows(p.projectId, "users")).toBe(1);
		expect((await changeRows(p.projectId)).filter((r) => r.action === "user.created")).toHaveLength(1);
	});

	it("a v4 create whose email another user holds writes no row and no change row", async () => {
		const p = await newProject();
		const api = v4(p);
		expectStatus(
			await api.post(`${V4}/users`, userDoc({ contact_details: { email: "one@example.com" } })),
			201,
		);
		const before = await changeRows(p.projectId);
		const res = await api.post(`${V4}/users`, userDoc({ contact_details: { email: "ONE@example.com" } }));
		expect(res.status, res.text).toBe(409);
		expect(await countRows(p.projectId, "users")).toBe(1);
		expect(await changeRows(p.projectId)).toEqual(before);
	});

	it("a v4 PATCH losing an If-Match race writes no change row", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = expectStatus(
			await api.post(`${V4}/users`, userDoc({ contact_details: { email: "race@example.com" } })),
			201,
		).data;
		const before = await changeRows(p.projectId);
		const res = await api.patch(`${V4}/users/${user.id}`, patchDoc(user.id, { name: "Late" }), {
			"if-match": 'W/"7"',
		});
		expect(res.status, res.text).toBe(412);
		expect(await changeRows(p.projectId)).toEqual(before);
	});
});

async function setup() {
	const p = await newProject();
	const api = mgmt(p);
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "t1", name: "T1" }), 200);
	expectStatus(await api.post("/v1/mgmt/role/create", { name: "admin" }), 200);
	expectStatus(await api.post("/v1/mgmt/role/create", { name: "lead", tenantId: "t1" }), 200);
	expectStatus(
		await api.post("/v1/mgmt/sso/idp/app/oidc/create", {
			id: "app1",
			name: "app1",
			loginPageUrl: "https://example.com/login",
		}),
		200,
	);
	return { p, api };
}

/** The change rows written by `run`, after what was there. */
async function rowsOf(p: TestProject, run: () => Promise<unknown>) {
	const before = (await changeRows(p.projectId)).length;
	await run();
	return (await changeRows(p.projectId)).slice(before);
}

const ok = async (api: Mgmt, path: string, body: unknown) => expectStatus(await api.post(path, body), 200);

describe("change rows of user writes", () => {
	it("create, invite, batch and import: one row per user, never the password", async () => {
		const { p, api } = await setup();
		const created = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/create", { loginId: "c@example.com", name: "C", password: "Secret-Pass-123!" }),
		);
		expect(created).toMatchObject([
			{
				action: "user.created",
				result: "success",
				actor_type: "key",
				target_type: "user",
				login_id: "c@example.com",
				changes: { name: { after: "C" }, loginIds: { after: ["c@example.com"] } },
			},
		]);
		expect(JSON.stringify(created)).not.toContain("Secret-Pass");
		const invited = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/create", { loginId: "i@example.com", invite: true }),
		);
		expect(invited.map((r) => r.action)).toEqual(["user.invited"]);
		const batch = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/create/batch", {
				users: [{ loginId: "b1@example.com" }, { loginId: "b2@example.com" }, { loginId: "c@example.com" }],
			}),
		);
		expect(batch.map((r) => [r.action, r.login_id])).toEqual([
			["user.created", "b1@example.com"],
			["user.created", "b2@example.com"],
		]);
		const imported = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/import", {
				users: [{ loginId: "im@example.com", password: "Another-Pass-456!" }],
			}),
		);
		expect(imported.map((r) => r.action)).toEqual(["user.imported"]);
		expect(JSON.stringify(imported)).not.toContain("Another-Pass");
	});

	it("patch and update: before → after of the fields touched", async () => {
		const { p, api } = await setup();
		const user = await createUser(api, { loginId: "u@example.com", name: "Old", phone: "+14155550100" });
		const patched = await rowsOf(p, () =>
			api.patch("/v1/mgmt/user/patch", { loginId: "u@example.com", name: "New" }),
		);
		expect(patched).toMatchObject([
			{
				action: "user.updated",
				target_id: user.userId,
				user_id: user.userId,
				changes: { name: { before: "Old", after: "New" } },
			},
		]);
		expect(Object.keys(patched[0]?.changes ?? {})).toEqual(["name"]);
		const updated = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/update", { loginId: "u@example.com", name: "New", email: "u@example.com" }),
		);
		expect(updated).toMatchObject([
			{
				action: "user.updated",
				changes: {
					email: { before: null, after: "u@example.com" },
					phone: { before: "+14155550100", after: null },
				},
			},
		]);
	});

	it("status, login id and delete", async () => {
		const { p, api } = await setup();
		const user = await createUser(api, { loginId: "s@example.com" });
		const disabled = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/update/status", { loginId: "s@example.com", status: "disabled" }),
		);
		expect(disabled[0]).toMatchObject({
			action: "user.disabled",
			target_id: user.userId,
			changes: { status: { after: "disabled" } },
		});
		const enabled = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/update/status", { loginId: "s@example.com", status: "enabled" }),
		);
		expect(enabled.map((r) => r.action)).toEqual(["user.enabled"]);
		const renamed = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/update/loginid", { loginId: "s@example.com", newLoginId: "s2@example.com" }),
		);
		expect(renamed).toMatchObject([
			{
				action: "user.login_id.changed",
				changes: { loginId: { before: "s@example.com", after: "s2@example.com" } },
			},
		]);
		const deleted = await rowsOf(p, () => ok(api, "/v1/mgmt/user/delete", { loginId: "s2@example.com" }));
		expect(deleted.map((r) => [r.action, r.target_id])).toContainEqual(["user.deleted", user.userId]);
	});

	it("deleting test users records each deleted user", async () => {
		const { p, api } = await setup();
		const t1 = expectStatus(
			await api.post("/v1/mgmt/user/create/test", { loginId: "t1@example.com" }),
			200,
		).user;
		const t2 = expectStatus(
			await api.post("/v1/mgmt/user/create/test", { loginId: "t2@example.com" }),
			200,
		).user;
		await createUser(api, { loginId: "keep@example.com" });
		const deleted = await rowsOf(p, () => api.delete("/v1/mgmt/user/test/delete/all"));
		expect(deleted.map((r) => [r.action, r.target_id, r.login_id]).sort()).toEqual(
			[
				["user.deleted", t1.userId, "t1@example.com"],
				["user.deleted", t2.userId, "t2@example.com"],
			].sort(),
		);
	});

	it("roles, tenants, tenant roles and SSO applications", async () => {
		const { p, api } = await setup();
		await createUser(api, { loginId: "a@example.com" });
		const add = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/update/role/add", { loginId: "a@example.com", roleNames: ["admin"] }),
		);
		expect(add).toMatchObject([
			{ action: "user.roles.added", changes: { roleNames: { before: [], after: ["admin"] } } },
		]);
		const set = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/update/role/set", { loginId: "a@example.com", roleNames: [] }),
		);
		expect(set.map((r) => r.action)).toEqual(["user.roles.set"]);
		const tenant = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/update/tenant/add", { loginId: "a@example.com", tenantId: "t1" }),
		);
		expect(tenant).toMatchObject([
			{
				action: "user.tenants.added",
				tenant_id: "t1",
				changes: { tenantIds: { before: [], after: ["t1"] } },
			},
		]);
		const tenantRole = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/update/role/add", {
				loginId: "a@example.com",
				roleNames: ["lead"],
				tenantId: "t1",
			}),
		);
		expect(tenantRole).toMatchObject([{ action: "user.tenant_roles.added", tenant_id: "t1" }]);
		const removeRole = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/update/role/remove", {
				loginId: "a@example.com",
				roleNames: ["lead"],
				tenantId: "t1",
			}),
		);
		expect(removeRole.map((r) => r.action)).toEqual(["user.tenant_roles.removed"]);
		const removed = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/update/tenant/remove", { loginId: "a@example.com", tenantId: "t1" }),
		);
		expect(removed.map((r) => r.action)).toEqual(["user.tenants.removed"]);
		const apps = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/update/ssoapp/add", { loginId: "a@example.com", ssoAppIds: ["app1"] }),
		);
		expect(apps).toMatchObject([
			{ action: "user.sso_apps.added", changes: { ssoAppIds: { before: [], after: ["app1"] } } },
		]);
	});

	it("Descope update-field routes and v4 PATCH record the same change for the same change", async () => {
		// Two projects: a phone is unique within one.
		const p = await newProject();
		const q = await newProject();
		const api = mgmt(p);
		const rest = v4(q);
		const d = await createUser(api, { loginId: "d@example.com", email: "d@example.com", name: "Old" });
		const v = (await createV4(rest, { name: "Old", contact_details: { email: "v@example.com" } }))
			.id as string;
		const shape = (rows: Record<string, any>[]) =>
			rows.map((r) => ({ action: r.action, changes: r.changes }));
		const steps: [string, unknown, Record<string, unknown>][] = [
			["/v1/mgmt/user/update/name", { displayName: "New" }, { name: "New" }],
			[
				"/v1/mgmt/user/update/phone",
				{ phone: "+14155550100" },
				{ contact_details: { telephone_number_E123: "+14155550100" } },
			],
			["/v1/mgmt/user/update/phone", { phone: "" }, { contact_details: { telephone_number_E123: null } }],
		];
		for (const [path, wire, attributes] of steps) {
			const descope = await rowsOf(p, () => ok(api, path, { loginId: "d@example.com", ...(wire as object) }));
			const rows = await rowsOf(q, async () =>
				expectStatus(await rest.patch(`${V4}/users/${v}`, patchDoc(v, attributes)), 200),
			);
			expect(shape(descope), path).toEqual(shape(rows));
			expect(descope.map((r) => r.target_id)).toEqual([d.userId]);
			expect(rows.map((r) => r.target_id)).toEqual([v]);
		}
	});

	it("Descope create and v4 POST record the same fields of a created user", async () => {
		const p = await newProject();
		const api = mgmt(p);
		const descope = await rowsOf(p, () =>
			ok(api, "/v1/mgmt/user/create", { loginId: "d@example.com", email: "d@example.com", name: "D" }),
		);
		const rest = await rowsOf(p, async () =>
			expectStatus(
				await v4(p).post(`${V4}/users`, userDoc({ name: "V", contact_details: { email: "v@example.com" } })),
				201,
			),
		);
		expect(rest.map((r) => r.action)).toEqual(["user.created"]);
		expect(Object.keys(rest[0]?.changes ?? {}).sort()).toEqual(Object.keys(descope[0]?.changes ?? {}).sort());
		expect(rest[0]?.changes).toMatchObject({ loginIds: { after: ["v@example.com"] }, name: { after: "V" } });
	});

	it("v4: create, patch, register and delete", async () => {
		const p = await newProject();
		const api = v4(p);
		const created = await rowsOf(p, () =>
			api.post(`${V4}/users`, userDoc({ name: "V", contact_details: { email: "v@example.com" } })),
		);
		expect(created).toMatchObject([{ action: "user.created", login_id: "v@example.com", actor_type: "key" }]);
		const id = created[0]?.target_id as string;
		const patched = await rowsOf(p, () => api.patch(`${V4}/users/${id}`, patchDoc(id, { name: "W" })));
		expect(patched).toMatchObject([
			{ action: "user.updated", changes: { name: { before: "V", after: "W" } } },
		]);
		const registered = await rowsOf(p, () =>
			api.patch(
				`${V4}/users/${id}`,
				patchDoc(id, { registration_information: { registration_state: "REGISTERED" } }),
			),
		);
		expect(registered).toMatchObject([
			{ action: "user.registered", changes: { status: { before: "invited", after: "enabled" } } },
		]);
		const deleted = await rowsOf(p, () => api.delete(`${V4}/users/${id}`));
		expect(deleted.map((r) => [r.action, r.target_id])).toContainEqual(["user.deleted", id]);
	});
});
