// The driving that the bearer-key dialects' contract suites share (partner-contract.test.ts,
// scim-contract.test.ts), as auth-contract.test.ts and fuzz.test.ts do it for the others: the
// projects and keys behind every bad credential, the "is routed" check, and the fuzz property
// (never a 5xx; a refused request answers in the dialect's envelope and changes nothing).
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, expect, it } from "vitest";
import {
	addManagementKey,
	call,
	expectStatus,
	mgmt,
	newProject,
	operatorHeaders,
	sha256Hex,
	type TestProject,
} from "../harness";
import { sendTo } from "./auth-contract-routes";
import { type Answer, changedTables, describeExchange, sendRaw, snapshot } from "./fuzz-check";
import type { Operation } from "./fuzz-openapi";
import type { FuzzProject } from "./fuzz-project";
import type { FuzzRequest } from "./fuzz-requests";

export const auth = (value: string) => ({ authorization: value });
/** `Authorization: Bearer <key>`, the form both dialects take. */
export const key = (p: TestProject) => auth(`Bearer ${p.managementKey}`);

/** Project A with an inactive, an expired and an IP-bound key; B; a control project; a deleted one. */
export interface CredentialProjects {
	a: TestProject;
	b: TestProject;
	control: TestProject;
	inactive: TestProject;
	expired: TestProject;
	ipBound: TestProject;
	gone: TestProject;
}

/**
 * Registers the beforeAll that makes the CredentialProjects (named after `suite`); the deleted
 * project's key reads `probe` once before the project goes, so that its cached copy is tested too.
 */
export function credentialProjects(suite: string, probe: string): CredentialProjects {
	const made = {} as CredentialProjects;
	beforeAll(async () => {
		made.a = await newProject(`${suite} A`);
		made.b = await newProject(`${suite} B`);
		made.control = await newProject(`${suite} control`);
		const a = made.a;
		const inactive = await addManagementKey(a, { name: "inactive" });
		expectStatus(
			await mgmt(a).patch("/v1/mgmt/managementkey", {
				id: inactive.keyId,
				name: "inactive",
				status: "inactive",
			}),
			200,
		);
		made.inactive = inactive;
		// As in auth-contract.test.ts: the stored expiry is moved into the past and the cached copy dropped.
		const soon = await addManagementKey(a, { name: "expired", expiresIn: 3600 });
		await env.DB.prepare("UPDATE management_keys SET expires_at = ? WHERE id = ?")
			.bind(Date.now() - 60_000, soon.keyId)
			.run();
		await env.KEY_CACHE.delete(`mgmt-key:${await sha256Hex(soon.managementKey)}`);
		made.expired = soon;
		made.ipBound = await addManagementKey(a, { name: "ip-bound", permittedIps: ["10.0.0.0/8"] });
		made.gone = await newProject(`${suite} deleted`);
		expectStatus(await call("GET", probe, { headers: key(made.gone) }), 200);
		expectStatus(
			await call("DELETE", `/v1/operator/projects/${made.gone.projectId}`, { headers: operatorHeaders }),
			200,
		);
	});
	return made;
}

export interface CredentialCase {
	name: string;
	status: 401 | 403;
	headers: () => Record<string, string>;
	message?: string;
}

/** Every credential a bearer-key dialect refuses, with the status and a word of the message. */
export const badCredentials = (k: CredentialProjects): CredentialCase[] => [
	{ name: "no Authorization header", status: 401, headers: () => ({}) },
	{ name: "empty Authorization header", status: 401, headers: () => auth("") },
	{ name: "no scheme", status: 401, headers: () => auth(k.a.managementKey) },
	{ name: "another scheme (Apikey)", status: 401, headers: () => auth(`Apikey ${k.a.managementKey}`) },
	{ name: "another scheme (Basic)", status: 401, headers: () => auth(`Basic ${btoa(k.a.managementKey)}`) },
	{ name: "'Bearer' without a key", status: 401, headers: () => auth("Bearer ") },
	{
		name: "the Descope form <projectId>:<key>",
		status: 401,
		headers: () => auth(`Bearer ${k.a.projectId}:${k.a.managementKey}`),
	},
	{ name: "wrong key", status: 401, headers: () => auth("Bearer rk_wrong") },
	{ name: "the key with a suffix", status: 401, headers: () => auth(`Bearer ${k.a.managementKey}x`) },
	{ name: "inactive key", status: 401, headers: () => key(k.inactive), message: "inactive" },
	{ name: "expired key", status: 401, headers: () => key(k.expired), message: "expired" },
	{ name: "the key of a deleted project", status: 401, headers: () => key(k.gone) },
	{
		name: "client IP outside permittedIps",
		status: 403,
		headers: () => ({ ...key(k.ipBound), "cf-connecting-ip": "192.0.2.1" }),
		message: "IP",
	},
	{
		name: "no client IP for a key with permittedIps",
		status: 403,
		headers: () => key(k.ipBound),
		message: "IP",
	},
];

/** Registers the test that a valid key reaches the operation: no auth error, no "no route" 404, no 5xx. */
export function itIsRouted(op: Operation, headers: () => Record<string, string>) {
	it("is routed for a valid key: no auth error, no 'no route' 404, no 5xx", async () => {
		const res = await sendTo(op, headers());
		const text = JSON.stringify(res.body);
		expect([401, 403], text).not.toContain(res.status);
		expect(res.status, text).toBeLessThan(500);
		if (res.status === 404) expect(text).not.toContain("No route");
	});
}

// FUZZ_RUNS=<n> runs each property longer; FUZZ_SEED=<n> replays a run (as in fuzz.test.ts).
const settings = env as unknown as { FUZZ_RUNS?: string; FUZZ_SEED?: string };
const integer = (value: string | undefined) => {
	const n = Number.parseInt(value ?? "", 10);
	return Number.isNaN(n) ? undefined : n;
};
export const FUZZ_RUNS = Math.max(1, integer(settings.FUZZ_RUNS) ?? 12);
const FUZZ_SEED = integer(settings.FUZZ_SEED) ?? 20_261_202;
export const FUZZ_TIMEOUT = 30_000 + FUZZ_RUNS * 2_000;

/**
 * Sends `requests` to project `p`'s routes: never a 5xx; a success moves the baseline on; every
 * 4xx is in the envelope `problem` accepts (null) and changes none of the project's rows.
 */
export async function fuzzProperty(
	p: FuzzProject,
	requests: fc.Arbitrary<FuzzRequest>,
	problem: (answer: Answer) => string | null,
	index: number,
	runs = FUZZ_RUNS,
) {
	const state = { before: await snapshot(p.projectId) };
	await fc.assert(
		fc.asyncProperty(requests, async (req) => {
			const answer = await sendRaw(req);
			const where = describeExchange(req, answer);
			expect(answer.status, where).toBeLessThan(500);
			if (answer.status < 400) {
				state.before = await snapshot(p.projectId);
				return;
			}
			expect(problem(answer), where).toBeNull();
			expect(changedTables(state.before, await snapshot(p.projectId)), where).toEqual([]);
		}),
		{ numRuns: runs, seed: FUZZ_SEED + index, endOnFailure: true },
	);
}
