// After the whole Node run: nothing secret ever entered the Worker's change log (docs/audit.md). Reads
// the local D1 the Worker persisted (the Worker stopped first) with `wrangler d1 execute`, and greps
// every column of every change row for the shapes of secrets, the passwords the Node tests use and
// the hashes the database holds. test/worker/activity-secrets.test.ts makes the same check in workerd.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SHAPES } from "../worker/support/secret-shapes.js";

type Row = Record<string, unknown>;

/**
 * The passwords of the Node tests: every string literal in test/node that looks like one (a digit and
 * "passw0rd", "secret", "str0ng" or "corr3ct", as harness.ts's PASSWORD), and the md5 hex each is
 * imported as.
 */
export function nodeTestPasswords(dir: string): string[] {
	const found = new Set<string>();
	for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
		for (const [, literal] of readFileSync(join(dir, file), "utf8").matchAll(/["'`]([^"'`\s]{8,})["'`]/g)) {
			// A route path (`/v1/mgmt/user/password/set/active`) names a password, it is not one.
			if (literal.startsWith("/")) continue;
			if (literal && /\d/.test(literal) && /passw[o0]rd|secret|str0ng|corr3ct/i.test(literal))
				found.add(literal);
		}
	}
	const md5 = [...found].map((p) => createHash("md5").update(p).digest("hex"));
	return [...found, ...md5];
}

/** Runs SQL statements on the persisted local D1 through wrangler; one result set per statement. */
function d1Execute(root: string, node: string, persistTo: string, sql: string): Promise<Row[][]> {
	const bin = join(root, "node_modules", "wrangler", "bin", "wrangler.js");
	const args = [bin, "d1", "execute", "DB", "--local", "--persist-to", persistTo, "--json", "--command", sql];
	return new Promise((resolveRun, reject) => {
		const child = spawn(node, args, {
			cwd: root,
			env: { ...process.env, CI: "true" },
			stdio: ["ignore", "pipe", "pipe"],
		});
		let stdout = "";
		let stderr = "";
		child.stdout.on("data", (chunk) => {
			stdout += chunk;
		});
		child.stderr.on("data", (chunk) => {
			stderr += chunk;
		});
		child.on("error", reject);
		child.on("exit", (code) => {
			if (code !== 0)
				return reject(new Error(`wrangler d1 execute exited with ${code}:\n${stderr}${stdout}`));
			try {
				const parsed = JSON.parse(stdout) as { results: Row[] }[];
				resolveRun(parsed.map((r) => r.results));
			} catch (err) {
				reject(new Error(`wrangler d1 execute answered no JSON (${err}):\n${stdout.slice(0, 2000)}`));
			}
		});
	});
}

/** The secrets the database stores: password hashes (whole and by part), key hashes, private JWK parts. */
function storedSecrets(passwords: Row[], keys: Row[], signingKeys: Row[]): string[] {
	const out: string[] = [];
	for (const r of passwords) {
		const hash = String(r.hash);
		out.push(hash, ...hash.split(/[$:]/).filter((part) => part.length >= 16));
	}
	for (const r of keys) out.push(String(r.key_hash));
	for (const r of signingKeys) {
		const jwk = JSON.parse(String(r.private_jwk)) as Record<string, unknown>;
		for (const part of ["d", "p", "q", "dp", "dq", "qi", "k"])
			if (typeof jwk[part] === "string") out.push(jwk[part] as string);
	}
	return out;
}

/**
 * Throws when a change row holds a secret. Call after the Worker stopped (its local D1 is then
 * complete on disk); `node` is the Node binary wrangler runs on.
 */
export async function expectNoSecretsInLog(options: { root: string; node: string; persistTo: string }) {
	const [rows = [], passwords = [], keys = [], signingKeys = []] = await d1Execute(
		options.root,
		options.node,
		options.persistTo,
		"SELECT * FROM change_log ORDER BY seq; SELECT hash FROM user_passwords; " +
			"SELECT key_hash FROM management_keys; SELECT private_jwk FROM signing_keys",
	);
	const known = [
		...nodeTestPasswords(join(options.root, "test", "node")),
		...storedSecrets(passwords, keys, signingKeys),
	];
	const found: string[] = [];
	for (const row of rows) {
		for (const [column, value] of Object.entries(row)) {
			if (typeof value !== "string") continue;
			for (const [name, shape] of SHAPES)
				if (shape.test(value)) found.push(`seq ${row.seq} ${row.action}.${column}: ${name} in ${value}`);
			for (const secret of known)
				if (value.includes(secret))
					found.push(`seq ${row.seq} ${row.action}.${column}: holds "${secret.slice(0, 12)}…" in ${value}`);
		}
	}
	if (found.length) {
		throw new Error(
			`The change log holds secrets (${found.length} finding(s) in ${rows.length} rows):\n${found
				.slice(0, 50)
				.join("\n")}`,
		);
	}
	return { rows: rows.length };
}
