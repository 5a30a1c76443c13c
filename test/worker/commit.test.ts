import { env } from "cloudflare:workers";
import { type SQL, sql } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import type { Actor, RequestContext } from "../../src/domain/activity/actions";
import { updateOidcApp } from "../../src/domain/authz/sso-apps.service";
import { updateTenant } from "../../src/domain/authz/tenants.service";
import { commit, type Entry, entriesStatement, record, withoutSecrets } from "../../src/domain/commit";
import type { Deps } from "../../src/domain/deps";
import { DomainError } from "../../src/domain/errors";
import { applyKeyScope } from "../../src/domain/scope";
import { createUser, mgmt, newProject, sha256Hex, type TestProject } from "./harness";
import { expectLive, expectRevoked, liveSessions, PASSWORD, signedIn } from "./support/sessions";

// The commit point (src/domain/commit.ts) on the real D1, KV and session objects: one batch holds the
// writes and their change rows, a failure leaves neither, effects follow success only.

const ACTOR: Actor = { type: "key", id: "Ktestkey", name: "commit tests" };
const REQUEST: RequestContext = {
	id: "req-commit-1",
	dialect: "descope",
	ip: "203.0.113.7",
	city: "Lisbon",
	country: "PT",
	userAgent: "commit-test/1.0",
};
// Ahead of the clock: an entry is stamped now, but never before its project's latest entry.
const NOW = Date.now() + 3_600_000;

function depsFor(overrides: Partial<Deps> = {}): Deps {
	return {
		db: createDb(env.DB),
		d1: env.DB,
		kv: env.KEY_CACHE,
		env,
		now: () => NOW,
		waitUntil: () => {},
		actor: ACTOR,
		request: REQUEST,
		...overrides,
	};
}

/** A D1 binding that counts the statements prepared and the batches sent through it. */
function countingD1() {
	const counts = { prepared: 0, batches: [] as number[] };
	const d1 = new Proxy(env.DB, {
		get(target, prop) {
			if (prop === "prepare")
				return (query: string) => {
					counts.prepared++;
					return target.prepare(query);
				};
			if (prop === "batch")
				return (statements: D1PreparedStatement[]) => {
					counts.batches.push(statements.length);
					return target.batch(statements);
				};
			const value = Reflect.get(target, prop);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
	return { d1, counts };
}

type Row = Record<string, unknown>;

/** The last change row each test project had when it was made: creating it is recorded too. */
const baseline = new Map<string, number>();

/** The change rows of the project the test itself wrote (after the project was made). */
const changeRows = (projectId: string) =>
	env.DB.prepare("SELECT * FROM change_log WHERE project_id = ? AND seq > ? ORDER BY seq")
		.bind(projectId, baseline.get(projectId) ?? 0)
		.all<Row>()
		.then((r) => r.results);

const tenantRows = (projectId: string) =>
	env.DB.prepare("SELECT id, name FROM tenants WHERE project_id = ? ORDER BY id")
		.bind(projectId)
		.all<{ id: string; name: string }>()
		.then((r) => r.results);

const insertTenant = (projectId: string, id: string, name = id): SQL =>
	sql`INSERT INTO tenants (project_id, id, name, created_at) VALUES (${projectId}, ${id}, ${name}, ${NOW})`;

const tenantCreated = (id: string, name = id): Entry => ({
	action: "tenant.created",
	target: { type: "tenant", id },
	tenantId: id,
	changes: { name: { after: name } },
});

/** Runs `fn`, expecting it to throw; returns what it threw. */
async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
	try {
		await fn();
	} catch (error) {
		return error;
	}
	throw new Error("expected a throw");
}

async function project(): Promise<TestProject> {
	const p = await newProject("commit");
	const last = await env.DB.prepare("SELECT COALESCE(MAX(seq), 0) AS seq FROM change_log").first<{
		seq: number;
	}>();
	baseline.set(p.projectId, Number(last?.seq ?? 0));
	return p;
}

describe("commit", () => {
	it("writes the statements and their change rows together, stamped with actor and request", async () => {
		const p = await project();
		const committed = await commit(depsFor(), p.projectId, {
			statements: [insertTenant(p.projectId, "t1", "One"), insertTenant(p.projectId, "t2", "Two")],
			entries: [tenantCreated("t1", "One"), tenantCreated("t2", "Two")],
			reads: [sql`SELECT id FROM tenants WHERE project_id = ${p.projectId} ORDER BY id`],
		});
		expect(await tenantRows(p.projectId)).toEqual([
			{ id: "t1", name: "One" },
			{ id: "t2", name: "Two" },
		]);
		expect(committed.results).toHaveLength(2);
		expect(committed.reads).toEqual([[{ id: "t1" }, { id: "t2" }]]);
		const rows = await changeRows(p.projectId);
		const created = rows.filter((r) => r.action === "tenant.created");
		expect(created, JSON.stringify(rows)).toHaveLength(2);
		expect(created[0]).toMatchObject({
			project_id: p.projectId,
			at: NOW,
			action: "tenant.created",
			result: "success",
			actor_type: "key",
			actor_id: "Ktestkey",
			actor_name: "commit tests",
			target_type: "tenant",
			target_id: "t1",
			user_id: null,
			tenant_id: "t1",
			request_id: "req-commit-1",
			dialect: "descope",
			ip: "203.0.113.7",
			city: "Lisbon",
			country: "PT",
			user_agent: "commit-test/1.0",
		});
		expect(JSON.parse(String(created[0]?.changes))).toEqual({ name: { after: "One" } });
		expect(created[0]?.data).toBeNull();
		expect(Number(created[1]?.seq)).toBeGreaterThan(Number(created[0]?.seq));
	});

	it("an entry is never stamped before its project's latest one, so time order is seq order", async () => {
		const p = await project();
		await commit(depsFor(), p.projectId, { statements: [], entries: [tenantCreated("late")] });
		await commit(depsFor({ now: () => NOW - 60_000 }), p.projectId, {
			statements: [],
			entries: [tenantCreated("clock-behind")],
		});
		const rows = await changeRows(p.projectId);
		expect(rows.map((r) => [r.target_id, r.at])).toEqual([
			["late", NOW],
			["clock-behind", NOW],
		]);
	});

	it("a user target fills user_id; no actor or request is the system, with empty origin", async () => {
		const p = await project();
		await commit(depsFor({ actor: undefined, request: undefined }), p.projectId, {
			statements: [],
			entries: [{ action: "user.updated", target: { type: "user", id: "U1" }, loginId: "ada" }],
		});
		const [row] = await changeRows(p.projectId);
		expect(row).toMatchObject({
			action: "user.updated",
			actor_type: "system",
			actor_id: null,
			target_id: "U1",
			user_id: "U1",
			login_id: "ada",
			dialect: "",
			request_id: "",
			changes: null,
			data: null,
		});
	});

	it("a batch whose write hits a unique key leaves neither data nor change rows and throws the mapped error", async () => {
		const p = await project();
		const error = await thrown(() =>
			commit(depsFor(), p.projectId, {
				statements: [insertTenant(p.projectId, "dup", "First"), insertTenant(p.projectId, "dup", "Second")],
				entries: [tenantCreated("dup", "First"), tenantCreated("dup", "Second")],
			}),
		);
		expect(error).toBeInstanceOf(DomainError);
		expect(error).toMatchObject({ code: "conflict", field: "id" });
		expect(await tenantRows(p.projectId)).toEqual([]);
		expect(await changeRows(p.projectId)).toEqual([]);
	});

	it("a colliding login id maps to user_exists on loginId and undoes the earlier statements of the batch", async () => {
		const p = await project();
		const user = await createUser(mgmt(p), { loginId: "taken@example.com" });
		const before = (await changeRows(p.projectId)).length;
		const error = await thrown(() =>
			commit(depsFor(), p.projectId, {
				statements: [
					insertTenant(p.projectId, "kept-out"),
					sql`INSERT INTO user_login_ids (project_id, login_id_lower, login_id, user_id, position)
						VALUES (${p.projectId}, 'taken@example.com', 'TAKEN@example.com', ${user.userId}, 1)`,
				],
				entries: [
					tenantCreated("kept-out"),
					{ action: "user.login_id.changed", target: { type: "user", id: user.userId } },
				],
			}),
		);
		expect(error).toBeInstanceOf(DomainError);
		expect(error).toMatchObject({ code: "user_exists", field: "loginId" });
		expect(await tenantRows(p.projectId)).toEqual([]);
		expect(await changeRows(p.projectId)).toHaveLength(before);
	});

	it("a failure that is no constraint is rethrown as it is, and nothing is written", async () => {
		const p = await project();
		const error = await thrown(() =>
			commit(depsFor(), p.projectId, {
				statements: [insertTenant(p.projectId, "t1"), sql`INSERT INTO no_such_table VALUES (1)`],
				entries: [tenantCreated("t1")],
			}),
		);
		expect(error).not.toBeInstanceOf(DomainError);
		expect(String(error)).toContain("no_such_table");
		expect(await tenantRows(p.projectId)).toEqual([]);
		expect(await changeRows(p.projectId)).toEqual([]);
	});

	it("entriesFrom sees the rows as they were before the DELETE of the same batch", async () => {
		const p = await project();
		await commit(depsFor(), p.projectId, {
			statements: ["a", "b", "c"].map((id) => insertTenant(p.projectId, id)),
		});
		await commit(depsFor(), p.projectId, {
			entriesFrom: [
				{
					action: "tenant.deleted",
					targetType: "tenant",
					select: sql`SELECT id AS target_id, NULL AS user_id, NULL AS login_id, id AS tenant_id
						FROM tenants WHERE project_id = ${p.projectId} AND id IN ('a', 'c')`,
				},
			],
			statements: [sql`DELETE FROM tenants WHERE project_id = ${p.projectId} AND id IN ('a', 'c')`],
		});
		expect(await tenantRows(p.projectId)).toEqual([{ id: "b", name: "b" }]);
		const deleted = (await changeRows(p.projectId)).filter((r) => r.action === "tenant.deleted");
		expect(deleted.map((r) => [r.target_type, r.target_id, r.tenant_id, r.result])).toEqual([
			["tenant", "a", "a", "success"],
			["tenant", "c", "c", "success"],
		]);
		expect(deleted[0]).toMatchObject({
			actor_type: "key",
			actor_id: "Ktestkey",
			dialect: "descope",
			at: NOW,
		});
	});

	it("entriesFrom rows are undone too when the batch fails", async () => {
		const p = await project();
		await commit(depsFor(), p.projectId, { statements: [insertTenant(p.projectId, "a")] });
		await expect(
			commit(depsFor(), p.projectId, {
				entriesFrom: [
					{
						action: "tenant.deleted",
						targetType: "tenant",
						select: sql`SELECT id AS target_id, NULL AS user_id, NULL AS login_id, id AS tenant_id
							FROM tenants WHERE project_id = ${p.projectId}`,
					},
				],
				statements: [
					sql`DELETE FROM tenants WHERE project_id = ${p.projectId}`,
					insertTenant(p.projectId, "x"),
					insertTenant(p.projectId, "x"),
				],
			}),
		).rejects.toMatchObject({ code: "conflict" });
		expect(await tenantRows(p.projectId)).toEqual([{ id: "a", name: "a" }]);
		expect(await changeRows(p.projectId)).toEqual([]);
	});
});

describe("effects", () => {
	async function userWithSession() {
		const p = await project();
		const user = await createUser(mgmt(p), { loginId: "sessions@example.com", password: PASSWORD });
		const { refreshJwt } = await signedIn(p, "sessions@example.com");
		expect(await liveSessions(p, user.userId)).toHaveLength(1);
		return { p, userId: user.userId as string, refreshJwt: refreshJwt as string };
	}

	it("revokeSessionsOf ends the user's refresh sessions once the batch has committed", async () => {
		const { p, userId, refreshJwt } = await userWithSession();
		await commit(depsFor(), p.projectId, {
			statements: [],
			entries: [{ action: "session.revoked", target: { type: "user", id: userId } }],
			effects: { revokeSessionsOf: [userId, userId] },
		});
		expect(await liveSessions(p, userId)).toEqual([]);
		await expectRevoked(p, refreshJwt);
		const revoked = (await changeRows(p.projectId)).filter((r) => r.action === "session.revoked");
		expect(revoked, "the plan's own session.revoked row, no second one").toHaveLength(1);
	});

	it("revokeSessionsOf records one session.revoked per user, naming the action that caused it", async () => {
		const { p, userId, refreshJwt } = await userWithSession();
		await commit(depsFor(), p.projectId, {
			statements: [],
			entries: [
				{ action: "user.disabled", target: { type: "user", id: userId }, loginId: "sessions@example.com" },
			],
			effects: { revokeSessionsOf: [userId, userId] },
		});
		const rows = await changeRows(p.projectId);
		const revoked = rows.filter((r) => r.action === "session.revoked" && r.user_id === userId);
		expect(revoked, JSON.stringify(rows)).toHaveLength(1);
		expect(revoked[0]).toMatchObject({
			target_type: "user",
			target_id: userId,
			login_id: "sessions@example.com",
		});
		expect(JSON.parse(String(revoked[0]?.data))).toEqual({ cause: "user.disabled" });
		await expectRevoked(p, refreshJwt);
	});

	it("a failed batch runs no effect: the sessions and the cached key stay", async () => {
		const { p, userId, refreshJwt } = await userWithSession();
		const hash = await sha256Hex("rk_commit-test-key");
		await env.KEY_CACHE.put(`mgmt-key:${hash}`, "{}");
		await expect(
			commit(depsFor(), p.projectId, {
				statements: [insertTenant(p.projectId, "x"), insertTenant(p.projectId, "x")],
				entries: [{ action: "session.revoked", target: { type: "user", id: userId } }],
				effects: { revokeSessionsOf: [userId], forgetKeyHashes: [hash] },
			}),
		).rejects.toBeInstanceOf(DomainError);
		expect(await liveSessions(p, userId)).toHaveLength(1);
		await expectLive(p, refreshJwt);
		expect(await env.KEY_CACHE.get(`mgmt-key:${hash}`)).toBe("{}");
	});

	it("forgetKeyHashes drops the cached key lookups after the commit", async () => {
		const p = await project();
		const hashes = [await sha256Hex("rk_one"), await sha256Hex("rk_two")];
		for (const h of hashes) await env.KEY_CACHE.put(`mgmt-key:${h}`, "{}");
		await commit(depsFor(), p.projectId, {
			statements: [],
			entries: [{ action: "key.deleted", target: { type: "key", id: "K1" } }],
			effects: { forgetKeyHashes: hashes },
		});
		for (const h of hashes) expect(await env.KEY_CACHE.get(`mgmt-key:${h}`)).toBeNull();
	});
});

describe("record", () => {
	it("writes entries alone, on the unscoped binding: a read-only key's refusal is still recorded", async () => {
		const p = await project();
		const readOnly = applyKeyScope(depsFor(), { keyId: "Kro", readOnly: true, tenantIds: [] });
		await expect(
			commit(readOnly, p.projectId, {
				statements: [insertTenant(p.projectId, "t")],
				entries: [tenantCreated("t")],
			}),
		).rejects.toMatchObject({ code: "forbidden" });
		expect(await changeRows(p.projectId)).toEqual([]);
		await record(readOnly, p.projectId, [
			{
				action: "request.failed",
				result: "failure",
				target: { type: "request", id: null },
				data: { code: "forbidden" },
			},
		]);
		const rows = await changeRows(p.projectId);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ action: "request.failed", result: "failure", actor_id: "Ktestkey" });
		expect(JSON.parse(String(rows[0]?.data))).toEqual({ code: "forbidden" });
		await record(readOnly, p.projectId, []);
		expect(await changeRows(p.projectId)).toHaveLength(1);
	});
});

describe("withoutSecrets", () => {
	it("strips secret-named fields at any depth, in objects and arrays, and keeps the rest", () => {
		const input = {
			name: "Ada",
			password: "p1",
			newPassword: "p2",
			passwordHash: "h",
			hashedPassword: { bcrypt: { hash: "$2b$..." } },
			refreshToken: "t",
			clientSecret: "s",
			key: "rk_x",
			apiKey: "rk_y",
			cleartext: "rk_z",
			jwt: "eyJ",
			privateKey: "-----BEGIN",
			credentials: { a: 1 },
			keyId: "K1",
			nested: {
				deeper: [
					{ token: "t", keep: 1 },
					{ sessionJwt: "x", list: [{ secret: "s", id: "i" }] },
				],
				status: "enabled",
			},
			list: ["plain", 2, null],
			empty: null,
		};
		expect(withoutSecrets(input)).toEqual({
			name: "Ada",
			keyId: "K1",
			nested: { deeper: [{ keep: 1 }, { list: [{ id: "i" }] }], status: "enabled" },
			list: ["plain", 2, null],
			empty: null,
		});
		expect(withoutSecrets({ passkeyId: "p", credentialId: "c" })).toEqual({
			passkeyId: "p",
			credentialId: "c",
		});
		expect(withoutSecrets("password")).toBe("password");
		expect(withoutSecrets([{ password: "x" }])).toEqual([{}]);
		expect(input.password, "the input is not changed").toBe("p1");
	});

	it("commit strips secret-named fields from changes and data before they are stored", async () => {
		const p = await project();
		await commit(depsFor(), p.projectId, {
			statements: [],
			entries: [
				{
					action: "user.updated",
					target: { type: "user", id: "U1" },
					changes: { name: { before: "a", after: "b" }, password: { after: "Plain-Secret-1" } },
					data: { method: "password", hashedPassword: { md5: { hash: "abc123" } }, nested: { token: "t0k" } },
				},
			],
		});
		const [row] = await changeRows(p.projectId);
		expect(JSON.parse(String(row?.changes))).toEqual({ name: { before: "a", after: "b" } });
		expect(JSON.parse(String(row?.data))).toEqual({ method: "password", nested: {} });
		expect(JSON.stringify(row)).not.toMatch(/Plain-Secret-1|abc123|t0k/);
	});
});

describe("preconditions", () => {
	it("a precondition that holds lets the write and its rows land", async () => {
		const p = await project();
		await commit(depsFor(), p.projectId, {
			preconditions: [sql`SELECT 1 FROM projects WHERE id = ${p.projectId}`],
			statements: [insertTenant(p.projectId, "kept")],
			entries: [tenantCreated("kept")],
		});
		expect(await tenantRows(p.projectId)).toEqual([{ id: "kept", name: "kept" }]);
		expect((await changeRows(p.projectId)).map((r) => r.target_id)).toEqual(["kept"]);
	});

	it("one that no longer holds leaves neither data nor change rows, and says precondition_failed", async () => {
		const p = await project();
		const error = await thrown(() =>
			commit(depsFor(), p.projectId, {
				preconditions: [sql`SELECT 1 FROM projects WHERE id = ${p.projectId}`, sql`SELECT 1 WHERE 0`],
				statements: [insertTenant(p.projectId, "never")],
				entries: [tenantCreated("never")],
			}),
		);
		expect(error).toBeInstanceOf(DomainError);
		expect((error as DomainError).code).toBe("precondition_failed");
		expect(await tenantRows(p.projectId)).toEqual([]);
		expect(await changeRows(p.projectId)).toEqual([]);
		const guards = await env.DB.prepare("SELECT count(*) AS n FROM write_preconditions").first<{
			n: number;
		}>();
		expect(guards?.n).toBe(0);
	});
});

/** A D1 binding that runs `before` once, just ahead of the first write batch: a concurrent change. */
function racingD1(before: () => Promise<unknown>) {
	let raced = false;
	return new Proxy(env.DB, {
		get(target, prop) {
			if (prop === "batch")
				return async (statements: D1PreparedStatement[]) => {
					if (!raced) {
						raced = true;
						await before();
					}
					return target.batch(statements);
				};
			const value = Reflect.get(target, prop);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

describe("an object deleted between an update's read and its write", () => {
	it.each([
		[
			"tenant",
			"tenant.updated",
			async (p: TestProject, deps: Deps) => {
				await updateTenant(deps, p.projectId, "gone", { name: "Renamed" });
			},
			(p: TestProject) =>
				env.DB.prepare("DELETE FROM tenants WHERE project_id = ? AND id = 'gone'").bind(p.projectId).run(),
		],
		[
			"SSO application",
			"sso_app.updated",
			async (p: TestProject, deps: Deps) => {
				await updateOidcApp(deps, p.projectId, "gone", {
					name: "Renamed",
					loginPageUrl: "https://app.example.com/login",
				});
			},
			(p: TestProject) =>
				env.DB.prepare("DELETE FROM sso_apps WHERE project_id = ? AND id = 'gone'").bind(p.projectId).run(),
		],
	])("a %s update answers not found and writes no change row", async (_, action, update, remove) => {
		const p = await project();
		const api = mgmt(p);
		await api.post("/v1/mgmt/tenant/create", { id: "gone", name: "Gone" });
		await api.post("/v1/mgmt/sso/idp/app/oidc/create", {
			id: "gone",
			name: "Gone",
			loginPageUrl: "https://app.example.com/login",
		});
		const d1 = racingD1(() => remove(p));
		const error = await thrown(() => update(p, depsFor({ d1, db: createDb(d1) })));
		expect((error as DomainError).code, String(error)).toBe("not_found");
		const rows = await changeRows(p.projectId);
		expect(rows.filter((r) => r.action === action)).toEqual([]);
	});
});

describe("many entries", () => {
	it("1,000 entries are one statement with one JSON parameter, in the same single batch", async () => {
		const p = await project();
		const entries: Entry[] = Array.from({ length: 1000 }, (_, i) => tenantCreated(`t${i}`, `Tenant ${i}`));
		const { d1, counts } = countingD1();
		await commit(depsFor({ d1, db: createDb(d1) }), p.projectId, {
			statements: [insertTenant(p.projectId, "one")],
			entries,
		});
		// The write, one entries statement, and the outbox's read of whether any webhook endpoint waits.
		expect(counts.batches, "one batch").toEqual([3]);
		expect(counts.prepared, "the write, one entries statement and the outbox read").toBe(3);
		const rows = await changeRows(p.projectId);
		expect(rows).toHaveLength(1000);
		expect(new Set(rows.map((r) => r.target_id)).size).toBe(1000);
		expect(rows[999]).toMatchObject({ target_id: "t999", action: "tenant.created", at: NOW });
	});

	it("entriesStatement binds few parameters whatever the number of entries", () => {
		const deps = depsFor();
		const few = entriesStatement(deps, "P1", [tenantCreated("a")]);
		const many = entriesStatement(
			deps,
			"P1",
			Array.from({ length: 5000 }, (_, i) => tenantCreated(`t${i}`)),
		);
		const params = (q: SQL) => new SQLiteSyncDialect().sqlToQuery(q).params.length;
		expect(params(many)).toBe(params(few));
		expect(params(many)).toBeLessThanOrEqual(100);
	});
});
