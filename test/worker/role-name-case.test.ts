import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { createUser, expectDescopeError, expectStatus, mgmt, newProject } from "./harness";
import { PASSWORD, signedIn } from "./support/sessions";

// Role and permission names are case-sensitive identifiers; tenant names are not (docs/descope-compat.md).

describe("name case", () => {
	it('roles "Admin" and "admin" coexist as two roles', async () => {
		const api = mgmt(await newProject());
		expectStatus(await api.post("/v1/mgmt/role/create", { name: "Admin" }), 200);
		expectStatus(await api.post("/v1/mgmt/role/create", { name: "admin" }), 200);
		const all = expectStatus(await api.get("/v1/mgmt/role/all"), 200);
		expect(all.roles.map((r: { name: string }) => r.name).sort()).toEqual(["Admin", "admin"]);
	});

	it('permissions "Read" and "read" coexist as two permissions', async () => {
		const api = mgmt(await newProject());
		expectStatus(await api.post("/v1/mgmt/permission/create", { name: "Read" }), 200);
		expectStatus(await api.post("/v1/mgmt/permission/create", { name: "read" }), 200);
		const all = expectStatus(await api.get("/v1/mgmt/permission/all"), 200);
		expect(all.permissions.map((r: { name: string }) => r.name).sort()).toEqual(["Read", "read"]);
	});

	it("a role name is signed into the JWT exactly as it was created", async () => {
		const p = await newProject();
		const api = mgmt(p);
		expectStatus(await api.post("/v1/mgmt/role/create", { name: "Admin" }), 200);
		await createUser(api, { loginId: "casey", roleNames: ["Admin"] });
		expectStatus(
			await api.post("/v1/mgmt/user/password/set/active", { loginId: "casey", password: PASSWORD }),
			200,
		);
		const jwt = (await signedIn(p, "casey")).sessionJwt as string;
		expect(decodeJwt(jwt).roles).toEqual(["Admin"]);
	});

	it('assigning "admin" when only "Admin" exists is refused', async () => {
		const api = mgmt(await newProject());
		expectStatus(await api.post("/v1/mgmt/role/create", { name: "Admin" }), 200);
		const res = await api.post("/v1/mgmt/user/create", { loginId: "lower", roleNames: ["admin"] });
		expect(res.status, JSON.stringify(res.body)).toBe(400);
	});

	it('tenant "acme" is refused when "Acme" exists', async () => {
		const api = mgmt(await newProject());
		expectStatus(await api.post("/v1/mgmt/tenant/create", { name: "Acme" }), 200);
		expectDescopeError(await api.post("/v1/mgmt/tenant/create", { name: "acme" }), 409, "E011409");
	});
});
