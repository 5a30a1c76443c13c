// REST v4 GET /users/{user_id}, its default profile and relationship: ETags, include, sparse fieldsets, isolation.
import { describe, expect, it } from "vitest";
import { mgmt, newProject } from "./harness";
import { createV4, expectErrors, expectStatus, V4, v4 } from "./v4-harness";

describe("GET /users/{user_id}", () => {
	it("answers the user with its ETag", async () => {
		const p = await newProject();
		const api = v4(p);
		const created = await createV4(api, { name: "Grace", contact_details: { email: "grace@example.com" } });
		const res = await api.get(`${V4}/users/${created.id}`);
		const body = expectStatus(res, 200);
		expect(res.headers.get("etag")).toBe('W/"1"');
		expect(body.data).toEqual(created);
		expect(body.links).toEqual({ self: created.links.self });
		expect(body.included).toBeUndefined();
	});

	it("a user made through the Descope dialect reads the same through v4", async () => {
		const p = await newProject();
		const created = expectStatus(
			await mgmt(p).post("/v1/mgmt/user/create", {
				loginId: "desc",
				email: "desc@example.com",
				phone: "+14155550123",
				displayName: "Desc Ribed",
				status: "enabled",
			}),
			200,
		).user;
		const body = expectStatus(await v4(p).get(`${V4}/users/${created.userId}`), 200);
		expect(body.data.attributes).toEqual({
			name: "Desc Ribed",
			user_flags: [],
			contact_details: { email: "desc@example.com", telephone_number_E123: "+1 415 555 0123" },
			registration_information: { registration_state: "REGISTERED", registration_time: created.createdTime },
			external_id: null,
		});
		expect(body.data.meta.created_time).toBe(created.createdTime);
	});

	it("If-None-Match with the current ETag is a 304 without a body; a stale one gets the user", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { external_id: "etag" });
		const fresh = await api.get(`${V4}/users/${user.id}`, { "if-none-match": 'W/"1"' });
		expect(fresh.status).toBe(304);
		expect(fresh.text).toBe("");
		expect(fresh.headers.get("etag")).toBe('W/"1"');
		expect((await api.get(`${V4}/users/${user.id}`, { "if-none-match": '"1"' })).status).toBe(304);
		expect((await api.get(`${V4}/users/${user.id}`, { "if-none-match": "*" })).status).toBe(304);
		const stale = await api.get(`${V4}/users/${user.id}`, { "if-none-match": 'W/"7", W/"8"' });
		expect(stale.status).toBe(200);
	});

	it("an unknown user is a JSON:API 404", async () => {
		const p = await newProject();
		const res = await v4(p).get(`${V4}/users/U000000000000000000000000000`);
		expectErrors(res, 404, [{ status: "404", code: "user_not_found" }]);
	});

	it("a key sees nothing of another project", async () => {
		const a = await newProject("a");
		const b = await newProject("b");
		const user = await createV4(v4(a), { external_id: "secret" });
		expectErrors(await v4(b).get(`${V4}/users/${user.id}`), 404, [{ code: "user_not_found" }]);
		expectErrors(
			await v4(b).patch(`${V4}/users/${user.id}`, { data: { type: "users", id: user.id } }),
			404,
			[],
		);
		expectErrors(await v4(b).delete(`${V4}/users/${user.id}`), 404, []);
		const listed = expectStatus(await v4(b).get(`${V4}/users?filter[external_id]=secret`), 200);
		expect(listed.data).toEqual([]);
	});

	it("include=default_user_profile gives a compound document", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { external_id: "inc" });
		const body = expectStatus(await api.get(`${V4}/users/${user.id}?include=default_user_profile`), 200);
		const profileId = `F${user.id.slice(1)}`;
		expect(body.data.relationships.default_user_profile.data).toEqual({
			type: "user_profiles",
			id: profileId,
		});
		expect(body.included).toEqual([
			{
				type: "user_profiles",
				id: profileId,
				attributes: { locale: null, time_zone: null },
				relationships: { user: { data: { type: "users", id: user.id } } },
				links: { self: `${user.links.self}/default_user_profile` },
			},
		]);
	});

	it("fields[users] narrows attributes and relationships; fields[user_profiles] the included profile", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, {
			name: "Sparse",
			external_id: "sp",
			contact_details: { email: "s@example.com" },
		});
		const body = expectStatus(
			await api.get(
				`${V4}/users/${user.id}?fields[users]=name,contact_details&include=default_user_profile&fields[user_profiles]=locale`,
			),
			200,
		);
		expect(body.data.attributes).toEqual({
			name: "Sparse",
			contact_details: { email: "s@example.com", telephone_number_E123: null },
		});
		expect(body.data.relationships).toBeUndefined();
		expect(body.data.meta.security).toBeDefined();
		expect(body.included[0].attributes).toEqual({ locale: null });
		expect(body.included[0].relationships).toBeUndefined();
		const none = expectStatus(await api.get(`${V4}/users/${user.id}?fields[users]=`), 200);
		expect(none.data.attributes).toEqual({});
	});

	it("bad include, fields and unknown parameters are 400s naming the parameter", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { external_id: "bad" });
		expectErrors(await api.get(`${V4}/users/${user.id}?include=roles`), 400, [
			{ code: "unsupported_include", source: { parameter: "include" } },
		]);
		expectErrors(await api.get(`${V4}/users/${user.id}?fields[users]=name,password`), 400, [
			{ source: { parameter: "fields[users]" }, detail: expect.stringContaining("password") },
		]);
		expectErrors(await api.get(`${V4}/users/${user.id}?expand=all`), 400, [
			{ code: "unknown_parameter", source: { parameter: "expand" } },
		]);
	});

	it("meta.security reflects a password set through the Descope dialect", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { contact_details: { email: "pw@example.com" } });
		const before = expectStatus(await api.get(`${V4}/users/${user.id}`), 200);
		expect(before.data.meta.security.password_set).toBe(false);
		const set = await mgmt(p).post("/v1/mgmt/user/password/set/active", {
			loginId: "pw@example.com",
			password: "Correct-Horse-9-Battery",
		});
		expect(set.status, JSON.stringify(set.body)).toBe(200);
		const body = expectStatus(await api.get(`${V4}/users/${user.id}`), 200);
		expect(body.data.meta.security.password_set).toBe(true);
	});
});

describe("GET /users/{user_id}/default_user_profile and its relationship", () => {
	it("answers the related profile and the linkage", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { external_id: "prof" });
		const profileId = `F${user.id.slice(1)}`;
		const related = expectStatus(await api.get(`${V4}/users/${user.id}/default_user_profile`), 200);
		expect(related).toEqual({
			jsonapi: { version: "1.1" },
			data: {
				type: "user_profiles",
				id: profileId,
				attributes: { locale: null, time_zone: null },
				relationships: { user: { data: { type: "users", id: user.id } } },
				links: { self: `${user.links.self}/default_user_profile` },
			},
			links: { self: `${user.links.self}/default_user_profile` },
		});
		const linkage = expectStatus(
			await api.get(`${V4}/users/${user.id}/relationships/default_user_profile`),
			200,
		);
		expect(linkage).toEqual({
			jsonapi: { version: "1.1" },
			data: { type: "user_profiles", id: profileId },
			links: {
				self: `${user.links.self}/relationships/default_user_profile`,
				related: `${user.links.self}/default_user_profile`,
			},
		});
	});

	it("404s for an unknown user", async () => {
		const p = await newProject();
		expectErrors(await v4(p).get(`${V4}/users/Unope/default_user_profile`), 404, [
			{ code: "user_not_found" },
		]);
		expectErrors(await v4(p).get(`${V4}/users/Unope/relationships/default_user_profile`), 404, []);
	});
});
