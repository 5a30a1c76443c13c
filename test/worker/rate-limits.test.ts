// Rate limits (docs/security.md): per management key, per client address on the sign-in routes,
// per client address on failed key authentications. This file runs in its own vitest project
// with the limits of wrangler.toml (vitest.config.ts); every test uses its own keys and addresses.
//
// Local counters (Miniflare) use fixed windows aligned to the clock, so each scenario runs inside
// one window: it waits for a fresh one when the current one is nearly over, and runs again with
// fresh keys and addresses if a window boundary still fell inside it.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RATE_LIMIT_PERIODS } from "../../src/api/rate-limit";
import {
	addManagementKey,
	bearer,
	type CallResult,
	call,
	expectDescopeError,
	expectStatus,
	mgmt,
	newProject,
	operatorHeaders,
	type TestProject,
	waitForCachedKey,
} from "./harness";
import { signIn } from "./support/sessions";
import { apikey, V4 } from "./v4-harness";

const LICENSE = "/v1/mgmt/license";
const LEGACY = "/api/management/user";

let nextAddress = 0;
/** A client address no other test uses (TEST-NET-3, RFC 5737). */
function freshIp(): string {
	nextAddress += 1;
	return `203.0.${113 + Math.floor(nextAddress / 250)}.${(nextAddress % 250) + 1}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const windowOf = (period: number) => Math.floor(Date.now() / (period * 1000));

/** Runs `scenario` so that it starts and ends in one window of `period` seconds. */
async function inOneWindow<T>(period: number, needsSeconds: number, scenario: () => Promise<T>): Promise<T> {
	for (let attempt = 0; attempt < 4; attempt++) {
		const left = period * 1000 - (Date.now() % (period * 1000));
		if (left < needsSeconds * 1000) await sleep(left + 50);
		const start = windowOf(period);
		const result = await scenario();
		if (windowOf(period) === start) return result;
	}
	throw new Error(`no run of the scenario fitted in one ${period}-second window`);
}

/** `n` calls at once; returns their statuses. */
async function statuses(n: number, send: () => Promise<CallResult>): Promise<number[]> {
	return (await Promise.all(Array.from({ length: n }, send))).map((r) => r.status);
}

const only = (list: number[], status: number) => list.every((s) => s === status);

function expectRetryAfter(res: CallResult, seconds: number) {
	expect(res.headers.get("retry-after"), JSON.stringify(res.body)).toBe(String(seconds));
}

it("runs with the limits of wrangler.toml, whose periods are the Retry-After the code sends", () => {
	const configured: { name: string; simple: unknown }[] = JSON.parse(
		(env as unknown as { CONFIGURED_RATE_LIMITS: string }).CONFIGURED_RATE_LIMITS,
	);
	// The numbers docs/security.md states and this file tests.
	expect(Object.fromEntries(configured.map((r) => [r.name, r.simple]))).toEqual({
		MGMT_RATE_LIMIT: { limit: 100, period: RATE_LIMIT_PERIODS.management },
		MGMT_RATE_LIMIT_HIGH: { limit: 1000, period: RATE_LIMIT_PERIODS.management },
		AUTH_RATE_LIMIT: { limit: 60, period: RATE_LIMIT_PERIODS.auth },
		KEY_FAILURE_RATE_LIMIT: { limit: 20, period: RATE_LIMIT_PERIODS.keyFailure },
	});
});

describe("per management key: 100 calls per 10 s", () => {
	it("answers the 101st call 429 with Retry-After in the Descope, v4 and legacy envelopes", async () => {
		const { counted, descope, jsonApi, legacy } = await inOneWindow(10, 6, async () => {
			const p = await newProject();
			const counted = await statuses(100, () => mgmt(p).get(LICENSE));
			const descope = await mgmt(p).get(LICENSE);
			const jsonApi = await call("GET", `${V4}/users`, { headers: apikey(p) });
			const legacy = await call("GET", LEGACY, { headers: apikey(p) });
			return { counted, descope, jsonApi, legacy };
		});
		expect(only(counted, 200), JSON.stringify(counted)).toBe(true);

		expectDescopeError(descope, 429, "E130429", "management key");
		expectRetryAfter(descope, 10);

		expect(jsonApi.status, JSON.stringify(jsonApi.body)).toBe(429);
		expect(jsonApi.body).toMatchObject({ errors: [{ status: "429", code: "rate_limited" }] });
		expectRetryAfter(jsonApi, 10);

		expect(legacy.status, JSON.stringify(legacy.body)).toBe(429);
		expect(legacy.body).toMatchObject({ error: "rate_limited", message: expect.any(String), errors: [] });
		expectRetryAfter(legacy, 10);
	});

	it("counts every dialect's calls with one key together", async () => {
		const { counted, last } = await inOneWindow(10, 6, async () => {
			const p = await newProject();
			const counted = [
				...(await statuses(50, () => call("GET", `${V4}/users`, { headers: apikey(p) }))),
				...(await statuses(50, () => mgmt(p).get(LICENSE))),
			];
			return { counted, last: await call("GET", LEGACY, { headers: apikey(p) }) };
		});
		expect(only(counted, 200), JSON.stringify(counted)).toBe(true);
		expect(last.status, JSON.stringify(last.body)).toBe(429);
	});

	it("leaves another key of the same project unaffected", async () => {
		const { limited, other } = await inOneWindow(10, 6, async () => {
			const p = await newProject();
			const second = await addManagementKey(p);
			await statuses(100, () => mgmt(p).get(LICENSE));
			return { limited: await mgmt(p).get(LICENSE), other: await mgmt(second).get(LICENSE) };
		});
		expectDescopeError(limited, 429, "E130429");
		expectStatus(other, 200);
	});

	it("lets a high-tier project's key past 100 calls, from the next call even when the key was cached", async () => {
		const p = await newProject();
		expectStatus(await mgmt(p).get(LICENSE), 200);
		await waitForCachedKey(p.managementKey);
		const patched = await call("PATCH", `/v1/operator/projects/${p.projectId}`, {
			body: { rateLimitTier: "high" },
			headers: operatorHeaders,
		});
		expect(expectStatus(patched, 200).project.rateLimitTier).toBe("high");

		const counted = await inOneWindow(10, 6, () => statuses(150, () => mgmt(p).get(LICENSE)));
		expect(only(counted, 200), JSON.stringify(counted)).toBe(true);
	});

	it("puts a project back on the standard tier", async () => {
		const p = await newProject();
		const setTier = (rateLimitTier: string) =>
			call("PATCH", `/v1/operator/projects/${p.projectId}`, {
				body: { rateLimitTier },
				headers: operatorHeaders,
			});
		expectStatus(await setTier("high"), 200);
		expectStatus(await mgmt(p).get(LICENSE), 200);
		await waitForCachedKey(p.managementKey);
		expect(expectStatus(await setTier("standard"), 200).project.rateLimitTier).toBe("standard");

		const last = await inOneWindow(10, 6, async () => {
			await statuses(100, () => mgmt(p).get(LICENSE));
			return mgmt(p).get(LICENSE);
		});
		expectDescopeError(last, 429, "E130429");
	});

	it("refuses an unknown tier with 400 naming the field, and shows the tier on load", async () => {
		const p = await newProject();
		const res = await call("PATCH", `/v1/operator/projects/${p.projectId}`, {
			body: { rateLimitTier: "unlimited" },
			headers: operatorHeaders,
		});
		expectDescopeError(res, 400, "E011004", "rateLimitTier");
		const loaded = expectStatus(
			await call("GET", `/v1/operator/projects/${p.projectId}`, { headers: operatorHeaders }),
			200,
		);
		expect(loaded.project.rateLimitTier).toBe("standard");
	});
});

describe("per client address on the sign-in routes: 60 requests per 60 s", () => {
	const spray = (p: TestProject, ip: string, i: number) =>
		signIn(p, `nobody-${i}@example.com`, "Guess-1234", {}, { "cf-connecting-ip": ip });

	it("answers spraying unknown users from one address 429 after 60, across projects; another address is unaffected", async () => {
		const [p, q] = [await newProject(), await newProject()];
		const { counted, limited, otherProject, otherIp } = await inOneWindow(60, 15, async () => {
			const ip = freshIp();
			let i = 0;
			const counted = [
				...(await statuses(30, () => spray(p, ip, i++))),
				...(await statuses(30, () => spray(q, ip, i++))),
			];
			return {
				counted,
				limited: await spray(p, ip, i++),
				otherProject: await spray(q, ip, i++),
				otherIp: await spray(p, freshIp(), i++),
			};
		});
		expect(counted.includes(429), JSON.stringify(counted)).toBe(false);
		expectDescopeError(limited, 429, "E130429", "address");
		expectRetryAfter(limited, 60);
		expectDescopeError(otherProject, 429, "E130429");
		expect(otherIp.status, JSON.stringify(otherIp.body)).not.toBe(429);
	});

	it("counts an IPv6 client per /64", async () => {
		const p = await newProject();
		const { counted, sameBlock, otherBlock } = await inOneWindow(60, 15, async () => {
			const block = `2001:db8:${nextAddress++}:${nextAddress++}`;
			let i = 0;
			const counted = await statuses(60, () => spray(p, `${block}::${(i % 0xffff).toString(16)}`, i++));
			return {
				counted,
				sameBlock: await spray(p, `${block}:ffff:1:2:3`, i++),
				otherBlock: await spray(p, `2001:db8:${nextAddress++}:0::1`, i++),
			};
		});
		expect(counted.includes(429), JSON.stringify(counted)).toBe(false);
		expectDescopeError(sameBlock, 429, "E130429");
		expect(otherBlock.status, JSON.stringify(otherBlock.body)).not.toBe(429);
	});

	it("does not count refresh, me or logout", async () => {
		const p = await newProject();
		const ip = freshIp();
		const res = await inOneWindow(60, 15, async () => {
			await statuses(70, () =>
				call("POST", "/v1/auth/refresh", {
					body: {},
					headers: { ...bearer(p, "not-a-jwt"), "cf-connecting-ip": ip },
				}),
			);
			return spray(p, ip, 0);
		});
		expect(res.status, JSON.stringify(res.body)).not.toBe(429);
	});
});

describe("per client address on failed key authentications: 20 per 60 s", () => {
	const wrongKey = (p: TestProject) => bearer(p, "rk_wrong");

	it("answers the 21st failure 429 in each dialect, then refuses even a correct key from that address for the window", async () => {
		const p = await newProject();
		const r = await inOneWindow(60, 15, async () => {
			const ip = freshIp();
			const from = { "cf-connecting-ip": ip };
			const failures = [
				...(await statuses(10, () => call("GET", LICENSE, { headers: { ...wrongKey(p), ...from } }))),
				...(await statuses(10, () =>
					call("GET", `${V4}/users`, { headers: { authorization: "Apikey rk_wrong", ...from } }),
				)),
			];
			return {
				failures,
				descope: await call("GET", LICENSE, { headers: { ...wrongKey(p), ...from } }),
				jsonApi: await call("GET", `${V4}/users`, { headers: { authorization: "Apikey rk_wrong", ...from } }),
				legacy: await call("GET", LEGACY, { headers: { authorization: "Apikey rk_wrong", ...from } }),
				correct: await mgmt(p, from).get(LICENSE),
				correctV4: await call("GET", `${V4}/users`, { headers: { ...apikey(p), ...from } }),
				elsewhere: await mgmt(p, { "cf-connecting-ip": freshIp() }).get(LICENSE),
			};
		});
		expect(only(r.failures, 401), JSON.stringify(r.failures)).toBe(true);

		expectDescopeError(r.descope, 429, "E130429", "failed authentications");
		expectRetryAfter(r.descope, 60);
		expect(r.jsonApi.status, JSON.stringify(r.jsonApi.body)).toBe(429);
		expect(r.jsonApi.body).toMatchObject({ errors: [{ status: "429", code: "rate_limited" }] });
		expectRetryAfter(r.jsonApi, 60);
		expect(r.legacy.status, JSON.stringify(r.legacy.body)).toBe(429);
		expect(r.legacy.body).toMatchObject({ error: "rate_limited" });
		expectRetryAfter(r.legacy, 60);

		expectDescopeError(r.correct, 429, "E130429");
		expectRetryAfter(r.correct, 60);
		expect(r.correctV4.status, JSON.stringify(r.correctV4.body)).toBe(429);
		expectStatus(r.elsewhere, 200);
	});

	it("does not count successful authentications", async () => {
		const p = await newProject();
		const res = await inOneWindow(60, 15, async () => {
			const from = { "cf-connecting-ip": freshIp() };
			await statuses(19, () => call("GET", LICENSE, { headers: { ...wrongKey(p), ...from } }));
			await statuses(30, () => mgmt(p, from).get(LICENSE));
			return call("GET", LICENSE, { headers: { ...wrongKey(p), ...from } });
		});
		expectDescopeError(res, 401, "E011401");
	});

	it("counts wrong operator keys too", async () => {
		const { failures, last } = await inOneWindow(60, 15, async () => {
			const headers = { authorization: "Bearer not-the-operator-key", "cf-connecting-ip": freshIp() };
			const failures = await statuses(20, () => call("GET", "/v1/operator/projects", { headers }));
			return { failures, last: await call("GET", "/v1/operator/projects", { headers }) };
		});
		expect(only(failures, 401), JSON.stringify(failures)).toBe(true);
		expectDescopeError(last, 429, "E130429");
		expectRetryAfter(last, 60);
	});
});
