// Descope `management.user.load`, `loadByUserId`, `searchAll` (search v2) (docs/descope-compat.md).
import { describe, expect, it } from "vitest";
import {
	createUser,
	defineAttributes,
	expectDescopeError,
	expectStatus,
	expectWireUser,
	type Mgmt,
	mgmt,
	newProject,
	rawPost,
	search,
} from "./harness";

const SEARCH = "/v2/mgmt/user/search";
const T0 = 1_700_000_000; // seconds

/**
 * Five users with known creation times (batch create keeps `createdTime`, in seconds):
 * alice, bob, carol, dave and the test user tess, created in that order 100 s apart.
 */
async function seed(api: Mgmt) {
	await defineAttributes(api, { dept: 1, age: 2, vip: 3, tags: 5 });
	const res = await api.post("/v1/mgmt/user/create/batch", {
		users: [
			{
				loginId: "alice@acme.com",
				email: "alice@acme.com",
				verifiedEmail: true,
				phone: "+14155550101",
				verifiedPhone: true,
				displayName: "Alice Anders",
				status: "enabled",
				createdTime: T0,
				customAttributes: { dept: "eng", age: 30, vip: true, tags: ["a", "b"] },
			},
			{
				loginId: "bob@acme.com",
				email: "bob@acme.com",
				displayName: "Bob Brown",
				status: "disabled",
				createdTime: T0 + 100,
				customAttributes: { dept: "sales", age: 40, vip: false, tags: ["b"] },
			},
			{
				loginId: "carol",
				phone: "+14155550103",
				displayName: "Carol C",
				givenName: "Carolina",
				createdTime: String(T0 + 200),
				customAttributes: { dept: "eng", age: 25 },
			},
			{
				loginId: "dave@other.org",
				additionalLoginIds: ["dave2"],
				displayName: "Dave",
				createdTime: T0 + 300,
			},
			{
				loginId: "tess",
				displayName: "Tess",
				test: true,
				status: "enabled",
				createdTime: T0 + 400,
				customAttributes: { dept: "eng" },
			},
		],
	});
	const body = expectStatus(res, 200);
	expect(body.failedUsers).toEqual([]);
	const byLogin = Object.fromEntries(body.createdUsers.map((u: any) => [u.loginIds[0], u]));
	return byLogin as Record<"alice@acme.com" | "bob@acme.com" | "carol" | "dave@other.org" | "tess", any>;
}

const ALL = ["alice@acme.com", "bob@acme.com", "carol", "dave@other.org"];
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("GET /v1/mgmt/user", () => {
	it("loads by login id, case-insensitively, with the exact wire shape", async () => {
		const api = mgmt(await newProject());
		const created = await createUser(api, { loginId: "Alice@Example.com", email: "alice@example.com" });
		const res = await api.get("/v1/mgmt/user?loginId=alice%40EXAMPLE.com");
		const body = expectStatus(res, 200);
		expect(Object.keys(body)).toEqual(["user"]);
		expectWireUser(body.user, { loginIds: ["Alice@Example.com"], email: "alice@example.com" });
		expect(body.user).toEqual(created);
	});

	it("loads by an additional login id, and by a user id passed as loginId or userId", async () => {
		const api = mgmt(await newProject());
		const created = await createUser(api, { loginId: "a", additionalLoginIds: ["b"] });
		for (const query of ["loginId=b", `loginId=${created.userId}`, `userId=${created.userId}`]) {
			expect(expectStatus(await api.get(`/v1/mgmt/user?${query}`), 200).user, query).toEqual(created);
		}
	});

	it("loads a login id holding URL-reserved characters", async () => {
		const api = mgmt(await newProject());
		const loginId = "a b&c=d+e/f@g";
		const created = await createUser(api, { loginId });
		const res = await api.get(`/v1/mgmt/user?loginId=${encodeURIComponent(loginId)}`);
		expect(expectStatus(res, 200).user).toEqual(created);
	});

	it("answers E062108 (404) for an unknown login id or user id", async () => {
		const api = mgmt(await newProject());
		const created = await createUser(api, { loginId: "a" });
		for (const query of [
			"loginId=nobody",
			"loginId=undefined",
			"userId=U000000000000000000000000000",
			"userId=a",
		]) {
			const res = await api.get(`/v1/mgmt/user?${query}`);
			expectDescopeError(res, 404, "E062108");
			expect(res.body.errorDescription, query).toBe("User not found");
		}
		expect(created.loginIds).toEqual(["a"]);
	});

	it("does not see users of another project", async () => {
		const api = mgmt(await newProject());
		const other = mgmt(await newProject());
		const theirs = await createUser(other, { loginId: "shared" });
		expectDescopeError(await api.get("/v1/mgmt/user?loginId=shared"), 404, "E062108");
		expectDescopeError(await api.get(`/v1/mgmt/user?userId=${theirs.userId}`), 404, "E062108");
	});

	it("answers E011002 when neither loginId nor userId is given", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(await api.get("/v1/mgmt/user"), 400, "E011002", "loginId");
	});
});

describe("POST /v1/mgmt/users/load", () => {
	it("loads the given user ids, skipping unknown ones, and counts them in total", async () => {
		const api = mgmt(await newProject());
		const a = await createUser(api, { loginId: "a" });
		const b = await createUser(api, { loginId: "b" });
		await createUser(api, { loginId: "c" });
		const body = expectStatus(
			await api.post("/v1/mgmt/users/load", {
				userIds: [a.userId, "U000000000000000000000000000", b.userId],
			}),
			200,
		);
		expect(Object.keys(body).sort()).toEqual(["total", "users"]);
		expect(body.total).toBe(2);
		expect(body.users.map((u: any) => u.loginIds[0]).sort()).toEqual(["a", "b"]);
		for (const u of body.users) expectWireUser(u, { loginIds: u.loginIds });
	});

	it("leaves disabled users out unless includeInvalidUsers is true", async () => {
		const api = mgmt(await newProject());
		const on = await createUser(api, { loginId: "on", status: "enabled" });
		const off = await createUser(api, { loginId: "off", status: "disabled" });
		const ids = [on.userId, off.userId];
		const plain = expectStatus(await api.post("/v1/mgmt/users/load", { userIds: ids }), 200);
		expect(plain.users.map((u: any) => u.loginIds[0])).toEqual(["on"]);
		expect(plain.total).toBe(1);
		const all = expectStatus(
			await api.post("/v1/mgmt/users/load", { userIds: ids, includeInvalidUsers: true }),
			200,
		);
		expect(all.users.map((u: any) => u.loginIds[0]).sort()).toEqual(["off", "on"]);
		expect(all.total).toBe(2);
	});

	it("answers an empty list for no ids", async () => {
		const api = mgmt(await newProject());
		expect(expectStatus(await api.post("/v1/mgmt/users/load", { userIds: [] }), 200)).toEqual({
			users: [],
			total: 0,
		});
	});

	it("rejects a missing, mistyped or oversized userIds", async () => {
		const project = await newProject();
		const api = mgmt(project);
		expectDescopeError(await api.post("/v1/mgmt/users/load", {}), 400, "E011002", "userIds");
		expectDescopeError(await api.post("/v1/mgmt/users/load", { userIds: "U1" }), 400, "E011004", "userIds");
		expectDescopeError(await api.post("/v1/mgmt/users/load", { userIds: [1] }), 400, "E011004", "userIds");
		const many = Array.from({ length: 2001 }, (_, i) => `U${i}`);
		expectDescopeError(await api.post("/v1/mgmt/users/load", { userIds: many }), 400, "E011004", "userIds");
		expectDescopeError(await rawPost(project, "/v1/mgmt/users/load", "{userIds:"), 400, "E011001");
	});
});

describe("POST /v2/mgmt/user/search: filters", () => {
	it("answers {users, total} with wire users; without filters every non-test user", async () => {
		const api = mgmt(await newProject());
		const seeded = await seed(api);
		const body = expectStatus(await api.post(SEARCH, {}), 200);
		expect(Object.keys(body).sort()).toEqual(["total", "users"]);
		expect(body.total).toBe(4);
		const alice = body.users.find((u: any) => u.loginIds[0] === "alice@acme.com");
		expectWireUser(alice, {
			loginIds: ["alice@acme.com"],
			name: "Alice Anders",
			email: "alice@acme.com",
			verifiedEmail: true,
			phone: "+14155550101",
			verifiedPhone: true,
			status: "enabled",
			createdTime: T0,
			customAttributes: { dept: "eng", age: 30, vip: true, tags: ["a", "b"] },
		});
		expect(alice).toEqual(seeded["alice@acme.com"]);
	});

	it("answers an empty result for an empty project", async () => {
		const api = mgmt(await newProject());
		expect(expectStatus(await api.post(SEARCH, {}), 200)).toEqual({ users: [], total: 0 });
	});

	it("filters by loginIds (any login id, case-insensitive) and userIds", async () => {
		const api = mgmt(await newProject());
		const s = await seed(api);
		expect((await search(api, { loginIds: ["ALICE@acme.com", "dave2"] })).loginIds).toEqual([
			"alice@acme.com",
			"dave@other.org",
		]);
		expect((await search(api, { loginIds: ["nobody"] })).total).toBe(0);
		expect((await search(api, { userIds: [s["bob@acme.com"].userId, s.carol.userId] })).loginIds).toEqual([
			"bob@acme.com",
			"carol",
		]);
		expect((await search(api, { userIds: [s.carol.userId], loginIds: ["alice@acme.com"] })).total).toBe(0);
	});

	it("filters by statuses", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		expect((await search(api, { statuses: ["enabled"] })).loginIds).toEqual(["alice@acme.com"]);
		expect((await search(api, { statuses: ["disabled", "invited"] })).loginIds).toEqual([
			"bob@acme.com",
			"carol",
			"dave@other.org",
		]);
		expect((await search(api, { statuses: ["expired"] })).total).toBe(0);
		expect((await search(api, { statuses: [] })).total).toBe(4);
	});

	it("filters by emails (case-insensitive) and phones (exact)", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		expect((await search(api, { emails: ["BOB@acme.com"] })).loginIds).toEqual(["bob@acme.com"]);
		expect((await search(api, { emails: ["alice@acme.com", "bob@acme.com"] })).total).toBe(2);
		expect((await search(api, { phones: ["+14155550103"] })).loginIds).toEqual(["carol"]);
		expect((await search(api, { phones: ["+14155550199"] })).total).toBe(0);
	});

	it("filters by verifiedEmail and verifiedPhone", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		expect((await search(api, { verifiedEmail: true })).loginIds).toEqual(["alice@acme.com"]);
		expect((await search(api, { verifiedEmail: false })).loginIds).toEqual([
			"bob@acme.com",
			"carol",
			"dave@other.org",
		]);
		expect((await search(api, { verifiedPhone: true })).loginIds).toEqual(["alice@acme.com"]);
		expect((await search(api, { verifiedPhone: false })).total).toBe(3);
	});

	it("filters by text of 3+ characters (trigram index) over login ids, names, email and phone", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		expect((await search(api, { text: "ANDERS" })).loginIds).toEqual(["alice@acme.com"]);
		expect((await search(api, { text: "acme" })).loginIds).toEqual(["alice@acme.com", "bob@acme.com"]);
		expect((await search(api, { text: "olina" })).loginIds).toEqual(["carol"]);
		expect((await search(api, { text: "dave2" })).loginIds).toEqual(["dave@other.org"]);
		expect((await search(api, { text: "5550103" })).loginIds).toEqual(["carol"]);
		expect((await search(api, { text: "zzz" })).total).toBe(0);
		expect((await search(api, { text: 'a"b OR *' })).total).toBe(0);
		expect((await search(api, { text: "tess" })).total).toBe(0);
	});

	it("filters by text of 1-2 characters (scan)", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		expect((await search(api, { text: "Al" })).loginIds).toEqual(["alice@acme.com"]);
		expect((await search(api, { text: "b" })).loginIds).toEqual(["bob@acme.com"]);
		expect((await search(api, { text: "%" })).total).toBe(0);
		expect((await search(api, { text: "_" })).total).toBe(0);
		expect((await search(api, { text: "   " })).total).toBe(4);
	});

	it("scopes text search to the project", async () => {
		const api = mgmt(await newProject());
		const other = mgmt(await newProject());
		await createUser(api, { loginId: "mine", displayName: "Zebra One" });
		await createUser(other, { loginId: "theirs", displayName: "Zebra Two" });
		expect((await search(api, { text: "zebra" })).loginIds).toEqual(["mine"]);
		expect((await search(api, { text: "Ze" })).loginIds).toEqual(["mine"]);
	});

	it("does not match text that only occurs in the project id", async () => {
		const project = await newProject();
		const api = mgmt(project);
		await createUser(api, { loginId: "x@y.io" });
		expect((await search(api, { text: project.projectId.slice(3, 9) })).total).toBe(0);
	});

	it("finds short text in given, middle and family names as the trigram path does", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "u1", givenName: "Qz" });
		await createUser(api, { loginId: "u2", familyName: "Qzx" });
		expect((await search(api, { text: "Qzx" })).loginIds).toEqual(["u2"]);
		expect((await search(api, { text: "Qz" })).loginIds).toEqual(["u1", "u2"]);
	});

	it("does not match the JSON punctuation of stored login ids", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "plain" });
		expect((await search(api, { text: '"' })).total).toBe(0);
		expect((await search(api, { text: "[" })).total).toBe(0);
	});

	it("filters by customAttributes: scalar, acceptable values, boolean, number, array element", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		const ca = async (customAttributes: Record<string, unknown>) =>
			(await search(api, { customAttributes })).loginIds;
		expect(await ca({ dept: "eng" })).toEqual(["alice@acme.com", "carol"]);
		expect(await ca({ dept: ["eng", "sales"] })).toEqual(["alice@acme.com", "bob@acme.com", "carol"]);
		expect(await ca({ vip: true })).toEqual(["alice@acme.com"]);
		expect(await ca({ vip: false })).toEqual(["bob@acme.com"]);
		expect(await ca({ age: 40 })).toEqual(["bob@acme.com"]);
		expect(await ca({ age: [25, 30] })).toEqual(["alice@acme.com", "carol"]);
		expect(await ca({ tags: "b" })).toEqual(["alice@acme.com", "bob@acme.com"]);
		expect(await ca({ tags: ["a"] })).toEqual(["alice@acme.com"]);
		expect(await ca({ dept: "eng", age: 25 })).toEqual(["carol"]);
		expect(await ca({ dept: "hr" })).toEqual([]);
		expect(await ca({ undeclared: "x" })).toEqual([]);
	});

	it("answers 200 or E011004, never 500, for 40 custom attribute filters at once", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		const customAttributes = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, "v"]));
		const res = await api.post(SEARCH, { customAttributes });
		if (res.status === 200) expect(res.body).toEqual({ users: [], total: 0 });
		else expectDescopeError(res, 400, "E011004");
	});

	// Known open bug (this test fails until it is fixed): the 1-2 character scan uses SQLite LIKE,
	// which folds ASCII case only, while login ids and the trigram path fold Unicode case.
	it.fails("matches 1-2 character text case-insensitively beyond ASCII, as 3+ characters do", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "ÉCOLE" });
		expect((await search(api, { text: "éco" })).loginIds).toEqual(["ÉCOLE"]);
		expect((await search(api, { text: "éc" })).loginIds).toEqual(["ÉCOLE"]);
	});

	it("rejects a customAttributes filter value that is an object", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		expectDescopeError(
			await api.post(SEARCH, { customAttributes: { dept: { eq: "eng" } } }),
			400,
			"E011004",
			"customAttributes.dept",
		);
	});

	it("filters by fromCreatedTime / toCreatedTime in ms, inclusive, as numbers or numeric strings", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		const ms = (s: number) => s * 1000;
		expect((await search(api, { fromCreatedTime: ms(T0 + 100) })).loginIds).toEqual([
			"bob@acme.com",
			"carol",
			"dave@other.org",
		]);
		expect((await search(api, { toCreatedTime: ms(T0 + 200) })).loginIds).toEqual([
			"alice@acme.com",
			"bob@acme.com",
			"carol",
		]);
		const between = { fromCreatedTime: String(ms(T0 + 100)), toCreatedTime: String(ms(T0 + 200)) };
		expect((await search(api, between)).loginIds).toEqual(["bob@acme.com", "carol"]);
		expect((await search(api, { fromCreatedTime: ms(T0 + 301) })).total).toBe(0);
		// Seconds are not milliseconds: every user was created after second T0 read as ms.
		expect((await search(api, { toCreatedTime: T0 })).total).toBe(0);
	});

	it("filters by fromModifiedTime / toModifiedTime in ms, as numbers or numeric strings", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		await wait(20);
		const mark = Date.now();
		await wait(20);
		expectStatus(
			await api.patch("/v1/mgmt/user/patch", { loginId: "bob@acme.com", displayName: "Bobby" }),
			200,
		);
		expect((await search(api, { fromModifiedTime: mark })).loginIds).toEqual(["bob@acme.com"]);
		expect((await search(api, { fromModifiedTime: String(mark) })).loginIds).toEqual(["bob@acme.com"]);
		expect((await search(api, { toModifiedTime: String(mark) })).loginIds).toEqual([
			"alice@acme.com",
			"carol",
			"dave@other.org",
		]);
		expect((await search(api, { fromModifiedTime: mark, toModifiedTime: mark + 3_600_000 })).total).toBe(1);
	});

	it("excludes test users by default; withTestUser adds them; testUsersOnly keeps only them", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		expect((await search(api, { withTestUser: true })).loginIds).toEqual([...ALL, "tess"]);
		expect((await search(api, { testUsersOnly: true })).loginIds).toEqual(["tess"]);
		expect((await search(api, { testUsersOnly: true, withTestUser: true })).loginIds).toEqual(["tess"]);
		expect((await search(api, { withTestUser: true, customAttributes: { dept: "eng" } })).loginIds).toEqual([
			"alice@acme.com",
			"carol",
			"tess",
		]);
	});

	it("combines filters with AND", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		const body = {
			text: "acme",
			statuses: ["enabled"],
			customAttributes: { vip: true },
			verifiedEmail: true,
		};
		expect((await search(api, body)).loginIds).toEqual(["alice@acme.com"]);
		expect((await search(api, { ...body, statuses: ["disabled"] })).total).toBe(0);
	});

	it("ignores unknown fields and null values", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		const body = { unknown: 1, loginIds: null, text: null, customAttributes: null, sort: null, limit: null };
		expect((await search(api, body)).total).toBe(4);
	});
});

describe("POST /v2/mgmt/user/search: sort, limit, page", () => {
	const names = (r: { users: any[] }) => r.users.map((u) => u.name);

	it("orders newest first by default", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		expect(names(await search(api, {}))).toEqual(["Dave", "Carol C", "Bob Brown", "Alice Anders"]);
	});

	it("sorts by a field ascending or descending, and by several fields", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		expect(names(await search(api, { sort: [{ field: "name" }] }))).toEqual([
			"Alice Anders",
			"Bob Brown",
			"Carol C",
			"Dave",
		]);
		expect(names(await search(api, { sort: [{ field: "name", desc: true }] }))).toEqual([
			"Dave",
			"Carol C",
			"Bob Brown",
			"Alice Anders",
		]);
		expect(names(await search(api, { sort: [{ field: "createdTime", desc: false }] }))).toEqual([
			"Alice Anders",
			"Bob Brown",
			"Carol C",
			"Dave",
		]);
		expect(names(await search(api, { sort: [{ field: "status" }, { field: "name", desc: true }] }))).toEqual([
			"Bob Brown",
			"Alice Anders",
			"Dave",
			"Carol C",
		]);
	});

	it("answers E011004 naming the sort field for an unknown one", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		expectDescopeError(
			await api.post(SEARCH, { sort: [{ field: "shoeSize" }] }),
			400,
			"E011004",
			"sort[0].field",
		);
		expectDescopeError(await api.post(SEARCH, { sort: [{ desc: true }] }), 400, "E011002", "sort.0.field");
	});

	it("pages with limit and page while total counts every match", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		const page = async (p: number) => search(api, { limit: 3, page: p });
		const p0 = await page(0);
		expect([p0.total, names(p0)]).toEqual([4, ["Dave", "Carol C", "Bob Brown"]]);
		const p1 = await page(1);
		expect([p1.total, names(p1)]).toEqual([4, ["Alice Anders"]]);
		const p2 = await page(2);
		expect([p2.total, p2.users]).toEqual([4, []]);
		const asStrings = await search(api, { limit: "2", page: "1" });
		expect([asStrings.total, names(asStrings)]).toEqual([4, ["Bob Brown", "Alice Anders"]]);
		const filtered = await search(api, { limit: 1, customAttributes: { dept: "eng" } });
		expect([filtered.total, filtered.users.length]).toEqual([2, 1]);
	});

	it("returns 100 users when limit is absent or 0, and the rest on page 1", async () => {
		const api = mgmt(await newProject());
		const users = Array.from({ length: 120 }, (_, i) => ({ loginId: `user${String(i).padStart(3, "0")}` }));
		expect(
			expectStatus(await api.post("/v1/mgmt/user/create/batch", { users }), 200).createdUsers,
		).toHaveLength(120);
		for (const body of [{}, { limit: 0 }]) {
			const r = await search(api, body);
			expect([r.users.length, r.total]).toEqual([100, 120]);
		}
		const rest = await search(api, { page: 1 });
		expect([rest.users.length, rest.total]).toEqual([20, 120]);
		const all = await search(api, { limit: 1000 });
		expect(new Set(all.loginIds).size).toBe(120);
	});

	it("answers 4xx, never 500, for a fractional limit or an out-of-range page", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "a" });
		for (const body of [{ limit: 2.5 }, { limit: "2.5" }, { page: 1e20 }]) {
			const res = await api.post(SEARCH, body);
			expect(res.status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`).toBeLessThan(500);
			if (res.status === 400) expectDescopeError(res, 400, "E011004", Object.keys(body)[0]);
		}
	});

	it("answers E011004 for sort fields named like Object.prototype members", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "a" });
		for (const field of ["toString", "__proto__", "constructor"]) {
			expectDescopeError(await api.post(SEARCH, { sort: [{ field }] }), 400, "E011004", "sort[0].field");
		}
	});

	it("answers E011004 for a limit above 1000 or a negative limit or page", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "a" });
		expectDescopeError(await api.post(SEARCH, { limit: 1001 }), 400, "E011004", "limit");
		expectDescopeError(await api.post(SEARCH, { limit: "5000" }), 400, "E011004", "limit");
		expectDescopeError(await api.post(SEARCH, { limit: -1 }), 400, "E011004", "limit");
		expectDescopeError(await api.post(SEARCH, { page: -1 }), 400, "E011004", "page");
	});
});

describe("POST /v2/mgmt/user/search: bad input", () => {
	it("answers E011004 naming the field for wrong JSON types", async () => {
		const api = mgmt(await newProject());
		const cases: [Record<string, unknown>, string][] = [
			[{ statuses: "enabled" }, "statuses"],
			[{ statuses: ["bogus"] }, "statuses"],
			[{ loginIds: "a" }, "loginIds"],
			[{ userIds: [1] }, "userIds"],
			[{ text: 5 }, "text"],
			[{ verifiedEmail: "true" }, "verifiedEmail"],
			[{ fromCreatedTime: "yesterday" }, "fromCreatedTime"],
			[{ limit: "ten" }, "limit"],
			[{ customAttributes: ["a"] }, "customAttributes"],
			[{ sort: { field: "name" } }, "sort"],
		];
		for (const [body, field] of cases)
			expectDescopeError(await api.post(SEARCH, body), 400, "E011004", field);
	});

	it("answers E011001 for a malformed JSON body", async () => {
		const project = await newProject();
		expectDescopeError(await rawPost(project, SEARCH, "{"), 400, "E011001");
	});

	it("matches nobody for unknown tenants, roles and SSO apps, and rejects a malformed tenant-role filter", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		for (const body of [
			{ tenantIds: ["T1"] },
			{ roleNames: ["admin"] },
			{ ssoAppIds: ["app"] },
			{ tenantRoleNames: { T1: { values: ["r"] } } },
			{ tenantRoleIds: { T1: { values: ["R1"], and: true } } },
		]) {
			expect(expectStatus(await api.post(SEARCH, body), 200), JSON.stringify(body)).toEqual({
				users: [],
				total: 0,
			});
		}
		expect((await search(api, { tenantIds: [], roleNames: [], ssoAppIds: [] })).total).toBe(4);
		expectDescopeError(
			await api.post(SEARCH, { tenantRoleNames: { T1: "r" } }),
			400,
			"E011004",
			"tenantRoleNames",
		);
		expectDescopeError(await api.post(SEARCH, { tenantIds: "T1" }), 400, "E011004", "tenantIds");
	});
});

describe("POST /v2/mgmt/user/search/test", () => {
	it("returns only test users, whatever the body says", async () => {
		const api = mgmt(await newProject());
		await seed(api);
		await createUser(api, { loginId: "tess2", test: true, status: "disabled" });
		const path = "/v2/mgmt/user/search/test";
		expect((await search(api, {}, path)).loginIds).toEqual(["tess", "tess2"]);
		expect((await search(api, { testUsersOnly: false, withTestUser: false }, path)).loginIds).toEqual([
			"tess",
			"tess2",
		]);
		const filtered = await search(api, { statuses: ["enabled"], customAttributes: { dept: "eng" } }, path);
		expect([filtered.loginIds, filtered.total]).toEqual([["tess"], 1]);
		expectDescopeError(await api.post(path, { limit: 1001 }), 400, "E011004", "limit");
	});
});
