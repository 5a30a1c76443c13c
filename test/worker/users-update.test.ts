// Descope `management.user.update` (overwrite), `patch`, `patchBatch` and the single-field updates
// (`updateEmail`, `updatePhone`, `updateLoginId`, …; docs/descope-compat.md).
import { describe, expect, it } from "vitest";
import {
	createUser,
	defineAttributes,
	expectDescopeError,
	expectStatus,
	expectWireUser,
	loadUser,
	type Mgmt,
	mgmt,
	newProject,
	rawPost,
	search,
} from "./harness";

const FULL = {
	loginId: "bob",
	additionalLoginIds: ["bob2"],
	email: "bob@x.com",
	verifiedEmail: true,
	phone: "+15555555555",
	verifiedPhone: true,
	displayName: "Bob",
	givenName: "B",
	middleName: "M",
	familyName: "F",
	picture: "http://p",
	status: "enabled",
	customAttributes: { dept: "eng", age: 30 },
};

/** A project with the attributes `dept` (string) and `age` (number), and the user FULL. */
async function withFullUser() {
	const project = await newProject();
	const api = mgmt(project);
	await defineAttributes(api, { dept: 1, age: 2 });
	const user = await createUser(api, FULL);
	return { project, api, user };
}

/** Asserts the user is exactly as it was (a rejected request changed nothing). */
async function expectUnchanged(api: Mgmt, before: any) {
	expect(await loadUser(api, before.userId)).toEqual(before);
}

describe("POST /v1/mgmt/user/update (overwrite)", () => {
	it("clears every field absent from the body, keeping the id, primary login id, status and createdTime", async () => {
		const { api, user } = await withFullUser();
		const res = await api.post("/v1/mgmt/user/update", { loginId: "bob", email: "new@x.com" });
		const updated = expectStatus(res, 200).user;
		expectWireUser(updated, {
			loginIds: ["bob"],
			userId: user.userId,
			email: "new@x.com",
			status: "enabled",
			createdTime: user.createdTime,
		});
		expect(await loadUser(api, "bob")).toEqual(updated);
		expect(await loadUser(api, "bob2")).toBeNull();
		expect((await search(api, { customAttributes: { dept: "eng" } })).total).toBe(0);
	});

	it("sets every field given, addressing the user by user id or an additional login id", async () => {
		const { api, user } = await withFullUser();
		const body = {
			email: "b2@x.com",
			verifiedEmail: true,
			phone: "+1 415 555 0100",
			displayName: "Robert",
			givenName: "Rob",
			familyName: "Ert",
			picture: "http://q",
			customAttributes: { age: 31 },
			additionalLoginIds: ["rob", "bobby"],
		};
		const expected = {
			loginIds: ["bob", "rob", "bobby"],
			userId: user.userId,
			email: "b2@x.com",
			verifiedEmail: true,
			phone: "+14155550100",
			name: "Robert",
			givenName: "Rob",
			familyName: "Ert",
			picture: "http://q",
			customAttributes: { age: 31 },
			status: "enabled",
			createdTime: user.createdTime,
		};
		const byId = await api.post("/v1/mgmt/user/update", { loginId: user.userId, ...body });
		expectWireUser(expectStatus(byId, 200).user, expected);
		expect(await loadUser(api, "bob2")).toBeNull();
		const byAdditional = await api.post("/v1/mgmt/user/update", { loginId: "ROB", ...body });
		expectWireUser(expectStatus(byAdditional, 200).user, expected);
		expect((await loadUser(api, "bobby")).userId).toBe(user.userId);
	});

	it("accepts the additionalIdentifiers alias and sets the status when given", async () => {
		const { api, user } = await withFullUser();
		const res = await api.post("/v1/mgmt/user/update", {
			loginId: "bob2",
			additionalIdentifiers: ["bob2", "bob3"],
			status: "disabled",
		});
		expectWireUser(expectStatus(res, 200).user, {
			loginIds: ["bob", "bob2", "bob3"],
			userId: user.userId,
			status: "disabled",
			createdTime: user.createdTime,
		});
	});

	it("answers E062108 (404) for an unknown user", async () => {
		const api = mgmt(await newProject());
		const res = await api.post("/v1/mgmt/user/update", { loginId: "ghost", email: "g@x.com" });
		expectDescopeError(res, 404, "E062108");
		expect(await loadUser(api, "ghost")).toBeNull();
	});

	it("answers E062107 (409) and changes nothing when the email or a login id belongs to another user", async () => {
		const { api, user } = await withFullUser();
		await createUser(api, { loginId: "amy", email: "amy@x.com" });
		expectDescopeError(
			await api.post("/v1/mgmt/user/update", { loginId: "bob", email: "AMY@x.com" }),
			409,
			"E062107",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/user/update", { loginId: "bob", additionalLoginIds: ["amy"] }),
			409,
			"E062107",
		);
		await expectUnchanged(api, user);
	});

	it("rejects invalid values without changing anything", async () => {
		const { project, api, user } = await withFullUser();
		const cases: [Record<string, unknown>, number, string, string][] = [
			[{ email: "x" }, 400, "E011004", "email"],
			[{ phone: "0100" }, 400, "E011004", "phone"],
			[{ customAttributes: { age: "old" } }, 400, "E011004", "customAttributes.age"],
			[{ customAttributes: { nope: 1 } }, 400, "E011004", "customAttributes.nope"],
			[{ additionalLoginIds: ["BOB"] }, 400, "E011004", "additionalLoginIds"],
			[{ additionalLoginIds: [""] }, 400, "E011002", "additionalLoginIds"],
			[{ roleNames: ["admin"] }, 400, "E011004", "roleNames"],
			[{ displayName: 7 }, 400, "E011004", "displayName"],
			[{ additionalLoginIds: "bob3" }, 400, "E011004", "additionalLoginIds"],
			[{ verifiedEmail: 1 }, 400, "E011004", "verifiedEmail"],
			[{ status: "gone" }, 400, "E011004", "status"],
		];
		for (const [body, status, code, field] of cases) {
			expectDescopeError(
				await api.post("/v1/mgmt/user/update", { loginId: "bob", ...body }),
				status,
				code,
				field,
			);
		}
		expectDescopeError(
			await api.post("/v1/mgmt/user/update", { email: "a@x.com" }),
			400,
			"E011002",
			"loginId",
		);
		expectDescopeError(await rawPost(project, "/v1/mgmt/user/update", '{"loginId":"bob"'), 400, "E011001");
		await expectUnchanged(api, user);
	});

	it("ignores unknown fields", async () => {
		const { api, user } = await withFullUser();
		const res = await api.post("/v1/mgmt/user/update", {
			...FULL,
			loginTime: 5,
			foo: { bar: 1 },
		});
		expect(expectStatus(res, 200).user).toEqual(user);
	});
});

describe("PATCH /v1/mgmt/user/patch", () => {
	it("changes only the fields given", async () => {
		const { api, user } = await withFullUser();
		const res = await api.patch("/v1/mgmt/user/patch", { loginId: "bob", displayName: "Robert" });
		const patched = expectStatus(res, 200).user;
		expect(patched).toEqual({ ...user, name: "Robert" });
		expect(await loadUser(api, "bob")).toEqual(patched);
	});

	it("changes several fields at once and merges custom attributes (null removes one)", async () => {
		const { api, user } = await withFullUser();
		const res = await api.patch("/v1/mgmt/user/patch", {
			loginId: user.userId,
			email: "new@x.com",
			verifiedEmail: false,
			phone: "+44 20 7946 0958",
			verifiedPhone: false,
			givenName: "",
			picture: "http://new",
			status: "disabled",
			customAttributes: { age: null, dept: "ops" },
			additionalIdentifiers: ["rob"],
			ssoAppIds: [],
			roleNames: [],
		});
		expect(expectStatus(res, 200).user).toEqual({
			...user,
			loginIds: ["bob", "rob"],
			externalIds: ["bob", "rob"],
			email: "new@x.com",
			verifiedEmail: false,
			phone: "+442079460958",
			verifiedPhone: false,
			givenName: "",
			picture: "http://new",
			status: "disabled",
			customAttributes: { dept: "ops" },
		});
		expect((await search(api, { customAttributes: { dept: "ops" }, statuses: ["disabled"] })).total).toBe(1);
		expect((await search(api, { customAttributes: { age: 30 } })).total).toBe(0);
	});

	it("treats null and absent alike, and an empty additionalIdentifiers removes the additional login ids", async () => {
		const { api, user } = await withFullUser();
		const res = await api.patch("/v1/mgmt/user/patch", {
			loginId: "bob",
			email: null,
			displayName: null,
			customAttributes: null,
			additionalIdentifiers: [],
			unknownField: { ignored: true },
			test: true,
		});
		expect(expectStatus(res, 200).user).toEqual({ ...user, loginIds: ["bob"], externalIds: ["bob"] });
		expect(await loadUser(api, "bob2")).toBeNull();
	});

	it("clears the email and its verification with an empty string", async () => {
		const { api, user } = await withFullUser();
		const res = await api.patch("/v1/mgmt/user/patch", { loginId: "bob", email: "", phone: "" });
		expect(expectStatus(res, 200).user).toEqual({
			...user,
			email: "",
			verifiedEmail: false,
			phone: "",
			verifiedPhone: false,
		});
	});

	it("never marks an absent email or phone verified", async () => {
		const api = mgmt(await newProject());
		const user = await createUser(api, { loginId: "a" });
		const res = await api.patch("/v1/mgmt/user/patch", {
			loginId: "a",
			verifiedEmail: true,
			verifiedPhone: true,
		});
		expect(expectStatus(res, 200).user).toEqual(user);
	});

	it("answers E062108 (404) for an unknown user and E011002 without loginId", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(
			await api.patch("/v1/mgmt/user/patch", { loginId: "ghost", displayName: "G" }),
			404,
			"E062108",
		);
		expectDescopeError(
			await api.patch("/v1/mgmt/user/patch", { displayName: "G" }),
			400,
			"E011002",
			"loginId",
		);
	});

	it("rejects invalid values and conflicts without changing anything", async () => {
		const { project, api, user } = await withFullUser();
		await createUser(api, { loginId: "amy", email: "amy@x.com", phone: "+15555550000" });
		const cases: [Record<string, unknown>, number, string, string?][] = [
			[{ email: "nope" }, 400, "E011004", "email"],
			[{ phone: "abc" }, 400, "E011004", "phone"],
			[{ customAttributes: { age: "x" } }, 400, "E011004", "customAttributes.age"],
			[{ additionalIdentifiers: ["bob"] }, 400, "E011004", "additionalIdentifiers"],
			[{ userTenants: [{ tenantId: "T1" }] }, 400, "E011004", "userTenants"],
			[{ email: 5 }, 400, "E011004", "email"],
			[{ customAttributes: [1] }, 400, "E011004", "customAttributes"],
			[{ email: "amy@x.com" }, 409, "E062107"],
			[{ phone: "+15555550000" }, 409, "E062107"],
			[{ additionalIdentifiers: ["AMY"] }, 409, "E062107"],
		];
		for (const [body, status, code, field] of cases) {
			expectDescopeError(
				await api.patch("/v1/mgmt/user/patch", { loginId: "bob", ...body }),
				status,
				code,
				field,
			);
		}
		expectDescopeError(await rawPost(project, "/v1/mgmt/user/patch", "{", "PATCH"), 400, "E011001");
		await expectUnchanged(api, user);
	});
});

describe("PATCH /v1/mgmt/user/patch/batch", () => {
	it("patches the valid items and reports each failing one with its reason", async () => {
		const { api, user } = await withFullUser();
		const amy = await createUser(api, { loginId: "amy" });
		const res = await api.patch("/v1/mgmt/user/patch/batch", {
			users: [
				{ loginId: "amy", displayName: "Amy" },
				{ loginId: "ghost", displayName: "Boo" },
				{ loginId: "bob", email: "not-an-email" },
			],
		});
		const body = expectStatus(res, 200);
		expect(Object.keys(body).sort()).toEqual(["additionalErrors", "failedUsers", "patchedUsers"]);
		expect(body.additionalErrors).toEqual({});
		expect(body.patchedUsers).toEqual([{ ...amy, name: "Amy" }]);
		expect(body.failedUsers).toHaveLength(2);
		const [ghost, bad] = body.failedUsers;
		expect(ghost.failure).toMatch(/not found/i);
		expectWireUser(ghost.user, { loginIds: ["ghost"], userId: "", createdTime: 0 });
		expect(bad.failure).toContain("email");
		expect(bad.user).toEqual(user);
		await expectUnchanged(api, user);
		expect((await loadUser(api, "amy")).name).toBe("Amy");
		expect(await loadUser(api, "ghost")).toBeNull();
	});

	it("reports the second item naming a user already patched in the batch", async () => {
		const api = mgmt(await newProject());
		const amy = await createUser(api, { loginId: "amy", additionalLoginIds: ["amy2"] });
		const res = await api.patch("/v1/mgmt/user/patch/batch", {
			users: [
				{ loginId: "amy", displayName: "First" },
				{ loginId: "amy2", displayName: "Second" },
			],
		});
		const body = expectStatus(res, 200);
		expect(body.patchedUsers.map((u: any) => u.name)).toEqual(["First"]);
		expect(body.failedUsers).toEqual([{ failure: expect.stringContaining("more than once"), user: amy }]);
		expect((await loadUser(api, "amy")).name).toBe("First");
	});

	it("reports an item whose email belongs to another user and patches the others", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "amy", email: "amy@x.com" });
		const bob = await createUser(api, { loginId: "bob" });
		await createUser(api, { loginId: "cat" });
		const res = await api.patch("/v1/mgmt/user/patch/batch", {
			users: [
				{ loginId: "bob", email: "amy@x.com" },
				{ loginId: "cat", displayName: "Cat" },
			],
		});
		const body = expectStatus(res, 200);
		expect(body.patchedUsers.map((u: any) => u.loginIds[0])).toEqual(["cat"]);
		expect(body.failedUsers).toEqual([{ failure: expect.stringContaining("amy@x.com"), user: bob }]);
	});

	it("rejects an empty, missing or mistyped users list, and an item without loginId, changing nothing", async () => {
		const { project, api, user } = await withFullUser();
		const path = "/v1/mgmt/user/patch/batch";
		expectDescopeError(await api.patch(path, { users: [] }), 400, "E011002", "users");
		expectDescopeError(await api.patch(path, {}), 400, "E011002", "users");
		expectDescopeError(await api.patch(path, { users: { loginId: "bob" } }), 400, "E011004", "users");
		expectDescopeError(
			await api.patch(path, { users: [{ loginId: "bob", displayName: "X" }, { displayName: "Y" }] }),
			400,
			"E011002",
			"users.1.loginId",
		);
		expectDescopeError(
			await api.patch(path, {
				users: [
					{ loginId: "bob", displayName: "X" },
					{ loginId: "bob", email: 1 },
				],
			}),
			400,
			"E011004",
			"users.1.email",
		);
		const tooMany = Array.from({ length: 2001 }, () => ({ loginId: "bob", displayName: "X" }));
		expectDescopeError(await api.patch(path, { users: tooMany }), 400, "E011004", "users");
		expectDescopeError(await rawPost(project, path, '{"users":[', "PATCH"), 400, "E011001");
		await expectUnchanged(api, user);
	});
});

describe("POST /v1/mgmt/user/update/status", () => {
	it("enables, disables and re-invites", async () => {
		const { api, user } = await withFullUser();
		for (const status of ["disabled", "enabled", "invited"]) {
			const res = await api.post("/v1/mgmt/user/update/status", { loginId: "bob", status });
			expect(expectStatus(res, 200).user).toEqual({ ...user, status });
			expect((await loadUser(api, "bob")).status).toBe(status);
		}
	});

	it("rejects an unknown status or user without changing anything", async () => {
		const { api, user } = await withFullUser();
		const path = "/v1/mgmt/user/update/status";
		expectDescopeError(await api.post(path, { loginId: "bob", status: "expired" }), 400, "E011004", "status");
		expectDescopeError(await api.post(path, { loginId: "bob", status: true }), 400, "E011004", "status");
		expectDescopeError(await api.post(path, { status: "disabled" }), 400, "E011002", "loginId");
		expectDescopeError(await api.post(path, { loginId: "ghost", status: "disabled" }), 404, "E062108");
		await expectUnchanged(api, user);
	});

	it("answers E011002 when status is missing", async () => {
		const { api, user } = await withFullUser();
		expectDescopeError(
			await api.post("/v1/mgmt/user/update/status", { loginId: "bob" }),
			400,
			"E011002",
			"status",
		);
		await expectUnchanged(api, user);
	});
});

describe("POST /v1/mgmt/user/update/email", () => {
	const path = "/v1/mgmt/user/update/email";

	it("sets the email with its verification, and an empty email removes it", async () => {
		const { api, user } = await withFullUser();
		const verified = expectStatus(
			await api.post(path, { loginId: "bob", email: "n@x.com", verified: true }),
			200,
		);
		expect(verified.user).toEqual({ ...user, email: "n@x.com", verifiedEmail: true });
		const unverified = expectStatus(await api.post(path, { loginId: "bob", email: "m@x.com" }), 200);
		expect(unverified.user).toEqual({ ...user, email: "m@x.com", verifiedEmail: false });
		const removed = expectStatus(await api.post(path, { loginId: "bob", email: "", verified: true }), 200);
		expect(removed.user).toEqual({ ...user, email: "", verifiedEmail: false });
		expect(await loadUser(api, "bob")).toEqual(removed.user);
	});

	it("with failOnConflict refuses another user's login id; without it, accepts it", async () => {
		const { api, user } = await withFullUser();
		await createUser(api, { loginId: "amy@x.com" });
		const conflict = await api.post(path, {
			loginId: "bob",
			email: "AMY@x.com",
			verified: true,
			failOnConflict: true,
		});
		expectDescopeError(conflict, 409, "E062107");
		await expectUnchanged(api, user);
		const res = await api.post(path, {
			loginId: "bob",
			email: "amy@x.com",
			verified: true,
			failOnConflict: false,
		});
		expect(expectStatus(res, 200).user.email).toBe("amy@x.com");
	});

	it("with failOnConflict accepts the user's own login id", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "me@x.com" });
		const res = await api.post(path, {
			loginId: "me@x.com",
			email: "me@x.com",
			verified: true,
			failOnConflict: true,
		});
		expect(expectStatus(res, 200).user).toMatchObject({ email: "me@x.com", verifiedEmail: true });
	});

	it("rejects an invalid email, another user's email and bad input without changing anything", async () => {
		const { api, user } = await withFullUser();
		await createUser(api, { loginId: "amy", email: "amy@x.com" });
		expectDescopeError(
			await api.post(path, { loginId: "bob", email: "bad@", verified: true }),
			400,
			"E011004",
			"email",
		);
		expectDescopeError(await api.post(path, { loginId: "bob", email: "amy@x.com" }), 409, "E062107");
		expectDescopeError(await api.post(path, { loginId: "bob", email: 42 }), 400, "E011004", "email");
		expectDescopeError(
			await api.post(path, { loginId: "bob", email: "a@x.com", verified: "yes" }),
			400,
			"E011004",
		);
		expectDescopeError(await api.post(path, { email: "a@x.com" }), 400, "E011002", "loginId");
		expectDescopeError(await api.post(path, { loginId: "ghost", email: "a@x.com" }), 404, "E062108");
		await expectUnchanged(api, user);
	});
});

describe("POST /v1/mgmt/user/update/phone", () => {
	const path = "/v1/mgmt/user/update/phone";

	it("normalises to E.164, and an empty phone removes it", async () => {
		const { api, user } = await withFullUser();
		const cases: [string, string][] = [
			["+1 (415) 555-0100", "+14155550100"],
			["+44 20.7946.0958", "+442079460958"],
			[" +33612345678 ", "+33612345678"],
		];
		for (const [input, stored] of cases) {
			const res = await api.post(path, { loginId: "bob", phone: input, verified: true });
			expect(expectStatus(res, 200).user).toEqual({ ...user, phone: stored, verifiedPhone: true });
		}
		const removed = expectStatus(await api.post(path, { loginId: "bob", phone: "", verified: true }), 200);
		expect(removed.user).toEqual({ ...user, phone: "", verifiedPhone: false });
		expect(await loadUser(api, "bob")).toEqual(removed.user);
	});

	it("rejects numbers that are not E.164 without changing anything", async () => {
		const { api, user } = await withFullUser();
		for (const phone of [
			"4155550100",
			"+0155550100",
			"+1 555 CALL NOW",
			"+123",
			"+1234567890123456",
			"++15555555555",
		]) {
			expectDescopeError(await api.post(path, { loginId: "bob", phone }), 400, "E011004", "phone");
		}
		expectDescopeError(await api.post(path, { loginId: "bob", phone: 14155550100 }), 400, "E011004", "phone");
		await expectUnchanged(api, user);
	});

	it("with failOnConflict refuses another user's login id", async () => {
		const { api, user } = await withFullUser();
		await createUser(api, { loginId: "+14155550199" });
		const res = await api.post(path, { loginId: "bob", phone: "+1 415 555 0199", failOnConflict: true });
		expectDescopeError(res, 409, "E062107");
		await expectUnchanged(api, user);
		const ok = await api.post(path, { loginId: "bob", phone: "+14155550199" });
		expect(expectStatus(ok, 200).user.phone).toBe("+14155550199");
	});

	it("answers E062107 for another user's phone and E062108 for an unknown user", async () => {
		const { api, user } = await withFullUser();
		await createUser(api, { loginId: "amy", phone: "+14155550123" });
		expectDescopeError(await api.post(path, { loginId: "bob", phone: "+14155550123" }), 409, "E062107");
		expectDescopeError(await api.post(path, { loginId: "ghost", phone: "+14155550100" }), 404, "E062108");
		await expectUnchanged(api, user);
	});
});

describe("POST /v1/mgmt/user/update/loginid", () => {
	const path = "/v1/mgmt/user/update/loginid";

	it("renames the primary login id in place", async () => {
		const { api, user } = await withFullUser();
		const res = await api.post(path, { loginId: "bob", newLoginId: "robert" });
		const updated = expectStatus(res, 200).user;
		expect(updated).toEqual({ ...user, loginIds: ["robert", "bob2"], externalIds: ["robert", "bob2"] });
		expect(await loadUser(api, "bob")).toBeNull();
		expect(await loadUser(api, "robert")).toEqual(updated);
		expect((await search(api, { text: "robert" })).total).toBe(1);
	});

	it("renames an additional login id in place, and a user id means the primary one", async () => {
		const { api, user } = await withFullUser();
		const a = expectStatus(await api.post(path, { loginId: "BOB2", newLoginId: "bobby" }), 200).user;
		expect(a.loginIds).toEqual(["bob", "bobby"]);
		const b = expectStatus(await api.post(path, { loginId: user.userId, newLoginId: "Bob" }), 200).user;
		expect(b.loginIds).toEqual(["Bob", "bobby"]);
		expect(await loadUser(api, "bobby")).toEqual(b);
	});

	it("removes a login id when newLoginId is empty or absent", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "a", additionalLoginIds: ["b", "c"] });
		expect(expectStatus(await api.post(path, { loginId: "b", newLoginId: "" }), 200).user.loginIds).toEqual([
			"a",
			"c",
		]);
		expect(expectStatus(await api.post(path, { loginId: "a" }), 200).user.loginIds).toEqual(["c"]);
		expect(await loadUser(api, "a")).toBeNull();
		expect(await loadUser(api, "b")).toBeNull();
		expect((await loadUser(api, "c")).loginIds).toEqual(["c"]);
	});

	it("refuses to remove the last login id", async () => {
		const api = mgmt(await newProject());
		const user = await createUser(api, { loginId: "only" });
		expectDescopeError(
			await api.post(path, { loginId: "only", newLoginId: "" }),
			400,
			"E011004",
			"newLoginId",
		);
		expectDescopeError(await api.post(path, { loginId: "only" }), 400, "E011004", "newLoginId");
		expectDescopeError(
			await api.post(path, { loginId: "only", newLoginId: "  " }),
			400,
			"E011004",
			"newLoginId",
		);
		await expectUnchanged(api, user);
	});

	it("answers E062107 for another user's login id and changes nothing", async () => {
		const { api, user } = await withFullUser();
		const amy = await createUser(api, { loginId: "amy", additionalLoginIds: ["amy2"] });
		expectDescopeError(await api.post(path, { loginId: "bob", newLoginId: "AMY2" }), 409, "E062107");
		expectDescopeError(await api.post(path, { loginId: "bob2", newLoginId: "amy" }), 409, "E062107");
		await expectUnchanged(api, user);
		await expectUnchanged(api, amy);
	});

	it("rejects bad input", async () => {
		const { api, user } = await withFullUser();
		expectDescopeError(await api.post(path, { loginId: "ghost", newLoginId: "x" }), 404, "E062108");
		expectDescopeError(await api.post(path, { newLoginId: "x" }), 400, "E011002", "loginId");
		expectDescopeError(await api.post(path, { loginId: "bob", newLoginId: 5 }), 400, "E011004", "newLoginId");
		expectDescopeError(await api.post(path, { loginId: "bob", newLoginId: "x".repeat(321) }), 400, "E011004");
		await expectUnchanged(api, user);
	});
});

describe("POST /v1/mgmt/user/update/name", () => {
	const path = "/v1/mgmt/user/update/name";

	it("leaves absent names unchanged and clears empty ones", async () => {
		const { api, user } = await withFullUser();
		const only = expectStatus(await api.post(path, { loginId: "bob", displayName: "Robert" }), 200).user;
		expect(only).toEqual({ ...user, name: "Robert" });
		const res = await api.post(path, { loginId: "bob", givenName: "", middleName: null, familyName: "Fox" });
		expect(expectStatus(res, 200).user).toEqual({
			...user,
			name: "Robert",
			givenName: "",
			familyName: "Fox",
		});
		const all = await api.post(path, {
			loginId: "bob",
			displayName: "",
			givenName: "G",
			middleName: "",
			familyName: "",
		});
		expect(expectStatus(all, 200).user).toEqual({
			...user,
			name: "",
			givenName: "G",
			middleName: "",
			familyName: "",
		});
		expect(await loadUser(api, "bob")).toEqual(expectStatus(all, 200).user);
	});

	it("rejects bad input without changing anything", async () => {
		const { api, user } = await withFullUser();
		expectDescopeError(
			await api.post(path, { loginId: "bob", displayName: 1 }),
			400,
			"E011004",
			"displayName",
		);
		expectDescopeError(await api.post(path, { displayName: "X" }), 400, "E011002", "loginId");
		expectDescopeError(await api.post(path, { loginId: "ghost", displayName: "X" }), 404, "E062108");
		await expectUnchanged(api, user);
	});
});

describe("POST /v1/mgmt/user/update/picture", () => {
	const path = "/v1/mgmt/user/update/picture";

	it("sets the picture, and an empty one removes it", async () => {
		const { api, user } = await withFullUser();
		const set = await api.post(path, { loginId: "bob", picture: "https://img.example/b.png" });
		expect(expectStatus(set, 200).user).toEqual({ ...user, picture: "https://img.example/b.png" });
		const cleared = await api.post(path, { loginId: "bob", picture: "" });
		expect(expectStatus(cleared, 200).user).toEqual({ ...user, picture: "" });
	});

	it("rejects bad input without changing anything", async () => {
		const { api, user } = await withFullUser();
		expectDescopeError(await api.post(path, { loginId: "bob", picture: ["x"] }), 400, "E011004", "picture");
		expectDescopeError(await api.post(path, { picture: "x" }), 400, "E011002", "loginId");
		expectDescopeError(await api.post(path, { loginId: "ghost", picture: "x" }), 404, "E062108");
		await expectUnchanged(api, user);
	});
});

describe("POST /v1/mgmt/user/update/customAttribute", () => {
	const path = "/v1/mgmt/user/update/customAttribute";

	async function withTypedAttributes() {
		const api = mgmt(await newProject());
		await defineAttributes(api, {
			s: 1,
			n: 2,
			b: 3,
			pick: { type: 4, options: ["red", "blue"] },
			list: { type: 5, options: ["x", "y", "z"] },
			free: 5,
			d: 6,
		});
		const user = await createUser(api, { loginId: "u", customAttributes: { s: "keep" } });
		return { api, user };
	}

	it("sets a value of each type, and the value becomes searchable", async () => {
		const { api, user } = await withTypedAttributes();
		const values: [string, unknown][] = [
			["s", "text"],
			["n", 42.5],
			["b", false],
			["pick", "blue"],
			["list", ["x", "z"]],
			["free", []],
			["d", 1_700_000_000_000],
		];
		let expected: Record<string, unknown> = { s: "keep" };
		for (const [attributeKey, attributeValue] of values) {
			const res = await api.post(path, { loginId: "u", attributeKey, attributeValue });
			expected = { ...expected, [attributeKey]: attributeValue };
			expect(expectStatus(res, 200).user, attributeKey).toEqual({ ...user, customAttributes: expected });
		}
		expect((await loadUser(api, "u")).customAttributes).toEqual(expected);
		for (const customAttributes of [
			{ s: "text" },
			{ n: 42.5 },
			{ b: false },
			{ pick: "blue" },
			{ list: "z" },
		]) {
			expect((await search(api, { customAttributes })).total, JSON.stringify(customAttributes)).toBe(1);
		}
	});

	it("removes the attribute when the value is null or absent", async () => {
		const { api, user } = await withTypedAttributes();
		expectStatus(await api.post(path, { loginId: "u", attributeKey: "n", attributeValue: 1 }), 200);
		const res = await api.post(path, { loginId: "u", attributeKey: "n", attributeValue: null });
		expect(expectStatus(res, 200).user).toEqual(user);
		expect((await search(api, { customAttributes: { n: 1 } })).total).toBe(0);
		const absent = await api.post(path, { loginId: "u", attributeKey: "s" });
		expect(expectStatus(absent, 200).user).toEqual({ ...user, customAttributes: {} });
		expect((await search(api, { customAttributes: { s: "keep" } })).total).toBe(0);
	});

	it("enforces the attribute's type and options without changing anything", async () => {
		const { api, user } = await withTypedAttributes();
		const cases: [string, unknown][] = [
			["s", 5],
			["s", ["a"]],
			["n", "5"],
			["b", "true"],
			["b", 1],
			["pick", "green"],
			["list", ["x", "w"]],
			["list", "x"],
			["d", "2024-01-01"],
		];
		for (const [attributeKey, attributeValue] of cases) {
			const res = await api.post(path, { loginId: "u", attributeKey, attributeValue });
			expectDescopeError(res, 400, "E011004", attributeKey);
		}
		for (const attributeValue of [{ a: 1 }, [1], [["x"]]]) {
			expectDescopeError(
				await api.post(path, { loginId: "u", attributeKey: "free", attributeValue }),
				400,
				"E011004",
				"attributeValue",
			);
		}
		expectDescopeError(
			await api.post(path, { loginId: "u", attributeKey: "undeclared", attributeValue: "x" }),
			400,
			"E011004",
			"undeclared",
		);
		await expectUnchanged(api, user);
	});

	it("rejects a missing key or login id and an unknown user", async () => {
		const { api, user } = await withTypedAttributes();
		expectDescopeError(
			await api.post(path, { loginId: "u", attributeValue: "x" }),
			400,
			"E011002",
			"attributeKey",
		);
		expectDescopeError(
			await api.post(path, { attributeKey: "s", attributeValue: "x" }),
			400,
			"E011002",
			"loginId",
		);
		expectDescopeError(
			await api.post(path, { loginId: "ghost", attributeKey: "s", attributeValue: "x" }),
			404,
			"E062108",
		);
		await expectUnchanged(api, user);
	});
});
