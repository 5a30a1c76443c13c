// Roster's operator API (/v1/operator/…): projects and their keys, guarded by OPERATOR_KEY.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	addManagementKey,
	bearer,
	call,
	expectDescopeError,
	expectStatus,
	mgmt,
	newProject,
	OPERATOR_KEY,
	operatorHeaders,
	sha256Hex,
	waitForCachedKey,
} from "./harness";

// Settings every new project starts with (sessions and lockout: see docs/sessions.md).
const DEFAULT_SETTINGS = {
	sessionTtl: 600,
	refreshTtl: 2_592_000,
	passwordPolicy: { minLength: 8, lowercase: false, uppercase: false, number: false, nonAlphanumeric: false },
	lockoutAttempts: 10,
	lockoutSeconds: 900,
	rateLimitTier: "standard",
	// Days activity entries are kept (docs/audit.md).
	activityRetentionDays: 90,
	allowedRedirectUrls: [],
};

const PROJECT_ID = /^P[0-9A-Za-z]{27}$/;
const UNKNOWN_PROJECT = `P${"0".repeat(27)}`;

const op = {
	post: (path: string, body: unknown) => call("POST", path, { body, headers: operatorHeaders }),
	get: (path: string) => call("GET", path, { headers: operatorHeaders }),
	delete: (path: string) => call("DELETE", path, { headers: operatorHeaders }),
	patch: (path: string, body: unknown) => call("PATCH", path, { body, headers: operatorHeaders }),
};

describe("authentication", () => {
	const routes = (id: string): [string, string, unknown?][] => [
		["POST", "/v1/operator/projects", { name: "x" }],
		["GET", "/v1/operator/projects"],
		["GET", `/v1/operator/projects/${id}`],
		["DELETE", `/v1/operator/projects/${id}`],
		["POST", `/v1/operator/projects/${id}/keys`, { name: "x" }],
	];

	it("refuses a missing, wrong or malformed operator key on every route", async () => {
		const project = await newProject();
		const badHeaders: Record<string, string>[] = [
			{},
			{ authorization: "" },
			{ authorization: OPERATOR_KEY },
			{ authorization: "Bearer wrong" },
			{ authorization: `Bearer ${OPERATOR_KEY}x` },
			{ authorization: `Basic ${btoa(OPERATOR_KEY)}` },
			// A management key is not an operator key, in either header form.
			bearer(project),
			{ authorization: `Bearer ${project.managementKey}` },
		];
		for (const [method, path, body] of routes(project.projectId)) {
			for (const headers of badHeaders) {
				const res = await call(method, path, { headers, ...(body ? { body } : {}) });
				expectDescopeError(res, 401, "E011401");
			}
		}
		// None of those requests deleted or changed anything.
		expectStatus(await op.get(`/v1/operator/projects/${project.projectId}`), 200);
	});

	it("the operator key is not a management key", async () => {
		const project = await newProject();
		const res = await mgmt({ projectId: project.projectId, managementKey: OPERATOR_KEY }).get(
			"/v1/mgmt/license",
		);
		expectDescopeError(res, 401, "E011401");
	});

	it("the operator OpenAPI document needs no key", async () => {
		const doc = expectStatus(await call("GET", "/v1/operator/openapi.json"), 200);
		expect(Object.keys(doc.paths)).toEqual(
			expect.arrayContaining(["/v1/operator/projects", "/v1/operator/projects/{projectId}"]),
		);
	});
});

describe("create", () => {
	it("creates a project with a working first management key", async () => {
		const before = Math.floor(Date.now() / 1000);
		const body = expectStatus(await op.post("/v1/operator/projects", { name: "Acme" }), 201);
		expect(body).toEqual({
			projectId: expect.stringMatching(PROJECT_ID),
			managementKey: expect.any(String),
			project: { id: body.projectId, name: "Acme", createdTime: expect.any(Number), ...DEFAULT_SETTINGS },
		});
		expect(body.project.createdTime).toBeGreaterThanOrEqual(before - 1);
		expect(body.managementKey).not.toContain(":");

		const keys = expectStatus(await mgmt(body).get("/v1/mgmt/managementkey/search"), 200);
		expect(keys.keys).toHaveLength(1);
		expect(keys.keys[0]).toMatchObject({ name: "initial", status: "active" });
		const row = await env.DB.prepare("SELECT key_hash FROM management_keys WHERE project_id = ?")
			.bind(body.projectId)
			.first();
		expect(row?.key_hash).toBe(await sha256Hex(body.managementKey));
	});

	it("gives every project a distinct id and key", async () => {
		const [one, two] = await Promise.all([newProject("one"), newProject("two")]);
		expect(one.projectId).not.toBe(two.projectId);
		expect(one.managementKey).not.toBe(two.managementKey);
	});

	it("trims the name", async () => {
		const body = expectStatus(await op.post("/v1/operator/projects", { name: "  Spaced  " }), 201);
		expect(body.project.name).toBe("Spaced");
	});

	it("refuses a missing, empty, blank, too long or non-string name", async () => {
		expectDescopeError(await op.post("/v1/operator/projects", {}), 400, "E011002", "name");
		for (const name of ["", "   ", "x".repeat(257), 5, null, ["a"]]) {
			const res = await op.post("/v1/operator/projects", { name });
			expect(res.status, JSON.stringify({ name, body: res.body })).toBe(400);
			expect(res.body.errorCode).toMatch(/^E01100[24]$/);
			expect(res.body.errorMessage).toContain("name");
		}
	});

	it("refuses a malformed JSON body", async () => {
		const res = await call("POST", "/v1/operator/projects", {
			rawBody: "{not json",
			headers: { ...operatorHeaders, "content-type": "application/json" },
		});
		expectDescopeError(res, 400, "E011001");
	});
});

describe("list and get", () => {
	it("pages through every project in id order with limit, after and nextCursor", async () => {
		const created = await Promise.all(["a", "b", "c", "d", "e"].map((n) => newProject(`page-${n}`)));
		const seen: string[] = [];
		let after: string | null = null;
		for (let pages = 0; pages < 100; pages++) {
			const query: string = after ? `?limit=2&after=${after}` : "?limit=2";
			const page = expectStatus(await op.get(`/v1/operator/projects${query}`), 200);
			expect(page.projects.length).toBeLessThanOrEqual(2);
			for (const p of page.projects) {
				expect(p).toEqual({
					id: expect.stringMatching(PROJECT_ID),
					name: expect.any(String),
					createdTime: expect.any(Number),
					...DEFAULT_SETTINGS,
				});
				seen.push(p.id);
			}
			if (page.projects.length < 2) expect(page.nextCursor).toBeNull();
			else expect(page.nextCursor).toBe(page.projects[1].id);
			after = page.nextCursor;
			if (after === null) break;
		}
		expect(after).toBeNull();
		expect(seen).toEqual([...seen].sort());
		expect(new Set(seen).size).toBe(seen.length);
		for (const p of created) expect(seen).toContain(p.projectId);

		const all = expectStatus(await op.get("/v1/operator/projects?limit=1000"), 200);
		expect(all.projects.map((p: { id: string }) => p.id)).toEqual(seen);
		expect(all.nextCursor).toBeNull();
	});

	it("refuses a bad limit", async () => {
		for (const limit of ["0", "1001", "abc", "-1", "1.5"]) {
			const res = await op.get(`/v1/operator/projects?limit=${limit}`);
			expectDescopeError(res, 400, "E011004", "limit");
		}
	});

	it("gets one project; an unknown one is 404, a malformed id 400", async () => {
		const project = await newProject("Gettable");
		const got = expectStatus(await op.get(`/v1/operator/projects/${project.projectId}`), 200);
		expect(got).toEqual({
			project: {
				id: project.projectId,
				name: "Gettable",
				createdTime: expect.any(Number),
				...DEFAULT_SETTINGS,
			},
		});
		expectDescopeError(await op.get(`/v1/operator/projects/${UNKNOWN_PROJECT}`), 404, "E011404");
		for (const bad of ["nope", "P123", `X${"0".repeat(27)}`, `P${"0".repeat(28)}`, `P${"-".repeat(27)}`]) {
			expectDescopeError(await op.get(`/v1/operator/projects/${bad}`), 400, "E011004", "projectId");
		}
	});
});

describe("delete", () => {
	/** Every table with a project_id column, found from the schema so new tables are covered too. */
	async function projectScopedTables(): Promise<string[]> {
		// D1 refuses pragma_table_info() in a query, so the column is found in the table's DDL.
		const { results } = await env.DB.prepare(
			"SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%project_id%' ORDER BY name",
		).all<{ name: string }>();
		return results.map((r) => r.name);
	}

	async function rowsOf(projectId: string) {
		const counts: Record<string, number> = {};
		for (const table of await projectScopedTables()) {
			const row = await env.DB.prepare(`SELECT count(*) AS n FROM "${table}" WHERE project_id = ?`)
				.bind(projectId)
				.first<{ n: number }>();
			counts[table] = row?.n ?? -1;
		}
		// The FTS index keeps the project id in its own column.
		const fts = await env.DB.prepare("SELECT count(*) AS n FROM users_fts WHERE project = ?")
			.bind(projectId)
			.first<{ n: number }>();
		counts.users_fts = fts?.n ?? -1;
		const project = await env.DB.prepare("SELECT count(*) AS n FROM projects WHERE id = ?")
			.bind(projectId)
			.first<{ n: number }>();
		counts.projects = project?.n ?? -1;
		return counts;
	}

	/**
	 * A project with users (additional login ids, attribute values, roles, tenants, SSO apps),
	 * permissions, roles, a tenant with default roles, an SSO app, a test user and a second key.
	 */
	async function populatedProject(name: string) {
		const project = await newProject(name);
		const api = mgmt(project);
		const setup: [string, unknown][] = [
			[
				"/v1/mgmt/user/customattribute/create",
				{ attributes: [{ name: "plan", type: 1, displayName: "Plan" }] },
			],
			["/v1/mgmt/permission/create", { name: "read" }],
			["/v1/mgmt/role/create", { name: "viewer", permissionNames: ["read"] }],
			["/v1/mgmt/tenant/create", { id: "acme", name: "Acme" }],
			["/v1/mgmt/role/create", { name: "tenant-viewer", tenantId: "acme", permissionNames: ["read"] }],
			["/v1/mgmt/tenant/updateDefaultRoles", { id: "acme", defaultRoles: ["tenant-viewer"] }],
			["/v1/mgmt/sso/idp/app/oidc/create", { id: "portal", name: "Portal", loginPageUrl: "https://x.test" }],
		];
		for (const [path, body] of setup) expectStatus(await api.post(path, body), 200);
		for (const who of ["ann", "bob"]) {
			expectStatus(
				await api.post("/v1/mgmt/user/create", {
					loginId: `${who}@example.com`,
					email: `${who}@example.com`,
					displayName: who,
					additionalLoginIds: [`${who}-alt`],
					customAttributes: { plan: "gold" },
					roleNames: ["viewer"],
					userTenants: [{ tenantId: "acme", roleNames: ["tenant-viewer"] }],
					ssoAppIds: ["portal"],
				}),
				200,
			);
		}
		expectStatus(await api.post("/v1/mgmt/user/create/test", { loginId: `${name}-test` }), 200);
		const extra = await addManagementKey(project, { name: "extra" });
		return { project, extra };
	}

	it("removes the project and all its data, and its keys stop working at once", async () => {
		const { project, extra } = await populatedProject("doomed");
		const { project: bystander } = await populatedProject("bystander");

		const before = await rowsOf(project.projectId);
		for (const table of [
			"projects",
			"users",
			"user_login_ids",
			"user_attribute_values",
			"custom_attribute_definitions",
			"management_keys",
			"users_fts",
			"permissions",
			"roles",
			"role_permissions",
			"tenants",
			"tenant_default_roles",
			"user_roles",
			"user_tenants",
			"sso_apps",
			"user_sso_apps",
		]) {
			expect(before[table], `${table} before delete: ${JSON.stringify(before)}`).toBeGreaterThan(0);
		}
		const bystanderBefore = await rowsOf(bystander.projectId);

		// Both keys are cached in KV: deletion must evict them, not wait for the TTL.
		for (const key of [project, extra]) {
			expectStatus(await mgmt(key).get("/v1/mgmt/license"), 200);
			await waitForCachedKey(key.managementKey);
		}

		expect(expectStatus(await op.delete(`/v1/operator/projects/${project.projectId}`), 200)).toEqual({});

		const after = await rowsOf(project.projectId);
		expect(after).toEqual(Object.fromEntries(Object.keys(after).map((t) => [t, 0])));
		for (const key of [project, extra]) {
			expect(await env.KEY_CACHE.get(`mgmt-key:${await sha256Hex(key.managementKey)}`)).toBeNull();
			expectDescopeError(await mgmt(key).get("/v1/mgmt/license"), 401, "E011401");
		}
		// No orphaned search documents anywhere.
		const orphans = await env.DB.prepare(
			"SELECT count(*) AS n FROM users_fts WHERE rowid NOT IN (SELECT rowid FROM users)",
		).first<{ n: number }>();
		expect(orphans?.n).toBe(0);

		expectDescopeError(await op.get(`/v1/operator/projects/${project.projectId}`), 404, "E011404");
		expectDescopeError(await op.delete(`/v1/operator/projects/${project.projectId}`), 404, "E011404");

		// The other project is untouched.
		expect(await rowsOf(bystander.projectId)).toEqual(bystanderBefore);
		const found = expectStatus(await mgmt(bystander).post("/v2/mgmt/user/search", { text: "example" }), 200);
		expect(found.total).toBe(2);
	});

	it("a new project can reuse a deleted project's login ids and attribute names", async () => {
		const { project } = await populatedProject("first");
		expectStatus(await op.delete(`/v1/operator/projects/${project.projectId}`), 200);
		const { project: second } = await populatedProject("second");
		const found = expectStatus(
			await mgmt(second).post("/v2/mgmt/user/search", { loginIds: ["ann@example.com"] }),
			200,
		);
		expect(found.total).toBe(1);
	});

	it("refuses an unknown project (404) and a malformed id (400)", async () => {
		expectDescopeError(await op.delete(`/v1/operator/projects/${UNKNOWN_PROJECT}`), 404, "E011404");
		expectDescopeError(await op.delete("/v1/operator/projects/not-a-project"), 400, "E011004", "projectId");
	});
});

describe("issue another key", () => {
	it("issues a working key for the project, listed under the given name", async () => {
		const project = await newProject();
		const body = expectStatus(
			await op.post(`/v1/operator/projects/${project.projectId}/keys`, { name: "recovery" }),
			201,
		);
		expect(body).toEqual({
			keyId: expect.stringMatching(/^K[0-9A-Za-z]{27}$/),
			managementKey: expect.any(String),
		});
		const recovered = { projectId: project.projectId, managementKey: body.managementKey };
		const keys = expectStatus(await mgmt(recovered).get("/v1/mgmt/managementkey/search"), 200);
		expect(keys.keys.map((k: { name: string }) => k.name).sort()).toEqual(["initial", "recovery"]);
		// The original key still works, and the new one is bound to this project only.
		expectStatus(await mgmt(project).get("/v1/mgmt/license"), 200);
		const other = await newProject();
		expectDescopeError(
			await mgmt(other, bearer(other, body.managementKey)).get("/v1/mgmt/license"),
			401,
			"E011401",
		);
	});

	it("refuses an unknown project, a malformed id and a bad name", async () => {
		const project = await newProject();
		expectDescopeError(
			await op.post(`/v1/operator/projects/${UNKNOWN_PROJECT}/keys`, { name: "x" }),
			404,
			"E011404",
		);
		expectDescopeError(
			await op.post("/v1/operator/projects/nope/keys", { name: "x" }),
			400,
			"E011004",
			"projectId",
		);
		const path = `/v1/operator/projects/${project.projectId}/keys`;
		expectDescopeError(await op.post(path, {}), 400, "E011002", "name");
		expectDescopeError(await op.post(path, { name: "  " }), 400, "E011004", "name");
		expectDescopeError(await op.post(path, { name: 1 }), 400, "E011004", "name");
		const keys = expectStatus(await mgmt(project).get("/v1/mgmt/managementkey/search"), 200);
		expect(keys.keys).toHaveLength(1);
		// Nothing was written for the unknown project either.
		const orphan = await env.DB.prepare("SELECT count(*) AS n FROM management_keys WHERE project_id = ?")
			.bind(UNKNOWN_PROJECT)
			.first<{ n: number }>();
		expect(orphan?.n).toBe(0);
	});
});

describe("settings", () => {
	it("sets the activity retention and shows it on load", async () => {
		const project = await newProject();
		const path = `/v1/operator/projects/${project.projectId}`;
		const patched = expectStatus(await op.patch(path, { activityRetentionDays: 365 }), 200);
		expect(patched.project).toMatchObject({ ...DEFAULT_SETTINGS, activityRetentionDays: 365 });
		expect(expectStatus(await op.get(path), 200).project.activityRetentionDays).toBe(365);
		expect(expectStatus(await op.patch(path, { activityRetentionDays: 1 }), 200).project).toMatchObject({
			activityRetentionDays: 1,
		});
		expect(expectStatus(await op.patch(path, { activityRetentionDays: 3650 }), 200).project).toMatchObject({
			activityRetentionDays: 3650,
		});
	});

	it.each([
		[0, "E011004"],
		[3651, "E011004"],
		[-1, "E011004"],
		[1.5, "E011004"],
		["90", "E011004"],
		[null, "E011002"],
	])(
		"refuses activityRetentionDays %j with 400 (%s) naming the field, changing nothing",
		async (bad, code) => {
			const project = await newProject();
			const path = `/v1/operator/projects/${project.projectId}`;
			expectDescopeError(
				await op.patch(path, { activityRetentionDays: bad }),
				400,
				code,
				"activityRetentionDays",
			);
			expect(expectStatus(await op.get(path), 200).project.activityRetentionDays).toBe(90);
		},
	);
});
