import type { PostmanVariable, ReferenceDialect } from "./dialects";

// A Postman Collection v2.1 (https://schema.postman.com/collection/json/v2.1.0/draft-07/docs/index.html)
// from a dialect's OpenAPI 3.1 document: a folder per tag, `{{baseUrl}}` URLs, the dialect's
// Authorization header from collection variables, and an example body built from each schema.

type Json = Record<string, unknown>;
type Schema = Json & { $ref?: string };

export interface OpenApiLike {
	info: { title: string; version: string; description?: string };
	servers?: { url: string }[];
	paths?: Record<string, Record<string, Json>>;
	components?: { schemas?: Record<string, Schema> };
	tags?: { name: string; description?: string }[];
}

export const POSTMAN_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";
const METHODS = ["get", "put", "post", "delete", "patch"] as const;
const MAX_DEPTH = 6;

/** Parameters and body members that name a real object: they take a variable the user sets once. */
export const ID_VARIABLES: Record<string, PostmanVariable> = {
	loginId: { key: "loginId", value: "", description: "A login id of a user of the project" },
	userId: { key: "userId", value: "", description: "A user id (U…) of the project" },
	tenantId: { key: "tenantId", value: "", description: "A tenant id of the project" },
	projectId: { key: "projectId", value: "", description: "The project id (P…)" },
	keyId: { key: "keyId", value: "", description: "A management key id of the project" },
	accessKeyId: { key: "accessKeyId", value: "", description: "An access key id of the project" },
	identityProviderId: {
		key: "identityProviderId",
		value: "",
		description: "A project-level identity provider id of the project (POST /v1/mgmt/oauth/provider)",
	},
	ssoAppId: { key: "ssoAppId", value: "", description: "An SSO application id of the project" },
	webhookId: { key: "webhookId", value: "", description: "A webhook endpoint id of the project" },
	groupId: { key: "groupId", value: "", description: "A SCIM group id: a role id of the project" },
};

/** A member's name as the id it holds: `user_id`, `userIds` → userId; a bare `id` by the path it is on. */
function idVariable(name: string, path: string): PostmanVariable | undefined {
	const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
	const singular = camel.endsWith("Ids") ? camel.slice(0, -1) : camel;
	if (ID_VARIABLES[singular]) return ID_VARIABLES[singular];
	if (name !== "id") return undefined;
	if (path.includes("/tenant")) return ID_VARIABLES.tenantId;
	if (path.includes("/managementkey")) return ID_VARIABLES.keyId;
	if (path.includes("/accesskey")) return ID_VARIABLES.accessKeyId;
	if (path.includes("/oauth/provider")) return ID_VARIABLES.identityProviderId;
	if (path.includes("/sso/")) return ID_VARIABLES.ssoAppId;
	if (path.includes("/webhooks/{id}")) return ID_VARIABLES.webhookId;
	if (path.includes("/scim/v2/Users/{id}")) return ID_VARIABLES.userId;
	if (path.includes("/scim/v2/Groups/{id}")) return ID_VARIABLES.groupId;
	return undefined;
}

function resolve(doc: OpenApiLike, schema: Schema | undefined): Schema {
	let current = schema ?? {};
	for (let hops = 0; current.$ref && hops < 10; hops++) {
		const name = current.$ref.replace("#/components/schemas/", "");
		current = doc.components?.schemas?.[name] ?? {};
	}
	return current;
}

const firstType = (schema: Schema) => {
	const type = schema.type;
	if (Array.isArray(type)) return type.find((t) => t !== "null") as string | undefined;
	return type as string | undefined;
};

/** An example value: the schema's example, default, const or first enum value, else one of its type. */
export function exampleOf(
	doc: OpenApiLike,
	given: Schema | undefined,
	name = "",
	path = "",
	depth = 0,
	used?: Set<PostmanVariable>,
): unknown {
	const schema = resolve(doc, given);
	const variable = idVariable(name, path);
	const type = firstType(schema);
	if (variable && (type === "string" || type === "array" || type === undefined)) {
		used?.add(variable);
		return type === "array" ? [`{{${variable.key}}}`] : `{{${variable.key}}}`;
	}
	if (schema.example !== undefined) return schema.example;
	if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
	if (schema.default !== undefined) return schema.default;
	if (schema.const !== undefined) return schema.const;
	if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum.find((v) => v !== null);
	for (const key of ["allOf", "anyOf", "oneOf"] as const) {
		const options = (schema[key] as Schema[] | undefined)?.filter((s) => resolve(doc, s).type !== "null");
		if (!options?.length) continue;
		if (key !== "allOf") return exampleOf(doc, options[0], name, path, depth + 1, used);
		return Object.assign({}, ...options.map((s) => exampleOf(doc, s, name, path, depth + 1, used)));
	}
	if (depth > MAX_DEPTH) return null;
	switch (firstType(schema)) {
		case "object": {
			const properties = (schema.properties ?? {}) as Record<string, Schema>;
			const required = new Set((schema.required as string[] | undefined) ?? []);
			const out: Json = {};
			for (const [key, property] of Object.entries(properties)) {
				const resolved = resolve(doc, property);
				// Optional members only when the schema suggests a value: the body stays valid.
				const suggested = resolved.example !== undefined || resolved.default !== undefined;
				if (required.has(key) || suggested) out[key] = exampleOf(doc, property, key, path, depth + 1, used);
			}
			return out;
		}
		case "array": {
			const min = Number(schema.minItems ?? 0);
			return min > 0 ? [exampleOf(doc, schema.items as Schema, name, path, depth + 1, used)] : [];
		}
		case "integer":
		case "number":
			return Number(schema.minimum ?? 0);
		case "boolean":
			return false;
		case "string":
			return stringExample(schema, name);
		default:
			return null;
	}
}

function stringExample(schema: Schema, name: string): string {
	if (schema.format === "email" || /email/i.test(name)) return "alice@example.com";
	if (schema.format === "date-time") return "2026-01-01T00:00:00Z";
	if (schema.format === "uri" || schema.format === "url") return "https://example.com/";
	if (/phone/i.test(name)) return "+15555550100";
	const min = Number(schema.minLength ?? 1);
	return name ? name.padEnd(min, "x") : "x".repeat(Math.max(min, 1));
}

interface PostmanAuth {
	type: "apikey" | "noauth";
	apikey?: { key: string; value: string; type: "string" }[];
}

const headerAuth = (value: string): PostmanAuth => ({
	type: "apikey",
	apikey: [
		{ key: "key", value: "Authorization", type: "string" },
		{ key: "value", value, type: "string" },
		{ key: "in", value: "header", type: "string" },
	],
});

/** The request's own auth when it differs from the collection's; undefined inherits. */
function authFor(operation: Json, dialect: ReferenceDialect, defaultScheme: string): PostmanAuth | undefined {
	const security = operation.security as Record<string, string[]>[] | undefined;
	if (!security) return undefined;
	if (security.length === 0) return { type: "noauth" };
	const scheme = Object.keys(security[0] ?? {})[0];
	if (!scheme || scheme === defaultScheme) return undefined;
	const credential = dialect.credentials[scheme];
	return credential ? headerAuth(credential) : undefined;
}

interface Parameter {
	name: string;
	in: string;
	required?: boolean;
	description?: string;
	schema?: Schema;
}

const asText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

function requestItem(
	doc: OpenApiLike,
	path: string,
	method: string,
	operation: Json,
	dialect: ReferenceDialect,
	used: Set<PostmanVariable>,
) {
	const parameters = (operation.parameters as Parameter[] | undefined) ?? [];
	const queryParameters = parameters.filter((p) => p.in === "query");
	// A route with only optional query parameters usually needs one of them (loginId or userId):
	// the first that names an id is switched on, with its variable.
	const chosen = queryParameters.some((p) => p.required)
		? undefined
		: queryParameters.find((p) => idVariable(p.name, path));
	const query = queryParameters.map((p) => ({
		key: p.name,
		value: asText(exampleOf(doc, p.schema, p.name, path, 0, used)),
		...(p.description ? { description: p.description } : {}),
		// Other optional parameters are listed, switched off.
		...(p.required || p === chosen ? {} : { disabled: true }),
	}));
	const pathVariables = parameters
		.filter((p) => p.in === "path")
		.map((p) => ({ key: p.name, value: asText(exampleOf(doc, p.schema, p.name, path, 0, used)) }));
	const segments = path
		.split("/")
		.filter(Boolean)
		.map((s) => s.replace(/^\{(.+)\}$/, ":$1"));
	const enabledQuery = query.filter((q) => !("disabled" in q));
	const raw = `{{baseUrl}}/${segments.join("/")}${
		enabledQuery.length ? `?${enabledQuery.map((q) => `${q.key}=${q.value}`).join("&")}` : ""
	}`;
	const header: { key: string; value: string }[] = [];
	const responses = (operation.responses ?? {}) as Record<string, { content?: Json }>;
	const success = Object.entries(responses).find(([status]) => status.startsWith("2"))?.[1];
	const accept = Object.keys(success?.content ?? {})[0];
	if (accept) header.push({ key: "Accept", value: accept });
	const requestBody = operation.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined;
	const [contentType, media] = Object.entries(requestBody?.content ?? {})[0] ?? [];
	let body: Json | undefined;
	if (contentType && media) {
		header.push({ key: "Content-Type", value: contentType });
		const example = exampleOf(doc, media.schema, "", path, 0, used);
		body = { mode: "raw", raw: JSON.stringify(example, null, 2), options: { raw: { language: "json" } } };
	}
	const auth = authFor(operation, dialect, Object.keys(dialect.credentials)[0] ?? "");
	return {
		id: String(operation.operationId),
		name: String(operation.summary ?? `${method.toUpperCase()} ${path}`),
		request: {
			method: method.toUpperCase(),
			header,
			url: {
				raw,
				host: ["{{baseUrl}}"],
				path: segments,
				...(query.length ? { query } : {}),
				...(pathVariables.length ? { variable: pathVariables } : {}),
			},
			...(body ? { body } : {}),
			...(auth ? { auth } : {}),
			description: [operation.description, `\`${method.toUpperCase()} ${path}\``]
				.filter(Boolean)
				.join("\n\n"),
		},
		response: [],
	};
}

/** The collection of one dialect's document. */
export function postmanCollection(doc: OpenApiLike, dialect: ReferenceDialect) {
	const folders = new Map<string, ReturnType<typeof requestItem>[]>();
	for (const tag of doc.tags ?? []) folders.set(tag.name, []);
	const used = new Set<PostmanVariable>();
	for (const [path, item] of Object.entries(doc.paths ?? {})) {
		for (const method of METHODS) {
			const operation = item[method];
			if (!operation) continue;
			const tag = (operation.tags as string[] | undefined)?.[0] ?? "other";
			if (!folders.has(tag)) folders.set(tag, []);
			folders.get(tag)?.push(requestItem(doc, path, method, operation, dialect, used));
		}
	}
	const server = doc.servers?.[0]?.url ?? "";
	const variables = new Map<string, PostmanVariable>();
	variables.set("baseUrl", {
		key: "baseUrl",
		value: server.startsWith("http") ? server.replace(/\/$/, "") : "http://127.0.0.1:8787",
		description: "The Worker's origin, no trailing slash",
	});
	for (const v of [...dialect.variables, ...used]) if (!variables.has(v.key)) variables.set(v.key, v);
	const descriptions = new Map((doc.tags ?? []).map((t) => [t.name, t.description]));
	return {
		info: {
			name: `Roster: ${dialect.title}`,
			description:
				`${doc.info.description ?? ""}\n\nGenerated from ${dialect.document} (version ${doc.info.version}). Set the collection variables first (docs/api-reference.md).`.trim(),
			schema: POSTMAN_SCHEMA,
		},
		auth: headerAuth(Object.values(dialect.credentials)[0] ?? ""),
		variable: [...variables.values()].map((v) => ({ ...v, type: "string" })),
		item: [...folders.entries()]
			.filter(([, items]) => items.length > 0)
			.map(([name, items]) => ({
				name,
				...(descriptions.get(name) ? { description: descriptions.get(name) } : {}),
				item: items,
			})),
	};
}
