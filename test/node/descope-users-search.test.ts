// The official @descope/node-sdk against Roster: search v2, searchTestUsers, searchAll
// (docs/descope-compat.md).
import type { UserOptions } from "@descope/node-sdk";
import { expect, it } from "vitest";
import { defineAttributes, expectOk, expectUserShape, type Sdk, setupProject, sleep } from "./harness.js";

/** A small directory: three regular users with distinct traits, one disabled, one test user. */
async function directory(sdk: Sdk) {
	await defineAttributes(sdk);
	const create = async (loginId: string, options: UserOptions) =>
		expectOk(await sdk.management.user.create(loginId, options));
	const ann = await create("ann", {
		email: "ann@example.com",
		phone: "+14155550101",
		displayName: "Ann Zebra",
		verifiedEmail: true,
		verifiedPhone: false,
		customAttributes: { plan: "pro", seats: 10 },
	});
	const ben = await create("ben", {
		email: "ben@example.com",
		phone: "+14155550102",
		displayName: "Ben Yak",
		verifiedEmail: false,
		verifiedPhone: true,
		customAttributes: { plan: "free", beta: true },
	});
	const cat = await create("cat", { email: "cat@example.org", displayName: "Cat Xerus" });
	expectOk(await sdk.management.user.activate("cat"));
	const dan = await create("dan", { email: "dan@example.com", displayName: "Dan Wolf" });
	expectOk(await sdk.management.user.deactivate("dan"));
	const tess = expectOk(
		await sdk.management.user.createTestUser("tess", {
			email: "tess@example.com",
			displayName: "Tess Zebra",
		}),
	);
	return { ann, ben, cat, dan, tess };
}

const loginIdsOf = (res: { users: { loginIds: string[] }[] }) => res.users.map((u) => u.loginIds[0]).sort();

it("search({}) returns every non-test user in the contract's shape with the total", async () => {
	const { sdk } = await setupProject();
	await directory(sdk);
	const res = expectOk(await sdk.management.user.search({}));
	expect(loginIdsOf(res), JSON.stringify(res)).toEqual(["ann", "ben", "cat", "dan"]);
	expect(res.total).toBe(4);
	for (const u of res.users) expectUserShape(u);
});

it("search filters by loginIds, userIds, emails and phones", async () => {
	const { sdk } = await setupProject();
	const { ann, ben, cat } = await directory(sdk);
	const search = async (req: Parameters<Sdk["management"]["user"]["search"]>[0]) =>
		expectOk(await sdk.management.user.search(req));

	expect(loginIdsOf(await search({ loginIds: ["ann", "cat"] }))).toEqual(["ann", "cat"]);
	expect(loginIdsOf(await search({ userIds: [ben.userId, cat.userId] }))).toEqual(["ben", "cat"]);
	expect(loginIdsOf(await search({ emails: ["ann@example.com"] }))).toEqual(["ann"]);
	expect(loginIdsOf(await search({ phones: ["+14155550102"] }))).toEqual(["ben"]);
	// Filters combine with AND.
	expect(loginIdsOf(await search({ loginIds: ["ann", "ben"], emails: ["ben@example.com"] }))).toEqual([
		"ben",
	]);
	expect(await search({ loginIds: ["nobody"] })).toEqual({ users: [], total: 0 });
	expect((await search({ userIds: [ann.userId] })).users[0]).toEqual(ann);
});

it("search filters by statuses", async () => {
	const { sdk } = await setupProject();
	await directory(sdk);
	const by = async (statuses: ("enabled" | "disabled" | "invited")[]) =>
		loginIdsOf(expectOk(await sdk.management.user.search({ statuses })));
	expect(await by(["invited"])).toEqual(["ann", "ben"]);
	expect(await by(["enabled"])).toEqual(["cat"]);
	expect(await by(["disabled"])).toEqual(["dan"]);
	expect(await by(["enabled", "disabled"])).toEqual(["cat", "dan"]);
});

it("search filters by free text over the user's names, login ids and email", async () => {
	const { sdk } = await setupProject();
	await directory(sdk);
	const text = async (t: string) => loginIdsOf(expectOk(await sdk.management.user.search({ text: t })));
	expect(await text("Zebra")).toEqual(["ann"]);
	expect(await text("zebra")).toEqual(["ann"]);
	expect(await text("example.org")).toEqual(["cat"]);
	expect(await text("ben")).toEqual(["ben"]);
	expect(await text("no-such-text")).toEqual([]);
	const withTest = expectOk(await sdk.management.user.search({ text: "Zebra", withTestUser: true }));
	expect(loginIdsOf(withTest)).toEqual(["ann", "tess"]);
});

it("search filters by custom attributes, one value or any of several", async () => {
	const { sdk } = await setupProject();
	await directory(sdk);
	const attrs = async (customAttributes: Record<string, any>) =>
		loginIdsOf(expectOk(await sdk.management.user.search({ customAttributes })));
	expect(await attrs({ plan: "pro" })).toEqual(["ann"]);
	expect(await attrs({ plan: ["pro", "free"] })).toEqual(["ann", "ben"]);
	expect(await attrs({ seats: 10 })).toEqual(["ann"]);
	expect(await attrs({ beta: true })).toEqual(["ben"]);
	expect(await attrs({ plan: "pro", beta: true })).toEqual([]);
});

it("search filters by verifiedEmail and verifiedPhone when present", async () => {
	const { sdk } = await setupProject();
	await directory(sdk);
	const by = async (req: { verifiedEmail?: boolean; verifiedPhone?: boolean }) =>
		loginIdsOf(expectOk(await sdk.management.user.search(req)));
	expect(await by({ verifiedEmail: true })).toEqual(["ann"]);
	expect(await by({ verifiedPhone: true })).toEqual(["ben"]);
	expect(await by({ verifiedEmail: false })).toEqual(["ben", "cat", "dan"]);
	expect(await by({ verifiedEmail: false, verifiedPhone: false })).toEqual(["cat", "dan"]);
});

it("search filters by creation time in Unix milliseconds, inclusive", async () => {
	const { sdk } = await setupProject();
	const first = expectOk(await sdk.management.user.create("first"));
	await sleep(50);
	const between = Date.now();
	await sleep(50);
	const second = expectOk(await sdk.management.user.create("second"));
	const by = async (req: { fromCreatedTime?: number; toCreatedTime?: number }) =>
		loginIdsOf(expectOk(await sdk.management.user.search(req)));

	expect(await by({ fromCreatedTime: between })).toEqual(["second"]);
	expect(await by({ toCreatedTime: between })).toEqual(["first"]);
	expect(await by({ fromCreatedTime: between - 60_000, toCreatedTime: between + 60_000 })).toEqual([
		"first",
		"second",
	]);
	expect(await by({ fromCreatedTime: Date.now() + 3_600_000 })).toEqual([]);
	// createdTime on the wire is seconds; the filter is milliseconds.
	expect(await by({ fromCreatedTime: first.createdTime * 1000 - 1000 })).toEqual(["first", "second"]);
	expect(second.createdTime).toBeGreaterThanOrEqual(first.createdTime);
});

it("test users are excluded by default, included with withTestUser, alone with testUsersOnly", async () => {
	const { sdk } = await setupProject();
	await directory(sdk);
	expect(loginIdsOf(expectOk(await sdk.management.user.search({})))).not.toContain("tess");
	const withTest = expectOk(await sdk.management.user.search({ withTestUser: true }));
	expect(loginIdsOf(withTest)).toEqual(["ann", "ben", "cat", "dan", "tess"]);
	expect(withTest.total).toBe(5);
	const only = expectOk(await sdk.management.user.search({ testUsersOnly: true }));
	expect(loginIdsOf(only)).toEqual(["tess"]);
	expect(only.users[0].test).toBe(true);
});

it("searchTestUsers returns only test users and honours other filters", async () => {
	const { sdk } = await setupProject();
	await directory(sdk);
	expectOk(await sdk.management.user.createTestUser("tom", { email: "tom@example.org" }));
	const all = expectOk(await sdk.management.user.searchTestUsers({}));
	expect(loginIdsOf(all), JSON.stringify(all)).toEqual(["tess", "tom"]);
	expect(all.total).toBe(2);
	for (const u of all.users) expectUserShape(u);
	const filtered = expectOk(await sdk.management.user.searchTestUsers({ emails: ["tom@example.org"] }));
	expect(loginIdsOf(filtered)).toEqual(["tom"]);
});

it("search sorts by a field, ascending or descending", async () => {
	const { sdk } = await setupProject();
	await directory(sdk);
	const names = async (desc: boolean) =>
		expectOk(await sdk.management.user.search({ sort: [{ field: "name", desc }] })).users.map((u) => u.name);
	expect(await names(false)).toEqual(["Ann Zebra", "Ben Yak", "Cat Xerus", "Dan Wolf"]);
	expect(await names(true)).toEqual(["Dan Wolf", "Cat Xerus", "Ben Yak", "Ann Zebra"]);
});

it("search pages with limit and 0-based page; total counts every match", async () => {
	const { sdk } = await setupProject();
	await directory(sdk);
	const page = async (p: number) =>
		expectOk(await sdk.management.user.search({ limit: 3, page: p, sort: [{ field: "name" }] }));
	const p0 = await page(0);
	const p1 = await page(1);
	const p2 = await page(2);
	expect(
		p0.users.map((u) => u.loginIds[0]),
		JSON.stringify(p0),
	).toEqual(["ann", "ben", "cat"]);
	expect(
		p1.users.map((u) => u.loginIds[0]),
		JSON.stringify(p1),
	).toEqual(["dan"]);
	expect(p2.users).toEqual([]);
	expect([p0.total, p1.total, p2.total]).toEqual([4, 4, 4]);
	const limited = expectOk(await sdk.management.user.search({ statuses: ["invited"], limit: 1 }));
	expect(limited.users).toHaveLength(1);
	expect(limited.total).toBe(2);
});

it("searchAll (deprecated) passes its positional filters and returns the users", async () => {
	const { sdk } = await setupProject();
	await directory(sdk);
	const all = expectOk(await sdk.management.user.searchAll());
	expect(all.map((u) => u.loginIds[0]).sort()).toEqual(["ann", "ben", "cat", "dan"]);
	for (const u of all) expectUserShape(u);

	const paged = expectOk(await sdk.management.user.searchAll(undefined, undefined, 2, 1));
	expect(paged).toHaveLength(2);
	const tests = expectOk(
		await sdk.management.user.searchAll(undefined, undefined, undefined, undefined, true),
	);
	expect(tests.map((u) => u.loginIds[0])).toEqual(["tess"]);
	const withTest = expectOk(
		await sdk.management.user.searchAll(undefined, undefined, undefined, undefined, false, true),
	);
	expect(withTest).toHaveLength(5);
	const filtered = expectOk(
		await sdk.management.user.searchAll(
			undefined,
			undefined,
			undefined,
			undefined,
			undefined,
			undefined,
			{ plan: "pro" },
			["invited"],
			["ann@example.com"],
			["+14155550101"],
		),
	);
	expect(filtered.map((u) => u.loginIds[0])).toEqual(["ann"]);
});

it("search without a limit returns at most 100 users, and total still counts them all", async () => {
	const { sdk } = await setupProject();
	const users = Array.from({ length: 130 }, (_, i) => ({
		loginIdOrUserId: `bulk-${String(i).padStart(3, "0")}`,
	}));
	const created = expectOk(await sdk.management.user.createBatch(users));
	expect(created.createdUsers, JSON.stringify(created.failedUsers)).toHaveLength(130);
	const first = expectOk(await sdk.management.user.search({}));
	expect(first.users).toHaveLength(100);
	expect(first.total).toBe(130);
	const second = expectOk(await sdk.management.user.search({ page: 1 }));
	expect(second.users).toHaveLength(30);
	const seen = new Set([...first.users, ...second.users].map((u) => u.userId));
	expect(seen.size).toBe(130);
});
