// Descope `management.user.delete`, `deleteByUserId`, `deleteBatch`, `deleteAllTestUsers`
// (docs/descope-compat.md).
import { describe, expect, it } from "vitest";
import {
	createUser,
	defineAttributes,
	expectDescopeError,
	expectStatus,
	loadUser,
	mgmt,
	newProject,
	rawPost,
	search,
} from "./harness";

const DELETE = "/v1/mgmt/user/delete";
const BATCH = "/v1/mgmt/user/delete/batch";
const TEST_USERS = "/v1/mgmt/user/test/delete/all";

describe("POST /v1/mgmt/user/delete", () => {
	it("deletes by login id, answers {}, and removes the user from load, search and its login ids", async () => {
		const api = mgmt(await newProject());
		await defineAttributes(api, { dept: 1 });
		const user = await createUser(api, {
			loginId: "Gone@x.com",
			additionalLoginIds: ["gone2"],
			email: "gone@x.com",
			displayName: "Gonzo",
			customAttributes: { dept: "eng" },
		});
		await createUser(api, { loginId: "stays" });
		expect(expectStatus(await api.post(DELETE, { loginId: "gone@X.com" }), 200)).toEqual({});
		expect(await loadUser(api, "gone@x.com")).toBeNull();
		expect(await loadUser(api, "gone2")).toBeNull();
		expect(await loadUser(api, user.userId)).toBeNull();
		for (const body of [
			{ text: "gonzo" },
			{ text: "Go" },
			{ customAttributes: { dept: "eng" } },
			{ emails: ["gone@x.com"] },
		]) {
			expect((await search(api, body)).total, JSON.stringify(body)).toBe(0);
		}
		expect((await search(api, {})).loginIds).toEqual(["stays"]);
		// The login ids and the email are free again.
		const again = await createUser(api, { loginId: "gone2", email: "gone@x.com" });
		expect(again.userId).not.toBe(user.userId);
	});

	it("deletes by an additional login id", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "a", additionalLoginIds: ["b"] });
		expect(expectStatus(await api.post(DELETE, { loginId: "B" }), 200)).toEqual({});
		expect(await loadUser(api, "a")).toBeNull();
	});

	it("deletes by user id, given as userId or as loginId", async () => {
		const api = mgmt(await newProject());
		const a = await createUser(api, { loginId: "a" });
		const b = await createUser(api, { loginId: "b" });
		expect(expectStatus(await api.post(DELETE, { userId: a.userId }), 200)).toEqual({});
		expect(expectStatus(await api.post(DELETE, { loginId: b.userId }), 200)).toEqual({});
		expect((await search(api, {})).total).toBe(0);
	});

	it("is idempotent: deleting an unknown or already deleted user answers {}", async () => {
		const api = mgmt(await newProject());
		const user = await createUser(api, { loginId: "a" });
		for (let i = 0; i < 2; i++) {
			expect(expectStatus(await api.post(DELETE, { loginId: "a" }), 200)).toEqual({});
			expect(expectStatus(await api.post(DELETE, { userId: user.userId }), 200)).toEqual({});
		}
		expect(expectStatus(await api.post(DELETE, { loginId: "never-existed" }), 200)).toEqual({});
	});

	it("never deletes another project's user", async () => {
		const api = mgmt(await newProject());
		const other = mgmt(await newProject());
		const theirs = await createUser(other, { loginId: "shared" });
		await createUser(api, { loginId: "shared" });
		expectStatus(await api.post(DELETE, { loginId: "shared" }), 200);
		expectStatus(await api.post(DELETE, { userId: theirs.userId }), 200);
		expectStatus(await api.post(DELETE, { loginId: theirs.userId }), 200);
		expect(await loadUser(other, "shared")).toEqual(theirs);
	});

	it("rejects mistyped and malformed bodies without deleting anything", async () => {
		const project = await newProject();
		const api = mgmt(project);
		const user = await createUser(api, { loginId: "a" });
		expectDescopeError(await api.post(DELETE, { loginId: 5 }), 400, "E011004", "loginId");
		expectDescopeError(await api.post(DELETE, { userId: ["a"] }), 400, "E011004", "userId");
		expectDescopeError(await rawPost(project, DELETE, '{"loginId":"a"'), 400, "E011001");
		expect(await loadUser(api, "a")).toEqual(user);
	});

	it("answers E011002 when neither loginId nor userId is given", async () => {
		const api = mgmt(await newProject());
		const user = await createUser(api, { loginId: "a" });
		expectDescopeError(await api.post(DELETE, {}), 400, "E011002", "loginId");
		expectDescopeError(await api.post(DELETE, { loginId: "", userId: null }), 400, "E011002", "loginId");
		expect(await loadUser(api, "a")).toEqual(user);
	});
});

describe("POST /v1/mgmt/user/delete/batch", () => {
	it("deletes the given user ids, ignoring unknown ones", async () => {
		const api = mgmt(await newProject());
		const a = await createUser(api, { loginId: "a" });
		const b = await createUser(api, { loginId: "b", test: true });
		await createUser(api, { loginId: "c" });
		const res = await api.post(BATCH, { userIds: [a.userId, b.userId, "U000000000000000000000000000"] });
		expect(expectStatus(res, 200)).toEqual({});
		expect((await search(api, { withTestUser: true })).loginIds).toEqual(["c"]);
		expect(expectStatus(await api.post(BATCH, { userIds: [a.userId] }), 200)).toEqual({});
	});

	it("takes user ids only: a login id deletes nothing", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "a" });
		expect(expectStatus(await api.post(BATCH, { userIds: ["a"] }), 200)).toEqual({});
		expect(await loadUser(api, "a")).not.toBeNull();
	});

	it("deletes 500 users in one request and accepts an empty list", async () => {
		const api = mgmt(await newProject());
		const users = Array.from({ length: 500 }, (_, i) => ({ loginId: `u${i}` }));
		const created = expectStatus(await api.post("/v1/mgmt/user/create/batch", { users }), 200).createdUsers;
		expect(expectStatus(await api.post(BATCH, { userIds: [] }), 200)).toEqual({});
		expect((await search(api, {})).total).toBe(500);
		expectStatus(await api.post(BATCH, { userIds: created.map((u: any) => u.userId) }), 200);
		expect((await search(api, {})).total).toBe(0);
	});

	it("rejects a missing, mistyped or oversized list without deleting anything", async () => {
		const project = await newProject();
		const api = mgmt(project);
		const user = await createUser(api, { loginId: "a" });
		expectDescopeError(await api.post(BATCH, {}), 400, "E011002", "userIds");
		expectDescopeError(await api.post(BATCH, { userIds: user.userId }), 400, "E011004", "userIds");
		expectDescopeError(await api.post(BATCH, { userIds: [user.userId, 7] }), 400, "E011004", "userIds");
		const tooMany = [user.userId, ...Array.from({ length: 2000 }, (_, i) => `U${i}`)];
		expectDescopeError(await api.post(BATCH, { userIds: tooMany }), 400, "E011004", "userIds");
		expectDescopeError(await rawPost(project, BATCH, "{userIds:[]}"), 400, "E011001");
		expect(await loadUser(api, "a")).toEqual(user);
	});
});

describe("DELETE /v1/mgmt/user/test/delete/all", () => {
	it("deletes every test user of the project and nobody else", async () => {
		const api = mgmt(await newProject());
		const other = mgmt(await newProject());
		await createUser(api, { loginId: "real" });
		await createUser(api, { loginId: "t1", test: true });
		expectStatus(await api.post("/v1/mgmt/user/create/test", { loginId: "t2" }), 200);
		expectStatus(
			await api.post("/v1/mgmt/user/create/batch", {
				users: [{ loginId: "t3", test: true }, { loginId: "real2" }],
			}),
			200,
		);
		await createUser(other, { loginId: "their-test", test: true });
		const res = await api.delete(TEST_USERS);
		expect(expectStatus(res, 200)).toEqual({});
		expect((await search(api, { withTestUser: true })).loginIds).toEqual(["real", "real2"]);
		expect((await search(api, { testUsersOnly: true })).total).toBe(0);
		expect(await loadUser(api, "t1")).toBeNull();
		expect((await search(other, { testUsersOnly: true })).loginIds).toEqual(["their-test"]);
		// Idempotent.
		expect(expectStatus(await api.delete(TEST_USERS), 200)).toEqual({});
	});

	it("answers {} for a project without test users", async () => {
		const api = mgmt(await newProject());
		expect(expectStatus(await api.delete(TEST_USERS), 200)).toEqual({});
	});
});
