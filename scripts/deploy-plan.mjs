// The pure parts of `npm run deploy` (scripts/deploy.mjs; docs/deploy.md): what wrangler.toml names,
// which of its resources still carry placeholder ids, which secrets are missing, the commands to run.
// Node built-ins only; nothing here touches the network or the file system.

/** The command that prints a fresh 32-byte secret (base64url), as the secrets in wrangler.toml expect. */
export const GENERATE_SECRET = `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`;

/** An id is a placeholder when it is missing or all zeros (the UUID's version and variant digits aside). */
export function isPlaceholderId(id) {
	if (typeof id !== "string" || id.trim() === "") return true;
	return /^0{8}-?0{4}-?[04]0{3}-?[08]0{3}-?0{12}$/.test(id.trim()) || /^0+$/.test(id.trim());
}

/** The value of one `key = value` line: a string, an array of strings, a number or a boolean. */
function parseValue(raw) {
	const text = raw.trim();
	if (text.startsWith('"')) return JSON.parse(text.slice(0, text.indexOf('"', 1) + 1));
	if (text.startsWith("[")) {
		return [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`));
	}
	if (text === "true" || text === "false") return text === "true";
	const number = Number(text.split("#")[0].trim());
	return Number.isNaN(number) ? text : number;
}

/**
 * Reads what the deploy needs from wrangler.toml. Enough TOML for this file (tables, arrays of
 * tables, one-line values); 1-based `line` numbers say where an id is to be pasted.
 */
export function readWranglerConfig(toml) {
	const sections = [];
	let current = { header: "", entries: {}, lines: {} };
	sections.push(current);
	toml.split(/\r?\n/).forEach((rawLine, index) => {
		const line = rawLine.trim();
		if (line === "" || line.startsWith("#")) return;
		const header = /^\[\[?([^\]]+)\]\]?/.exec(line);
		if (header) {
			current = { header: header[1].trim(), entries: {}, lines: {} };
			sections.push(current);
			return;
		}
		const pair = /^([A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(line);
		if (!pair) return;
		current.entries[pair[1]] = parseValue(pair[2]);
		current.lines[pair[1]] = index + 1;
	});
	const all = (header) => sections.filter((s) => s.header === header);
	const root = sections[0].entries;
	const queues = new Set();
	for (const s of all("queues.producers")) queues.add(s.entries.queue);
	for (const s of all("queues.consumers")) {
		queues.add(s.entries.queue);
		if (s.entries.dead_letter_queue) queues.add(s.entries.dead_letter_queue);
	}
	return {
		name: root.name,
		d1: all("d1_databases").map((s) => ({
			binding: s.entries.binding,
			databaseName: s.entries.database_name,
			id: s.entries.database_id,
			line: s.lines.database_id,
		})),
		kv: all("kv_namespaces").map((s) => ({ binding: s.entries.binding, id: s.entries.id, line: s.lines.id })),
		queues: [...queues].filter(Boolean),
		requiredSecrets: all("secrets")[0]?.entries.required ?? [],
		vars: all("vars")[0]?.entries ?? {},
	};
}

/** The D1 databases and KV namespaces whose id is still a placeholder, each with the command that creates it. */
export function missingResources(config) {
	const missing = [];
	for (const db of config.d1) {
		if (!isPlaceholderId(db.id)) continue;
		missing.push({
			kind: "D1 database",
			binding: db.binding,
			create: `npx wrangler d1 create ${db.databaseName}`,
			paste: `copy the printed "database_id" into wrangler.toml line ${db.line} (database_id of binding ${db.binding})`,
		});
	}
	for (const ns of config.kv) {
		if (!isPlaceholderId(ns.id)) continue;
		missing.push({
			kind: "KV namespace",
			binding: ns.binding,
			create: `npx wrangler kv namespace create ${ns.binding}`,
			paste: `copy the printed "id" into wrangler.toml line ${ns.line} (id of binding ${ns.binding})`,
		});
	}
	return missing;
}

/** The queue names that `wrangler queues list` does not show (a whole-word match: `a` is not `a-dlq`). */
export function missingQueues(queues, listOutput) {
	return queues.filter((name) => {
		const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
		return !new RegExp(`(^|[^A-Za-z0-9_-])${escaped}([^A-Za-z0-9_-]|$)`, "m").test(listOutput);
	});
}

/** The secret names in `wrangler secret list --format json` output (wrangler may print lines around it). */
export function parseSecretList(stdout) {
	const start = stdout.indexOf("[");
	const end = stdout.lastIndexOf("]");
	if (start < 0 || end < start) throw new Error(`no JSON list in \`wrangler secret list\` output: ${stdout}`);
	const list = JSON.parse(stdout.slice(start, end + 1));
	return list.map((entry) => entry.name).filter((name) => typeof name === "string");
}

/** True when `wrangler secret list` failed because the Worker was never deployed. */
export function workerNotFound(output) {
	return /\b10007\b|worker does not exist/i.test(output);
}

/** The names a secrets file sets: `NAME=value` lines (dotenv) or a JSON object. Empty values do not count. */
export function secretNamesInFile(text) {
	const trimmed = text.trim();
	if (trimmed.startsWith("{")) {
		return Object.entries(JSON.parse(trimmed))
			.filter(([, value]) => typeof value === "string" && value !== "")
			.map(([name]) => name);
	}
	return trimmed
		.split(/\r?\n/)
		.map((line) => /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line))
		.filter((m) => m && m[2].replace(/^["']|["']$/g, "") !== "")
		.map((m) => m[1]);
}

export const missingSecrets = (required, present) => required.filter((name) => !present.includes(name));

/** What to run for each missing secret: `secret put` on a deployed Worker, a secrets file before the first deploy. */
export function secretInstructions(missing, { workerExists }) {
	if (workerExists) {
		return [
			`Generate a value with: ${GENERATE_SECRET}`,
			...missing.map((name) => `npx wrangler secret put ${name}`),
		];
	}
	return [
		"The Worker does not exist yet: wrangler accepts secrets for a first deploy only from a secrets file.",
		"Write one outside the repository (one NAME=value line each), e.g.:",
		...missing.map((name) => `  echo "${name}=$(${GENERATE_SECRET})" >> ~/roster.secrets`),
		"then run: npm run deploy -- --secrets-file ~/roster.secrets   (keep OPERATOR_KEY; delete the file after)",
	];
}

/** The first workers.dev URL `wrangler deploy` printed, or undefined. */
export function deployedUrl(output) {
	return /https:\/\/[A-Za-z0-9.-]+\.workers\.dev\b/.exec(output)?.[0];
}

/** Where to check the deployed Worker: PUBLIC_ORIGIN when set, otherwise the URL wrangler printed. */
export function healthUrl(publicOrigin, deployOutput) {
	const origin = publicOrigin ? publicOrigin.replace(/\/+$/, "") : deployedUrl(deployOutput);
	return origin ? `${origin}/health` : undefined;
}

/** The wrangler commands that change something, in order (arguments after `wrangler`). */
export function deployCommands({ dryRun, secretsFile }) {
	if (dryRun) return [["deploy", "--dry-run", "--outdir", "dist"]];
	return [
		["d1", "migrations", "apply", "DB", "--remote"],
		secretsFile ? ["deploy", "--secrets-file", secretsFile] : ["deploy"],
	];
}

/** `--dry-run`, `--secrets-file <path>` (or `=path`), `--url <origin>`, `--help`; anything else is refused. */
export function parseDeployArgs(argv) {
	const options = { dryRun: false, secretsFile: undefined, url: undefined, help: false };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s);
		const value = () => {
			const v = inline ?? argv[++i];
			if (v === undefined || v === "") throw new Error(`${flag} needs a value`);
			return v;
		};
		if (flag === "--dry-run") options.dryRun = true;
		else if (flag === "--secrets-file") options.secretsFile = value();
		else if (flag === "--url") options.url = value();
		else if (flag === "--help" || flag === "-h") options.help = true;
		else throw new Error(`unknown argument ${argv[i]}`);
	}
	return options;
}
