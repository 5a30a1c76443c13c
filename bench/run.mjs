// `npm run bench`: load benchmark of Roster under `wrangler dev` on this machine (see docs/performance.md).
// Starts the Worker on a fresh local state, creates a project, seeds N users through batch create, then
// drives each operation with autocannon for a fixed time and reports req/s, latency and D1 rows read.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { arch, cpus, loadavg, platform, release, totalmem } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { createDeptAttribute, createProject, seedUsers } from "./api.mjs";
import { OPERATIONS } from "./operations.mjs";
import { probe } from "./probe.mjs";
import { BenchError, freePort, startWorker, stopWorker } from "./server.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BATCH_SIZE = 1_000;
const PROBES = 5;
const WARMUP_SECONDS = 1;

const USAGE = `npm run bench -- [options]

  --users N          users to seed (default 10000, or env BENCH_USERS)
  --duration S       seconds of load per operation (default 10, or env BENCH_DURATION)
  --connections C    concurrent connections (default 10, or env BENCH_CONNECTIONS)
  --ops a,b          operations to run (default all): ${OPERATIONS.map((o) => o.id).join(", ")}
  --port P           port for wrangler dev (default 8790, or a free one if taken)
  --keep-state       keep the temporary wrangler state directory
  --no-save          do not write bench/results/bench-<timestamp>.json
  -h, --help         this text`;

function log(message) {
	console.log(`[bench] ${message}`);
}

function positiveInt(name, value) {
	const n = Number(value);
	if (!Number.isInteger(n) || n <= 0)
		throw new BenchError(`${name} must be a positive integer, got "${value}"`);
	return n;
}

function readOptions() {
	const { values } = parseArgs({
		options: {
			users: { type: "string" },
			duration: { type: "string" },
			connections: { type: "string" },
			ops: { type: "string" },
			port: { type: "string" },
			"keep-state": { type: "boolean", default: false },
			"no-save": { type: "boolean", default: false },
			help: { type: "boolean", short: "h", default: false },
		},
	});
	if (values.help) {
		console.log(USAGE);
		process.exit(0);
	}
	const ids = (values.ops ?? OPERATIONS.map((o) => o.id).join(",")).split(",").map((s) => s.trim());
	const unknown = ids.filter((id) => !OPERATIONS.some((o) => o.id === id));
	if (unknown.length > 0) throw new BenchError(`unknown operation(s): ${unknown.join(", ")}\n\n${USAGE}`);
	return {
		users: positiveInt("--users", values.users ?? process.env.BENCH_USERS ?? 10_000),
		duration: positiveInt("--duration", values.duration ?? process.env.BENCH_DURATION ?? 10),
		connections: positiveInt("--connections", values.connections ?? process.env.BENCH_CONNECTIONS ?? 10),
		operations: OPERATIONS.filter((o) => ids.includes(o.id)),
		port: values.port ? positiveInt("--port", values.port) : undefined,
		keepState: values["keep-state"],
		save: !values["no-save"],
	};
}

function machineInfo() {
	const cpuList = cpus();
	const wrangler = JSON.parse(readFileSync(join(root, "node_modules", "wrangler", "package.json"), "utf8"));
	const autocannonPkg = JSON.parse(
		readFileSync(join(root, "node_modules", "autocannon", "package.json"), "utf8"),
	);
	return {
		cpus: cpuList.length,
		cpuModel: cpuList[0]?.model ?? "unknown",
		memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
		platform: `${platform()} ${release()} ${arch()}`,
		node: process.version,
		wrangler: wrangler.version,
		autocannon: autocannonPkg.version,
	};
}

/** The commit measured, and whether the working tree differed from it. */
function gitRevision() {
	try {
		const git = (...args) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
		const commit = git("rev-parse", "--short", "HEAD");
		return {
			commit,
			dirty: git("status", "--porcelain", "--", "src", "migrations", "wrangler.toml") !== "",
		};
	} catch {
		return { commit: null, dirty: null };
	}
}

/** Runs autocannon against one operation; every request is built afresh with a random user. */
async function measure(baseUrl, auth, op, options) {
	const headers = { "content-type": "application/json" };
	if (op.needsProject) headers.authorization = `Bearer ${auth}`;
	const result = await autocannon({
		url: baseUrl,
		connections: options.connections,
		duration: options.duration,
		warmup: { connections: options.connections, duration: WARMUP_SECONDS },
		headers,
		requests: [
			{
				setupRequest: (req) => {
					const { method, path, body } = op.request(options.users);
					req.method = method;
					req.path = path;
					req.body = body === undefined ? undefined : JSON.stringify(body);
					return req;
				},
			},
		],
	});
	return {
		reqPerSec: Math.round(result.requests.average),
		p50Ms: result.latency.p50,
		p99Ms: result.latency.p99,
		avgMs: result.latency.average,
		requests: result.requests.total,
		durationS: result.duration,
		non2xx: result.non2xx,
		errors: result.errors,
		timeouts: result.timeouts,
		statusCodes: Object.fromEntries(
			Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count]),
		),
	};
}

function rowsReadText(values) {
	if (values.length === 0 || values.some((v) => v === undefined)) return "n/a";
	const min = Math.min(...values);
	const max = Math.max(...values);
	return min === max ? String(min) : `${min}–${max}`;
}

function printTable(headings, rows) {
	const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
	const line = (cells) =>
		`| ${cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(" | ")} |`;
	console.log(line(headings));
	console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
	for (const row of rows) console.log(line(row));
}

async function main() {
	const options = readOptions();
	const operatorKey = randomBytes(24).toString("base64url");
	const port = options.port ?? (await freePort(8790));
	const report = {
		startedAt: new Date().toISOString(),
		command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
		machine: machineInfo(),
		revision: gitRevision(),
		settings: {
			users: options.users,
			durationS: options.duration,
			connections: options.connections,
			warmupS: WARMUP_SECONDS,
			batchSize: BATCH_SIZE,
		},
		// Other work on the machine skews every number; the 1-minute load average says how busy it was.
		loadAverage: { atStart: loadavg()[0], atEnd: undefined },
		seed: undefined,
		operations: [],
	};
	log(
		`${options.users} users, ${options.duration} s per operation, ${options.connections} connections; ` +
			`${report.machine.cpus} CPUs, Node ${report.machine.node}`,
	);
	if (report.loadAverage.atStart > report.machine.cpus / 2) {
		log(`warning: load average ${report.loadAverage.atStart.toFixed(2)}; other work will skew the numbers`);
	}

	const onSignal = (signal) => {
		log(`${signal}: stopping wrangler`);
		stopWorker().finally(() => process.exit(130));
	};
	process.once("SIGINT", onSignal);
	process.once("SIGTERM", onSignal);

	const worker = await startWorker({
		root,
		port,
		vars: { OPERATOR_KEY: operatorKey, EXPOSE_D1_STATS: "true" },
		keepState: options.keepState,
		log,
	});
	try {
		let auth;
		if (options.operations.some((op) => op.needsProject)) {
			auth = await createProject(worker.baseUrl, operatorKey);
			log(`project ${auth.split(":")[0]} created`);
			await createDeptAttribute(worker.baseUrl, auth);
			const started = performance.now();
			const batches = await seedUsers(worker.baseUrl, auth, options.users, BATCH_SIZE, log);
			const full = batches.filter((b) => b.users === BATCH_SIZE).map((b) => b.ms);
			const sorted = [...full].sort((a, b) => a - b);
			report.seed = {
				users: options.users,
				totalMs: Math.round(performance.now() - started),
				batchMs: batches.map((b) => b.ms),
				batchRowsRead: batches.map((b) => b.rowsRead ?? null),
				firstFullBatchMs: full[0] ?? null,
				medianFullBatchMs: sorted.length ? sorted[Math.floor(sorted.length / 2)] : null,
				lastFullBatchMs: full.at(-1) ?? null,
			};
		}

		for (const op of options.operations) {
			const probes = await probe(worker.baseUrl, auth, op, options.users, PROBES);
			log(`${op.id}: ${options.duration} s at ${options.connections} connections…`);
			const load = await measure(worker.baseUrl, auth, op, options);
			const failed = load.non2xx + load.errors + load.timeouts > 0;
			if (failed) {
				console.error(
					`[bench] ${op.id}: ${load.non2xx} non-2xx, ${load.errors} errors, ${load.timeouts} timeouts; ` +
						`status codes ${JSON.stringify(load.statusCodes)}`,
				);
			}
			report.operations.push({
				id: op.id,
				label: op.label,
				...load,
				rowsRead: probes.rowsRead.map((v) => v ?? null),
				probeMs: probes.ms,
				ok: !failed,
			});
		}
	} finally {
		report.loadAverage.atEnd = loadavg()[0];
		await worker.stop();
	}

	console.log("");
	printTable(
		["operation", "req/s", "p50 ms", "p99 ms", "rows_read", "non-2xx"],
		report.operations.map((o) => [
			o.label,
			o.reqPerSec,
			o.p50Ms,
			o.p99Ms,
			rowsReadText(o.rowsRead.map((v) => v ?? undefined)),
			o.non2xx + o.errors + o.timeouts,
		]),
	);
	if (report.seed) {
		const s = report.seed;
		const rows = rowsReadText(s.batchRowsRead.map((v) => v ?? undefined));
		console.log(
			`\nseed: ${s.users} users in ${s.batchMs.length} batch(es), ${s.totalMs} ms in all; ` +
				`one ${BATCH_SIZE}-user batch: first ${s.firstFullBatchMs ?? "n/a"} ms, ` +
				`median ${s.medianFullBatchMs ?? "n/a"} ms, last ${s.lastFullBatchMs ?? "n/a"} ms; rows_read ${rows}`,
		);
	}
	console.log(
		`machine: ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.platform}, ` +
			`Node ${report.machine.node}, wrangler ${report.machine.wrangler}; commit ${report.revision.commit ?? "n/a"}` +
			`${report.revision.dirty ? " (+ uncommitted changes)" : ""}; load average ` +
			`${report.loadAverage.atStart.toFixed(2)} at start, ${report.loadAverage.atEnd.toFixed(2)} at end`,
	);

	if (options.save) {
		const dir = join(root, "bench", "results");
		mkdirSync(dir, { recursive: true });
		const file = join(dir, `bench-${report.startedAt.replace(/[:.]/g, "-")}.json`);
		writeFileSync(file, `${JSON.stringify(report, null, "\t")}\n`);
		log(`results written to ${relative(process.cwd(), file)}`);
	}

	const failures = report.operations.filter((o) => !o.ok);
	if (failures.length > 0) {
		throw new BenchError(
			`non-2xx responses or errors under load in: ${failures.map((o) => o.id).join(", ")}`,
		);
	}
}

main().then(
	() => process.exit(0),
	(err) => {
		console.error(`\n[bench] FAILED: ${err instanceof BenchError ? err.message : (err?.stack ?? err)}`);
		process.exit(1);
	},
);
