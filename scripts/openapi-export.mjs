// Starts the Worker offline (throw-away state, random secrets, a free port), saves every OpenAPI
// document the reference pages list to dist/openapi/<dialect>.json and lints them with
// `redocly lint` (rules: redocly.yaml). `npm run check:openapi`; docs/api-reference.md.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "openapi");
const HOST = "127.0.0.1";
const lint = !process.argv.includes("--no-lint");

function freePort() {
	return new Promise((resolvePort, reject) => {
		const server = createServer();
		server.unref();
		server.on("error", reject);
		server.listen(0, HOST, () => {
			const address = server.address();
			server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
		});
	});
}

async function getJson(url) {
	const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
	const text = await res.text();
	if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 500)}`);
	return JSON.parse(text);
}

const tempDir = mkdtempSync(join(tmpdir(), "roster-openapi-"));
// Wrangler's logs and registry stay in the temp dir and it sends no metrics (read at import time).
Object.assign(process.env, {
	WRANGLER_SEND_METRICS: "false",
	WRANGLER_LOG_PATH: join(tempDir, "logs"),
	WRANGLER_REGISTRY_PATH: join(tempDir, "registry"),
	// Offline: no download of the Request.cf placeholder from workers.cloudflare.com.
	CLOUDFLARE_CF_FETCH_ENABLED: "false",
});
const removeTempDir = () => rmSync(tempDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
// Wrangler flushes its last log lines a moment after dispose(): sweep again when the process exits.
process.once("exit", removeTempDir);
const secret = () => ({ type: "secret_text", value: randomBytes(32).toString("base64url") });

let worker;
const files = [];
try {
	const { unstable_startWorker } = await import("wrangler");
	worker = await unstable_startWorker({
		config: join(root, "wrangler.toml"),
		// A file that does not exist: the developer's .dev.vars stays out of the documents.
		envFiles: [join(tempDir, "none.env")],
		bindings: {
			OPERATOR_KEY: secret(),
			WEBHOOK_ENCRYPTION_KEY: secret(),
			CONSOLE_SESSION_KEY: secret(),
			IDP_ENCRYPTION_KEY: secret(),
		},
		dev: {
			remote: false,
			persist: join(tempDir, "state"),
			server: { hostname: HOST, port: await freePort() },
			inspector: false,
			watch: false,
			liveReload: false,
			generateTypes: false,
			logLevel: "warn",
		},
	});
	await worker.ready;
	const origin = (await worker.url).origin;
	const { dialects } = await getJson(`${origin}/docs/index.json`);
	rmSync(out, { recursive: true, force: true });
	mkdirSync(out, { recursive: true });
	for (const dialect of dialects) {
		const file = join(out, `${dialect.id}.json`);
		writeFileSync(file, `${JSON.stringify(await getJson(`${origin}${dialect.document}`), null, 2)}\n`);
		files.push(file);
	}
	console.log(`[openapi] wrote ${files.map((f) => f.slice(root.length + 1)).join(", ")}`);
} finally {
	await worker?.dispose();
	await new Promise((r) => setTimeout(r, 200));
	try {
		removeTempDir();
	} catch {
		// Still being written to: the exit handler removes it.
	}
}

if (lint) {
	const redocly = join(root, "node_modules", "@redocly", "cli", "bin", "cli.js");
	const run = spawnSync(
		process.execPath,
		[redocly, "lint", "--config", join(root, "redocly.yaml"), ...files],
		{
			cwd: root,
			stdio: "inherit",
			env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
		},
	);
	process.exit(run.status ?? 1);
}
