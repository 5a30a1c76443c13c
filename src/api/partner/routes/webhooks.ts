// docs/partner.md, "Webhook endpoints": /webhooks CRUD and rotate-secret.
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import {
	createWebhookEndpoint,
	deleteWebhookEndpoint,
	getWebhookEndpoint,
	listWebhookEndpoints,
	rotateWebhookSecret,
	updateWebhookEndpoint,
} from "../../../domain/webhooks/webhook.endpoints";
import type { AppEnv } from "../../context";
import { partnerErrorResponses as errors, notModifiedResponse } from "../errors";
import { withEtag } from "../etag";
import {
	DEFAULT_LIMIT,
	decodeCursor,
	encodeCursor,
	listEnvelope,
	listEnvelopeSchema,
	listQuery,
} from "../list";
import {
	etagHeaders,
	idParams,
	ifNoneMatchHeaders,
	jsonBody,
	jsonContent,
	PARTNER_BASE,
	webhookCreateBody,
	webhookEndpoint,
	webhookEndpointWithSecret,
	webhookPatchBody,
} from "../schemas";
import { fromWireCreate, fromWirePatch, toWireEndpoint, toWireEndpointWithSecret } from "../webhook-mapper";

const tags = ["webhooks"];
const PATH = `${PARTNER_BASE}/webhooks`;

/** The keyset position of the endpoint list: the last id seen. */
const isPosition = (v: unknown): v is { i: string } =>
	typeof v === "object" && v !== null && typeof (v as { i?: unknown }).i === "string";

const create = createRoute({
	method: "post",
	path: PATH,
	tags,
	operationId: "createWebhookEndpoint",
	summary: "Create a webhook endpoint; the answer holds its signing secret, shown only once",
	request: { body: jsonBody(webhookCreateBody) },
	responses: {
		201: { description: "Created, with its Secret", content: jsonContent(webhookEndpointWithSecret) },
		...errors,
	},
});

const list = createRoute({
	method: "get",
	path: PATH,
	tags,
	operationId: "listWebhookEndpoints",
	summary: "List the project's webhook endpoints (every Kind), in id order",
	request: { query: listQuery, headers: ifNoneMatchHeaders },
	responses: {
		200: {
			description: "One page",
			headers: etagHeaders,
			content: jsonContent(listEnvelopeSchema(webhookEndpoint, "WebhookEndpointList")),
		},
		...notModifiedResponse,
		...errors,
	},
});

const read = createRoute({
	method: "get",
	path: `${PATH}/{id}`,
	tags,
	operationId: "getWebhookEndpoint",
	summary: "Get a webhook endpoint",
	request: { params: idParams, headers: ifNoneMatchHeaders },
	responses: {
		200: { description: "The endpoint", headers: etagHeaders, content: jsonContent(webhookEndpoint) },
		...notModifiedResponse,
		...errors,
	},
});

const update = createRoute({
	method: "patch",
	path: `${PATH}/{id}`,
	tags,
	operationId: "updateWebhookEndpoint",
	summary: "Change a webhook endpoint's Url, Description, EventTypes or Enabled",
	request: { params: idParams, body: jsonBody(webhookPatchBody) },
	responses: {
		200: { description: "The endpoint as changed", content: jsonContent(webhookEndpoint) },
		...errors,
		409: { description: "Changed meanwhile; read it again and retry", content: errors[400].content },
	},
});

const remove = createRoute({
	method: "delete",
	path: `${PATH}/{id}`,
	tags,
	operationId: "deleteWebhookEndpoint",
	summary: "Delete a webhook endpoint with its deliveries and their attempts",
	request: { params: idParams },
	responses: { 204: { description: "Deleted" }, ...errors },
});

const rotate = createRoute({
	method: "post",
	path: `${PATH}/{id}/rotate-secret`,
	tags,
	operationId: "rotateWebhookSecret",
	summary: "Replace the signing secret; the previous one keeps signing for 24 hours",
	request: { params: idParams },
	responses: {
		200: { description: "The endpoint with its new Secret", content: jsonContent(webhookEndpointWithSecret) },
		...errors,
		409: { description: "Changed meanwhile; retry", content: errors[400].content },
	},
});

export function registerWebhookRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(create, async (c) => {
		const { endpoint, secret } = await createWebhookEndpoint(
			c.var.deps,
			c.var.projectId,
			fromWireCreate(c.req.valid("json")),
		);
		c.header("Location", `${PATH}/${endpoint.id}`);
		return c.json(toWireEndpointWithSecret(endpoint, secret), 201);
	});

	app.openapi(list, async (c) => {
		const q = c.req.valid("query");
		const limit = q.limit ?? DEFAULT_LIMIT;
		const after = q.cursor === undefined ? null : decodeCursor(q.cursor, isPosition).i;
		const page = await listWebhookEndpoints(c.var.deps, c.var.projectId, {
			limit,
			after,
			includeTotal: q.includeTotal,
		});
		const next = page.nextAfter === null ? null : encodeCursor({ i: page.nextAfter });
		return withEtag(c, listEnvelope(page.endpoints.map(toWireEndpoint), next, page.total));
	});

	app.openapi(read, async (c) => {
		const endpoint = await getWebhookEndpoint(c.var.deps, c.var.projectId, c.req.valid("param").id);
		return withEtag(c, toWireEndpoint(endpoint));
	});

	app.openapi(update, async (c) => {
		const endpoint = await updateWebhookEndpoint(
			c.var.deps,
			c.var.projectId,
			c.req.valid("param").id,
			fromWirePatch(c.req.valid("json")),
		);
		return c.json(toWireEndpoint(endpoint), 200);
	});

	app.openapi(remove, async (c) => {
		await deleteWebhookEndpoint(c.var.deps, c.var.projectId, c.req.valid("param").id);
		return c.body(null, 204);
	});

	app.openapi(rotate, async (c) => {
		const { endpoint, secret } = await rotateWebhookSecret(
			c.var.deps,
			c.var.projectId,
			c.req.valid("param").id,
		);
		return c.json(toWireEndpointWithSecret(endpoint, secret), 200);
	});
}
