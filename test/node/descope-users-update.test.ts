// The official @descope/node-sdk against Roster: update, patch and the single-field updates
// (`management.user.update`, `patch`, `updateEmail` …; docs/descope-compat.md).
import { expect, it } from "vitest";
import {
	defineAttributes,
	expectError,
	expectOk,
	expectUserFields,
	expectUserShape,
	type Sdk,
	setupProject,
	unique,
} from "./harness.js";

/** A user with every field set, to see what an operation keeps and what it clears. */
async function fullUser(sdk: Sdk, loginId = unique("full")) {
	await defineAttributes(sdk);
	return expectOk(
		await sdk.management.user.create(loginId, {
			email: `${loginId}@example.com`,
			phone: "+14155550100",
			displayName: "Full Name",
			givenName: "Given",
			middleName: "Middle",
			familyName: "Family",
			customAttributes: { plan: "pro", seats: 5 },
			picture: "https://example.com/full.png",
			verifiedEmail: true,
			verifiedPhone: true,
			additionalLoginIds: [`${loginId}-alt`],
		}),
	);
}

it("update overwrites the whole user: fields absent from the call are cleared", async () => {
	const { sdk } = await setupProject();
	const before = await fullUser(sdk);
	const loginId = before.loginIds[0];
	const after = expectOk(await sdk.management.user.update(loginId, { displayName: "Only Name" }));
	expectUserShape(after);
	expect(after).toMatchObject({
		userId: before.userId,
		loginIds: [loginId],
		name: "Only Name",
		givenName: "",
		middleName: "",
		familyName: "",
		email: "",
		phone: "",
		picture: "",
		verifiedEmail: false,
		verifiedPhone: false,
		customAttributes: {},
		createdTime: before.createdTime,
		status: before.status,
		test: false,
	});
	expect(expectOk(await sdk.management.user.load(loginId))).toEqual(after);
	// The removed additional login id is free again.
	expectError(await sdk.management.user.load(`${loginId}-alt`), "E062108");
});

it("update sets every field it is given, by login id or user id, in both call forms", async () => {
	const { sdk } = await setupProject();
	const before = await fullUser(sdk);
	const after = expectOk(
		await sdk.management.user.update(before.userId, {
			email: "new@example.com",
			phone: "+442071838750",
			displayName: "New Name",
			givenName: "N",
			middleName: "E",
			familyName: "W",
			customAttributes: { beta: true },
			picture: "https://example.com/new.png",
			verifiedEmail: false,
			verifiedPhone: true,
			additionalLoginIds: ["new-alt"],
		}),
	);
	expect(after).toMatchObject({
		userId: before.userId,
		loginIds: [before.loginIds[0], "new-alt"],
		email: "new@example.com",
		phone: "+442071838750",
		name: "New Name",
		givenName: "N",
		middleName: "E",
		familyName: "W",
		customAttributes: { beta: true },
		picture: "https://example.com/new.png",
		verifiedEmail: false,
		verifiedPhone: true,
	});

	const positional = expectOk(
		await sdk.management.user.update(before.loginIds[0], "pos@example.com", undefined, "Positional"),
	);
	expect(positional).toMatchObject({
		loginIds: [before.loginIds[0]],
		email: "pos@example.com",
		phone: "",
		name: "Positional",
		customAttributes: {},
	});
});

it("update keeps what is not a user detail: the test flag, the status and the creation time", async () => {
	const { sdk } = await setupProject();
	const loginId = unique("tu");
	const tester = expectOk(
		await sdk.management.user.createTestUser(loginId, { email: `${loginId}@example.com` }),
	);
	expectOk(await sdk.management.user.activate(loginId));
	const after = expectOk(await sdk.management.user.update(loginId, { displayName: "Still a test user" }));
	expect(after).toMatchObject({
		userId: tester.userId,
		test: true,
		status: "enabled",
		createdTime: tester.createdTime,
		email: "",
	});
});

it("update of a missing user fails with E062108 and creates nothing", async () => {
	const { sdk } = await setupProject();
	expectError(await sdk.management.user.update("ghost", { displayName: "Ghost" }), "E062108");
	expectError(await sdk.management.user.load("ghost"), "E062108");
});

it("patch changes only the fields it is given", async () => {
	const { sdk } = await setupProject();
	const before = await fullUser(sdk);
	const loginId = before.loginIds[0];
	const after = expectOk(
		await sdk.management.user.patch(loginId, {
			displayName: "Patched",
			customAttributes: { seats: 7 },
			verifiedPhone: false,
		}),
	);
	expectUserShape(after);
	const { customAttributes, ...rest } = after;
	expect(rest).toEqual({ ...before, name: "Patched", verifiedPhone: false, customAttributes: undefined });
	// Whether a patch merges the attribute map or replaces it is not pinned by the contract; seats must change.
	expect(customAttributes?.seats, JSON.stringify(after)).toBe(7);

	const status = expectOk(await sdk.management.user.patch(before.userId, { status: "disabled" }));
	expect(status.status).toBe("disabled");
	expect(status.name).toBe("Patched");

	const ids = expectOk(await sdk.management.user.patch(loginId, { additionalIdentifiers: ["p1", "p2"] }));
	expect(ids.loginIds).toEqual([loginId, "p1", "p2"]);
	expect(expectOk(await sdk.management.user.load("p2")).userId).toBe(before.userId);

	const contact = expectOk(
		await sdk.management.user.patch(loginId, {
			email: "patched@example.com",
			phone: "+14155550111",
			verifiedEmail: false,
			picture: "https://example.com/patched.png",
			givenName: "PG",
			middleName: "",
			familyName: "PF",
		}),
	);
	expect(contact).toMatchObject({
		loginIds: [loginId, "p1", "p2"],
		name: "Patched",
		email: "patched@example.com",
		phone: "+14155550111",
		verifiedEmail: false,
		picture: "https://example.com/patched.png",
		givenName: "PG",
		middleName: "",
		familyName: "PF",
		status: "disabled",
	});

	expectError(await sdk.management.user.patch("ghost", { displayName: "x" }), "E062108");
	expectError(await sdk.management.user.patch(loginId, { email: "broken" }));
});

it("patchBatch patches each user and reports the ones that fail", async () => {
	const { sdk } = await setupProject();
	const a = expectOk(await sdk.management.user.create(unique("pa"), { displayName: "A" }));
	const b = expectOk(await sdk.management.user.create(unique("pb"), { email: "b@example.com" }));
	const res = expectOk(
		await sdk.management.user.patchBatch([
			{ loginIdOrUserId: a.loginIds[0], displayName: "A2" },
			{ loginId: b.userId, status: "disabled" },
			{ loginIdOrUserId: "ghost", displayName: "G" },
		]),
	);
	const message = JSON.stringify(res);
	expect(res.patchedUsers.map((u) => u.userId).sort(), message).toEqual([a.userId, b.userId].sort());
	for (const u of res.patchedUsers) expectUserShape(u);
	expect(res.patchedUsers.find((u) => u.userId === a.userId)?.name, message).toBe("A2");
	const patchedB = res.patchedUsers.find((u) => u.userId === b.userId);
	expect(patchedB, message).toMatchObject({ status: "disabled", email: "b@example.com" });
	expect(res.failedUsers, message).toHaveLength(1);
	expect(res.failedUsers[0].failure.length, message).toBeGreaterThan(0);
	expectUserFields(res.failedUsers[0].user);
	expect(res.additionalErrors, message).toEqual(expect.any(Object));
	expect(expectOk(await sdk.management.user.load(a.userId)).name).toBe("A2");
});

it("deactivate and activate flip the status", async () => {
	const { sdk } = await setupProject();
	const user = expectOk(await sdk.management.user.create(unique("flip")));
	expect(user.status).toBe("invited");
	const off = expectOk(await sdk.management.user.deactivate(user.loginIds[0]));
	expectUserShape(off);
	expect(off.status).toBe("disabled");
	const on = expectOk(await sdk.management.user.activate(user.userId));
	expect(on.status).toBe("enabled");
	expect(expectOk(await sdk.management.user.load(user.userId)).status).toBe("enabled");
	expectError(await sdk.management.user.activate("ghost"), "E062108");
});

it("updateEmail sets, verifies and clears the email; failOnConflict refuses another user's login id", async () => {
	const { sdk } = await setupProject();
	const user = expectOk(await sdk.management.user.create(unique("mail")));
	const set = expectOk(await sdk.management.user.updateEmail(user.loginIds[0], "m@example.com", true));
	expectUserShape(set);
	expect(set).toMatchObject({ email: "m@example.com", verifiedEmail: true });
	const unverified = expectOk(await sdk.management.user.updateEmail(user.userId, "m2@example.com", false));
	expect(unverified).toMatchObject({ email: "m2@example.com", verifiedEmail: false });
	const cleared = expectOk(await sdk.management.user.updateEmail(user.userId, "", false));
	expect(cleared.email).toBe("");

	expectError(await sdk.management.user.updateEmail(user.userId, "not an email", true));
	expectError(await sdk.management.user.updateEmail("ghost", "g@example.com", true), "E062108");

	const other = expectOk(await sdk.management.user.create("taken@example.com"));
	expectError(await sdk.management.user.updateEmail(user.userId, "taken@example.com", true, true));
	expect(expectOk(await sdk.management.user.load(user.userId)).email).toBe("");
	expect(expectOk(await sdk.management.user.load(other.userId)).loginIds).toEqual(["taken@example.com"]);
});

it("updateLoginId renames a login id, removes an additional one, and refuses to remove the last", async () => {
	const { sdk } = await setupProject();
	const loginId = unique("old");
	const user = expectOk(await sdk.management.user.create(loginId, { additionalLoginIds: ["extra-id"] }));

	const renamed = expectOk(await sdk.management.user.updateLoginId(loginId, "new-id"));
	expectUserShape(renamed);
	expect(renamed.loginIds).toEqual(["new-id", "extra-id"]);
	expectError(await sdk.management.user.load(loginId), "E062108");
	expect(expectOk(await sdk.management.user.load("new-id")).userId).toBe(user.userId);

	const removed = expectOk(await sdk.management.user.updateLoginId("extra-id"));
	expect(removed.loginIds).toEqual(["new-id"]);
	expectError(await sdk.management.user.load("extra-id"), "E062108");

	expectError(await sdk.management.user.updateLoginId("new-id"));
	expectError(await sdk.management.user.updateLoginId("new-id", ""));
	expect(expectOk(await sdk.management.user.load(user.userId)).loginIds).toEqual(["new-id"]);

	expectOk(await sdk.management.user.create("someone-else"));
	expectError(await sdk.management.user.updateLoginId("new-id", "someone-else"));
	expectError(await sdk.management.user.updateLoginId("ghost", "x"), "E062108");
});

it("updatePhone accepts E.164, rejects an invalid phone, and clears with an empty value", async () => {
	const { sdk } = await setupProject();
	const user = expectOk(await sdk.management.user.create(unique("phone")));
	const set = expectOk(await sdk.management.user.updatePhone(user.loginIds[0], "+972541234567", true));
	expectUserShape(set);
	expect(set).toMatchObject({ phone: "+972541234567", verifiedPhone: true });
	expectError(await sdk.management.user.updatePhone(user.userId, "phone-number", true));
	expectError(await sdk.management.user.updatePhone(user.userId, "+1", true));
	expect(expectOk(await sdk.management.user.load(user.userId)).phone).toBe("+972541234567");
	const cleared = expectOk(await sdk.management.user.updatePhone(user.userId, "", false));
	expect(cleared.phone).toBe("");
	expectError(await sdk.management.user.updatePhone("ghost", "+14155550100", true), "E062108");
});

it("updateDisplayName and updateUserNames change only the names they are given", async () => {
	const { sdk } = await setupProject();
	const before = await fullUser(sdk);
	const id = before.loginIds[0];
	const all = expectOk(await sdk.management.user.updateDisplayName(id, "Display", "G1", "M1", "F1"));
	expectUserShape(all);
	expect(all).toEqual({ ...before, name: "Display", givenName: "G1", middleName: "M1", familyName: "F1" });

	const onlyDisplay = expectOk(await sdk.management.user.updateDisplayName(before.userId, "Display 2"));
	expect(onlyDisplay).toMatchObject({
		name: "Display 2",
		givenName: "G1",
		middleName: "M1",
		familyName: "F1",
	});

	const names = expectOk(await sdk.management.user.updateUserNames(id, "G2", undefined, "F2"));
	expect(names).toMatchObject({ name: "Display 2", givenName: "G2", middleName: "M1", familyName: "F2" });

	const cleared = expectOk(await sdk.management.user.updateUserNames(id, "", ""));
	expect(cleared).toMatchObject({ name: "Display 2", givenName: "", middleName: "", familyName: "F2" });
	expectError(await sdk.management.user.updateUserNames("ghost", "x"), "E062108");
});

it("updatePicture sets and clears the picture", async () => {
	const { sdk } = await setupProject();
	const user = expectOk(await sdk.management.user.create(unique("pic")));
	const set = expectOk(await sdk.management.user.updatePicture(user.userId, "https://example.com/p.png"));
	expectUserShape(set);
	expect(set.picture).toBe("https://example.com/p.png");
	const cleared = expectOk(await sdk.management.user.updatePicture(user.loginIds[0], ""));
	expect(cleared.picture).toBe("");
	expectError(await sdk.management.user.updatePicture("ghost", "https://example.com/g.png"), "E062108");
});

it("updateCustomAttribute sets a typed value, removes it with null, and enforces the definition", async () => {
	const { sdk } = await setupProject();
	const before = await fullUser(sdk);
	const id = before.loginIds[0];
	const str = expectOk(await sdk.management.user.updateCustomAttribute(id, "plan", "enterprise"));
	expectUserShape(str);
	expect(str.customAttributes).toEqual({ plan: "enterprise", seats: 5 });
	const num = expectOk(await sdk.management.user.updateCustomAttribute(before.userId, "seats", 12));
	expect(num.customAttributes).toEqual({ plan: "enterprise", seats: 12 });
	const bool = expectOk(await sdk.management.user.updateCustomAttribute(id, "beta", false));
	expect(bool.customAttributes).toEqual({ plan: "enterprise", seats: 12, beta: false });
	const arr = expectOk(await sdk.management.user.updateCustomAttribute(id, "tags", ["x", "y"]));
	expect(arr.customAttributes?.tags).toEqual(["x", "y"]);
	const removed = expectOk(await sdk.management.user.updateCustomAttribute(id, "tags", null));
	expect(removed.customAttributes).toEqual({ plan: "enterprise", seats: 12, beta: false });

	// Wrong types and undeclared keys are refused and change nothing.
	expectError(await sdk.management.user.updateCustomAttribute(id, "seats", "twelve"));
	expectError(await sdk.management.user.updateCustomAttribute(id, "beta", "yes"));
	expectError(await sdk.management.user.updateCustomAttribute(id, "plan", 3));
	expectError(await sdk.management.user.updateCustomAttribute(id, "tags", "x"));
	expectError(await sdk.management.user.updateCustomAttribute(id, "undeclared", "v"));
	expect(expectOk(await sdk.management.user.load(id)).customAttributes).toEqual(removed.customAttributes);
	expectError(await sdk.management.user.updateCustomAttribute("ghost", "plan", "x"), "E062108");
});
