// Concurrent writes through the Descope surface: patches compose, creates never duplicate.
import { describe, expect, it } from "vitest";
import {
	createUser,
	defineAttributes,
	expectDescopeError,
	expectStatus,
	loadUser,
	type Mgmt,
	mgmt,
	newProject,
	search,
} from "./harness";

const ATTRIBUTES = 45;
const attr = (i: number) => `attr${String(i).padStart(2, "0")}`;

/** Declares attr00..attr{count-1} of one type, in one request. */
const defineMany = (api: Mgmt, count: number, type: number) =>
	defineAttributes(api, Object.fromEntries(Array.from({ length: count }, (_, i) => [attr(i), type])));

describe("concurrent PATCH /v1/mgmt/user/patch on one user", () => {
	it("keeps every one of 50 concurrent patches, each setting a different field", async () => {
		const api = mgmt(await newProject());
		await defineMany(api, ATTRIBUTES, 1);
		const user = await createUser(api, { loginId: "target", email: "t@x.com" });

		const patches: Record<string, unknown>[] = [
			...Array.from({ length: ATTRIBUTES }, (_, i) => ({ customAttributes: { [attr(i)]: `value-${i}` } })),
			{ displayName: "Display" },
			{ givenName: "Given" },
			{ middleName: "Middle" },
			{ familyName: "Family" },
			{ picture: "https://img.example/p.png" },
		];
		expect(patches).toHaveLength(50);
		const results = await Promise.all(
			patches.map((patch) => api.patch("/v1/mgmt/user/patch", { loginId: "target", ...patch })),
		);
		for (const res of results) expectStatus(res, 200);

		const expectedAttributes = Object.fromEntries(
			Array.from({ length: ATTRIBUTES }, (_, i) => [attr(i), `value-${i}`]),
		);
		expect(await loadUser(api, "target")).toEqual({
			...user,
			name: "Display",
			givenName: "Given",
			middleName: "Middle",
			familyName: "Family",
			picture: "https://img.example/p.png",
			customAttributes: expectedAttributes,
		});
		// The search index saw every value too.
		for (let i = 0; i < ATTRIBUTES; i += 11) {
			const found = await search(api, { customAttributes: { [attr(i)]: `value-${i}` } });
			expect(found.loginIds, attr(i)).toEqual(["target"]);
		}
		expect((await search(api, { text: "Middle" })).loginIds).toEqual(["target"]);
	});

	it("keeps every one of 30 concurrent single-attribute updates", async () => {
		const api = mgmt(await newProject());
		const count = 30;
		await defineMany(api, count, 2);
		const user = await createUser(api, { loginId: "target" });
		const results = await Promise.all(
			Array.from({ length: count }, (_, i) =>
				api.post("/v1/mgmt/user/update/customAttribute", {
					loginId: user.userId,
					attributeKey: attr(i),
					attributeValue: i,
				}),
			),
		);
		for (const res of results) expectStatus(res, 200);
		const loaded = await loadUser(api, "target");
		expect(loaded.customAttributes).toEqual(
			Object.fromEntries(Array.from({ length: count }, (_, i) => [attr(i), i])),
		);
		expect((await search(api, { customAttributes: { [attr(count - 1)]: count - 1 } })).total).toBe(1);
	});
});

describe("concurrent creates", () => {
	it("lets exactly one of 20 concurrent creates with the same login id succeed", async () => {
		const api = mgmt(await newProject());
		const results = await Promise.all(
			Array.from({ length: 20 }, (_, i) =>
				api.post("/v1/mgmt/user/create", {
					loginId: i % 2 ? "Same@x.com" : "same@X.com",
					displayName: `n${i}`,
				}),
			),
		);
		const winners = results.filter((r) => r.status === 200);
		expect(winners, JSON.stringify(results.map((r) => r.status))).toHaveLength(1);
		for (const res of results.filter((r) => r.status !== 200)) expectDescopeError(res, 409, "E062107");
		const { users, total } = await search(api, {});
		expect(total).toBe(1);
		expect(users[0]).toEqual(winners[0]!.body.user);
		expect(await loadUser(api, "same@x.com")).toEqual(winners[0]!.body.user);
	});

	it("creates each login id once when overlapping batches run concurrently", async () => {
		const api = mgmt(await newProject());
		const batch = (from: number) =>
			api.post("/v1/mgmt/user/create/batch", {
				users: Array.from({ length: 60 }, (_, i) => ({ loginId: `u${from + i}` })),
			});
		const results = await Promise.all([batch(0), batch(30), batch(45)]);
		const bodies = results.map((r) => expectStatus(r, 200));
		const created = bodies.flatMap((b) => b.createdUsers.map((u: any) => u.loginIds[0] as string));
		const failed = bodies.flatMap((b) => b.failedUsers.map((f: any) => f.user.loginIds[0] as string));
		expect(new Set(created).size, "no login id created twice").toBe(created.length);
		expect(created.length + failed.length).toBe(180);
		expect(created.length).toBe(105);
		for (const f of bodies.flatMap((b) => b.failedUsers)) expect(f.failure).toMatch(/already exists/);
		const all = await search(api, { limit: 1000 });
		expect(all.total).toBe(105);
		expect(all.loginIds).toEqual([...created].sort());
	});

	it("never removes a user's last login id under concurrent removals", async () => {
		const api = mgmt(await newProject());
		const user = await createUser(api, { loginId: "a", additionalLoginIds: ["b", "c"] });
		const results = await Promise.all(
			["a", "b", "c"].map((loginId) => api.post("/v1/mgmt/user/update/loginid", { loginId, newLoginId: "" })),
		);
		for (const res of results) expect([200, 400], JSON.stringify(res.body)).toContain(res.status);
		const loaded = await loadUser(api, user.userId);
		expect(loaded.loginIds).toHaveLength(1);
	});

	it("answers 200 to a removal only when that login id is gone", async () => {
		const api = mgmt(await newProject());
		const users = await Promise.all(
			Array.from({ length: 5 }, (_, i) =>
				createUser(api, { loginId: `a${i}`, additionalLoginIds: [`b${i}`, `c${i}`] }),
			),
		);
		const attempts = users.flatMap((_, i) => [`a${i}`, `b${i}`, `c${i}`]);
		const results = await Promise.all(
			attempts.map((loginId) => api.post("/v1/mgmt/user/update/loginid", { loginId, newLoginId: "" })),
		);
		const wrong = results.flatMap((res, i) =>
			res.status === 200 && res.body.user.loginIds.includes(attempts[i]) ? [attempts[i]] : [],
		);
		expect(wrong, "200 answers that kept the login id").toEqual([]);
		for (let i = 0; i < users.length; i++) {
			const oks = results.slice(i * 3, i * 3 + 3).filter((r) => r.status === 200);
			expect(oks.length, `user ${i}`).toBe(2);
		}
	});
});
