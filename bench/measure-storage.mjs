// Measures what users cost in D1 storage (docs/scaling.md): starts `wrangler dev` on a throw-away
// state dir, creates a project, batch-creates realistic users and reads the local D1 SQLite file
// before and after (page_count × page_size, and per table through dbstat when SQLite has it).
// Then signs some of them in with a password, to measure what a sign-in adds (history, change log).
// Usage: node bench/measure-storage.mjs [--users 10000] [--sign-ins 50]   (Node 22+: `npm exec -- node …` or node_modules/.bin/node)
import { randomBytes } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { call, createProject } from "./api.mjs";
import { freePort, startWorker } from "./server.mjs";

const root = resolve(fileURLToPath(import.meta.url), "..", "..");
const BATCH_SIZE = 2_000;
const argValue = (name, fallback) => {
	const at = process.argv.indexOf(name);
	return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const USERS = argValue("--users", 10_000);
// AUTH_RATE_LIMIT allows 60 sign-ins a minute per address (wrangler.toml): stay under it.
const SIGN_INS = argValue("--sign-ins", 50);
const PASSWORD = "Correct-Horse-Battery-9";
const log = (line) => console.error(`[measure] ${line}`);

/** The D1 database file Miniflare keeps for binding DB (the one .sqlite that is not metadata). */
function d1File(stateDir) {
	const dir = join(stateDir, "v3", "d1", "miniflare-D1DatabaseObject");
	const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
	if (files.length !== 1) throw new Error(`expected one D1 file in ${dir}, found ${files.join(", ")}`);
	return join(dir, files[0]);
}

/** Bytes in use (pages minus free pages), the file sizes, row counts and, if available, bytes per table. */
function snapshot(path) {
	const db = new DatabaseSync(path, { readOnly: true });
	try {
		const one = (sql) => Object.values(db.prepare(sql).get())[0];
		const pageSize = one("PRAGMA page_size");
		const used = (one("PRAGMA page_count") - one("PRAGMA freelist_count")) * pageSize;
		const tables = db
			.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
			.all()
			.map((r) => r.name);
		const rows = Object.fromEntries(
			tables.map((t) => [t, one(`SELECT count(*) FROM "${t.replaceAll('"', '""')}"`)]),
		);
		let perObject;
		try {
			perObject = Object.fromEntries(
				db
					.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name")
					.all()
					.map((r) => [r.name, r.bytes]),
			);
		} catch {
			perObject = undefined;
		}
		const walPath = `${path}-wal`;
		let wal = 0;
		try {
			wal = statSync(walPath).size;
		} catch {}
		return { used, file: statSync(path).size, wal, rows, perObject };
	} finally {
		db.close();
	}
}

function diffRows(from, to) {
	return Object.fromEntries(
		Object.entries(to.rows)
			.map(([t, n]) => [t, n - (from.rows[t] ?? 0)])
			.filter(([, n]) => n !== 0),
	);
}

function diffObjects(from, to) {
	return Object.fromEntries(
		Object.entries(to.perObject)
			.map(([name, b]) => [name, b - (from.perObject?.[name] ?? 0)])
			.filter(([, b]) => b !== 0)
			.sort((a, b) => b[1] - a[1]),
	);
}

function user(i) {
	return {
		loginId: `user${i}@storage.test`,
		email: `user${i}@storage.test`,
		name: `User Number ${i}`,
		givenName: "User",
		familyName: `Number ${i}`,
		customAttributes: { dept: `dept-${i % 50}`, employeeId: 100_000 + i },
		roleNames: ["member"],
		userTenants: [{ tenantId: `t${i % 10}`, roleNames: ["member"] }],
	};
}

const operatorKey = randomBytes(24).toString("base64url");
const worker = await startWorker({
	root,
	port: await freePort(),
	vars: { OPERATOR_KEY: operatorKey },
	log,
});
try {
	const auth = await createProject(worker.baseUrl, operatorKey);
	await call(worker.baseUrl, "POST", "/v1/mgmt/user/customattribute/create", {
		auth,
		body: {
			attributes: [
				{ name: "dept", type: 1, displayName: "Department" },
				{ name: "employeeId", type: 2, displayName: "Employee id" },
			],
		},
	});
	await call(worker.baseUrl, "POST", "/v1/mgmt/role/create", { auth, body: { name: "member" } });
	for (let t = 0; t < 10; t++) {
		await call(worker.baseUrl, "POST", "/v1/mgmt/tenant/create", {
			auth,
			body: { id: `t${t}`, name: `Tenant ${t}` },
		});
	}
	const path = d1File(worker.stateDir);
	const before = snapshot(path);
	for (let from = 0; from < USERS; from += BATCH_SIZE) {
		const users = [];
		for (let i = from; i < Math.min(from + BATCH_SIZE, USERS); i++) users.push(user(i));
		const { json, ms } = await call(worker.baseUrl, "POST", "/v1/mgmt/user/create/batch", {
			auth,
			body: { users },
		});
		const failed = json?.failedUsers ?? [];
		if (failed.length > 0) throw new Error(`batch create failed: ${JSON.stringify(failed[0])}`);
		log(`created ${from + users.length}/${USERS} users (${Math.round(ms)} ms)`);
	}
	const after = snapshot(path);
	const projectId = auth.split(":")[0];
	for (let i = 0; i < SIGN_INS; i++) {
		await call(worker.baseUrl, "POST", "/v1/mgmt/user/password/set/active", {
			auth,
			body: { loginId: user(i).loginId, password: PASSWORD },
		});
	}
	const beforeSignIns = snapshot(path);
	for (let i = 0; i < SIGN_INS; i++) {
		await call(worker.baseUrl, "POST", "/v1/auth/password/signin", {
			auth: projectId,
			body: { loginId: user(i).loginId, password: PASSWORD },
		});
	}
	const afterSignIns = snapshot(path);
	log(`${SIGN_INS} sign-ins done`);
	const changeLogRows = after.rows.change_log - before.rows.change_log;
	const result = {
		users: USERS,
		bytesBefore: before.used,
		bytesAfter: after.used,
		bytesPerUser: Math.round((after.used - before.used) / USERS),
		usersPer10GB: Math.floor(10e9 / ((after.used - before.used) / USERS)),
		changeLogRowsAdded: changeLogRows,
		file: { sqlite: after.file, wal: after.wal },
		rowsAdded: diffRows(before, after),
		signIns: {
			count: SIGN_INS,
			bytesPerSignIn: Math.round((afterSignIns.used - beforeSignIns.used) / SIGN_INS),
			rowsAdded: diffRows(beforeSignIns, afterSignIns),
			bytesAddedPerObject: afterSignIns.perObject ? diffObjects(beforeSignIns, afterSignIns) : undefined,
		},
		bytesAddedPerObject: after.perObject ? diffObjects(before, after) : "dbstat not available in this SQLite",
	};
	console.log(JSON.stringify(result, null, 2));
} finally {
	// Deletes the state dir too.
	await worker.stop();
}
