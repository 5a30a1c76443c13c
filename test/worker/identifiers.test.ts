// Identifiers (docs/security.md, "Identifiers"): a login id never has the shape of a user id, a
// value of that shape always names a user by id, and look-alike login ids and emails are one
// identity (NFKC, case folding, trimming; invisible characters refused) in every dialect.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	call,
	createUser,
	expectDescopeError,
	expectStatus,
	loadUser,
	type Mgmt,
	mgmt,
	newProject,
	operatorHeaders,
	type TestProject,
} from "./harness";
import { PASSWORD, signIn, signUp } from "./support/sessions";
import { expectErrors, send, userDoc, V4, v4 } from "./v4-harness";

const fullwidth = (s: string) =>
	[...s].map((c) => (/[0-9A-Za-z]/.test(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join("");

/** A victim created by the admin, with a role to take. */
async function withVictim() {
	const project = await newProject();
	const api = mgmt(project);
	expectStatus(await api.post("/v1/mgmt/role/create", { name: "admin" }), 200);
	const victim = await createUser(api, { loginId: "victim@x.com", email: "victim@x.com" });
	return { project, api, victim, victimId: victim.userId as string };
}

function expectUserIdShapeRefused(res: { status: number; body: any }, field: string) {
	expectDescopeError(res as any, 400, "E011004", field);
	expect(res.body.errorMessage, JSON.stringify(res.body)).toContain("shape of a user id");
}

describe("a login id never has the shape of a user id", () => {
	it("password sign-up with another user's id as loginId is refused", async () => {
		const { project, api, victimId } = await withVictim();
		expectUserIdShapeRefused(await signUp(project, victimId), "loginId");
		// Look-alikes of the shape are refused too: other case, fullwidth, padded.
		expectUserIdShapeRefused(await signUp(project, victimId.toLowerCase()), "loginId");
		expectUserIdShapeRefused(await signUp(project, fullwidth(victimId)), "loginId");
		expectUserIdShapeRefused(await signUp(project, ` ${victimId} `), "loginId");
		expectUserIdShapeRefused(await signUp(project, `U${"x".repeat(27)}`), "loginId");
		const users = expectStatus(await api.post("/v2/mgmt/user/search", {}), 200).users;
		expect(users.map((u: any) => u.loginIds)).toEqual([["victim@x.com"]]);
	});

	it("a 28-character login id not of the shape is fine", async () => {
		const { project } = await withVictim();
		expectStatus(await signUp(project, `V${"x".repeat(27)}`), 200);
		expectStatus(await signUp(project, `U${"x".repeat(26)}-`), 200);
		expectStatus(await signUp(project, `U${"x".repeat(27)}@x.com`), 200);
	});

	it("management create, create test user, invite and additional login ids refuse it", async () => {
		const { api, victimId } = await withVictim();
		expectUserIdShapeRefused(await api.post("/v1/mgmt/user/create", { loginId: victimId }), "loginId");
		expectUserIdShapeRefused(await api.post("/v1/mgmt/user/create/test", { loginId: victimId }), "loginId");
		expectUserIdShapeRefused(
			await api.post("/v1/mgmt/user/create", { loginId: "a@x.com", additionalLoginIds: [victimId] }),
			"additionalLoginIds[0]",
		);
		// Inviting by a user id re-invites that user; an id that names nobody is refused, not stored.
		const unknownId = `U${"0".repeat(27)}`;
		expectUserIdShapeRefused(
			await api.post("/v1/mgmt/user/create", { loginId: unknownId, invite: true }),
			"loginId",
		);
		const reinvited = expectStatus(
			await api.post("/v1/mgmt/user/create", { loginId: victimId, invite: true }),
			200,
		).user;
		expect(reinvited.userId).toBe(victimId);
		expect(reinvited.loginIds).toEqual(["victim@x.com"]);
		expect(await loadUser(api, "a@x.com")).toBeNull();
	});

	it("create batch and inviteBatch report it as a failed user and create the others", async () => {
		const { api, victimId } = await withVictim();
		for (const invite of [false, true]) {
			const body = expectStatus(
				await api.post("/v1/mgmt/user/create/batch", {
					invite,
					users: [{ loginId: victimId }, { loginId: `ok-${invite}@x.com` }],
				}),
				200,
			);
			expect(
				body.createdUsers.map((u: any) => u.loginIds),
				JSON.stringify(body),
			).toEqual([[`ok-${invite}@x.com`]]);
			expect(body.failedUsers).toHaveLength(1);
			expect(body.failedUsers[0].failure).toContain("shape of a user id");
		}
		expect((await loadUser(api, victimId))?.loginIds).toEqual(["victim@x.com"]);
	});

	it("import refuses it", async () => {
		const { api, victimId } = await withVictim();
		const body = expectStatus(
			await api.post("/v1/mgmt/user/import", { users: [{ loginId: victimId }, { loginId: "imp@x.com" }] }),
			200,
		);
		expect(body.users.map((u: any) => u.loginIds)).toEqual([["imp@x.com"]]);
		expect(body.failures).toEqual([
			{ user: victimId, reason: expect.stringContaining("shape of a user id") },
		]);
	});

	it("update, patch, patch batch and update/loginid refuse it", async () => {
		const { api, victimId } = await withVictim();
		await createUser(api, { loginId: "mallory@x.com" });
		expectUserIdShapeRefused(
			await api.post("/v1/mgmt/user/update", { loginId: "mallory@x.com", additionalLoginIds: [victimId] }),
			"additionalLoginIds[0]",
		);
		expectUserIdShapeRefused(
			await api.patch("/v1/mgmt/user/patch", { loginId: "mallory@x.com", additionalIdentifiers: [victimId] }),
			"additionalIdentifiers[0]",
		);
		const batch = expectStatus(
			await api.patch("/v1/mgmt/user/patch/batch", {
				users: [{ loginId: "mallory@x.com", additionalIdentifiers: [victimId] }],
			}),
			200,
		);
		expect(JSON.stringify(batch)).toContain("shape of a user id");
		expectUserIdShapeRefused(
			await api.post("/v1/mgmt/user/update/loginid", { loginId: "mallory@x.com", newLoginId: victimId }),
			"newLoginId",
		);
		expect((await loadUser(api, "mallory@x.com"))?.loginIds).toEqual(["mallory@x.com"]);
	});

	it("passkey sign-up refuses it", async () => {
		const { project, victimId } = await withVictim();
		const res = await call("POST", "/v1/auth/webauthn/signup/start", {
			body: { user: { loginId: victimId }, origin: "https://app.example.com" },
			headers: { authorization: `Bearer ${project.projectId}` },
		});
		expectUserIdShapeRefused(res, "user.loginId");
	});

	it("v4 refuses an external_id in user-id shape, with its pointer; legacy refuses the cid", async () => {
		const { project, api, victimId } = await withVictim();
		const res = await v4(project).post(`${V4}/users`, userDoc({ external_id: victimId }));
		expectErrors(res, 400, [{ source: { pointer: "/data/attributes/external_id" } }]);
		expect(res.text).toContain("shape of a user id");
		const legacy = await send("POST", "/api/management/user", {
			body: { email: "l@x.com", cid: victimId.toLowerCase() },
			headers: { authorization: `Apikey ${project.managementKey}`, "content-type": "application/json" },
		});
		expect(legacy.status, legacy.text).toBe(400);
		expect(legacy.body.errors.map((e: any) => e.field)).toEqual(["cid"]);
		expect(await loadUser(api, "l@x.com")).toBeNull();
	});
});

describe("a value in user-id shape always names a user by id", () => {
	/** Gives `holder` the login id `loginId` straight in D1, as a row from before the rule would be. */
	async function legacyLoginId(p: TestProject, holderId: string, loginId: string) {
		await env.DB.batch([
			env.DB.prepare(
				`INSERT INTO user_login_ids (project_id, login_id_lower, login_id, user_id, position)
				VALUES (?, lower(?), ?, ?, (SELECT count(*) FROM user_login_ids WHERE project_id = ? AND user_id = ?))`,
			).bind(p.projectId, loginId, loginId, holderId, p.projectId, holderId),
			env.DB.prepare(
				`UPDATE users SET login_ids = (SELECT json_group_array(login_id) FROM (SELECT login_id FROM user_login_ids
					WHERE project_id = ? AND user_id = ? ORDER BY position)) WHERE project_id = ? AND id = ?`,
			).bind(p.projectId, holderId, p.projectId, holderId),
		]);
	}

	/** Runs migration 0008's statements again, as they ran on a database holding such rows. */
	async function runMigration0008() {
		const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0008_"));
		expect(migration, "migration 0008 is among the test migrations").toBeDefined();
		for (const query of migration!.queries) await env.DB.prepare(query).run();
	}

	async function attacked() {
		const { project, api, victim, victimId } = await withVictim();
		const attacker = expectStatus(await signUp(project, "mallory@x.com"), 200).user;
		const orphanId = `U${"Z".repeat(27)}`;
		await legacyLoginId(project, attacker.userId, victimId);
		await legacyLoginId(project, attacker.userId, orphanId);
		await runMigration0008();
		return { project, api, victim, victimId, attacker, orphanId };
	}

	it("migration 0008 reports a legacy login id in user-id shape to the operator", async () => {
		const { project, victimId, attacker, orphanId } = await attacked();
		const res = await call("GET", `/v1/operator/projects/${project.projectId}/login-id-conflicts`, {
			headers: operatorHeaders,
		});
		const body = expectStatus(res, 200);
		expect(body.conflicts.map((c: any) => [c.loginId, c.userId]).sort()).toEqual(
			[
				[orphanId, attacker.userId],
				[victimId, attacker.userId],
			].sort(),
		);
		for (const c of body.conflicts) expect(Math.abs(c.foundTime - Date.now() / 1000)).toBeLessThan(600);
		const other = await newProject();
		const none = await call("GET", `/v1/operator/projects/${other.projectId}/login-id-conflicts`, {
			headers: operatorHeaders,
		});
		expect(expectStatus(none, 200)).toEqual({ conflicts: [] });
	});

	it("the operator route needs the operator key and a known project", async () => {
		const { project } = await withVictim();
		const path = `/v1/operator/projects/${project.projectId}/login-id-conflicts`;
		expectDescopeError(await call("GET", path), 401, "E011401");
		const unknown = await call("GET", `/v1/operator/projects/P${"0".repeat(27)}/login-id-conflicts`, {
			headers: operatorHeaders,
		});
		expect(unknown.status, JSON.stringify(unknown.body)).toBe(404);
	});

	it("the victim's id still resolves to the victim for load, update and role add", async () => {
		const { api, victim, victimId, attacker } = await attacked();
		expect((await loadUser(api, victimId))?.userId).toBe(victimId);
		const renamed = expectStatus(
			await api.post("/v1/mgmt/user/update/name", { loginId: victimId, displayName: "Victim" }),
			200,
		).user;
		expect(renamed).toMatchObject({ userId: victimId, name: "Victim" });
		const granted = expectStatus(
			await api.post("/v2/mgmt/user/update/role/add", { loginId: victimId, roleNames: ["admin"] }),
			200,
		).user;
		expect(granted).toMatchObject({ userId: victimId, roleNames: ["admin"] });
		const patched = expectStatus(
			await api.patch("/v1/mgmt/user/patch/batch", { users: [{ loginId: victimId, givenName: "V" }] }),
			200,
		);
		expect(
			patched.patchedUsers.map((u: any) => u.userId),
			JSON.stringify(patched),
		).toEqual([victimId]);
		const mallory = await loadUser(api, attacker.userId);
		expect(mallory).toMatchObject({ roleNames: [], name: "", givenName: "" });
		expect(victim.userId).toBe(victimId);
	});

	it("the conflicting login id no longer addresses its holder", async () => {
		const { project, api, victimId, attacker, orphanId } = await attacked();
		expect(await loadUser(api, orphanId)).toBeNull();
		const search = expectStatus(
			await api.post("/v2/mgmt/user/search", { loginIds: [orphanId, victimId] }),
			200,
		);
		expect(search.users).toEqual([]);
		expectDescopeError(
			await api.post("/v1/mgmt/user/update/name", { loginId: orphanId, displayName: "X" }),
			404,
			"E062108",
		);
		// Signing in with it fails as an unknown login id does; the holder's own login id still works.
		const unknown = await signIn(project, "nobody@x.com");
		for (const loginId of [orphanId, victimId]) {
			const res = await signIn(project, loginId);
			expect(res.status, JSON.stringify(res.body)).toBe(unknown.status);
			expect(res.body.errorCode).toBe(unknown.body.errorCode);
		}
		expect(expectStatus(await signIn(project, "mallory@x.com"), 200).user.userId).toBe(attacker.userId);
		// The row stays on its holder (shown, removable with the holder's other login ids).
		expect((await loadUser(api, attacker.userId))?.loginIds).toEqual(["mallory@x.com", victimId, orphanId]);
		const cleaned = expectStatus(
			await api.patch("/v1/mgmt/user/patch", { loginId: attacker.userId, additionalIdentifiers: [] }),
			200,
		).user;
		expect(cleaned.loginIds).toEqual(["mallory@x.com"]);
	});
});

describe("look-alike identifiers are one identity", () => {
	const ALICE = "alice@x.com";

	async function withAlice(): Promise<{ project: TestProject; api: Mgmt }> {
		const project = await newProject();
		const api = mgmt(project);
		await createUser(api, { loginId: ALICE, email: ALICE });
		return { project, api };
	}

	it.each([
		["a zero-width space", "ali\u200bce@x.com"],
		["a zero-width joiner", "alice\u200d@x.com"],
		["a word joiner", "\u2060alice@x.com"],
		["a NUL", "alice\u0000@x.com"],
		["a right-to-left override", "\u202ealice@x.com"],
		["a left-to-right mark", "alice@x.com\u200e"],
		["a combining grapheme joiner", "alic\u034fe@x.com"],
		["a variation selector", "alice\ufe0f@x.com"],
		["a soft hyphen", "ali\u00adce@x.com"],
	])("a login id with %s is refused, naming the field", async (_what, variant) => {
		const { project, api } = await withAlice();
		const res = await api.post("/v1/mgmt/user/create", { loginId: variant });
		expectDescopeError(res, 400, "E011004", "loginId");
		expect(res.body.errorMessage).toMatch(/U\+[0-9A-F]{4}/);
		expectDescopeError(await signUp(project, variant), 400, "E011004", "loginId");
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "b@x.com", email: variant }),
			400,
			"E011004",
			"email",
		);
	});

	it.each([
		["fullwidth letters", fullwidth(ALICE)],
		["upper case", "Alice@X.COM"],
		["surrounding spaces", "  alice@x.com "],
		["an ideographic space", "alice@x.com\u3000"],
		["a byte order mark in front", "\ufeffalice@x.com"],
	])("a login id with %s is alice's identity: a second account is refused", async (_what, variant) => {
		const { project, api } = await withAlice();
		expectDescopeError(await api.post("/v1/mgmt/user/create", { loginId: variant }), 409, "E062107");
		expectDescopeError(await signUp(project, variant), 409, "E062107");
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "other", email: variant }),
			409,
			"E062107",
		);
		expect((await loadUser(api, variant))?.loginIds).toEqual([ALICE]);
	});

	it("combining and precomposed accents are the same login id and email", async () => {
		const project = await newProject();
		const api = mgmt(project);
		const composed = "\u00e9lodie@x.com";
		const decomposed = "e\u0301lodie@x.com";
		const created = await createUser(api, { loginId: decomposed, email: decomposed });
		expect(created.loginIds).toEqual([composed]);
		expect(created.email).toBe(composed);
		expectDescopeError(await api.post("/v1/mgmt/user/create", { loginId: composed }), 409, "E062107");
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "x", email: composed }),
			409,
			"E062107",
		);
	});

	it("ÉLODIE@x.com and élodie@x.com are one email in Descope and v4 alike", async () => {
		const project = await newProject();
		const api = mgmt(project);
		await createUser(api, { loginId: "elodie", email: "\u00c9LODIE@x.com" });
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "elodie2", email: "\u00e9lodie@x.com" }),
			409,
			"E062107",
			"email",
		);
		const res = await v4(project).post(
			`${V4}/users`,
			userDoc({ contact_details: { email: "\u00e9lodie@x.com" } }),
		);
		expectErrors(res, 409, [{ source: { pointer: "/data/attributes/contact_details/email" } }]);
		// Lookups by email fold the same way.
		const found = expectStatus(
			await api.post("/v2/mgmt/user/search", { emails: ["\u00e9lodie@x.com"] }),
			200,
		);
		expect(found.users.map((u: any) => u.loginIds)).toEqual([["elodie"]]);
		const listed = await v4(project).get(
			`${V4}/users?filter[email]=${encodeURIComponent("\u00e9lodie@x.com")}`,
		);
		expect(listed.status, listed.text).toBe(200);
		expect(listed.body.data).toHaveLength(1);
	});

	it("ÉLODIE@x.com created in v4 conflicts with élodie@x.com in Descope", async () => {
		const project = await newProject();
		const created = await v4(project).post(
			`${V4}/users`,
			userDoc({ contact_details: { email: "\u00c9LODIE@x.com" } }),
		);
		expect(created.status, created.text).toBe(201);
		const api = mgmt(project);
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "\u00e9lodie@x.com" }),
			409,
			"E062107",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "e2", email: "\u00e9lodie@x.com" }),
			409,
			"E062107",
		);
	});

	it("ß and SS fold alike", async () => {
		const project = await newProject();
		const api = mgmt(project);
		await createUser(api, { loginId: "stra\u00dfe@x.com", email: "stra\u00dfe@x.com" });
		expectDescopeError(await api.post("/v1/mgmt/user/create", { loginId: "STRASSE@x.com" }), 409, "E062107");
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "s2", email: "strasse@x.com" }),
			409,
			"E062107",
		);
	});

	it("the Kelvin sign is the letter K: \u212Aim@x.com is kim@x.com and signs in as kim", async () => {
		const project = await newProject();
		const api = mgmt(project);
		const kim = expectStatus(
			await signUp(project, "kim@x.com", PASSWORD, { user: { email: "kim@x.com" } }),
			200,
		).user;
		// Not a second account, in either field, in either dialect.
		expectDescopeError(await signUp(project, "\u212Aim@x.com"), 409, "E062107");
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "k2", email: "\u212Aim@x.com" }),
			409,
			"E062107",
		);
		const v4res = await v4(project).post(
			`${V4}/users`,
			userDoc({ contact_details: { email: "\u212Aim@x.com" } }),
		);
		expect(v4res.status, v4res.text).toBe(409);
		// It normalises (NFKC) to "Kim@x.com", the same login id as KIM@x.com or kim@x.com.
		const signedIn = expectStatus(await signIn(project, "\u212Aim@x.com", PASSWORD), 200);
		expect(signedIn.user.userId).toBe(kim.userId);
		expect(expectStatus(await signIn(project, "KIM@x.com", PASSWORD), 200).user.userId).toBe(kim.userId);
		expect((await loadUser(api, "\u212Aim@x.com"))?.userId).toBe(kim.userId);
	});

	it("a login id stored with a look-alike is stored normalised", async () => {
		const project = await newProject();
		const api = mgmt(project);
		const user = await createUser(api, {
			loginId: fullwidth("Bob@x.com"),
			email: ` ${fullwidth("bob@x.com")} `,
		});
		expect(user.loginIds).toEqual(["Bob@x.com"]);
		expect(user.email).toBe("bob@x.com");
	});

	it("sign-in trims and folds the login id as create does", async () => {
		const project = await newProject();
		const user = expectStatus(await signUp(project, " alice@x.com "), 200).user;
		expect(user.loginIds).toEqual(["alice@x.com"]);
		for (const variant of ["alice@x.com ", " alice@x.com", "ALICE@x.com", fullwidth("alice@x.com")]) {
			const res = await signIn(project, variant);
			expect(expectStatus(res, 200).user.userId, variant).toBe(user.userId);
		}
		const wrong = await signIn(project, "alice@x.com ", "Wrong-password-1");
		expect(wrong.status, JSON.stringify(wrong.body)).toBe(401);
	});

	it("v4 stores a fullwidth email normalised, and legacy finds it by the folded form", async () => {
		const project = await newProject();
		const created = await v4(project).post(
			`${V4}/users`,
			userDoc({ contact_details: { email: fullwidth("Carol@x.com") } }),
		);
		expect(created.status, created.text).toBe(201);
		expect(created.body.data.attributes.contact_details.email).toBe("Carol@x.com");
		const legacy = await send("PUT", `/api/management/user/${encodeURIComponent("carol@X.com")}`, {
			body: { name: "Carol" },
			headers: { authorization: `Apikey ${project.managementKey}`, "content-type": "application/json" },
		});
		expect(legacy.status, legacy.text).toBe(200);
		expect(legacy.body.user_id ?? legacy.body.user?.user_id, legacy.text).toBe(created.body.data.id);
		const zw = await v4(project).post(
			`${V4}/users`,
			userDoc({ contact_details: { email: "d\u200b@x.com" } }),
		);
		expectErrors(zw, 400, [{ source: { pointer: "/data/attributes/contact_details/email" } }]);
	});
});

describe("keys stored before the rule", () => {
	/** Stores a login id and email with the keys the earlier code wrote (JS and SQLite lower()). */
	async function oldStyle(p: TestProject, userId: string, loginId: string, email: string | null) {
		await env.DB.batch([
			env.DB.prepare(
				"UPDATE user_login_ids SET login_id = ?, login_id_lower = ? WHERE project_id = ? AND user_id = ?",
			).bind(loginId, loginId.toLowerCase(), p.projectId, userId),
			env.DB.prepare(
				"UPDATE users SET login_ids = json_array(?), email = ?, email_key = lower(?) WHERE project_id = ? AND id = ?",
			).bind(loginId, email, email, p.projectId, userId),
		]);
	}

	const rekey = (p: TestProject) =>
		call("POST", `/v1/operator/projects/${p.projectId}/rekey-identifiers`, { headers: operatorHeaders });

	it("rekey-identifiers folds them as new ones are, and reports what would collide", async () => {
		const project = await newProject();
		const api = mgmt(project);
		const straße = await createUser(api, { loginId: "tmp1" });
		const twin = await createUser(api, { loginId: "tmp2" });
		await createUser(api, { loginId: "bob@x.com" });
		await oldStyle(project, straße.userId, "Stra\u00dfe", "\u00c9LODIE@x.com");
		await oldStyle(project, twin.userId, fullwidth("bob@x.com"), null);
		expect(await loadUser(api, "STRASSE")).toBeNull();

		const body = expectStatus(await rekey(project), 200);
		expect(body.rekeyed, JSON.stringify(body)).toBe(2);
		expect(body.collisions).toEqual([
			{ field: "loginId", value: fullwidth("bob@x.com"), userId: twin.userId, heldBy: expect.any(String) },
		]);
		expect((await loadUser(api, "STRASSE"))?.userId).toBe(straße.userId);
		const byEmail = expectStatus(
			await api.post("/v2/mgmt/user/search", { emails: ["\u00e9lodie@x.com"] }),
			200,
		);
		expect(byEmail.users.map((u: any) => u.userId)).toEqual([straße.userId]);
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "e", email: "\u00e9lodie@x.com" }),
			409,
			"E062107",
		);
		// Idempotent: a second run has nothing left to do but report the same collision.
		const again = expectStatus(await rekey(project), 200);
		expect(again.rekeyed).toBe(0);
		expect(again.collisions).toHaveLength(1);
	});
});
