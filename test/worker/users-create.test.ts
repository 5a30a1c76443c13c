// Descope `management.user.create`, `createTestUser`, `invite` (docs/descope-compat.md).
import { describe, expect, it } from "vitest";
import {
	createUser,
	defineAttributes,
	expectDescopeError,
	expectStatus,
	expectWireUser,
	loadUser,
	mgmt,
	newProject,
	rawPost,
	search,
} from "./harness";

const CREATE = "/v1/mgmt/user/create";

/** Asserts the project holds exactly these users (test users included). */
async function expectUsers(api: ReturnType<typeof mgmt>, loginIds: string[]) {
	const { loginIds: found } = await search(api, { withTestUser: true });
	expect(found).toEqual([...loginIds].sort());
}

describe("POST /v1/mgmt/user/create", () => {
	it("creates a minimal user with every ResponseUser field present", async () => {
		const api = mgmt(await newProject());
		const res = await api.post(CREATE, { loginId: "bob" });
		const body = expectStatus(res, 200);
		expect(Object.keys(body)).toEqual(["user"]);
		expectWireUser(body.user, { loginIds: ["bob"] });
		expect(await loadUser(api, "bob")).toEqual(body.user);
	});

	it("stores every option the SDK sends (captured full body, minus roles/tenants/SSO apps)", async () => {
		const api = mgmt(await newProject());
		await defineAttributes(api, { k: 1, n: 2, flag: 3, tags: 5 });
		const user = await createUser(api, {
			loginId: "bob",
			email: "b@x.com",
			phone: "+15555555555",
			displayName: "Bob",
			givenName: "B",
			middleName: "M",
			familyName: "F",
			customAttributes: { k: "v", n: 7, flag: true, tags: ["a", "b"] },
			picture: "http://p",
			verifiedEmail: true,
			verifiedPhone: false,
			additionalLoginIds: ["bob2"],
			roleNames: [],
			userTenants: [],
			ssoAppIds: [],
		});
		expectWireUser(user, {
			loginIds: ["bob", "bob2"],
			name: "Bob",
			givenName: "B",
			middleName: "M",
			familyName: "F",
			email: "b@x.com",
			phone: "+15555555555",
			verifiedEmail: true,
			verifiedPhone: false,
			customAttributes: { k: "v", n: 7, flag: true, tags: ["a", "b"] },
			picture: "http://p",
		});
		expect(await loadUser(api, "bob2")).toEqual(user);
		expect(await loadUser(api, user.userId)).toEqual(user);
	});

	it("accepts the aliases name and additionalIdentifiers", async () => {
		const api = mgmt(await newProject());
		const user = await createUser(api, { loginId: "al", name: "Al", additionalIdentifiers: ["al2"] });
		expectWireUser(user, { loginIds: ["al", "al2"], name: "Al" });
	});

	it("normalises the phone to E.164 and trims the login id", async () => {
		const api = mgmt(await newProject());
		const user = await createUser(api, {
			loginId: "  carol  ",
			phone: "+1 (415) 555-0100",
			verifiedPhone: true,
		});
		expectWireUser(user, { loginIds: ["carol"], phone: "+14155550100", verifiedPhone: true });
	});

	it("never marks an absent email or phone verified", async () => {
		const api = mgmt(await newProject());
		const user = await createUser(api, { loginId: "dan", verifiedEmail: true, verifiedPhone: true });
		expectWireUser(user, { loginIds: ["dan"] });
	});

	it("treats null like an absent field (the SDK's positional form sends null)", async () => {
		const api = mgmt(await newProject());
		const user = await createUser(api, {
			loginId: "eve",
			email: null,
			phone: null,
			displayName: null,
			roleNames: null,
			userTenants: null,
			customAttributes: null,
			picture: null,
			verifiedEmail: null,
			additionalLoginIds: null,
		});
		expectWireUser(user, { loginIds: ["eve"] });
	});

	it("ignores unknown fields and accepts the invite delivery options", async () => {
		const api = mgmt(await newProject());
		const user = await createUser(api, {
			loginId: "fay",
			unknownField: 1,
			nested: { deep: [1, 2] },
			inviteUrl: "http://i",
			sendMail: true,
			sendSMS: false,
			templateId: "tid",
			locale: "en",
		});
		expectWireUser(user, { loginIds: ["fay"] });
	});

	it("sets an explicit status", async () => {
		const api = mgmt(await newProject());
		expectWireUser(await createUser(api, { loginId: "gus", status: "enabled" }), {
			loginIds: ["gus"],
			status: "enabled",
		});
		expectWireUser(await createUser(api, { loginId: "hal", status: "disabled" }), {
			loginIds: ["hal"],
			status: "disabled",
		});
	});

	it("creates a test user when the body says test: true", async () => {
		const api = mgmt(await newProject());
		expectWireUser(await createUser(api, { loginId: "t1", test: true }), { loginIds: ["t1"], test: true });
	});

	it("answers E062107 (409) for an existing login id, case-insensitively, and changes nothing", async () => {
		const api = mgmt(await newProject());
		const first = await createUser(api, { loginId: "Ivy@Example.com", displayName: "Ivy" });
		const res = await api.post(CREATE, { loginId: "ivy@example.COM", displayName: "Other" });
		expectDescopeError(res, 409, "E062107");
		expect(res.body.errorDescription).toBe("User already exists");
		expect(await loadUser(api, "ivy@example.com")).toEqual(first);
		await expectUsers(api, ["Ivy@Example.com"]);
	});

	it("answers E062107 when an additional login id is another user's login id", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "jay" });
		expectDescopeError(
			await api.post(CREATE, { loginId: "kim", additionalLoginIds: ["JAY"] }),
			409,
			"E062107",
		);
		expect(await loadUser(api, "kim")).toBeNull();
	});

	it("answers E062107 when the email belongs to another user", async () => {
		const api = mgmt(await newProject());
		await createUser(api, { loginId: "lea", email: "lea@x.com" });
		expectDescopeError(await api.post(CREATE, { loginId: "lea2", email: "LEA@x.com" }), 409, "E062107");
		expect(await loadUser(api, "lea2")).toBeNull();
	});

	it("rejects duplicate login ids within one user", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(await api.post(CREATE, { loginId: "mo", additionalLoginIds: ["MO"] }), 400, "E011004");
		await expectUsers(api, []);
	});
});

describe("POST /v1/mgmt/user/create: bad input", () => {
	it("answers E011002 naming loginId when it is missing", async () => {
		const api = mgmt(await newProject());
		const res = await api.post(CREATE, { email: "a@x.com" });
		expectDescopeError(res, 400, "E011002", "loginId");
		expect(res.body.errorDescription).toBe("Missing arguments");
		await expectUsers(api, []);
	});

	it("answers E011002 for an empty or blank login id", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(await api.post(CREATE, { loginId: "" }), 400, "E011002", "loginId");
		expectDescopeError(await api.post(CREATE, { loginId: "   " }), 400, "E011002", "loginId");
		await expectUsers(api, []);
	});

	it("answers E011004 naming the field for wrong JSON types", async () => {
		const api = mgmt(await newProject());
		const cases: [Record<string, unknown>, string][] = [
			[{ loginId: 5 }, "loginId"],
			[{ loginId: "a", email: 5 }, "email"],
			[{ loginId: "a", displayName: true }, "displayName"],
			[{ loginId: "a", additionalLoginIds: "b" }, "additionalLoginIds"],
			[{ loginId: "a", verifiedEmail: "yes" }, "verifiedEmail"],
			[{ loginId: "a", customAttributes: "x" }, "customAttributes"],
			[{ loginId: "a", userTenants: "t" }, "userTenants"],
			[{ loginId: "a", status: "bogus" }, "status"],
		];
		for (const [body, field] of cases) {
			const res = await api.post(CREATE, body);
			expectDescopeError(res, 400, "E011004", field);
			expect(res.body.errorDescription).toBe("Invalid arguments");
		}
		await expectUsers(api, []);
	});

	it("answers E011001 for a malformed JSON body and creates nothing", async () => {
		const project = await newProject();
		const res = await rawPost(project, CREATE, '{"loginId": "x",');
		expectDescopeError(res, 400, "E011001");
		await expectUsers(mgmt(project), []);
	});

	it("answers 400 for a JSON body that is not an object", async () => {
		const project = await newProject();
		for (const raw of ["[]", '"bob"', "null", "42"]) {
			const res = await rawPost(project, CREATE, raw);
			expect(res.status, `${raw} → ${JSON.stringify(res.body)}`).toBe(400);
			expect(res.body).toMatchObject({ errorCode: expect.stringMatching(/^E01100[1-4]$/) });
		}
		await expectUsers(mgmt(project), []);
	});

	it("answers E011004 for an invalid email or phone and creates nothing", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(
			await api.post(CREATE, { loginId: "a", email: "not-an-email" }),
			400,
			"E011004",
			"email",
		);
		expectDescopeError(await api.post(CREATE, { loginId: "a", phone: "12345" }), 400, "E011004", "phone");
		expectDescopeError(
			await api.post(CREATE, { loginId: "a", phone: "+1 555 abc" }),
			400,
			"E011004",
			"phone",
		);
		expect(await loadUser(api, "a")).toBeNull();
	});

	it("answers E011004 for a login id longer than 320 characters", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(await api.post(CREATE, { loginId: "x".repeat(321) }), 400, "E011004", "loginId");
		await createUser(api, { loginId: "x".repeat(320) });
	});

	it("rejects undeclared custom attributes and values of the wrong type", async () => {
		const api = mgmt(await newProject());
		await defineAttributes(api, { age: 2 });
		expectDescopeError(
			await api.post(CREATE, { loginId: "a", customAttributes: { nope: "x" } }),
			400,
			"E011004",
			"customAttributes.nope",
		);
		expectDescopeError(
			await api.post(CREATE, { loginId: "a", customAttributes: { age: "old" } }),
			400,
			"E011004",
			"customAttributes.age",
		);
		await expectUsers(api, []);
	});

	it("rejects roles, tenants and SSO apps that do not exist", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(
			await api.post(CREATE, { loginId: "a", roleNames: ["admin"] }),
			400,
			"E011004",
			"roleNames",
		);
		expectDescopeError(
			await api.post(CREATE, { loginId: "a", userTenants: [{ tenantId: "T1", roleNames: [] }] }),
			400,
			"E011004",
			"userTenants",
		);
		expectDescopeError(
			await api.post(CREATE, { loginId: "a", ssoAppIds: ["app"] }),
			400,
			"E011004",
			"ssoAppIds",
		);
		await expectUsers(api, []);
	});

	it("rejects a password below the policy and a malformed hashed password without creating the user", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(await api.post(CREATE, { loginId: "a", password: "pw" }), 400, "E011004", "password");
		expectDescopeError(
			await api.post(CREATE, { loginId: "a", hashedPassword: { bcrypt: { hash: "$2a$" } } }),
			400,
			"E011004",
			"hashedPassword",
		);
		await expectUsers(api, []);
	});
});

describe("POST /v1/mgmt/user/create/test", () => {
	it("creates a test user, hidden from a default search", async () => {
		const api = mgmt(await newProject());
		const res = await api.post("/v1/mgmt/user/create/test", { loginId: "tester", email: "t@x.com" });
		expectWireUser(expectStatus(res, 200).user, { loginIds: ["tester"], email: "t@x.com", test: true });
		expect((await search(api, {})).total).toBe(0);
		expect((await search(api, {}, "/v2/mgmt/user/search/test")).loginIds).toEqual(["tester"]);
	});

	it("forces test: true even when the body says false", async () => {
		const api = mgmt(await newProject());
		const res = await api.post("/v1/mgmt/user/create/test", { loginId: "tester", test: false });
		expect(expectStatus(res, 200).user.test).toBe(true);
	});

	it("answers E011002 without a login id and E062107 for a taken one", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(await api.post("/v1/mgmt/user/create/test", {}), 400, "E011002", "loginId");
		await createUser(api, { loginId: "real" });
		expectDescopeError(await api.post("/v1/mgmt/user/create/test", { loginId: "real" }), 409, "E062107");
		expect((await loadUser(api, "real")).test).toBe(false);
	});
});

describe("POST /v1/mgmt/user/create with invite: true", () => {
	it("creates an invited user", async () => {
		const api = mgmt(await newProject());
		const res = await api.post(CREATE, {
			loginId: "ibob",
			email: "i@x.com",
			inviteUrl: "http://i",
			sendMail: true,
			sendSMS: false,
			templateId: "tid",
			locale: "en",
			invite: true,
		});
		expectWireUser(expectStatus(res, 200).user, { loginIds: ["ibob"], email: "i@x.com", status: "invited" });
	});

	it("returns the existing user when re-inviting by login id or user id", async () => {
		const api = mgmt(await newProject());
		const existing = await createUser(api, { loginId: "ibob", status: "enabled", displayName: "Bob" });
		const byLogin = expectStatus(await api.post(CREATE, { loginId: "ibob", invite: true }), 200).user;
		expect(byLogin).toEqual(existing);
		const byId = expectStatus(await api.post(CREATE, { loginId: existing.userId, invite: true }), 200).user;
		expect(byId).toEqual(existing);
		await expectUsers(api, ["ibob"]);
	});
});
