// SCIM Groups (docs/scim.md): the roles of the connection's scope, through real HTTP, with the
// member add and remove forms Entra and Okta send, ETags, and tenant vs project connections.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	addManagementKey,
	BASE,
	createUser,
	expectStatus,
	mgmt,
	newProject,
	type TestProject,
} from "./harness";
import { GROUP, patchOp, S, scimClient, scimError } from "./support/scim";

const memberRows = async (roleId: string) =>
	(
		await env.DB.prepare("SELECT user_id, tenant_id FROM user_roles WHERE role_id = ? ORDER BY user_id")
			.bind(roleId)
			.all<{ user_id: string; tenant_id: string }>()
	).results;

const roleRow = (id: string) =>
	env.DB.prepare("SELECT name, tenant_id, external_id, version FROM roles WHERE id = ?").bind(id).first();

/** The number in a weak ETag: versions only ever move forward (members change them by trigger). */
const versionOf = (etag: string | null | undefined) =>
	Number(/^W\/"(\d+)"$/.exec(etag ?? "")?.[1] ?? Number.NaN);
const members = (group: any) => (group.members ?? []).map((m: any) => m.value).sort();

async function users(project: TestProject, names: string[], tenants: string[] = []) {
	const api = mgmt(project);
	const ids: string[] = [];
	for (const name of names) {
		const user = await createUser(api, {
			loginId: `${name}@example.com`,
			name,
			userTenants: tenants.map((tenantId) => ({ tenantId })),
		});
		ids.push(user.userId);
	}
	return ids;
}

describe("a project-wide connection", () => {
	it("creates a group with members: 201, Location, ETag, and the project role in D1", async () => {
		const p = await newProject();
		const [alice, bob] = await users(p, ["alice", "bob"]);
		const res = await scimClient(p.managementKey).post("/Groups", {
			schemas: [GROUP],
			displayName: "Sales",
			externalId: "ext-1",
			members: [{ value: alice, display: "VP" }, { value: bob }],
		});
		const group = expectStatus(res, 201);
		expect(res.headers.get("content-type")).toBe("application/scim+json");
		expect(group).toEqual({
			schemas: [GROUP],
			id: expect.stringMatching(/^R/),
			externalId: "ext-1",
			displayName: "Sales",
			members: expect.arrayContaining([
				{ value: alice, display: "alice", $ref: `${BASE}${S}/Users/${alice}`, type: "User" },
			]),
			meta: {
				resourceType: "Group",
				created: expect.any(String),
				lastModified: expect.any(String),
				location: `${BASE}${S}/Groups/${group.id}`,
				version: expect.stringMatching(/^W\/"\d+"$/),
			},
		});
		expect(members(group)).toEqual([alice, bob].sort());
		expect(res.headers.get("location")).toBe(group.meta.location);
		expect(res.headers.get("etag")).toBe(group.meta.version);
		expect(await roleRow(group.id)).toEqual({
			name: "Sales",
			tenant_id: "",
			external_id: "ext-1",
			version: versionOf(group.meta.version),
		});
		expect(await memberRows(group.id)).toEqual(
			[alice, bob].sort().map((user_id) => ({ user_id, tenant_id: "" })),
		);
		// The Descope API sees the project role on the user.
		const loaded = expectStatus(await mgmt(p).get(`/v1/mgmt/user?userId=${alice}`), 200);
		expect(loaded.user.roleNames).toEqual(["Sales"]);
		const log = await env.DB.prepare(
			"SELECT action, target_id FROM change_log WHERE project_id = ? AND action IN ('role.created', 'user.roles.added') ORDER BY action, target_id",
		)
			.bind(p.projectId)
			.all();
		expect(log.results).toEqual([
			{ action: "role.created", target_id: group.id },
			...[alice, bob].sort().map((id) => ({ action: "user.roles.added", target_id: id })),
		]);
	});

	it("lists groups, with filters, paging and excludedAttributes=members", async () => {
		const p = await newProject();
		const [alice] = await users(p, ["alice"]);
		const api = scimClient(p.managementKey);
		for (const name of ["Alpha", "Beta", "Gamma"])
			expectStatus(await api.post("/Groups", { displayName: name, members: [{ value: alice }] }), 201);
		const all = expectStatus(await api.get("/Groups"), 200);
		expect(all).toMatchObject({
			schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
			totalResults: 3,
			startIndex: 1,
			itemsPerPage: 3,
		});
		expect(all.Resources.map((g: any) => g.displayName)).toEqual(["Alpha", "Beta", "Gamma"]);
		expect(all.Resources[0].members).toHaveLength(1);
		const lean = expectStatus(await api.get("/Groups?excludedAttributes=members"), 200);
		expect(lean.Resources.every((g: any) => !("members" in g) && g.id && g.meta)).toBe(true);
		const byName = expectStatus(
			await api.get(`/Groups?filter=${encodeURIComponent('displayName eq "beta"')}`),
			200,
		);
		expect(byName.Resources.map((g: any) => g.displayName)).toEqual(["Beta"]);
		const page = expectStatus(await api.get("/Groups?startIndex=2&count=1"), 200);
		expect(page).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
		expect(page.Resources[0].displayName).toBe("Beta");
		const byMember = expectStatus(
			await api.get(
				`/Groups?filter=${encodeURIComponent(`members[value eq "${alice}"]`)}&attributes=displayName`,
			),
			200,
		);
		expect(byMember.totalResults).toBe(3);
		expect(Object.keys(byMember.Resources[0]).sort()).toEqual(["displayName", "id", "meta", "schemas"]);
		scimError(await api.get(`/Groups?filter=${encodeURIComponent("nope eq 1")}`), 400, "invalidFilter");
	});

	it("PATCH: Entra's capitalised Add and Remove with a value array (only those), Okta's members[value eq]", async () => {
		const p = await newProject();
		const [a, b, c] = await users(p, ["a", "b", "c"]);
		const api = scimClient(p.managementKey);
		const group = expectStatus(await api.post("/Groups", { displayName: "Eng" }), 201);
		const path = `/Groups/${group.id}`;
		// Entra: "Add" with value objects.
		const added = await api.patch(
			path,
			patchOp({ op: "Add", path: "members", value: [{ value: a }, { value: b }, { value: c }] }),
		);
		expect(added.status, JSON.stringify(added.body)).toBe(204);
		expect(versionOf(added.headers.get("etag"))).toBeGreaterThan(versionOf(group.meta.version));
		expect((await memberRows(group.id)).map((r) => r.user_id)).toEqual([a, b, c].sort());
		// Entra: "Remove" with a value array removes those members, not all.
		expect(
			(await api.patch(path, patchOp({ op: "Remove", path: "members", value: [{ value: a }] }))).status,
		).toBe(204);
		expect((await memberRows(group.id)).map((r) => r.user_id)).toEqual([b, c].sort());
		// Okta: remove with a value filter.
		expect((await api.patch(path, patchOp({ op: "remove", path: `members[value eq "${b}"]` }))).status).toBe(
			204,
		);
		expect((await memberRows(group.id)).map((r) => r.user_id)).toEqual([c]);
		const read = expectStatus(await api.get(path), 200);
		expect(members(read)).toEqual([c]);
		expect(versionOf(read.meta.version)).toBeGreaterThan(versionOf(added.headers.get("etag")));
		expect(await roleRow(group.id)).toMatchObject({ version: versionOf(read.meta.version) });
		const log = await env.DB.prepare(
			"SELECT action, target_id FROM change_log WHERE project_id = ? AND action = 'user.roles.removed' ORDER BY seq",
		)
			.bind(p.projectId)
			.all();
		expect(log.results.map((r) => r.target_id)).toEqual([a, b]);
	});

	it("PATCH: remove all members (path members, no value), replace members, displayName and externalId", async () => {
		const p = await newProject();
		const [a, b] = await users(p, ["a", "b"]);
		const api = scimClient(p.managementKey);
		const group = expectStatus(
			await api.post("/Groups", { displayName: "Ops", members: [{ value: a }] }),
			201,
		);
		const path = `/Groups/${group.id}`;
		expect((await api.patch(path, patchOp({ op: "remove", path: "members" }))).status).toBe(204);
		expect(await memberRows(group.id)).toEqual([]);
		// Replace without a path, with a value object (as Okta renames), and a replace of members.
		const res = await api.patch(
			path,
			patchOp(
				{ op: "Replace", value: { id: group.id, displayName: "Operations", externalId: "okta-9" } },
				{ op: "replace", path: "members", value: [{ value: b }] },
			),
		);
		expect(res.status, JSON.stringify(res.body)).toBe(204);
		expect(await roleRow(group.id)).toMatchObject({ name: "Operations", external_id: "okta-9" });
		expect((await memberRows(group.id)).map((r) => r.user_id)).toEqual([b]);
		// Schema-qualified path; then clearing the externalId.
		expect(
			(await api.patch(path, patchOp({ op: "replace", path: `${GROUP}:displayName`, value: "Ops 2" })))
				.status,
		).toBe(204);
		expect((await api.patch(path, patchOp({ op: "remove", path: "externalId" }))).status).toBe(204);
		expect(await roleRow(group.id)).toMatchObject({ name: "Ops 2", external_id: null });
	});

	it("concurrent member adds and removes compose: none is lost", async () => {
		const p = await newProject();
		const ids = await users(p, ["c1", "c2", "c3", "c4", "c5", "c6"]);
		const api = scimClient(p.managementKey);
		const group = expectStatus(
			await api.post("/Groups", { displayName: "Busy", members: [{ value: ids[5] }] }),
			201,
		);
		const path = `/Groups/${group.id}`;
		const answers = await Promise.all([
			...ids
				.slice(0, 5)
				.map((id) => api.patch(path, patchOp({ op: "Add", path: "members", value: [{ value: id }] }))),
			api.patch(path, patchOp({ op: "remove", path: `members[value eq "${ids[5]}"]` })),
		]);
		for (const res of answers) expect(res.status, JSON.stringify(res.body)).toBe(204);
		expect((await memberRows(group.id)).map((r) => r.user_id)).toEqual(ids.slice(0, 5).sort());
		// Each of the six writes moved the version on.
		expect(((await roleRow(group.id)) as { version: number }).version).toBeGreaterThanOrEqual(
			versionOf(group.meta.version) + 6,
		);
	});

	it("a PATCH that changes nothing answers 204 and keeps the version", async () => {
		const p = await newProject();
		const [a] = await users(p, ["a"]);
		const api = scimClient(p.managementKey);
		const group = expectStatus(
			await api.post("/Groups", { displayName: "Same", members: [{ value: a }] }),
			201,
		);
		const path = `/Groups/${group.id}`;
		for (const body of [
			patchOp({ op: "add", path: "members", value: [{ value: a }] }),
			patchOp({ op: "Replace", path: "displayName", value: "Same" }),
			patchOp({ op: "remove", path: `members[value eq "U${"0".repeat(27)}"]` }),
			patchOp(),
		]) {
			const res = await api.patch(path, body);
			expect(res.status, JSON.stringify(res.body)).toBe(204);
			expect(res.headers.get("etag")).toBe(group.meta.version);
		}
		expect(await roleRow(group.id)).toMatchObject({ version: versionOf(group.meta.version) });
	});

	it("PUT replaces everything, members included (left out: none)", async () => {
		const p = await newProject();
		const [a, b] = await users(p, ["a", "b"]);
		const api = scimClient(p.managementKey);
		const group = expectStatus(
			await api.post("/Groups", { displayName: "G", externalId: "x", members: [{ value: a }] }),
			201,
		);
		const put = expectStatus(
			await api.put(`/Groups/${group.id}`, {
				schemas: [GROUP],
				id: group.id,
				displayName: "putName",
				members: [{ value: b, display: "SenorVP" }],
			}),
			200,
		);
		expect(put).toMatchObject({ displayName: "putName" });
		expect(versionOf(put.meta.version)).toBeGreaterThan(versionOf(group.meta.version));
		expect(put.externalId).toBeUndefined();
		expect(members(put)).toEqual([b]);
		const cleared = expectStatus(await api.put(`/Groups/${group.id}`, { displayName: "putName" }), 200);
		expect(cleared.members).toEqual([]);
		expect(await memberRows(group.id)).toEqual([]);
	});

	it("ETags: If-Match stale is 412 and changes nothing; If-None-Match current is 304", async () => {
		const p = await newProject();
		const [a] = await users(p, ["a"]);
		const api = scimClient(p.managementKey);
		const group = expectStatus(await api.post("/Groups", { displayName: "E" }), 201);
		const path = `/Groups/${group.id}`;
		const notModified = await exports.default.fetch(`${BASE}${S}${path}`, {
			headers: { authorization: `Bearer ${p.managementKey}`, "if-none-match": 'W/"1"' },
		});
		expect(notModified.status).toBe(304);
		expect(notModified.headers.get("etag")).toBe('W/"1"');
		const ok = await api.patch(path, patchOp({ op: "add", path: "members", value: [{ value: a }] }), {
			"if-match": 'W/"1"',
		});
		expect(ok.status, JSON.stringify(ok.body)).toBe(204);
		const stale = [
			await api.patch(path, patchOp({ op: "remove", path: "members" }), { "if-match": 'W/"1"' }),
			await api.put(path, { displayName: "X" }, { "if-match": 'W/"1"' }),
			await api.delete(path, { "if-match": 'W/"1"' }),
		];
		for (const res of stale) scimError(res, 412, "invalidVers");
		const current = ok.headers.get("etag");
		expect(versionOf(current)).toBeGreaterThan(1);
		expect(await roleRow(group.id)).toMatchObject({ name: "E", version: versionOf(current) });
		expect(await memberRows(group.id)).toHaveLength(1);
		expectStatus(await api.get(path, { "if-none-match": 'W/"1"' }), 200);
		expect((await api.delete(path, { "if-match": current ?? "" })).status).toBe(204);
	});

	it("refuses unknown members, a taken displayName and a body without displayName, writing nothing", async () => {
		const p = await newProject();
		const [a] = await users(p, ["a"]);
		const api = scimClient(p.managementKey);
		const group = expectStatus(await api.post("/Groups", { displayName: "Taken" }), 201);
		scimError(
			await api.post("/Groups", { displayName: "New", members: [{ value: a }, { value: "U-nobody" }] }),
			400,
			"invalidValue",
			"members[1].value",
		);
		scimError(await api.post("/Groups", { displayName: "Taken" }), 409, "uniqueness");
		scimError(await api.post("/Groups", { members: [] }), 400, "invalidValue", "displayName");
		// Microsoft's validator adds "string id 1": no such user.
		scimError(
			await api.patch(`/Groups/${group.id}`, patchOp({ op: "add", path: "members", value: "string id 1" })),
			400,
			"invalidValue",
			"Operations[0].value",
		);
		scimError(
			await api.patch(`/Groups/${group.id}`, patchOp({ op: "frobnicate", path: "members" })),
			400,
			"invalidValue",
		);
		scimError(await api.patch(`/Groups/${group.id}`, patchOp({ op: "remove" })), 400, "noTarget");
		scimError(
			await api.patch(`/Groups/${group.id}`, patchOp({ op: "replace", path: "owner", value: "x" })),
			400,
			"invalidPath",
		);
		const roles = await env.DB.prepare("SELECT name, version FROM roles WHERE project_id = ?")
			.bind(p.projectId)
			.all();
		expect(roles.results).toEqual([{ name: "Taken", version: 1 }]);
		expect(await memberRows(group.id)).toEqual([]);
	});

	it("members created with the role or deleted through another API move the group's version", async () => {
		const p = await newProject();
		const api = scimClient(p.managementKey);
		const group = expectStatus(await api.post("/Groups", { displayName: "Cascade" }), 201);
		expectStatus(
			await mgmt(p).post("/v1/mgmt/user/create", { loginId: "c@example.com", roleNames: ["Cascade"] }),
			200,
		);
		const joined = expectStatus(await api.get(`/Groups/${group.id}`), 200);
		expect(joined.members).toHaveLength(1);
		expect(versionOf(joined.meta.version)).toBeGreaterThan(versionOf(group.meta.version));
		expectStatus(await mgmt(p).post("/v1/mgmt/user/delete", { loginId: "c@example.com" }), 200);
		const left = expectStatus(await api.get(`/Groups/${group.id}`), 200);
		expect(left.members).toEqual([]);
		expect(versionOf(left.meta.version)).toBeGreaterThan(versionOf(joined.meta.version));
	});

	it("a role change through another API moves the group's version too", async () => {
		const p = await newProject();
		const [a] = await users(p, ["a"]);
		const api = scimClient(p.managementKey);
		const group = expectStatus(await api.post("/Groups", { displayName: "Shared" }), 201);
		expectStatus(
			await mgmt(p).post("/v2/mgmt/user/update/role/add", {
				loginId: "a@example.com",
				roleNames: ["Shared"],
			}),
			200,
		);
		const read = expectStatus(await api.get(`/Groups/${group.id}`), 200);
		expect(members(read)).toEqual([a]);
		expect(read.meta.version).toBe('W/"2"');
		expectStatus(await mgmt(p).post("/v1/mgmt/role/update", { name: "Shared", newName: "Shared 2" }), 200);
		expect(expectStatus(await api.get(`/Groups/${group.id}`), 200).meta.version).toBe('W/"3"');
	});

	it("DELETE answers 204, the members lose the role; then 404", async () => {
		const p = await newProject();
		const [a] = await users(p, ["a"]);
		const api = scimClient(p.managementKey);
		const group = expectStatus(await api.post("/Groups", { displayName: "D", members: [{ value: a }] }), 201);
		const res = await api.delete(`/Groups/${group.id}`);
		expect(res.status).toBe(204);
		expect(await roleRow(group.id)).toBeNull();
		expect(await memberRows(group.id)).toEqual([]);
		scimError(await api.delete(`/Groups/${group.id}`), 404);
		scimError(await api.get(`/Groups/${group.id}`), 404);
	});
});

describe("a tenant-bound connection", () => {
	async function tenantFixture() {
		const p = await newProject();
		const api = mgmt(p);
		for (const id of ["t1", "t2"])
			expectStatus(await api.post("/v1/mgmt/tenant/create", { id, name: id }), 200);
		expectStatus(await api.post("/v1/mgmt/role/create", { name: "project-role" }), 200);
		expectStatus(await api.post("/v1/mgmt/role/create", { name: "t2-role", tenantId: "t2" }), 200);
		const [member] = await users(p, ["member"], ["t1"]);
		const [outsider] = await users(p, ["outsider"], ["t2"]);
		const [shared] = await users(p, ["shared"], ["t1", "t2"]);
		const key = await addManagementKey(p, { name: "scim t1", tenantIds: ["t1"] });
		return { p, member, outsider, shared, key: key.managementKey };
	}

	it("Groups are the tenant's roles; members are that tenant's members, held in that tenant", async () => {
		const f = await tenantFixture();
		const api = scimClient(f.key);
		expect(expectStatus(await api.get("/Groups"), 200)).toMatchObject({ totalResults: 0, Resources: [] });
		const group = expectStatus(
			await api.post("/Groups", {
				displayName: "T1 Admins",
				members: [{ value: f.member }, { value: f.shared }],
			}),
			201,
		);
		expect(await roleRow(group.id)).toMatchObject({ tenant_id: "t1" });
		expect(await memberRows(group.id)).toEqual(
			[f.member, f.shared].sort().map((user_id) => ({ user_id, tenant_id: "t1" })),
		);
		const loaded = expectStatus(await mgmt(f.p).get(`/v1/mgmt/user?userId=${f.member}`), 200);
		expect(loaded.user.roleNames).toEqual([]);
		expect(loaded.user.userTenants).toEqual([
			expect.objectContaining({ tenantId: "t1", roleNames: ["T1 Admins"] }),
		]);
		const listed = expectStatus(await api.get("/Groups"), 200);
		expect(listed.Resources.map((g: any) => g.displayName)).toEqual(["T1 Admins"]);
		// The same name is free in another scope: a project role and another tenant's role are not in it.
		expectStatus(await api.post("/Groups", { displayName: "project-role" }), 201);
		const log = await env.DB.prepare(
			"SELECT DISTINCT action, tenant_id FROM change_log WHERE project_id = ? AND action IN ('role.created', 'user.tenant_roles.added')",
		)
			.bind(f.p.projectId)
			.all();
		expect(log.results).toEqual(
			expect.arrayContaining([
				{ action: "role.created", tenant_id: "t1" },
				{ action: "user.tenant_roles.added", tenant_id: "t1" },
			]),
		);
	});

	it("refuses a member outside the tenant (naming the field), and cannot see project or other tenants' roles", async () => {
		const f = await tenantFixture();
		const api = scimClient(f.key);
		const group = expectStatus(await api.post("/Groups", { displayName: "Mine" }), 201);
		const refused = await api.patch(
			`/Groups/${group.id}`,
			patchOp({ op: "Add", path: "members", value: [{ value: f.member }, { value: f.outsider }] }),
		);
		scimError(refused, 400, "invalidValue", "Operations[0].value[1].value");
		expect(JSON.stringify(refused.body)).not.toContain(f.outsider);
		expect(await memberRows(group.id)).toEqual([]);
		const others = await env.DB.prepare("SELECT id FROM roles WHERE project_id = ? AND tenant_id != 't1'")
			.bind(f.p.projectId)
			.all<{ id: string }>();
		expect(others.results).toHaveLength(2);
		for (const { id } of others.results) {
			scimError(await api.get(`/Groups/${id}`), 404);
			scimError(await api.put(`/Groups/${id}`, { displayName: "stolen" }), 404);
			scimError(await api.patch(`/Groups/${id}`, patchOp({ op: "remove", path: "members" })), 404);
			// A malformed body on a group outside the connection is its 404 too.
			scimError(await api.patch(`/Groups/${id}`, patchOp({ op: "bogus" })), 404);
			scimError(await api.delete(`/Groups/${id}`), 404);
		}
		const names = await env.DB.prepare(
			"SELECT name FROM roles WHERE project_id = ? AND tenant_id != 't1' ORDER BY name",
		)
			.bind(f.p.projectId)
			.all();
		expect(names.results).toEqual([{ name: "project-role" }, { name: "t2-role" }]);
	});

	it("a member leaving the tenant leaves its groups, and the group's version moves on", async () => {
		const f = await tenantFixture();
		const api = scimClient(f.key);
		const group = expectStatus(
			await api.post("/Groups", { displayName: "G", members: [{ value: f.member }] }),
			201,
		);
		expectStatus(
			await mgmt(f.p).post("/v1/mgmt/user/update/tenant/remove", {
				loginId: "member@example.com",
				tenantId: "t1",
			}),
			200,
		);
		const read = expectStatus(await api.get(`/Groups/${group.id}`), 200);
		expect(read.members).toEqual([]);
		expect(versionOf(read.meta.version)).toBeGreaterThan(versionOf(group.meta.version));
	});

	it("a key bound to two tenants is refused (403)", async () => {
		const f = await tenantFixture();
		const two = await addManagementKey(f.p, { name: "two", tenantIds: ["t1", "t2"] });
		scimError(await scimClient(two.managementKey).get("/Groups"), 403);
		scimError(await scimClient(two.managementKey).post("/Groups", { displayName: "x" }), 403);
	});

	it("a read-only key lists but cannot create", async () => {
		const f = await tenantFixture();
		const ro = await addManagementKey(f.p, { name: "ro", readOnly: true });
		expectStatus(await scimClient(ro.managementKey).get("/Groups"), 200);
		scimError(await scimClient(ro.managementKey).post("/Groups", { displayName: "x" }), 403);
	});
});
