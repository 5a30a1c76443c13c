// D1 read replication through the Sessions API (docs/performance.md, "Read replication"): every
// answer carries the request session's `x-d1-bookmark`, and a request sent with one reads at least
// that state. Local D1 has no replicas, so these tests prove the plumbing (the bookmark round-trips,
// the session is anchored at it and only moves forward), not behaviour under replica lag.
import { describe, expect, it } from "vitest";
import { BOOKMARK_HEADER, sessionConstraint } from "../../src/api/context-middleware";
import { call, createUser, expectStatus, mgmt, newProject, OPERATOR_KEY } from "./harness";
import { authPost, signedUp } from "./support/sessions";
import { createV4, V4, v4 } from "./v4-harness";

// The shape D1 hands out, and local D1 too: three hex counters and a hash.
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

function bookmarkOf(res: { status: number; body: unknown; headers: Headers }): string {
	const bookmark = res.headers.get(BOOKMARK_HEADER);
	expect(bookmark, `${res.status} ${JSON.stringify(res.body)}`).toMatch(BOOKMARK);
	return bookmark as string;
}

describe("x-d1-bookmark on writes and reads", () => {
	it("answers a Descope write with a bookmark", async () => {
		const api = mgmt(await newProject());
		const res = await api.post("/v1/mgmt/user/create", { loginId: "writer" });
		expectStatus(res, 200);
		bookmarkOf(res);
	});

	it("reads its own write when the read carries the write's bookmark", async () => {
		const p = await newProject();
		const write = await mgmt(p).post("/v1/mgmt/user/create", { loginId: "ryw", name: "Ada" });
		const written = expectStatus(write, 200).user;
		const bookmark = bookmarkOf(write);
		const read = await mgmt(p, { [BOOKMARK_HEADER]: bookmark }).get("/v1/mgmt/user?loginId=ryw");
		expect(expectStatus(read, 200).user).toMatchObject({ userId: written.userId, name: "Ada" });
		// The session was anchored at the bookmark sent: the one it answers is not older.
		expect(bookmarkOf(read) >= bookmark, `${bookmarkOf(read)} < ${bookmark}`).toBe(true);
	});

	it("answers a later write with a later bookmark", async () => {
		const api = mgmt(await newProject());
		const first = bookmarkOf(await api.post("/v1/mgmt/user/create", { loginId: "one" }));
		const second = bookmarkOf(await api.post("/v1/mgmt/user/create", { loginId: "two" }));
		expect(second > first, `${second} <= ${first}`).toBe(true);
	});

	it("reads an update with the update's bookmark", async () => {
		const p = await newProject();
		const api = mgmt(p);
		await createUser(api, { loginId: "upd", name: "Before" });
		const update = await api.post("/v1/mgmt/user/update/name", { loginId: "upd", displayName: "After" });
		expectStatus(update, 200);
		const read = await mgmt(p, { [BOOKMARK_HEADER]: bookmarkOf(update) }).get("/v1/mgmt/user?loginId=upd");
		expect(expectStatus(read, 200).user.name).toBe("After");
	});
});

describe("a malformed x-d1-bookmark", () => {
	it.each([
		["not a bookmark", "not-a-bookmark"],
		["huge", `${"0".repeat(8)}-${"f".repeat(8000)}`],
		["a constraint name", "first-primary"],
		[
			"two bookmarks",
			"00000001-00000002-00000003-0123456789abcdef0123456789abcdef, 00000001-00000002-00000003-0123456789abcdef0123456789abcdef",
		],
		["control characters", "00000001-00000002-00000003-0123456789abcdef0123456789abcde\u0001"],
	])("is ignored when it is %s: the read answers 200 with a fresh bookmark", async (_label, header) => {
		const p = await newProject();
		await createUser(mgmt(p), { loginId: "m" });
		const read = await mgmt(p, { [BOOKMARK_HEADER]: header }).get("/v1/mgmt/user?loginId=m");
		expect(expectStatus(read, 200).user.loginIds).toEqual(["m"]);
		bookmarkOf(read);
	});

	it("anchors only a well-formed bookmark, with surrounding blanks trimmed", () => {
		const good = "0000000a-0000000b-0000000c-0123456789abcdef0123456789abcdef";
		expect(sessionConstraint(good)).toBe(good);
		expect(sessionConstraint(` ${good} `)).toBe(good);
		expect(sessionConstraint(undefined)).toBe("first-unconstrained");
		expect(sessionConstraint("")).toBe("first-unconstrained");
		expect(sessionConstraint("first-primary")).toBe("first-unconstrained");
		expect(sessionConstraint(`${good}0`)).toBe("first-unconstrained");
	});
});

describe("x-d1-bookmark in every dialect", () => {
	it("is on a v4 write and the v4 read after it", async () => {
		const p = await newProject();
		const write = await v4(p).post(`${V4}/users`, {
			data: { type: "users", attributes: { external_id: "v4-ryw" } },
		});
		const created = expectStatus(write, 201).data;
		const read = await v4(p, { [BOOKMARK_HEADER]: bookmarkOf(write) }).get(`${V4}/users/${created.id}`);
		expect(expectStatus(read, 200).data).toMatchObject({ id: created.id, type: "users" });
		bookmarkOf(read);
	});

	it("is on a v4 read of a user another request created", async () => {
		const p = await newProject();
		const created = await createV4(v4(p), { external_id: "v4-read" });
		const read = await v4(p).get(`${V4}/users/${created.id}`);
		expectStatus(read, 200);
		bookmarkOf(read);
	});

	it("is on an operator answer", async () => {
		const res = await call("POST", "/v1/operator/projects", {
			body: { name: "bookmarked" },
			headers: { authorization: `Bearer ${OPERATOR_KEY}` },
		});
		expectStatus(res, 201);
		bookmarkOf(res);
	});

	it("is on a partner answer", async () => {
		const p = await newProject();
		const res = await call("GET", "/api/partner/v1/webhooks", {
			headers: { authorization: `Bearer ${p.managementKey}` },
		});
		expectStatus(res, 200);
		bookmarkOf(res);
	});

	it("is on end-user auth answers, and a sign-in with the sign-up's bookmark finds the user", async () => {
		const p = await newProject();
		const up = await authPost(p, "/v1/auth/password/signup", {
			loginId: "enduser",
			password: "Correct-horse-9",
			loginOptions: {},
		});
		expectStatus(up, 200);
		const bookmark = bookmarkOf(up);
		const signIn = await authPost(
			p,
			"/v1/auth/password/signin",
			{ loginId: "enduser", password: "Correct-horse-9", loginOptions: {} },
			undefined,
			{ [BOOKMARK_HEADER]: bookmark },
		);
		expect(expectStatus(signIn, 200).user.loginIds).toEqual(["enduser"]);
		bookmarkOf(signIn);
	});

	it("is on an end-user refusal too", async () => {
		const p = await newProject();
		await signedUp(p, "refused");
		const res = await authPost(p, "/v1/auth/password/signin", {
			loginId: "refused",
			password: "Wrong-password-1",
			loginOptions: {},
		});
		expect(res.status, JSON.stringify(res.body)).toBe(401);
		bookmarkOf(res);
	});
});
