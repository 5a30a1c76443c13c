// The official @descope/node-sdk against Roster: custom attribute definitions and the typing of user values
// (`management.user.createCustomAttributes` and friends; docs/descope-compat.md).
import { expect, it } from "vitest";
import {
	AttributeType,
	baseUrl,
	defineAttributes,
	expectError,
	expectOk,
	setupProject,
	unique,
} from "./harness.js";

it("a new project has no custom attributes", async () => {
	const { sdk } = await setupProject();
	expect(expectOk(await sdk.management.user.getCustomAttributes())).toEqual([]);
});

it("createCustomAttributes returns the project's full list, and getCustomAttributes reads it back", async () => {
	const { sdk } = await setupProject();
	const first = expectOk(
		await sdk.management.user.createCustomAttributes([
			{ name: "plan", type: AttributeType.string, displayName: "Plan" },
		]),
	);
	expect(first).toEqual([
		expect.objectContaining({ name: "plan", type: AttributeType.string, displayName: "Plan" }),
	]);

	const both = expectOk(
		await sdk.management.user.createCustomAttributes([
			{
				name: "tier",
				type: AttributeType.singleSelect,
				displayName: "Tier",
				options: [
					{ value: "gold", label: "Gold" },
					{ value: "silver", label: "Silver" },
				],
			},
		]),
	);
	const byName = Object.fromEntries(both.map((a) => [a.name, a]));
	expect(Object.keys(byName).sort(), JSON.stringify(both)).toEqual(["plan", "tier"]);
	expect(byName.tier).toMatchObject({
		type: AttributeType.singleSelect,
		displayName: "Tier",
		options: [
			{ value: "gold", label: "Gold" },
			{ value: "silver", label: "Silver" },
		],
	});
	const listed = expectOk(await sdk.management.user.getCustomAttributes());
	expect(listed.map((a) => a.name).sort()).toEqual(["plan", "tier"]);
});

it("the custom attributes response carries total as an int64 string", async () => {
	const { project, sdk } = await setupProject();
	await defineAttributes(sdk);
	// The SDK unwraps `.data`; read the envelope once to pin `total`.
	const res = await fetch(`${baseUrl()}/v1/mgmt/user/customattributes`, {
		headers: { Authorization: `Bearer ${project.projectId}:${project.managementKey}` },
	});
	const body = await res.json();
	expect(res.status, JSON.stringify(body)).toBe(200);
	expect(body, JSON.stringify(body)).toMatchObject({ data: expect.any(Array), total: "4" });
});

it("deleteCustomAttributes removes definitions and returns what is left", async () => {
	const { sdk } = await setupProject();
	await defineAttributes(sdk);
	const left = expectOk(await sdk.management.user.deleteCustomAttributes(["plan", "beta"]));
	expect(left.map((a) => a.name).sort(), JSON.stringify(left)).toEqual(["seats", "tags"]);
	expect(
		expectOk(await sdk.management.user.getCustomAttributes())
			.map((a) => a.name)
			.sort(),
	).toEqual(["seats", "tags"]);
	// A deleted attribute can no longer be set on a user.
	const user = expectOk(await sdk.management.user.create(unique("u")));
	expectError(await sdk.management.user.updateCustomAttribute(user.userId, "plan", "pro"));
});

it("user values must match the attribute's type on create, update and patch", async () => {
	const { sdk } = await setupProject();
	await defineAttributes(sdk);
	expectError(await sdk.management.user.create(unique("a"), { customAttributes: { seats: "three" } }));
	expectError(await sdk.management.user.create(unique("b"), { customAttributes: { beta: 1 } }));
	expectError(await sdk.management.user.create(unique("c"), { customAttributes: { plan: true } }));
	expectError(await sdk.management.user.create(unique("d"), { customAttributes: { tags: [1, 2] as any } }));
	expectError(await sdk.management.user.create(unique("e"), { customAttributes: { nope: "x" } }));
	expect(expectOk(await sdk.management.user.search({})).total).toBe(0);

	const user = expectOk(await sdk.management.user.create(unique("ok"), { customAttributes: { seats: 2 } }));
	expectError(await sdk.management.user.update(user.userId, { customAttributes: { seats: "2" } }));
	expectError(await sdk.management.user.patch(user.userId, { customAttributes: { beta: "true" } }));
	expect(expectOk(await sdk.management.user.load(user.userId)).customAttributes).toEqual({ seats: 2 });
});

it("a single-select value must be one of the options", async () => {
	const { sdk } = await setupProject();
	expectOk(
		await sdk.management.user.createCustomAttributes([
			{
				name: "tier",
				type: AttributeType.singleSelect,
				displayName: "Tier",
				options: [{ value: "gold", label: "Gold" }],
			},
		]),
	);
	const user = expectOk(
		await sdk.management.user.create(unique("t"), { customAttributes: { tier: "gold" } }),
	);
	expect(user.customAttributes).toEqual({ tier: "gold" });
	expectError(await sdk.management.user.updateCustomAttribute(user.userId, "tier", "bronze"));
});
