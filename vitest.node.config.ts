import { defineConfig } from "vitest/config";

// Tests that run in Node and drive real clients (the Descope SDK) against a Worker started by the test.
export default defineConfig({
	test: {
		include: ["test/node/**/*.test.ts"],
		globalSetup: ["./test/node/global-setup.ts"],
		testTimeout: 30_000,
		hookTimeout: 120_000,
	},
});
