import { defineConfig } from "drizzle-kit";

// One flat migrations folder, read by wrangler (`migrations_dir`) and by the tests (`readD1Migrations`).
export default defineConfig({
	dialect: "sqlite",
	schema: "./src/db/schema/index.ts",
	out: "./migrations",
	migrations: { prefix: "index" },
});
