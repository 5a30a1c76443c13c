// Size limits (docs/security.md): one limit on request bodies, refused with 413 in the dialect's
// envelope before parsing (on Content-Length and on a streamed body), and the field limits of
// tenants, roles, permissions, SSO applications, custom attribute definitions, management keys
// and projects, the same whichever dialect writes. A refused request writes nothing.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from "../../src/domain/limits";
import {
	BASE,
	bearer,
	call,
	expectDescopeError,
	expectStatus,
	loadUser,
	mgmt,
	newProject,
	operatorHeaders,
	rawPost,
	type TestProject,
} from "./harness";
import { apikey, JSONAPI, V4 } from "./v4-harness";

const TWO_MB = 2 * 1024 * 1024;
/** A JSON object of the given size whose `name` is the padding: valid JSON, just too large. */
const bigJson = (fields: Record<string, unknown>, size = TWO_MB) => {
	const head = JSON.stringify(fields).slice(0, -1);
	return `${head},"name":"${"x".repeat(size - head.length - 12)}"}`;
};

/** Sends `body` with a Content-Length (a string body) or as a stream of 64 KB chunks (none). */
async function send(
	method: string,
	path: string,
	body: string,
	headers: Record<string, string>,
	streamed: boolean,
) {
	const bytes = new TextEncoder().encode(body);
	const stream = new ReadableStream<Uint8Array>({
		start(controller) {
			for (let i = 0; i < bytes.length; i += 65_536) controller.enqueue(bytes.subarray(i, i + 65_536));
			controller.close();
		},
	});
	const res = await exports.default.fetch(`${BASE}${path}`, {
		method,
		headers,
		body: streamed ? stream : body,
		...(streamed ? { duplex: "half" } : {}),
	} as RequestInit);
	const text = await res.text();
	return { status: res.status, text, body: JSON.parse(text), headers: res.headers };
}

const json = { "content-type": "application/json" };

describe.each([
	["with Content-Length", false],
	["streamed, without Content-Length", true],
])("a 2 MB body is 413 before parsing (%s)", (_, streamed) => {
	const expect413Descope = (res: Awaited<ReturnType<typeof send>>) => {
		expect(res.status, res.text).toBe(413);
		expect(res.body, res.text).toEqual({
			errorCode: "E011413",
			errorDescription: "Payload too large",
			errorMessage: expect.stringContaining(String(MAX_BODY_BYTES)),
		});
	};

	it("Descope management /v1/mgmt: nothing written", async () => {
		const p = await newProject();
		const headers = { ...bearer(p), ...json };
		expect413Descope(
			await send("POST", "/v1/mgmt/user/create", bigJson({ loginId: "big" }), headers, streamed),
		);
		expect(await loadUser(mgmt(p), "big")).toBeNull();
	});

	it("Descope management /v2/mgmt", async () => {
		const p = await newProject();
		const res = await send(
			"POST",
			"/v2/mgmt/user/search",
			bigJson({ text: "a" }),
			{ ...bearer(p), ...json },
			streamed,
		);
		expect413Descope(res);
	});

	it("Descope end-user /v1/auth: nobody signed up", async () => {
		const p = await newProject();
		const headers = { authorization: `Bearer ${p.projectId}`, ...json };
		const body = bigJson({ loginId: "big@example.com", password: "Str0ng!Passw0rd" });
		expect413Descope(await send("POST", "/v1/auth/password/signup", body, headers, streamed));
		expect(await loadUser(mgmt(p), "big@example.com")).toBeNull();
	});

	it("operator: no project created", async () => {
		const body = bigJson({ tag: "too-big-project" });
		const headers = { ...operatorHeaders, ...json };
		expect413Descope(await send("POST", "/v1/operator/projects", body, headers, streamed));
		const listed = expectStatus(
			await call("GET", "/v1/operator/projects?limit=1000", { headers: operatorHeaders }),
			200,
		);
		expect(listed.projects.some((p: any) => p.name.startsWith("xxx"))).toBe(false);
	});

	it("v4: a JSON:API error document, no user created", async () => {
		const p = await newProject();
		const body = `{"data":{"type":"users","attributes":{"contact_details":{"email":"big@example.com"},"name":"${"x".repeat(TWO_MB)}"}}}`;
		const res = await send("POST", `${V4}/users`, body, { ...apikey(p), "content-type": JSONAPI }, streamed);
		expect(res.status, res.text).toBe(413);
		expect(res.headers.get("content-type")).toContain(JSONAPI);
		expect(res.body.errors, res.text).toEqual([
			expect.objectContaining({ status: "413", code: "payload_too_large", title: "Payload too large" }),
		]);
		expect(await loadUser(mgmt(p), "big@example.com")).toBeNull();
	});

	it("legacy: its own envelope, no user created", async () => {
		const p = await newProject();
		const body = bigJson({ email: "big@example.com" });
		const res = await send("POST", "/api/management/user", body, { ...apikey(p), ...json }, streamed);
		expect(res.status, res.text).toBe(413);
		expect(res.body, res.text).toEqual({
			error: "payload_too_large",
			message: expect.any(String),
			errors: [],
		});
		expect(await loadUser(mgmt(p), "big@example.com")).toBeNull();
	});
});

it("parses a body just under the limit (a field limit answers, not 413)", async () => {
	const p = await newProject();
	const body = bigJson({ loginId: "almost" }, MAX_BODY_BYTES - 100);
	expectDescopeError(await rawPost(p, "/v1/mgmt/role/create", body), 400, "E011004", "name");
});

it("passes a streamed body under the limit on to the handler", async () => {
	const p = await newProject();
	const role = await send(
		"POST",
		"/v1/mgmt/role/create",
		'{"name":"streamed"}',
		{ ...bearer(p), ...json },
		true,
	);
	expect(role.status, role.text).toBe(200);
	const doc = '{"data":{"type":"users","attributes":{"contact_details":{"email":"s@example.com"}}}}';
	const user = await send("POST", `${V4}/users`, doc, { ...apikey(p), "content-type": JSONAPI }, true);
	expect(user.status, user.text).toBe(201);
});

it("answers 413 to an unauthenticated 2 MB body too (checked before the key)", async () => {
	const res = await send(
		"POST",
		"/v1/mgmt/user/create",
		bigJson({}),
		{ authorization: "Bearer P1:nope", ...json },
		false,
	);
	expect(res.status, res.text).toBe(413);
});

// ---------------------------------------------------------------- JSON depth

/** `[[[…0…]]]` nested `depth` deep. */
const nested = (depth: number) => JSON.parse(`${"[".repeat(depth)}0${"]".repeat(depth)}`);
const defineWithDefault = (p: TestProject, defaultValue: unknown) =>
	mgmt(p).post("/v1/mgmt/user/customattribute/create", {
		attributes: [{ name: "deep", type: 1, displayName: "Deep", defaultValue }],
	});

describe("JSON depth (MAX_JSON_DEPTH)", () => {
	it("refuses a custom attribute defaultValue nested 1,001 deep (was a 500)", async () => {
		const p = await newProject();
		expectDescopeError(
			await defineWithDefault(p, nested(1001)),
			400,
			"E011004",
			"attributes[0].defaultValue",
		);
		expect(expectStatus(await mgmt(p).get("/v1/mgmt/user/customattributes"), 200).data).toEqual([]);
	});

	it("refuses a defaultValue nested 9 deep and keeps one nested 8 deep", async () => {
		const p = await newProject();
		expectDescopeError(await defineWithDefault(p, nested(9)), 400, "E011004", "defaultValue");
		expectStatus(await defineWithDefault(p, nested(8)), 200);
	});

	it("refuses deep tenant custom attributes and a deep key reBac", async () => {
		const p = await newProject();
		const api = mgmt(p);
		const tenant = await api.post("/v1/mgmt/tenant/create", {
			name: "t",
			customAttributes: { a: nested(20) },
		});
		expectDescopeError(tenant, 400, "E011004", "customAttributes.a");
		const key = await api.put("/v1/mgmt/managementkey", { name: "k", reBac: { a: nested(1001) } });
		expectDescopeError(key, 400, "E011004", "reBac");
	});
});

// ---------------------------------------------------------------- field limits

const long = (n: number) => "y".repeat(n);
const NEAR_1MB = 1_000_000;

describe("tenant limits", () => {
	it("refuses a 257-character name and keeps a 256-character one", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(
			await api.post("/v1/mgmt/tenant/create", { id: "t1", name: long(257) }),
			400,
			"E011004",
			"name",
		);
		expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "t2", name: long(MAX_NAME_LENGTH) }), 200);
		expectStatus(await api.get("/v1/mgmt/tenant?id=t2"), 200);
		expect((await api.get("/v1/mgmt/tenant?id=t1")).status).toBe(404);
	});

	it("refuses ~1 MB of custom attributes, one large value, and 101 domains", async () => {
		const api = mgmt(await newProject());
		const create = (body: Record<string, unknown>) =>
			api.post("/v1/mgmt/tenant/create", { id: "t", name: "t", ...body });
		expectDescopeError(
			await create({ customAttributes: { a: long(NEAR_1MB) } }),
			400,
			"E011004",
			"customAttributes",
		);
		const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, long(2000)]));
		expectDescopeError(await create({ customAttributes: many }), 400, "E011004", "customAttributes");
		const domains = Array.from({ length: 101 }, (_, i) => `d${i}.example.com`);
		expectDescopeError(
			await create({ selfProvisioningDomains: domains }),
			400,
			"E011004",
			"selfProvisioningDomains",
		);
		expect((await api.get("/v1/mgmt/tenant?id=t")).status).toBe(404);
	});

	it("refuses __proto__ among custom attributes (create and update)", async () => {
		const p = await newProject();
		const created = await rawPost(
			p,
			"/v1/mgmt/tenant/create",
			'{"id":"t","name":"t","customAttributes":{"__proto__":"x"}}',
		);
		expectDescopeError(created, 400, "E011004", "__proto__");
		expectStatus(await mgmt(p).post("/v1/mgmt/tenant/create", { id: "t", name: "t" }), 200);
		const updated = await rawPost(
			p,
			"/v1/mgmt/tenant/update",
			'{"id":"t","name":"t","customAttributes":{"__proto__":{"a":1}}}',
		);
		expectDescopeError(updated, 400, "E011004", "__proto__");
	});
});

describe("role and permission limits", () => {
	it("refuses a ~1 MB role description, a 1,025-character one and a 257-character name", async () => {
		const api = mgmt(await newProject());
		const create = (body: Record<string, unknown>) => api.post("/v1/mgmt/role/create", body);
		expectDescopeError(
			await create({ name: "r", description: long(NEAR_1MB) }),
			400,
			"E011004",
			"description",
		);
		expectDescopeError(
			await create({ name: "r", description: long(MAX_DESCRIPTION_LENGTH + 1) }),
			400,
			"E011004",
			"description",
		);
		expectDescopeError(await create({ name: long(257) }), 400, "E011004", "name");
		expect(expectStatus(await api.get("/v1/mgmt/role/all"), 200).roles).toEqual([]);
		expectStatus(await create({ name: "r", description: long(MAX_DESCRIPTION_LENGTH) }), 200);
	});

	it("refuses a too-long description on role update", async () => {
		const api = mgmt(await newProject());
		expectStatus(await api.post("/v1/mgmt/role/create", { name: "r" }), 200);
		const res = await api.post("/v1/mgmt/role/update", {
			name: "r",
			newName: "r",
			description: long(NEAR_1MB),
		});
		expectDescopeError(res, 400, "E011004", "description");
		const roles = expectStatus(await api.get("/v1/mgmt/role/all"), 200).roles;
		expect(roles.map((r: any) => r.description)).toEqual([""]);
	});

	it("refuses a too-long permission name or description", async () => {
		const api = mgmt(await newProject());
		const create = (body: Record<string, unknown>) => api.post("/v1/mgmt/permission/create", body);
		expectDescopeError(
			await create({ name: "p", description: long(NEAR_1MB) }),
			400,
			"E011004",
			"description",
		);
		expectDescopeError(await create({ name: long(257) }), 400, "E011004", "name");
		expect(expectStatus(await api.get("/v1/mgmt/permission/all"), 200).permissions).toEqual([]);
	});
});

describe("management key limits", () => {
	it("refuses a ~1 MB description, a 257-character name and 101 permitted IPs", async () => {
		const p = await newProject();
		const api = mgmt(p);
		const before = expectStatus(await api.get("/v1/mgmt/managementkey/search"), 200).keys.length;
		const create = (body: Record<string, unknown>) =>
			api.put("/v1/mgmt/managementkey", { name: "k", ...body });
		expectDescopeError(await create({ description: long(NEAR_1MB) }), 400, "E011004", "description");
		expectDescopeError(
			await create({ description: long(MAX_DESCRIPTION_LENGTH + 1) }),
			400,
			"E011004",
			"description",
		);
		expectDescopeError(await create({ name: long(257) }), 400, "E011004", "name");
		const ips = Array.from({ length: 101 }, (_, i) => `10.0.${Math.floor(i / 256)}.${i % 256}`);
		expectDescopeError(await create({ permittedIps: ips }), 400, "E011004", "permittedIps");
		expect(expectStatus(await api.get("/v1/mgmt/managementkey/search"), 200).keys.length).toBe(before);
	});

	it("refuses a ~1 MB description on update", async () => {
		const p = await newProject();
		const api = mgmt(p);
		const key = expectStatus(await api.put("/v1/mgmt/managementkey", { name: "k" }), 200).key;
		const res = await api.patch("/v1/mgmt/managementkey", {
			id: key.id,
			name: "k",
			description: long(NEAR_1MB),
		});
		expectDescopeError(res, 400, "E011004", "description");
	});
});

describe("SSO application limits", () => {
	it("refuses a too-long name, description or login page URL", async () => {
		const api = mgmt(await newProject());
		const create = (body: Record<string, unknown>) =>
			api.post("/v1/mgmt/sso/idp/app/oidc/create", {
				id: "app1",
				name: "a",
				loginPageUrl: "https://x.example/login",
				...body,
			});
		expectDescopeError(await create({ name: long(257) }), 400, "E011004", "name");
		expectDescopeError(await create({ description: long(NEAR_1MB) }), 400, "E011004", "description");
		expectDescopeError(
			await create({ loginPageUrl: `https://x.example/${long(2048)}` }),
			400,
			"E011004",
			"loginPageUrl",
		);
		expect(expectStatus(await api.get("/v1/mgmt/sso/idp/apps/load"), 200).apps).toEqual([]);
	});
});

describe("custom attribute definition limits", () => {
	const define = (p: TestProject, attribute: Record<string, unknown>) =>
		mgmt(p).post("/v1/mgmt/user/customattribute/create", {
			attributes: [{ name: "a", type: 1, ...attribute }],
		});

	it("refuses a 257-character displayName, 101 options and a large defaultValue", async () => {
		const p = await newProject();
		expectDescopeError(await define(p, { displayName: long(257) }), 400, "E011004", "displayName");
		const options = Array.from({ length: 101 }, (_, i) => ({ value: `v${i}`, label: `v${i}` }));
		expectDescopeError(await define(p, { type: 4, options }), 400, "E011004", "options");
		expectDescopeError(await define(p, { defaultValue: long(NEAR_1MB) }), 400, "E011004", "defaultValue");
		expect(expectStatus(await mgmt(p).get("/v1/mgmt/user/customattributes"), 200).data).toEqual([]);
	});

	it("refuses the name __proto__", async () => {
		const p = await newProject();
		expectDescopeError(await define(p, { name: "__proto__" }), 400, "E011004", "name");
	});
});

describe("__proto__ in user custom attributes", () => {
	it("refuses it on create: nothing written", async () => {
		const p = await newProject();
		const res = await rawPost(
			p,
			"/v1/mgmt/user/create",
			'{"loginId":"alice","customAttributes":{"__proto__":"x"}}',
		);
		expectDescopeError(res, 400, "E011004", "__proto__");
		expect(await loadUser(mgmt(p), "alice")).toBeNull();
	});

	it("refuses it in a batch create: nothing written", async () => {
		const p = await newProject();
		const body = '{"users":[{"loginId":"bob"},{"loginId":"alice","customAttributes":{"__proto__":"x"}}]}';
		expectDescopeError(await rawPost(p, "/v1/mgmt/user/create/batch", body), 400, "E011004", "__proto__");
		expect(await loadUser(mgmt(p), "bob")).toBeNull();
	});

	it("refuses it on update and patch", async () => {
		const p = await newProject();
		expectStatus(await mgmt(p).post("/v1/mgmt/user/create", { loginId: "alice" }), 200);
		const update = await rawPost(
			p,
			"/v1/mgmt/user/update",
			'{"loginId":"alice","customAttributes":{"__proto__":"x"}}',
		);
		expectDescopeError(update, 400, "E011004", "__proto__");
		const patch = await rawPost(
			p,
			"/v1/mgmt/user/patch",
			'{"loginId":"alice","customAttributes":{"__proto__":"x"}}',
			"PATCH",
		);
		expectDescopeError(patch, 400, "E011004", "__proto__");
	});
});

describe("project limits (operator)", () => {
	it("refuses a 257-character project name and keeps a 256-character one", async () => {
		const create = (name: string) =>
			call("POST", "/v1/operator/projects", { body: { name }, headers: operatorHeaders });
		expectDescopeError(await create(long(257)), 400, "E011004", "name");
		expectStatus(await create(long(MAX_NAME_LENGTH)), 201);
	});
});
