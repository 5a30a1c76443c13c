// REST v4 PATCH /users/{user_id}: partial updates, registration state, read-only and unknown members, If-Match races.
import { describe, expect, it } from "vitest";
import { loadUser, mgmt, newProject } from "./harness";
import { createV4, expectErrors, expectStatus, patchDoc, V4, v4 } from "./v4-harness";

describe("PATCH /users/{user_id}", () => {
	it("changes only the attributes sent; nested objects merge member by member", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, {
			name: "Before",
			user_flags: ["BETA_FEATURES_ENABLED"],
			contact_details: { email: "keep@example.com", telephone_number_E123: "+14155550100" },
			external_id: "keep-cid",
		});
		const res = await api.patch(
			`${V4}/users/${user.id}`,
			patchDoc(user.id, { contact_details: { telephone_number_E123: "+33 1 23 45 67 89" } }),
		);
		const body = expectStatus(res, 200);
		expect(res.headers.get("etag")).toBe('W/"2"');
		expect(body.data.attributes).toEqual({
			...user.attributes,
			contact_details: { email: "keep@example.com", telephone_number_E123: "+33 123 456 789" },
		});
	});

	it("null clears a value; user_flags replaces the set", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, {
			name: "Someone",
			user_flags: ["BETA_FEATURES_ENABLED"],
			contact_details: { email: "n@example.com", telephone_number_E123: "+14155550100" },
			external_id: "cid",
		});
		const body = expectStatus(
			await api.patch(
				`${V4}/users/${user.id}`,
				patchDoc(user.id, {
					name: null,
					external_id: null,
					contact_details: { telephone_number_E123: null },
					user_flags: ["LICENSE_PURCHASE_RESTRICTED", "USER_MANAGEMENT_RESTRICTED"],
				}),
			),
			200,
		);
		expect(body.data.attributes).toMatchObject({
			name: null,
			external_id: null,
			contact_details: { email: "n@example.com", telephone_number_E123: null },
			user_flags: ["LICENSE_PURCHASE_RESTRICTED", "USER_MANAGEMENT_RESTRICTED"],
		});
		// The flag index follows: filtering finds the user by its new flags only.
		const byNew = expectStatus(
			await api.get(`${V4}/users?filter[user_flags]=USER_MANAGEMENT_RESTRICTED`),
			200,
		);
		expect(byNew.data.map((u: any) => u.id)).toEqual([user.id]);
		const byOld = expectStatus(await api.get(`${V4}/users?filter[user_flags]=BETA_FEATURES_ENABLED`), 200);
		expect(byOld.data).toEqual([]);
	});

	it("REGISTERED registers an invited user: status enabled, registration_time stamped", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { contact_details: { email: "r@example.com" } });
		expect((await loadUser(mgmt(p), "r@example.com"))?.status).toBe("invited");
		const body = expectStatus(
			await api.patch(
				`${V4}/users/${user.id}`,
				patchDoc(user.id, { registration_information: { registration_state: "REGISTERED" } }),
			),
			200,
		);
		const info = body.data.attributes.registration_information;
		expect(info.registration_state).toBe("REGISTERED");
		expect(Math.abs(info.registration_time - Date.now() / 1000)).toBeLessThan(600);
		expect((await loadUser(mgmt(p), "r@example.com"))?.status).toBe("enabled");

		// Registering again keeps the first registration time.
		const again = expectStatus(
			await api.patch(
				`${V4}/users/${user.id}`,
				patchDoc(user.id, { registration_information: { registration_state: "REGISTERED" } }),
			),
			200,
		);
		expect(again.data.attributes.registration_information.registration_time).toBe(info.registration_time);
	});

	it("UNREGISTERED makes the user invited again and clears registration_time", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, {
			contact_details: { email: "u@example.com" },
			registration_information: { registration_state: "REGISTERED" },
		});
		const body = expectStatus(
			await api.patch(
				`${V4}/users/${user.id}`,
				patchDoc(user.id, { registration_information: { registration_state: "UNREGISTERED" } }),
			),
			200,
		);
		expect(body.data.attributes.registration_information).toEqual({
			registration_state: "UNREGISTERED",
			registration_time: null,
		});
		expect((await loadUser(mgmt(p), "u@example.com"))?.status).toBe("invited");
	});

	it("REGISTERED leaves a disabled user disabled (it is registered already)", async () => {
		const p = await newProject();
		const descope = mgmt(p);
		expectStatus(
			await descope.post("/v1/mgmt/user/create", {
				loginId: "d@example.com",
				email: "d@example.com",
				status: "disabled",
			}),
			200,
		);
		const api = v4(p);
		const found = expectStatus(await api.get(`${V4}/users?filter[email]=d@example.com`), 200).data[0];
		expect(found.attributes.registration_information.registration_state).toBe("REGISTERED");
		expectStatus(
			await api.patch(
				`${V4}/users/${found.id}`,
				patchDoc(found.id, { registration_information: { registration_state: "REGISTERED" } }),
			),
			200,
		);
		expect((await loadUser(descope, "d@example.com"))?.status).toBe("disabled");
	});

	it("a new email moves the login id with it and is unverified", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { contact_details: { email: "old@example.com" } });
		const descope = mgmt(p);
		expectStatus(
			await descope.post("/v1/mgmt/user/update/email", {
				loginId: "old@example.com",
				email: "old@example.com",
				verified: true,
			}),
			200,
		);
		expectStatus(
			await api.patch(
				`${V4}/users/${user.id}`,
				patchDoc(user.id, { contact_details: { email: "new@example.com" } }),
			),
			200,
		);
		const loaded = await loadUser(descope, "new@example.com");
		expect(loaded).toMatchObject({
			userId: user.id,
			email: "new@example.com",
			loginIds: ["new@example.com"],
			verifiedEmail: false,
		});
		expect(await loadUser(descope, "old@example.com")).toBe(null);
	});

	it("an empty patch changes nothing and keeps the version", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { external_id: "empty" });
		const res = await api.patch(`${V4}/users/${user.id}`, { data: { type: "users", id: user.id } });
		expectStatus(res, 200);
		expect(res.headers.get("etag")).toBe('W/"1"');
	});
});

describe("PATCH /users/{user_id}: refused, with nothing changed", () => {
	it("read-only registration_time is a 403 naming it", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { name: "Same", external_id: "ro" });
		const res = await api.patch(
			`${V4}/users/${user.id}`,
			patchDoc(user.id, { name: "Changed", registration_information: { registration_time: 1 } }),
		);
		expectErrors(res, 403, [
			{
				status: "403",
				code: "read_only",
				source: { pointer: "/data/attributes/registration_information/registration_time" },
				detail: expect.stringContaining("registration_time"),
			},
		]);
		const after = expectStatus(await api.get(`${V4}/users/${user.id}`), 200);
		expect(after.data.attributes.name).toBe("Same");
		expect(after.data).toEqual(user);
	});

	it("an id among the attributes is read-only too (403)", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { external_id: "idattr" });
		const res = await api.patch(`${V4}/users/${user.id}`, patchDoc(user.id, { id: "Uother" }));
		expectErrors(res, 403, [{ code: "read_only", source: { pointer: "/data/attributes/id" } }]);
		expect(expectStatus(await api.get(`${V4}/users/${user.id}`), 200).data).toEqual(user);
	});

	it("unknown attributes are a 400 each, with every other problem, and nothing changes", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { name: "Keep", contact_details: { email: "k@example.com" } });
		const res = await api.patch(
			`${V4}/users/${user.id}`,
			patchDoc(user.id, {
				name: "Would change",
				colour: "blue",
				contact_details: { email: "bad", telephone_number_E123: "+1 800" },
				user_flags: ["NOPE"],
				registration_information: { registration_state: "REGISTERED" },
			}),
		);
		expectErrors(res, 400, [
			{ status: "400", code: "unknown_attribute", source: { pointer: "/data/attributes/colour" } },
			{ status: "400", code: "invalid_email", source: { pointer: "/data/attributes/contact_details/email" } },
			{
				status: "400",
				code: "invalid_phone",
				source: { pointer: "/data/attributes/contact_details/telephone_number_E123" },
			},
			{ status: "400", code: "unknown_user_flag", source: { pointer: "/data/attributes/user_flags/0" } },
		]);
		expect(expectStatus(await api.get(`${V4}/users/${user.id}`), 200).data).toEqual(user);
	});

	it("a resource PATCHed back exactly as fetched is accepted: unchanged read-only members are no change", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { name: "Echo", contact_details: { email: "echo@example.com" } });
		const fetched = expectStatus(await api.get(`${V4}/users/${user.id}`), 200).data;
		const { type, id, attributes, relationships } = fetched;
		const res = await api.patch(`${V4}/users/${user.id}`, {
			data: {
				type,
				id,
				attributes: { ...attributes, name: "Echoed" },
				relationships: { default_user_profile: { data: relationships.default_user_profile.data } },
			},
		});
		const body = expectStatus(res, 200);
		expect(body.data.attributes).toMatchObject({
			name: "Echoed",
			registration_information: { registration_state: "UNREGISTERED", registration_time: null },
		});
	});

	it("a read-only member that would change is a 403 naming it, and nothing changes", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { name: "Keep", contact_details: { email: "ro@example.com" } });
		expectErrors(
			await api.patch(
				`${V4}/users/${user.id}`,
				patchDoc(user.id, { name: "Changed", registration_information: { registration_time: 5 } }),
			),
			403,
			[
				{
					code: "read_only",
					source: { pointer: "/data/attributes/registration_information/registration_time" },
				},
			],
		);
		expectErrors(
			await api.patch(`${V4}/users/${user.id}`, {
				data: {
					type: "users",
					id: user.id,
					attributes: { name: "Changed" },
					relationships: { default_user_profile: { data: { type: "user_profiles", id: "Mother" } } },
				},
			}),
			403,
			[{ code: "read_only", source: { pointer: "/data/relationships/default_user_profile" } }],
		);
		expect(expectStatus(await api.get(`${V4}/users/${user.id}`), 200).data).toEqual(user);
	});

	it("the default profile's locale and time zone are set, cleared and validated", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { contact_details: { email: "tz@example.com" } });
		const path = `${V4}/users/${user.id}/default_user_profile`;
		const set = expectStatus(
			await api.patch(path, {
				data: { type: "user_profiles", attributes: { locale: "fr-FR", time_zone: "Europe/Paris" } },
			}),
			200,
		);
		expect(set.data.attributes).toEqual({ locale: "fr-FR", time_zone: "Europe/Paris" });
		expect(expectStatus(await api.get(path), 200).data.attributes).toEqual({
			locale: "fr-FR",
			time_zone: "Europe/Paris",
		});
		const cleared = expectStatus(
			await api.patch(path, { data: { type: "user_profiles", attributes: { time_zone: null } } }),
			200,
		);
		expect(cleared.data.attributes).toEqual({ locale: "fr-FR", time_zone: null });
		expectErrors(
			await api.patch(path, {
				data: { type: "user_profiles", attributes: { locale: "not a locale", time_zone: "Mars/Olympus" } },
			}),
			400,
			[
				{ code: "invalid_locale", source: { pointer: "/data/attributes/locale" } },
				{ code: "invalid_time_zone", source: { pointer: "/data/attributes/time_zone" } },
			],
		);
		expectErrors(
			await api.patch(path, { data: { type: "user_profiles", id: "Mwrong", attributes: { locale: "de" } } }),
			409,
			[{ code: "id_mismatch", source: { pointer: "/data/id" } }],
		);
		expect(expectStatus(await api.get(path), 200).data.attributes).toEqual({
			locale: "fr-FR",
			time_zone: null,
		});
	});

	it("data.id other than the URL's is a 409; a missing one a 400", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { external_id: "ids" });
		expectErrors(await api.patch(`${V4}/users/${user.id}`, patchDoc("Uother", { name: "x" })), 409, [
			{ code: "id_mismatch", source: { pointer: "/data/id" } },
		]);
		expectErrors(
			await api.patch(`${V4}/users/${user.id}`, { data: { type: "users", attributes: { name: "x" } } }),
			400,
			[{ code: "required", source: { pointer: "/data/id" } }],
		);
	});

	it("a value another user holds is a 409 and changes nothing", async () => {
		const p = await newProject();
		const api = v4(p);
		await createV4(api, { contact_details: { email: "first@example.com" }, external_id: "first" });
		const second = await createV4(api, { contact_details: { email: "second@example.com" }, name: "Second" });
		const res = await api.patch(
			`${V4}/users/${second.id}`,
			patchDoc(second.id, {
				name: "Renamed",
				contact_details: { email: "FIRST@example.com" },
				external_id: "first",
			}),
		);
		expectErrors(res, 409, [
			{ code: "taken", source: { pointer: "/data/attributes/contact_details/email" } },
			{ code: "taken", source: { pointer: "/data/attributes/external_id" } },
		]);
		expect(expectStatus(await api.get(`${V4}/users/${second.id}`), 200).data).toEqual(second);
	});

	it("an unknown user is a 404", async () => {
		const p = await newProject();
		expectErrors(await v4(p).patch(`${V4}/users/Unope`, patchDoc("Unope", { name: "x" })), 404, [
			{ code: "user_not_found" },
		]);
	});
});

describe("PATCH /users/{user_id}: If-Match", () => {
	it("applies with the current ETag and refuses a stale one with 412", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { name: "v1", external_id: "im" });
		const ok = await api.patch(`${V4}/users/${user.id}`, patchDoc(user.id, { name: "v2" }), {
			"if-match": 'W/"1"',
		});
		expectStatus(ok, 200);
		expect(ok.headers.get("etag")).toBe('W/"2"');
		const stale = await api.patch(`${V4}/users/${user.id}`, patchDoc(user.id, { name: "v3" }), {
			"if-match": 'W/"1"',
		});
		expectErrors(stale, 412, [{ status: "412", code: "precondition_failed" }]);
		expect(expectStatus(await api.get(`${V4}/users/${user.id}`), 200).data.attributes.name).toBe("v2");
		// A list naming the current version, strong or weak, applies; "*" applies to any version.
		expectStatus(
			await api.patch(`${V4}/users/${user.id}`, patchDoc(user.id, { name: "v3" }), {
				"if-match": '"1", "2"',
			}),
			200,
		);
		expectStatus(
			await api.patch(`${V4}/users/${user.id}`, patchDoc(user.id, { name: "v4" }), { "if-match": "*" }),
			200,
		);
	});

	it("a stale If-Match on an empty patch is still a 412", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { external_id: "e" });
		expectErrors(
			await api.patch(
				`${V4}/users/${user.id}`,
				{ data: { type: "users", id: user.id } },
				{ "if-match": 'W/"9"' },
			),
			412,
			[],
		);
	});

	it("two concurrent PATCHes with the same ETag: exactly one wins, the other gets 412", async () => {
		const p = await newProject();
		const api = v4(p);
		for (let round = 0; round < 5; round++) {
			const user = await createV4(api, { name: "start", external_id: `race-${round}` });
			const [a, b] = await Promise.all([
				api.patch(
					`${V4}/users/${user.id}`,
					patchDoc(user.id, { name: "A", user_flags: ["BETA_FEATURES_ENABLED"] }),
					{ "if-match": 'W/"1"' },
				),
				api.patch(
					`${V4}/users/${user.id}`,
					patchDoc(user.id, { name: "B", user_flags: ["BILLING_ACCESS_RESTRICTED"] }),
					{ "if-match": 'W/"1"' },
				),
			]);
			expect([a.status, b.status].sort(), `${a.text} ${b.text}`).toEqual([200, 412]);
			const winner = a.status === 200 ? a : b;
			const final = expectStatus(await api.get(`${V4}/users/${user.id}`), 200).data;
			expect(final.attributes.name).toBe(winner.body.data.attributes.name);
			expect(final.attributes.user_flags).toEqual(winner.body.data.attributes.user_flags);
			// The loser's flag never reached the index either.
			const loserFlag = a.status === 200 ? "BILLING_ACCESS_RESTRICTED" : "BETA_FEATURES_ENABLED";
			const byLoser = expectStatus(
				await api.get(`${V4}/users?filter[user_flags]=${loserFlag}&filter[external_id]=race-${round}`),
				200,
			);
			expect(byLoser.data).toEqual([]);
		}
	});
});
