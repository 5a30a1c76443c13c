// GET /Users and /Groups reads (src/api/scim/users-query.ts, groups-query.ts) on real D1 data:
// each operator, and / or / not, value paths, paging with exact totals, sorting, refusals, and
// the connection scope (a tenant-bound key sees its tenant's members and tenant roles only).
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ScimError } from "../../src/api/scim/errors";
import { type AttrPath, MAX_FILTER_TERMS, parseAttrPath, parseFilter } from "../../src/api/scim/filter";
import { listScimGroups, MAX_LISTED_MEMBERS, SCIM_MAX_RESULTS } from "../../src/api/scim/groups-query";
import { listScimUsers } from "../../src/api/scim/users-query";
import { createDb } from "../../src/db/client";
import type { Deps } from "../../src/domain/deps";
import { DomainError } from "../../src/domain/errors";
import { applyKeyScope } from "../../src/domain/scope";
import { queryUsers } from "../../src/domain/users/users.query";
import { createUser, defineAttributes, expectStatus, mgmt, newProject } from "./harness";

function depsFor(tenantIds: string[] = []): Deps {
	const deps: Deps = {
		db: createDb(env.DB),
		d1: env.DB,
		kv: env.KEY_CACHE,
		env,
		now: () => Date.now(),
		waitUntil: () => {},
	};
	return tenantIds.length ? applyKeyScope(deps, { keyId: "Kscim", readOnly: false, tenantIds }) : deps;
}

interface Fixture {
	projectId: string;
	ids: Record<string, string>;
	roles: Record<string, string>;
}

/**
 * Five users: alice, bob (t1 members), carol (t2), dave (t1 and t2), erin (no tenant, disabled).
 * Project role "viewers" (alice, carol), t1 role "t1-admins" (alice, dave in t1).
 */
async function fixture(): Promise<Fixture> {
	const project = await newProject();
	const api = mgmt(project);
	for (const id of ["t1", "t2"]) {
		expectStatus(await api.post("/v1/mgmt/tenant/create", { id, name: `Tenant ${id}` }), 200);
	}
	expectStatus(await api.post("/v1/mgmt/role/create", { name: "viewers" }), 200);
	expectStatus(await api.post("/v1/mgmt/role/create", { name: "Engineers" }), 200);
	expectStatus(await api.post("/v1/mgmt/role/create", { name: "t1-admins", tenantId: "t1" }), 200);
	expectStatus(await api.post("/v1/mgmt/role/create", { name: "t1-readers", tenantId: "t1" }), 200);
	// As the SCIM user mapper keeps them (src/api/scim/extra-attributes.ts): externalId and every email.
	await defineAttributes(api, {
		department: "string",
		scimExternalId: "string",
		emails: "array",
		emailTypes: "array",
	});
	const people: [string, Record<string, unknown>][] = [
		[
			"alice",
			{
				loginId: "Alice@Example.com",
				email: "alice@example.com",
				name: "Alice Anders",
				givenName: "Alice",
				familyName: "Anders",
				phone: "+14155550101",
				customAttributes: { department: "Tour Operations", scimExternalId: "ext-alice" },
				roleNames: ["viewers"],
				userTenants: [{ tenantId: "t1", roleNames: ["t1-admins"] }],
			},
		],
		[
			"bob",
			{
				loginId: "bob",
				email: "bob@example.org",
				name: "Bob Brown",
				givenName: "Bob",
				familyName: "Brown",
				customAttributes: {
					department: "Sales",
					scimExternalId: "123",
					emails: ["bob@example.org", "bobby@secondary.example.com"],
					emailTypes: ["work", "home"],
				},
				userTenants: [{ tenantId: "t1" }],
			},
		],
		[
			"carol",
			{
				loginId: "carol",
				email: "carol@example.com",
				name: "Carol Anders",
				familyName: "Anders",
				roleNames: ["viewers"],
				userTenants: [{ tenantId: "t2" }],
			},
		],
		[
			"dave",
			{
				loginId: "dave",
				name: "Dave",
				// Not an address: only the mapper's copy holds it (what Microsoft's validator sends).
				customAttributes: { emails: ["emailName357"], emailTypes: ["work"] },
				userTenants: [{ tenantId: "t1", roleNames: ["t1-admins"] }, { tenantId: "t2" }],
			},
		],
		["erin", { loginId: "erin", email: "erin@example.net", name: "Erin" }],
	];
	const ids: Record<string, string> = {};
	for (const [key, body] of people) ids[key] = (await createUser(api, body)).userId;
	expectStatus(await api.post("/v1/mgmt/user/update/status", { loginId: "erin", status: "disabled" }), 200);
	// A group's external id has no Descope field: arranged in D1.
	await env.DB.batch([
		env.DB.prepare("UPDATE roles SET external_id = ? WHERE project_id = ? AND name = ?").bind(
			"grp-viewers",
			project.projectId,
			"viewers",
		),
	]);
	const { results } = await env.DB.prepare("SELECT id, name FROM roles WHERE project_id = ?")
		.bind(project.projectId)
		.all<{ id: string; name: string }>();
	const roles = Object.fromEntries(results.map((r) => [r.name, r.id]));
	return { projectId: project.projectId, ids, roles };
}

async function users(
	f: Fixture,
	filter: string | undefined,
	options: { tenantIds?: string[]; sortBy?: string; sortOrder?: string } = {},
) {
	const result = await listScimUsers(depsFor(options.tenantIds), f.projectId, {
		filter: filter === undefined ? undefined : parseFilter(filter),
		startIndex: 1,
		count: 100,
		sortBy: options.sortBy ? parseAttrPath(options.sortBy) : undefined,
		sortOrder: options.sortOrder,
	});
	const names = Object.fromEntries(Object.entries(f.ids).map(([k, v]) => [v, k]));
	expect(result.total).toBe(result.users.length);
	return result.users.map((u) => names[u.id]);
}

const sorted = (list: (string | undefined)[]) => [...list].sort();

describe("listScimUsers: operators", () => {
	it("each operator on each attribute", async () => {
		const f = await fixture();
		for (const [filter, expected] of <[string, string[]][]>[
			['userName eq "alice@example.com"', ["alice"]],
			['USERNAME EQ "ALICE@EXAMPLE.COM"', ["alice"]],
			["userName eq bob", ["bob"]],
			['userName ne "bob"', ["alice", "carol", "dave", "erin"]],
			['userName sw "ca"', ["carol"]],
			['userName ew "OB"', ["bob"]],
			['userName co "LIC"', ["alice"]],
			['userName co "ar"', ["carol"]],
			['userName gt "dave"', ["erin"]],
			['userName ge "dave"', ["dave", "erin"]],
			['userName lt "bob"', ["alice"]],
			['userName le "bob"', ["alice", "bob"]],
			["userName pr", ["alice", "bob", "carol", "dave", "erin"]],
			['externalId eq "ext-alice"', ["alice"]],
			['externalId eq "EXT-ALICE"', []],
			["externalId eq 123", ["bob"]],
			["externalId pr", ["alice", "bob"]],
			['id eq "nope"', []],
			['emails eq "ALICE@example.com"', ["alice"]],
			['emails.value eq "bob@example.org"', ["bob"]],
			['emails[type eq "work"].value eq "carol@example.com"', ["carol"]],
			['emails[type eq "home"].value eq "carol@example.com"', []],
			['emails[type eq "work" and value co "@example.com"]', ["alice", "carol"]],
			["emails[primary eq true]", ["alice", "bob", "carol", "dave", "erin"]],
			['emails.type eq "work"', ["alice", "bob", "carol", "dave", "erin"]],
			['emails.type ne "work"', []],
			['emails.type eq "home"', ["bob"]],
			['emails.type ne "home"', ["alice", "carol", "dave", "erin"]],
			['emails[type eq "home"].value eq "bobby@secondary.example.com"', ["bob"]],
			['emails[type eq "work"].value eq "bobby@secondary.example.com"', []],
			['emails[type eq "home" and value co "bob"]', ["bob"]],
			['emails[type eq "home" and value co "example.org"]', []],
			["emails[primary eq false]", ["bob"]],
			['emails[primary eq true].value sw "bobby"', []],
			['emails[primary eq true].value sw "bob@"', ["bob"]],
			["emails.primary eq true", ["alice", "bob", "carol", "dave", "erin"]],
			['emails co "example.com"', ["alice", "bob", "carol"]],
			// Values beyond users.email: the user mapper's copy of every email (an array attribute).
			['emails eq "emailName357"', ["dave"]],
			['emails eq "BOBBY@secondary.example.com"', ["bob"]],
			['emails.value sw "bobby"', ["bob"]],
			['emails[value eq "bobby@secondary.example.com"]', ["bob"]],
			['emails ew ".net"', ["erin"]],
			["emails pr", ["alice", "bob", "carol", "dave", "erin"]],
			['displayName eq "alice anders"', ["alice"]],
			['displayName eq "dave"', ["dave"]],
			['displayName sw "Carol"', ["carol"]],
			['displayName co "anders"', ["alice", "carol"]],
			['name.givenName eq "bob"', ["bob"]],
			['name.familyName eq "Anders"', ["alice", "carol"]],
			["name.familyName pr", ["alice", "bob", "carol"]],
			['phoneNumbers eq "+14155550101"', ["alice"]],
			['phoneNumbers[type eq "work"].value pr', ["alice"]],
			["active eq true", ["alice", "bob", "carol", "dave"]],
			['active eq "False"', ["erin"]],
			["active ne true", ["erin"]],
			[
				'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "tour operations"',
				["alice"],
			],
			['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department sw "sa"', ["bob"]],
			["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr", ["alice", "bob"]],
			['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "dave"', ["dave"]],
			['meta.resourceType eq "User"', ["alice", "bob", "carol", "dave", "erin"]],
			['meta.created gt "2015-10-10T14:38:21.8617979-07:00"', ["alice", "bob", "carol", "dave", "erin"]],
			["meta.created lt 2015-10-10T14:38:21.8617979-07:00", []],
			['meta.lastModified ge "2000-01-01T00:00:00Z"', ["alice", "bob", "carol", "dave", "erin"]],
		]) {
			expect(sorted(await users(f, filter)), filter).toEqual(sorted(expected));
		}
	});

	it("groups: members of a project role (project-wide key)", async () => {
		const f = await fixture();
		expect(sorted(await users(f, `groups eq "${f.roles.viewers}"`))).toEqual(["alice", "carol"]);
		expect(sorted(await users(f, `groups[value eq "${f.roles.viewers}"]`))).toEqual(["alice", "carol"]);
		expect(sorted(await users(f, `not (groups.value eq "${f.roles.viewers}")`))).toEqual([
			"bob",
			"dave",
			"erin",
		]);
	});
});

describe("listScimUsers: and, or, not, grouping", () => {
	it("combines comparisons with precedence not > and > or", async () => {
		const f = await fixture();
		for (const [filter, expected] of <[string, string[]][]>[
			['name.familyName eq "Anders" and emails co "example.com"', ["alice", "carol"]],
			[
				"name.FamilyName eq Anders and (emails.Value co example.com or emails.Value co example.org)",
				["alice", "carol"],
			],
			['userName eq "bob" or userName eq "dave"', ["bob", "dave"]],
			[
				'userName eq "bob" or emails eq "carol@example.com" or externalId eq "ext-alice"',
				["alice", "bob", "carol"],
			],
			['not (userName eq "bob")', ["alice", "carol", "dave", "erin"]],
			// A user without a name is "not equal" too.
			['not (name.givenName eq "Alice")', ["bob", "carol", "dave", "erin"]],
			['name.givenName ne "Alice"', ["bob", "carol", "dave", "erin"]],
			["active eq true and not (phoneNumbers pr)", ["bob", "carol", "dave"]],
			["not (emails pr)", []],
			['userName eq "bob" or userName eq "carol" and active eq false', ["bob"]],
			['(userName eq "bob" or userName eq "erin") and active eq false', ["erin"]],
			// Per element: bob's work address is .org (his home one is .com).
			['emails[type eq "work" and not (value ew ".com")]', ["bob", "dave", "erin"]],
		]) {
			expect(sorted(await users(f, filter)), filter).toEqual(sorted(expected));
		}
	});
});

describe("listScimUsers: paging, totals, order", () => {
	it("pages with startIndex (1-based) and count in a stable order, each page with the exact total", async () => {
		const f = await fixture();
		const deps = depsFor();
		const all = await listScimUsers(deps, f.projectId, { startIndex: 1, count: 100 });
		expect(all.total).toBe(5);
		// Creation order, then id.
		expect(all.users.map((u) => u.id)).toEqual(
			["alice", "bob", "carol", "dave", "erin"].map((k) => f.ids[k]),
		);
		const pages = [];
		for (let start = 1; start <= 5; start += 2) {
			const page = await listScimUsers(deps, f.projectId, { startIndex: start, count: 2 });
			expect(page.total).toBe(5);
			pages.push(...page.users.map((u) => u.id));
		}
		expect(pages).toEqual(all.users.map((u) => u.id));
		const filtered = await listScimUsers(deps, f.projectId, {
			filter: parseFilter("active eq true"),
			startIndex: 2,
			count: 2,
		});
		expect(filtered.total).toBe(4);
		expect(filtered.users.map((u) => u.id)).toEqual([f.ids.bob, f.ids.carol]);
	});

	it("count=0 answers the total alone; startIndex below 1 reads as 1; past the end is empty", async () => {
		const f = await fixture();
		const deps = depsFor();
		expect(await listScimUsers(deps, f.projectId, { startIndex: 1, count: 0 })).toEqual({
			total: 5,
			users: [],
		});
		const first = await listScimUsers(deps, f.projectId, { startIndex: -3, count: 1 });
		expect(first.users.map((u) => u.id)).toEqual([f.ids.alice]);
		expect(await listScimUsers(deps, f.projectId, { startIndex: 50, count: 10 })).toEqual({
			total: 5,
			users: [],
		});
		expect(SCIM_MAX_RESULTS).toBeGreaterThan(0);
		const capped = await listScimUsers(deps, f.projectId, { startIndex: 1, count: SCIM_MAX_RESULTS + 500 });
		expect(capped.users.length).toBe(5);
	});

	it("sorts by sortBy and sortOrder, then stays stable", async () => {
		const f = await fixture();
		expect(await users(f, undefined, { sortBy: "userName" })).toEqual([
			"alice",
			"bob",
			"carol",
			"dave",
			"erin",
		]);
		expect(await users(f, undefined, { sortBy: "UserName", sortOrder: "descending" })).toEqual([
			"erin",
			"dave",
			"carol",
			"bob",
			"alice",
		]);
		// Missing values last ascending; ties in creation order.
		expect(await users(f, undefined, { sortBy: "name.familyName" })).toEqual([
			"alice",
			"carol",
			"bob",
			"dave",
			"erin",
		]);
		expect(await users(f, undefined, { sortBy: "meta.created", sortOrder: "descending" })).toEqual([
			"erin",
			"dave",
			"carol",
			"bob",
			"alice",
		]);
		// dave's only email is no address (users.email is empty): last.
		expect(await users(f, "emails pr", { sortBy: "emails.value" })).toEqual([
			"alice",
			"bob",
			"carol",
			"erin",
			"dave",
		]);
		expect(await users(f, undefined, { sortBy: "displayName", sortOrder: "DESCENDING" })).toEqual([
			"erin",
			"dave",
			"carol",
			"bob",
			"alice",
		]);
	});
});

describe("listScimUsers: refusals", () => {
	async function refusal(filter: string | undefined, sortBy?: AttrPath) {
		const { projectId } = await newProject();
		try {
			await listScimUsers(depsFor(), projectId, {
				filter: filter ? parseFilter(filter) : undefined,
				startIndex: 1,
				count: 10,
				sortBy,
			});
		} catch (error) {
			expect(error).toBeInstanceOf(ScimError);
			return error as ScimError;
		}
		throw new Error("expected a refusal");
	}

	it.each([
		['nickName2 eq "x"', 'attribute "nickname2" is not supported'],
		['urn:example:custom:1.0:User:foo eq "x"', 'attribute "urn:example:custom:1.0:user:foo"'],
		['name.nickName eq "x"', 'attribute "name.nickname"'],
		['emails.display eq "x"', 'attribute "emails.display"'],
		["active gt true", "active compares with eq or ne"],
		['active eq "maybe"', "active compares with eq or ne"],
		['meta.created gt "yesterday"', "compares with a dateTime"],
		['meta.created co "2020"', "dateTime"],
		["userName eq true", "compares with text"],
		['groups co "R"', "supports eq and ne only"],
	])("%s", async (filter, detail) => {
		const e = await refusal(filter);
		expect(e.status).toBe(400);
		expect(e.scimType).toBe("invalidFilter");
		expect(e.message).toContain(detail);
	});

	it(`the largest filter the parser takes (${MAX_FILTER_TERMS} comparisons) runs in one statement`, async () => {
		const f = await fixture();
		const ends = Array.from(
			{ length: MAX_FILTER_TERMS },
			(_, i) => `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department ew "x${i}"`,
		);
		expect(await users(f, ends.join(" or "), { tenantIds: ["t1"] })).toEqual([]);
		const emails = Array.from({ length: MAX_FILTER_TERMS }, (_, i) => `emails ew "ab${i}"`);
		expect(await users(f, emails.join(" or "), { tenantIds: ["t1"] })).toEqual([]);
		const exact = Array.from({ length: MAX_FILTER_TERMS }, (_, i) => `emails.value eq "A${i}@x.com"`);
		expect(await users(f, exact.join(" or "), { tenantIds: ["t1"] })).toEqual([]);
		// Value paths count their inner comparisons too: two terms each.
		for (const shape of [
			(i: number) => `emails[type eq "home"].value ew "yyy${i}"`,
			(i: number) => `emails[value eq "A${i}@x.com"]`,
			(i: number) => `emails[type ne "work"].value eq "A${i}@x.com"`,
		]) {
			const paths = Array.from({ length: MAX_FILTER_TERMS / 2 }, (_, i) => shape(i));
			expect(await users(f, paths.join(" or "), { tenantIds: ["t1"] }), paths[0]).toEqual([]);
		}
		const mixed = Array.from({ length: MAX_FILTER_TERMS }, (_, i) => `displayName ew "ers${i}"`);
		expect(await users(f, `${mixed.slice(1).join(" or ")} or displayName ew "ders"`)).toEqual([
			"alice",
			"carol",
		]);
	});

	it("empty co, sw and ew match every value present", async () => {
		const f = await fixture();
		expect(sorted(await users(f, 'emails co ""'))).toEqual(["alice", "bob", "carol", "dave", "erin"]);
		expect(sorted(await users(f, 'name.givenName sw ""'))).toEqual(["alice", "bob"]);
		expect(names(await groups(f, 'displayName ew ""'))).toEqual(["viewers", "Engineers"]);
	});

	it("an unknown sortBy is a 400 invalidValue naming it", async () => {
		const e = await refusal(undefined, parseAttrPath("nickName"));
		expect(e.scimType).toBe("invalidValue");
		expect(e.message).toContain('sortBy: "nickname"');
	});
});

describe("the connection scope", () => {
	it("a tenant-bound key sees its tenant's members only, whatever the filter", async () => {
		const f = await fixture();
		expect(sorted(await users(f, undefined, { tenantIds: ["t1"] }))).toEqual(["alice", "bob", "dave"]);
		expect(sorted(await users(f, undefined, { tenantIds: ["t2"] }))).toEqual(["carol", "dave"]);
		expect(await users(f, 'userName eq "carol"', { tenantIds: ["t1"] })).toEqual([]);
		expect(await users(f, 'userName eq "erin"', { tenantIds: ["t1"] })).toEqual([]);
		expect(
			sorted(await users(f, 'name.familyName eq "Anders" or userName eq "erin"', { tenantIds: ["t1"] })),
		).toEqual(["alice"]);
		expect(sorted(await users(f, 'not (userName eq "bob")', { tenantIds: ["t1"] }))).toEqual([
			"alice",
			"dave",
		]);
	});

	it("its users show their memberships in its tenant only", async () => {
		const f = await fixture();
		const { users: list } = await listScimUsers(depsFor(["t2"]), f.projectId, {
			filter: parseFilter('userName eq "dave"'),
			startIndex: 1,
			count: 10,
		});
		expect(list.map((u) => u.tenants.map((t) => t.tenantId))).toEqual([["t2"]]);
	});

	it("groups filters name the connection's roles: a tenant role for a tenant-bound key", async () => {
		const f = await fixture();
		const admins = f.roles["t1-admins"] as string;
		expect(sorted(await users(f, `groups eq "${admins}"`, { tenantIds: ["t1"] }))).toEqual(["alice", "dave"]);
		// A project-wide key's groups are project roles: the tenant role's assignments are not among them.
		expect(await users(f, `groups eq "${admins}"`)).toEqual([]);
		expect(await users(f, `groups eq "${f.roles.viewers}"`, { tenantIds: ["t1"] })).toEqual([]);
	});

	it("a key bound to several tenants is refused (403)", async () => {
		const f = await fixture();
		await expect(
			listScimUsers(depsFor(["t1", "t2"]), f.projectId, { startIndex: 1, count: 10 }),
		).rejects.toMatchObject({ status: 403 });
		await expect(
			listScimGroups(depsFor(["t1", "t2"]), f.projectId, { startIndex: 1, count: 10, withMembers: false }),
		).rejects.toMatchObject({ status: 403 });
	});
});

async function groups(
	f: Fixture,
	filter: string | undefined,
	options: { tenantIds?: string[]; sortBy?: string; sortOrder?: string; withMembers?: boolean } = {},
) {
	const result = await listScimGroups(depsFor(options.tenantIds), f.projectId, {
		filter: filter === undefined ? undefined : parseFilter(filter),
		startIndex: 1,
		count: 50,
		sortBy: options.sortBy ? parseAttrPath(options.sortBy) : undefined,
		sortOrder: options.sortOrder,
		withMembers: options.withMembers ?? false,
	});
	expect(result.total).toBe(result.groups.length);
	return result.groups;
}

const names = (rows: { name: string }[]) => rows.map((r) => r.name);

describe("listScimGroups", () => {
	it("a project-wide key's groups are the project roles; a tenant-bound key's its tenant's roles", async () => {
		const f = await fixture();
		expect(names(await groups(f, undefined))).toEqual(["viewers", "Engineers"]);
		expect(names(await groups(f, undefined, { tenantIds: ["t1"] }))).toEqual(["t1-admins", "t1-readers"]);
		expect(names(await groups(f, undefined, { tenantIds: ["t2"] }))).toEqual([]);
	});

	it("each operator on displayName, externalId and meta", async () => {
		const f = await fixture();
		for (const [filter, expected] of <[string, string[]][]>[
			['displayName eq "viewers"', ["viewers"]],
			['DisplayName EQ "VIEWERS"', ["viewers"]],
			["displayName eq engineers", ["Engineers"]],
			['displayName ne "viewers"', ["Engineers"]],
			['displayName sw "eng"', ["Engineers"]],
			['displayName co "IEW"', ["viewers"]],
			['displayName ew "ers"', ["viewers", "Engineers"]],
			['displayName gt "f"', ["viewers"]],
			['externalId eq "grp-viewers"', ["viewers"]],
			["externalId pr", ["viewers"]],
			["not (externalId pr)", ["Engineers"]],
			['displayName eq "viewers" or displayName eq "Engineers"', ["viewers", "Engineers"]],
			['displayName eq "viewers" and externalId eq "nope"', []],
			['meta.created gt "2000-01-01T00:00:00Z"', ["viewers", "Engineers"]],
			['meta.lastModified gt "2000-01-01T00:00:00Z"', ["viewers", "Engineers"]],
			['urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "viewers"', ["viewers"]],
		]) {
			expect(names(await groups(f, filter)), filter).toEqual(expected);
		}
	});

	it("filters by id and by member (members, members.value, members[value eq …])", async () => {
		const f = await fixture();
		expect(names(await groups(f, `id eq "${f.roles.viewers}"`))).toEqual(["viewers"]);
		for (const filter of [
			`members eq "${f.ids.alice}"`,
			`members.value eq "${f.ids.alice}"`,
			`members[value eq "${f.ids.alice}"]`,
		]) {
			expect(names(await groups(f, filter))).toEqual(["viewers"]);
			expect(names(await groups(f, filter, { tenantIds: ["t1"] }))).toEqual(["t1-admins"]);
		}
		expect(names(await groups(f, `members eq "${f.ids.bob}"`))).toEqual([]);
		expect(names(await groups(f, `not (members eq "${f.ids.alice}")`, { tenantIds: ["t1"] }))).toEqual([
			"t1-readers",
		]);
		// A tenant role is no project group, even by id.
		expect(await groups(f, `id eq "${f.roles["t1-admins"]}"`)).toEqual([]);
	});

	it("lists members with their display names and counts, when asked", async () => {
		const f = await fixture();
		const [admins] = await groups(f, 'displayName eq "t1-admins"', { tenantIds: ["t1"], withMembers: true });
		expect(admins?.memberCount).toBe(2);
		expect(sorted(admins?.members?.map((m) => m.display) ?? [])).toEqual(["Alice Anders", "Dave"]);
		expect(sorted(admins?.members?.map((m) => m.userId) ?? [])).toEqual(sorted([f.ids.alice, f.ids.dave]));
		const [plain] = await groups(f, 'displayName eq "viewers"');
		expect(plain?.members).toBeUndefined();
		expect(plain?.memberCount).toBe(2);
		expect(plain?.externalId).toBe("grp-viewers");
		expect(MAX_LISTED_MEMBERS).toBe(1000);
	});

	it("pages and sorts", async () => {
		const f = await fixture();
		const page = await listScimGroups(depsFor(), f.projectId, {
			startIndex: 2,
			count: 1,
			withMembers: false,
		});
		expect(page.total).toBe(2);
		expect(names(page.groups)).toEqual(["Engineers"]);
		expect(names(await groups(f, undefined, { sortBy: "displayName" }))).toEqual(["Engineers", "viewers"]);
		expect(names(await groups(f, undefined, { sortBy: "displayName", sortOrder: "descending" }))).toEqual([
			"viewers",
			"Engineers",
		]);
	});

	it("refuses unsupported attributes and operators with invalidFilter", async () => {
		const f = await fixture();
		for (const [filter, detail] of [
			['description eq "x"', 'attribute "description" is not supported in Group filters'],
			['members co "U"', "supports eq and ne only"],
			["members pr", "supports eq and ne only"],
			['members[display eq "x"]', "members[…] supports value eq and value ne only"],
		] as const) {
			await expect(groups(f, filter)).rejects.toMatchObject({
				status: 400,
				scimType: "invalidFilter",
				message: expect.stringContaining(detail),
			});
		}
	});

	it("refuses a tenant-bound key the project's roles in the domain query", async () => {
		const f = await fixture();
		const { queryRoles } = await import("../../src/domain/authz/roles.query");
		await expect(
			queryRoles(depsFor(["t1"]), f.projectId, { tenantId: "", offset: 0, limit: 10, withMembers: false }),
		).rejects.toBeInstanceOf(DomainError);
	});
});

describe("the neutral user query (src/domain/users/users.query.ts)", () => {
	it("filters on tenant membership, roles in a scope, status and attribute values", async () => {
		const f = await fixture();
		const deps = depsFor();
		const ids = async (where: Parameters<typeof queryUsers>[2]["where"]) => {
			const { users: list, total } = await queryUsers(deps, f.projectId, { where, offset: 0, limit: 50 });
			expect(total).toBe(list.length);
			const byId = Object.fromEntries(Object.entries(f.ids).map(([k, v]) => [v, k]));
			return sorted(list.map((u) => byId[u.id]));
		};
		expect(await ids({ kind: "tenant", tenantId: "t2" })).toEqual(["carol", "dave"]);
		expect(await ids({ kind: "role", roleId: f.roles["t1-admins"] as string, tenantId: "t1" })).toEqual([
			"alice",
			"dave",
		]);
		expect(await ids({ kind: "status", statuses: ["disabled"] })).toEqual(["erin"]);
		expect(await ids({ kind: "attribute", name: "department", op: "eq", value: "SALES" })).toEqual(["bob"]);
		expect(
			await ids({
				kind: "and",
				items: [
					{ kind: "tenant", tenantId: "t1" },
					{ kind: "not", item: { kind: "tenant", tenantId: "t2" } },
				],
			}),
		).toEqual(["alice", "bob"]);
		expect(await ids({ kind: "or", items: [] })).toEqual([]);
		expect(await ids({ kind: "and", items: [] })).toEqual(["alice", "bob", "carol", "dave", "erin"]);
	});

	it("reads the total and the page in one D1 batch of two statements", async () => {
		const f = await fixture();
		const batches: number[] = [];
		const d1 = new Proxy(env.DB, {
			get(target, prop) {
				if (prop === "batch")
					return (statements: D1PreparedStatement[]) => {
						batches.push(statements.length);
						return target.batch(statements);
					};
				if (prop === "prepare") return (query: string) => target.prepare(query);
				const value = Reflect.get(target, prop);
				return typeof value === "function" ? value.bind(target) : value;
			},
		});
		const deps = { ...depsFor(), d1, db: createDb(d1) };
		const page = await listScimUsers(deps, f.projectId, {
			filter: parseFilter('userName sw "a" or active eq false'),
			startIndex: 1,
			count: 10,
		});
		expect(page.total).toBe(2);
		expect(batches).toEqual([2]);
		await listScimGroups(deps, f.projectId, { startIndex: 1, count: 10, withMembers: true });
		expect(batches).toEqual([2, 2]);
	});
});

describe("listScimUsers / listScimGroups: any value", () => {
	it("answers rows or a 4xx, never an unexpected error, whatever the compared text", async () => {
		const f = await fixture();
		const attrs = [
			"userName",
			"displayName",
			"name.familyName",
			"emails",
			'emails[type eq "work"].value',
			"phoneNumbers",
			"externalId",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
			"meta.created",
			"id",
			"groups",
		];
		const ops = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];
		const text = fc.oneof(
			fc.string({ maxLength: 12 }),
			fc.constantFrom("   ", '"""', "*:^", "AND OR NOT", "NEAR(a b)", "\\", "%_", "\u0000x", "ß", "İstanbul"),
		);
		await fc.assert(
			fc.asyncProperty(fc.constantFrom(...attrs), fc.constantFrom(...ops), text, async (attr, op, value) => {
				const filter = parseFilter(`${attr} ${op} ${JSON.stringify(value)}`);
				for (const run of [
					() => listScimUsers(depsFor(), f.projectId, { filter, startIndex: 1, count: 5 }),
					() => listScimUsers(depsFor(["t1"]), f.projectId, { filter, startIndex: 1, count: 5 }),
				]) {
					try {
						const page = await run();
						expect(page.total).toBeGreaterThanOrEqual(page.users.length);
					} catch (error) {
						const status =
							error instanceof ScimError ? error.status : error instanceof DomainError ? 400 : 500;
						expect(status, String(error)).toBeLessThan(500);
					}
				}
			}),
			{ numRuns: 150 },
		);
		for (const value of ["   ", '"""', "*:^", "AND OR NOT"]) {
			const filter = parseFilter(`displayName co ${JSON.stringify(value)}`);
			const page = await listScimGroups(depsFor(), f.projectId, {
				filter,
				startIndex: 1,
				count: 5,
				withMembers: true,
			});
			expect(page.groups).toEqual([]);
		}
	});
});
