// What `npm run dev` reads before it starts anything: its options (`--port N`, `PORT`) and the local
// secrets in `.dev.vars`. Node built-ins only; kept apart from scripts/dev.mjs so tests can call it.
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";

export const DEFAULT_PORT = 8787;

export class DevOptionsError extends Error {}

const USAGE = "usage: npm run dev [-- --port <1-65535>]   (or PORT=<port> npm run dev)";

function parsePort(text, source) {
	if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
		throw new DevOptionsError(`${source} must be a port number from 1 to 65535, got "${text}"\n${USAGE}`);
	}
	return Number(text);
}

/**
 * The dev server's options from its arguments (`--port N`, `--port=N`) and environment (`PORT`);
 * the flag wins over the variable. Anything else is refused rather than silently ignored.
 */
export function parseDevOptions(argv, env = {}) {
	let port;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === "--port" || arg === "-p") {
			const value = argv[i + 1];
			if (value === undefined) throw new DevOptionsError(`${arg} needs a value\n${USAGE}`);
			port = parsePort(value, arg);
			i++;
		} else if (arg.startsWith("--port=")) {
			port = parsePort(arg.slice("--port=".length), "--port");
		} else if (arg === "--help" || arg === "-h") {
			return { help: USAGE };
		} else {
			throw new DevOptionsError(`unknown argument "${arg}"\n${USAGE}`);
		}
	}
	if (port === undefined && env.PORT !== undefined && env.PORT !== "") port = parsePort(env.PORT, "PORT");
	return { port: port ?? DEFAULT_PORT };
}

const randomSecret = () => randomBytes(32).toString("base64url");

/** What `.dev.vars` must hold for `wrangler dev` (wrangler.toml `secrets.required` and vars). */
export const DEV_VARS_DEFAULTS = [
	{ name: "OPERATOR_KEY", value: randomSecret },
	{ name: "WEBHOOK_ENCRYPTION_KEY", value: randomSecret },
	{ name: "CONSOLE_SESSION_KEY", value: randomSecret },
	{ name: "IDP_ENCRYPTION_KEY", value: randomSecret },
	{ name: "WEBHOOKS_ALLOW_LOOPBACK", value: () => "true" },
	{ name: "IDP_ALLOW_LOOPBACK", value: () => "true" },
];

/** dotenv syntax as wrangler reads it: optional `export`, quoted values, `#` comments; the last line wins. */
export function readDevVars(text) {
	const vars = {};
	for (const line of text.split(/\r?\n/)) {
		const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
		if (!m) continue;
		const quoted = /^(['"`])(.*?)\1/.exec(m[2]);
		vars[m[1]] = quoted ? quoted[2] : m[2].split("#")[0].trim();
	}
	return vars;
}

/**
 * Creates `path` or appends what it lacks (a value is lacking when absent or empty); values already
 * there are kept. Returns every value and the names it added.
 */
export function ensureDevVars(path) {
	const exists = existsSync(path);
	const text = exists ? readFileSync(path, "utf8") : "";
	const vars = readDevVars(text);
	const lines = [];
	const added = [];
	for (const { name, value } of DEV_VARS_DEFAULTS) {
		if (vars[name]) continue;
		vars[name] = value();
		lines.push(`${name}=${vars[name]}`);
		added.push(name);
	}
	if (!exists) {
		const header = "# Local secrets and vars for `wrangler dev` (gitignored), written by `npm run dev`.";
		writeFileSync(path, `${[header, ...lines].join("\n")}\n`, { mode: 0o600 });
	} else if (lines.length > 0) {
		appendFileSync(path, `${text === "" || text.endsWith("\n") ? "" : "\n"}${lines.join("\n")}\n`);
	}
	return { vars, added, created: !exists };
}
