// Starts the Roster Worker once for the Node test run (local mode, throw-away storage, random operator key)
// and hands its URL and operator key to the tests through `inject()`.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import type { unstable_startWorker } from "wrangler";
import { expectNoSecretsInLog } from "./log-secrets.js";

declare module "vitest" {
	export interface ProvidedContext {
		/** e.g. `http://127.0.0.1:41234`, no trailing slash */
		baseUrl: string;
		/** the OPERATOR_KEY secret the Worker was started with */
		operatorKey: string;
	}
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const HOST = "127.0.0.1";
const HEALTH_TIMEOUT_MS = 60_000;

type Worker = Awaited<ReturnType<typeof unstable_startWorker>>;

/** Asks the OS for a free port on HOST (released right away; wrangler binds it a moment later). */
function freePort(): Promise<number> {
	return new Promise((resolvePort, reject) => {
		const server = createServer();
		server.unref();
		server.on("error", reject);
		server.listen(0, HOST, () => {
			const address = server.address();
			const port = typeof address === "object" && address ? address.port : 0;
			server.close(() => resolvePort(port));
		});
	});
}

/**
 * Wrangler's own files (debug logs, dev registry) go to the run's temp dir instead of ~/.config/.wrangler,
 * and it sends no metrics. Set before wrangler is loaded: it reads some of these at import time.
 */
function wranglerEnv(tempDir: string) {
	return {
		WRANGLER_SEND_METRICS: "false",
		WRANGLER_LOG_PATH: join(tempDir, "logs"),
		WRANGLER_REGISTRY_PATH: join(tempDir, "registry"),
	};
}

/** Wrangler needs Node 22; `npm run` puts the `node@22` devDependency first on PATH, a bare `vitest` may not. */
function nodeForWrangler(): string {
	if (Number(process.versions.node.split(".")[0]) >= 22) return process.execPath;
	const local = join(root, "node_modules", ".bin", process.platform === "win32" ? "node.cmd" : "node");
	return existsSync(local) ? local : process.execPath;
}

/** `wrangler d1 migrations apply DB --local --persist-to <dir>`, the same command `npm run dev` uses. */
function applyMigrations(persistTo: string): Promise<void> {
	const bin = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
	const args = [bin, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo];
	return new Promise((resolveRun, reject) => {
		const child = spawn(nodeForWrangler(), args, {
			cwd: root,
			// CI=true skips wrangler's confirmation prompt.
			env: { ...process.env, CI: "true" },
			stdio: ["ignore", "pipe", "pipe"],
		});
		let output = "";
		child.stdout.on("data", (chunk) => {
			output += chunk;
		});
		child.stderr.on("data", (chunk) => {
			output += chunk;
		});
		child.on("error", reject);
		child.on("exit", (code) => {
			if (code === 0) resolveRun();
			else reject(new Error(`wrangler d1 migrations apply exited with ${code}:\n${output}`));
		});
	});
}

/** Polls GET /health; gives up early when wrangler reported a failure (a build error, for instance). */
async function waitForHealth(baseUrl: string, failure: () => string | undefined): Promise<void> {
	const deadline = Date.now() + HEALTH_TIMEOUT_MS;
	let last = "no answer";
	while (Date.now() < deadline) {
		const reported = failure();
		if (reported) throw new Error(`the Worker did not start: ${reported}`);
		try {
			const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5_000) });
			last = `${res.status} ${await res.text()}`;
			if (res.status === 200) return;
		} catch (err) {
			last = String(err);
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	throw new Error(
		`GET ${baseUrl}/health did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000}s (last: ${last})`,
	);
}

export default async function setup(project: TestProject) {
	const tempDir = mkdtempSync(join(tmpdir(), "roster-node-tests-"));
	const persistTo = join(tempDir, "state");
	Object.assign(process.env, wranglerEnv(tempDir));
	const operatorKey = randomBytes(24).toString("base64url");
	let worker: Worker | undefined;

	const removeTempDir = () =>
		rmSync(tempDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
	// Wrangler flushes its last debug-log lines a moment after dispose(); sweep again when the process exits.
	process.once("exit", removeTempDir);
	// After a run that started, the change log is checked for secrets (docs/audit.md): a finding throws,
	// and vitest fails the run on an error in a global teardown.
	const teardown = async (checkLog: boolean) => {
		const started = worker !== undefined;
		await worker?.dispose();
		worker = undefined;
		await new Promise((r) => setTimeout(r, 200));
		try {
			if (checkLog && started) {
				const { rows } = await expectNoSecretsInLog({ root, node: nodeForWrangler(), persistTo });
				console.log(`[change log] ${rows} rows, no secret in any`);
			}
		} finally {
			removeTempDir();
		}
	};

	try {
		await applyMigrations(persistTo);
		const port = await freePort();
		const { unstable_DevEnv, unstable_readConfig } = await import("wrangler");
		// Every Node test calls from this machine's address, so the per-address limits would be shared by
		// the whole run: each binding keeps its namespace and period with a limit no test reaches
		// (test/worker/rate-limits.test.ts tests the real ones).
		const raisedRateLimits = Object.fromEntries(
			unstable_readConfig({ config: join(root, "wrangler.toml") }).ratelimits.map(
				(r: { name: string; namespace_id: string; simple: { period: number } }) => [
					r.name,
					{
						type: "ratelimit" as const,
						namespace_id: r.namespace_id,
						simple: { limit: 1_000_000_000, period: r.simple.period },
					},
				],
			),
		);
		// unstable_startWorker(), with the error listener attached before anything can fail.
		const devEnv = new unstable_DevEnv();
		let failure: string | undefined;
		const onFailure = (event: { reason?: string; message?: string; cause?: unknown }) => {
			const cause = event.cause instanceof Error ? `: ${event.cause.message}` : "";
			failure ??= `${event.reason ?? event.message ?? String(event)}${cause}`;
		};
		// A broken build is reported as "buildFailed" (wrangler prints the esbuild errors), the rest as "error".
		devEnv.on("buildFailed", onFailure);
		devEnv.on("error", onFailure);
		worker = await devEnv.startWorker({
			config: join(root, "wrangler.toml"),
			// An env file that does not exist: the developer's `.dev.vars` must not leak into the run.
			envFiles: [join(tempDir, "none.env")],
			// A secret_text binding satisfies `secrets.required`.
			bindings: {
				...raisedRateLimits,
				OPERATOR_KEY: { type: "secret_text", value: operatorKey },
				WEBHOOK_ENCRYPTION_KEY: { type: "secret_text", value: randomBytes(32).toString("base64url") },
				CONSOLE_SESSION_KEY: { type: "secret_text", value: randomBytes(32).toString("base64url") },
				IDP_ENCRYPTION_KEY: { type: "secret_text", value: randomBytes(32).toString("base64url") },
				IDP_ALLOW_LOOPBACK: { type: "plain_text", value: "true" },
				// The webhook tests deliver to a receiver on this machine.
				WEBHOOKS_ALLOW_LOOPBACK: { type: "plain_text", value: "true" },
			},
			dev: {
				remote: false,
				persist: persistTo,
				server: { hostname: HOST, port },
				inspector: false,
				watch: false,
				liveReload: false,
				generateTypes: false,
				logLevel: "warn",
			},
		});
		await worker.ready;
		const url = await worker.url;
		const baseUrl = url.origin;
		await waitForHealth(baseUrl, () => failure);
		project.provide("baseUrl", baseUrl);
		project.provide("operatorKey", operatorKey);
	} catch (err) {
		await teardown(false).catch(() => {});
		throw err;
	}
	return () => teardown(true);
}
