import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// scripts/deploy-plan.mjs is plain JavaScript (run by `npm run deploy`); typed here for the tests.
interface Config {
	name: string;
	d1: { binding: string; databaseName: string; id: string; line: number }[];
	kv: { binding: string; id: string; line: number }[];
	queues: string[];
	requiredSecrets: string[];
	vars: Record<string, unknown>;
}
interface Missing {
	kind: string;
	binding: string;
	create: string;
	paste: string;
}
interface DeployPlanModule {
	GENERATE_SECRET: string;
	isPlaceholderId(id: unknown): boolean;
	readWranglerConfig(toml: string): Config;
	missingResources(config: Config): Missing[];
	missingQueues(queues: string[], listOutput: string): string[];
	parseSecretList(stdout: string): string[];
	workerNotFound(output: string): boolean;
	secretNamesInFile(text: string): string[];
	missingSecrets(required: string[], present: string[]): string[];
	secretInstructions(missing: string[], options: { workerExists: boolean }): string[];
	deployedUrl(output: string): string | undefined;
	healthUrl(publicOrigin: string, deployOutput: string): string | undefined;
	deployCommands(options: { dryRun: boolean; secretsFile?: string }): string[][];
	parseDeployArgs(argv: string[]): { dryRun: boolean; secretsFile?: string; url?: string; help: boolean };
}

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const plan = async (): Promise<DeployPlanModule> => await import(join(root, "scripts", "deploy-plan.mjs"));
const REAL_D1_ID = "3f2b9c1e-7a4d-4e2b-9f1a-2c6d8e0b5a71";
const REAL_KV_ID = "9b1e4c7d2a6f4e8b8c3d1f0a5e7b2c94";

/** A temp copy of the repository's wrangler.toml, optionally with the ids replaced; returns its text. */
function wranglerCopy(ids?: { d1: string; kv: string }): string {
	let text = readFileSync(join(root, "wrangler.toml"), "utf8");
	if (ids) {
		text = text
			.replace(/database_id = "[^"]*"/, `database_id = "${ids.d1}"`)
			.replace(/^id = "[^"]*"/m, `id = "${ids.kv}"`);
	}
	const path = join(mkdtempSync(join(tmpdir(), "roster-deploy-plan-")), "wrangler.toml");
	writeFileSync(path, text);
	return readFileSync(path, "utf8");
}

it("reads the bindings, queues, secrets and vars of wrangler.toml", async () => {
	const { readWranglerConfig } = await plan();
	const config = readWranglerConfig(wranglerCopy());
	expect(config.name).toBe("roster");
	expect(config.d1).toEqual([
		{
			binding: "DB",
			databaseName: "roster",
			id: "00000000-0000-4000-8000-000000000000",
			line: expect.any(Number),
		},
	]);
	expect(config.kv).toEqual([
		{ binding: "KEY_CACHE", id: "00000000000000000000000000000000", line: expect.any(Number) },
	]);
	expect(config.queues).toEqual(["roster-webhooks", "roster-webhooks-dlq"]);
	expect(config.requiredSecrets).toEqual([
		"OPERATOR_KEY",
		"WEBHOOK_ENCRYPTION_KEY",
		"CONSOLE_SESSION_KEY",
		"IDP_ENCRYPTION_KEY",
	]);
	expect(config.vars).toMatchObject({ PUBLIC_ORIGIN: "", WEBHOOKS_ALLOW_LOOPBACK: "false" });
});

it("the line numbers point at the id lines", async () => {
	const { readWranglerConfig } = await plan();
	const text = wranglerCopy();
	const lines = text.split("\n");
	const config = readWranglerConfig(text);
	expect(lines[config.d1[0].line - 1]).toMatch(/^database_id = /);
	expect(lines[config.kv[0].line - 1]).toMatch(/^id = /);
});

it("placeholder ids: both resources are missing, each with its create command", async () => {
	const { readWranglerConfig, missingResources } = await plan();
	const missing = missingResources(readWranglerConfig(wranglerCopy()));
	expect(missing.map(({ kind, binding, create }) => ({ kind, binding, create }))).toEqual([
		{ kind: "D1 database", binding: "DB", create: "npx wrangler d1 create roster" },
		{ kind: "KV namespace", binding: "KEY_CACHE", create: "npx wrangler kv namespace create KEY_CACHE" },
	]);
	expect(missing[0].paste).toMatch(/^copy the printed "database_id" into wrangler\.toml line \d+/);
	expect(missing[1].paste).toMatch(/^copy the printed "id" into wrangler\.toml line \d+/);
});

it("real-looking ids: nothing is missing", async () => {
	const { readWranglerConfig, missingResources } = await plan();
	const config = readWranglerConfig(wranglerCopy({ d1: REAL_D1_ID, kv: REAL_KV_ID }));
	expect(config.d1[0].id).toBe(REAL_D1_ID);
	expect(config.kv[0].id).toBe(REAL_KV_ID);
	expect(missingResources(config)).toEqual([]);
});

it("one real id and one placeholder: only the placeholder is missing", async () => {
	const { readWranglerConfig, missingResources } = await plan();
	const config = readWranglerConfig(wranglerCopy({ d1: REAL_D1_ID, kv: "00000000000000000000000000000000" }));
	expect(missingResources(config).map((m) => m.binding)).toEqual(["KEY_CACHE"]);
});

it("placeholders are empty or all-zero ids; real ids are not", async () => {
	const { isPlaceholderId } = await plan();
	expect(
		[
			"",
			undefined,
			"00000000-0000-0000-0000-000000000000",
			"00000000-0000-4000-8000-000000000000",
			"0000",
		].map(isPlaceholderId),
	).toEqual([true, true, true, true, true]);
	expect([REAL_D1_ID, REAL_KV_ID].map(isPlaceholderId)).toEqual([false, false]);
});

it("a queue counts as present only on a whole-name match", async () => {
	const { missingQueues } = await plan();
	const list = "│ id │ name │\n│ 1a2b │ roster-webhooks-dlq │ 2026-12-01 │";
	expect(missingQueues(["roster-webhooks", "roster-webhooks-dlq"], list)).toEqual(["roster-webhooks"]);
	expect(missingQueues(["roster-webhooks"], `${list}\n│ 3c4d │ roster-webhooks │`)).toEqual([]);
});

it("secret list output is read even with lines around the JSON", async () => {
	const { parseSecretList } = await plan();
	const stdout =
		' ⛅️ wrangler 4\n[\n  {"name": "OPERATOR_KEY", "type": "secret_text"},\n  {"name": "CONSOLE_SESSION_KEY", "type": "secret_text"}\n]\n';
	expect(parseSecretList(stdout)).toEqual(["OPERATOR_KEY", "CONSOLE_SESSION_KEY"]);
	expect(() => parseSecretList("error")).toThrow(/no JSON list/);
});

it("a Worker that was never deployed is told apart from other failures", async () => {
	const { workerNotFound } = await plan();
	expect(workerNotFound("This Worker does not exist on your account. [code: 10007]")).toBe(true);
	expect(workerNotFound("Authentication error [code: 10000]")).toBe(false);
});

it("missing secrets: secret put for a deployed Worker, a secrets file before the first deploy", async () => {
	const { missingSecrets, secretInstructions, GENERATE_SECRET } = await plan();
	const missing = missingSecrets(
		["OPERATOR_KEY", "WEBHOOK_ENCRYPTION_KEY", "CONSOLE_SESSION_KEY"],
		["OPERATOR_KEY"],
	);
	expect(missing).toEqual(["WEBHOOK_ENCRYPTION_KEY", "CONSOLE_SESSION_KEY"]);
	expect(secretInstructions(missing, { workerExists: true })).toEqual([
		`Generate a value with: ${GENERATE_SECRET}`,
		"npx wrangler secret put WEBHOOK_ENCRYPTION_KEY",
		"npx wrangler secret put CONSOLE_SESSION_KEY",
	]);
	const first = secretInstructions(missing, { workerExists: false }).join("\n");
	expect(first).toContain(`echo "WEBHOOK_ENCRYPTION_KEY=$(${GENERATE_SECRET})" >> ~/roster.secrets`);
	expect(first).toContain("npm run deploy -- --secrets-file ~/roster.secrets");
});

it("the secret generator prints 32 random bytes in base64url", async () => {
	const { GENERATE_SECRET } = await plan();
	const { execSync } = await import("node:child_process");
	const value = execSync(GENERATE_SECRET, { encoding: "utf8" }).trim();
	expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
});

it("a secrets file names what it sets, dotenv or JSON, empty values not counted", async () => {
	const { secretNamesInFile } = await plan();
	expect(
		secretNamesInFile("OPERATOR_KEY=abc\n# note\nexport CONSOLE_SESSION_KEY='x'\nWEBHOOK_ENCRYPTION_KEY=\n"),
	).toEqual(["OPERATOR_KEY", "CONSOLE_SESSION_KEY"]);
	expect(secretNamesInFile('{"OPERATOR_KEY": "abc", "CONSOLE_SESSION_KEY": ""}')).toEqual(["OPERATOR_KEY"]);
});

it("the health URL is PUBLIC_ORIGIN's, else the workers.dev URL wrangler printed", async () => {
	const { healthUrl, deployedUrl } = await plan();
	const output =
		"Uploaded roster (4.2 sec)\nDeployed roster triggers (1.1 sec)\n  https://roster.acme.workers.dev\n  schedule: */15 * * * *\n";
	expect(deployedUrl(output)).toBe("https://roster.acme.workers.dev");
	expect(healthUrl("https://auth.example.com/", output)).toBe("https://auth.example.com/health");
	expect(healthUrl("", output)).toBe("https://roster.acme.workers.dev/health");
	expect(healthUrl("", "no url here")).toBeUndefined();
});

it("the commands: migrations then deploy; the dry run only bundles", async () => {
	const { deployCommands } = await plan();
	expect(deployCommands({ dryRun: false })).toEqual([
		["d1", "migrations", "apply", "DB", "--remote"],
		["deploy"],
	]);
	expect(deployCommands({ dryRun: false, secretsFile: "/tmp/s.env" })).toEqual([
		["d1", "migrations", "apply", "DB", "--remote"],
		["deploy", "--secrets-file", "/tmp/s.env"],
	]);
	expect(deployCommands({ dryRun: true })).toEqual([["deploy", "--dry-run", "--outdir", "dist"]]);
});

it("arguments: --dry-run, --secrets-file, --url; unknown or valueless ones are refused", async () => {
	const { parseDeployArgs } = await plan();
	expect(parseDeployArgs(["--dry-run", "--secrets-file", "a.env", "--url=https://x.test"])).toEqual({
		dryRun: true,
		secretsFile: "a.env",
		url: "https://x.test",
		help: false,
	});
	expect(() => parseDeployArgs(["--secrets-file"])).toThrow(/--secrets-file needs a value/);
	expect(() => parseDeployArgs(["--force"])).toThrow(/unknown argument --force/);
});
