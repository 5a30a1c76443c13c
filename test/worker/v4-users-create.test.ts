// REST v4 POST /api/user/management/v4/users: the created resource, its defaults, and every kind of bad input.
import { describe, expect, it } from "vitest";
import { loadUser, mgmt, newProject } from "./harness";
import { createV4, expectErrors, expectStatus, JSONAPI, send, userDoc, V4, v4 } from "./v4-harness";

const ID = expect.stringMatching(/^U[0-9A-Za-z]{27}$/);

describe("POST /users", () => {
	it("creates a user and answers the full resource, 201, Location and ETag", async () => {
		const p = await newProject();
		const res = await v4(p).post(
			`${V4}/users`,
			userDoc({
				name: "Ada Lovelace",
				user_flags: ["LICENSE_PURCHASE_RESTRICTED"],
				contact_details: { email: "ada@example.com", telephone_number_E123: "+1 (415) 555-0100" },
				external_id: "cust-1",
			}),
		);
		const body = expectStatus(res, 201);
		expect(res.headers.get("content-type")).toBe(JSONAPI);
		const id = body.data.id;
		expect(id).toEqual(ID);
		const self = `http://roster.test${V4}/users/${id}`;
		expect(res.headers.get("location")).toBe(self);
		expect(res.headers.get("etag")).toBe('W/"1"');
		expect(body).toEqual({
			jsonapi: { version: "1.1" },
			data: {
				type: "users",
				id,
				attributes: {
					name: "Ada Lovelace",
					user_flags: ["LICENSE_PURCHASE_RESTRICTED"],
					contact_details: { email: "ada@example.com", telephone_number_E123: "+1 415 555 0100" },
					registration_information: { registration_state: "UNREGISTERED", registration_time: null },
					external_id: "cust-1",
				},
				relationships: {
					default_user_profile: {
						links: {
							self: `${self}/relationships/default_user_profile`,
							related: `${self}/default_user_profile`,
						},
						data: { type: "user_profiles", id: `F${id.slice(1)}` },
					},
				},
				links: { self },
				meta: {
					created_time: expect.any(Number),
					modified_time: expect.any(Number),
					security: { password_set: false, passkey_count: 0, last_sign_in_time: null, locked: false },
				},
			},
			links: { self },
		});
		expect(Math.abs(body.data.meta.created_time - Date.now() / 1000)).toBeLessThan(600);
	});

	it("REGISTERED at creation stamps registration_time (epoch seconds)", async () => {
		const p = await newProject();
		const user = await createV4(v4(p), {
			contact_details: { email: "reg@example.com" },
			registration_information: { registration_state: "REGISTERED" },
		});
		const info = user.attributes.registration_information;
		expect(info.registration_state).toBe("REGISTERED");
		expect(Number.isInteger(info.registration_time)).toBe(true);
		expect(Math.abs(info.registration_time - Date.now() / 1000)).toBeLessThan(600);
	});

	it("the email is the login id; without one the external id is", async () => {
		const p = await newProject();
		const api = v4(p);
		const withEmail = await createV4(api, {
			contact_details: { email: "Mixed@Example.com" },
			external_id: "e-1",
		});
		const withoutEmail = await createV4(api, { external_id: "only-cid" });
		const descope = mgmt(p);
		expect((await loadUser(descope, "mixed@example.com"))?.userId).toBe(withEmail.id);
		expect((await loadUser(descope, "only-cid"))?.userId).toBe(withoutEmail.id);
		expect((await loadUser(descope, "e-1"))?.userId ?? null).toBe(null);
	});

	it("needs an email or an external id", async () => {
		const p = await newProject();
		const res = await v4(p).post(`${V4}/users`, userDoc({ name: "Nobody" }));
		expectErrors(res, 400, [
			{ status: "400", code: "required", source: { pointer: "/data/attributes/contact_details/email" } },
		]);
	});

	it("application/json is accepted as well", async () => {
		const p = await newProject();
		const res = await v4(p).post(`${V4}/users`, userDoc({ contact_details: { email: "json@example.com" } }), {
			"content-type": "application/json",
		});
		expectStatus(res, 201);
	});

	it("include=default_user_profile on create adds the profile", async () => {
		const p = await newProject();
		const res = await v4(p).post(
			`${V4}/users?include=default_user_profile`,
			userDoc({ contact_details: { email: "inc@example.com" } }),
		);
		const body = expectStatus(res, 201);
		expect(body.included).toEqual([
			expect.objectContaining({ type: "user_profiles", id: `F${body.data.id.slice(1)}` }),
		]);
	});

	it("dedupes repeated flags", async () => {
		const p = await newProject();
		const user = await createV4(v4(p), {
			external_id: "flags",
			user_flags: ["BETA_FEATURES_ENABLED", "BETA_FEATURES_ENABLED", "BILLING_ACCESS_RESTRICTED"],
		});
		expect(user.attributes.user_flags).toEqual(["BETA_FEATURES_ENABLED", "BILLING_ACCESS_RESTRICTED"]);
	});
});

describe("POST /users: telephone_number_E123", () => {
	it.each([
		["+1 415 555 0100", "+1 415 555 0100", "+14155550100"],
		["+14155550100", "+1 415 555 0100", "+14155550100"],
		["+44 (0)20 7946 0958", "+44 207 946 0958", "+442079460958"],
		["+49 30 12345678", "+49 301 234 5678", "+493012345678"],
		["+65 6123 4567", "+65 6123 4567", "+6561234567"],
		["+86 139 1234 5678", "+86 139 1234 5678", "+8613912345678"],
		["+358 40.123.4567", "+358 401 234 567", "+358401234567"],
	])("%s is answered as %s and stored as %s", async (input, e123, e164) => {
		const p = await newProject();
		const user = await createV4(v4(p), {
			contact_details: { email: "tel@example.com", telephone_number_E123: input },
		});
		expect(user.attributes.contact_details.telephone_number_E123).toBe(e123);
		// The Descope dialect reads the same row: E.164.
		expect((await loadUser(mgmt(p), "tel@example.com"))?.phone).toBe(e164);
	});

	it.each([
		["4155550100", "international"],
		["+1 415 555", "North American"],
		["+12345", "international"],
		["+44 20 7946 0958 1234 5678", "international"],
		["+1 015 555 0100", "North American"],
		["+1 415 155 0100", "North American"],
		["+999 1234 5678", "country code"],
		["+259 1234 5678", "country code"],
		["+44 20 7946 0958 ext 12", "international"],
		["tel:+14155550100", "international"],
	])("%s is refused (%s)", async (input, words) => {
		const p = await newProject();
		const res = await v4(p).post(
			`${V4}/users`,
			userDoc({ contact_details: { email: "x@example.com", telephone_number_E123: input } }),
		);
		expectErrors(res, 400, [
			{
				code: "invalid_phone",
				source: { pointer: "/data/attributes/contact_details/telephone_number_E123" },
				detail: expect.stringContaining(words),
			},
		]);
	});
});

describe("POST /users: bad documents", () => {
	it("reports every invalid field, each with its pointer", async () => {
		const p = await newProject();
		const res = await v4(p).post(
			`${V4}/users`,
			userDoc({
				name: 42,
				user_flags: ["LICENSE_PURCHASE_RESTRICTED", "NOT_A_FLAG"],
				contact_details: { email: "not-an-email", telephone_number_E123: 5, fax: "x" },
				registration_information: { registration_state: "MAYBE" },
				external_id: ["a"],
				nickname: "x",
			}),
		);
		expectErrors(res, 400, [
			{ status: "400", code: "invalid_type", source: { pointer: "/data/attributes/name" } },
			{ status: "400", code: "unknown_user_flag", source: { pointer: "/data/attributes/user_flags/1" } },
			{ status: "400", code: "invalid_email", source: { pointer: "/data/attributes/contact_details/email" } },
			{
				status: "400",
				code: "invalid_type",
				source: { pointer: "/data/attributes/contact_details/telephone_number_E123" },
			},
			{
				status: "400",
				code: "unknown_attribute",
				source: { pointer: "/data/attributes/contact_details/fax" },
			},
			{
				status: "400",
				code: "invalid_value",
				source: { pointer: "/data/attributes/registration_information/registration_state" },
			},
			{ status: "400", code: "invalid_type", source: { pointer: "/data/attributes/external_id" } },
			{ status: "400", code: "unknown_attribute", source: { pointer: "/data/attributes/nickname" } },
		]);
		expect(res.body.errors).toHaveLength(8);
		expect(res.body.errors.find((e: any) => e.code === "unknown_user_flag").detail).toContain("NOT_A_FLAG");
	});

	it("read-only members answer 403 naming them", async () => {
		const p = await newProject();
		const res = await v4(p).post(`${V4}/users`, {
			data: {
				type: "users",
				id: "Umine",
				attributes: {
					contact_details: { email: "ro@example.com" },
					registration_information: { registration_time: 1700000000 },
				},
			},
		});
		expectErrors(res, 403, [
			{ status: "403", code: "read_only", source: { pointer: "/data/id" } },
			{
				status: "403",
				code: "read_only",
				source: { pointer: "/data/attributes/registration_information/registration_time" },
			},
		]);
	});

	it("a read-only and an invalid member together answer 400 with both errors", async () => {
		const p = await newProject();
		const res = await v4(p).post(
			`${V4}/users`,
			userDoc({ name: 1, registration_information: { registration_time: 1 } }),
		);
		expectErrors(res, 400, [
			{ status: "400", source: { pointer: "/data/attributes/name" } },
			{ status: "403", source: { pointer: "/data/attributes/registration_information/registration_time" } },
		]);
	});

	it("another type is a 409 (JSON:API)", async () => {
		const p = await newProject();
		const res = await v4(p).post(`${V4}/users`, {
			data: { type: "people", attributes: { external_id: "x" } },
		});
		expectErrors(res, 409, [{ code: "type_mismatch", source: { pointer: "/data/type" } }]);
	});

	it("relationships cannot be set: the default profile is made with the user", async () => {
		const p = await newProject();
		const res = await v4(p).post(`${V4}/users`, {
			data: {
				type: "users",
				attributes: { external_id: "x" },
				relationships: { default_user_profile: { data: { type: "user_profiles", id: "F1" } }, boss: {} },
			},
		});
		expectErrors(res, 400, [
			{ status: "403", code: "read_only", source: { pointer: "/data/relationships/default_user_profile" } },
			{ status: "400", code: "unknown_relationship", source: { pointer: "/data/relationships/boss" } },
		]);
	});

	it.each([
		["no data", {}],
		["data null", { data: null }],
		["data an array", { data: [] }],
		["no type", { data: { attributes: { external_id: "x" } } }],
		["a string", "users"],
	])("%s is a 400", async (_name, body) => {
		const p = await newProject();
		const res = await v4(p).post(`${V4}/users`, body);
		expectErrors(res, 400, []);
		expect(res.body.errors.length).toBeGreaterThan(0);
	});

	it("malformed JSON is a 400 error document", async () => {
		const p = await newProject();
		const res = await send("POST", `${V4}/users`, {
			raw: '{"data": {',
			headers: { authorization: `Apikey ${p.managementKey}`, "content-type": JSONAPI },
		});
		expectErrors(res, 400, [{ status: "400" }]);
	});

	it.each([
		["text/plain", 415],
		["application/x-www-form-urlencoded", 415],
		[`${JSONAPI}; charset=utf-8`, 415],
		[`${JSONAPI}; ext="https://jsonapi.org/ext/atomic"`, 415],
		[`${JSONAPI}; profile="https://example.com/p"`, 201],
	])("Content-Type %s → %i", async (type, status) => {
		const p = await newProject();
		const res = await v4(p).post(`${V4}/users`, userDoc({ external_id: "ct" }), { "content-type": type });
		expect(res.status, res.text).toBe(status);
		if (status === 415)
			expectErrors(res, 415, [{ code: "unsupported_media_type", source: { header: "Content-Type" } }]);
	});

	it("an Accept with only parameterised JSON:API types is a 406; application/json is honoured", async () => {
		const p = await newProject();
		const api = v4(p);
		const refused = await api.get(`${V4}/users`, { accept: `${JSONAPI}; charset=utf-8` });
		expectErrors(refused, 406, [{ code: "not_acceptable" }]);
		const plain = await api.get(`${V4}/users`, { accept: "application/json" });
		expect(plain.status).toBe(200);
		expect(plain.headers.get("content-type")).toBe("application/json");
		const mixed = await api.get(`${V4}/users`, { accept: `${JSONAPI}; charset=utf-8, ${JSONAPI}` });
		expect(mixed.status).toBe(200);
	});
});

describe("POST /users: unique values", () => {
	it("names every value another user holds (409)", async () => {
		const p = await newProject();
		const api = v4(p);
		await createV4(api, {
			contact_details: { email: "taken@example.com", telephone_number_E123: "+14155550100" },
			external_id: "cid-taken",
		});
		const res = await api.post(
			`${V4}/users`,
			userDoc({
				contact_details: { email: "TAKEN@example.com", telephone_number_E123: "+1 415 555 0100" },
				external_id: "cid-taken",
			}),
		);
		expectErrors(res, 409, [
			{ status: "409", code: "taken", source: { pointer: "/data/attributes/contact_details/email" } },
			{
				status: "409",
				code: "taken",
				source: { pointer: "/data/attributes/contact_details/telephone_number_E123" },
			},
			{ status: "409", code: "taken", source: { pointer: "/data/attributes/external_id" } },
		]);
	});

	it("an email that is another user's login id is taken", async () => {
		const p = await newProject();
		expectStatus(await mgmt(p).post("/v1/mgmt/user/create", { loginId: "someone@example.com" }), 200);
		const res = await v4(p).post(
			`${V4}/users`,
			userDoc({ contact_details: { email: "someone@example.com" } }),
		);
		expectErrors(res, 409, [
			{
				code: "taken",
				source: { pointer: "/data/attributes/contact_details/email" },
				detail: expect.stringContaining("login id"),
			},
		]);
	});
});
