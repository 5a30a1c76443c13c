// `npm run deploy`: checks wrangler.toml's resource ids, the queues and the secrets, applies the D1
// migrations, deploys and checks GET /health (docs/deploy.md). `--dry-run` runs only the local checks
// and `wrangler deploy --dry-run --outdir dist`. Node built-ins only; every step is printed first.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
	deployCommands,
	healthUrl,
	missingQueues,
	missingResources,
	missingSecrets,
	parseDeployArgs,
	parseSecretList,
	readWranglerConfig,
	secretInstructions,
	secretNamesInFile,
	workerNotFound,
} from "./deploy-plan.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const HEALTH_ATTEMPTS = 10;
const HEALTH_INTERVAL_MS = 3_000;

const HELP = `Usage: npm run deploy [-- options]
  --dry-run             local checks and \`wrangler deploy --dry-run --outdir dist\` only (no Cloudflare calls)
  --secrets-file PATH   NAME=value lines (or JSON) uploaded with the deploy; needed for the first deploy
  --url ORIGIN          where to check /health (default: PUBLIC_ORIGIN, else the workers.dev URL wrangler prints)
See docs/deploy.md.`;

class StepFailed extends Error {}

let stepNumber = 0;
const step = (title) => console.log(`\n[deploy] ${++stepNumber}. ${title}`);
const say = (line = "") => console.log(`  ${line}`);

// Wrangler needs Node 22; `npm run` puts the `node@22` devDependency first on PATH, a bare `node` may not.
function nodeForWrangler() {
	if (Number(process.versions.node.split(".")[0]) >= 22) return process.execPath;
	const local = join(root, "node_modules", ".bin", process.platform === "win32" ? "node.cmd" : "node");
	if (existsSync(local)) return local;
	throw new StepFailed(`wrangler needs Node 22+ (this is ${process.version}); run \`npm run deploy\``);
}

/** Runs `wrangler <args>`, echoing its output unless `quiet`; resolves with the exit code and the output. */
function wrangler(args, { quiet = false } = {}) {
	const bin = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
	if (!existsSync(bin)) throw new StepFailed("wrangler is not installed; run `npm install` first");
	say(`$ npx wrangler ${args.join(" ")}`);
	return new Promise((resolveRun, reject) => {
		// CI=true: no confirmation prompt in `d1 migrations apply`.
		const child = spawn(nodeForWrangler(), [bin, ...args], {
			cwd: root,
			env: { ...process.env, CI: "true" },
			stdio: ["inherit", "pipe", "pipe"],
		});
		let output = "";
		const collect = (stream) => (chunk) => {
			output += chunk;
			if (!quiet) stream.write(chunk);
		};
		child.stdout.on("data", collect(process.stdout));
		child.stderr.on("data", collect(process.stderr));
		child.on("error", reject);
		child.on("exit", (code) => resolveRun({ code: code ?? 1, output }));
	});
}

async function mustSucceed(args) {
	const { code, output } = await wrangler(args);
	if (code !== 0) throw new StepFailed(`\`wrangler ${args.join(" ")}\` exited with ${code}`);
	return output;
}

function checkIds(config, dryRun) {
	step("Resource ids in wrangler.toml");
	const missing = missingResources(config);
	for (const db of config.d1) say(`D1 ${db.binding} (${db.databaseName}): ${db.id}`);
	for (const ns of config.kv) say(`KV ${ns.binding}: ${ns.id}`);
	if (missing.length === 0) return say("all ids set");
	for (const m of missing) {
		say(`${m.kind} ${m.binding} still has the placeholder id. Create it with:`);
		say(`    ${m.create}`);
		say(`  and ${m.paste}.`);
	}
	if (!dryRun) throw new StepFailed("create the resources above, paste their ids, then run again");
	say("(a real deploy stops here until the ids are set)");
}

function checkPublicOrigin(config) {
	step("PUBLIC_ORIGIN");
	const origin = config.vars.PUBLIC_ORIGIN;
	if (origin) return say(`PUBLIC_ORIGIN = ${origin}`);
	say("PUBLIC_ORIGIN is empty: JWTs get `iss` = the project id alone and links stay relative.");
	say("Set it in wrangler.toml [vars] to the deployment's https origin (docs/deploy.md).");
}

async function checkQueues(config) {
	step("Queues");
	const { code, output } = await wrangler(["queues", "list"], { quiet: true });
	if (code !== 0) throw new StepFailed(`\`wrangler queues list\` exited with ${code}:\n${output}`);
	const missing = missingQueues(config.queues, output);
	if (missing.length === 0) return say(`present: ${config.queues.join(", ")}`);
	say("Missing; create them with:");
	for (const name of missing) say(`    npx wrangler queues create ${name}`);
	throw new StepFailed("create the queues above, then run again");
}

function readSecretsFile(path) {
	if (!path) return [];
	if (!existsSync(path)) throw new StepFailed(`--secrets-file ${path}: no such file`);
	return secretNamesInFile(readFileSync(path, "utf8"));
}

async function checkSecrets(config, options) {
	step("Secrets");
	const fromFile = readSecretsFile(options.secretsFile);
	if (options.secretsFile) say(`${options.secretsFile} sets: ${fromFile.join(", ") || "nothing"}`);
	if (options.dryRun) {
		const missing = missingSecrets(config.requiredSecrets, fromFile);
		say(`required: ${config.requiredSecrets.join(", ")} (checked against Cloudflare only in a real deploy)`);
		if (options.secretsFile && missing.length > 0) say(`not in the secrets file: ${missing.join(", ")}`);
		return;
	}
	const { code, output } = await wrangler(["secret", "list", "--format", "json"], { quiet: true });
	let workerExists = true;
	let deployed = [];
	if (code === 0) deployed = parseSecretList(output);
	else if (workerNotFound(output)) workerExists = false;
	else throw new StepFailed(`\`wrangler secret list\` exited with ${code}:\n${output}`);
	say(
		workerExists ? `set on the Worker: ${deployed.join(", ") || "none"}` : "the Worker is not deployed yet",
	);
	const missing = missingSecrets(config.requiredSecrets, [...deployed, ...fromFile]);
	if (missing.length === 0) return say("all required secrets are set");
	say(`missing: ${missing.join(", ")}`);
	for (const line of secretInstructions(missing, { workerExists })) say(line);
	throw new StepFailed("set the secrets above, then run again");
}

async function verify(url) {
	step(`Verify: GET ${url ?? "/health"}`);
	if (!url) {
		throw new StepFailed("no URL to check: set PUBLIC_ORIGIN or pass --url https://…");
	}
	let last = "no answer";
	for (let attempt = 1; attempt <= HEALTH_ATTEMPTS; attempt++) {
		try {
			const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
			last = `${res.status} ${(await res.text()).slice(0, 200)}`;
			if (res.status === 200) return say(`200 ${last.slice(4)}`);
		} catch (err) {
			last = String(err);
		}
		say(`attempt ${attempt}: ${last}`);
		await new Promise((r) => setTimeout(r, HEALTH_INTERVAL_MS));
	}
	throw new StepFailed(`GET ${url} did not answer 200 (last: ${last}); see \`npx wrangler tail\``);
}

async function main() {
	let options;
	try {
		options = parseDeployArgs(process.argv.slice(2));
	} catch (err) {
		throw new StepFailed(`${err.message}\n${HELP}`);
	}
	if (options.help) return console.log(HELP);
	step("Read wrangler.toml");
	const config = readWranglerConfig(readFileSync(join(root, "wrangler.toml"), "utf8"));
	say(
		`Worker "${config.name}"; queues ${config.queues.join(", ")}; secrets ${config.requiredSecrets.join(", ")}`,
	);
	checkIds(config, options.dryRun);
	checkPublicOrigin(config);
	if (!options.dryRun) await checkQueues(config);
	await checkSecrets(config, options);

	const [migrate, deploy] = options.dryRun
		? [undefined, ...deployCommands(options)]
		: deployCommands(options);
	if (migrate) {
		step("Apply D1 migrations to the remote database");
		await mustSucceed(migrate);
	}
	step(options.dryRun ? "Bundle without uploading" : "Deploy");
	const output = await mustSucceed(deploy);
	if (options.dryRun) return console.log("\n[deploy] dry run done: nothing was sent to Cloudflare");
	await verify(
		options.url ? `${options.url.replace(/\/+$/, "")}/health` : healthUrl(config.vars.PUBLIC_ORIGIN, output),
	);
	console.log("\n[deploy] done");
}

main().catch((err) => {
	console.error(`\n[deploy] stopped: ${err instanceof StepFailed ? err.message : (err?.stack ?? err)}`);
	process.exit(1);
});
