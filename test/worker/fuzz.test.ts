// Property-based fuzzing of every operation of every dialect, derived from the Worker's own OpenAPI
// documents (docs/security.md, "Fuzzing"): broken requests never get a 5xx, every refusal answers
// in the dialect's envelope, and a refused request changes none of the project's rows.
// FUZZ_RUNS=<n> runs each property longer; FUZZ_SEED=<n> replays a run.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
	changedTables,
	describeExchange,
	dialectOf,
	envelopeProblem,
	sendRaw,
	snapshot,
} from "./support/fuzz-check";
import { type Dialect, loadOperations, type Operation } from "./support/fuzz-openapi";
import { authHeaders, type FuzzProject, fuzzProject, mayWrite, pathValues } from "./support/fuzz-project";
import { type FuzzRequest, fuzzRequest, strayRequest } from "./support/fuzz-requests";

const settings = env as unknown as { FUZZ_RUNS?: string; FUZZ_SEED?: string };
/** Runs per property in `npm test`: enough to try most kinds of breakage on every operation. */
const DEFAULT_RUNS = 12;
const integer = (value: string | undefined) => {
	const n = Number.parseInt(value ?? "", 10);
	return Number.isNaN(n) ? undefined : n;
};
const RUNS = Math.max(1, integer(settings.FUZZ_RUNS) ?? DEFAULT_RUNS);
const SEED = integer(settings.FUZZ_SEED) ?? 20_261_202;
console.log(`fuzz: seed ${SEED}, ${RUNS} runs per property (set FUZZ_SEED / FUZZ_RUNS to change)`);

const operations = await loadOperations();
/** Long runs get proportionally more time; the default keeps each property within seconds. */
const TIMEOUT = 30_000 + RUNS * 2_000;

type Allowed = ReturnType<typeof mayWrite>;

/** Sends one request and checks it; `state.before` is the project's rows after the last success. */
async function check(
	p: FuzzProject,
	req: FuzzRequest,
	state: { before: Awaited<ReturnType<typeof snapshot>> },
	allowed: Allowed,
) {
	const answer = await sendRaw(req);
	const where = describeExchange(req, answer);
	expect(answer.status, where).toBeLessThan(500);
	if (answer.status < 400) {
		state.before = await snapshot(p.projectId, allowed.columns);
		return;
	}
	expect(envelopeProblem(dialectOf(req.url), answer), where).toBeNull();
	const after = await snapshot(p.projectId, allowed.columns);
	expect(changedTables(state.before, after, allowed.tables), where).toEqual([]);
}

async function fuzz(
	name: string,
	index: number,
	arbitrary: (p: FuzzProject) => fc.Arbitrary<FuzzRequest>,
	allowed: Allowed = { tables: [], columns: [] },
) {
	const p = await fuzzProject(`fuzz ${name}`);
	const state = { before: await snapshot(p.projectId, allowed.columns) };
	await fc.assert(
		fc.asyncProperty(arbitrary(p), (req) => check(p, req, state, allowed)),
		// Each request changes the project, so shrinking would replay against other rows: the first
		// failure is reported as it was sent.
		{ numRuns: RUNS, seed: SEED + index, endOnFailure: true },
	);
}

const DIALECTS: Dialect[] = ["descope", "v4", "legacy", "operator"];
let index = 0;

describe.each(DIALECTS)("%s", (dialect) => {
	const ops: Operation[] = operations[dialect];

	it("has operations to fuzz", () => {
		expect(ops.length).toBeGreaterThan(0);
	});

	for (const op of ops) {
		const seedIndex = index++;
		it(`${op.method} ${op.path}`, { timeout: TIMEOUT }, () =>
			fuzz(
				`${op.method} ${op.path}`,
				seedIndex,
				(p) =>
					fuzzRequest({
						op,
						pool: p.pool,
						headers: authHeaders(dialect, op.path, p),
						pathValues: pathValues(p),
					}),
				mayWrite(op),
			),
		);
	}
});

const PREFIXES: [Dialect, string][] = [
	["descope", "/v1/mgmt"],
	["descope", "/v2/mgmt"],
	["descope", "/v1/auth"],
	["descope", "/v2/keys"],
	["v4", "/api/user/management/v4"],
	["legacy", "/api/management/user"],
	["operator", "/v1/operator"],
	["descope", ""],
];

describe("unknown routes and wrong methods", () => {
	for (const [dialect, prefix] of PREFIXES) {
		const seedIndex = index++;
		it(`under ${prefix || "/"}`, { timeout: TIMEOUT }, () =>
			fuzz(
				`stray ${prefix}`,
				seedIndex,
				(p) => strayRequest(prefix, operations[dialect], authHeaders(dialect, `${prefix}/`, p)),
				mayWrite({ path: `${prefix}/` }),
			),
		);
	}
});

describe("the oracle", () => {
	it("the snapshot sees the seeded rows and notices a change", async () => {
		const p = await fuzzProject("fuzz oracle");
		const before = await snapshot(p.projectId);
		for (const table of [
			"projects",
			"users",
			"tenants",
			"roles",
			"management_keys",
			"custom_attribute_definitions",
		]) {
			expect(before[table]?.count, table).toBe(1);
		}
		expect(changedTables(before, await snapshot(p.projectId))).toEqual([]);
		const res = await sendRaw({
			method: "POST",
			url: "/v1/mgmt/user/update/name",
			headers: { ...authHeaders("descope", "/v1/mgmt/", p), "content-type": "application/json" },
			body: JSON.stringify({ loginId: "fuzz@example.com", displayName: "changed" }),
			kind: "oracle",
		});
		expect(res.status, res.text).toBe(200);
		// The change and its entry in the change log (docs/audit.md).
		expect(changedTables(before, await snapshot(p.projectId))).toEqual([
			"users (1 → 1 rows)",
			expect.stringMatching(/^change_log \(\d+ → \d+ rows\)$/),
		]);
	});
});

// Cases the fuzz suite found, kept as they were sent.
describe("regressions", () => {
	// Found with FUZZ_SEED=7 FUZZ_RUNS=100 (issue 8 item 4, JSON depth): SQLite's JSON functions
	// refuse nesting past 1,000 levels, so the value must be refused before it reaches json_each.
	it.each([1001, 3000])(
		"a tenant search for a custom attribute value nested %i deep is a 400",
		async (depth) => {
			const p = await fuzzProject("fuzz regression tenant search depth");
			const deep = `${'{"a":['.repeat(depth)}1${"]}".repeat(depth)}`;
			const req = {
				method: "POST",
				url: "/v1/mgmt/tenant/search",
				headers: { ...authHeaders("descope", "/v1/mgmt/", p), "content-type": "application/json" },
				body: `{"customAttributes":{"a":${deep}}}`,
				kind: "regression",
			};
			const answer = await sendRaw(req);
			expect(answer.status, describeExchange(req, answer)).toBe(400);
			expect(envelopeProblem("descope", answer), describeExchange(req, answer)).toBeNull();
		},
	);

	it("an unknown route under the legacy prefix answers in the legacy envelope", async () => {
		const p = await fuzzProject("fuzz regression legacy 404");
		// A known path under another method is a 405 (src/api/method-not-allowed.ts), still in the envelope.
		for (const [method, url, status] of [
			["PROPFIND", "/api/management/user/v5", 405],
			["GET", "/api/management/user/a/b", 404],
			["POST", "/api/management/user/x/y", 404],
		] as const) {
			const req = { method, url, headers: authHeaders("legacy", url, p), body: "{}", kind: "regression" };
			const answer = await sendRaw(req);
			expect(answer.status, describeExchange(req, answer)).toBe(status);
			expect(envelopeProblem("legacy", answer), describeExchange(req, answer)).toBeNull();
		}
	});
});
