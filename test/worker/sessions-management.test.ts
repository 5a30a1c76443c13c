// Credentials by management key (@descope/node-sdk `management.user.setTemporaryPassword`,
// `setActivePassword`, `expirePassword`, `history`, `management.jwt.update`): passwords set and
// expired by an admin, sign-in history, JWT update; passwords given on create / batch create / import
// (cleartext and imported hashes); /v1/auth/me.
import { md5 } from "@noble/hashes/legacy.js";
import bcryptjs from "bcryptjs";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import {
	call,
	createUser,
	expectStatus,
	expectWireUser,
	loadUser,
	type Mgmt,
	mgmt,
	newProject,
	rawPost,
	type TestProject,
} from "./harness";
import {
	authGet,
	configureProject,
	expectError,
	historyOf,
	OTHER_PASSWORD,
	PASSWORD,
	signedIn,
	signedUp,
	signIn,
	storedPassword,
	strictPolicy,
	verifyJwt,
} from "./support/sessions";

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const md5Hex = (password: string) => hex(md5(new TextEncoder().encode(password)));
const base64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

const HISTORY_KEYS = [
	"city",
	"country",
	"ip",
	"loginId",
	"loginTime",
	"method",
	"outcome",
	"selectedTenant",
	"userAgent",
	"userId",
];

async function setup() {
	const p = await newProject();
	return { p, api: mgmt(p) };
}

describe("POST /v1/mgmt/user/password/set/active", () => {
	it("sets a password the user signs in with; the user shows password: true", async () => {
		const { p, api } = await setup();
		const user = await createUser(api, { loginId: "act" });
		expect(user.password).toBe(false);
		const res = await api.post("/v1/mgmt/user/password/set/active", { loginId: "act", password: PASSWORD });
		expect(expectStatus(res, 200)).toEqual({});
		expect((await loadUser(api, "act")).password).toBe(true);
		const body = await signedIn(p, "act");
		expect(body.user.userId).toBe(user.userId);
	});

	it("replaces an existing password, also a temporary or expired one", async () => {
		const { p, api } = await setup();
		await signedUp(p, "swap");
		expectStatus(await api.post("/v1/mgmt/user/password/expire", { loginId: "swap" }), 200);
		expectStatus(
			await api.post("/v1/mgmt/user/password/set/active", { loginId: "swap", password: OTHER_PASSWORD }),
			200,
		);
		expectError(await signIn(p, "swap", PASSWORD), 401, "E011401");
		expectStatus(await signIn(p, "swap", OTHER_PASSWORD), 200);
		expectStatus(
			await api.post("/v1/mgmt/user/password/set/temporary", { loginId: "swap", password: PASSWORD }),
			200,
		);
		expectStatus(
			await api.post("/v1/mgmt/user/password/set/active", { loginId: "swap", password: PASSWORD }),
			200,
		);
		expectStatus(await signIn(p, "swap", PASSWORD), 200);
	});

	it("accepts a user id as loginId", async () => {
		const { p, api } = await setup();
		const user = await createUser(api, { loginId: "byid" });
		expectStatus(
			await api.post("/v1/mgmt/user/password/set/active", { loginId: user.userId, password: PASSWORD }),
			200,
		);
		expectStatus(await signIn(p, "byid"), 200);
	});

	it("enforces the project's policy naming password; nothing changes", async () => {
		const { p, api } = await setup();
		await signedUp(p, "polset", "Str0ng-Enough!");
		await configureProject(p, { passwordPolicy: strictPolicy });
		const res = await api.post("/v1/mgmt/user/password/set/active", {
			loginId: "polset",
			password: "weakpassword",
		});
		expectError(res, 400, "E011004", "password");
		expectStatus(await signIn(p, "polset", "Str0ng-Enough!"), 200);
	});

	it("refuses an unknown user, missing and mistyped fields", async () => {
		const { api } = await setup();
		const path = "/v1/mgmt/user/password/set/active";
		expectError(await api.post(path, { loginId: "ghost", password: PASSWORD }), 404, "E062108");
		expectError(await api.post(path, { password: PASSWORD }), 400, "E011002", "loginId");
		expectError(await api.post(path, { loginId: "x" }), 400, "E011002", "password");
		expectError(await api.post(path, { loginId: "x", password: "" }), 400, "E011004", "password");
		expectError(await api.post(path, { loginId: "x", password: 12345678 }), 400, "E011004", "password");
	});

	it("needs a management key: an end-user bearer is refused", async () => {
		const { p } = await setup();
		const res = await call("POST", "/v1/mgmt/user/password/set/active", {
			body: { loginId: "x", password: PASSWORD },
			headers: { authorization: `Bearer ${p.projectId}` },
		});
		expectError(res, 401, "E011401");
	});
});

describe("temporary and expired passwords", () => {
	for (const path of ["/v1/mgmt/user/password/set/temporary", "/v1/mgmt/user/password/set"]) {
		it(`${path}: sign-in fails with E062909 until the password is replaced`, async () => {
			const { p, api } = await setup();
			await createUser(api, { loginId: "tmp" });
			expect(expectStatus(await api.post(path, { loginId: "tmp", password: PASSWORD }), 200)).toEqual({});
			expect((await loadUser(api, "tmp")).password).toBe(true);
			expectError(await signIn(p, "tmp"), 400, "E062909", "replace");
			// A wrong password is still just a wrong password.
			expectError(await signIn(p, "tmp", "wrong-password"), 401, "E011401");
			const replaced = await call("POST", "/v1/auth/password/replace", {
				body: { loginId: "tmp", oldPassword: PASSWORD, newPassword: OTHER_PASSWORD },
				headers: { authorization: `Bearer ${p.projectId}` },
			});
			expectStatus(replaced, 200);
			expectStatus(await signIn(p, "tmp", OTHER_PASSWORD), 200);
		});
	}

	it("expire: sign-in fails with E062909; the history says why", async () => {
		const { p, api } = await setup();
		const { user } = await signedUp(p, "old");
		expect(expectStatus(await api.post("/v1/mgmt/user/password/expire", { loginId: "old" }), 200)).toEqual(
			{},
		);
		expectError(await signIn(p, "old"), 400, "E062909", "expired");
		expect((await historyOf(api, user.userId))[0]).toMatchObject({ outcome: "password-expired" });
		expect((await storedPassword(p, user.userId))?.expired).toBe(1);
	});

	it("expire refuses an unknown user and a missing loginId", async () => {
		const { api } = await setup();
		expectError(await api.post("/v1/mgmt/user/password/expire", { loginId: "ghost" }), 404, "E062108");
		expectError(await api.post("/v1/mgmt/user/password/expire", {}), 400, "E011002", "loginId");
	});
});

describe("POST /v1/mgmt/user/history", () => {
	it("takes a bare array and answers a bare array, newest first, with every field", async () => {
		const { p, api } = await setup();
		const headers = { "cf-connecting-ip": "203.0.113.7", "user-agent": "roster-tests/1.0" };
		const up = await call("POST", "/v1/auth/password/signup", {
			body: { loginId: "hist", password: PASSWORD },
			headers: { authorization: `Bearer ${p.projectId}`, ...headers },
		});
		const userId = expectStatus(up, 200).user.userId;
		await signIn(p, "hist", "wrong-password", {}, headers);
		await signIn(p, "hist", PASSWORD, {}, { ...headers, "cf-connecting-ip": "198.51.100.9" });

		const entries = await historyOf(api, userId);
		expect(Array.isArray(entries)).toBe(true);
		expect(entries).toHaveLength(3);
		for (const e of entries) {
			expect(Object.keys(e).sort()).toEqual(HISTORY_KEYS);
			expect(Number.isInteger(e.loginTime)).toBe(true);
			expect(Math.abs(e.loginTime - Date.now() / 1000), "loginTime is Unix seconds").toBeLessThan(60);
			expect(e).toMatchObject({
				userId,
				loginId: "hist",
				city: expect.any(String),
				country: expect.any(String),
				selectedTenant: "",
				userAgent: "roster-tests/1.0",
			});
		}
		expect(entries.map((e) => [e.method, e.outcome, e.ip])).toEqual([
			["password", "success", "198.51.100.9"],
			["password", "wrong-password", "203.0.113.7"],
			["password-signup", "success", "203.0.113.7"],
		]);
	});

	it("answers the entries of several users, and [] for unknown ids or an empty list", async () => {
		const { p, api } = await setup();
		const a = (await signedUp(p, "ha")).user.userId;
		const b = (await signedUp(p, "hb")).user.userId;
		const both = expectStatus(await api.post("/v1/mgmt/user/history", [a, b, "Unobody"]), 200);
		expect(both.map((e: any) => e.userId).sort()).toEqual([a, b].sort());
		expect(expectStatus(await api.post("/v1/mgmt/user/history", ["Unobody"]), 200)).toEqual([]);
		expect(expectStatus(await api.post("/v1/mgmt/user/history", []), 200)).toEqual([]);
	});

	it("does not show another project's users", async () => {
		const { p } = await setup();
		const userId = (await signedUp(p, "mine")).user.userId;
		const other = mgmt(await newProject());
		expect(expectStatus(await other.post("/v1/mgmt/user/history", [userId]), 200)).toEqual([]);
	});

	it("refuses a wrapped body, non-string ids, more than 1,000 ids and malformed JSON", async () => {
		const { p, api } = await setup();
		expectError(await api.post("/v1/mgmt/user/history", { userIds: ["U1"] }), 400, "E011004");
		expectError(await api.post("/v1/mgmt/user/history", [1, 2]), 400, "E011004");
		const many = Array.from({ length: 1001 }, (_, i) => `U${i}`);
		expectError(await api.post("/v1/mgmt/user/history", many), 400, "E011004");
		expectError(await rawPost(p, "/v1/mgmt/user/history", '["U1",'), 400, "E011001");
	});
});

describe("GET /v1/auth/me and /v1/auth/me/history", () => {
	it("me answers the signed-in user at the body's root", async () => {
		const { p } = await setup();
		const up = await signedUp(p, "me@example.com");
		const res = await authGet(p, "/v1/auth/me", up.refreshJwt);
		expectWireUser(expectStatus(res, 200), {
			loginIds: ["me@example.com"],
			userId: up.user.userId,
			status: "enabled",
			password: true,
		});
	});

	it("me reflects changes made after sign-in", async () => {
		const { p, api } = await setup();
		const up = await signedUp(p, "changing");
		expectStatus(
			await api.post("/v1/mgmt/user/update/name", { loginId: "changing", displayName: "New Name" }),
			200,
		);
		expect(expectStatus(await authGet(p, "/v1/auth/me", up.refreshJwt), 200).name).toBe("New Name");
	});

	it("me/history answers the user's own entries, newest first", async () => {
		const { p } = await setup();
		const up = await signedUp(p, "mh");
		await signIn(p, "mh", "wrong-password");
		const latest = await signedIn(p, "mh");
		await signedUp(p, "someone-else");
		const entries = expectStatus(await authGet(p, "/v1/auth/me/history", latest.refreshJwt), 200);
		expect(entries.map((e: any) => e.outcome)).toEqual(["success", "wrong-password", "success"]);
		expect(entries.every((e: any) => e.userId === up.user.userId)).toBe(true);
		expect(Object.keys(entries[0]).sort()).toEqual(HISTORY_KEYS);
	});

	it("need a refresh token: 401 without one or with garbage", async () => {
		const { p } = await setup();
		expectError(await authGet(p, "/v1/auth/me"), 401, "E011401");
		expectError(await authGet(p, "/v1/auth/me", "garbage"), 401, "E011401");
		expectError(await authGet(p, "/v1/auth/me/history"), 401, "E011401");
		expectError(await call("GET", "/v1/auth/me"), 401, "E011401");
	});
});

describe("POST /v1/mgmt/jwt/update", () => {
	it("adds custom claims, keeps every other claim and exp, and verifies with the JWKS", async () => {
		const { p, api } = await setup();
		const up = await signedUp(p, "jwt");
		const before = decodeJwt(up.sessionJwt);
		const res = await api.post("/v1/mgmt/jwt/update", {
			jwt: up.sessionJwt,
			customClaims: { plan: "gold", limits: { seats: 5 } },
		});
		const { jwt } = expectStatus(res, 200);
		expect(Object.keys(res.body)).toEqual(["jwt"]);
		const { payload } = await verifyJwt(p, jwt);
		expect(payload).toEqual({ ...before, plan: "gold", limits: { seats: 5 } });
		expect(payload.exp).toBe(before.exp);
	});

	it("can be applied again on an updated JWT", async () => {
		const { p, api } = await setup();
		const up = await signedUp(p, "jwt2");
		const once = expectStatus(
			await api.post("/v1/mgmt/jwt/update", { jwt: up.sessionJwt, customClaims: { a: 1 } }),
			200,
		);
		const twice = expectStatus(
			await api.post("/v1/mgmt/jwt/update", { jwt: once.jwt, customClaims: { b: 2 } }),
			200,
		);
		expect((await verifyJwt(p, twice.jwt)).payload).toMatchObject({ a: 1, b: 2, sub: up.user.userId });
	});

	it("refuses a reserved claim naming it", async () => {
		const { p, api } = await setup();
		const up = await signedUp(p, "jwt3");
		for (const claim of ["sub", "exp", "roles", "tenants", "drn", "iss", "nsec"]) {
			const res = await api.post("/v1/mgmt/jwt/update", {
				jwt: up.sessionJwt,
				customClaims: { [claim]: "x" },
			});
			expectError(res, 400, "E011004", claim);
		}
	});

	it("refuses garbage, a refresh JWT and another project's JWT with 400 naming jwt", async () => {
		const { p, api } = await setup();
		const up = await signedUp(p, "jwt4");
		const other = await newProject();
		const theirs = await signedUp(other, "jwt4");
		for (const jwt of ["garbage", "a.b.c", up.refreshJwt, theirs.sessionJwt, `${up.sessionJwt}x`]) {
			const res = await api.post("/v1/mgmt/jwt/update", { jwt, customClaims: { a: 1 } });
			expectError(res, 400, "E011004", "jwt");
		}
	});

	it("refuses a missing or mistyped jwt and mistyped customClaims", async () => {
		const { p, api } = await setup();
		const up = await signedUp(p, "jwt5");
		expectError(await api.post("/v1/mgmt/jwt/update", { customClaims: {} }), 400, "E011002", "jwt");
		expectError(await api.post("/v1/mgmt/jwt/update", { jwt: 5 }), 400, "E011004", "jwt");
		expectError(
			await api.post("/v1/mgmt/jwt/update", { jwt: up.sessionJwt, customClaims: "x" }),
			400,
			"E011004",
			"customClaims",
		);
	});
});

describe("passwords on create", () => {
	it("create with password: the user signs in; a weak one is refused naming password", async () => {
		const { p, api } = await setup();
		const user = await createUser(api, { loginId: "cp", password: PASSWORD });
		expect(user.password).toBe(true);
		expect((await storedPassword(p, user.userId))?.algorithm).toBe("pbkdf2-sha256");
		const body = await signedIn(p, "cp");
		expect(body.user.userId).toBe(user.userId);

		expectError(
			await api.post("/v1/mgmt/user/create", { loginId: "weak", password: "short" }),
			400,
			"E011004",
			"password",
		);
		expect(await loadUser(api, "weak")).toBeNull();
	});

	it("refuses password and hashedPassword together, and a malformed hash naming its field", async () => {
		const { api } = await setup();
		const both = await api.post("/v1/mgmt/user/create", {
			loginId: "both",
			password: PASSWORD,
			hashedPassword: { md5: { hash: md5Hex(PASSWORD) } },
		});
		expectError(both, 400, "E011004", "password");
		const bad = await api.post("/v1/mgmt/user/create", {
			loginId: "bad",
			hashedPassword: { md5: { hash: "abc" } },
		});
		expectError(bad, 400, "E011004", "hashedPassword.md5.hash");
		expect(await loadUser(api, "both")).toBeNull();
		expect(await loadUser(api, "bad")).toBeNull();
	});

	it("create with an md5 hashedPassword: sign-in works and replaces the hash with Roster's own", async () => {
		const { p, api } = await setup();
		const user = await createUser(api, {
			loginId: "md5",
			hashedPassword: { md5: { hash: md5Hex(PASSWORD) } },
		});
		expect(user.password).toBe(true);
		expect((await storedPassword(p, user.userId))?.algorithm).toBe("md5");
		expectError(await signIn(p, "md5", "wrong-password"), 401, "E011401");
		expect((await storedPassword(p, user.userId))?.algorithm).toBe("md5");
		await signedIn(p, "md5");
		const stored = await storedPassword(p, user.userId);
		expect(stored?.algorithm).toBe("pbkdf2-sha256");
		expect(stored?.hash).toMatch(/^pbkdf2-sha256\$100000\$/);
		await signedIn(p, "md5");
		expectError(await signIn(p, "md5", "wrong-password"), 401, "E011401");
	});

	it("batch create: password, md5 and bcrypt hashes; a weak password fails only its user", async () => {
		const { p, api } = await setup();
		const res = await api.post("/v1/mgmt/user/create/batch", {
			users: [
				{ loginId: "b-plain", password: PASSWORD },
				{ loginId: "b-weak", password: "short" },
				{ loginId: "b-md5", hashedPassword: { md5: { hash: md5Hex("md5-secret-1") } } },
				{
					loginId: "b-bcrypt",
					hashedPassword: { bcrypt: { hash: bcryptjs.hashSync("bcrypt-secret-1", 4) } },
				},
				{ loginId: "b-badhash", hashedPassword: { bcrypt: { hash: "$2b$04$short" } } },
			],
		});
		const body = expectStatus(res, 200);
		expect(body.createdUsers.map((u: any) => u.loginIds[0]).sort()).toEqual(["b-bcrypt", "b-md5", "b-plain"]);
		expect(body.createdUsers.every((u: any) => u.password === true)).toBe(true);
		expect(body.failedUsers).toHaveLength(2);
		const failures = Object.fromEntries(body.failedUsers.map((f: any) => [f.user.loginIds[0], f.failure]));
		expect(failures["b-weak"]).toContain("password");
		expect(failures["b-badhash"]).toContain("hashedPassword.bcrypt.hash");
		expect(await loadUser(api, "b-weak")).toBeNull();

		for (const [loginId, password] of [
			["b-plain", PASSWORD],
			["b-md5", "md5-secret-1"],
			["b-bcrypt", "bcrypt-secret-1"],
		] as const) {
			const signed = await signedIn(p, loginId, password);
			expect((await storedPassword(p, signed.user.userId))?.algorithm, loginId).toBe("pbkdf2-sha256");
			await signedIn(p, loginId, password);
		}
	});

	it("batch create enforces a policy the operator set", async () => {
		const { p, api } = await setup();
		await configureProject(p, { passwordPolicy: strictPolicy });
		const res = await api.post("/v1/mgmt/user/create/batch", {
			users: [
				{ loginId: "ok", password: "Str0ng-Enough!" },
				{ loginId: "no-upper", password: "str0ng-enough!" },
			],
		});
		const body = expectStatus(res, 200);
		expect(body.createdUsers.map((u: any) => u.loginIds[0])).toEqual(["ok"]);
		expect(body.failedUsers.map((f: any) => f.user.loginIds[0])).toEqual(["no-upper"]);
		expect(body.failedUsers[0].failure).toContain("uppercase");
	});
});

describe("POST /v1/mgmt/user/import", () => {
	const importedUsers = () => [
		{ loginId: "i-plain", email: "plain@example.com", password: PASSWORD },
		{ loginId: "i-md5", hashedPassword: { md5: { hash: md5Hex("imported-1") } } },
		{ loginId: "i-bcrypt", hashedPassword: { bcrypt: { hash: bcryptjs.hashSync("imported-2", 4) } } },
		{ loginId: "i-weak", password: "short" },
	];

	async function expectImported(p: TestProject, api: Mgmt, body: any) {
		expect(body.users.map((u: any) => u.loginIds[0]).sort()).toEqual(["i-bcrypt", "i-md5", "i-plain"]);
		expect(body.failures).toEqual([{ user: "i-weak", reason: expect.stringContaining("password") }]);
		expect(await loadUser(api, "i-weak")).toBeNull();
		await signedIn(p, "i-plain", PASSWORD);
		const md5User = await signedIn(p, "i-md5", "imported-1");
		const bcryptUser = await signedIn(p, "i-bcrypt", "imported-2");
		expect((await storedPassword(p, md5User.user.userId))?.algorithm).toBe("pbkdf2-sha256");
		expect((await storedPassword(p, bcryptUser.user.userId))?.algorithm).toBe("pbkdf2-sha256");
	}

	it("imports a JSON array string", async () => {
		const { p, api } = await setup();
		const res = await api.post("/v1/mgmt/user/import", {
			source: "test",
			users: JSON.stringify(importedUsers()),
		});
		await expectImported(p, api, expectStatus(res, 200));
	});

	it("imports base64", async () => {
		const { p, api } = await setup();
		const res = await api.post("/v1/mgmt/user/import", {
			source: "test",
			users: base64(JSON.stringify(importedUsers())),
		});
		await expectImported(p, api, expectStatus(res, 200));
	});

	it("dryrun validates and writes nothing", async () => {
		const { p, api } = await setup();
		const res = await api.post("/v1/mgmt/user/import", {
			source: "test",
			users: JSON.stringify(importedUsers()),
			dryrun: true,
		});
		const body = expectStatus(res, 200);
		expect(body.users.map((u: any) => u.loginIds[0]).sort()).toEqual(["i-bcrypt", "i-md5", "i-plain"]);
		expect(body.failures.map((f: any) => f.user)).toEqual(["i-weak"]);
		for (const loginId of ["i-plain", "i-md5", "i-bcrypt", "i-weak"]) {
			expect(await loadUser(api, loginId), loginId).toBeNull();
		}
		expectError(await signIn(p, "i-plain"), 401, "E011401");
		const count = await api.post("/v2/mgmt/user/search", {});
		expect(expectStatus(count, 200).total).toBe(0);
	});

	it("reports login ids that already exist as failures", async () => {
		const { p, api } = await setup();
		await signedUp(p, "i-plain");
		const res = await api.post("/v1/mgmt/user/import", {
			users: JSON.stringify([
				{ loginId: "i-plain", password: OTHER_PASSWORD },
				{ loginId: "i-new", password: PASSWORD },
			]),
		});
		const body = expectStatus(res, 200);
		expect(body.users.map((u: any) => u.loginIds[0])).toEqual(["i-new"]);
		expect(body.failures.map((f: any) => f.user)).toEqual(["i-plain"]);
		// The existing user keeps its password.
		expectStatus(await signIn(p, "i-plain", PASSWORD), 200);
	});

	it("refuses missing, malformed and mistyped users naming the field", async () => {
		const { api } = await setup();
		expectError(await api.post("/v1/mgmt/user/import", { source: "x" }), 400, "E011002", "users");
		expectError(await api.post("/v1/mgmt/user/import", { users: "[not json" }), 400, "E011004", "users");
		expectError(
			await api.post("/v1/mgmt/user/import", { users: "!!!not base64!!!" }),
			400,
			"E011004",
			"users",
		);
		expectError(
			await api.post("/v1/mgmt/user/import", { users: base64('{"loginId":"x"}') }),
			400,
			"E011004",
			"users",
		);
		expectError(await api.post("/v1/mgmt/user/import", { users: 7 }), 400, "E011004", "users");
		const typed = await api.post("/v1/mgmt/user/import", {
			users: JSON.stringify([{ loginId: "x", password: 5 }]),
		});
		expectError(typed, 400, "E011004", "users.0.password");
		expectError(
			await api.post("/v1/mgmt/user/import", { users: "[]", dryrun: "yes" }),
			400,
			"E011004",
			"dryrun",
		);
	});
});
