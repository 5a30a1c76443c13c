// The few Roster calls the benchmark makes outside autocannon: project set-up, seeding and probes.
import { BenchError } from "./server.mjs";

export const ROWS_READ_HEADER = "x-roster-d1-rows-read";
const REQUEST_TIMEOUT_MS = 120_000;

function clip(text, max = 600) {
	return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** One request; throws BenchError (with the body) unless the status is `expect`. */
export async function call(baseUrl, method, path, { auth, body, expect = 200 } = {}) {
	const headers = {};
	if (auth) headers.Authorization = `Bearer ${auth}`;
	if (body !== undefined) headers["Content-Type"] = "application/json";
	const started = performance.now();
	const res = await fetch(`${baseUrl}${path}`, {
		method,
		headers,
		body: body === undefined ? undefined : JSON.stringify(body),
		signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
	});
	const text = await res.text();
	const ms = performance.now() - started;
	if (res.status !== expect) {
		const hint = res.status === 404 ? " (route not in this build of the Worker?)" : "";
		throw new BenchError(
			`${method} ${path} answered ${res.status}, expected ${expect}${hint}: ${clip(text)}`,
		);
	}
	let json;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		throw new BenchError(
			`${method} ${path} answered ${res.status} with a body that is not JSON: ${clip(text)}`,
		);
	}
	const rowsHeader = res.headers.get(ROWS_READ_HEADER);
	return { json, ms, rowsRead: rowsHeader === null ? undefined : Number(rowsHeader) };
}

export async function createProject(baseUrl, operatorKey) {
	const { json } = await call(baseUrl, "POST", "/v1/operator/projects", {
		auth: operatorKey,
		body: { name: "bench" },
		expect: 201,
	});
	if (typeof json?.projectId !== "string" || typeof json?.managementKey !== "string") {
		throw new BenchError(`POST /v1/operator/projects: no projectId/managementKey in ${JSON.stringify(json)}`);
	}
	return `${json.projectId}:${json.managementKey}`;
}

export async function createDeptAttribute(baseUrl, auth) {
	await call(baseUrl, "POST", "/v1/mgmt/user/customattribute/create", {
		auth,
		body: { attributes: [{ name: "dept", type: 1, displayName: "Dept" }] },
	});
}

export const DEPTS = 50;
export const loginIdOf = (i) => `user${i}@bench.test`;
export const deptOf = (i) => `d${i % DEPTS}`;

export function benchUser(i) {
	return {
		loginId: loginIdOf(i),
		email: loginIdOf(i),
		displayName: `User ${i}`,
		customAttributes: { dept: deptOf(i) },
	};
}

/** Creates users 0..count-1 through batch create; returns the time and rows read of each batch. */
export async function seedUsers(baseUrl, auth, count, batchSize, log) {
	const batches = [];
	for (let from = 0; from < count; from += batchSize) {
		const to = Math.min(from + batchSize, count);
		const users = [];
		for (let i = from; i < to; i++) users.push(benchUser(i));
		const { json, ms, rowsRead } = await call(baseUrl, "POST", "/v1/mgmt/user/create/batch", {
			auth,
			body: { users },
		});
		const failed = json?.failedUsers ?? [];
		if (failed.length > 0) {
			throw new BenchError(
				`batch create: ${failed.length} failed users, first: ${clip(JSON.stringify(failed[0]))}`,
			);
		}
		if (json?.createdUsers?.length !== users.length) {
			throw new BenchError(
				`batch create: sent ${users.length} users, createdUsers has ${json?.createdUsers?.length}`,
			);
		}
		batches.push({ users: users.length, ms: Math.round(ms), rowsRead });
		log(`seeded ${to}/${count} users (batch of ${users.length}: ${Math.round(ms)} ms)`);
	}
	return batches;
}
