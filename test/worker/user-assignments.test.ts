// Roles, tenant memberships and SSO applications on users (`management.user.addTenant` … `removeSSOapps`;
// roleNames, userTenants, ssoAppIds on create/update/patch; search filters), including concurrency.
import { describe, expect, it } from "vitest";
import {
	createUser,
	expectDescopeError,
	expectStatus,
	expectWireUser,
	loadUser,
	type Mgmt,
	mgmt,
	newProject,
	search,
} from "./harness";

const TENANT_ADD = "/v1/mgmt/user/update/tenant/add";
const TENANT_REMOVE = "/v1/mgmt/user/update/tenant/remove";
const ROLE_ADD = "/v2/mgmt/user/update/role/add";
const ROLE_ADD_V1 = "/v1/mgmt/user/update/role/add";
const ROLE_SET = "/v1/mgmt/user/update/role/set";
const ROLE_REMOVE = "/v1/mgmt/user/update/role/remove";
const APP_ADD = "/v1/mgmt/user/update/ssoapp/add";
const APP_SET = "/v1/mgmt/user/update/ssoapp/set";
const APP_REMOVE = "/v1/mgmt/user/update/ssoapp/remove";

/** One userTenants entry as the wire shows it. */
const membership = (
	tenantId: string,
	tenantName: string,
	roleNames: string[] = [],
	permissions: string[] = [],
) => ({
	tenantId,
	tenantName,
	roleNames,
	permissions,
});

async function post(api: Mgmt, path: string, body: Record<string, unknown>) {
	return expectStatus(await api.post(path, body), 200).user;
}

/**
 * A project with permissions p.read, p.write, t.edit; tenants t1 "Acme" and t2 "Beta";
 * project roles viewer [p.read], editor [p.write], admin []; t1's own roles editor [t.edit]
 * (shadowing the project role) and t1only; t2's own role t2only; SSO apps app1, app2, app3.
 */
async function setup() {
	const project = await newProject();
	const api = mgmt(project);
	expectStatus(
		await api.post("/v1/mgmt/permission/create/batch", {
			permissions: [{ name: "p.read" }, { name: "p.write" }, { name: "t.edit" }],
		}),
		200,
	);
	for (const [id, name] of [
		["t1", "Acme"],
		["t2", "Beta"],
	]) {
		expectStatus(await api.post("/v1/mgmt/tenant/create", { id, name }), 200);
	}
	expectStatus(
		await api.post("/v1/mgmt/role/create/batch", {
			roles: [
				{ name: "viewer", permissionNames: ["p.read"] },
				{ name: "editor", permissionNames: ["p.write"] },
				{ name: "admin" },
				{ name: "editor", tenantId: "t1", permissionNames: ["t.edit"] },
				{ name: "t1only", tenantId: "t1" },
				{ name: "t2only", tenantId: "t2" },
			],
		}),
		200,
	);
	for (const id of ["app1", "app2", "app3"]) {
		expectStatus(
			await api.post("/v1/mgmt/sso/idp/app/oidc/create", {
				id,
				name: id,
				loginPageUrl: "https://example.com/login",
			}),
			200,
		);
	}
	return { project, api };
}

const roleId = async (api: Mgmt, name: string, tenantId = "") =>
	(expectStatus(await api.get("/v1/mgmt/role/all"), 200).roles as any[]).find(
		(r) => r.name === name && r.tenantId === tenantId,
	).id as string;

const tenantIdsOf = (user: any) => (user.userTenants as any[]).map((t) => t.tenantId).sort();

describe("POST /v1/mgmt/user/update/tenant/add and /remove", () => {
	it("adds a membership; the whole user comes back and is stored", async () => {
		const { api } = await setup();
		const created = await createUser(api, { loginId: "alice" });
		const user = await post(api, TENANT_ADD, { loginId: "alice", tenantId: "t1" });
		expectWireUser(user, {
			loginIds: ["alice"],
			userId: created.userId,
			createdTime: created.createdTime,
			userTenants: [membership("t1", "Acme")],
		});
		expect(await loadUser(api, "alice")).toEqual(user);
	});

	it("addresses the user by user id too, and adding twice keeps one membership", async () => {
		const { api } = await setup();
		const { userId } = await createUser(api, { loginId: "alice" });
		await post(api, TENANT_ADD, { loginId: userId, tenantId: "t1" });
		const user = await post(api, TENANT_ADD, { loginId: "alice", tenantId: "t1" });
		expect(user.userTenants).toEqual([membership("t1", "Acme")]);
	});

	it("gives a new member the tenant's default roles, and an existing member nothing more", async () => {
		const { api } = await setup();
		expectStatus(
			await api.post("/v1/mgmt/tenant/updateDefaultRoles", { id: "t1", defaultRoles: ["editor", "viewer"] }),
			200,
		);
		await createUser(api, { loginId: "alice" });
		const user = await post(api, TENANT_ADD, { loginId: "alice", tenantId: "t1" });
		// "editor" in t1 is t1's own role.
		expect(user.userTenants).toEqual([membership("t1", "Acme", ["editor", "viewer"], ["p.read", "t.edit"])]);
		await post(api, ROLE_REMOVE, { loginId: "alice", tenantId: "t1", roleNames: ["viewer"] });
		const again = await post(api, TENANT_ADD, { loginId: "alice", tenantId: "t1" });
		expect(again.userTenants).toEqual([membership("t1", "Acme", ["editor"], ["t.edit"])]);
	});

	it("removing a tenant removes the roles held there; re-adding does not bring them back", async () => {
		const { api } = await setup();
		await createUser(api, {
			loginId: "alice",
			roleNames: ["viewer"],
			userTenants: [
				{ tenantId: "t1", roleNames: ["editor", "t1only"] },
				{ tenantId: "t2", roleNames: ["t2only"] },
			],
		});
		const user = await post(api, TENANT_REMOVE, { loginId: "alice", tenantId: "t1" });
		expect(user.userTenants).toEqual([membership("t2", "Beta", ["t2only"])]);
		expect([user.roleNames, user.permissions]).toEqual([["viewer"], ["p.read"]]);
		const back = await post(api, TENANT_ADD, { loginId: "alice", tenantId: "t1" });
		expect(back.userTenants.find((t: any) => t.tenantId === "t1")).toEqual(membership("t1", "Acme"));
		expect((await search(api, { roleNames: ["t1only"] })).total).toBe(0);
	});

	it("removing a tenant the user is not in is a no-op", async () => {
		const { api } = await setup();
		const before = await createUser(api, { loginId: "alice", userTenants: [{ tenantId: "t1" }] });
		const user = await post(api, TENANT_REMOVE, { loginId: "alice", tenantId: "t2" });
		expect(user.userTenants).toEqual(before.userTenants);
	});

	it.each([TENANT_ADD, TENANT_REMOVE])(
		"%s: unknown tenant 400, unknown user 404, missing tenantId 400",
		async (path) => {
			const { api } = await setup();
			const before = await createUser(api, { loginId: "alice", userTenants: [{ tenantId: "t1" }] });
			expectDescopeError(
				await api.post(path, { loginId: "alice", tenantId: "nope" }),
				400,
				"E011004",
				"tenantId",
			);
			expectDescopeError(await api.post(path, { loginId: "ghost", tenantId: "t1" }), 404, "E062108");
			expectDescopeError(await api.post(path, { loginId: "alice" }), 400, "E011002", "tenantId");
			expectDescopeError(
				await api.post(path, { loginId: "alice", tenantId: "" }),
				400,
				"E011004",
				"tenantId",
			);
			expect(await loadUser(api, "alice")).toEqual(before);
		},
	);
});

describe("role add (v2 and v1 paths), set and remove", () => {
	it.each([ROLE_ADD, ROLE_ADD_V1])(
		"%s adds project roles incrementally; permissions follow",
		async (path) => {
			const { api } = await setup();
			const created = await createUser(api, { loginId: "alice" });
			const first = await post(api, path, { loginId: "alice", roleNames: ["viewer"] });
			expectWireUser(first, {
				loginIds: ["alice"],
				userId: created.userId,
				createdTime: created.createdTime,
				roleNames: ["viewer"],
				permissions: ["p.read"],
			});
			const second = await post(api, path, { loginId: "alice", roleNames: ["viewer", "editor", "admin"] });
			expect([second.roleNames, second.permissions]).toEqual([
				["admin", "editor", "viewer"],
				["p.read", "p.write"],
			]);
			expect(second.userTenants).toEqual([]);
			expect(await loadUser(api, "alice")).toEqual(second);
		},
	);

	it("adds tenant roles: a tenant's own role wins over the project role of the same name", async () => {
		const { api } = await setup();
		await createUser(api, { loginId: "alice", userTenants: [{ tenantId: "t1" }, { tenantId: "t2" }] });
		await post(api, ROLE_ADD, { loginId: "alice", tenantId: "t1", roleNames: ["editor", "t1only"] });
		const user = await post(api, ROLE_ADD_V1, {
			loginId: "alice",
			tenantId: "t2",
			roleNames: ["editor", "viewer"],
		});
		expect(user.roleNames).toEqual([]);
		expect(user.permissions).toEqual([]);
		expect([...user.userTenants].sort((a: any, b: any) => a.tenantId.localeCompare(b.tenantId))).toEqual([
			membership("t1", "Acme", ["editor", "t1only"], ["t.edit"]),
			membership("t2", "Beta", ["editor", "viewer"], ["p.read", "p.write"]),
		]);
	});

	it("a tenant role needs membership: 400 naming tenantId, nothing changed", async () => {
		const { api } = await setup();
		const before = await createUser(api, { loginId: "alice", userTenants: [{ tenantId: "t2" }] });
		for (const path of [ROLE_ADD, ROLE_SET]) {
			expectDescopeError(
				await api.post(path, { loginId: "alice", tenantId: "t1", roleNames: ["viewer"] }),
				400,
				"E011004",
				"tenantId",
			);
		}
		expectDescopeError(
			await api.post(ROLE_ADD, { loginId: "alice", tenantId: "nope", roleNames: ["viewer"] }),
			400,
			"E011004",
			"tenantId",
		);
		expect(await loadUser(api, "alice")).toEqual(before);
	});

	it.each([
		[{ roleNames: ["viewer", "ghost"] }, "roleNames[1]"],
		[{ roleNames: ["t1only"] }, "roleNames[0]"],
		[{ tenantId: "t1", roleNames: ["t2only"] }, "roleNames[0]"],
		[{ tenantId: "t2", roleNames: ["viewer", "t1only"] }, "roleNames[1]"],
	])(
		"an unknown role (%j) is 400 naming %s on add, set and remove, and nothing changes",
		async (body, field) => {
			const { api } = await setup();
			const before = await createUser(api, {
				loginId: "alice",
				roleNames: ["admin"],
				userTenants: [
					{ tenantId: "t1", roleNames: ["t1only"] },
					{ tenantId: "t2", roleNames: ["t2only"] },
				],
			});
			for (const path of [ROLE_ADD, ROLE_ADD_V1, ROLE_SET, ROLE_REMOVE]) {
				expectDescopeError(await api.post(path, { loginId: "alice", ...body }), 400, "E011004", field);
			}
			expect(await loadUser(api, "alice")).toEqual(before);
		},
	);

	it("add and remove need at least one role; an unknown user is 404", async () => {
		const { api } = await setup();
		await createUser(api, { loginId: "alice" });
		for (const path of [ROLE_ADD, ROLE_REMOVE]) {
			expectDescopeError(
				await api.post(path, { loginId: "alice", roleNames: [] }),
				400,
				"E011002",
				"roleNames",
			);
		}
		expectDescopeError(await api.post(ROLE_ADD, { loginId: "alice" }), 400, "E011002", "roleNames");
		expectDescopeError(await api.post(ROLE_ADD, { loginId: "ghost", roleNames: ["viewer"] }), 404, "E062108");
	});

	it("set replaces the project roles only; set [] clears them", async () => {
		const { api } = await setup();
		await createUser(api, {
			loginId: "alice",
			roleNames: ["viewer", "admin"],
			userTenants: [{ tenantId: "t1", roleNames: ["t1only"] }],
		});
		const user = await post(api, ROLE_SET, { loginId: "alice", roleNames: ["editor"] });
		expect([user.roleNames, user.permissions]).toEqual([["editor"], ["p.write"]]);
		expect(user.userTenants).toEqual([membership("t1", "Acme", ["t1only"])]);
		const cleared = await post(api, ROLE_SET, { loginId: "alice", roleNames: [] });
		expect([cleared.roleNames, cleared.permissions]).toEqual([[], []]);
		expect(cleared.userTenants).toEqual([membership("t1", "Acme", ["t1only"])]);
	});

	it("set with tenantId replaces that tenant's roles only", async () => {
		const { api } = await setup();
		await createUser(api, {
			loginId: "alice",
			roleNames: ["viewer"],
			userTenants: [
				{ tenantId: "t1", roleNames: ["t1only"] },
				{ tenantId: "t2", roleNames: ["t2only"] },
			],
		});
		const user = await post(api, ROLE_SET, {
			loginId: "alice",
			tenantId: "t1",
			roleNames: ["editor", "admin"],
		});
		expect(user.roleNames).toEqual(["viewer"]);
		expect(user.userTenants.find((t: any) => t.tenantId === "t1")).toEqual(
			membership("t1", "Acme", ["admin", "editor"], ["t.edit"]),
		);
		expect(user.userTenants.find((t: any) => t.tenantId === "t2")).toEqual(
			membership("t2", "Beta", ["t2only"]),
		);
		const cleared = await post(api, ROLE_SET, { loginId: "alice", tenantId: "t1", roleNames: [] });
		expect(cleared.userTenants.find((t: any) => t.tenantId === "t1")).toEqual(membership("t1", "Acme"));
	});

	it("remove takes roles away project-wide or in one tenant; removing a role not held is a no-op", async () => {
		const { api } = await setup();
		await createUser(api, {
			loginId: "alice",
			roleNames: ["viewer", "editor"],
			userTenants: [{ tenantId: "t1", roleNames: ["viewer", "editor"] }],
		});
		const user = await post(api, ROLE_REMOVE, { loginId: "alice", roleNames: ["editor", "admin"] });
		expect([user.roleNames, user.permissions]).toEqual([["viewer"], ["p.read"]]);
		expect(user.userTenants).toEqual([membership("t1", "Acme", ["editor", "viewer"], ["p.read", "t.edit"])]);
		const t = await post(api, ROLE_REMOVE, { loginId: "alice", tenantId: "t1", roleNames: ["editor"] });
		expect(t.userTenants).toEqual([membership("t1", "Acme", ["viewer"], ["p.read"])]);
		expect(t.roleNames).toEqual(["viewer"]);
	});
});

describe("SSO application add, set and remove", () => {
	it("adds incrementally, sets, clears and removes", async () => {
		const { api } = await setup();
		const created = await createUser(api, { loginId: "alice" });
		const added = await post(api, APP_ADD, { loginId: "alice", ssoAppIds: ["app2"] });
		expectWireUser(added, {
			loginIds: ["alice"],
			userId: created.userId,
			createdTime: created.createdTime,
			ssoAppIds: ["app2"],
		});
		expect((await post(api, APP_ADD, { loginId: "alice", ssoAppIds: ["app1", "app2"] })).ssoAppIds).toEqual([
			"app1",
			"app2",
		]);
		expect(
			(await post(api, APP_REMOVE, { loginId: "alice", ssoAppIds: ["app1", "app3"] })).ssoAppIds,
		).toEqual(["app2"]);
		expect((await post(api, APP_SET, { loginId: "alice", ssoAppIds: ["app3", "app1"] })).ssoAppIds).toEqual([
			"app1",
			"app3",
		]);
		expect((await post(api, APP_SET, { loginId: "alice", ssoAppIds: [] })).ssoAppIds).toEqual([]);
		expect((await loadUser(api, "alice")).ssoAppIds).toEqual([]);
	});

	it.each([APP_ADD, APP_SET, APP_REMOVE])(
		"%s: an unknown app is 400 naming it, and nothing changes",
		async (path) => {
			const { api } = await setup();
			const before = await createUser(api, { loginId: "alice", ssoAppIds: ["app1"] });
			expectDescopeError(
				await api.post(path, { loginId: "alice", ssoAppIds: ["app2", "ghost"] }),
				400,
				"E011004",
				"ssoAppIds[1]",
			);
			expectDescopeError(await api.post(path, { loginId: "ghost", ssoAppIds: ["app1"] }), 404, "E062108");
			expectDescopeError(await api.post(path, { loginId: "alice" }), 400, "E011002", "ssoAppIds");
			expect(await loadUser(api, "alice")).toEqual(before);
		},
	);

	it("add and remove need at least one app", async () => {
		const { api } = await setup();
		await createUser(api, { loginId: "alice" });
		for (const path of [APP_ADD, APP_REMOVE]) {
			expectDescopeError(
				await api.post(path, { loginId: "alice", ssoAppIds: [] }),
				400,
				"E011002",
				"ssoAppIds",
			);
		}
	});
});

describe("roleNames, userTenants and ssoAppIds on create, update and patch", () => {
	it("create sets all three; tenant roles resolve in their tenant", async () => {
		const { api } = await setup();
		const user = await createUser(api, {
			loginId: "alice",
			roleNames: ["viewer", "editor"],
			userTenants: [
				{ tenantId: "t1", roleNames: ["editor"] },
				{ tenantId: "t2", roleNames: ["t2only", "viewer"] },
			],
			ssoAppIds: ["app2", "app1"],
		});
		expectWireUser(user, {
			loginIds: ["alice"],
			roleNames: ["editor", "viewer"],
			permissions: ["p.read", "p.write"],
			userTenants: expect.any(Array),
			ssoAppIds: ["app1", "app2"],
		});
		expect([...user.userTenants].sort((a: any, b: any) => a.tenantId.localeCompare(b.tenantId))).toEqual([
			membership("t1", "Acme", ["editor"], ["t.edit"]),
			membership("t2", "Beta", ["t2only", "viewer"], ["p.read"]),
		]);
		expect(await loadUser(api, "alice")).toEqual(user);
	});

	it("a new user created without roleNames gets the project's default roles; with roleNames, only those", async () => {
		const { api } = await setup();
		expectStatus(await api.post("/v1/mgmt/role/create", { name: "member", default: true }), 200);
		expectStatus(
			await api.post("/v1/mgmt/role/create", { name: "tmember", tenantId: "t1", default: true }),
			200,
		);
		expect((await createUser(api, { loginId: "a" })).roleNames).toEqual(["member"]);
		expect((await createUser(api, { loginId: "b", roleNames: ["viewer"] })).roleNames).toEqual(["viewer"]);
		const batch = expectStatus(
			await api.post("/v1/mgmt/user/create/batch", {
				users: [{ loginId: "c" }, { loginId: "d", roleNames: ["admin"] }],
			}),
			200,
		);
		expect(batch.createdUsers.map((u: any) => u.roleNames)).toEqual([["member"], ["admin"]]);
		// Existing users are not touched by default roles.
		expect((await loadUser(api, "b")).roleNames).toEqual(["viewer"]);
	});

	it("a userTenants entry without roleNames gets the tenant's default roles (create and update)", async () => {
		const { api } = await setup();
		expectStatus(
			await api.post("/v1/mgmt/tenant/updateDefaultRoles", { id: "t1", defaultRoles: ["t1only"] }),
			200,
		);
		const created = await createUser(api, {
			loginId: "alice",
			userTenants: [{ tenantId: "t1" }, { tenantId: "t2" }],
		});
		expect(created.userTenants.find((t: any) => t.tenantId === "t1")).toEqual(
			membership("t1", "Acme", ["t1only"]),
		);
		expect(created.userTenants.find((t: any) => t.tenantId === "t2")).toEqual(membership("t2", "Beta"));
		await createUser(api, { loginId: "bob" });
		const updated = await post(api, "/v1/mgmt/user/update", {
			loginId: "bob",
			userTenants: [{ tenantId: "t1" }],
		});
		expect(updated.userTenants).toEqual([membership("t1", "Acme", ["t1only"])]);
		const explicit = await createUser(api, {
			loginId: "carol",
			userTenants: [{ tenantId: "t1", roleNames: ["admin"] }],
		});
		expect(explicit.userTenants).toEqual([membership("t1", "Acme", ["admin"])]);
	});

	it.each([
		[{ roleNames: ["viewer", "ghost"] }, "roleNames[1]"],
		[{ roleNames: ["t1only"] }, "roleNames[0]"],
		[{ userTenants: [{ tenantId: "nope" }] }, "userTenants[0].tenantId"],
		[{ userTenants: [{ tenantId: "t1", roleNames: ["t2only"] }] }, "userTenants[0].roleNames[0]"],
		[{ userTenants: [{ tenantId: "t1" }, { tenantId: "t1" }] }, "userTenants[1].tenantId"],
		[{ ssoAppIds: ["app1", "ghost"] }, "ssoAppIds[1]"],
	])("create with %j is 400 E011004 naming %s, and no user is created", async (fields, field) => {
		const { api } = await setup();
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "alice", ...fields }),
			400,
			"E011004",
			field,
		);
		expect(await loadUser(api, "alice")).toBeNull();
	});

	it("a batch create reports the item with an unknown role and creates the others with theirs", async () => {
		const { api } = await setup();
		const body = expectStatus(
			await api.post("/v1/mgmt/user/create/batch", {
				users: [
					{ loginId: "a", roleNames: ["viewer"], userTenants: [{ tenantId: "t1", roleNames: ["t1only"] }] },
					{ loginId: "b", roleNames: ["ghost"] },
				],
			}),
			200,
		);
		expect(body.createdUsers.map((u: any) => [u.loginIds[0], u.roleNames, u.userTenants])).toEqual([
			["a", ["viewer"], [membership("t1", "Acme", ["t1only"])]],
		]);
		expect(body.failedUsers).toHaveLength(1);
		expect(body.failedUsers[0].failure).toContain("roleNames");
		expect(await loadUser(api, "b")).toBeNull();
	});

	it("update (overwrite) without roleNames, userTenants or ssoAppIds clears them", async () => {
		const { api } = await setup();
		await createUser(api, {
			loginId: "alice",
			roleNames: ["viewer"],
			userTenants: [{ tenantId: "t1", roleNames: ["editor"] }],
			ssoAppIds: ["app1"],
		});
		const user = await post(api, "/v1/mgmt/user/update", { loginId: "alice", displayName: "Alice" });
		expect([user.roleNames, user.permissions, user.userTenants, user.ssoAppIds]).toEqual([[], [], [], []]);
		expect(await loadUser(api, "alice")).toEqual(user);
		expect((await search(api, { tenantIds: ["t1"] })).total).toBe(0);
	});

	it("update (overwrite) replaces roleNames, userTenants and ssoAppIds with the given ones", async () => {
		const { api } = await setup();
		await createUser(api, {
			loginId: "alice",
			roleNames: ["viewer"],
			userTenants: [{ tenantId: "t1", roleNames: ["editor"] }],
			ssoAppIds: ["app1"],
		});
		const user = await post(api, "/v1/mgmt/user/update", {
			loginId: "alice",
			roleNames: ["admin"],
			userTenants: [{ tenantId: "t2", roleNames: ["t2only"] }],
			ssoAppIds: ["app3"],
		});
		expect([user.roleNames, user.userTenants, user.ssoAppIds]).toEqual([
			["admin"],
			[membership("t2", "Beta", ["t2only"])],
			["app3"],
		]);
	});

	it.each([
		[{ roleNames: ["ghost"] }, "roleNames[0]"],
		[{ userTenants: [{ tenantId: "t1", roleNames: ["t2only"] }] }, "userTenants[0].roleNames[0]"],
		[{ ssoAppIds: ["ghost"] }, "ssoAppIds[0]"],
	])("update and patch with %j are 400 naming %s, and nothing changes", async (fields, field) => {
		const { api } = await setup();
		const before = await createUser(api, {
			loginId: "alice",
			displayName: "Alice",
			roleNames: ["viewer"],
			userTenants: [{ tenantId: "t1", roleNames: ["editor"] }],
			ssoAppIds: ["app1"],
		});
		expectDescopeError(
			await api.post("/v1/mgmt/user/update", { loginId: "alice", displayName: "Changed", ...fields }),
			400,
			"E011004",
			field,
		);
		expectDescopeError(
			await api.patch("/v1/mgmt/user/patch", { loginId: "alice", displayName: "Changed", ...fields }),
			400,
			"E011004",
			field,
		);
		expect(await loadUser(api, "alice")).toEqual(before);
	});

	it("patch changes only the assignments given", async () => {
		const { api } = await setup();
		await createUser(api, {
			loginId: "alice",
			roleNames: ["viewer"],
			userTenants: [{ tenantId: "t1", roleNames: ["editor"] }],
			ssoAppIds: ["app1"],
		});
		const a = expectStatus(
			await api.patch("/v1/mgmt/user/patch", { loginId: "alice", displayName: "A" }),
			200,
		).user;
		expect([a.roleNames, a.userTenants, a.ssoAppIds]).toEqual([
			["viewer"],
			[membership("t1", "Acme", ["editor"], ["t.edit"])],
			["app1"],
		]);
		const b = expectStatus(
			await api.patch("/v1/mgmt/user/patch", { loginId: "alice", roleNames: ["admin"] }),
			200,
		).user;
		expect([b.roleNames, b.userTenants, b.ssoAppIds]).toEqual([
			["admin"],
			[membership("t1", "Acme", ["editor"], ["t.edit"])],
			["app1"],
		]);
		const c = expectStatus(
			await api.patch("/v1/mgmt/user/patch", {
				loginId: "alice",
				userTenants: [{ tenantId: "t2", roleNames: ["t2only"] }],
			}),
			200,
		).user;
		expect([c.roleNames, c.userTenants, c.ssoAppIds]).toEqual([
			["admin"],
			[membership("t2", "Beta", ["t2only"])],
			["app1"],
		]);
		const d = expectStatus(
			await api.patch("/v1/mgmt/user/patch", { loginId: "alice", ssoAppIds: [] }),
			200,
		).user;
		expect([d.roleNames, d.userTenants, d.ssoAppIds]).toEqual([
			["admin"],
			[membership("t2", "Beta", ["t2only"])],
			[],
		]);
		expect(await loadUser(api, "alice")).toEqual(d);
	});

	it("patch batch sets roles per user", async () => {
		const { api } = await setup();
		await createUser(api, { loginId: "a" });
		await createUser(api, { loginId: "b", ssoAppIds: ["app1"] });
		const body = expectStatus(
			await api.patch("/v1/mgmt/user/patch/batch", {
				users: [
					{ loginId: "a", roleNames: ["viewer"] },
					{ loginId: "b", userTenants: [{ tenantId: "t1", roleNames: ["t1only"] }] },
				],
			}),
			200,
		);
		expect(body.patchedUsers.map((u: any) => [u.roleNames, u.userTenants, u.ssoAppIds])).toEqual([
			[["viewer"], [], []],
			[[], [membership("t1", "Acme", ["t1only"])], ["app1"]],
		]);
	});
});

describe("deletes and renames reach every user", () => {
	it("deleting a role used by many users removes it from all of them", async () => {
		const { api } = await setup();
		expectStatus(
			await api.post("/v1/mgmt/role/create", { name: "doomed", permissionNames: ["p.write"] }),
			200,
		);
		const users = Array.from({ length: 40 }, (_, i) => ({
			loginId: `u${i}`,
			roleNames: ["doomed", "viewer"],
			userTenants: [{ tenantId: "t1", roleNames: ["doomed"] }],
		}));
		expect(
			expectStatus(await api.post("/v1/mgmt/user/create/batch", { users }), 200).createdUsers,
		).toHaveLength(40);
		expect((await search(api, { roleNames: ["doomed"] })).total).toBe(40);
		expectStatus(await api.post("/v1/mgmt/role/delete", { name: "doomed" }), 200);
		expect((await search(api, { roleNames: ["doomed"] })).total).toBe(0);
		const all = await search(api, { limit: 100 });
		expect(all.total).toBe(40);
		for (const user of all.users) {
			expect([user.roleNames, user.permissions, user.userTenants]).toEqual([
				["viewer"],
				["p.read"],
				[membership("t1", "Acme")],
			]);
		}
	});

	it("a role rename shows on users, project-wide and in tenants", async () => {
		const { api } = await setup();
		await createUser(api, {
			loginId: "alice",
			roleNames: ["viewer"],
			userTenants: [{ tenantId: "t1", roleNames: ["viewer"] }],
		});
		expectStatus(
			await api.post("/v1/mgmt/role/update", {
				name: "viewer",
				newName: "reader",
				permissionNames: ["p.read"],
			}),
			200,
		);
		const user = await loadUser(api, "alice");
		expect(user.roleNames).toEqual(["reader"]);
		expect(user.userTenants).toEqual([membership("t1", "Acme", ["reader"], ["p.read"])]);
		expect((await search(api, { roleNames: ["reader"] })).loginIds).toEqual(["alice"]);
	});

	it("a tenant rename shows as tenantName", async () => {
		const { api } = await setup();
		await createUser(api, { loginId: "alice", userTenants: [{ tenantId: "t1" }] });
		expectStatus(await api.post("/v1/mgmt/tenant/update", { id: "t1", name: "Acme Inc" }), 200);
		expect((await loadUser(api, "alice")).userTenants).toEqual([membership("t1", "Acme Inc")]);
	});

	it("deleting an SSO app removes it from every user", async () => {
		const { api } = await setup();
		await createUser(api, { loginId: "a", ssoAppIds: ["app1", "app2"] });
		await createUser(api, { loginId: "b", ssoAppIds: ["app1"] });
		expectStatus(await api.post("/v1/mgmt/sso/idp/app/delete", { id: "app1" }), 200);
		expect((await loadUser(api, "a")).ssoAppIds).toEqual(["app2"]);
		expect((await loadUser(api, "b")).ssoAppIds).toEqual([]);
		expect((await search(api, { ssoAppIds: ["app1"] })).total).toBe(0);
	});
});

describe("a change to a user's object moves its modified time (search fromModifiedTime)", () => {
	const pause = () => new Promise((resolve) => setTimeout(resolve, 15));

	/** alice holds viewer [p.read], t1 with t1only, app1; bob holds nothing. */
	async function seeded() {
		const { api } = await setup();
		await createUser(api, {
			loginId: "alice",
			roleNames: ["viewer"],
			userTenants: [{ tenantId: "t1", roleNames: ["t1only"] }],
			ssoAppIds: ["app1"],
		});
		await createUser(api, { loginId: "bob" });
		return api;
	}

	/** Login ids of the users whose modified time moved while `path` was called with `body`. */
	async function modifiedBy(api: Mgmt, path: string, body: Record<string, unknown>) {
		await pause();
		const mark = Date.now();
		await pause();
		expectStatus(await api.post(path, body), 200);
		return (await search(api, { fromModifiedTime: mark })).loginIds;
	}

	it.each([
		[
			"a role rename",
			"/v1/mgmt/role/update",
			{ name: "viewer", newName: "reader", permissionNames: ["p.read"] },
		],
		["a role's permissions", "/v1/mgmt/role/update", { name: "viewer", newName: "viewer" }],
		["a permission rename", "/v1/mgmt/permission/update", { name: "p.read", newName: "p.view" }],
		["a role delete", "/v1/mgmt/role/delete", { name: "viewer" }],
		["a tenant role delete", "/v1/mgmt/role/delete", { name: "t1only", tenantId: "t1" }],
		["an SSO app delete", "/v1/mgmt/sso/idp/app/delete", { id: "app1" }],
		["a cascading tenant delete", "/v1/mgmt/tenant/delete", { id: "t1", cascade: true }],
		["an add-role", ROLE_ADD, { loginId: "alice", roleNames: ["admin"] }],
		["a remove-tenant", TENANT_REMOVE, { loginId: "alice", tenantId: "t1" }],
		["a set-apps", APP_SET, { loginId: "alice", ssoAppIds: [] }],
	])("%s", async (_label, path, body) => {
		const api = await seeded();
		expect(await modifiedBy(api, path, body)).toEqual(["alice"]);
	});

	it("an SSO app update changes no user", async () => {
		const api = await seeded();
		const body = { id: "app1", name: "renamed", loginPageUrl: "https://example.com/login" };
		expect(await modifiedBy(api, "/v1/mgmt/sso/idp/app/oidc/update", body)).toEqual([]);
	});

	// Deleting a permission changes the derived permissions of the users holding it, as an update does.
	it("a permission delete", async () => {
		const api = await seeded();
		expect(await modifiedBy(api, "/v1/mgmt/permission/delete", { name: "p.read" })).toEqual(["alice"]);
	});

	// Users show the tenant's name (tenantName), so a rename touches its members, as a role rename does.
	it("a tenant rename", async () => {
		const api = await seeded();
		expect(await modifiedBy(api, "/v1/mgmt/tenant/update", { id: "t1", name: "Acme Inc" })).toEqual([
			"alice",
		]);
	});
});

describe("search filters", () => {
	/**
	 * alice: project viewer; t1 [editor(t1), t1only]; app1
	 * bob:   project editor; t1 [t1only]; t2 [editor(project)]; app2
	 * carol: t2 [t2only, viewer]; app1, app2
	 * dave:  nothing
	 */
	async function seeded() {
		const { api, project } = await setup();
		await createUser(api, {
			loginId: "alice",
			roleNames: ["viewer"],
			userTenants: [{ tenantId: "t1", roleNames: ["editor", "t1only"] }],
			ssoAppIds: ["app1"],
		});
		await createUser(api, {
			loginId: "bob",
			roleNames: ["editor"],
			userTenants: [
				{ tenantId: "t1", roleNames: ["t1only"] },
				{ tenantId: "t2", roleNames: ["editor"] },
			],
			ssoAppIds: ["app2"],
		});
		await createUser(api, {
			loginId: "carol",
			userTenants: [{ tenantId: "t2", roleNames: ["t2only", "viewer"] }],
			ssoAppIds: ["app1", "app2"],
		});
		await createUser(api, { loginId: "dave" });
		return { api, project };
	}
	const found = async (api: Mgmt, body: Record<string, unknown>) => (await search(api, body)).loginIds;

	it("tenantIds: member of at least one", async () => {
		const { api } = await seeded();
		expect(await found(api, { tenantIds: ["t1"] })).toEqual(["alice", "bob"]);
		expect(await found(api, { tenantIds: ["t1", "t2"] })).toEqual(["alice", "bob", "carol"]);
		expect(await found(api, { tenantIds: ["nope"] })).toEqual([]);
	});

	it("roleNames: holds one of them, project-wide or in any tenant", async () => {
		const { api } = await seeded();
		expect(await found(api, { roleNames: ["viewer"] })).toEqual(["alice", "carol"]);
		expect(await found(api, { roleNames: ["editor"] })).toEqual(["alice", "bob"]);
		expect(await found(api, { roleNames: ["t2only", "t1only"] })).toEqual(["alice", "bob", "carol"]);
	});

	it("tenantRoleIds: one of (and:false) or all of (and:true) these roles in that tenant", async () => {
		const { api } = await seeded();
		const t1editor = await roleId(api, "editor", "t1");
		const t1only = await roleId(api, "t1only", "t1");
		const editor = await roleId(api, "editor");
		const t2only = await roleId(api, "t2only", "t2");
		const viewer = await roleId(api, "viewer");
		expect(await found(api, { tenantRoleIds: { t1: { values: [t1editor, t1only] } } })).toEqual([
			"alice",
			"bob",
		]);
		expect(await found(api, { tenantRoleIds: { t1: { values: [t1editor, t1only], and: false } } })).toEqual([
			"alice",
			"bob",
		]);
		expect(await found(api, { tenantRoleIds: { t1: { values: [t1editor, t1only], and: true } } })).toEqual([
			"alice",
		]);
		// The project role "editor" bob holds in t2 is not held in t1.
		expect(await found(api, { tenantRoleIds: { t1: { values: [editor] } } })).toEqual([]);
		expect(await found(api, { tenantRoleIds: { t2: { values: [editor] } } })).toEqual(["bob"]);
		expect(await found(api, { tenantRoleIds: { t2: { values: [t2only, viewer], and: true } } })).toEqual([
			"carol",
		]);
		// Two tenants: both conditions hold.
		expect(
			await found(api, { tenantRoleIds: { t1: { values: [t1only] }, t2: { values: [editor] } } }),
		).toEqual(["bob"]);
	});

	it("tenantRoleNames: names resolve to the tenant's own role first, else the project role", async () => {
		const { api } = await seeded();
		expect(await found(api, { tenantRoleNames: { t1: { values: ["editor"] } } })).toEqual(["alice"]);
		expect(await found(api, { tenantRoleNames: { t2: { values: ["editor"] } } })).toEqual(["bob"]);
		expect(
			await found(api, { tenantRoleNames: { t1: { values: ["editor", "t1only"], and: false } } }),
		).toEqual(["alice", "bob"]);
		expect(
			await found(api, { tenantRoleNames: { t1: { values: ["editor", "t1only"], and: true } } }),
		).toEqual(["alice"]);
		expect(
			await found(api, { tenantRoleNames: { t2: { values: ["viewer", "t2only"], and: true } } }),
		).toEqual(["carol"]);
		expect(
			await found(api, { tenantRoleNames: { t2: { values: ["viewer", "editor"], and: true } } }),
		).toEqual([]);
		expect(await found(api, { tenantRoleNames: { t1: { values: ["viewer"] } } })).toEqual([]);
	});

	// `and: true` counts distinct ids, so a repeated id still matches.
	it("tenantRoleIds with and:true tolerates a repeated id, like tenantRoleNames", async () => {
		const { api } = await seeded();
		const t1only = await roleId(api, "t1only", "t1");
		expect(
			await found(api, { tenantRoleNames: { t1: { values: ["t1only", "t1only"], and: true } } }),
		).toEqual(["alice", "bob"]);
		expect(await found(api, { tenantRoleIds: { t1: { values: [t1only, t1only], and: true } } })).toEqual([
			"alice",
			"bob",
		]);
	});

	// Each tenant binds its own SQL parameters and D1 allows 100 per statement: many tenants either
	// search or are refused with a 400, never a 500.
	it.each(["tenantRoleIds", "tenantRoleNames"])("%s over 40 tenants never answers 500", async (field) => {
		const { api } = await seeded();
		const filter = Object.fromEntries(
			Array.from({ length: 40 }, (_, i) => [
				i === 0 ? "t1" : `x${i}`,
				{ values: [i === 0 ? "t1only" : "r"] },
			]),
		);
		if (field === "tenantRoleIds") filter.t1 = { values: [await roleId(api, "t1only", "t1")] };
		const res = await api.post("/v2/mgmt/user/search", { [field]: filter });
		expect([200, 400], JSON.stringify(res.body)).toContain(res.status);
		if (res.status === 200)
			expect(res.body.total).toBe(0); // every tenant's condition must hold
		else expectDescopeError(res, 400, "E011004", field);
	});

	it("ssoAppIds: has one of them", async () => {
		const { api } = await seeded();
		expect(await found(api, { ssoAppIds: ["app1"] })).toEqual(["alice", "carol"]);
		expect(await found(api, { ssoAppIds: ["app1", "app2"] })).toEqual(["alice", "bob", "carol"]);
	});

	it("filters combine with AND, and total counts the matches", async () => {
		const { api } = await seeded();
		const res = await search(api, { tenantIds: ["t2"], ssoAppIds: ["app1"], roleNames: ["viewer"] });
		expect([res.loginIds, res.total]).toEqual([["carol"], 1]);
	});
});

describe("cross-project isolation", () => {
	it("project B cannot use project A's tenants, roles or apps", async () => {
		const { api: a } = await setup();
		const b = mgmt(await newProject());
		await createUser(b, { loginId: "bob" });
		expectDescopeError(
			await b.post(TENANT_ADD, { loginId: "bob", tenantId: "t1" }),
			400,
			"E011004",
			"tenantId",
		);
		expectDescopeError(
			await b.post(ROLE_ADD, { loginId: "bob", roleNames: ["viewer"] }),
			400,
			"E011004",
			"roleNames",
		);
		expectDescopeError(
			await b.post(APP_ADD, { loginId: "bob", ssoAppIds: ["app1"] }),
			400,
			"E011004",
			"ssoAppIds",
		);
		expectDescopeError(
			await b.post("/v1/mgmt/user/create", { loginId: "x", userTenants: [{ tenantId: "t1" }] }),
			400,
			"E011004",
			"userTenants",
		);
		expectDescopeError(
			await b.patch("/v1/mgmt/user/patch", { loginId: "bob", roleNames: ["viewer"], ssoAppIds: ["app1"] }),
			400,
			"E011004",
		);
		const bob = await loadUser(b, "bob");
		expect([bob.roleNames, bob.userTenants, bob.ssoAppIds]).toEqual([[], [], []]);
		// A's users are out of B's reach by login id and user id.
		const alice = await createUser(a, { loginId: "alice" });
		expectDescopeError(await b.post(TENANT_ADD, { loginId: alice.userId, tenantId: "t1" }), 404, "E062108");
		expectDescopeError(await b.post(ROLE_SET, { loginId: "alice", roleNames: [] }), 404, "E062108");
	});

	it("the same ids in two projects stay apart: deleting in A leaves B's users alone", async () => {
		const { api: a } = await setup();
		const { api: b } = await setup();
		const spec = {
			loginId: "alice",
			roleNames: ["viewer"],
			userTenants: [{ tenantId: "t1", roleNames: ["t1only"] }],
			ssoAppIds: ["app1"],
		};
		await createUser(a, spec);
		const inB = await createUser(b, spec);
		// Searching B with A's role ids finds nothing; B's own ids find B's user.
		const aRole = await roleId(a, "t1only", "t1");
		const bRole = await roleId(b, "t1only", "t1");
		expect(aRole).not.toBe(bRole);
		expect((await search(b, { tenantRoleIds: { t1: { values: [aRole] } } })).total).toBe(0);
		expect((await search(b, { tenantRoleIds: { t1: { values: [bRole] } } })).loginIds).toEqual(["alice"]);
		expectStatus(await a.post("/v1/mgmt/tenant/delete", { id: "t1", cascade: true }), 200);
		expectStatus(await a.post("/v1/mgmt/role/delete", { name: "viewer" }), 200);
		expectStatus(await a.post("/v1/mgmt/sso/idp/app/delete", { id: "app1" }), 200);
		expect(await loadUser(b, "alice")).toEqual(inB);
		const inA = await loadUser(a, "alice");
		expect([inA.roleNames, inA.userTenants, inA.ssoAppIds]).toEqual([[], [], []]);
	});
});

describe("concurrency", () => {
	it("50 concurrent add-role calls with 50 different roles leave all 50", async () => {
		const { api } = await setup();
		const names = Array.from({ length: 50 }, (_, i) => `r${String(i).padStart(2, "0")}`);
		expectStatus(
			await api.post("/v1/mgmt/role/create/batch", { roles: names.map((name) => ({ name })) }),
			200,
		);
		await createUser(api, { loginId: "alice" });
		const results = await Promise.all(
			names.map((name) => api.post(ROLE_ADD, { loginId: "alice", roleNames: [name] })),
		);
		for (const res of results) expectStatus(res, 200);
		expect((await loadUser(api, "alice")).roleNames).toEqual(names);
	});

	it("50 concurrent tenant-role adds in one tenant leave all 50", async () => {
		const { api } = await setup();
		const names = Array.from({ length: 50 }, (_, i) => `tr${String(i).padStart(2, "0")}`);
		expectStatus(
			await api.post("/v1/mgmt/role/create/batch", {
				roles: names.map((name) => ({ name, tenantId: "t1" })),
			}),
			200,
		);
		await createUser(api, { loginId: "alice", userTenants: [{ tenantId: "t1" }] });
		const results = await Promise.all(
			names.map((name) => api.post(ROLE_ADD, { loginId: "alice", tenantId: "t1", roleNames: [name] })),
		);
		for (const res of results) expectStatus(res, 200);
		expect((await loadUser(api, "alice")).userTenants[0].roleNames).toEqual(names);
	});

	it("concurrent tenant adds and removes never lose or resurrect memberships", async () => {
		const { api } = await setup();
		const ids = Array.from({ length: 30 }, (_, i) => `c${String(i).padStart(2, "0")}`);
		for (const id of ids) expectStatus(await api.post("/v1/mgmt/tenant/create", { id, name: id }), 200);
		await createUser(api, {
			loginId: "alice",
			userTenants: ids.slice(0, 20).map((tenantId) => ({ tenantId })),
		});
		const results = await Promise.all([
			...ids.slice(0, 10).map((tenantId) => api.post(TENANT_REMOVE, { loginId: "alice", tenantId })),
			...ids.slice(20).map((tenantId) => api.post(TENANT_ADD, { loginId: "alice", tenantId })),
		]);
		for (const res of results) expectStatus(res, 200);
		expect(tenantIdsOf(await loadUser(api, "alice"))).toEqual(ids.slice(10));
	});

	it("concurrent SSO app adds and removes compose", async () => {
		const { api } = await setup();
		const apps = Array.from({ length: 20 }, (_, i) => `a${String(i).padStart(2, "0")}`);
		for (const id of apps) {
			expectStatus(
				await api.post("/v1/mgmt/sso/idp/app/oidc/create", {
					id,
					name: id,
					loginPageUrl: "https://x.test/login",
				}),
				200,
			);
		}
		await createUser(api, { loginId: "alice", ssoAppIds: apps.slice(0, 10) });
		const results = await Promise.all([
			...apps.slice(0, 5).map((id) => api.post(APP_REMOVE, { loginId: "alice", ssoAppIds: [id] })),
			...apps.slice(10).map((id) => api.post(APP_ADD, { loginId: "alice", ssoAppIds: [id] })),
		]);
		for (const res of results) expectStatus(res, 200);
		expect((await loadUser(api, "alice")).ssoAppIds).toEqual(apps.slice(5));
	});

	it("a tenant role added while the membership is removed never comes back with a re-add", async () => {
		const { api } = await setup();
		await createUser(api, { loginId: "alice" });
		for (let round = 0; round < 10; round++) {
			await post(api, TENANT_ADD, { loginId: "alice", tenantId: "t1" });
			const [removed, added] = await Promise.all([
				api.post(TENANT_REMOVE, { loginId: "alice", tenantId: "t1" }),
				api.post(ROLE_ADD, { loginId: "alice", tenantId: "t1", roleNames: ["t1only"] }),
			]);
			expectStatus(removed, 200);
			// The add either ran first (then the remove took it away) or found no membership (400).
			expect([200, 400], JSON.stringify(added.body)).toContain(added.status);
			const back = await post(api, TENANT_ADD, { loginId: "alice", tenantId: "t1" });
			expect(back.userTenants, `round ${round}`).toEqual([membership("t1", "Acme")]);
			await post(api, TENANT_REMOVE, { loginId: "alice", tenantId: "t1" });
		}
	});

	it("users created while their role and tenant are deleted never get a 500 nor keep what was deleted", async () => {
		const { api } = await setup();
		expectStatus(await api.post("/v1/mgmt/role/create", { name: "brief" }), 200);
		expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "gone", name: "Gone" }), 200);
		const create = (i: number) =>
			api.post("/v1/mgmt/user/create", {
				loginId: `u${i}`,
				roleNames: ["brief"],
				userTenants: [{ tenantId: "gone" }],
			});
		const results = await Promise.all([
			...Array.from({ length: 10 }, (_, i) => create(i)),
			api.post("/v1/mgmt/role/delete", { name: "brief" }),
			api.post("/v1/mgmt/tenant/delete", { id: "gone", cascade: true }),
			...Array.from({ length: 10 }, (_, i) => create(10 + i)),
		]);
		for (const res of results) expect([200, 400, 409], JSON.stringify(res.body)).toContain(res.status);
		expect((await search(api, { roleNames: ["brief"] })).total).toBe(0);
		expect((await search(api, { tenantIds: ["gone"] })).total).toBe(0);
	});

	it("concurrent role deletes and adds leave no user holding a deleted role", async () => {
		const { api } = await setup();
		const names = Array.from({ length: 10 }, (_, i) => `gone${i}`);
		expectStatus(
			await api.post("/v1/mgmt/role/create/batch", { roles: names.map((name) => ({ name })) }),
			200,
		);
		for (let i = 0; i < 5; i++) await createUser(api, { loginId: `u${i}` });
		await Promise.all([
			...names.map((name) => api.post("/v1/mgmt/role/delete", { name })),
			...Array.from({ length: 5 }, (_, i) => api.post(ROLE_ADD, { loginId: `u${i}`, roleNames: names })),
		]);
		expect((await search(api, { roleNames: names })).total).toBe(0);
		for (let i = 0; i < 5; i++) expect((await loadUser(api, `u${i}`)).roleNames).toEqual([]);
	});
});
