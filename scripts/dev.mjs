// `npm run dev [-- --port N]`: local Roster with a ready-to-use demo project.
// 1. makes sure .dev.vars holds the local secrets, 2. applies the D1 migrations locally, 3. starts `wrangler dev`,
// 4. waits for /health, 5. reuses or creates the demo project (.dev-project.json) and prints how to call it.
// Node built-ins only, so it runs before anything else is set up.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DevOptionsError, ensureDevVars as ensureDevVarsIn, parseDevOptions } from "./dev-options.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const HOST = "127.0.0.1";
let options;
try {
	options = parseDevOptions(process.argv.slice(2), process.env);
} catch (err) {
	if (!(err instanceof DevOptionsError)) throw err;
	console.error(`[dev] ${err.message}`);
	process.exit(2);
}
if (options.help) {
	console.log(options.help);
	process.exit(0);
}
const PORT = options.port;
const BASE_URL = `http://${HOST}:${PORT}`;
const DEV_VARS = join(root, ".dev.vars");
const DEV_PROJECT = join(root, ".dev-project.json");
const HEALTH_TIMEOUT_MS = 120_000;
const REQUEST_TIMEOUT_MS = 10_000;

const env = {
	...process.env,
	WRANGLER_SEND_METRICS: process.env.WRANGLER_SEND_METRICS ?? "false",
	// Miniflare otherwise fetches https://workers.cloudflare.com/cf.json for `request.cf` (two ENOTFOUND
	// stacks offline); the built-in placeholder is enough, and Roster records loopback callers as "local".
	CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? "false",
};
let child; // the process we currently wait on; signals are forwarded to it
let stopping = false;
let failed = false;

class DevError extends Error {}

function log(message) {
	console.log(`[dev] ${message}`);
}

// Wrangler needs Node 22; `npm run` puts the `node@22` devDependency first on PATH, a bare `node` may not.
function nodeForWrangler() {
	if (Number(process.versions.node.split(".")[0]) >= 22) return process.execPath;
	const local = join(root, "node_modules", ".bin", process.platform === "win32" ? "node.cmd" : "node");
	if (existsSync(local)) return local;
	throw new DevError(
		`wrangler needs Node 22+ (this is ${process.version}); run \`npm run dev\` after \`npm install\``,
	);
}

function wranglerArgs(args) {
	const bin = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
	if (!existsSync(bin))
		throw new DevError("wrangler is not installed; run `npm install --no-audit --no-fund` first");
	return [nodeForWrangler(), [bin, ...args]];
}

function ensureDevVars() {
	const { vars, added, created } = ensureDevVarsIn(DEV_VARS);
	if (added.length > 0)
		log(`${created ? "created .dev.vars with" : "added to .dev.vars:"} ${added.join(", ")}`);
	return vars.OPERATOR_KEY;
}

// Runs to the end with stdout and stderr captured together, in order.
function runCaptured(command, args, extraEnv) {
	return new Promise((resolvePromise, reject) => {
		let output = "";
		child = spawn(command, args, {
			cwd: root,
			env: { ...env, ...extraEnv },
			stdio: ["ignore", "pipe", "pipe"],
		});
		child.stdout.on("data", (chunk) => {
			output += chunk;
		});
		child.stderr.on("data", (chunk) => {
			output += chunk;
		});
		child.on("error", reject);
		child.on("exit", (code, signal) => {
			child = undefined;
			resolvePromise({ code: code ?? (signal ? 128 : 1), output });
		});
	});
}

// Wrangler prints a table row per migration; one line says the same.
async function applyMigrations() {
	// CI=true makes wrangler skip its "apply these migrations?" prompt.
	const [node, args] = wranglerArgs(["d1", "migrations", "apply", "DB", "--local"]);
	const { code, output } = await runCaptured(node, args, { CI: "true", WRANGLER_HIDE_BANNER: "true" });
	if (stopping) process.exit(130);
	if (code !== 0) {
		process.stderr.write(output);
		throw new DevError(
			`\`wrangler d1 migrations apply DB --local\` failed (exit ${code}); its output is above`,
		);
	}
	const applied = [...new Set(output.match(/\b\d{4}_[\w-]+\.sql\b/g) ?? [])];
	if (/No migrations to apply/i.test(output)) log("D1 migrations: the local database is up to date");
	else if (applied.length > 0)
		log(
			`D1 migrations: applied ${applied.length} (${applied.length > 1 ? `${applied[0]} … ${applied.at(-1)}` : applied[0]}) to the local database`,
		);
	else log("D1 migrations: applied to the local database");
}

async function request(path, init = {}) {
	return fetch(`${BASE_URL}${path}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

async function isUp() {
	try {
		return (await request("/health")).status === 200;
	} catch {
		return false;
	}
}

function startServer() {
	const [node, args] = wranglerArgs(["dev", "--ip", HOST, "--port", String(PORT)]);
	log(`starting wrangler dev on ${BASE_URL}`);
	const server = spawn(node, args, { cwd: root, env, stdio: "inherit" });
	child = server;
	const exited = new Promise((resolvePromise) => {
		server.on("exit", (code, signal) => resolvePromise(code ?? (signal ? 128 : 1)));
		server.on("error", (err) => {
			console.error(`[dev] could not start wrangler: ${err.message}`);
			resolvePromise(1);
		});
	});
	return { server, exited };
}

async function waitForHealth(exited) {
	const deadline = Date.now() + HEALTH_TIMEOUT_MS;
	let exitCode;
	exited.then((code) => {
		exitCode = code;
	});
	while (Date.now() < deadline) {
		if (exitCode !== undefined) throw new DevError(`wrangler dev exited (code ${exitCode}) before answering`);
		if (await isUp()) return;
		await new Promise((r) => setTimeout(r, 500));
	}
	throw new DevError(`GET ${BASE_URL}/health did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000}s`);
}

async function bodyOf(res) {
	const text = await res.text().catch(() => "");
	return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

function readSavedProject() {
	if (!existsSync(DEV_PROJECT)) return undefined;
	try {
		const saved = JSON.parse(readFileSync(DEV_PROJECT, "utf8"));
		if (typeof saved.projectId === "string" && typeof saved.managementKey === "string") return saved;
	} catch {
		// Unreadable JSON: treated like a missing file.
	}
	log(".dev-project.json is unreadable; a new demo project will replace it");
	return undefined;
}

async function ensureProject(operatorKey) {
	const saved = readSavedProject();
	if (saved) {
		const res = await request("/v1/mgmt/license", {
			headers: { Authorization: `Bearer ${saved.projectId}:${saved.managementKey}` },
		});
		if (res.status === 200) {
			log(`reusing demo project ${saved.projectId} from .dev-project.json`);
			return { projectId: saved.projectId, managementKey: saved.managementKey };
		}
		if (res.status >= 500) {
			throw new DevError(`GET /v1/mgmt/license answered ${res.status}: ${await bodyOf(res)}`);
		}
		// Typically 401 after .wrangler/state was wiped: the saved project is gone with it.
		log(
			`saved demo project ${saved.projectId} is not usable (GET /v1/mgmt/license: ${res.status}); creating a new one`,
		);
	}

	const res = await request("/v1/operator/projects", {
		method: "POST",
		headers: { Authorization: `Bearer ${operatorKey}`, "Content-Type": "application/json" },
		body: JSON.stringify({ name: "demo" }),
	});
	const body = await bodyOf(res);
	if (res.status !== 201) {
		const hint =
			res.status === 404
				? " (the operator API is not in this build of the worker)"
				: res.status === 401 || res.status === 403
					? " (the worker rejected OPERATOR_KEY as read from .dev.vars)"
					: "";
		throw new DevError(`POST /v1/operator/projects answered ${res.status}${hint}: ${body}`);
	}
	let created;
	try {
		created = JSON.parse(body);
	} catch {
		// Reported just below.
	}
	if (typeof created?.projectId !== "string" || typeof created?.managementKey !== "string") {
		throw new DevError(`POST /v1/operator/projects answered 201 without projectId/managementKey: ${body}`);
	}
	const project = { projectId: created.projectId, managementKey: created.managementKey };
	log(`created demo project ${project.projectId}, saved to .dev-project.json`);
	return project;
}

function printBanner(project) {
	const auth = `${project.projectId}:${project.managementKey}`;
	console.log(
		[
			"",
			"  Roster is running",
			`    URL             ${BASE_URL}`,
			`    Project ID      ${project.projectId}`,
			`    Management key  ${project.managementKey}`,
			"    Saved in        .dev-project.json",
			"    Operator key    OPERATOR_KEY in .dev.vars (Authorization: Bearer <OPERATOR_KEY> on /v1/operator/…)",
			"",
			"  Try it:",
			`    curl -H "Authorization: Bearer ${auth}" "${BASE_URL}/v1/mgmt/user?loginId=alice"`,
			"",
			"  Ctrl-C stops the server.",
			"",
		].join("\n"),
	);
}

function forward(signal) {
	stopping = true;
	if (!child) process.exit(130);
	child.kill(signal);
	// If wrangler ignores the signal, do not leave the terminal hanging.
	setTimeout(() => {
		child?.kill("SIGKILL");
		process.exit(1);
	}, 10_000).unref();
}

async function main() {
	process.on("SIGINT", () => forward("SIGINT"));
	process.on("SIGTERM", () => forward("SIGTERM"));

	const operatorKey = ensureDevVars();
	await applyMigrations();
	if (await isUp()) {
		throw new DevError(`something already answers on ${BASE_URL}; stop it first (another \`npm run dev\`?)`);
	}

	const { server, exited } = startServer();
	// From here on, this process ends when wrangler does.
	exited.then((code) => {
		if (!stopping && !failed) console.error(`[dev] wrangler dev exited (code ${code})`);
		process.exit(failed ? 1 : code);
	});
	try {
		await waitForHealth(exited);
		log(`${BASE_URL}/health answers 200`);
		const project = await ensureProject(operatorKey);
		// baseUrl too, so scripts reading this file (README's demo.mjs) follow `--port`.
		writeFileSync(DEV_PROJECT, `${JSON.stringify({ ...project, baseUrl: BASE_URL }, null, "\t")}\n`, {
			mode: 0o600,
		});
		printBanner(project);
	} catch (err) {
		failed = true;
		stopping = true;
		if (server.exitCode === null && server.signalCode === null) {
			server.kill("SIGTERM");
			setTimeout(() => server.kill("SIGKILL"), 10_000).unref();
		}
		throw err;
	}
}

main().catch((err) => {
	failed = true;
	const message =
		err instanceof DevError
			? err.message
			: err?.cause?.code === "ECONNREFUSED"
				? `lost the connection to ${BASE_URL} (${err.message})`
				: (err?.stack ?? String(err));
	console.error(`\n[dev] ${message}`);
	// A running wrangler is being stopped; its exit handler ends this process with code 1.
	if (!child || child.exitCode !== null || child.signalCode !== null) process.exit(1);
});
