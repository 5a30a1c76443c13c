// The shared security and fuzz properties (auth-contract.test.ts, fuzz.test.ts) over the SCIM routes
// (docs/scim.md), taken from /scim/v2/openapi.json: every bad credential is refused in the RFC 7644
// error envelope, read-only and tenant-bound keys are held to their scope, and broken requests never
// get a 5xx and change nothing.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ERROR_SCHEMA, SCIM_MEDIA_TYPE, scimErrorSchema } from "../../src/api/scim/errors";
import { addManagementKey, call, expectStatus, mgmt, type TestProject } from "./harness";
import {
	expectNo5xx,
	expectRefusal,
	label,
	operations,
	plausibleBody,
	READ_ONLY,
	sendTo,
} from "./support/auth-contract-routes";
import {
	badCredentials,
	type CredentialCase,
	credentialProjects,
	FUZZ_TIMEOUT,
	fuzzProperty,
	itIsRouted,
	key,
} from "./support/dialect-contract";
import { changedTables, snapshot } from "./support/fuzz-check";
import type { Operation, Pool } from "./support/fuzz-openapi";
import { type FuzzProject, fuzzProject, SEED } from "./support/fuzz-project";
import { type FuzzRequest, fuzzRequest, strayRequest } from "./support/fuzz-requests";

const S = "/scim/v2";
const ops = operations.scim;
const isRead = (op: Pick<Operation, "method" | "path">) =>
	op.method === "GET" || op.path.endsWith("/.search");
const isBulk = (op: Pick<Operation, "path">) => op.path.endsWith("/Bulk");

async function roleId(projectId: string, name: string, tenantId = ""): Promise<string> {
	const row = await env.DB.prepare("SELECT id FROM roles WHERE project_id = ? AND name = ? AND tenant_id = ?")
		.bind(projectId, name, tenantId)
		.first<{ id: string }>();
	if (!row) throw new Error(`no role ${name} in ${projectId}`);
	return row.id;
}

/** The path parameters of an operation, naming the given user and role. */
function idsFor(op: Operation, ids: { user: string; role: string }): Record<string, string> {
	const id = /\/Groups\//.test(op.path)
		? ids.role
		: /\/Schemas\//.test(op.path)
			? "urn:ietf:params:scim:schemas:core:2.0:User"
			: /\/ResourceTypes\//.test(op.path)
				? "User"
				: ids.user;
	return Object.fromEntries(op.pathParams.map((name) => [name, id]));
}

/** Field values that reach the handlers: members and ids name the seeded user, groups the seeded role. */
const scimPool =
	(base: Pool, userId: string): Pool =>
	(field) => {
		if (/^(value|id|\$ref)$/i.test(field)) return userId;
		if (/^displayName$/i.test(field)) return SEED.role;
		if (/^userName$/i.test(field)) return SEED.loginId;
		if (/^op$/i.test(field)) return "replace";
		if (/^schemas?$/i.test(field)) return "urn:ietf:params:scim:api:messages:2.0:PatchOp";
		return base(field);
	};

/**
 * A body each SCIM write accepts (for a user or group that exists), so that what answers is the
 * lookup or the scope, not validation: a user, a group, a PatchOp, a Bulk request of one PATCH.
 */
function validBody(op: Operation, ids: { user: string; role: string }): unknown {
	if (op.method === "GET" || op.method === "DELETE") return undefined;
	const groups = op.path.includes("/Groups");
	const patchOp = {
		schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		Operations: [
			{ op: "replace", path: groups ? "displayName" : "active", value: groups ? "renamed" : false },
		],
	};
	if (op.method === "PATCH") return patchOp;
	if (isBulk(op))
		return {
			schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
			Operations: [
				{ method: "PATCH", path: `/Users/${ids.user}`, data: patchOp },
				{ method: "DELETE", path: `/Groups/${ids.role}` },
			],
		};
	return groups
		? { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: `g-${crypto.randomUUID()}` }
		: {
				schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
				userName: `u-${crypto.randomUUID()}@example.com`,
			};
}

/** Whether the operation names one user or group by its path. */
const namesResource = (op: Operation) => op.pathParams.length > 0 && !/Schemas|ResourceTypes/.test(op.path);

/** Why an answer is not the RFC 7644 §3.12 envelope (as src/api/scim/errors.ts declares it); null when it is. */
function scimProblem(answer: { status: number; headers: Headers; body: unknown }): string | null {
	const body = answer.body as Record<string, unknown> | undefined;
	if (!body || typeof body !== "object") return "the body is not a JSON object";
	if (!(answer.headers.get("content-type") ?? "").startsWith(SCIM_MEDIA_TYPE))
		return `not ${SCIM_MEDIA_TYPE}`;
	const parsed = scimErrorSchema.safeParse(body);
	if (!parsed.success)
		return `not the ScimError schema: ${parsed.error.issues.map((i) => i.path.join(".")).join(", ")}`;
	if (parsed.data.schemas.length !== 1 || parsed.data.schemas[0] !== ERROR_SCHEMA)
		return "schemas is not [Error]";
	if (parsed.data.status !== String(answer.status)) return "status is not the HTTP status as a string";
	if (parsed.data.detail === "") return "no detail";
	return null;
}

it("the SCIM document lists the resource and discovery routes", () => {
	expect(ops.map(label)).toEqual(
		expect.arrayContaining([
			`GET ${S}/Users`,
			`POST ${S}/Users`,
			`GET ${S}/Users/{id}`,
			`PUT ${S}/Users/{id}`,
			`PATCH ${S}/Users/{id}`,
			`DELETE ${S}/Users/{id}`,
			`GET ${S}/Groups`,
			`POST ${S}/Groups`,
			`GET ${S}/Groups/{id}`,
			`PUT ${S}/Groups/{id}`,
			`PATCH ${S}/Groups/{id}`,
			`DELETE ${S}/Groups/{id}`,
			`POST ${S}/Bulk`,
			`GET ${S}/ServiceProviderConfig`,
			`GET ${S}/ResourceTypes`,
			`GET ${S}/Schemas`,
		]),
	);
	expect(ops.every((op) => op.path.startsWith(`${S}/`))).toBe(true);
});

describe("credentials", () => {
	const k = credentialProjects("scim-contract", `${S}/Users`);
	let twoTenants: TestProject;

	beforeAll(async () => {
		for (const id of ["t1", "t2"])
			expectStatus(await mgmt(k.a).post("/v1/mgmt/tenant/create", { id, name: id }), 200);
		twoTenants = await addManagementKey(k.a, { name: "two tenants", tenantIds: ["t1", "t2"] });
	});

	const cases: CredentialCase[] = [
		...badCredentials(k),
		{ name: "a key bound to two tenants", status: 403, headers: () => key(twoTenants) },
	];

	describe.each(ops)("$method $path", (op) => {
		itIsRouted(op, () => key(k.control));

		it.each(cases)("$name → $status", async ({ status, headers, message }) => {
			const before = await snapshot(k.a.projectId);
			const res = await sendTo(op, headers(), { body: plausibleBody(op, () => "x") });
			expectRefusal("scim", res, status, message);
			expect(scimProblem(res), JSON.stringify(res.body)).toBeNull();
			expect(changedTables(before, await snapshot(k.a.projectId))).toEqual([]);
		});

		it("another project's key sees none of this project's users and groups", async () => {
			const loginId = `victim-${crypto.randomUUID()}@example.com`;
			const user = expectStatus(await mgmt(k.a).post("/v1/mgmt/user/create", { loginId }), 200).user
				.userId as string;
			const name = `victim-${crypto.randomUUID()}`;
			expectStatus(await mgmt(k.a).post("/v1/mgmt/role/create", { name }), 200);
			const role = await roleId(k.a.projectId, name);
			const before = await snapshot(k.a.projectId);
			const res = await sendTo(op, key(k.b), {
				body: validBody(op, { user, role }),
				values: idsFor(op, { user, role }),
			});
			const text = JSON.stringify(res.body);
			expectNo5xx("scim", res);
			if (namesResource(op)) expect(res.status, text).toBe(404);
			if (isBulk(op)) for (const o of res.body.Operations ?? []) expect(o.status, text).toBe("404");
			// A 404 may repeat the id it was asked for; it shows nothing of the user or the role.
			expect(text).not.toContain(loginId);
			expect(text).not.toContain(name);
			expect(changedTables(before, await snapshot(k.a.projectId))).toEqual([]);
		});
	});

	it("unknown routes need a key, then answer 404 in the SCIM envelope", async () => {
		expectRefusal("scim", await call("GET", `${S}/no-such-route`), 401);
		const res = await call("GET", `${S}/no-such-route`, { headers: key(k.control) });
		expectRefusal("scim", res, 404);
		expect(scimProblem(res)).toBeNull();
		expectRefusal("scim", await call("GET", `${S}/Me`, { headers: key(k.control) }), 404);
	});
});

describe("scoped keys", () => {
	let p: FuzzProject;
	let readOnly: TestProject;
	/** Bound to t1; the seeded user and role (fuzz-tenant, a project role) and t2's are outside it. */
	let tenantBound: TestProject;
	let outsider: string;
	let outsiderRole: string;
	let projectRole: string;

	beforeAll(async () => {
		p = await fuzzProject("scim-contract scopes");
		const api = mgmt(p);
		for (const id of ["t1", "t2"])
			expectStatus(await api.post("/v1/mgmt/tenant/create", { id, name: id }), 200);
		expectStatus(await api.post("/v1/mgmt/role/create", { name: "t2-admin", tenantId: "t2" }), 200);
		outsider = expectStatus(
			await api.post("/v1/mgmt/user/create", {
				loginId: "t2-member@example.com",
				userTenants: [{ tenantId: "t2", roleNames: ["t2-admin"] }],
			}),
			200,
		).user.userId;
		outsiderRole = await roleId(p.projectId, "t2-admin", "t2");
		projectRole = await roleId(p.projectId, SEED.role);
		readOnly = await addManagementKey(p, { name: "read-only", readOnly: true });
		tenantBound = await addManagementKey(p, { name: "t1", tenantIds: ["t1"] });
	});

	describe.each(ops)("$method $path", (op) => {
		it("read-only key: writes are refused (403, nothing written), reads answer", async () => {
			const before = await snapshot(p.projectId);
			const res = await sendTo(op, key(readOnly), {
				body: validBody(op, { user: p.userId, role: projectRole }),
				values: idsFor(op, { user: p.userId, role: projectRole }),
			});
			const text = JSON.stringify(res.body);
			expectNo5xx("scim", res);
			expect(res.status, text).not.toBe(401);
			if (isRead(op)) expect(res.status, text).not.toBe(403);
			else if (isBulk(op)) {
				// Bulk answers 200 with each operation's own status: every write in it is refused.
				if (res.status === 200)
					for (const o of res.body.Operations ?? [])
						expect(Number(o.status), text).toBeGreaterThanOrEqual(400);
			} else {
				// Validation and lookups may answer first (400, 404); what never happens is a write.
				expect(res.status, text).toBeGreaterThanOrEqual(400);
				if (res.status === 403) expectRefusal("scim", res, 403, READ_ONLY);
			}
			expect(changedTables(before, await snapshot(p.projectId)), text).toEqual([]);
		});

		it("tenant-bound key: users, roles and tenants outside its tenant are invisible and unchanged", async () => {
			// The two users outside t1, their memberships and roles, and every role outside t1.
			const outside = async () => {
				const them = (sql: string) => env.DB.prepare(sql).bind(p.projectId, outsider, p.userId);
				const results = await env.DB.batch([
					them("SELECT * FROM users WHERE project_id = ? AND id IN (?, ?)"),
					them("SELECT * FROM user_tenants WHERE project_id = ? AND user_id IN (?, ?) ORDER BY 1, 2, 3"),
					them("SELECT * FROM user_roles WHERE project_id = ? AND user_id IN (?, ?) ORDER BY 1, 2, 3, 4"),
					env.DB.prepare("SELECT * FROM roles WHERE project_id = ? AND tenant_id <> 't1' ORDER BY id").bind(
						p.projectId,
					),
				]);
				return JSON.stringify(results.map((r) => r.results));
			};
			const before = await outside();
			for (const ids of [
				{ user: outsider, role: outsiderRole },
				{ user: p.userId, role: projectRole },
			]) {
				const res = await sendTo(op, key(tenantBound), { body: validBody(op, ids), values: idsFor(op, ids) });
				const text = JSON.stringify(res.body);
				expectNo5xx("scim", res);
				expect(res.status, text).not.toBe(401);
				if (namesResource(op)) expect(res.status, text).toBe(404);
				if (isBulk(op)) for (const o of res.body.Operations ?? []) expect(o.status, text).toBe("404");
				// A 404 may repeat the id it was asked for; nothing else of those users and roles shows.
				const notFound = res.status === 404 || (isBulk(op) && res.status === 200);
				const shown = notFound ? [] : [outsider, p.userId, outsiderRole, projectRole];
				for (const hidden of [...shown, "t2-member@example.com", SEED.loginId, "t2-admin", SEED.role])
					expect(text).not.toContain(hidden);
			}
			expect(await outside()).toBe(before);
		});
	});

	it("tenant-bound key: a user outside its tenant cannot be made a member of its groups", async () => {
		const group = await call("POST", `${S}/Groups`, {
			headers: key(tenantBound),
			body: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "t1 group" },
		});
		const id = expectStatus(group, 201).id as string;
		const members = async () =>
			(
				await env.DB.prepare("SELECT user_id FROM user_roles WHERE project_id = ? AND role_id = ?")
					.bind(p.projectId, id)
					.all()
			).results;
		for (const value of [outsider, p.userId]) {
			const add = await call("PATCH", `${S}/Groups/${id}`, {
				headers: key(tenantBound),
				body: {
					schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
					Operations: [{ op: "add", path: "members", value: [{ value }] }],
				},
			});
			expectNo5xx("scim", add);
			expect(add.status, JSON.stringify(add.body)).toBe(400);
			const put = await call("PUT", `${S}/Groups/${id}`, {
				headers: key(tenantBound),
				body: {
					schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
					displayName: "t1 group",
					members: [{ value }],
				},
			});
			expect(put.status, JSON.stringify(put.body)).toBe(400);
		}
		expect(await members()).toEqual([]);
	});
});

// ---------------------------------------------------------------------------------------------
// Fuzzing, as fuzz.test.ts does for the other dialects, plus SCIM's own languages: filters and PATCH.

async function fuzz(
	name: string,
	index: number,
	arbitrary: (p: FuzzProject, ids: { user: string; role: string }) => fc.Arbitrary<FuzzRequest>,
) {
	const p = await fuzzProject(`scim fuzz ${name}`);
	const ids = { user: p.userId, role: await roleId(p.projectId, SEED.role) };
	await fuzzProperty(p, arbitrary(p, ids), scimProblem, index);
}

/** Pieces of filters: real attribute paths, every operator in odd cases, broken syntax. */
const filterText = fc
	.array(
		fc.oneof(
			fc.constantFrom(
				"userName",
				"UserName",
				"externalId",
				"emails.value",
				'emails[type eq "work"]',
				"emails[type eq work].value",
				"name.familyName",
				"meta.created",
				"meta.lastModified",
				"displayName",
				"members.value",
				"members[value eq x]",
				"urn:ietf:params:scim:schemas:core:2.0:User:userName",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
				"active",
				"id",
				"groups.value",
				"x.y.z",
			),
			fc.constantFrom("eq", "NE", "co", "Sw", "ew", "gt", "ge", "lt", "le", "pr", "and", "OR", "not"),
			fc.constantFrom(
				'"fuzz@example.com"',
				'"x"',
				'""',
				'"\\"',
				'"\\u0000"',
				"true",
				"False",
				"null",
				"1",
				"-1e999",
				"2015-10-10T14:38:21.8617979-07:00",
				'"%"',
				'"_"',
				'"*"',
			),
			fc.constantFrom("(", ")", "[", "]", " ", "  ", '"', "'", ".", ":", "\u0000", "\u202e"),
			fc.string({ maxLength: 8 }),
		),
		{ minLength: 1, maxLength: 12 },
	)
	.map((parts) => parts.join(" "));

/** PATCH operations as IdPs send them and as they could be broken. */
const patchOperation = fc.record(
	{
		op: fc.constantFrom("add", "Add", "replace", "Replace", "remove", "REMOVE", "delete", "", 1, null),
		path: fc.oneof(
			fc.constantFrom(
				"active",
				"userName",
				"displayName",
				"name.givenName",
				'emails[type eq "work"].value',
				'emails[type eq "work"]',
				"phoneNumbers",
				"members",
				'members[value eq "x"]',
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
				"id",
				"meta.version",
				"externalId",
				"title",
				"[",
				"emails[",
				"",
			),
			fc.string({ maxLength: 12 }),
		),
		value: fc.oneof(
			fc.constantFrom(
				"False",
				"True",
				false,
				true,
				null,
				"",
				0,
				[],
				{},
				{ active: false },
				{ "name.givenName": "x" },
				{ value: "x" },
				[{ value: "x" }],
				[{ value: "x", display: "y" }],
				"x",
				{ userName: "" },
				{ id: "U000" },
			),
			fc.jsonValue({ maxDepth: 3 }),
		),
	},
	{ requiredKeys: ["op"] },
);

describe("fuzz", () => {
	ops.forEach((op, index) => {
		it(`${op.method} ${op.path}`, { timeout: FUZZ_TIMEOUT }, () =>
			fuzz(label(op), index, (p, ids) =>
				fuzzRequest({
					op,
					pool: scimPool(p.pool, ids.user),
					headers: key(p),
					pathValues: idsFor(op, ids),
				}),
			),
		);
	});

	it(`unknown routes and wrong methods under ${S}`, { timeout: FUZZ_TIMEOUT }, () =>
		fuzz("stray", ops.length, (p) => strayRequest(S, ops, key(p))),
	);

	for (const resource of ["Users", "Groups"])
		it(`filters on GET ${S}/${resource}`, { timeout: FUZZ_TIMEOUT }, () =>
			fuzz(`filter ${resource}`, ops.length + 1, (p) =>
				fc
					.tuple(filterText, fc.constantFrom("", "&startIndex=0", "&count=-1", "&sortBy=x", "&attributes=["))
					.map(([filter, extra]) => ({
						method: "GET",
						url: `${S}/${resource}?filter=${encodeURIComponent(filter)}${extra}`,
						headers: key(p),
						body: undefined,
						kind: `filter ${JSON.stringify(filter).slice(0, 80)}`,
					})),
			),
		);

	for (const resource of ["Users", "Groups"])
		it(`PATCH ${S}/${resource}/{id} operations`, { timeout: FUZZ_TIMEOUT }, () =>
			fuzz(`patch ${resource}`, ops.length + 3, (p, ids) =>
				fc
					.tuple(fc.array(patchOperation, { minLength: 0, maxLength: 4 }), fc.boolean())
					.map(([operations, withSchemas]) => {
						const body = {
							...(withSchemas ? { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"] } : {}),
							Operations: operations,
						};
						return {
							method: "PATCH",
							url: `${S}/${resource}/${resource === "Users" ? ids.user : ids.role}`,
							headers: { ...key(p), "content-type": "application/scim+json" },
							body: JSON.stringify(body),
							kind: `patch ${JSON.stringify(operations).slice(0, 120)}`,
						};
					}),
			),
		);
});
