import { spawnSync } from "node:child_process";
import {
	copyFileSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	statSync,
	utimesSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// scripts/*.mjs are plain JavaScript run before anything is installed; typed here for the tests.
interface DevVarsResult {
	vars: Record<string, string>;
	added: string[];
	created: boolean;
}
interface DevOptionsModule {
	parseDevOptions(argv: string[], env?: Record<string, string | undefined>): { port?: number; help?: string };
	ensureDevVars(path: string): DevVarsResult;
	DevOptionsError: new (...args: never[]) => Error;
}
interface EnsureInstalledModule {
	installReason(root: string): string | undefined;
}

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const load = async <T>(file: string): Promise<T> => await import(join(root, "scripts", file));
const devOptions = () => load<DevOptionsModule>("dev-options.mjs");
const ensureInstalled = () => load<EnsureInstalledModule>("ensure-installed.mjs");
const tempDir = () => mkdtempSync(join(tmpdir(), "roster-dev-"));
const SECRET = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, base64url without padding

it("port defaults to 8787", async () => {
	const { parseDevOptions } = await devOptions();
	expect(parseDevOptions([], {})).toEqual({ port: 8787 });
});

it("--port N and --port=N set the port", async () => {
	const { parseDevOptions } = await devOptions();
	expect(parseDevOptions(["--port", "8791"], {})).toEqual({ port: 8791 });
	expect(parseDevOptions(["--port=8792"], {})).toEqual({ port: 8792 });
});

it("PORT sets the port and --port wins over it", async () => {
	const { parseDevOptions } = await devOptions();
	expect(parseDevOptions([], { PORT: "9000" })).toEqual({ port: 9000 });
	expect(parseDevOptions(["--port", "8791"], { PORT: "9000" })).toEqual({ port: 8791 });
});

it("a bad port or an unknown argument is refused, naming it", async () => {
	const { parseDevOptions, DevOptionsError } = await devOptions();
	expect(() => parseDevOptions(["--port", "0"], {})).toThrow(DevOptionsError);
	expect(() => parseDevOptions(["--port", "abc"], {})).toThrow(/--port must be a port number/);
	expect(() => parseDevOptions(["--port"], {})).toThrow(/--port needs a value/);
	expect(() => parseDevOptions([], { PORT: "70000" })).toThrow(/PORT must be a port number/);
	expect(() => parseDevOptions(["--prot", "1"], {})).toThrow(/unknown argument "--prot"/);
});

it("npm run dev with an unknown argument exits 2 before starting anything", () => {
	const run = spawnSync(process.execPath, [join(root, "scripts", "dev.mjs"), "--prot", "8791"], {
		encoding: "utf8",
	});
	expect(run.status, run.stderr).toBe(2);
	expect(run.stderr).toContain('unknown argument "--prot"');
});

it("a missing .dev.vars is created with every secret and WEBHOOKS_ALLOW_LOOPBACK=true", async () => {
	const { ensureDevVars } = await devOptions();
	const path = join(tempDir(), ".dev.vars");
	const result = ensureDevVars(path);
	expect(result.created).toBe(true);
	expect(result.added).toEqual([
		"OPERATOR_KEY",
		"WEBHOOK_ENCRYPTION_KEY",
		"CONSOLE_SESSION_KEY",
		"IDP_ENCRYPTION_KEY",
		"WEBHOOKS_ALLOW_LOOPBACK",
		"IDP_ALLOW_LOOPBACK",
	]);
	const text = readFileSync(path, "utf8");
	for (const name of [
		"OPERATOR_KEY",
		"WEBHOOK_ENCRYPTION_KEY",
		"CONSOLE_SESSION_KEY",
		"IDP_ENCRYPTION_KEY",
	]) {
		const value = new RegExp(`^${name}=(.*)$`, "m").exec(text)?.[1];
		expect(value, text).toMatch(SECRET);
		expect(result.vars[name]).toBe(value);
	}
	expect(text).toMatch(/^WEBHOOKS_ALLOW_LOOPBACK=true$/m);
	expect(text).toMatch(/^IDP_ALLOW_LOOPBACK=true$/m);
	expect(statSync(path).mode & 0o777).toBe(0o600);
});

it("an existing .dev.vars keeps its values and gains only what it lacks", async () => {
	const { ensureDevVars } = await devOptions();
	const path = join(tempDir(), ".dev.vars");
	writeFileSync(path, 'export OPERATOR_KEY="kept"\nWEBHOOKS_ALLOW_LOOPBACK=false # mine');
	const result = ensureDevVars(path);
	expect(result.created).toBe(false);
	expect(result.added).toEqual([
		"WEBHOOK_ENCRYPTION_KEY",
		"CONSOLE_SESSION_KEY",
		"IDP_ENCRYPTION_KEY",
		"IDP_ALLOW_LOOPBACK",
	]);
	expect(result.vars.OPERATOR_KEY).toBe("kept");
	const lines = readFileSync(path, "utf8").split("\n");
	expect(lines.slice(0, 2)).toEqual(['export OPERATOR_KEY="kept"', "WEBHOOKS_ALLOW_LOOPBACK=false # mine"]);
	expect(lines[2]).toMatch(/^WEBHOOK_ENCRYPTION_KEY=[A-Za-z0-9_-]{43}$/);
	expect(lines[3]).toMatch(/^CONSOLE_SESSION_KEY=[A-Za-z0-9_-]{43}$/);
	expect(lines[4]).toMatch(/^IDP_ENCRYPTION_KEY=[A-Za-z0-9_-]{43}$/);
	expect(lines[5]).toBe("IDP_ALLOW_LOOPBACK=true");
});

it("a complete .dev.vars is left byte for byte", async () => {
	const { ensureDevVars } = await devOptions();
	const path = join(tempDir(), ".dev.vars");
	ensureDevVars(path);
	const before = readFileSync(path, "utf8");
	expect(ensureDevVars(path).added).toEqual([]);
	expect(readFileSync(path, "utf8")).toBe(before);
});

it("an install is needed without node_modules or when the lock file is newer", async () => {
	const { installReason } = await ensureInstalled();
	const dir = tempDir();
	writeFileSync(join(dir, "package-lock.json"), "{}");
	expect(installReason(dir)).toBe("node_modules is missing");
	mkdirSync(join(dir, "node_modules"));
	writeFileSync(join(dir, "node_modules", ".package-lock.json"), "{}");
	utimesSync(join(dir, "node_modules", ".package-lock.json"), 1_000, 1_000);
	expect(installReason(dir)).toBe("package-lock.json is newer than node_modules");
	utimesSync(join(dir, "package-lock.json"), 500, 500);
	expect(installReason(dir)).toBeUndefined();
});

it("ensure-installed is a silent no-op when node_modules is current", () => {
	const dir = tempDir();
	mkdirSync(join(dir, "scripts"));
	mkdirSync(join(dir, "node_modules"));
	copyFileSync(join(root, "scripts", "ensure-installed.mjs"), join(dir, "scripts", "ensure-installed.mjs"));
	writeFileSync(join(dir, "package-lock.json"), "{}");
	writeFileSync(join(dir, "node_modules", ".package-lock.json"), "{}");
	utimesSync(join(dir, "package-lock.json"), 500, 500);
	const run = spawnSync(process.execPath, [join(dir, "scripts", "ensure-installed.mjs")], {
		encoding: "utf8",
	});
	expect(run.status, run.stderr).toBe(0);
	expect(run.stdout).toBe("");
});
