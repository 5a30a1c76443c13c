import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests that run inside workerd against the Worker's own bindings (D1, KV, Durable Objects).
export default defineConfig(async () => {
	const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
	return {
		plugins: [
			cloudflareTest({
				wrangler: { configPath: "./wrangler.jsonc" },
				miniflare: {
					bindings: { TEST_MIGRATIONS: migrations, OPERATOR_KEY: "test-operator-key" },
				},
			}),
		],
		test: {
			include: ["test/worker/**/*.test.ts"],
			setupFiles: ["./test/worker/apply-migrations.ts"],
		},
	};
});
