// SCIM Users (RFC 7643 §4.1, RFC 7644 §3; docs/scim.md) through real HTTP: create, read, list,
// replace, delete, the enterprise extension, what Microsoft Entra and Okta send, tenant and
// project connections, deactivation ending sessions, ETags.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	addManagementKey,
	BASE,
	createUser,
	defineAttributes,
	expectStatus,
	mgmt,
	type TestProject,
} from "./harness";
import {
	CORE,
	scimClient as client,
	ENTERPRISE,
	is,
	LIST,
	patchOp,
	type ScimClient,
	scim,
	scimError,
	setup,
	userRow,
} from "./support/scim";
import { expectLive, expectRevoked, PASSWORD, signedIn, signIn } from "./support/sessions";

const provisioned = async (id: string) =>
	env.DB.prepare("SELECT connection FROM scim_provisioned_users WHERE user_id = ?")
		.bind(id)
		.first<{ connection: string }>();

const memberships = async (id: string) =>
	(
		await env.DB.prepare("SELECT tenant_id FROM user_tenants WHERE user_id = ? ORDER BY tenant_id")
			.bind(id)
			.all<{ tenant_id: string }>()
	).results.map((r) => r.tenant_id);

/** Entra's first request of its validator ("Post EnterpriseUser"), with JSON content type and key case as sent. */
const entraUser = (userName: string) => ({
	userName,
	active: true,
	displayName: "lennay",
	schemas: [ENTERPRISE, CORE],
	externalId: "ext-1",
	name: { formatted: "Adrew Ryan", familyName: "Ryan", givenName: "Andrew" },
	emails: [
		{ Primary: true, type: "work", value: `${userName.toLowerCase()}@example.com` },
		{ Primary: false, type: "home", value: `${userName.toLowerCase()}@home.example` },
	],
	[ENTERPRISE]: { Department: "bob", Manager: { Value: "SuzzyQ" } },
});

describe("POST /Users", () => {
	it("creates the user: 201, Location, ETag, the core and enterprise attributes as sent", async () => {
		const { p, api } = await setup();
		const res = await api.post("/Users", entraUser("UserName222"), { "content-type": "application/json" });
		const user = is(res, 201);
		expect(res.headers.get("content-type")).toContain("application/scim+json");
		expect(user).toEqual({
			schemas: [CORE, ENTERPRISE],
			id: expect.stringMatching(/^U/),
			externalId: "ext-1",
			userName: "UserName222",
			name: { formatted: "Adrew Ryan", familyName: "Ryan", givenName: "Andrew" },
			displayName: "lennay",
			active: true,
			emails: [
				{ value: "username222@example.com", type: "work", primary: true },
				{ value: "username222@home.example", type: "home" },
			],
			[ENTERPRISE]: { department: "bob", manager: { value: "SuzzyQ" } },
			meta: {
				resourceType: "User",
				created: expect.any(String),
				lastModified: expect.any(String),
				location: `${BASE}/scim/v2/Users/${user.id}`,
				version: expect.stringMatching(/^W\/"\d+"$/),
			},
		});
		expect(res.headers.get("location")).toBe(user.meta.location);
		expect(res.headers.get("etag")).toBe(user.meta.version);
		const row = await userRow(user.id);
		expect(row).toMatchObject({ status: "enabled", email: "username222@example.com", name: "lennay" });
		expect(JSON.parse(String(row?.custom_attributes))).toMatchObject({
			department: "bob",
			manager: "SuzzyQ",
			scimExternalId: "ext-1",
			formattedName: "Adrew Ryan",
		});
		// Recorded as provisioned by the project connection ("").
		expect(await provisioned(user.id)).toEqual({ connection: "" });
		// The definitions the values need were created in the same write.
		const defs = await env.DB.prepare(
			"SELECT name, type FROM custom_attribute_definitions WHERE project_id = ? ORDER BY name",
		)
			.bind(p.projectId)
			.all<{ name: string; type: number }>();
		expect(defs.results).toEqual(
			expect.arrayContaining([
				{ name: "department", type: 1 },
				{ name: "emails", type: 5 },
				{ name: "scimExternalId", type: 1 },
			]),
		);
	});

	it('accepts a body without schemas (lenient), and active as the string "False"', async () => {
		const { api } = await setup();
		const user = is(await api.post("/Users", { userName: "noschemas", active: "False" }), 201);
		expect(user).toMatchObject({ userName: "noschemas", active: false, schemas: [CORE] });
		expect((await userRow(user.id))?.status).toBe("disabled");
		const other = is(await api.post("/Users", { userName: "stringtrue", active: "True" }), 201);
		expect(other.active).toBe(true);
	});

	it("provisions users that share an externalId, an email and a non-E.164 phone (Microsoft's validator does)", async () => {
		const { api } = await setup();
		const body = (userName: string) => ({
			schemas: [CORE],
			userName,
			externalId: "22fbc523-6032-4c5f-939d-5d4850cf3e52",
			emails: [{ type: "work", primary: true, value: "anna33@gmail.com" }],
			phoneNumbers: [{ type: "work", primary: true, value: "312-320-0932" }],
			addresses: [{ type: "work", country: "Bermuda", primary: false }],
		});
		const first = is(await api.post("/Users", body("emp1")), 201);
		const second = is(await api.post("/Users", body("emp2")), 201);
		// The address is the first user's; the second keeps it as contact data only.
		expect((await userRow(first.id))?.email).toBe("anna33@gmail.com");
		expect((await userRow(second.id))?.email).toBeNull();
		expect((await userRow(second.id))?.phone).toBeNull();
		for (const u of [first, second]) {
			expect(u).toMatchObject({
				externalId: "22fbc523-6032-4c5f-939d-5d4850cf3e52",
				emails: [{ value: "anna33@gmail.com", type: "work", primary: true }],
				phoneNumbers: [{ value: "312-320-0932", type: "work", primary: true }],
				addresses: [{ type: "work", country: "Bermuda", primary: false }],
			});
		}
	});

	it("userName is unique case-insensitively: 409 uniqueness with a detail", async () => {
		const { api } = await setup();
		is(await api.post("/Users", { schemas: [CORE], userName: "Ada.Lovelace" }), 201);
		const res = await api.post("/Users", { schemas: [CORE], userName: "ada.lovelace" });
		scimError(res, 409, "uniqueness", "ada.lovelace");
	});

	it("refuses bad bodies with 400 naming the attribute, and writes nothing", async () => {
		const { p, api } = await setup();
		scimError(
			await api.post("/Users", { schemas: [CORE], displayName: "no user name" }),
			400,
			"invalidValue",
			"userName",
		);
		scimError(await api.post("/Users", { schemas: [CORE], userName: 42 }), 400, "invalidValue", "userName");
		scimError(
			await api.post("/Users", { userName: "x", displayName: ["a"] }),
			400,
			"invalidValue",
			"displayName",
		);
		scimError(await api.post("/Users", { userName: "x", active: "maybe" }), 400, "invalidValue", "active");
		scimError(await api.post("/Users", { userName: "x", emails: "a@b.c" }), 400, "invalidValue", "emails");
		scimError(
			await api.post("/Users", { userName: "x", emails: [{ value: "a@example.com", primary: "yes" }] }),
			400,
			"invalidValue",
			"emails[0].primary",
		);
		scimError(
			await api.post("/Users", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], userName: "x" }),
			400,
			"invalidValue",
			"schemas",
		);
		scimError(
			await api.post("/Users", { userName: "x", [ENTERPRISE]: { manager: 7 } }),
			400,
			"invalidValue",
			"manager",
		);
		scimError(
			await scim(p.managementKey, "POST", "/Users", {
				raw: '{"acve": tre,',
				headers: { "content-type": "application/json" },
			}),
			400,
			"invalidSyntax",
		);
		scimError(await api.post("/Users", ["not", "an", "object"]), 400, "invalidSyntax");
		// Refusals of the domain name the User's attributes.
		const idShaped = await api.post("/Users", { userName: `U${"0".repeat(27)}` });
		scimError(idShaped, 400, "invalidValue", "userName");
		expect(idShaped.body.detail).not.toContain("loginId");
		await defineAttributes(mgmt(p), { title: "number" });
		scimError(
			await api.post("/Users", { userName: "typed", title: "Engineer" }),
			400,
			"invalidValue",
			"title",
		);
		const count = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE project_id = ?")
			.bind(p.projectId)
			.first<{ n: number }>();
		expect(count?.n).toBe(0);
	});

	it("a tenant-bound key adds the user to its tenant and records its connection", async () => {
		const { p } = await setup();
		expectStatus(await mgmt(p).post("/v1/mgmt/tenant/create", { id: "acme", name: "Acme" }), 200);
		const key = await addManagementKey(p, { name: "scim-acme", tenantIds: ["acme"] });
		const acme = client(key.managementKey);
		const user = is(await acme.post("/Users", { schemas: [CORE], userName: "t.user" }), 201);
		expect(await memberships(user.id)).toEqual(["acme"]);
		expect(await provisioned(user.id)).toEqual({ connection: "acme" });
		// The Descope API shows where the user came from.
		expect(expectStatus(await mgmt(p).get(`/v1/mgmt/user?userId=${user.id}`), 200).user.SCIM).toBe(true);
		// A userName of a project user outside the tenant: 409, the tenant takes no account over.
		await createUser(mgmt(p), { loginId: "outsider@example.com" });
		scimError(
			await acme.post("/Users", { schemas: [CORE], userName: "Outsider@example.com" }),
			409,
			"uniqueness",
		);
	});

	it("a key bound to several tenants is refused (a SCIM connection is one tenant)", async () => {
		const { p } = await setup();
		for (const id of ["t1", "t2"])
			expectStatus(await mgmt(p).post("/v1/mgmt/tenant/create", { id, name: id }), 200);
		const key = await addManagementKey(p, { name: "two", tenantIds: ["t1", "t2"] });
		scimError(await client(key.managementKey).post("/Users", { userName: "x" }), 403);
		scimError(await client(key.managementKey).get("/Users"), 403);
	});
});

describe("GET /Users/{id}", () => {
	it("answers the user with its ETag, 304 on If-None-Match, 404 for an unknown id", async () => {
		const { api } = await setup();
		const created = is(await api.post("/Users", entraUser("reader")), 201);
		const res = await api.get(`/Users/${created.id}`);
		expect(is(res, 200)).toEqual(created);
		const etag = res.headers.get("etag") as string;
		expect(etag).toBe(created.meta.version);
		const cached = await api.get(`/Users/${created.id}`, { "if-none-match": etag });
		expect(cached.status).toBe(304);
		expect(cached.body).toBeNull();
		expect((await api.get(`/Users/${created.id}`, { "if-none-match": 'W/"999"' })).status).toBe(200);
		scimError(await api.get("/Users/U0000000000000000000000000000"), 404);
	});

	it("applies attributes and excludedAttributes; id, schemas and meta always stay", async () => {
		const { api } = await setup();
		const { id } = is(await api.post("/Users", entraUser("projected")), 201);
		const only = is(await api.get(`/Users/${id}?attributes=userName,name.givenName`), 200);
		expect(Object.keys(only).sort()).toEqual(["id", "meta", "name", "schemas", "userName"]);
		expect(only.name).toEqual({ givenName: "Andrew" });
		const ext = is(
			await api.get(`/Users/${id}?attributes=${encodeURIComponent(`${ENTERPRISE}:department`)}`),
			200,
		);
		expect(ext[ENTERPRISE]).toEqual({ department: "bob" });
		const work = is(
			await api.get(`/Users/${id}?attributes=${encodeURIComponent('emails[type eq "work"]')}`),
			200,
		);
		expect(work.emails).toEqual([{ value: "projected@example.com", type: "work", primary: true }]);
		const without = is(await api.get(`/Users/${id}?excludedAttributes=emails,${ENTERPRISE},meta`), 200);
		expect(without.emails).toBeUndefined();
		expect(without[ENTERPRISE]).toBeUndefined();
		expect(without.schemas).toEqual([CORE]);
		expect(without.meta).toBeDefined();
	});

	it("a tenant-bound key reads only its tenant's members", async () => {
		const { p, api } = await setup();
		expectStatus(await mgmt(p).post("/v1/mgmt/tenant/create", { id: "acme", name: "Acme" }), 200);
		const key = await addManagementKey(p, { name: "scim-acme", tenantIds: ["acme"] });
		const outside = is(await api.post("/Users", { userName: "outside" }), 201);
		scimError(await client(key.managementKey).get(`/Users/${outside.id}`), 404);
	});
});

describe("GET /Users", () => {
	it("answers a ListResponse with filters (quoted or not), paging and projection", async () => {
		const { api } = await setup();
		const empty = is(await api.get("/Users"), 200);
		expect(empty).toEqual({
			schemas: [LIST],
			totalResults: 0,
			startIndex: 1,
			itemsPerPage: 0,
			Resources: [],
		});
		const ids: string[] = [];
		for (const name of ["ann", "bob", "cat"]) {
			ids.push(is(await api.post("/Users", { ...entraUser(name), externalId: `ext-${name}` }), 201).id);
		}
		const byName = is(await api.get(`/Users?filter=${encodeURIComponent('userName eq "BOB"')}`), 200);
		expect(byName.Resources.map((u: any) => u.id)).toEqual([ids[1]]);
		const unquoted = is(await api.get(`/Users?filter=${encodeURIComponent("externalId eq ext-cat")}`), 200);
		expect(unquoted.Resources.map((u: any) => u.userName)).toEqual(["cat"]);
		const quoted = is(await api.get(`/Users?filter=${encodeURIComponent('externalId eq "ext-ann"')}`), 200);
		expect(quoted.Resources.map((u: any) => u.userName)).toEqual(["ann"]);
		const page = is(await api.get("/Users?startIndex=2&count=1&attributes=userName"), 200);
		expect(page).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
		expect(Object.keys(page.Resources[0]).sort()).toEqual(["id", "meta", "schemas", "userName"]);
		scimError(await api.get(`/Users?filter=${encodeURIComponent("userName eq")}`), 400, "invalidFilter");
		// Microsoft's validator: the endpoint in lower case, a trailing slash, unquoted values.
		const lower = is(await api.get(`/users/?filter=${encodeURIComponent("userName eq ann")}`), 200);
		expect(lower.Resources.map((u: any) => u.userName)).toEqual(["ann"]);
	});

	it("a tenant-bound key lists its tenant's members only", async () => {
		const { p, api } = await setup();
		expectStatus(await mgmt(p).post("/v1/mgmt/tenant/create", { id: "acme", name: "Acme" }), 200);
		const key = await addManagementKey(p, { name: "scim-acme", tenantIds: ["acme"] });
		is(await api.post("/Users", { userName: "project-only" }), 201);
		const member = is(await client(key.managementKey).post("/Users", { userName: "member" }), 201);
		const listed = is(await client(key.managementKey).get("/Users"), 200);
		expect(listed.Resources.map((u: any) => u.id)).toEqual([member.id]);
		expect(is(await api.get("/Users"), 200).totalResults).toBe(2);
	});
});

describe("PUT /Users/{id}", () => {
	it("replaces the user: what the body leaves out is cleared, userName may change", async () => {
		const { api } = await setup();
		const created = is(
			await api.post("/Users", { ...entraUser("replaced"), title: "Engineer", nickName: "Rep" }),
			201,
		);
		const res = await api.put(`/Users/${created.id}`, {
			schemas: [CORE],
			id: created.id,
			userName: "Replaced.New",
			name: { formatted: "NewName", familyName: "Leenay", givenName: "Ryan" },
			emails: [{ value: "new@example.com", type: "work", primary: true }],
			addresses: [{ country: "Germany", type: "work" }],
		});
		const user = is(res, 200);
		expect(user).toEqual({
			schemas: [CORE],
			id: created.id,
			userName: "Replaced.New",
			name: { formatted: "NewName", familyName: "Leenay", givenName: "Ryan" },
			active: true,
			emails: [{ value: "new@example.com", type: "work", primary: true }],
			addresses: [{ country: "Germany", type: "work" }],
			meta: expect.objectContaining({ version: res.headers.get("etag") }),
		});
		const row = await userRow(created.id);
		expect(row).toMatchObject({ email: "new@example.com", name: null });
		expect(JSON.parse(String(row?.login_ids))).toEqual(["Replaced.New"]);
		const attrs = JSON.parse(String(row?.custom_attributes));
		for (const gone of ["title", "nickName", "department", "manager", "scimExternalId"])
			expect(attrs[gone]).toBeUndefined();
		expect(is(await api.get(`/Users/${created.id}`), 200)).toEqual(user);
	});

	it("If-Match: the current version applies, another answers 412 invalidVers and changes nothing", async () => {
		const { api } = await setup();
		const created = is(await api.post("/Users", { schemas: [CORE], userName: "guarded" }), 201);
		scimError(
			await api.put(
				`/Users/${created.id}`,
				{ userName: "guarded", displayName: "Stale" },
				{ "if-match": 'W/"999"' },
			),
			412,
			"invalidVers",
		);
		expect((await userRow(created.id))?.name).toBeNull();
		const ok = await api.put(
			`/Users/${created.id}`,
			{ userName: "guarded", displayName: "Fresh" },
			{ "if-match": created.meta.version },
		);
		expect(is(ok, 200).displayName).toBe("Fresh");
		expect(ok.headers.get("etag")).not.toBe(created.meta.version);
	});

	it("refuses a body without userName (400) and an unknown id (404)", async () => {
		const { api } = await setup();
		const created = is(await api.post("/Users", { schemas: [CORE], userName: "kept" }), 201);
		scimError(
			await api.put(`/Users/${created.id}`, { schemas: [CORE], userame: "typo" }),
			400,
			"invalidValue",
			"userName",
		);
		scimError(await api.put("/Users/U0000000000000000000000000000", { userName: "x" }), 404);
		expect(is(await api.get(`/Users/${created.id}`), 200).userName).toBe("kept");
	});

	it("a userName another user holds (in any case) is a 409 uniqueness", async () => {
		const { api } = await setup();
		is(await api.post("/Users", { userName: "taken" }), 201);
		const other = is(await api.post("/Users", { userName: "other" }), 201);
		scimError(await api.put(`/Users/${other.id}`, { userName: "TAKEN" }), 409, "uniqueness");
	});
});

describe("DELETE /Users/{id}", () => {
	it("a project key deletes the user: 204, then 404", async () => {
		const { api } = await setup();
		const created = is(await api.post("/Users", { schemas: [CORE], userName: "gone" }), 201);
		const res = await api.delete(`/Users/${created.id}`);
		expect(res.status).toBe(204);
		expect(res.body).toBeNull();
		expect(await userRow(created.id)).toBeNull();
		scimError(await api.get(`/Users/${created.id}`), 404);
		scimError(await api.delete(`/Users/${created.id}`), 404);
	});

	it("If-Match on DELETE: another version is 412 and the user stays", async () => {
		const { api } = await setup();
		const created = is(await api.post("/Users", { userName: "kept" }), 201);
		scimError(await api.delete(`/Users/${created.id}`, { "if-match": 'W/"12345"' }), 412, "invalidVers");
		expect(await userRow(created.id)).not.toBeNull();
		expect((await api.delete(`/Users/${created.id}`, { "if-match": created.meta.version })).status).toBe(204);
	});

	it("a tenant key deletes a user it created who is in no other tenant", async () => {
		const { p } = await setup();
		expectStatus(await mgmt(p).post("/v1/mgmt/tenant/create", { id: "acme", name: "Acme" }), 200);
		const key = await addManagementKey(p, { name: "scim-acme", tenantIds: ["acme"] });
		const acme = client(key.managementKey);
		const user = is(await acme.post("/Users", { userName: "leaver" }), 201);
		expect((await acme.delete(`/Users/${user.id}`)).status).toBe(204);
		expect(await userRow(user.id)).toBeNull();
		expect(await provisioned(user.id)).toBeNull();
	});

	it("a tenant key only removes the membership of a user another tenant holds too", async () => {
		const { p } = await setup();
		for (const id of ["acme", "other"])
			expectStatus(await mgmt(p).post("/v1/mgmt/tenant/create", { id, name: id }), 200);
		const key = await addManagementKey(p, { name: "scim-acme", tenantIds: ["acme"] });
		const acme = client(key.managementKey);
		const user = is(await acme.post("/Users", { userName: "shared" }), 201);
		expectStatus(
			await mgmt(p).post("/v1/mgmt/user/update/tenant/add", { loginId: "shared", tenantId: "other" }),
			200,
		);
		expect((await acme.delete(`/Users/${user.id}`)).status).toBe(204);
		expect(await memberships(user.id)).toEqual(["other"]);
		scimError(await acme.get(`/Users/${user.id}`), 404);
	});

	it("a tenant key only removes the membership of a user it did not create", async () => {
		const { p } = await setup();
		expectStatus(await mgmt(p).post("/v1/mgmt/tenant/create", { id: "acme", name: "Acme" }), 200);
		const key = await addManagementKey(p, { name: "scim-acme", tenantIds: ["acme"] });
		const existing = await createUser(mgmt(p), {
			loginId: "native@example.com",
			userTenants: [{ tenantId: "acme" }],
		});
		expect((await client(key.managementKey).delete(`/Users/${existing.userId}`)).status).toBe(204);
		expect(await userRow(existing.userId)).not.toBeNull();
		expect(await memberships(existing.userId)).toEqual([]);
		scimError(await client(key.managementKey).delete(`/Users/${existing.userId}`), 404);
	});
});

describe("deactivation", () => {
	async function signedInScimUser(p: TestProject, api: ScimClient) {
		const user = is(await api.post("/Users", { schemas: [CORE], userName: "worker@example.com" }), 201);
		expectStatus(
			await mgmt(p).post("/v1/mgmt/user/password/set/active", {
				loginId: "worker@example.com",
				password: PASSWORD,
			}),
			200,
		);
		const { refreshJwt } = await signedIn(p, "worker@example.com");
		await expectLive(p, refreshJwt);
		return { id: user.id as string, refreshJwt: refreshJwt as string };
	}

	it('active "False" (Entra\'s PATCH) disables the user and ends their sessions at once; "True" re-enables', async () => {
		const { p, api } = await setup();
		const { id, refreshJwt } = await signedInScimUser(p, api);
		const off = await api.patch(`/Users/${id}`, patchOp({ op: "Replace", path: "active", value: "False" }));
		expect(is(off, 200).active).toBe(false);
		expect((await userRow(id))?.status).toBe("disabled");
		await expectRevoked(p, refreshJwt);
		expect((await signIn(p, "worker@example.com")).status).not.toBe(200);
		const on = await api.patch(`/Users/${id}`, patchOp({ op: "Replace", path: "active", value: "True" }));
		expect(is(on, 200).active).toBe(true);
		expect((await userRow(id))?.status).toBe("enabled");
		await signedIn(p, "worker@example.com");
	});

	it("a PUT with active false ends the sessions too", async () => {
		const { p, api } = await setup();
		const { id, refreshJwt } = await signedInScimUser(p, api);
		expect(
			is(await api.put(`/Users/${id}`, { userName: "worker@example.com", active: false }), 200).active,
		).toBe(false);
		await expectRevoked(p, refreshJwt);
		// A replace that leaves active out keeps the user disabled.
		expect(
			is(await api.put(`/Users/${id}`, { userName: "worker@example.com", title: "Back" }), 200).active,
		).toBe(false);
		expect((await userRow(id))?.status).toBe("disabled");
	});
});

describe("concurrency and the OpenAPI document", () => {
	it("concurrent PATCHes without If-Match both land (neither is lost)", async () => {
		const { api } = await setup();
		const { id } = is(await api.post("/Users", { schemas: [CORE], userName: "busy" }), 201);
		const [a, b] = await Promise.all([
			api.patch(`/Users/${id}`, patchOp({ op: "add", path: "title", value: "Lead" })),
			api.patch(`/Users/${id}`, patchOp({ op: "add", path: "nickName", value: "Busy" })),
		]);
		is(a, 200);
		is(b, 200);
		expect(is(await api.get(`/Users/${id}`), 200)).toMatchObject({ title: "Lead", nickName: "Busy" });
	});

	it("/scim/v2/openapi.json declares the Users operations with their answers", async () => {
		const res = await exports.default.fetch(`${BASE}/scim/v2/openapi.json`);
		const doc = (await res.json()) as any;
		const users = doc.paths["/scim/v2/Users"];
		const one = doc.paths["/scim/v2/Users/{id}"];
		expect(Object.keys(users).sort()).toEqual(expect.arrayContaining(["get", "post"]));
		expect(Object.keys(one)).toEqual(expect.arrayContaining(["get", "put", "patch", "delete"]));
		expect(Object.keys(users.post.responses)).toEqual(expect.arrayContaining(["201", "400", "409"]));
		expect(Object.keys(one.patch.responses)).toEqual(expect.arrayContaining(["200", "404", "412"]));
		expect(Object.keys(one.delete.responses)).toEqual(expect.arrayContaining(["204", "404"]));
	});
});
