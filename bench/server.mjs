// Starts Roster under `wrangler dev` in a throw-away state directory and stops it again.
// Used by bench/run.mjs; Node built-ins only.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const HOST = "127.0.0.1";
const HEALTH_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 5_000;

export class BenchError extends Error {}

// The stop() of the Worker being started or running, so a signal can stop it at any moment.
let activeStop;

/** Stops the Worker started by startWorker(), if any; safe to call at any time and more than once. */
export async function stopWorker() {
	await activeStop?.();
}

// Wrangler needs Node 22; `npm run` puts the `node@22` devDependency first on PATH, a bare `node` may not.
function nodeForWrangler(root) {
	if (Number(process.versions.node.split(".")[0]) >= 22) return process.execPath;
	const local = join(root, "node_modules", ".bin", "node");
	if (existsSync(local)) return local;
	throw new BenchError(`wrangler needs Node 22+ (this is ${process.version}); run \`npm run bench\``);
}

function wranglerCommand(root, args) {
	const bin = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
	if (!existsSync(bin)) throw new BenchError("wrangler is not installed; run `npm install` first");
	return [nodeForWrangler(root), [bin, ...args]];
}

function portIsFree(port) {
	return new Promise((resolve) => {
		const probe = createServer();
		probe.once("error", () => resolve(false));
		probe.listen(port, HOST, () => probe.close(() => resolve(true)));
	});
}

/** `preferred` when nothing listens on it, otherwise a port the OS picks. */
export async function freePort(preferred) {
	if (preferred && (await portIsFree(preferred))) return preferred;
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once("error", reject);
		probe.listen(0, HOST, () => {
			const { port } = probe.address();
			probe.close(() => resolve(port));
		});
	});
}

function tail(path, lines = 40) {
	try {
		return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
	} catch {
		return "(no output)";
	}
}

/**
 * Applies the D1 migrations to a fresh state directory, starts `wrangler dev` on it and waits for
 * GET /health. The returned `stop()` kills wrangler and its workerd children and deletes the state.
 */
export async function startWorker({ root, port, vars, keepState = false, log }) {
	const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };
	const stateDir = mkdtempSync(join(tmpdir(), "roster-bench-"));
	const logPath = join(stateDir, "wrangler.log");
	const logStream = createWriteStream(logPath);
	let child;
	let stopped = false;

	const stop = async () => {
		if (stopped) return;
		stopped = true;
		if (child && child.exitCode === null && child.signalCode === null) {
			const exited = new Promise((resolve) => child.once("exit", resolve));
			killGroup(child, "SIGTERM");
			const timer = setTimeout(() => killGroup(child, "SIGKILL"), STOP_GRACE_MS);
			await exited;
			clearTimeout(timer);
			// workerd may outlive wrangler by a moment; make sure the whole group is gone.
			killGroup(child, "SIGKILL");
		}
		logStream.end();
		if (keepState) log(`state kept in ${stateDir}`);
		else rmSync(stateDir, { recursive: true, force: true });
	};
	activeStop = stop;
	// Last resort if the process exits without awaiting stop() (synchronous kill only).
	process.once("exit", () => {
		if (child && child.exitCode === null) killGroup(child, "SIGKILL");
	});

	try {
		log(`state dir ${stateDir}`);
		const [node, migrateArgs] = wranglerCommand(root, [
			"d1",
			"migrations",
			"apply",
			"DB",
			"--local",
			"--persist-to",
			stateDir,
		]);
		const code = await runToEnd(node, migrateArgs, { cwd: root, env, logStream });
		if (code !== 0) {
			throw new BenchError(
				`\`wrangler d1 migrations apply DB --local\` failed (exit ${code}):\n${tail(logPath)}`,
			);
		}

		const inspectorPort = await freePort();
		const [, devArgs] = wranglerCommand(root, [
			"dev",
			"--ip",
			HOST,
			"--port",
			String(port),
			"--inspector-port",
			String(inspectorPort),
			"--persist-to",
			stateDir,
			"--show-interactive-dev-session=false",
			...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
		]);
		log(`starting wrangler dev on http://${HOST}:${port}`);
		// Own process group, so stop() reaches workerd too.
		child = spawn(node, devArgs, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
		child.stdout.pipe(logStream, { end: false });
		child.stderr.pipe(logStream, { end: false });
		await waitForHealth(`http://${HOST}:${port}`, child, logPath);
		return { baseUrl: `http://${HOST}:${port}`, stateDir, logPath, stop };
	} catch (err) {
		await stop();
		throw err;
	}
}

function killGroup(child, signal) {
	try {
		process.kill(-child.pid, signal);
	} catch {
		// Already gone.
	}
}

function runToEnd(command, args, { cwd, env, logStream }) {
	return new Promise((resolve, reject) => {
		const proc = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
		proc.stdout.pipe(logStream, { end: false });
		proc.stderr.pipe(logStream, { end: false });
		proc.on("error", reject);
		proc.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
	});
}

async function waitForHealth(baseUrl, child, logPath) {
	const deadline = Date.now() + HEALTH_TIMEOUT_MS;
	while (Date.now() < deadline) {
		if (child.exitCode !== null || child.signalCode !== null) {
			throw new BenchError(`wrangler dev exited (${child.exitCode ?? child.signalCode}):\n${tail(logPath)}`);
		}
		try {
			const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
			if (res.status === 200) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((r) => setTimeout(r, 300));
	}
	throw new BenchError(`GET ${baseUrl}/health did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000}s`);
}
