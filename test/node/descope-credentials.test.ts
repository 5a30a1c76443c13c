// The official @descope/node-sdk against Roster: passwords set by the management API, sign-in
// history, JWT update, passwords in batch create and import, passkeys
// (`management.user.setTemporaryPassword` and the other password functions, `history`,
// `management.jwt.update`; docs/sessions.md).
import { createHash } from "node:crypto";
import bcryptjs from "bcryptjs";
import { expect, it } from "vitest";
import {
	authSdkFor,
	expectError,
	expectJwtResponse,
	expectOk,
	nowSeconds,
	PASSWORD,
	type Sdk,
	sdkFor,
	setupProject,
	signUp,
	unique,
	userWithSession,
} from "./harness.js";

const NEW_PASSWORD = "Brand-New-Passw0rd!";
const md5Hex = (password: string) => createHash("md5").update(password).digest("hex");

/** Sign-in works with this password (and answers a JWTResponse). */
async function expectSignIn(sdk: Sdk, loginId: string, password: string) {
	const data = expectOk(await sdk.password.signIn(loginId, password));
	expectJwtResponse(data);
	return data;
}

it("setActivePassword sets a password the user signs in with; the user shows password: true", async () => {
	const { sdk } = await setupProject();
	const loginId = unique("active");
	const created = expectOk(await sdk.management.user.create(loginId));
	expect(created.password).toBe(false);
	const res = await sdk.management.user.setActivePassword(loginId, PASSWORD);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expect(expectOk(await sdk.management.user.load(loginId)).password).toBe(true);
	await expectSignIn(sdk, loginId, PASSWORD);
	// By user id too; the old password stops working.
	expectOk(await sdk.management.user.setActivePassword(created.userId, NEW_PASSWORD));
	expectError(await sdk.password.signIn(loginId, PASSWORD));
	await expectSignIn(sdk, loginId, NEW_PASSWORD);
});

it("setActivePassword ends the user's sessions, enforces the policy and needs a known user", async () => {
	const { project, sdk } = await setupProject();
	const session = await userWithSession(sdk);
	expectOk(await sdk.management.user.setActivePassword(session.loginId, NEW_PASSWORD));
	await expect(authSdkFor(project).refreshSession(session.refreshJwt)).rejects.toThrow();
	expectError(await sdk.management.user.setActivePassword(session.loginId, "short"), "E011004");
	await expectSignIn(sdk, session.loginId, NEW_PASSWORD);
	expectError(await sdk.management.user.setActivePassword("nobody", PASSWORD), "E062108");
});

for (const fn of ["setTemporaryPassword", "setPassword"] as const) {
	it(`${fn}: sign-in fails with E062909 until the user replaces the password`, async () => {
		const { sdk } = await setupProject();
		const loginId = unique("temp");
		expectOk(await sdk.management.user.create(loginId));
		const res = await sdk.management.user[fn](loginId, PASSWORD);
		expect(res.ok, JSON.stringify(res)).toBe(true);
		expectError(await sdk.password.signIn(loginId, PASSWORD), "E062909");
		// A wrong password is still just wrong.
		const wrong = expectError(await sdk.password.signIn(loginId, "Wrong-passw0rd!"));
		expect(wrong.errorCode).not.toBe("E062909");

		expectJwtResponse(expectOk(await sdk.password.replace(loginId, PASSWORD, NEW_PASSWORD)));
		await expectSignIn(sdk, loginId, NEW_PASSWORD);
		expectError(await sdk.management.user[fn]("nobody", PASSWORD), "E062108");
	});
}

it("expirePassword: sign-in fails with E062909, sessions end, replace sets a new one", async () => {
	const { project, sdk } = await setupProject();
	const session = await userWithSession(sdk);
	const res = await sdk.management.user.expirePassword(session.loginId);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expectError(await sdk.password.signIn(session.loginId, PASSWORD), "E062909");
	await expect(authSdkFor(project).refreshSession(session.refreshJwt)).rejects.toThrow();

	expectJwtResponse(expectOk(await sdk.password.replace(session.loginId, PASSWORD, NEW_PASSWORD)));
	await expectSignIn(sdk, session.loginId, NEW_PASSWORD);
	expectError(await sdk.management.user.expirePassword("nobody"), "E062108");
});

it("history sends and answers bare arrays: the users' sign-ins, newest first", async () => {
	const { project } = await setupProject();
	const sent: unknown[] = [];
	const sdk = sdkFor(project, {
		fetch: async (input, init) => {
			if (String(input instanceof Request ? input.url : input).endsWith("/v1/mgmt/user/history"))
				sent.push(JSON.parse(String(init?.body)));
			return fetch(input, init);
		},
	});
	const alice = await signUp(sdk);
	await expectSignIn(sdk, alice.loginId, PASSWORD);
	expectError(await sdk.password.signIn(alice.loginId, "Wrong-passw0rd!"));
	const bob = await signUp(sdk);
	const carol = await signUp(sdk);

	const records = expectOk(await sdk.management.user.history([alice.user!.userId, bob.user!.userId]));
	expect(sent).toEqual([[alice.user!.userId, bob.user!.userId]]);
	expect(Array.isArray(records), JSON.stringify(records)).toBe(true);
	for (const record of records) {
		expect(record).toMatchObject({
			userId: expect.any(String),
			loginTime: expect.any(Number),
			city: expect.any(String),
			country: expect.any(String),
			ip: expect.any(String),
		});
		expect(Number.isInteger(record.loginTime)).toBe(true);
		expect(Math.abs(record.loginTime - nowSeconds())).toBeLessThan(300);
	}
	expect(records.filter((r) => r.userId === alice.user!.userId).length).toBeGreaterThanOrEqual(2);
	expect(records.filter((r) => r.userId === bob.user!.userId).length).toBeGreaterThanOrEqual(1);
	expect(records.some((r) => r.userId === carol.user!.userId)).toBe(false);
	const times = records.map((r) => r.loginTime);
	expect(times).toEqual([...times].sort((x, y) => y - x));

	expect(expectOk(await sdk.management.user.history([]))).toEqual([]);
	expect(expectOk(await sdk.management.user.history(["U000000000000000000000000000"]))).toEqual([]);
});

it("jwt.update adds custom claims to a session JWT; validateJwt shows them with sub and exp kept", async () => {
	const { project, sdk } = await setupProject();
	const session = await signUp(sdk);
	const res = expectOk(await sdk.management.jwt.update(session.sessionJwt, { plan: "gold", seats: 5 }));
	expect(res).toEqual({ jwt: expect.any(String) });

	const auth = authSdkFor(project);
	const original = await auth.validateJwt(session.sessionJwt);
	const updated = await auth.validateJwt(res.jwt);
	expect(updated.token).toMatchObject({ plan: "gold", seats: 5, sub: session.user!.userId, drn: "DS" });
	expect(updated.token.exp).toBe(original.token.exp);
	await expect(auth.validateSession(res.jwt)).resolves.toMatchObject({ jwt: res.jwt });

	// Again on the updated JWT: the claims add up.
	const again = expectOk(await sdk.management.jwt.update(res.jwt, { region: "eu" }));
	expect((await auth.validateJwt(again.jwt)).token).toMatchObject({ plan: "gold", region: "eu" });
});

it("jwt.update refuses reserved claims, garbage, a refresh JWT and another project's JWT", async () => {
	const a = await setupProject();
	const b = await setupProject();
	const session = await signUp(a.sdk);
	const foreign = await signUp(b.sdk);
	for (const claim of ["sub", "roles", "tenants", "exp"]) {
		expectError(await a.sdk.management.jwt.update(session.sessionJwt, { [claim]: "x" }), "E011004");
	}
	expectError(await a.sdk.management.jwt.update("not-a-jwt", { plan: "gold" }), "E011004");
	expectError(await a.sdk.management.jwt.update(session.refreshJwt, { plan: "gold" }), "E011004");
	expectError(await a.sdk.management.jwt.update(foreign.sessionJwt, { plan: "gold" }), "E011004");
});

it("createBatch with password and hashedPassword (bcrypt, md5): each user signs in", async () => {
	const { sdk } = await setupProject();
	const plain = unique("plain");
	const bcrypt = unique("bcrypt");
	const md5 = unique("md5");
	const weak = unique("weak");
	const res = expectOk(
		await sdk.management.user.createBatch([
			{ loginIdOrUserId: plain, password: PASSWORD },
			{
				loginIdOrUserId: bcrypt,
				hashedPassword: { bcrypt: { hash: bcryptjs.hashSync("bcrypt-Secret-1", 4) } },
			},
			{ loginIdOrUserId: md5, hashedPassword: { md5: { hash: md5Hex("md5-Secret-1") } } },
			{ loginIdOrUserId: weak, password: "short" },
		]),
	);
	expect(res.createdUsers.map((u) => u.loginIds[0]).sort()).toEqual([bcrypt, md5, plain].sort());
	for (const user of res.createdUsers) expect(user.password, JSON.stringify(user)).toBe(true);
	expect(res.failedUsers.map((f) => f.user.loginIds[0])).toEqual([weak]);

	await expectSignIn(sdk, plain, PASSWORD);
	expectError(await sdk.password.signIn(bcrypt, "wrong-Secret-1"));
	await expectSignIn(sdk, bcrypt, "bcrypt-Secret-1");
	await expectSignIn(sdk, md5, "md5-Secret-1");
	// After the first sign-in the hash is replaced; the password still works.
	await expectSignIn(sdk, md5, "md5-Secret-1");
	expectError(await sdk.management.user.load(weak), "E062108");
});

it("import takes a JSON array of users with passwords or hashes; dryrun writes nothing", async () => {
	const { sdk } = await setupProject();
	const users = [
		{ loginId: unique("i-plain"), email: "plain@example.com", password: PASSWORD },
		{ loginId: unique("i-md5"), hashedPassword: { md5: { hash: md5Hex("imported-Secret-1") } } },
		{ loginId: unique("i-weak"), password: "short" },
	];
	const ids = users.map((u) => u.loginId);
	const dry = expectOk(await sdk.management.user.import("test", JSON.stringify(users), undefined, true));
	expect(dry.users?.map((u) => u.loginIds[0]).sort()).toEqual([ids[0], ids[1]].sort());
	expect(dry.failures?.map((f: any) => f.user)).toEqual([ids[2]]);
	expect(expectOk(await sdk.management.user.search({})).total).toBe(0);

	const res = expectOk(await sdk.management.user.import("test", JSON.stringify(users)));
	expect(res.users?.map((u) => u.loginIds[0]).sort()).toEqual([ids[0], ids[1]].sort());
	expect(res.failures).toEqual([{ user: ids[2], reason: expect.any(String) }]);
	await expectSignIn(sdk, ids[0]!, PASSWORD);
	await expectSignIn(sdk, ids[1]!, "imported-Secret-1");
	expectError(await sdk.management.user.load(ids[2]!), "E062108");
	expectError(await sdk.management.user.import("test", "[not json"), "E011004");
});

it("passkeys: a user without any lists none; removing an unknown one is an error; remove-all is fine", async () => {
	const { sdk } = await setupProject();
	const session = await userWithSession(sdk);
	expect(expectOk(await sdk.management.user.listPasskeys(session.loginId))).toEqual([]);
	expect(expectOk(await sdk.management.user.listPasskeys(session.user.userId))).toEqual([]);
	expectError(await sdk.management.user.removePasskey(session.loginId, "no-such-credential"), "E011404");
	const res = await sdk.management.user.removeAllPasskeys(session.loginId);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expect(expectOk(await sdk.management.user.listPasskeys(session.loginId))).toEqual([]);
	// The password is untouched.
	await expectSignIn(sdk, session.loginId, PASSWORD);

	expectError(await sdk.management.user.listPasskeys("nobody"), "E062108");
	expectError(await sdk.management.user.removeAllPasskeys("nobody"), "E062108");
	expectError(await sdk.management.user.removePasskey("nobody", "x"), "E062108");
});
