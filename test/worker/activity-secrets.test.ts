import { env } from "cloudflare:workers";
import { md5 } from "@noble/hashes/legacy.js";
import { pbkdf2 } from "@noble/hashes/pbkdf2.js";
import { sha256 } from "@noble/hashes/sha2.js";
import bcryptjs from "bcryptjs";
import { describe, expect, it } from "vitest";
import {
	addManagementKey,
	call,
	createUser,
	expectStatus,
	mgmt,
	newProject,
	operatorHeaders,
	type TestProject,
} from "./harness";
import { passkeyClient, SoftAuthenticator } from "./support/authenticator";
import { SHAPES } from "./support/secret-shapes";
import { authPost, configureProject, refresh, signedIn, signedUp, signIn, signUp } from "./support/sessions";
import { v4 } from "./v4-harness";

// Nothing secret ever enters the change log (docs/audit.md): each test drives the flows that handle
// passwords, hashes, keys and tokens, with and without failures, then greps every column of every
// change row for the cleartexts it used, the hashes the database holds and the shapes of secrets.

type Row = Record<string, unknown>;

const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** The secrets a test handled; `add` ignores the short and empty ones a log may hold innocently. */
class Secrets {
	readonly values = new Set<string>();
	add(...values: unknown[]) {
		for (const v of values) if (typeof v === "string" && v.length >= 8) this.values.add(v);
		return this;
	}
	/** The tokens of a JWTResponse (and the cookie built from the refresh JWT). */
	tokens(body: any) {
		return this.add(body?.sessionJwt, body?.refreshJwt, body?.jwt);
	}
}

async function allRows(sql: string): Promise<Row[]> {
	return (await env.DB.prepare(sql).all<Row>()).results;
}

/** What the database stores as secrets now: password hashes (whole and by part), key hashes, private JWKs. */
async function storedSecrets(): Promise<string[]> {
	const out: string[] = [];
	for (const r of await allRows("SELECT hash FROM user_passwords")) {
		const hash = String(r.hash);
		out.push(hash, ...hash.split(/[$:]/).filter((part) => part.length >= 16));
	}
	for (const r of await allRows("SELECT key_hash FROM management_keys")) out.push(String(r.key_hash));
	for (const r of await allRows("SELECT private_jwk FROM signing_keys")) {
		const jwk = JSON.parse(String(r.private_jwk)) as Record<string, unknown>;
		for (const part of ["d", "p", "q", "dp", "dq", "qi", "k"])
			if (typeof jwk[part] === "string") out.push(jwk[part] as string);
	}
	return out;
}

/** Every change row, every column: no cleartext the test used, no stored secret, no secret shape. */
async function expectNoSecrets(secrets: Secrets, label: string, projectId?: string) {
	const rows = (await allRows("SELECT * FROM change_log ORDER BY seq")).filter(
		(r) => projectId === undefined || r.project_id === projectId,
	);
	const known = [...secrets.values, ...(await storedSecrets())];
	const found: string[] = [];
	for (const row of rows) {
		for (const [column, value] of Object.entries(row)) {
			if (typeof value !== "string") continue;
			for (const [name, shape] of SHAPES)
				if (shape.test(value)) found.push(`seq ${row.seq} ${row.action}.${column}: ${name} in ${value}`);
			for (const secret of known)
				if (value.includes(secret))
					found.push(`seq ${row.seq} ${row.action}.${column}: holds "${secret.slice(0, 12)}…"`);
		}
	}
	expect(found, `${label}: ${rows.length} change rows`).toEqual([]);
	return rows;
}

/** The actions the sweep expects to see recorded (soft: a missing one is reported, the grep still runs). */
function expectRecorded(rows: Row[], actions: string[]) {
	const seen = new Set(rows.map((r) => String(r.action)));
	expect
		.soft(
			actions.filter((a) => !seen.has(a)),
			`actions not recorded; the log holds ${JSON.stringify([...seen])}`,
		)
		.toEqual([]);
}

const PASSWORD = "Sweep-Passw0rd-Alpha!";
const NEW_PASSWORD = "Sweep-Passw0rd-Bravo!";
const THIRD_PASSWORD = "Sweep-Passw0rd-Charlie!";

describe("nothing secret enters the change log", () => {
	it("management user writes carrying passwords and imported hashes, valid and refused", async () => {
		const p = await newProject("secrets");
		const api = mgmt(p);
		const s = new Secrets().add(PASSWORD, NEW_PASSWORD, p.managementKey);
		const bcryptHash = bcryptjs.hashSync("Bcrypt-Secret-42", 4);
		const md5Hash = hex(md5(utf8("Md5-Secret-42")));
		const salt = utf8("pepper-and-salt!");
		const pbkdf2Hash = b64(pbkdf2(sha256, "Pbkdf2-Secret-42", salt, { c: 1000, dkLen: 32 }));
		const djangoHash = `pbkdf2_sha256$1000$Xz9qL2mN4pR7$${b64(
			pbkdf2(sha256, "Django-Secret-42", "Xz9qL2mN4pR7", { c: 1000, dkLen: 32 }),
		)}`;
		s.add("Bcrypt-Secret-42", "Md5-Secret-42", "Pbkdf2-Secret-42", "Django-Secret-42");
		s.add(bcryptHash, md5Hash, pbkdf2Hash, b64(salt), djangoHash);

		await createUser(api, { loginId: "plain@example.com", email: "plain@example.com", password: PASSWORD });
		await createUser(api, { loginId: "bc@example.com", hashedPassword: { bcrypt: { hash: bcryptHash } } });
		await createUser(api, { loginId: "m5@example.com", hashedPassword: { md5: { hash: md5Hash } } });
		await createUser(api, {
			loginId: "pb@example.com",
			hashedPassword: { pbkdf2: { hash: pbkdf2Hash, salt: b64(salt), iterations: 1000, type: "sha256" } },
		});
		await createUser(api, { loginId: "dj@example.com", hashedPassword: { django: { hash: djangoHash } } });
		const batch = expectStatus(
			await api.post("/v1/mgmt/user/create/batch", {
				users: [
					{ loginId: "batch-1", password: NEW_PASSWORD },
					{ loginId: "batch-2", hashedPassword: { bcrypt: { hash: bcryptHash } } },
					{ loginId: "batch-weak", password: "Weak-42" },
				],
			}),
			200,
		);
		expect(batch.failedUsers, JSON.stringify(batch)).toHaveLength(1);
		const imported = expectStatus(
			await api.post("/v1/mgmt/user/import", {
				source: "sweep",
				users: JSON.stringify([
					{ loginId: "imp-1", password: PASSWORD },
					{ loginId: "imp-2", hashedPassword: { md5: { hash: md5Hash } } },
				]),
			}),
			200,
		);
		expect(imported.users, JSON.stringify(imported)).toHaveLength(2);

		// Refused: the payload carries a password or a hash each time.
		for (const body of [
			{ loginId: "bad-email", email: "not an email", password: PASSWORD },
			{ loginId: "weak", password: "Weak-42" },
			{ loginId: "both", password: PASSWORD, hashedPassword: { md5: { hash: md5Hash } } },
			{ loginId: "bad-hash", hashedPassword: { bcrypt: { hash: `${bcryptHash.slice(0, 20)}` } } },
			{ loginId: "plain@example.com", password: NEW_PASSWORD },
		]) {
			const res = await api.post("/v1/mgmt/user/create", body);
			expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
		}
		// A batch with an undecodable hash and a v4 create refused after authentication.
		await api.post("/v1/mgmt/user/create/batch", {
			users: [{ loginId: "b-bad", hashedPassword: { django: { hash: "pbkdf2_sha256$x$y$z" } } }],
		});
		await v4(p).post("/api/user/management/v4/users", {
			data: { type: "users", attributes: { contact_details: { email: "no" }, password: PASSWORD } },
		});

		// Sign in with the imported hashes: each is replaced by Roster's own (a write of a new hash).
		for (const [loginId, password] of [
			["bc@example.com", "Bcrypt-Secret-42"],
			["m5@example.com", "Md5-Secret-42"],
			["pb@example.com", "Pbkdf2-Secret-42"],
			["dj@example.com", "Django-Secret-42"],
		] as const)
			s.tokens(await signedIn(p, loginId, password));

		const rows = await expectNoSecrets(s, "user writes");
		expectRecorded(rows, ["user.created", "request.failed", "auth.signed_in"]);
	});

	it("password management: set active and temporary, expire, replace, update, wrong passwords", async () => {
		const p = await newProject("secrets");
		const api = mgmt(p);
		const s = new Secrets().add(PASSWORD, NEW_PASSWORD, THIRD_PASSWORD, p.managementKey);
		await createUser(api, { loginId: "pw@example.com" });
		expectStatus(
			await api.post("/v1/mgmt/user/password/set/active", { loginId: "pw@example.com", password: PASSWORD }),
			200,
		);
		s.tokens(await signedIn(p, "pw@example.com", PASSWORD));
		expectStatus(
			await api.post("/v1/mgmt/user/password/set/temporary", {
				loginId: "pw@example.com",
				password: NEW_PASSWORD,
			}),
			200,
		);
		expect((await signIn(p, "pw@example.com", NEW_PASSWORD)).status).toBeGreaterThanOrEqual(400);
		const replaced = expectStatus(
			await authPost(p, "/v1/auth/password/replace", {
				loginId: "pw@example.com",
				oldPassword: NEW_PASSWORD,
				newPassword: THIRD_PASSWORD,
			}),
			200,
		);
		s.tokens(replaced);
		const updatedTo = "Sweep-Passw0rd-Delta!";
		s.add(updatedTo);
		expectStatus(
			await authPost(
				p,
				"/v1/auth/password/update",
				{ loginId: "pw@example.com", newPassword: updatedTo },
				replaced.refreshJwt,
			),
			200,
		);
		expectStatus(await api.post("/v1/mgmt/user/password/expire", { loginId: "pw@example.com" }), 200);
		expect((await signIn(p, "pw@example.com", updatedTo)).status).toBeGreaterThanOrEqual(400);

		// Refused, each carrying a password.
		const refusedPassword = "Refused-Passw0rd-Echo!";
		s.add(refusedPassword);
		await api.post("/v1/mgmt/user/password/set/active", { loginId: "nobody", password: refusedPassword });
		await api.post("/v1/mgmt/user/password/set/active", { loginId: "pw@example.com", password: "short" });
		await authPost(p, "/v1/auth/password/replace", {
			loginId: "pw@example.com",
			oldPassword: refusedPassword,
			newPassword: refusedPassword,
		});
		await authPost(
			p,
			"/v1/auth/password/update",
			{ loginId: "pw@example.com", newPassword: refusedPassword },
			"x",
		);
		for (let i = 0; i < 3; i++) await signIn(p, "pw@example.com", refusedPassword);

		const rows = await expectNoSecrets(s, "password management");
		expectRecorded(rows, ["user.password.set", "user.password.expired", "auth.sign_in_failed"]);
	});

	it("end-user sessions: sign-up, sign-in, refresh, tenant selection, logout, logout-all, failures", async () => {
		const p = await newProject("secrets");
		const api = mgmt(p);
		const s = new Secrets().add(PASSWORD, p.managementKey);
		s.tokens(await signedUp(p, "sess@example.com", PASSWORD));
		const a = await signedIn(p, "sess@example.com", PASSWORD);
		const b = await signedIn(p, "sess@example.com", PASSWORD);
		s.tokens(a).tokens(b);
		const refreshed = expectStatus(await refresh(p, a.refreshJwt), 200);
		s.tokens(refreshed);
		const tenant = expectStatus(await api.post("/v1/mgmt/tenant/create", { name: "Acme" }), 200).id;
		expectStatus(
			await api.post("/v1/mgmt/user/update/tenant/add", { loginId: "sess@example.com", tenantId: tenant }),
			200,
		);
		const again = await signedIn(p, "sess@example.com", PASSWORD);
		s.tokens(again);
		const selected = await authPost(p, "/v1/auth/tenant/select", { tenant }, again.refreshJwt);
		s.tokens(selected.body);
		s.tokens(
			(
				await call("GET", "/v1/auth/me", {
					headers: { authorization: `Bearer ${p.projectId}:${a.refreshJwt}` },
				})
			).body,
		);
		expectStatus(await authPost(p, "/v1/auth/logout", {}, a.refreshJwt), 200);
		expect((await refresh(p, a.refreshJwt)).status).toBe(401);
		expectStatus(await authPost(p, "/v1/auth/logoutall", {}, b.refreshJwt), 200);
		// Failures: a wrong password, a dead token, a garbled one, a sign-up that exists.
		await signIn(p, "sess@example.com", "Wrong-Passw0rd-Foxtrot!");
		s.add("Wrong-Passw0rd-Foxtrot!");
		await refresh(p, b.refreshJwt);
		await refresh(p, `${b.refreshJwt.slice(0, -4)}AAAA`);
		await signUp(p, "sess@example.com", "Dupe-Passw0rd-Golf!");
		s.add("Dupe-Passw0rd-Golf!");
		// Management logout of the user.
		const c = await signedIn(p, "sess@example.com", PASSWORD);
		s.tokens(c);
		expectStatus(await api.post("/v1/mgmt/user/logout", { loginId: "sess@example.com" }), 200);

		const rows = await expectNoSecrets(s, "sessions");
		expectRecorded(rows, [
			"auth.signed_up",
			"auth.signed_in",
			"auth.signed_out",
			"auth.sign_in_failed",
			"auth.refresh_failed",
			"session.revoked",
		]);
	});

	it("passkeys: sign-up, sign-in, a refused assertion, management removal", async () => {
		const p = await newProject("secrets");
		const s = new Secrets().add(p.managementKey);
		const client = passkeyClient(p.projectId);
		const authenticator = new SoftAuthenticator();
		const up = expectStatus(await client.signUp(authenticator, "pk@example.com"), 200);
		s.tokens(up);
		s.tokens(expectStatus(await client.signIn(authenticator, "pk@example.com"), 200));
		await client.signIn(authenticator, "pk@example.com", { badSignature: true });
		expectStatus(await mgmt(p).post("/v1/mgmt/user/passkeys/delete", { loginId: "pk@example.com" }), 200);

		const rows = await expectNoSecrets(s, "passkeys");
		expectRecorded(rows, ["auth.signed_up", "auth.signed_in", "user.passkey.removed"]);
	});

	it("management keys: create, update, delete, operator-issued, refused, and used", async () => {
		const p = await newProject("secrets");
		const s = new Secrets().add(p.managementKey);
		const tenant = expectStatus(await mgmt(p).post("/v1/mgmt/tenant/create", { name: "Scoped" }), 200).id;
		const extra = await addManagementKey(p, { name: "sweep-extra", description: "sweep" });
		const scoped = await addManagementKey(p, { name: "sweep-scoped", tenantIds: [tenant] });
		const readOnly = await addManagementKey(p, { name: "sweep-ro", readOnly: true });
		s.add(extra.managementKey, scoped.managementKey, readOnly.managementKey);
		expectStatus(
			await mgmt(p).patch("/v1/mgmt/managementkey", {
				id: extra.keyId,
				name: "sweep-renamed",
				status: "inactive",
			}),
			200,
		);
		const issued = expectStatus(
			await call("POST", `/v1/operator/projects/${p.projectId}/keys`, {
				body: { name: "recovery" },
				headers: operatorHeaders,
			}),
			201,
		);
		s.add(issued.managementKey);
		// Used, refused with scope, refused unauthenticated (with a key-shaped guess), deleted.
		await createUser(mgmt({ projectId: p.projectId, managementKey: issued.managementKey }), {
			loginId: "by-issued",
		});
		await mgmt(readOnly).post("/v1/mgmt/user/create", { loginId: "ro", password: PASSWORD });
		await mgmt(scoped).post("/v1/mgmt/user/create", { loginId: "scoped", password: PASSWORD });
		s.add(PASSWORD);
		await mgmt(extra).post("/v1/mgmt/user/create", { loginId: "inactive" });
		const guess = "rk_guessedguessedguessedguessedguessedgue";
		s.add(guess);
		await mgmt({ projectId: p.projectId, managementKey: guess }).post("/v1/mgmt/user/create", {
			loginId: "g",
		});
		await mgmt(p).put("/v1/mgmt/managementkey", { name: "" });
		expectStatus(
			await mgmt(p).post("/v1/mgmt/managementkey/delete", { ids: [extra.keyId, readOnly.keyId] }),
			200,
		);

		const rows = await expectNoSecrets(s, "management keys");
		expectRecorded(rows, ["key.created", "key.updated", "key.deleted", "request.failed"]);
	});

	it("tokens: jwt/update with custom claims, signing-key rotation, project settings", async () => {
		const p = await newProject("secrets");
		const api = mgmt(p);
		const s = new Secrets().add(PASSWORD, p.managementKey);
		const up = await signedUp(p, "claims@example.com", PASSWORD);
		s.tokens(up);
		const updated = expectStatus(
			await api.post("/v1/mgmt/jwt/update", {
				jwt: up.sessionJwt,
				customClaims: {
					plan: "gold",
					apiToken: "Claim-Token-Hotel-1",
					nested: { clientSecret: "Claim-Secret-India" },
				},
			}),
			200,
		);
		s.tokens(updated).add("Claim-Token-Hotel-1", "Claim-Secret-India");
		await api.post("/v1/mgmt/jwt/update", { jwt: `${up.sessionJwt}x`, customClaims: { a: 1 } });
		await api.post("/v1/mgmt/jwt/update", { jwt: up.sessionJwt, customClaims: { sub: "forged" } });
		expectStatus(
			await call("POST", `/v1/operator/projects/${p.projectId}/signing-keys/rotate`, {
				body: { activateAfterSeconds: 0 },
				headers: operatorHeaders,
			}),
			200,
		);
		await configureProject(p, {
			passwordPolicy: {
				minLength: 12,
				lowercase: true,
				uppercase: true,
				number: true,
				nonAlphanumeric: true,
			},
			lockoutAttempts: 3,
		});
		s.tokens(await signedIn(p, "claims@example.com", PASSWORD));

		const rows = await expectNoSecrets(s, "tokens");
		expectRecorded(rows, ["token.updated", "project.signing_key.rotated", "project.updated"]);
	});
});

describe("nothing secret enters the change log from what applications send", () => {
	it("audit.createEvent with secret-named data, and a refused audit webhook full of credentials", async () => {
		const p = await newProject("secrets");
		const api = mgmt(p);
		const s = new Secrets().add(p.managementKey);
		const user = await createUser(api, { loginId: "evt@example.com" });
		const eventSecrets = ["Event-Passw0rd-Juliet", "Event-Token-Kilo-123", "Event-Secret-Lima-456"];
		s.add(...eventSecrets);
		expectStatus(
			await api.post("/v1/mgmt/audit/event", {
				action: "CustomAction",
				type: "info",
				actorId: "A1",
				tenantId: "T1",
				userId: user.userId,
				data: {
					step: "checkout",
					password: eventSecrets[0],
					nested: { accessToken: eventSecrets[1], list: [{ clientSecret: eventSecrets[2], ok: 1 }] },
				},
			}),
			200,
		);
		const hookSecrets = [
			"Hook-Bearer-Mike-1",
			"Hook-Basic-Passw0rd-2",
			"Hook-ApiKey-Oscar-3",
			"Hook-Hmac-Papa-4",
		];
		s.add(...hookSecrets);
		const hook = await api.post("/v2/mgmt/connector/audit/web/set", {
			name: "wh",
			url: "https://hook.example",
			authentication: {
				bearerToken: hookSecrets[0],
				basic: { username: "u", password: hookSecrets[1] },
				apiKey: { key: "X-Key", token: hookSecrets[2] },
			},
			hmacSecret: hookSecrets[3],
		});
		expect(hook.status, JSON.stringify(hook.body)).toBe(400);

		const rows = await expectNoSecrets(s, "application events");
		const event = rows.find((r) => r.action === "CustomAction" || String(r.data ?? "").includes("checkout"));
		expect.soft(event, "the application's event is recorded").toBeDefined();
		expectRecorded(rows, ["request.failed"]);
	});
});

describe("the check itself", () => {
	it("finds a secret that did get into the log: by its shape, as a cleartext used, as a stored hash", async () => {
		const p: TestProject = await newProject("secrets");
		const user = await createUser(mgmt(p), { loginId: "leak@example.com", password: PASSWORD });
		const stored = await env.DB.prepare("SELECT hash FROM user_passwords WHERE user_id = ?")
			.bind(user.userId)
			.first<{ hash: string }>();
		const digest = String(stored?.hash).split("$").at(-1);
		const plant = (action: string, data: unknown) =>
			env.DB.prepare(
				"INSERT INTO change_log (project_id, at, action, actor_type, data) VALUES (?, ?, ?, 'system', ?)",
			)
				.bind(p.projectId, Date.now(), action, JSON.stringify(data))
				.run();
		await plant("user.updated", { note: `leaked ${p.managementKey}` });
		await plant("user.enabled", { note: `said ${PASSWORD} aloud` });
		await plant("user.disabled", { note: `digest ${digest}` });
		const error = await expectNoSecrets(new Secrets().add(PASSWORD), "planted", p.projectId).then(
			() => null,
			(e: { actual?: unknown }) => e,
		);
		const found = ((error?.actual ?? []) as string[]).join("\n");
		expect(found).toContain("user.updated.data: management key in");
		expect(found).toContain(`user.enabled.data: holds "${PASSWORD.slice(0, 12)}`);
		expect(found).toContain(`user.disabled.data: holds "${String(digest).slice(0, 12)}`);
	});
});
