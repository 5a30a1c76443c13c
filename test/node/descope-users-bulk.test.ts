// The official @descope/node-sdk against Roster: large batches, concurrent writes to one user, and the input
// leniency the contract asks for (§1.5, §1.9; DESIGN "Rules that hold everywhere").
import type { UserOptions } from "@descope/node-sdk";
import { expect, it } from "vitest";
import { defineAttributes, expectOk, expectUserShape, setupProject, unique } from "./harness.js";

it("createBatch, loadUsers, patchBatch and deleteBatch handle a thousand users", {
	timeout: 120_000,
}, async () => {
	const { sdk } = await setupProject();
	await defineAttributes(sdk);
	const users = Array.from({ length: 1000 }, (_, i) => ({
		loginIdOrUserId: `bulk-${String(i).padStart(4, "0")}@example.com`,
		email: `bulk-${String(i).padStart(4, "0")}@example.com`,
		displayName: `Bulk ${i}`,
		customAttributes: { seats: i },
		additionalLoginIds: [`bulk-alt-${i}`],
	}));
	const created = expectOk(await sdk.management.user.createBatch(users));
	expect(created.failedUsers, JSON.stringify(created.failedUsers.slice(0, 3))).toEqual([]);
	expect(created.createdUsers).toHaveLength(1000);
	expectUserShape(created.createdUsers[999]);
	expect(created.createdUsers.find((u) => u.loginIds[0] === "bulk-0999@example.com")).toMatchObject({
		loginIds: ["bulk-0999@example.com", "bulk-alt-999"],
		customAttributes: { seats: 999 },
	});
	expect(expectOk(await sdk.management.user.search({ limit: 1 })).total).toBe(1000);

	const ids = created.createdUsers.map((u) => u.userId);
	const loaded = expectOk(await sdk.management.user.loadUsers(ids.slice(0, 300)));
	expect(new Set(loaded.map((u) => u.userId))).toEqual(new Set(ids.slice(0, 300)));

	const patched = expectOk(
		await sdk.management.user.patchBatch(
			ids.slice(0, 500).map((id) => ({ loginIdOrUserId: id, status: "disabled" as const })),
		),
	);
	expect(patched.failedUsers).toEqual([]);
	expect(patched.patchedUsers).toHaveLength(500);
	expect(expectOk(await sdk.management.user.search({ statuses: ["disabled"], limit: 1 })).total).toBe(500);

	expectOk(await sdk.management.user.deleteBatch(ids));
	expect(expectOk(await sdk.management.user.search({}))).toEqual({ users: [], total: 0 });
	expect(expectOk(await sdk.management.user.createBatch(users.slice(0, 2))).createdUsers).toHaveLength(2);
});

it("concurrent single-field updates to one user all land", async () => {
	const { sdk } = await setupProject();
	await defineAttributes(sdk);
	const user = expectOk(await sdk.management.user.create(unique("busy")));
	const id = user.userId;
	const results = await Promise.all([
		sdk.management.user.updateCustomAttribute(id, "plan", "pro"),
		sdk.management.user.updateCustomAttribute(id, "seats", 4),
		sdk.management.user.updateCustomAttribute(id, "beta", true),
		sdk.management.user.updateCustomAttribute(id, "tags", ["x"]),
		sdk.management.user.updatePicture(id, "https://example.com/busy.png"),
		sdk.management.user.updatePhone(id, "+14155550177", true),
		sdk.management.user.updateEmail(id, "busy@example.com", true),
		sdk.management.user.updateUserNames(id, "Busy", undefined, "Bee"),
		sdk.management.user.patch(id, { additionalIdentifiers: ["busy-alt"] }),
	]);
	for (const res of results) expectOk(res);
	const after = expectOk(await sdk.management.user.load(id));
	expect(after).toMatchObject({
		customAttributes: { plan: "pro", seats: 4, beta: true, tags: ["x"] },
		picture: "https://example.com/busy.png",
		phone: "+14155550177",
		verifiedPhone: true,
		email: "busy@example.com",
		verifiedEmail: true,
		givenName: "Busy",
		familyName: "Bee",
		loginIds: [user.loginIds[0], "busy-alt"],
	});
});

it("null is treated as absent, and unknown fields are ignored", async () => {
	const { sdk } = await setupProject();
	const loginId = unique("nulls");
	// Positional callers may pass null; JSON.stringify keeps it.
	const user = expectOk(
		await sdk.management.user.create(loginId, `${loginId}@example.com`, null as unknown as string, "Nully"),
	);
	expect(user).toMatchObject({ email: `${loginId}@example.com`, phone: "", name: "Nully" });
	const extra = { email: "x@example.com", someFutureField: { nested: true }, anotherOne: 7 };
	const updated = expectOk(await sdk.management.user.update(loginId, extra));
	expect(updated.email).toBe("x@example.com");
	const patched = expectOk(await sdk.management.user.patch(loginId, { phone: null as unknown as string }));
	expect(patched.email).toBe("x@example.com");
});

it("accepts the field aliases other official SDKs send", async () => {
	const { sdk } = await setupProject();
	const loginId = unique("alias");
	// `name` ≡ `displayName`, `additionalIdentifiers` ≡ `additionalLoginIds` (spread from the options object).
	const options = { name: "Aliased", additionalIdentifiers: [`${loginId}-2`] } as UserOptions;
	const user = expectOk(await sdk.management.user.create(loginId, options));
	expect(user).toMatchObject({ name: "Aliased", loginIds: [loginId, `${loginId}-2`] });
});

it("search time filters also accept int64 numeric strings", async () => {
	const { sdk } = await setupProject();
	const user = expectOk(await sdk.management.user.create(unique("str-time")));
	const from = String(user.createdTime * 1000 - 5_000) as unknown as number;
	const to = String(Date.now() + 60_000) as unknown as number;
	const res = expectOk(await sdk.management.user.search({ fromCreatedTime: from, toCreatedTime: to }));
	expect(res.users.map((u) => u.userId)).toEqual([user.userId]);
	const none = expectOk(
		await sdk.management.user.search({
			fromCreatedTime: String(Date.now() + 3_600_000) as unknown as number,
		}),
	);
	expect(none.total).toBe(0);
});
