// Legacy user endpoints (docs/migration-v4.md): flat shape, Deprecation + successor Link, the refused
// `service` parameter, and equivalence with v4 and the Descope dialect over the same users.
import { describe, expect, it } from "vitest";
import { loadUser, mgmt, newProject, type TestProject } from "./harness";
import { createV4, expectStatus, type Res, send, V4, v4 } from "./v4-harness";

const LEGACY = "/api/management/user";
const legacy = (p: TestProject) => {
	const headers = { authorization: `Apikey ${p.managementKey}`, "content-type": "application/json" };
	return {
		get: (path: string) => send("GET", path, { headers }),
		post: (body: unknown) => send("POST", LEGACY, { body, headers }),
		put: (email: string, body: unknown) =>
			send("PUT", `${LEGACY}/${encodeURIComponent(email)}`, { body, headers }),
		delete: (email: string) => send("DELETE", `${LEGACY}/${encodeURIComponent(email)}`, { headers }),
	};
};

function expectDeprecated(res: Res, successor: string) {
	expect(res.headers.get("deprecation"), res.text).toMatch(/^@\d+$/);
	expect(res.headers.get("link"), res.text).toBe(`<http://roster.test${successor}>; rel="successor-version"`);
}

function expectLegacyError(res: Res, status: number, error: string, fields: string[] = []) {
	expect(res.status, res.text).toBe(status);
	expect(res.body).toMatchObject({ error, message: expect.any(String), errors: expect.any(Array) });
	expect(res.body.errors.map((e: any) => e.field)).toEqual(fields);
}

describe("POST /api/management/user", () => {
	it("creates a user in the flat shape, 201, deprecated, pointing at its v4 successor", async () => {
		const p = await newProject();
		const res = await legacy(p).post({
			email: "old@example.com",
			name: "Old Client",
			cid: "C-100",
			phone: "+1 415 555 0100",
			user_flags: ["LICENSE_PURCHASE_RESTRICTED"],
		});
		const user = expectStatus(res, 201);
		expect(user).toEqual({
			user_id: expect.stringMatching(/^U[0-9A-Za-z]{27}$/),
			email: "old@example.com",
			name: "Old Client",
			cid: "C-100",
			phone: "+14155550100",
			registered: false,
			user_flags: ["LICENSE_PURCHASE_RESTRICTED"],
		});
		expectDeprecated(res, `${V4}/users/${user.user_id}`);
	});

	it("the same user through v4 and through the Descope dialect", async () => {
		const p = await newProject();
		const created = expectStatus(
			await legacy(p).post({
				email: "same@example.com",
				name: "Same",
				cid: "S-1",
				phone: "+442079460958",
				registered: true,
			}),
			201,
		);
		const viaV4 = expectStatus(await v4(p).get(`${V4}/users/${created.user_id}`), 200).data;
		expect(viaV4.attributes).toEqual({
			name: "Same",
			user_flags: [],
			contact_details: { email: "same@example.com", telephone_number_E123: "+44 207 946 0958" },
			registration_information: { registration_state: "REGISTERED", registration_time: expect.any(Number) },
			external_id: "S-1",
		});
		const viaDescope = await loadUser(mgmt(p), "same@example.com");
		expect(viaDescope).toMatchObject({
			userId: created.user_id,
			loginIds: ["same@example.com"],
			email: "same@example.com",
			phone: "+442079460958",
			name: "Same",
			status: "enabled",
		});
	});

	it("email is required (users are addressed by it); every invalid field is reported", async () => {
		const p = await newProject();
		expectLegacyError(await legacy(p).post({ name: "No email" }), 400, "missing_argument", ["email"]);
		expectLegacyError(
			await legacy(p).post({ email: "bad", phone: "12", user_flags: ["NOPE"] }),
			400,
			"invalid_argument",
			["email", "phone", "user_flags[0]"],
		);
		expectLegacyError(await legacy(p).post({ email: 5, registered: "yes" }), 400, "invalid_argument", [
			"email",
			"registered",
		]);
	});

	it("a taken email or cid is a 409", async () => {
		const p = await newProject();
		expectStatus(await legacy(p).post({ email: "t@example.com", cid: "T" }), 201);
		expectLegacyError(await legacy(p).post({ email: "T@example.com", cid: "T" }), 409, "user_exists", [
			"email",
			"cid",
		]);
	});

	it("unknown fields are ignored, as legacy clients send what they always sent", async () => {
		const p = await newProject();
		expectStatus(await legacy(p).post({ email: "extra@example.com", locale: "en", newsletter: true }), 201);
	});
});

describe("the service parameter", () => {
	it.each([
		[
			"in the body of a create",
			(p: TestProject) => legacy(p).post({ email: "s@example.com", service: "crm" }),
		],
		["in the query of a list", (p: TestProject) => legacy(p).get(`${LEGACY}?service=crm`)],
		["in the body of an update", (p: TestProject) => legacy(p).put("s@example.com", { service: "crm" })],
		[
			"in the query of a delete",
			(p: TestProject) =>
				send("DELETE", `${LEGACY}/s@example.com?service=crm`, {
					headers: { authorization: `Apikey ${p.managementKey}` },
				}),
		],
	])("is refused %s, naming what Roster serves instead", async (_where, act) => {
		const p = await newProject();
		const res = await act(p);
		expectLegacyError(res, 400, "unsupported_parameter", ["service"]);
		expect(res.body.message).toContain("serves no licensing API");
		expect(res.headers.get("deprecation")).toMatch(/^@\d+$/);
	});
});

describe("GET /api/management/user", () => {
	it("lists users page by page with total; filters by email and cid", async () => {
		const p = await newProject();
		const api = legacy(p);
		for (let i = 0; i < 3; i++) {
			expectStatus(await api.post({ email: `l${i}@example.com`, cid: `L${i}` }), 201);
			await new Promise((resolve) => setTimeout(resolve, 3));
		}
		const page1 = await api.get(`${LEGACY}?per_page=2`);
		expect(expectStatus(page1, 200)).toMatchObject({ total: 3, page: 1, per_page: 2 });
		expect(page1.body.users.map((u: any) => u.email)).toEqual(["l0@example.com", "l1@example.com"]);
		expectDeprecated(page1, `${V4}/users`);
		const page2 = expectStatus(await api.get(`${LEGACY}?per_page=2&page=2`), 200);
		expect(page2.users.map((u: any) => u.email)).toEqual(["l2@example.com"]);
		const byEmail = expectStatus(await api.get(`${LEGACY}?email=L1@EXAMPLE.com`), 200);
		expect(byEmail).toMatchObject({ total: 1, users: [{ email: "l1@example.com", cid: "L1" }] });
		const byCid = expectStatus(await api.get(`${LEGACY}?cid=L2`), 200);
		expect(byCid.users.map((u: any) => u.email)).toEqual(["l2@example.com"]);
	});

	it("users created through v4 are listed too", async () => {
		const p = await newProject();
		const user = await createV4(v4(p), { contact_details: { email: "v4@example.com" }, external_id: "X" });
		const body = expectStatus(await legacy(p).get(LEGACY), 200);
		expect(body.users).toEqual([
			{
				user_id: user.id,
				email: "v4@example.com",
				name: null,
				cid: "X",
				phone: null,
				registered: false,
				user_flags: [],
			},
		]);
	});

	it.each(["per_page=0", "per_page=501", "page=0", "page=x", "page=100&per_page=500"])(
		"%s is a 400",
		async (q) => {
			const p = await newProject();
			const res = await legacy(p).get(`${LEGACY}?${q}`);
			expect(res.status, res.text).toBe(400);
			expect(res.body.error).toBe("invalid_argument");
		},
	);
});

describe("PUT and DELETE /api/management/user/{email}", () => {
	it("PUT changes only the fields sent; v4 sees the change", async () => {
		const p = await newProject();
		const created = expectStatus(
			await legacy(p).post({ email: "put@example.com", name: "A", cid: "P1" }),
			201,
		);
		const res = await legacy(p).put("PUT@example.com", { name: "B", registered: true, phone: "" });
		const updated = expectStatus(res, 200);
		expect(updated).toEqual({ ...created, name: "B", registered: true });
		expectDeprecated(res, `${V4}/users/${created.user_id}`);
		const viaV4 = expectStatus(await v4(p).get(`${V4}/users/${created.user_id}`), 200).data;
		expect(viaV4.attributes).toMatchObject({
			name: "B",
			external_id: "P1",
			registration_information: { registration_state: "REGISTERED" },
		});
	});

	it("PUT can change the email (the login id follows); it cannot remove it", async () => {
		const p = await newProject();
		const created = expectStatus(await legacy(p).post({ email: "from@example.com" }), 201);
		expectStatus(await legacy(p).put("from@example.com", { email: "to@example.com" }), 200);
		expect((await loadUser(mgmt(p), "to@example.com"))?.userId).toBe(created.user_id);
		expectLegacyError(await legacy(p).put("to@example.com", { email: "" }), 400, "invalid_argument", [
			"email",
		]);
	});

	it("an unknown email is a 404", async () => {
		const p = await newProject();
		const res = await legacy(p).put("nobody@example.com", { name: "x" });
		expectLegacyError(res, 404, "user_not_found");
		expectDeprecated(res, `${V4}/users`);
		expectLegacyError(await legacy(p).delete("nobody@example.com"), 404, "user_not_found");
	});

	it("DELETE answers 204 and the user is gone from every dialect", async () => {
		const p = await newProject();
		const created = expectStatus(await legacy(p).post({ email: "del@example.com" }), 201);
		const res = await legacy(p).delete("del@example.com");
		expect(res.status).toBe(204);
		expect(res.text).toBe("");
		expectDeprecated(res, `${V4}/users/${created.user_id}`);
		expect((await v4(p).get(`${V4}/users/${created.user_id}`)).status).toBe(404);
		expect(await loadUser(mgmt(p), "del@example.com")).toBe(null);
	});

	it("a Descope-created user is reachable by its email", async () => {
		const p = await newProject();
		expectStatus(
			await mgmt(p).post("/v1/mgmt/user/create", { loginId: "jdoe", email: "jdoe@example.com", name: "J" }),
			200,
		);
		const updated = expectStatus(await legacy(p).put("jdoe@example.com", { cid: "J-1" }), 200);
		expect(updated).toMatchObject({ email: "jdoe@example.com", name: "J", cid: "J-1", registered: false });
	});
});
