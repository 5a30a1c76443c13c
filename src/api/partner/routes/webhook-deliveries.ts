// docs/webhooks.md, "Delivery log and replay": an endpoint's deliveries with their attempts, replay
// of one delivery or a time range, and the `webhook.test` ping.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import {
	DELIVERY_STATUSES,
	type DeliveryView,
	listDeliveries,
	replayDelivery,
	replayRange,
	testEndpoint,
} from "../../../domain/webhooks/webhook.delivery";
import { webhookQueue } from "../../../domain/webhooks/webhook.outbox";
import { testPayload } from "../../../webhooks/payload";
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
	isoTime,
	jsonBody,
	jsonContent,
	PARTNER_BASE,
} from "../schemas";

const tags = ["webhook deliveries"];
const PATH = `${PARTNER_BASE}/webhooks/{id}`;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const attempt = z
	.object({
		Attempt: z.number().int(),
		At: isoTime,
		StatusCode: z.number().int().nullable().openapi({ description: "null: no answer (timeout, refused)" }),
		LatencyMs: z.number().int(),
		ResponseSnippet: z.string().nullable().openapi({ description: "The first 2 KiB of the answer" }),
		Error: z.string().nullable(),
	})
	.openapi("WebhookAttempt");

const delivery = z
	.object({
		Id: z.string().openapi({ description: "The webhook-id header, the same on every attempt and replay" }),
		EventType: z.string(),
		EventSeq: z
			.number()
			.int()
			.nullable()
			.openapi({ description: "The change-log seq; null for a test ping" }),
		Status: z.enum(DELIVERY_STATUSES),
		Attempts: z.number().int(),
		CreatedAt: isoTime,
		LastAttemptAt: isoTime.nullable(),
		NextAttemptAt: isoTime.nullable(),
		LastStatusCode: z.number().int().nullable(),
		AttemptLog: z.array(attempt).openapi({ description: "The latest 20 attempts, oldest first" }),
	})
	.openapi("WebhookDelivery");

const toWire = (d: DeliveryView) => ({
	Id: d.id,
	EventType: d.eventType,
	EventSeq: d.eventSeq,
	Status: d.status,
	Attempts: d.attempts,
	CreatedAt: iso(d.createdAt) as string,
	LastAttemptAt: iso(d.lastAttemptAt),
	NextAttemptAt: iso(d.nextAttemptAt),
	LastStatusCode: d.lastStatusCode,
	AttemptLog: d.attemptLog.map((a) => ({
		Attempt: a.attempt,
		At: iso(a.at) as string,
		StatusCode: a.statusCode,
		LatencyMs: a.latencyMs,
		ResponseSnippet: a.responseSnippet,
		Error: a.error,
	})),
});

/** The keyset position of the delivery log: creation time and id of the last item seen. */
const isPosition = (v: unknown): v is { c: number; i: string } =>
	typeof v === "object" &&
	v !== null &&
	Number.isSafeInteger((v as { c?: unknown }).c) &&
	typeof (v as { i?: unknown }).i === "string";

const deliveryParams = idParams.extend({
	deliveryId: z
		.string()
		.min(1)
		.max(64)
		.openapi({ param: { name: "deliveryId", in: "path" }, example: "msg_2b5c0e6c1f0a4d0c9d1e2f3a4b5c6d7e" }),
});

const replayBody = z
	.object({
		From: z.iso
			.datetime({ offset: true })
			.openapi({ description: "Deliveries created at or after (ISO 8601)" }),
		To: z.iso
			.datetime({ offset: true })
			.openapi({ description: "Deliveries created at or before (ISO 8601)" }),
	})
	.strict()
	.openapi("WebhookReplayRange");

const list = createRoute({
	method: "get",
	path: `${PATH}/deliveries`,
	tags,
	operationId: "listWebhookDeliveries",
	summary: "An endpoint's deliveries, newest first, each with its attempts",
	request: {
		params: idParams,
		query: listQuery.extend({ status: z.enum(DELIVERY_STATUSES).optional() }),
		headers: ifNoneMatchHeaders,
	},
	responses: {
		200: {
			description: "One page",
			headers: etagHeaders,
			content: jsonContent(listEnvelopeSchema(delivery, "WebhookDeliveryList")),
		},
		...notModifiedResponse,
		...errors,
	},
});

const conflict = { 409: { description: "The endpoint is disabled", content: errors[400].content } };

const replayOne = createRoute({
	method: "post",
	path: `${PATH}/deliveries/{deliveryId}/replay`,
	tags,
	operationId: "replayWebhookDelivery",
	summary: "Send a delivery again: the same webhook-id and payload, a fresh retry schedule",
	request: { params: deliveryParams },
	responses: {
		202: { description: "Queued", content: jsonContent(delivery) },
		...errors,
		...conflict,
	},
});

const replayMany = createRoute({
	method: "post",
	path: `${PATH}/deliveries/replay`,
	tags,
	operationId: "replayWebhookDeliveries",
	summary: "Send every delivery created in [From, To] again (at most 1,000)",
	request: { params: idParams, body: jsonBody(replayBody) },
	responses: {
		202: {
			description: "Queued",
			content: jsonContent(z.object({ Replayed: z.number().int() }).openapi("WebhookReplayResult")),
		},
		...errors,
		...conflict,
	},
});

const ping = createRoute({
	method: "post",
	path: `${PATH}/test`,
	tags,
	operationId: "testWebhookEndpoint",
	summary: "Send a `webhook.test` ping, whatever the endpoint's EventTypes",
	request: { params: idParams },
	responses: {
		202: { description: "Queued", content: jsonContent(delivery) },
		...errors,
		...conflict,
	},
});

export function registerDeliveryRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(list, async (c) => {
		const q = c.req.valid("query");
		const position = q.cursor === undefined ? null : decodeCursor(q.cursor, isPosition);
		const page = await listDeliveries(c.var.deps, c.var.projectId, c.req.valid("param").id, {
			limit: q.limit ?? DEFAULT_LIMIT,
			after: position && { createdAt: position.c, id: position.i },
			status: q.status ?? null,
		});
		const next = page.next && encodeCursor({ c: page.next.createdAt, i: page.next.id });
		return withEtag(c, listEnvelope(page.items.map(toWire), next));
	});

	app.openapi(replayOne, async (c) => {
		const { id, deliveryId } = c.req.valid("param");
		const d = await replayDelivery(c.var.deps, c.var.projectId, id, deliveryId, webhookQueue(c.env));
		return c.json(toWire(d), 202);
	});

	app.openapi(replayMany, async (c) => {
		const body = c.req.valid("json");
		const replayed = await replayRange(
			c.var.deps,
			c.var.projectId,
			c.req.valid("param").id,
			{ from: Date.parse(body.From), to: Date.parse(body.To) },
			webhookQueue(c.env),
		);
		return c.json({ Replayed: replayed }, 202);
	});

	app.openapi(ping, async (c) => {
		const id = c.req.valid("param").id;
		const d = await testEndpoint(c.var.deps, c.var.projectId, id, testPayload(id), webhookQueue(c.env));
		return c.json(toWire(d), 202);
	});
}
