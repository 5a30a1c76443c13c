// A sign-in for a login id nobody holds does the same work as a wrong password for one that
// exists: one password check of the same algorithm and cost, the same session-object calls, the
// same D1 round trips and one history row. Structural, not timed: the counts are compared. The
// password checks are seen at WebCrypto (PBKDF2 deriveBits), under every verifier.
import { env } from "cloudflare:workers";
import { expect, it, vi } from "vitest";
import { createDb, D1Stats, instrumentD1 } from "../../src/db/client";
import type { Deps } from "../../src/domain/deps";
import { DomainError } from "../../src/domain/errors";
import { replacePassword, signInWithPassword } from "../../src/domain/sessions/auth.service";
import type { RequestInfo } from "../../src/domain/sessions/context";
import { ROSTER_ITERATIONS } from "../../src/lib/passwords";
import { createUser, mgmt, newProject } from "./harness";
import { PASSWORD } from "./support/sessions";

const INFO: RequestInfo = { issuer: "test", ip: "", city: "", country: "", userAgent: "" };

/** Deps whose D1 counts round trips and whose session objects record every call made on them. */
function instrumented() {
	const stats = new D1Stats();
	const d1 = instrumentD1(env.DB, stats);
	const objectCalls: string[] = [];
	const namespace = env.USER_SESSIONS;
	const sessions = {
		idFromName: (name: string) => namespace.idFromName(name),
		get: (id: DurableObjectId) => {
			const stub = namespace.get(id) as unknown as Record<string, (...args: unknown[]) => unknown>;
			return new Proxy(
				{},
				{
					get: (_target, method) =>
						method === "then"
							? undefined
							: (...args: unknown[]) => {
									objectCalls.push(String(method));
									return stub[method as string]?.(...args);
								},
				},
			);
		},
	};
	const deps: Deps = {
		db: createDb(d1),
		d1,
		kv: env.KEY_CACHE,
		env: new Proxy(env, { get: (t, k) => (k === "USER_SESSIONS" ? sessions : t[k as keyof Env]) }),
		now: Date.now,
		waitUntil: () => {},
	};
	return { deps, stats, objectCalls };
}

const historyCount = async (projectId: string) =>
	(
		await env.DB.prepare("SELECT count(*) AS n FROM login_history WHERE project_id = ?")
			.bind(projectId)
			.first<{
				n: number;
			}>()
	)?.n ?? 0;

/** Runs one refused sign-in and returns the work it did. */
async function workOf(projectId: string, attempt: (deps: Deps) => Promise<unknown>) {
	const derive = vi.spyOn(crypto.subtle, "deriveBits");
	const before = await historyCount(projectId);
	const { deps, stats, objectCalls } = instrumented();
	const error = await attempt(deps).then(
		() => null,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(DomainError);
	const checks = derive.mock.calls.map(([algorithm, , length]) => {
		const { name, hash, iterations } = algorithm as { name: string; hash: string; iterations: number };
		return { name, hash, iterations, length };
	});
	derive.mockRestore();
	return {
		answer: { code: (error as DomainError).code, message: (error as DomainError).message },
		checks,
		objectCalls,
		d1RoundTrips: stats.roundTrips,
		d1RowsWritten: stats.rowsWritten,
		historyRows: (await historyCount(projectId)) - before,
	};
}

async function projectWithUsers() {
	const p = await newProject();
	const api = mgmt(p);
	await createUser(api, { loginId: "alice", password: PASSWORD });
	await createUser(api, { loginId: "nopass" });
	return p;
}

const signIn = (projectId: string, loginId: string) => (deps: Deps) =>
	signInWithPassword(deps, projectId, { loginId, password: "Wrong-password-1" }, INFO);

it("an unknown login id does the work of a known one with a wrong password", async () => {
	const p = await projectWithUsers();
	// The stand-in hash is made once per isolate; make it before counting.
	await workOf(p.projectId, signIn(p.projectId, "warm-up"));
	const known = await workOf(p.projectId, signIn(p.projectId, "alice"));
	const unknown = await workOf(p.projectId, signIn(p.projectId, "nobody"));
	expect(known.checks).toEqual([
		{ name: "PBKDF2", hash: "SHA-256", iterations: ROSTER_ITERATIONS, length: 256 },
	]);
	expect(known.objectCalls).toEqual(["lockedUntil", "recordFailure"]);
	expect(known.historyRows).toBe(1);
	expect(unknown).toEqual(known);
});

it("a user without a password does the same work too", async () => {
	const p = await projectWithUsers();
	await workOf(p.projectId, signIn(p.projectId, "warm-up"));
	const known = await workOf(p.projectId, signIn(p.projectId, "alice"));
	const noPassword = await workOf(p.projectId, signIn(p.projectId, "nopass"));
	expect(noPassword).toEqual(known);
});

it("password replace does the same work for an unknown login id", async () => {
	const p = await projectWithUsers();
	const replace = (loginId: string) => (deps: Deps) =>
		replacePassword(
			deps,
			p.projectId,
			{ loginId, oldPassword: "Wrong-password-1", newPassword: "New-passw0rd!" },
			INFO,
		);
	await workOf(p.projectId, replace("warm-up"));
	const known = await workOf(p.projectId, replace("alice"));
	const unknown = await workOf(p.projectId, replace("nobody"));
	expect(known.checks).toHaveLength(1);
	expect(unknown).toEqual(known);
});

it("failures of unknown login ids lock nobody out", async () => {
	const p = await projectWithUsers();
	for (let i = 0; i < 12; i++) await workOf(p.projectId, signIn(p.projectId, `nobody-${i % 2}`));
	const res = await workOf(p.projectId, signIn(p.projectId, "nobody-0"));
	expect(res.answer.code).toBe("unauthorized");
});
