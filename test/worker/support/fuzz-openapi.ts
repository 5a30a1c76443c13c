// The fuzz suite's view of the Worker's own OpenAPI documents: every operation of every dialect,
// its parameters and its request schema with `$ref`s resolved, so a route added later is fuzzed
// without touching the suite.
import { call } from "../harness";

export type Dialect = "descope" | "v4" | "legacy" | "operator";
/** With the partner API and SCIM (docs/partner.md, docs/scim.md): partner- and scim-contract.test.ts. */
export type OperationDialect = Dialect | "partner" | "scim";

export interface Schema {
	type?: string | string[];
	properties?: Record<string, Schema>;
	required?: string[];
	items?: Schema;
	additionalProperties?: boolean | Schema;
	enum?: unknown[];
	anyOf?: Schema[];
	oneOf?: Schema[];
	allOf?: Schema[];
	$ref?: string;
	minimum?: number;
	maximum?: number;
	minLength?: number;
	format?: string;
	readOnly?: boolean;
}

export interface Operation {
	dialect: OperationDialect;
	method: string;
	/** OpenAPI template: /users/{user_id}. */
	path: string;
	pathParams: string[];
	query: string[];
	/** The request schema, `$ref`s resolved; undefined when the operation takes no body. */
	body?: Schema;
	contentType: string;
}

interface Document {
	paths: Record<string, Record<string, RawOperation>>;
	components?: { schemas?: Record<string, Schema>; parameters?: Record<string, RawParameter> };
}
interface RawParameter {
	$ref?: string;
	name: string;
	in: string;
}
interface RawOperation {
	parameters?: RawParameter[];
	requestBody?: { content: Record<string, { schema: Schema }> };
}

export const DOCUMENTS: Record<Exclude<OperationDialect, "legacy">, string> = {
	descope: "/v1/mgmt/openapi.json",
	v4: "/api/user/management/v4/openapi.json",
	operator: "/v1/operator/openapi.json",
	partner: "/api/partner/v1/openapi.json",
	scim: "/scim/v2/openapi.json",
};

const HTTP_METHODS = ["get", "put", "post", "patch", "delete"];

function lookup<T>(doc: Document, ref: string): T {
	const parts = ref.replace(/^#\//, "").split("/");
	let node: unknown = doc;
	for (const part of parts) node = (node as Record<string, unknown>)[part];
	if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
	return node as T;
}

/** Inlines every `$ref` (the documents have no recursive schemas). */
function resolve(doc: Document, schema: Schema, depth = 0): Schema {
	if (depth > 20) return {};
	if (schema.$ref) return resolve(doc, lookup<Schema>(doc, schema.$ref), depth + 1);
	const out: Schema = { ...schema };
	if (schema.properties) {
		out.properties = Object.fromEntries(
			Object.entries(schema.properties).map(([k, v]) => [k, resolve(doc, v, depth + 1)]),
		);
	}
	if (schema.items) out.items = resolve(doc, schema.items, depth + 1);
	if (typeof schema.additionalProperties === "object") {
		out.additionalProperties = resolve(doc, schema.additionalProperties, depth + 1);
	}
	for (const key of ["anyOf", "oneOf", "allOf"] as const) {
		if (schema[key]) out[key] = schema[key].map((s) => resolve(doc, s, depth + 1));
	}
	return out;
}

function operationsOf(dialect: Exclude<OperationDialect, "legacy">, doc: Document): Operation[] {
	return Object.entries(doc.paths).flatMap(([path, item]) =>
		Object.entries(item)
			.filter(([method]) => HTTP_METHODS.includes(method))
			.map(([method, op]) => {
				const params = (op.parameters ?? []).map((p) => (p.$ref ? lookup<RawParameter>(doc, p.$ref) : p));
				const [contentType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
				return {
					dialect,
					method: method.toUpperCase(),
					path,
					pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
					query: params.filter((p) => p.in === "query").map((p) => p.name),
					body: media ? resolve(doc, media.schema) : undefined,
					contentType: contentType ?? "application/json",
				};
			}),
	);
}

/**
 * The legacy endpoints are in no OpenAPI document (they predate v4 and are deprecated), so they
 * are listed here, from src/api/legacy/routes/, with the body fields src/api/legacy/body.ts reads.
 */
const LEGACY_BODY: Schema = {
	type: "object",
	properties: {
		email: { type: "string", format: "email" },
		name: { type: ["string", "null"] },
		phone: { type: ["string", "null"] },
		cid: { type: ["string", "null"] },
		user_flags: { type: "array", items: { type: "string" } },
		registered: { type: "boolean" },
	},
	required: ["email"],
};
export const LEGACY_OPERATIONS: Operation[] = [
	{
		method: "GET",
		path: "/api/management/user",
		query: ["email", "cid", "page", "per_page"],
		pathParams: [],
	},
	{ method: "POST", path: "/api/management/user", query: [], pathParams: [], body: LEGACY_BODY },
	{
		method: "PUT",
		path: "/api/management/user/{email}",
		query: [],
		pathParams: ["email"],
		body: LEGACY_BODY,
	},
	{ method: "DELETE", path: "/api/management/user/{email}", query: [], pathParams: ["email"] },
].map((op) => ({ ...op, dialect: "legacy" as const, contentType: "application/json" }));

export async function loadOperations(): Promise<Record<OperationDialect, Operation[]>> {
	const out = { legacy: LEGACY_OPERATIONS } as Record<OperationDialect, Operation[]>;
	for (const [dialect, path] of Object.entries(DOCUMENTS) as [
		Exclude<OperationDialect, "legacy">,
		string,
	][]) {
		const res = await call<Document>("GET", path);
		if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
		out[dialect] = operationsOf(dialect, res.body);
	}
	return out;
}

// ---------------------------------------------------------------------------------------------
// Schema helpers.

export const typesOf = (schema: Schema): string[] => {
	if (schema.type) return Array.isArray(schema.type) ? schema.type : [schema.type];
	const alt = schema.anyOf ?? schema.oneOf;
	if (alt) return alt.flatMap(typesOf);
	if (schema.allOf?.[0]) return typesOf(schema.allOf[0]);
	if (schema.properties) return ["object"];
	if (schema.enum) return [...new Set(schema.enum.map((v) => (v === null ? "null" : typeof v)))];
	return [];
};

/** The first alternative with properties or items, for walking into a field. */
function shapeOf(schema: Schema): Schema {
	const alt = schema.anyOf ?? schema.oneOf ?? schema.allOf;
	return alt?.find((s) => s.properties || s.items) ?? schema;
}

/** Every field of a body schema, as a path of keys (array elements as index 0), to a depth of 4. */
export function fieldPaths(
	schema: Schema | undefined,
	prefix: (string | number)[] = [],
): (string | number)[][] {
	if (!schema || prefix.length >= 4) return [];
	const shape = shapeOf(schema);
	const out: (string | number)[][] = [];
	for (const [name, sub] of Object.entries(shape.properties ?? {})) {
		const path = [...prefix, name];
		out.push(path, ...fieldPaths(sub, path));
	}
	if (shape.items) {
		const path = [...prefix, 0];
		out.push(path, ...fieldPaths(shape.items, path));
	}
	return out;
}

export function schemaAt(schema: Schema | undefined, path: (string | number)[]): Schema | undefined {
	let node = schema;
	for (const key of path) {
		if (!node) return undefined;
		const shape = shapeOf(node);
		node = typeof key === "number" ? shape.items : shape.properties?.[key];
	}
	return node;
}

/** A plausible string for a field, by its name (the project's seeded rows: user, tenant, role…). */
export type Pool = (field: string) => string;

/** A value that passes the schema's shape: required fields, one array element, enum firsts. */
export function sample(schema: Schema | undefined, pool: Pool, name = "", depth = 0): unknown {
	if (!schema || depth > 6) return undefined;
	if (schema.enum?.length) return schema.enum.find((v) => v !== null) ?? schema.enum[0];
	const types = typesOf(schema).filter((t) => t !== "null");
	const shape = shapeOf(schema);
	switch (types[0]) {
		case "object": {
			const out: Record<string, unknown> = {};
			for (const key of shape.required ?? []) {
				const sub = shape.properties?.[key];
				if (sub && !sub.readOnly) out[key] = sample(sub, pool, key, depth + 1);
			}
			return out;
		}
		case "array":
			return shape.items ? [sample(shape.items, pool, name, depth + 1)] : [];
		case "integer":
		case "number":
			return Math.max(schema.minimum ?? 1, Math.min(schema.maximum ?? 1, 60));
		case "boolean":
			return false;
		case "string":
			return pool(schema.format === "email" ? "email" : name);
		default:
			return pool(name);
	}
}

/** Sets `value` at `path` in a copy of `base`, creating objects and arrays on the way. */
export function setAt(base: unknown, path: (string | number)[], value: unknown): unknown {
	if (path.length === 0) return value;
	const [key, ...rest] = path as [string | number, ...(string | number)[]];
	const container = (
		typeof key === "number"
			? Array.isArray(base)
				? [...base]
				: []
			: base && typeof base === "object" && !Array.isArray(base)
				? { ...base }
				: {}
	) as Record<string | number, unknown>;
	container[key] = setAt(container[key], rest, value);
	return container;
}
