// `npm run check:migrations`: fails when src/db/schema/ has changes that no migration in migrations/ covers.
// It runs `drizzle-kit generate` against a copy of migrations/ in a temp dir and fails if that writes anything;
// the real migrations/ folder is never touched. Also checks that every .sql file is in meta/_journal.json
// and the other way round (wrangler applies the .sql files, drizzle-kit diffs against the snapshots).
//
// Usage: node scripts/check-migrations.mjs [--schema <path>] [--migrations <dir>]
// Both options exist to try the check against edited copies; the defaults come from drizzle.config.ts.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const drizzleConfig = join(root, "drizzle.config.ts");
const drizzleKitBin = join(root, "node_modules", "drizzle-kit", "bin.cjs");
// drizzle-kit waits for an answer when a change could be a rename; we cannot answer, so stop waiting.
const TIMEOUT_MS = 120_000;

class CheckFailed extends Error {}

function fail(message) {
	throw new CheckFailed(message);
}

function parseArgs(argv) {
	const args = { schema: undefined, migrations: join(root, "migrations") };
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === "--schema" && argv[i + 1]) args.schema = resolve(argv[++i]);
		else if (argv[i] === "--migrations" && argv[i + 1]) args.migrations = resolve(argv[++i]);
		else
			fail(
				`unknown argument ${argv[i]}\nusage: node scripts/check-migrations.mjs [--schema <path>] [--migrations <dir>]`,
			);
	}
	return args;
}

function checkJournal(migrationsDir) {
	const journalPath = join(migrationsDir, "meta", "_journal.json");
	if (!existsSync(journalPath)) fail(`${journalPath} is missing`);
	const tags = new Set(JSON.parse(readFileSync(journalPath, "utf8")).entries.map((e) => e.tag));
	const files = new Set(
		readdirSync(migrationsDir)
			.filter((f) => f.endsWith(".sql"))
			.map((f) => f.slice(0, -4)),
	);
	const problems = [
		...[...files].filter((f) => !tags.has(f)).map((f) => `migrations/${f}.sql is not in meta/_journal.json`),
		...[...tags]
			.filter((t) => !files.has(t))
			.map((t) => `meta/_journal.json lists ${t} but migrations/${t}.sql is missing`),
	];
	if (problems.length > 0) {
		fail(
			`${problems.join("\n")}\nCreate migrations with \`npm run db:generate -- --name <name>\` ` +
				"(add --custom for hand-written SQL) instead of adding or renaming files by hand.",
		);
	}
}

function listFiles(dir, prefix = "") {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
		e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
	);
}

function run(command, args) {
	return new Promise((resolvePromise) => {
		const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
		let output = "";
		child.stdout.on("data", (d) => {
			output += d;
		});
		child.stderr.on("data", (d) => {
			output += d;
		});
		const timer = setTimeout(() => {
			child.kill("SIGKILL");
			resolvePromise({ code: null, timedOut: true, output });
		}, TIMEOUT_MS);
		child.on("error", (err) => {
			clearTimeout(timer);
			resolvePromise({ code: null, timedOut: false, output: `${output}\n${err.message}` });
		});
		child.on("close", (code) => {
			clearTimeout(timer);
			resolvePromise({ code, timedOut: false, output });
		});
	});
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	if (!existsSync(drizzleKitBin))
		fail("drizzle-kit is not installed; run `npm install --no-audit --no-fund`");
	checkJournal(args.migrations);

	const tmp = mkdtempSync(join(tmpdir(), "roster-check-migrations-"));
	try {
		const out = join(tmp, "migrations");
		cpSync(args.migrations, out, { recursive: true });
		const before = new Set(listFiles(out));
		// drizzle-kit prefixes `out` with "./", so it must be relative to the repo root.
		const overrides = [`out: ${JSON.stringify(relative(root, out))}`];
		if (args.schema) overrides.push(`schema: ${JSON.stringify(args.schema)}`);
		const config = join(tmp, "drizzle.config.ts");
		writeFileSync(
			config,
			`import base from ${JSON.stringify(drizzleConfig)};\nexport default { ...base, ${overrides.join(", ")} };\n`,
		);

		const result = await run(process.execPath, [drizzleKitBin, "generate", "--config", config]);
		const added = listFiles(out).filter((f) => !before.has(f));
		const sql = added.filter((f) => f.endsWith(".sql"));

		if (result.timedOut) {
			fail(
				"drizzle-kit generate did not finish (it is probably asking whether a change is a rename), " +
					"so the schema has changes without a migration.\n" +
					"Run `npm run db:generate -- --name <name>` and answer its questions.",
			);
		}
		if (/Interactive prompts require a TTY/i.test(result.output)) {
			fail(
				"drizzle-kit needs to ask whether a schema change is a rename, so src/db/schema has changes " +
					"with no migration in migrations/.\nRun `npm run db:generate -- --name <name>` in a terminal and answer its questions.",
			);
		}
		if (added.length > 0) {
			const shown = sql.map((f) => `--- ${f}\n${readFileSync(join(out, f), "utf8").trim()}`).join("\n");
			fail(
				`src/db/schema has changes with no migration in migrations/. drizzle-kit would write:\n${shown || added.join("\n")}\n\n` +
					"Run `npm run db:generate -- --name <name>` and commit the new files.",
			);
		}
		// drizzle-kit exits 0 even when it fails (bad config, broken snapshot), so require its all-clear.
		if (result.code !== 0 || !/No schema changes/i.test(result.output)) {
			fail(
				`drizzle-kit generate did not confirm the schema is in sync (exit ${result.code}):\n${result.output.trim()}`,
			);
		}
		console.log("check:migrations: migrations/ is in sync with src/db/schema");
	} finally {
		rmSync(tmp, { recursive: true, force: true });
	}
}

try {
	await main();
} catch (err) {
	if (!(err instanceof CheckFailed)) throw err;
	console.error(`check:migrations: ${err.message}`);
	process.exitCode = 1;
}
