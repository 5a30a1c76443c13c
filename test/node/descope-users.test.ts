// The official @descope/node-sdk against Roster: create, invite, load.
import { expect, it } from "vitest";
import {
	defineAttributes,
	expectError,
	expectOk,
	expectUserFields,
	expectUserShape,
	sdkFor,
	setupProject,
	unique,
} from "./harness.js";

it("create (options form) returns every field it was given, in the contract's user shape", async () => {
	const { sdk } = await setupProject();
	await defineAttributes(sdk);
	const loginId = unique("alice");
	const user = expectOk(
		await sdk.management.user.create(loginId, {
			email: `${loginId}@example.com`,
			phone: "+14155550100",
			displayName: "Alice Example",
			givenName: "Alice",
			middleName: "Maria",
			familyName: "Example",
			customAttributes: { plan: "pro", seats: 3, beta: true, tags: ["a", "b"] },
			picture: "https://example.com/alice.png",
			verifiedEmail: true,
			verifiedPhone: false,
			additionalLoginIds: [`${loginId}-alt`],
		}),
	);
	expectUserShape(user);
	expect(user).toMatchObject({
		loginIds: [loginId, `${loginId}-alt`],
		externalIds: [loginId, `${loginId}-alt`],
		name: "Alice Example",
		givenName: "Alice",
		middleName: "Maria",
		familyName: "Example",
		email: `${loginId}@example.com`,
		phone: "+14155550100",
		verifiedEmail: true,
		verifiedPhone: false,
		picture: "https://example.com/alice.png",
		customAttributes: { plan: "pro", seats: 3, beta: true, tags: ["a", "b"] },
		status: "invited",
		test: false,
		roleNames: [],
		userTenants: [],
		password: false,
	});
});

it("create (positional form) maps each argument to its field", async () => {
	const { sdk } = await setupProject();
	const loginId = unique("bob");
	const user = expectOk(
		await sdk.management.user.create(
			loginId,
			`${loginId}@example.com`,
			"+442071838750",
			"Bob Builder",
			undefined,
			undefined,
			undefined,
			"https://example.com/bob.png",
			false,
			true,
			"Bob",
			"The",
			"Builder",
			[`${loginId}-2`],
		),
	);
	expectUserShape(user);
	expect(user).toMatchObject({
		loginIds: [loginId, `${loginId}-2`],
		email: `${loginId}@example.com`,
		phone: "+442071838750",
		name: "Bob Builder",
		picture: "https://example.com/bob.png",
		verifiedEmail: false,
		verifiedPhone: true,
		givenName: "Bob",
		middleName: "The",
		familyName: "Builder",
		status: "invited",
		test: false,
	});
});

it("create with nothing but a login id leaves every other field empty", async () => {
	const { sdk } = await setupProject();
	const loginId = unique("min");
	const user = expectOk(await sdk.management.user.create(loginId));
	expectUserShape(user);
	expect(user).toMatchObject({
		loginIds: [loginId],
		name: "",
		givenName: "",
		middleName: "",
		familyName: "",
		email: "",
		phone: "",
		picture: "",
		verifiedEmail: false,
		verifiedPhone: false,
		customAttributes: {},
		status: "invited",
		test: false,
	});
});

it("create forwards extra option keys: an explicit status and the test flag", async () => {
	const { sdk } = await setupProject();
	const loginId = unique("extra");
	// Not in the SDK's UserOptions type, but the options object is spread into the body.
	const options = { email: `${loginId}@example.com`, status: "enabled", test: true };
	const user = expectOk(await sdk.management.user.create(loginId, options));
	expectUserShape(user);
	expect(user).toMatchObject({ loginIds: [loginId], status: "enabled", test: true });
});

it("createTestUser marks the user as a test user", async () => {
	const { sdk } = await setupProject();
	const loginId = unique("tester");
	const user = expectOk(
		await sdk.management.user.createTestUser(loginId, { email: `${loginId}@example.com`, displayName: "T" }),
	);
	expectUserShape(user);
	expect(user).toMatchObject({ loginIds: [loginId], test: true, name: "T", status: "invited" });
	const loaded = expectOk(await sdk.management.user.load(loginId));
	expect(loaded.test, JSON.stringify(loaded)).toBe(true);
});

it("invite creates an invited user, and re-invites an existing one by user id", async () => {
	const { sdk } = await setupProject();
	const loginId = unique("invitee");
	const user = expectOk(
		await sdk.management.user.invite(loginId, {
			email: `${loginId}@example.com`,
			displayName: "Invitee",
			inviteUrl: "https://app.example.com/invite",
			sendMail: false,
			sendSMS: false,
		}),
	);
	expectUserShape(user);
	expect(user).toMatchObject({
		loginIds: [loginId],
		email: `${loginId}@example.com`,
		name: "Invitee",
		status: "invited",
	});
	const again = expectOk(await sdk.management.user.invite(user.userId, { sendMail: false }));
	expect(again.userId, JSON.stringify(again)).toBe(user.userId);
	const search = expectOk(await sdk.management.user.search({}));
	expect(search.total, JSON.stringify(search)).toBe(1);
});

it("create with a login id that exists fails with E062107, whatever its case", async () => {
	const { sdk } = await setupProject();
	const loginId = unique("dup");
	expectOk(await sdk.management.user.create(loginId, { additionalLoginIds: [`${loginId}-other`] }));
	expectError(await sdk.management.user.create(loginId), "E062107");
	expectError(await sdk.management.user.create(loginId.toUpperCase()), "E062107");
	// An additional login id is a login id too.
	expectError(await sdk.management.user.create(`${loginId}-other`), "E062107");
	expectError(
		await sdk.management.user.create(unique("fresh"), { additionalLoginIds: [loginId] }),
		"E062107",
	);
});

it("create rejects an invalid email, an invalid phone and an empty login id", async () => {
	const { sdk } = await setupProject();
	expectError(await sdk.management.user.create(unique("e"), { email: "not-an-email" }));
	expectError(await sdk.management.user.create(unique("p"), { phone: "12ab" }));
	expectError(await sdk.management.user.create(""));
	const search = expectOk(await sdk.management.user.search({ withTestUser: true }));
	expect(search.total, JSON.stringify(search)).toBe(0);
});

it("load finds a user by login id, additional login id or user id; loadByUserId by user id", async () => {
	const { sdk } = await setupProject();
	const loginId = unique("carol");
	const created = expectOk(
		await sdk.management.user.create(loginId, {
			email: `${loginId}@example.com`,
			additionalLoginIds: ["c2"],
		}),
	);
	for (const id of [loginId, "c2", created.userId]) {
		const loaded = expectOk(await sdk.management.user.load(id));
		expectUserShape(loaded);
		expect(loaded, `load(${id})`).toEqual(created);
	}
	const byId = expectOk(await sdk.management.user.loadByUserId(created.userId));
	expect(byId).toEqual(created);
});

it("load is case-insensitive on login ids and keeps special characters intact", async () => {
	const { sdk } = await setupProject();
	const loginId = `Dave+${unique("x")}@Example.com`;
	const created = expectOk(await sdk.management.user.create(loginId));
	expect(created.loginIds).toEqual([loginId]);
	const loaded = expectOk(await sdk.management.user.load(loginId.toLowerCase()));
	expect(loaded.userId).toBe(created.userId);
	const odd = "a b&c=d+e/f@g";
	const oddUser = expectOk(await sdk.management.user.create(odd));
	expect(expectOk(await sdk.management.user.load(odd)).userId).toBe(oddUser.userId);
});

it("load and loadByUserId of a missing user fail with E062108", async () => {
	const { sdk } = await setupProject();
	expectError(await sdk.management.user.load("nobody"), "E062108");
	// The SDK sends `loginId=undefined` literally.
	expectError(await sdk.management.user.load(undefined as unknown as string), "E062108");
	expectError(await sdk.management.user.loadByUserId("U000000000000000000000000000"), "E062108");
	// A login id is not a user id.
	const loginId = unique("eve");
	expectOk(await sdk.management.user.create(loginId));
	expectError(await sdk.management.user.loadByUserId(loginId), "E062108");
});

it("a project's key sees nothing of another project", async () => {
	const a = await setupProject();
	const b = await setupProject();
	const loginId = unique("private");
	const user = expectOk(await a.sdk.management.user.create(loginId));
	expectError(await b.sdk.management.user.load(loginId), "E062108");
	expectError(await b.sdk.management.user.loadByUserId(user.userId), "E062108");
	expect(expectOk(await b.sdk.management.user.loadUsers([user.userId], true))).toEqual([]);
	const search = expectOk(await b.sdk.management.user.search({ userIds: [user.userId] }));
	expect(search).toEqual({ users: [], total: 0 });
	// The same login id is free in the other project.
	expectOk(await b.sdk.management.user.create(loginId));
	// A's management key with B's project id is refused.
	const crossed = sdkFor(b.project, { managementKey: a.project.managementKey });
	expectError(await crossed.management.user.search({}));
});

it("loadUsers returns the requested users; disabled ones only with includeInvalidUsers", async () => {
	const { sdk } = await setupProject();
	const u1 = expectOk(await sdk.management.user.create(unique("l1")));
	const u2 = expectOk(await sdk.management.user.create(unique("l2")));
	const u3 = expectOk(await sdk.management.user.create(unique("l3")));
	expectOk(await sdk.management.user.deactivate(u3.userId));

	const some = expectOk(await sdk.management.user.loadUsers([u1.userId, u2.userId]));
	expect(some.map((u) => u.userId).sort()).toEqual([u1.userId, u2.userId].sort());
	for (const u of some) expectUserShape(u);

	const valid = expectOk(await sdk.management.user.loadUsers([u1.userId, u3.userId]));
	expect(valid.map((u) => u.userId)).toEqual([u1.userId]);

	const all = expectOk(await sdk.management.user.loadUsers([u1.userId, u3.userId], true));
	expect(all.map((u) => u.userId).sort()).toEqual([u1.userId, u3.userId].sort());
	expect(all.find((u) => u.userId === u3.userId)?.status).toBe("disabled");
});

it("createBatch creates the valid users and reports each failing one with a reason", async () => {
	const { sdk } = await setupProject();
	await defineAttributes(sdk);
	const existing = unique("existing");
	expectOk(await sdk.management.user.create(existing));
	const ok1 = unique("batch1");
	const ok2 = unique("batch2");
	const res = expectOk(
		await sdk.management.user.createBatch([
			{
				loginIdOrUserId: ok1,
				email: `${ok1}@example.com`,
				displayName: "Batch One",
				status: "enabled",
				customAttributes: { plan: "team" },
				verifiedEmail: true,
			},
			{ loginId: ok2, phone: "+14155550199", test: true, additionalLoginIds: [`${ok2}-b`] },
			{ loginIdOrUserId: existing, email: "dup@example.com" },
			{ loginIdOrUserId: unique("bademail"), email: "nope" },
		]),
	);
	const message = JSON.stringify(res);
	expect(res.createdUsers.map((u) => u.loginIds[0]).sort(), message).toEqual([ok1, ok2].sort());
	for (const u of res.createdUsers) expectUserShape(u);
	const one = res.createdUsers.find((u) => u.loginIds[0] === ok1)!;
	expect(one).toMatchObject({
		email: `${ok1}@example.com`,
		name: "Batch One",
		status: "enabled",
		customAttributes: { plan: "team" },
		verifiedEmail: true,
		test: false,
	});
	const two = res.createdUsers.find((u) => u.loginIds[0] === ok2)!;
	expect(two).toMatchObject({ loginIds: [ok2, `${ok2}-b`], phone: "+14155550199", test: true });

	expect(res.failedUsers, message).toHaveLength(2);
	for (const failed of res.failedUsers) {
		expect(failed.failure, message).toEqual(expect.any(String));
		expect(failed.failure.length, message).toBeGreaterThan(0);
		expectUserFields(failed.user);
	}
	expect(res.failedUsers.map((f) => f.user.loginIds[0]).sort(), message).toEqual(
		[existing, expect.stringMatching(/^bademail-/)].sort(),
	);
	expect(res.additionalErrors, message).toEqual(expect.any(Object));

	// The valid users exist; the failing ones did not touch anything.
	expect(expectOk(await sdk.management.user.load(ok1)).userId).toBe(one.userId);
	expect(expectOk(await sdk.management.user.load(`${ok2}-b`)).userId).toBe(two.userId);
	const existingUser = expectOk(await sdk.management.user.load(existing));
	expect(existingUser.email).toBe("");
	const total = expectOk(await sdk.management.user.search({ withTestUser: true })).total;
	expect(total).toBe(3);
});

it("createBatch rejects two items with the same login id without creating either twice", async () => {
	const { sdk } = await setupProject();
	const loginId = unique("twice");
	const res = expectOk(
		await sdk.management.user.createBatch([{ loginIdOrUserId: loginId }, { loginIdOrUserId: loginId }]),
	);
	expect(res.createdUsers.length + res.failedUsers.length, JSON.stringify(res)).toBe(2);
	expect(res.createdUsers.length, JSON.stringify(res)).toBeLessThanOrEqual(1);
	const search = expectOk(await sdk.management.user.search({ loginIds: [loginId] }));
	expect(search.total, JSON.stringify(search)).toBe(res.createdUsers.length);
});
