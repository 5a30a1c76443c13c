// `management.audit.createAuditWebhook` (docs/audit.md, "createAuditWebhook"): an endpoint of kind
// `audit` that receives every activity entry, filtered by action name.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { invalid, missing } from "../../../domain/errors";
import {
	allowLoopback,
	assertMayManageWebhooks,
	createWebhookEndpoint,
} from "../../../domain/webhooks/webhook.endpoints";
import type { AppEnv } from "../../context";
import { empty, jsonBody, ok, optBool, optString } from "../schemas";

const filter = z.object({
	key: z.string().openapi({ description: "Only `actions`" }),
	operator: z.string().openapi({ description: "`includes` or `excludes`" }),
	values: z.array(z.string()).nullish(),
});

const body = z.object({
	name: z.string(),
	description: optString,
	url: optString.openapi({ description: "Required to deliver: a public https URL" }),
	authentication: z
		.object({
			bearerToken: optString,
			basic: z.object({ username: optString, password: optString }).nullish(),
			apiKey: z.object({ key: optString, token: optString }).nullish(),
		})
		.nullish(),
	hmacSecret: optString.openapi({ description: "The signing secret; absent: Roster generates one" }),
	headers: z.record(z.string(), z.string()).nullish(),
	insecure: optBool.openapi({ description: "true is refused (TLS is always verified)" }),
	filters: z.array(filter).nullish(),
});

const webhook = createRoute({
	method: "post",
	path: "/v2/mgmt/connector/audit/web/set",
	tags: ["audit"],
	summary: "Create an audit webhook (`audit.createAuditWebhook`): every activity entry, filtered by action",
	request: { body: jsonBody(body) },
	responses: ok(empty),
});

type Body = z.infer<typeof body>;

const basicCredentials = (username: string, password: string) => {
	let binary = "";
	for (const b of new TextEncoder().encode(`${username}:${password}`)) binary += String.fromCharCode(b);
	return `Basic ${btoa(binary)}`;
};

/** `authentication` and `headers` as the extra request headers of every delivery. */
function requestHeaders(b: Body): Record<string, string> | undefined {
	const out: Record<string, string> = {};
	const auth = b.authentication;
	const bearer = auth?.bearerToken || undefined;
	const basic = auth?.basic?.username || auth?.basic?.password ? auth.basic : undefined;
	if (bearer && basic) throw invalid("authentication", "give bearerToken or basic, not both");
	if (bearer) out.Authorization = `Bearer ${bearer}`;
	if (basic) out.Authorization = basicCredentials(basic.username ?? "", basic.password ?? "");
	const apiKey = auth?.apiKey;
	if (apiKey?.key || apiKey?.token) {
		if (!apiKey.key) throw missing("authentication.apiKey.key");
		if (!apiKey.token) throw missing("authentication.apiKey.token");
		if (out[apiKey.key] !== undefined || (apiKey.key.toLowerCase() === "authorization" && out.Authorization))
			throw invalid("authentication.apiKey.key", "names the header bearerToken or basic already sets");
		out[apiKey.key] = apiKey.token;
	}
	for (const [name, value] of Object.entries(b.headers ?? {})) {
		if (Object.keys(out).some((set) => set.toLowerCase() === name.toLowerCase()))
			throw invalid(`headers.${name}`, "is already set by authentication");
		out[name] = value;
	}
	return Object.keys(out).length ? out : undefined;
}

/** The action names of `filters` (key `actions`): those `includes` names (none: every action) and those `excludes` names. */
function filteredActions(b: Body): { included: string[]; excluded: string[] } {
	const included: string[] = [];
	const excluded: string[] = [];
	(b.filters ?? []).forEach((f, i) => {
		if (f.key !== "actions") throw invalid(`filters[${i}].key`, `"${f.key}" is not supported; use "actions"`);
		if (f.operator === "includes") included.push(...(f.values ?? []));
		else if (f.operator === "excludes") excluded.push(...(f.values ?? []));
		else throw invalid(`filters[${i}].operator`, 'must be "includes" or "excludes"');
	});
	return { included, excluded };
}

export function registerAuditWebhookRoute(app: OpenAPIHono<AppEnv>) {
	app.openapi(webhook, async (c) => {
		const b = c.req.valid("json");
		const deps = c.var.deps;
		assertMayManageWebhooks(deps);
		if (!b.name.trim()) throw missing("name");
		if (!b.url) throw missing("url");
		if (b.insecure && !allowLoopback(deps))
			throw invalid("insecure", "is not supported: deliveries always verify the receiver's TLS certificate");
		const actions = filteredActions(b);
		await createWebhookEndpoint(deps, c.var.projectId, {
			kind: "audit",
			name: b.name,
			url: b.url,
			description: b.description ?? "",
			eventTypes: actions.included,
			excludedEventTypes: actions.excluded,
			secret: b.hmacSecret || undefined,
			headers: requestHeaders(b),
		});
		return c.json({}, 200);
	});
}
