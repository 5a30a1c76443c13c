// The official @descope/node-sdk against Roster: delete, deleteByUserId, deleteBatch, deleteAllTestUsers.
import { expect, it } from "vitest";
import { expectError, expectOk, setupProject, unique } from "./harness.js";

it("delete removes a user by login id or user id; its login ids become free", async () => {
	const { sdk } = await setupProject();
	const a = expectOk(await sdk.management.user.create(unique("del-a"), { additionalLoginIds: ["del-alt"] }));
	const b = expectOk(await sdk.management.user.create(unique("del-b")));
	const keep = expectOk(await sdk.management.user.create(unique("keep")));

	const res = await sdk.management.user.delete(a.loginIds[0]);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expectError(await sdk.management.user.load(a.loginIds[0]), "E062108");
	expectError(await sdk.management.user.load("del-alt"), "E062108");
	expectError(await sdk.management.user.loadByUserId(a.userId), "E062108");

	expectOk(await sdk.management.user.delete(b.userId));
	expectError(await sdk.management.user.loadByUserId(b.userId), "E062108");

	expect(expectOk(await sdk.management.user.load(keep.userId)).userId).toBe(keep.userId);
	const recreated = expectOk(
		await sdk.management.user.create(a.loginIds[0], { additionalLoginIds: ["del-alt"] }),
	);
	expect(recreated.userId).not.toBe(a.userId);
});

it("deleteByUserId removes the user with that id", async () => {
	const { sdk } = await setupProject();
	const user = expectOk(await sdk.management.user.create(unique("by-id")));
	const res = await sdk.management.user.deleteByUserId(user.userId);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expectError(await sdk.management.user.load(user.loginIds[0]), "E062108");
	expect(expectOk(await sdk.management.user.search({})).total).toBe(0);
});

it("deleteBatch removes the listed user ids and nothing else", async () => {
	const { sdk } = await setupProject();
	const users = [];
	for (let i = 0; i < 4; i++) users.push(expectOk(await sdk.management.user.create(unique(`b${i}`))));
	const res = await sdk.management.user.deleteBatch([users[0].userId, users[2].userId]);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	const left = expectOk(await sdk.management.user.search({}));
	expect(left.users.map((u) => u.userId).sort()).toEqual([users[1].userId, users[3].userId].sort());
	expect(left.total).toBe(2);
});

it("deleteAllTestUsers removes every test user and keeps the others", async () => {
	const { sdk } = await setupProject();
	const real = expectOk(await sdk.management.user.create(unique("real")));
	expectOk(await sdk.management.user.createTestUser(unique("t1")));
	expectOk(await sdk.management.user.createTestUser(unique("t2")));
	expect(expectOk(await sdk.management.user.searchTestUsers({})).total).toBe(2);

	const res = await sdk.management.user.deleteAllTestUsers();
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expect(expectOk(await sdk.management.user.searchTestUsers({}))).toEqual({ users: [], total: 0 });
	const left = expectOk(await sdk.management.user.search({ withTestUser: true }));
	expect(left.users.map((u) => u.userId)).toEqual([real.userId]);
});

it("deleting in one project leaves another project's users alone", async () => {
	const a = await setupProject();
	const b = await setupProject();
	const inB = expectOk(await b.sdk.management.user.create("shared-login"));
	expectOk(await b.sdk.management.user.createTestUser("b-test"));
	expectOk(await a.sdk.management.user.create("shared-login"));

	await a.sdk.management.user.delete("shared-login");
	await a.sdk.management.user.deleteBatch([inB.userId]);
	await a.sdk.management.user.deleteByUserId(inB.userId);
	await a.sdk.management.user.deleteAllTestUsers();

	expect(expectOk(await b.sdk.management.user.load("shared-login")).userId).toBe(inB.userId);
	expect(expectOk(await b.sdk.management.user.searchTestUsers({})).total).toBe(1);
});
