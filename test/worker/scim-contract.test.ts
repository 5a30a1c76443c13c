// The shared security and fuzz properties (auth-contract.test.ts, fuzz.test.ts) over the SCIM routes
// (docs/scim.md), taken from /scim/v2/openapi.json: every bad credential is refused in the RFC 7644
// error envelope, read-only and tenant-bound keys are held to their scope, and broken requests never
// get a 5xx and change nothing.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
	addManagementKey,
	call,
	expectStatus,
	mgmt,
	newProject,
	operatorHeaders,
	sha256Hex,
	type TestProject,
} from "./harness";
import {
	expectNo5xx,
	expectRefusal,
	label,
	operations,
	plausibleBody,
	READ_ONLY,
	sendTo,
} from "./support/auth-contract-routes";
import { changedTables, describeExchange, sendRaw, snapshot } from "./support/fuzz-check";
import type { Operation, Pool } from "./support/fuzz-openapi";
import { type FuzzProject, fuzzProject, SEED } from "./support/fuzz-project";
import { type FuzzRequest, fuzzRequest, strayRequest } from "./support/fuzz-requests";

const S = "/scim/v2";
const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";
const SCIM_TYPES = new Set([
	"invalidFilter",
	"tooMany",
	"uniqueness",
	"mutability",
	"invalidSyntax",
	"invalidPath",
	"noTarget",
	"invalidValue",
	"invalidVers",
	"sensitive",
]);
const ops = operations.scim;
const auth = (value: string) => ({ authorization: value });
const key = (p: TestProject) => auth(`Bearer ${p.managementKey}`);
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

/** Why an answer is not the RFC 7644 §3.12 envelope; null when it is. */
function scimProblem(answer: { status: number; headers: Headers; body: unknown }): string | null {
	const body = answer.body as Record<string, unknown> | undefined;
	if (!body || typeof body !== "object") return "the body is not a JSON object";
	if (!(answer.headers.get("content-type") ?? "").startsWith("application/scim+json"))
		return "not application/scim+json";
	if (!Array.isArray(body.schemas) || body.schemas[0] !== ERROR_SCHEMA || body.schemas.length !== 1)
		return "schemas is not [Error]";
	if (body.status !== String(answer.status)) return "status is not the HTTP status as a string";
	if (typeof body.detail !== "string" || body.detail === "") return "no detail";
	if (body.scimType !== undefined && !SCIM_TYPES.has(body.scimType as string)) return "an unknown scimType";
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
	let a: TestProject;
	let b: TestProject;
	let control: TestProject;
	let inactive: TestProject;
	let expired: TestProject;
	let ipBound: TestProject;
	let twoTenants: TestProject;
	let gone: TestProject;

	beforeAll(async () => {
		a = await newProject("scim-contract A");
		b = await newProject("scim-contract B");
		control = await newProject("scim-contract control");
		const made = await addManagementKey(a, { name: "inactive" });
		expectStatus(
			await mgmt(a).patch("/v1/mgmt/managementkey", { id: made.keyId, name: "inactive", status: "inactive" }),
			200,
		);
		inactive = made;
		// As in auth-contract.test.ts: the stored expiry is moved into the past and the cached copy dropped.
		const soon = await addManagementKey(a, { name: "expired", expiresIn: 3600 });
		await env.DB.prepare("UPDATE management_keys SET expires_at = ? WHERE id = ?")
			.bind(Date.now() - 60_000, soon.keyId)
			.run();
		await env.KEY_CACHE.delete(`mgmt-key:${await sha256Hex(soon.managementKey)}`);
		expired = soon;
		ipBound = await addManagementKey(a, { name: "ip-bound", permittedIps: ["10.0.0.0/8"] });
		for (const id of ["t1", "t2"])
			expectStatus(await mgmt(a).post("/v1/mgmt/tenant/create", { id, name: id }), 200);
		twoTenants = await addManagementKey(a, { name: "two tenants", tenantIds: ["t1", "t2"] });
		gone = await newProject("scim-contract deleted");
		expectStatus(await call("GET", `${S}/Users`, { headers: key(gone) }), 200);
		expectStatus(
			await call("DELETE", `/v1/operator/projects/${gone.projectId}`, { headers: operatorHeaders }),
			200,
		);
	});

	const cases: {
		name: string;
		status: 401 | 403;
		headers: () => Record<string, string>;
		message?: string;
	}[] = [
		{ name: "no Authorization header", status: 401, headers: () => ({}) },
		{ name: "empty Authorization header", status: 401, headers: () => auth("") },
		{ name: "no scheme", status: 401, headers: () => auth(a.managementKey) },
		{ name: "another scheme (Apikey)", status: 401, headers: () => auth(`Apikey ${a.managementKey}`) },
		{ name: "another scheme (Basic)", status: 401, headers: () => auth(`Basic ${btoa(a.managementKey)}`) },
		{ name: "'Bearer' without a key", status: 401, headers: () => auth("Bearer ") },
		{
			name: "the Descope form <projectId>:<key>",
			status: 401,
			headers: () => auth(`Bearer ${a.projectId}:${a.managementKey}`),
		},
		{ name: "wrong key", status: 401, headers: () => auth("Bearer rk_wrong") },
		{ name: "the key with a suffix", status: 401, headers: () => auth(`Bearer ${a.managementKey}x`) },
		{ name: "inactive key", status: 401, headers: () => key(inactive), message: "inactive" },
		{ name: "expired key", status: 401, headers: () => key(expired), message: "expired" },
		{ name: "the key of a deleted project", status: 401, headers: () => key(gone) },
		{
			name: "client IP outside permittedIps",
			status: 403,
			headers: () => ({ ...key(ipBound), "cf-connecting-ip": "192.0.2.1" }),
			message: "IP",
		},
		{
			name: "no client IP for a key with permittedIps",
			status: 403,
			headers: () => key(ipBound),
			message: "IP",
		},
		{ name: "a key bound to two tenants", status: 403, headers: () => key(twoTenants) },
	];

	describe.each(ops)("$method $path", (op) => {
		it("is routed for a valid key: no auth error, no 'no route' 404, no 5xx", async () => {
			const res = await sendTo(op, key(control));
			const text = JSON.stringify(res.body);
			expect([401, 403], text).not.toContain(res.status);
			expect(res.status, text).toBeLessThan(500);
			if (res.status === 404) expect(text).not.toContain("No route");
		});

		it.each(cases)("$name → $status", async ({ status, headers, message }) => {
			const before = await snapshot(a.projectId);
			const res = await sendTo(op, headers(), { body: plausibleBody(op, () => "x") });
			expectRefusal("scim", res, status, message);
			expect(scimProblem(res), JSON.stringify(res.body)).toBeNull();
			expect(changedTables(before, await snapshot(a.projectId))).toEqual([]);
		});

		it("another project's key sees none of this project's users and groups", async () => {
			const loginId = `victim-${crypto.randomUUID()}@example.com`;
			const user = expectStatus(await mgmt(a).post("/v1/mgmt/user/create", { loginId }), 200).user
				.userId as string;
			const name = `victim-${crypto.randomUUID()}`;
			expectStatus(await mgmt(a).post("/v1/mgmt/role/create", { name }), 200);
			const role = await roleId(a.projectId, name);
			const before = await snapshot(a.projectId);
			const res = await sendTo(op, key(b), {
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
			expect(changedTables(before, await snapshot(a.projectId))).toEqual([]);
		});
	});

	it("unknown routes need a key, then answer 404 in the SCIM envelope", async () => {
		expectRefusal("scim", await call("GET", `${S}/no-such-route`), 401);
		const res = await call("GET", `${S}/no-such-route`, { headers: key(control) });
		expectRefusal("scim", res, 404);
		expect(scimProblem(res)).toBeNull();
		expectRefusal("scim", await call("GET", `${S}/Me`, { headers: key(control) }), 404);
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

const settings = env as unknown as { FUZZ_RUNS?: string; FUZZ_SEED?: string };
const integer = (value: string | undefined) => {
	const n = Number.parseInt(value ?? "", 10);
	return Number.isNaN(n) ? undefined : n;
};
const RUNS = Math.max(1, integer(settings.FUZZ_RUNS) ?? 12);
const SEED_RUN = integer(settings.FUZZ_SEED) ?? 20_261_202;
const TIMEOUT = 30_000 + RUNS * 2_000;

async function fuzz(
	name: string,
	index: number,
	arbitrary: (p: FuzzProject, ids: { user: string; role: string }) => fc.Arbitrary<FuzzRequest>,
	runs = RUNS,
) {
	const p = await fuzzProject(`scim fuzz ${name}`);
	const ids = { user: p.userId, role: await roleId(p.projectId, SEED.role) };
	const state = { before: await snapshot(p.projectId) };
	await fc.assert(
		fc.asyncProperty(arbitrary(p, ids), async (req) => {
			const answer = await sendRaw(req);
			const where = describeExchange(req, answer);
			expect(answer.status, where).toBeLessThan(500);
			if (answer.status < 400) {
				state.before = await snapshot(p.projectId);
				return;
			}
			expect(scimProblem(answer), where).toBeNull();
			expect(changedTables(state.before, await snapshot(p.projectId)), where).toEqual([]);
		}),
		{ numRuns: runs, seed: SEED_RUN + index, endOnFailure: true },
	);
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
		it(`${op.method} ${op.path}`, { timeout: TIMEOUT }, () =>
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

	it(`unknown routes and wrong methods under ${S}`, { timeout: TIMEOUT }, () =>
		fuzz("stray", ops.length, (p) => strayRequest(S, ops, key(p))),
	);

	for (const resource of ["Users", "Groups"])
		it(`filters on GET ${S}/${resource}`, { timeout: TIMEOUT }, () =>
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
		it(`PATCH ${S}/${resource}/{id} operations`, { timeout: TIMEOUT }, () =>
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
