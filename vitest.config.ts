import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// The rate-limit tests need the production limits and counters of their own.
const RATE_LIMIT_TESTS = "test/worker/rate-limits.test.ts";

interface RateLimitBinding {
	name: string;
	namespace_id: string;
	simple: { limit: number; period: 10 | 60 };
}

/** The `ratelimits` of wrangler.toml. */
async function configuredRateLimits(): Promise<RateLimitBinding[]> {
	const { unstable_readConfig } = await import("wrangler");
	return unstable_readConfig({ config: "./wrangler.toml" }).ratelimits;
}

// Every other test file shares one runtime, and so one set of rate-limit counters, with requests that
// mostly carry no client address: there each binding keeps its name, namespace and period but gets a
// limit no test can reach.
const raised = (limits: RateLimitBinding[]): Record<string, Omit<RateLimitBinding, "name">> =>
	Object.fromEntries(
		limits.map((r) => [
			r.name,
			{ namespace_id: r.namespace_id, simple: { limit: 1_000_000_000, period: r.simple.period } },
		]),
	);

// Tests that run inside workerd against the Worker's own bindings (D1, KV, Durable Objects).
export default defineConfig(async () => {
	const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
	const rateLimits = await configuredRateLimits();
	const worker = (
		miniflare: { ratelimits?: ReturnType<typeof raised>; bindings?: Record<string, unknown> } = {},
	) =>
		cloudflareTest({
			wrangler: { configPath: "./wrangler.toml" },
			miniflare: {
				bindings: {
					TEST_MIGRATIONS: migrations,
					OPERATOR_KEY: "test-operator-key",
					// 32 bytes, base64url (docs/webhooks.md, docs/console.md).
					WEBHOOK_ENCRYPTION_KEY: "dGVzdC13ZWJob29rLWVuY3J5cHRpb24ta2V5LTMyYnk",
					CONSOLE_SESSION_KEY: "dGVzdC1jb25zb2xlLXNlc3Npb24ta2V5LTMyYnl0ZXM",
					IDP_ENCRYPTION_KEY: "dGVzdC1pZHAtZW5jcnlwdGlvbi1rZXktMzJieXRlcyE",
					// Webhook tests deliver to loopback receivers; federation tests use a loopback provider.
					IDP_ALLOW_LOOPBACK: "true",
					WEBHOOKS_ALLOW_LOOPBACK: "true",
					// Tests call http://roster.test (harness.ts BASE): links and JWT issuers name it.
					PUBLIC_ORIGIN: "http://roster.test",
					// test/worker/fuzz.test.ts: more runs per property, or a replayed seed.
					FUZZ_RUNS: process.env.FUZZ_RUNS ?? "",
					FUZZ_SEED: process.env.FUZZ_SEED ?? "",
					...miniflare.bindings,
				},
				...(miniflare.ratelimits ? { ratelimits: miniflare.ratelimits } : {}),
			},
		});
	const test = { setupFiles: ["./test/worker/apply-migrations.ts"] };
	return {
		test: {
			projects: [
				{
					plugins: [worker({ ratelimits: raised(rateLimits) })],
					test: {
						...test,
						name: "worker",
						include: ["test/worker/**/*.test.ts"],
						exclude: [RATE_LIMIT_TESTS],
					},
				},
				{
					// The configured limits, also as JSON: the tests check the code's periods against them.
					plugins: [worker({ bindings: { CONFIGURED_RATE_LIMITS: JSON.stringify(rateLimits) } })],
					// A scenario may wait for a fresh window (up to a minute) before it runs.
					test: { ...test, name: "rate-limits", include: [RATE_LIMIT_TESTS], testTimeout: 180_000 },
				},
			],
		},
	};
});
