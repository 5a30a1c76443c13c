// What the fuzz suite asserts of every answer: no 5xx, the dialect's error envelope on every
// 4xx, and no change to the project's rows when a request was refused.
import { env, exports } from "cloudflare:workers";
import { BASE } from "../harness";
import type { Dialect } from "./fuzz-openapi";
import type { FuzzRequest } from "./fuzz-requests";

export interface Answer {
	status: number;
	headers: Headers;
	text: string;
	body: unknown;
}

export async function sendRaw(req: FuzzRequest): Promise<Answer> {
	const method = req.method;
	const bodyless = /^(GET|HEAD)$/i.test(method);
	const res = await exports.default.fetch(`${BASE}${req.url}`, {
		method,
		headers: req.headers,
		body: bodyless ? undefined : req.body,
	});
	const text = await res.text();
	let body: unknown;
	try {
		body = text === "" ? undefined : JSON.parse(text);
	} catch {
		body = undefined;
	}
	return { status: res.status, headers: res.headers, text, body };
}

/** The dialect whose envelope a path answers in (src/app.ts: anything under /api/ is JSON:API). */
export function dialectOf(url: string): Dialect {
	// The path as the Worker sees it: dot segments resolved, as the URL parser does.
	const path = new URL(`${BASE}${url}`).pathname;
	if (path === "/api/management/user" || path.startsWith("/api/management/user/")) return "legacy";
	if (path.startsWith("/api/")) return "v4";
	if (path.startsWith("/v1/operator/")) return "operator";
	return "descope";
}

const isString = (v: unknown) => typeof v === "string";

/** Why an error answer is not in the dialect's envelope; null when it is. */
export function envelopeProblem(dialect: Dialect, answer: Answer): string | null {
	const body = answer.body as Record<string, unknown> | undefined;
	if (!body || typeof body !== "object") return "the body is not a JSON object";
	switch (dialect) {
		case "descope":
		case "operator":
			if (!(isString(body.errorCode) && /^E\d{6}$/.test(body.errorCode as string)))
				return "no errorCode E######";
			if (!isString(body.errorDescription) || !isString(body.errorMessage))
				return "no errorDescription/errorMessage";
			return null;
		case "v4": {
			const errors = body.errors;
			if (!Array.isArray(errors) || errors.length === 0) return "no errors array";
			for (const e of errors as Record<string, unknown>[]) {
				if (!(isString(e.status) && isString(e.code) && isString(e.title) && isString(e.detail)))
					return "an error object lacks status/code/title/detail strings";
			}
			if (!(answer.headers.get("content-type") ?? "").includes("json")) return "not a JSON media type";
			return null;
		}
		case "legacy": {
			if (!isString(body.error) || !isString(body.message)) return "no error/message strings";
			if (!Array.isArray(body.errors)) return "no errors array";
			for (const e of body.errors as Record<string, unknown>[]) {
				if (!isString(e.field) || !isString(e.message)) return "an errors entry lacks field/message";
			}
			return null;
		}
	}
}

// ---------------------------------------------------------------------------------------------
// The project's rows, read straight from D1.

interface Table {
	name: string;
	/** The column that names the project. */
	key: "project_id" | "id";
}

/** Columns a refused request may legitimately touch: the key's last use is written in the background. */
const VOLATILE_COLUMNS = new Set(["last_used_at"]);

let tables: Table[] | undefined;

/** Every table with a project_id column, and projects itself; found in the schema, not listed. */
async function projectTables(): Promise<Table[]> {
	if (tables) return tables;
	const names = await env.DB.prepare(
		"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND sql NOT LIKE 'CREATE VIRTUAL%'",
	).all<{ name: string }>();
	const found: Table[] = [{ name: "projects", key: "id" }];
	for (const { name } of names.results) {
		const columns = await env.DB.prepare("SELECT name FROM pragma_table_info(?)")
			.bind(name)
			.all<{ name: string }>();
		if (columns.results.some((c) => c.name === "project_id")) found.push({ name, key: "project_id" });
	}
	tables = found;
	return found;
}

export type Snapshot = Record<string, { count: number; digest: string }>;

async function digest(text: string): Promise<string> {
	const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
	return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Count and a digest of the project's rows in each table, in one D1 batch. */
export async function snapshot(projectId: string, ignoreColumns: string[] = []): Promise<Snapshot> {
	const skip = new Set([...VOLATILE_COLUMNS, ...ignoreColumns]);
	const list = await projectTables();
	const results = await env.DB.batch(
		list.map((t) =>
			// A refusal records its failure (request.failed, auth.sign_in_failed…: docs/audit.md); not a change.
			env.DB.prepare(
				`SELECT * FROM "${t.name}" WHERE "${t.key}" = ?${t.name === "change_log" ? " AND result <> 'failure'" : ""}`,
			).bind(projectId),
		),
	);
	const out: Snapshot = {};
	for (const [i, t] of list.entries()) {
		const rows = (results[i]?.results ?? []) as Record<string, unknown>[];
		const lines = rows
			.map((row) => JSON.stringify(Object.entries(row).filter(([column]) => !skip.has(column))))
			.sort();
		out[t.name] = { count: rows.length, digest: await digest(lines.join("\n")) };
	}
	return out;
}

/** The tables whose rows differ, with their counts before and after. */
export function changedTables(before: Snapshot, after: Snapshot, ignore: string[] = []): string[] {
	return Object.keys({ ...before, ...after })
		.filter((t) => !ignore.includes(t))
		.filter((t) => before[t]?.digest !== after[t]?.digest)
		.map((t) => `${t} (${before[t]?.count ?? 0} → ${after[t]?.count ?? 0} rows)`);
}

/** A one-line description of a request and its answer, for assertion messages. */
export function describeExchange(req: FuzzRequest, answer: Answer): string {
	const body =
		req.body === undefined ? "" : ` body(${req.body.length})=${JSON.stringify(req.body.slice(0, 300))}`;
	return `[${req.kind}] ${req.method} ${req.url.slice(0, 300)} ct=${JSON.stringify(req.headers["content-type"] ?? null)}${body}\n→ ${answer.status} ${answer.text.slice(0, 600)}`;
}
