// User field limits (docs/security.md, "User field limits"): one set in the domain, the same
// whichever dialect writes, a 400 naming the field, and nothing written.
import { describe, expect, it } from "vitest";
import {
	createUser,
	defineAttributes,
	expectDescopeError,
	expectStatus,
	loadUser,
	mgmt,
	newProject,
	type TestProject,
} from "./harness";
import { signUp } from "./support/sessions";
import { createV4, expectErrors, patchDoc, send, userDoc, V4, v4 } from "./v4-harness";

const HUGE = "n".repeat(300_000);
const LONG = "n".repeat(257);
const LONGEST = "n".repeat(256);
/** 256 characters that are 512 UTF-16 code units: within the limit, which counts characters. */
const WIDE = "\u{1F600}".repeat(256);

const legacyPost = (p: TestProject, body: unknown) =>
	send("POST", "/api/management/user", {
		body,
		headers: { authorization: `Apikey ${p.managementKey}`, "content-type": "application/json" },
	});

describe("names", () => {
	it.each([
		["300 KB", HUGE],
		["257 characters", LONG],
	])("a %s display name is refused by every Descope write", async (_what, name) => {
		const p = await newProject();
		const api = mgmt(p);
		await createUser(api, { loginId: "a@x.com", name: "Ann" });
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "b@x.com", name }),
			400,
			"E011004",
			"name",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "b@x.com", displayName: name }),
			400,
			"E011004",
			"name",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/user/update", { loginId: "a@x.com", displayName: name }),
			400,
			"E011004",
			"name",
		);
		expectDescopeError(
			await api.patch("/v1/mgmt/user/patch", { loginId: "a@x.com", name }),
			400,
			"E011004",
			"name",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/user/update/name", { loginId: "a@x.com", displayName: name }),
			400,
			"E011004",
			"name",
		);
		expectDescopeError(await signUp(p, "c@x.com", undefined, { user: { name } }), 400, "E011004", "name");
		const batch = expectStatus(
			await api.post("/v1/mgmt/user/create/batch", { users: [{ loginId: "d@x.com", name }] }),
			200,
		);
		expect(batch.createdUsers).toEqual([]);
		expect(batch.failedUsers[0].failure).toContain("name");
		expect((await loadUser(api, "a@x.com"))?.name).toBe("Ann");
		for (const loginId of ["b@x.com", "c@x.com", "d@x.com"]) expect(await loadUser(api, loginId)).toBeNull();
	});

	it.each([
		["300 KB", HUGE],
		["257 characters", LONG],
	])("a %s name is refused by v4 create and patch and by legacy", async (_what, name) => {
		const p = await newProject();
		const api = v4(p);
		const res = await api.post(`${V4}/users`, userDoc({ name, contact_details: { email: "a@x.com" } }));
		expectErrors(res, 400, [{ source: { pointer: "/data/attributes/name" } }]);
		const user = await createV4(api, { name: "Ann", contact_details: { email: "b@x.com" } });
		const patched = await api.patch(`${V4}/users/${user.id}`, patchDoc(user.id, { name }));
		expectErrors(patched, 400, [{ source: { pointer: "/data/attributes/name" } }]);
		const legacy = await legacyPost(p, { email: "c@x.com", name });
		expect(legacy.status, legacy.text.slice(0, 500)).toBe(400);
		expect(legacy.body.errors.map((e: any) => e.field)).toEqual(["name"]);
		expect((await loadUser(mgmt(p), "b@x.com"))?.name).toBe("Ann");
		expect(await loadUser(mgmt(p), "a@x.com")).toBeNull();
		expect(await loadUser(mgmt(p), "c@x.com")).toBeNull();
	});

	it("256 characters is the limit in both dialects, counted in characters", async () => {
		const p = await newProject();
		for (const [i, name] of [LONGEST, WIDE].entries()) {
			expect((await createUser(mgmt(p), { loginId: `d${i}@x.com`, name })).name).toBe(name);
			const created = await createV4(v4(p), { name, contact_details: { email: `v${i}@x.com` } });
			expect(created.attributes.name).toBe(name);
		}
	});

	it.each(["givenName", "middleName", "familyName"])("%s is bounded like the name", async (field) => {
		const api = mgmt(await newProject());
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "a@x.com", [field]: LONG }),
			400,
			"E011004",
			field,
		);
		expect((await createUser(api, { loginId: "b@x.com", [field]: LONGEST }))[field]).toBe(LONGEST);
	});
});

describe("identifiers, picture and lists", () => {
	it("login ids and emails are at most 320 characters, the picture 2048", async () => {
		const api = mgmt(await newProject());
		const local = (n: number) => `${"a".repeat(n - 6)}@x.com`;
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: local(321) }),
			400,
			"E011004",
			"loginId",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "a", additionalLoginIds: [local(321)] }),
			400,
			"E011004",
			"additionalLoginIds[0]",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "a", email: local(321) }),
			400,
			"E011004",
			"email",
		);
		await createUser(api, { loginId: "a" });
		const picture = `https://x.com/${"p".repeat(2048)}`;
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "b", picture }),
			400,
			"E011004",
			"picture",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/user/update/picture", { loginId: "a", picture }),
			400,
			"E011004",
			"picture",
		);
		const ok = await createUser(api, { loginId: local(320), email: local(320) });
		expect(ok.loginIds).toEqual([local(320)]);
	});

	it("list fields hold at most 100 entries", async () => {
		const api = mgmt(await newProject());
		const many = Array.from({ length: 101 }, (_, i) => `id${i}`);
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "a", additionalLoginIds: many }),
			400,
			"E011004",
			"additionalLoginIds",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "a", roleNames: many }),
			400,
			"E011004",
			"roleNames",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "a", ssoAppIds: many }),
			400,
			"E011004",
			"ssoAppIds",
		);
		expect(await loadUser(api, "a")).toBeNull();
	});

	it("v4 bounds the external id and the user flags", async () => {
		const api = v4(await newProject());
		const long = await api.post(`${V4}/users`, userDoc({ external_id: "e".repeat(257) }));
		expectErrors(long, 400, [{ source: { pointer: "/data/attributes/external_id" } }]);
		const flags = Array.from({ length: 101 }, () => "BETA_FEATURES_ENABLED");
		const many = await api.post(`${V4}/users`, userDoc({ external_id: "e1", user_flags: flags }));
		expect(many.status, many.text).toBe(400);
		expect(many.text).toContain("user_flags");
		expect((await createV4(api, { external_id: "e".repeat(256) })).attributes.external_id).toBe(
			"e".repeat(256),
		);
	});
});

describe("custom attributes", () => {
	it("one value is at most 4096 bytes serialized, in create, patch and updateCustomAttribute", async () => {
		const api = mgmt(await newProject());
		await defineAttributes(api, { bio: 1 });
		await createUser(api, { loginId: "a" });
		const big = "b".repeat(4100);
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "b", customAttributes: { bio: big } }),
			400,
			"E011004",
			"customAttributes.bio",
		);
		expectDescopeError(
			await api.patch("/v1/mgmt/user/patch", { loginId: "a", customAttributes: { bio: big } }),
			400,
			"E011004",
			"customAttributes.bio",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/user/update/customAttribute", {
				loginId: "a",
				attributeKey: "bio",
				attributeValue: big,
			}),
			400,
			"E011004",
		);
		const fits = await createUser(api, { loginId: "c", customAttributes: { bio: "b".repeat(4000) } });
		expect(fits.customAttributes.bio).toHaveLength(4000);
	});

	it("all of a user's values together are at most 16384 bytes, counting what a patch keeps", async () => {
		const api = mgmt(await newProject());
		await defineAttributes(api, { a1: 1, a2: 1, a3: 1, a4: 1, a5: 1 });
		const v = "v".repeat(4000);
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", {
				loginId: "x",
				customAttributes: { a1: v, a2: v, a3: v, a4: v, a5: v },
			}),
			400,
			"E011004",
			"customAttributes",
		);
		await createUser(api, { loginId: "y", customAttributes: { a1: v, a2: v, a3: v, a4: v } });
		expectDescopeError(
			await api.patch("/v1/mgmt/user/patch", { loginId: "y", customAttributes: { a5: v } }),
			400,
			"E011004",
			"customAttributes",
		);
		// Removing one makes room.
		const patched = expectStatus(
			await api.patch("/v1/mgmt/user/patch", { loginId: "y", customAttributes: { a1: null, a5: v } }),
			200,
		).user;
		expect(Object.keys(patched.customAttributes).sort()).toEqual(["a2", "a3", "a4", "a5"]);
	});
});
