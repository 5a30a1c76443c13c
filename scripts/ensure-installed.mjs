// `predev` / `pretest`: on a fresh clone (or after package-lock.json changed) install the locked
// dependencies first, so `npm run dev` and `npm test` work as the very first command.
// Node built-ins only and any Node >= 20: it runs before node_modules exists.
import { spawnSync } from "node:child_process";
import { statSync, utimesSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const mtime = (path) => {
	try {
		return statSync(path).mtimeMs;
	} catch {
		return undefined;
	}
};

/**
 * Why an install is needed in `root`, or undefined when node_modules is current. npm rewrites
 * node_modules/.package-lock.json on every install, so its age says when the last one ran.
 */
export function installReason(root) {
	const lock = mtime(join(root, "package-lock.json"));
	const installed = mtime(join(root, "node_modules", ".package-lock.json"));
	if (installed === undefined) return "node_modules is missing";
	if (lock !== undefined && lock > installed) return "package-lock.json is newer than node_modules";
	return undefined;
}

function main() {
	const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
	const reason = installReason(root);
	if (reason === undefined) return;
	console.log(`[install] ${reason}: running npm install --no-audit --no-fund`);
	// npm_execpath is the npm that runs this script; a bare `npm` is the fallback outside `npm run`.
	const npmCli = process.env.npm_execpath;
	const [command, args] = npmCli?.endsWith(".js")
		? [process.execPath, [npmCli, "install", "--no-audit", "--no-fund"]]
		: ["npm", ["install", "--no-audit", "--no-fund"]];
	const result = spawnSync(command, args, {
		cwd: root,
		stdio: "inherit",
		shell: process.platform === "win32" && command === "npm",
	});
	if (result.error) throw result.error;
	if (result.status !== 0) process.exit(result.status ?? 1);
	// npm leaves the file alone when nothing changed; touching it keeps the next run on the fast path.
	const now = new Date();
	const installed = join(root, "node_modules", ".package-lock.json");
	if (mtime(installed) !== undefined) utimesSync(installed, now, now);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
