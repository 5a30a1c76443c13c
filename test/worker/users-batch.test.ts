// Descope batch create / invite: `management.user.createBatch`, `inviteBatch` (docs/descope-compat.md).
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
	wireUser,
} from "./harness";

const BATCH = "/v1/mgmt/user/create/batch";

const count = async (api: Mgmt) => (await search(api, { withTestUser: true, limit: 1000 })).total;

describe("POST /v1/mgmt/user/create/batch", () => {
	it("creates 1,000 users in one request", async () => {
		const api = mgmt(await newProject());
		await defineAttributes(api, { n: 2 });
		const users = Array.from({ length: 1000 }, (_, i) => ({
			loginId: `user${i}@example.com`,
			email: `user${i}@example.com`,
			phone: `+1415555${String(i).padStart(4, "0")}`,
			displayName: `User ${i}`,
			customAttributes: { n: i },
		}));
		const body = expectStatus(await api.post(BATCH, { users }), 200);
		expect(Object.keys(body).sort()).toEqual(["additionalErrors", "createdUsers", "failedUsers"]);
		expect(body.failedUsers).toEqual([]);
		expect(body.additionalErrors).toEqual({});
		expect(body.createdUsers).toHaveLength(1000);
		body.createdUsers.forEach((u: any, i: number) => {
			expect(u).toEqual(
				wireUser({
					loginIds: [`user${i}@example.com`],
					email: `user${i}@example.com`,
					phone: `+1415555${String(i).padStart(4, "0")}`,
					name: `User ${i}`,
					customAttributes: { n: i },
				}),
			);
		});
		expect(new Set(body.createdUsers.map((u: any) => u.userId)).size).toBe(1000);
		expect(await count(api)).toBe(1000);
		expect(await loadUser(api, "user777@example.com")).toEqual(body.createdUsers[777]);
		expect((await search(api, { customAttributes: { n: 999 } })).loginIds).toEqual(["user999@example.com"]);
		expect((await search(api, { text: "User 123" })).loginIds).toEqual(["user123@example.com"]);
	});

	it("creates 2,000 users, the maximum, in one request", async () => {
		const api = mgmt(await newProject());
		const users = Array.from({ length: 2000 }, (_, i) => ({ loginId: `u${i}`, email: `u${i}@x.com` }));
		const body = expectStatus(await api.post(BATCH, { users }), 200);
		expect([body.createdUsers.length, body.failedUsers.length]).toEqual([2000, 0]);
		expect((await search(api, {})).total).toBe(2000);
	});

	it("keeps createdTime (seconds, number or numeric string), status, test and every field", async () => {
		const api = mgmt(await newProject());
		const body = expectStatus(
			await api.post(BATCH, {
				users: [
					{
						loginId: "b1",
						email: "b1@x.com",
						verifiedEmail: true,
						test: true,
						status: "enabled",
						createdTime: 5,
						additionalLoginIds: ["b1-alt"],
						givenName: "G",
						picture: "http://p",
					},
					{ loginId: "b2", createdTime: "1700000000", status: "disabled" },
					{ loginId: "b3" },
				],
			}),
			200,
		);
		const [b1, b2, b3] = body.createdUsers;
		expectWireUser(b1, {
			loginIds: ["b1", "b1-alt"],
			email: "b1@x.com",
			verifiedEmail: true,
			test: true,
			status: "enabled",
			createdTime: 5,
			givenName: "G",
			picture: "http://p",
		});
		expectWireUser(b2, { loginIds: ["b2"], status: "disabled", createdTime: 1_700_000_000 });
		expectWireUser(b3, { loginIds: ["b3"] });
		expect(await loadUser(api, "b1")).toEqual(b1);
		expect((await search(api, { toCreatedTime: 5000, withTestUser: true })).loginIds).toEqual(["b1"]);
	});

	it("accepts the invite form and ignores unknown fields", async () => {
		const api = mgmt(await newProject());
		const res = await api.post(BATCH, {
			users: [{ loginId: "i1", email: "i1@x.com", unknown: true, seed: "s" }],
			invite: true,
			inviteUrl: "http://i",
			sendMail: true,
			sendSMS: false,
			templateOptions: { k: "v" },
			templateId: "t",
			locale: "en",
			somethingElse: [1],
		});
		const body = expectStatus(res, 200);
		expect(body.failedUsers).toEqual([]);
		expectWireUser(body.createdUsers[0], { loginIds: ["i1"], email: "i1@x.com", status: "invited" });
	});

	it("reports each failing user with its reason and creates the valid ones", async () => {
		const api = mgmt(await newProject());
		await defineAttributes(api, { age: 2 });
		await createUser(api, { loginId: "taken", email: "taken@x.com", phone: "+14155550000" });
		const users = [
			{ loginId: "ok1", email: "ok1@x.com" },
			{ loginId: "bad-email", email: "not-an-email" },
			{ loginId: "bad-phone", phone: "12" },
			{ loginId: "bad-attr", customAttributes: { age: "old" } },
			{ loginId: "undeclared", customAttributes: { nope: 1 } },
			{ loginId: "TAKEN" },
			{ loginId: "email-taken", email: "TAKEN@x.com" },
			{ loginId: "phone-taken", phone: "+1 415 555 0000" },
			{ loginId: "alt-taken", additionalLoginIds: ["taken"] },
			{ loginId: "role", roleNames: ["admin"] },
			{ loginId: "pw", password: "pw" },
			{ loginId: "hashed", hashedPassword: { bcrypt: { hash: "$2a$" } } },
			{ loginId: "" },
			{ loginId: "x".repeat(321) },
			{ loginId: "ok2", displayName: "Two" },
		];
		const body = expectStatus(await api.post(BATCH, { users }), 200);
		expect(body.createdUsers.map((u: any) => u.loginIds[0])).toEqual(["ok1", "ok2"]);
		const failures = Object.fromEntries(
			body.failedUsers.map((f: any) => [f.user.loginIds[0] ?? "", f.failure]),
		);
		expect(Object.keys(failures).sort()).toEqual(
			[
				"bad-email",
				"bad-phone",
				"bad-attr",
				"undeclared",
				"TAKEN",
				"email-taken",
				"phone-taken",
				"alt-taken",
				"role",
				"pw",
				"hashed",
				"",
				"x".repeat(321),
			].sort(),
		);
		expect(failures).toMatchObject({
			"bad-email": expect.stringContaining("email"),
			"bad-phone": expect.stringContaining("phone"),
			"bad-attr": expect.stringContaining("customAttributes.age"),
			undeclared: expect.stringContaining("customAttributes.nope"),
			TAKEN: expect.stringMatching(/already exists/),
			"email-taken": expect.stringContaining("email"),
			"phone-taken": expect.stringContaining("phone"),
			"alt-taken": expect.stringMatching(/already exists/),
			role: expect.stringContaining("roleNames"),
			pw: expect.stringMatching(/password/i),
			hashed: expect.stringMatching(/password/i),
			"": expect.stringContaining("loginId"),
		});
		for (const f of body.failedUsers) {
			expect(Object.keys(f).sort()).toEqual(["failure", "user"]);
			expect(f.failure).not.toBe("");
			expect(Object.keys(f.user).sort()).toEqual(Object.keys(wireUser()).sort());
			expect(f.user.userId).toBe("");
		}
		const badEmail = body.failedUsers.find((f: any) => f.user.loginIds[0] === "bad-email");
		expect(badEmail.user).toEqual(
			wireUser({ loginIds: ["bad-email"], email: "not-an-email", userId: "", createdTime: 0 }),
		);
		expect((await search(api, { limit: 1000 })).loginIds).toEqual(["ok1", "ok2", "taken"]);
	});

	it("creates the first of duplicates within the batch and reports the others", async () => {
		const api = mgmt(await newProject());
		const users = [
			{ loginId: "dup" },
			{ loginId: "DUP" },
			{ loginId: "other", additionalLoginIds: ["dup"] },
			{ loginId: "e1", email: "same@x.com" },
			{ loginId: "e2", email: "SAME@x.com" },
			{ loginId: "p1", phone: "+14155550100" },
			{ loginId: "p2", phone: "+1 (415) 555-0100" },
			{ loginId: "self", additionalLoginIds: ["SELF"] },
		];
		const body = expectStatus(await api.post(BATCH, { users }), 200);
		expect(body.createdUsers.map((u: any) => u.loginIds[0])).toEqual(["dup", "e1", "p1"]);
		expect(body.failedUsers.map((f: any) => f.user.loginIds[0])).toEqual([
			"DUP",
			"other",
			"e2",
			"p2",
			"self",
		]);
		for (const f of body.failedUsers) expect(f.failure).not.toBe("");
		expect((await search(api, {})).loginIds).toEqual(["dup", "e1", "p1"]);
	});

	it("answers 200 with every user failed when none is valid", async () => {
		const api = mgmt(await newProject());
		const body = expectStatus(await api.post(BATCH, { users: [{ loginId: "a", email: "x" }] }), 200);
		expect(body.createdUsers).toEqual([]);
		expect(body.failedUsers).toHaveLength(1);
		expect(await count(api)).toBe(0);
	});
});

describe("POST /v1/mgmt/user/create/batch: rejected requests create nothing", () => {
	it("answers E011004 for more than 2,000 users", async () => {
		const api = mgmt(await newProject());
		const users = Array.from({ length: 2001 }, (_, i) => ({ loginId: `u${i}` }));
		expectDescopeError(await api.post(BATCH, { users }), 400, "E011004", "users");
		expect(await count(api)).toBe(0);
	});

	it("answers E011004 naming the field of a wrongly typed item", async () => {
		const api = mgmt(await newProject());
		const valid = Array.from({ length: 5 }, (_, i) => ({ loginId: `ok${i}` }));
		const cases: [Record<string, unknown>, string][] = [
			[{ loginId: 7 }, "users.5.loginId"],
			[{ loginId: "a", email: 1 }, "users.5.email"],
			[{ loginId: "a", additionalLoginIds: "b" }, "users.5.additionalLoginIds"],
			[{ loginId: "a", test: "yes" }, "users.5.test"],
			[{ loginId: "a", createdTime: "yesterday" }, "users.5.createdTime"],
			[{ loginId: "a", status: "active" }, "users.5.status"],
			[{ loginId: "a", customAttributes: [] }, "users.5.customAttributes"],
		];
		for (const [bad, field] of cases) {
			const res = await api.post(BATCH, { users: [...valid, bad, { loginId: "after" }] });
			expectDescopeError(res, 400, "E011004", field);
		}
		expectDescopeError(await api.post(BATCH, { users: [...valid, "bob"] }), 400, "E011004", "users.5");
		expect(await count(api)).toBe(0);
	});

	it("answers E011002 naming the item without a login id", async () => {
		const api = mgmt(await newProject());
		const res = await api.post(BATCH, { users: [{ loginId: "ok" }, { email: "a@x.com" }] });
		expectDescopeError(res, 400, "E011002", "users.1.loginId");
		expect(await count(api)).toBe(0);
	});

	it("rejects a missing, mistyped or empty users list and a malformed body", async () => {
		const project = await newProject();
		const api = mgmt(project);
		expectDescopeError(await api.post(BATCH, {}), 400, "E011002", "users");
		expectDescopeError(await api.post(BATCH, { users: { loginId: "a" } }), 400, "E011004", "users");
		expectDescopeError(await api.post(BATCH, { users: "a" }), 400, "E011004", "users");
		expectDescopeError(await api.post(BATCH, { users: [] }), 400, "E011004", "users");
		expectDescopeError(
			await api.post(BATCH, { users: [{ loginId: "a" }], invite: "yes" }),
			400,
			"E011004",
			"invite",
		);
		expectDescopeError(await rawPost(project, BATCH, '{"users":[{"loginId":"a"}]'), 400, "E011001");
		expect(await count(api)).toBe(0);
	});
});
