// RFC 7644 §3.7: POST /Bulk. Each operation is a sub-request to this SCIM app itself, with the
// same Authorization (so the key's scope, IP allowlist and rate limit apply to each), in order,
// "bulkId:…" references resolved to the ids earlier operations created, failOnErrors honoured.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../../context";
import { BOOKMARK_HEADER, depsMiddleware } from "../../context-middleware";
import { SCIM_MEDIA_TYPE, ScimError, scimErrorBody, scimNotFound } from "../errors";
import { connectionTenant } from "../groups-query";
import { field, isObject, scimBase, scimJson } from "../resource";
import { BULK_MAX_OPERATIONS, BULK_MAX_PAYLOAD_BYTES, SCIM_PATH } from "../schemas";

export const BULK_REQUEST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
export const BULK_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

const bulkBody = z
	.object({
		schemas: z.array(z.string()).optional(),
		failOnErrors: z.number().int().optional(),
		Operations: z
			.array(
				z
					.object({
						method: z.string(),
						bulkId: z.string().optional(),
						version: z.string().optional(),
						path: z.string(),
						data: z.unknown().optional(),
					})
					.passthrough(),
			)
			.optional(),
	})
	.passthrough()
	.openapi("ScimBulkRequest");

const bulk = createRoute({
	method: "post",
	path: `${SCIM_PATH}/Bulk`,
	tags: ["bulk"],
	operationId: "scimBulk",
	summary: `Up to ${BULK_MAX_OPERATIONS} operations on /Users and /Groups, with bulkId references`,
	request: { body: { content: { [SCIM_MEDIA_TYPE]: { schema: bulkBody } }, required: true } },
	responses: {
		200: {
			description: "A BulkResponse: each operation's status, location, version and response",
			content: { [SCIM_MEDIA_TYPE]: { schema: z.object({}).passthrough().openapi("ScimBulkResponse") } },
		},
		413: { description: "More than maxOperations operations, or more than maxPayloadSize bytes" },
	},
});

type Method = "POST" | "PUT" | "PATCH" | "DELETE";

interface BulkOperation {
	index: number;
	method: Method;
	bulkId?: string;
	version?: string;
	path: string;
	data?: unknown;
}

interface BulkResult {
	method: string;
	bulkId?: string;
	version?: string;
	location?: string;
	status: string;
	response?: unknown;
}

const RESOURCE_PATH = /^\/(Users|Groups)(?:\/([^/?#]+))?$/;
const BULK_ID = /^bulkId:(.+)$/;
const syntax = (detail: string) => new ScimError(400, detail, "invalidSyntax");

/** The request's operations, checked for shape; a malformed one refuses the whole request. */
function readOperations(body: unknown): { operations: BulkOperation[]; failOnErrors: number } {
	if (!isObject(body)) throw syntax("The body must be a BulkRequest object");
	const raw = field(body, "Operations");
	if (!Array.isArray(raw)) throw syntax("Operations: the BulkRequest needs an array of operations");
	if (raw.length > BULK_MAX_OPERATIONS) {
		throw new ScimError(
			413,
			`Operations: at most ${BULK_MAX_OPERATIONS} operations (maxOperations), not ${raw.length}`,
		);
	}
	const failOn = field(body, "failOnErrors");
	if (failOn !== undefined && (typeof failOn !== "number" || !Number.isInteger(failOn) || failOn < 1)) {
		throw new ScimError(400, "failOnErrors must be a whole number of at least 1", "invalidValue");
	}
	const seen = new Set<string>();
	const operations = raw.map((item, index): BulkOperation => {
		const label = `Operations[${index}]`;
		if (!isObject(item)) throw syntax(`${label} must be an object`);
		const method = String(field(item, "method") ?? "").toUpperCase();
		if (method !== "POST" && method !== "PUT" && method !== "PATCH" && method !== "DELETE") {
			throw new ScimError(400, `${label}.method must be POST, PUT, PATCH or DELETE`, "invalidValue");
		}
		const path = field(item, "path");
		if (typeof path !== "string" || path === "")
			throw new ScimError(400, `${label}.path is required`, "invalidValue");
		const bulkId = field(item, "bulkId");
		if (bulkId !== undefined && (typeof bulkId !== "string" || bulkId === "")) {
			throw new ScimError(400, `${label}.bulkId must be a non-empty string`, "invalidValue");
		}
		if (typeof bulkId === "string") {
			if (seen.has(bulkId))
				throw new ScimError(400, `${label}.bulkId "${bulkId}" appears twice`, "invalidValue");
			seen.add(bulkId);
		}
		const version = field(item, "version");
		return {
			index,
			method,
			path,
			bulkId: bulkId as string | undefined,
			version: typeof version === "string" ? version : undefined,
			data: field(item, "data"),
		};
	});
	return { operations, failOnErrors: (failOn as number | undefined) ?? Number.POSITIVE_INFINITY };
}

/** The bulkIds an operation refers to, in its path and anywhere in its data. */
function referencesOf(op: BulkOperation): Set<string> {
	const out = new Set<string>();
	const visit = (value: unknown) => {
		if (typeof value === "string") {
			const m = BULK_ID.exec(value);
			if (m?.[1]) out.add(m[1]);
		} else if (Array.isArray(value)) value.forEach(visit);
		else if (isObject(value)) Object.values(value).forEach(visit);
	};
	for (const segment of op.path.split("/")) visit(segment);
	visit(op.data);
	return out;
}

/** Replaces every "bulkId:xyz" string with the id the operation of that bulkId created. */
function resolve(value: unknown, ids: Map<string, string>): unknown {
	if (typeof value === "string") {
		const m = BULK_ID.exec(value);
		return m?.[1] && ids.has(m[1]) ? ids.get(m[1]) : value;
	}
	if (Array.isArray(value)) return value.map((v) => resolve(v, ids));
	if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, ids)]));
	return value;
}

const failed = (
	op: BulkOperation,
	status: number,
	detail: string,
	scimType?: Parameters<typeof scimErrorBody>[2],
) => ({
	method: op.method,
	...(op.bulkId ? { bulkId: op.bulkId } : {}),
	status: String(status),
	response: scimErrorBody(status, detail, scimType),
});

/** The SCIM app with the request's services built per sub-request, as the Worker's root app does. */
function dispatcherFor(app: OpenAPIHono<AppEnv>) {
	let built: Hono<AppEnv> | undefined;
	return () => {
		built ??= new Hono<AppEnv>().use("*", depsMiddleware).route("/", app).notFound(scimNotFound);
		return built;
	};
}

export function registerBulkRoutes(app: OpenAPIHono<AppEnv>) {
	const dispatcher = dispatcherFor(app);

	app.openapi(bulk, async (c) => {
		connectionTenant(c.var.deps);
		const length = Number(c.req.header("content-length") ?? 0);
		if (length > BULK_MAX_PAYLOAD_BYTES) {
			throw new ScimError(
				413,
				`The Bulk request is larger than ${BULK_MAX_PAYLOAD_BYTES} bytes (maxPayloadSize)`,
			);
		}
		const { operations, failOnErrors } = readOperations(c.req.valid("json"));
		const results = new Map<number, BulkResult>();
		const created = new Map<string, string>();
		const failedIds = new Set<string>();
		const defined = new Set(
			operations.flatMap((op) => (op.method === "POST" && op.bulkId ? [op.bulkId] : [])),
		);
		let errors = 0;
		let bookmark = c.req.header(BOOKMARK_HEADER);
		const record = (op: BulkOperation, result: BulkResult) => {
			results.set(op.index, result);
			if (Number(result.status) < 400) return;
			errors++;
			if (op.bulkId) failedIds.add(op.bulkId);
		};
		/** Whether the operation must wait for a POST further down that defines one of its bulkIds. */
		const mustWait = (op: BulkOperation) =>
			[...referencesOf(op)].some((r) => defined.has(r) && !failedIds.has(r) && !created.has(r));
		const run = async (op: BulkOperation) => {
			const unknown = [...referencesOf(op)].find((r) => !defined.has(r) || failedIds.has(r));
			if (unknown !== undefined) {
				const detail = `bulkId:${unknown} names no successful POST of this request`;
				return record(op, failed(op, 409, detail, "invalidValue"));
			}
			const outcome = await dispatch(c, dispatcher(), op, created, bookmark);
			bookmark = outcome.bookmark ?? bookmark;
			record(op, outcome.result);
			if (op.method === "POST" && op.bulkId && outcome.id && Number(outcome.result.status) < 400)
				created.set(op.bulkId, outcome.id);
		};
		// In order; an operation referring to a POST further down waits for it, and runs as soon as
		// what it refers to exists (RFC 7644 §3.7.2). failOnErrors stops everything after that many.
		const waiting: BulkOperation[] = [];
		const drain = async () => {
			for (let i = waiting.findIndex((w) => !mustWait(w)); i >= 0 && errors < failOnErrors; ) {
				const [ready] = waiting.splice(i, 1);
				if (ready) await run(ready);
				i = waiting.findIndex((w) => !mustWait(w));
			}
		};
		for (const op of operations) {
			if (errors >= failOnErrors) break;
			if (mustWait(op)) {
				waiting.push(op);
				continue;
			}
			await run(op);
			await drain();
		}
		// What still waits refers to itself in a circle.
		for (const op of waiting) {
			if (errors >= failOnErrors) break;
			record(op, failed(op, 409, "The operation's bulkId references are circular", "invalidValue"));
		}
		const ordered = [...results.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
		return scimJson(c, { schemas: [BULK_RESPONSE_SCHEMA], Operations: ordered });
	});
}

/** Runs one operation as a request to the SCIM app, as its own caller would send it. */
async function dispatch(
	c: Context<AppEnv>,
	dispatcher: Hono<AppEnv>,
	op: BulkOperation,
	created: Map<string, string>,
	bookmark: string | undefined,
): Promise<{ result: BulkResult; id?: string; bookmark?: string }> {
	const path = op.path
		.split("/")
		.map((segment) => resolve(segment, created) as string)
		.join("/");
	const m = RESOURCE_PATH.exec(path);
	// "." and ".." would climb out of the resource (URL parsing resolves them).
	const dotted = m?.[2] !== undefined && /^(\.|%2e){1,2}$/i.test(m[2]);
	if (!m || dotted || (op.method === "POST") !== (m[2] === undefined)) {
		const expected = op.method === "POST" ? "/Users or /Groups" : "/Users/{id} or /Groups/{id}";
		return {
			result: failed(op, 400, `path: ${op.method} takes ${expected}, not "${op.path}"`, "invalidPath"),
		};
	}
	const headers = new Headers({ "content-type": SCIM_MEDIA_TYPE });
	for (const name of ["authorization", "cf-connecting-ip", "user-agent"]) {
		const value = c.req.header(name);
		if (value !== undefined) headers.set(name, value);
	}
	// The operations' change rows carry the Bulk request's id; reads see the earlier operations' writes.
	if (c.var.deps.request?.id) headers.set("cf-ray", c.var.deps.request.id);
	if (bookmark) headers.set(BOOKMARK_HEADER, bookmark);
	if (op.version) headers.set("if-match", op.version);
	const hasBody = op.method !== "DELETE";
	const request = new Request(new URL(`${SCIM_PATH}${path}`, c.req.url), {
		method: op.method,
		headers,
		body: hasBody ? JSON.stringify(resolve(op.data ?? {}, created)) : undefined,
		cf: c.req.raw.cf,
	});
	const res = await dispatcher.fetch(request, c.env, c.executionCtx);
	const text = await res.text();
	let body: unknown;
	try {
		body = text === "" ? undefined : JSON.parse(text);
	} catch {
		body = undefined;
	}
	const location =
		res.headers.get("location") ??
		(isObject(body) && isObject(body.meta) ? (body.meta.location as string | undefined) : undefined) ??
		(op.method === "POST" ? undefined : `${scimBase(c)}${path}`);
	const version = res.headers.get("etag") ?? undefined;
	const id = isObject(body) && typeof body.id === "string" ? body.id : undefined;
	return {
		id,
		bookmark: res.headers.get(BOOKMARK_HEADER) ?? undefined,
		result: {
			method: op.method,
			...(op.bulkId ? { bulkId: op.bulkId } : {}),
			...(version ? { version } : {}),
			...(location && res.status < 400 ? { location } : {}),
			status: String(res.status),
			...(body !== undefined ? { response: body } : {}),
		},
	};
}
