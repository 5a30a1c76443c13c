// SCIM discovery (RFC 7644 §4, docs/scim.md): ServiceProviderConfig (and /serviceConfiguration),
// ResourceTypes and Schemas, behind the connection's key like every SCIM route.
import { describe, expect, it } from "vitest";
import { addManagementKey, BASE, call, expectStatus, mgmt, newProject } from "./harness";

const S = "/scim/v2";
const get = (path: string, key?: string) =>
	call("GET", `${S}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

describe("ServiceProviderConfig", () => {
	it("says what is supported, under both names", async () => {
		const p = await newProject();
		for (const path of ["/ServiceProviderConfig", "/serviceConfiguration"]) {
			const res = await get(path, p.managementKey);
			const config = expectStatus(res, 200);
			expect(res.headers.get("content-type")).toBe("application/scim+json");
			expect(config).toMatchObject({
				schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
				patch: { supported: true },
				bulk: { supported: true, maxOperations: 50, maxPayloadSize: 1_048_576 },
				filter: { supported: true, maxResults: 200 },
				changePassword: { supported: false },
				sort: { supported: true },
				etag: { supported: true },
				authenticationSchemes: [expect.objectContaining({ type: "oauthbearertoken", primary: true })],
				meta: { resourceType: "ServiceProviderConfig", location: `${BASE}${S}/ServiceProviderConfig` },
			});
		}
	});

	it("needs the key (401 in the SCIM envelope), and refuses a key bound to several tenants", async () => {
		const p = await newProject();
		for (const path of ["/ServiceProviderConfig", "/ResourceTypes", "/Schemas", "/Schemas/x"]) {
			const res = await get(path);
			expect(res.status, JSON.stringify(res.body)).toBe(401);
			expect(res.body).toMatchObject({
				schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
				status: "401",
			});
		}
		const api = mgmt(p);
		for (const id of ["t1", "t2"])
			expectStatus(await api.post("/v1/mgmt/tenant/create", { id, name: id }), 200);
		const two = await addManagementKey(p, { tenantIds: ["t1", "t2"] });
		expect((await get("/ServiceProviderConfig", two.managementKey)).status).toBe(403);
		const one = await addManagementKey(p, { tenantIds: ["t1"] });
		expectStatus(await get("/ServiceProviderConfig", one.managementKey), 200);
		const readOnly = await addManagementKey(p, { readOnly: true });
		expectStatus(await get("/Schemas", readOnly.managementKey), 200);
	});
});

describe("ResourceTypes", () => {
	it("lists User (with the enterprise extension) and Group, and reads each", async () => {
		const p = await newProject();
		const list = expectStatus(await get("/ResourceTypes", p.managementKey), 200);
		expect(list).toMatchObject({
			schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
			totalResults: 2,
			itemsPerPage: 2,
			startIndex: 1,
		});
		// Microsoft's validator checks Resources[0].endpoint.
		expect(list.Resources[0]).toMatchObject({
			schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
			id: "User",
			endpoint: "/Users",
			schema: "urn:ietf:params:scim:schemas:core:2.0:User",
			schemaExtensions: [
				{ schema: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", required: false },
			],
			meta: { resourceType: "ResourceType", location: `${BASE}${S}/ResourceTypes/User` },
		});
		expect(list.Resources[1]).toMatchObject({ id: "Group", endpoint: "/Groups" });
		expect(expectStatus(await get("/ResourceTypes/Group", p.managementKey), 200).endpoint).toBe("/Groups");
		const missing = await get("/ResourceTypes/Device", p.managementKey);
		expect(missing.status).toBe(404);
		expect(missing.body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
	});
});

describe("Schemas", () => {
	it("describes core User, enterprise User and Group with the attributes Roster stores", async () => {
		const p = await newProject();
		const res = await get("/Schemas", p.managementKey);
		const list = expectStatus(res, 200);
		expect(list.totalResults).toBe(3);
		expect(list.Resources.map((s: any) => s.id)).toEqual([
			"urn:ietf:params:scim:schemas:core:2.0:User",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
			"urn:ietf:params:scim:schemas:core:2.0:Group",
		]);
		// Microsoft's validator looks for the core User schema's description.
		expect(JSON.stringify(list)).toContain("User Account");
		const user = list.Resources[0];
		const names = user.attributes.map((a: any) => a.name);
		expect(names).toEqual(
			expect.arrayContaining([
				"userName",
				"name",
				"displayName",
				"active",
				"emails",
				"phoneNumbers",
				"groups",
			]),
		);
		expect(user.attributes.find((a: any) => a.name === "userName")).toMatchObject({
			type: "string",
			required: true,
			uniqueness: "server",
			multiValued: false,
		});
		expect(user.attributes.find((a: any) => a.name === "groups").mutability).toBe("readOnly");
		const enterprise = expectStatus(
			await get("/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", p.managementKey),
			200,
		);
		expect(enterprise.attributes.map((a: any) => a.name)).toEqual([
			"employeeNumber",
			"costCenter",
			"organization",
			"division",
			"department",
			"manager",
		]);
		expect(enterprise.meta).toEqual({
			resourceType: "Schema",
			location: `${BASE}${S}/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`,
		});
		const group = expectStatus(
			await get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group", p.managementKey),
			200,
		);
		expect(group.attributes.map((a: any) => a.name)).toEqual(["displayName", "members"]);
		expect(group.attributes[1].subAttributes.map((a: any) => a.name)).toEqual([
			"value",
			"$ref",
			"display",
			"type",
		]);
		expect((await get("/Schemas/urn:nope", p.managementKey)).status).toBe(404);
	});
});

describe("the OpenAPI document", () => {
	it("declares the discovery, Groups and Bulk routes under the one Bearer requirement they enforce", async () => {
		const doc = expectStatus(await call("GET", `${S}/openapi.json`), 200);
		expect(doc.components.securitySchemes.Bearer).toMatchObject({ type: "http", scheme: "bearer" });
		for (const [path, method] of [
			[`${S}/ServiceProviderConfig`, "get"],
			[`${S}/serviceConfiguration`, "get"],
			[`${S}/ResourceTypes`, "get"],
			[`${S}/ResourceTypes/{id}`, "get"],
			[`${S}/Schemas`, "get"],
			[`${S}/Schemas/{id}`, "get"],
			[`${S}/Groups`, "get"],
			[`${S}/Groups`, "post"],
			[`${S}/Groups/{id}`, "patch"],
			[`${S}/Bulk`, "post"],
		] as const) {
			const operation = doc.paths?.[path]?.[method];
			expect(operation, `${method} ${path}`).toBeDefined();
			expect(operation.security, `${method} ${path}`).toEqual([{ Bearer: [] }]);
		}
	});
});
