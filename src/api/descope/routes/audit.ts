// `management.audit`: search / searchAll, createEvent, createAuditWebhook (docs/audit.md).
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { createEvent, EVENT_LEVELS } from "../../../domain/activity/activity.events";
import { searchActivity } from "../../../domain/activity/activity.search";
import type { AppEnv } from "../../context";
import { toActivitySearch, toAuditRecord } from "../audit-mapper";
import { empty, jsonBody, ok, optBool, optInt64, optString, optStrings } from "../schemas";
import { registerAuditWebhookRoute } from "./audit-webhook";

const auditRecord = z
	.object({
		projectId: z.string(),
		userId: z.string(),
		action: z.string(),
		occurred: z.number().int().openapi({ description: "Unix milliseconds" }),
		device: z.enum(["Desktop", "Mobile", "Tablet", "Bot", "Unknown"]),
		method: z.string(),
		geo: z.string().openapi({ description: "Country code" }),
		remoteAddress: z.string(),
		externalIds: z.array(z.string()).openapi({ description: "Login ids; the SDK calls them loginIds" }),
		tenants: z.array(z.string()),
		data: z.record(z.string(), z.unknown()),
		type: z.enum(EVENT_LEVELS),
		actorId: z.string(),
		ID: z.string(),
		actorType: z.string(),
		actorName: z.string(),
		targetType: z.string(),
		targetId: z.string(),
		result: z.enum(["success", "failure"]),
		changes: z.record(z.string(), z.unknown()),
		requestId: z.string(),
		dialect: z.string(),
		city: z.string(),
		userAgent: z.string(),
	})
	.openapi("AuditRecord");

const tag = ["audit"];
const search = createRoute({
	method: "post",
	path: "/v1/mgmt/audit/search",
	tags: tag,
	summary: "Search the activity history, newest first (`audit.search` / `searchAll`)",
	request: {
		body: jsonBody(
			z.object({
				userIds: optStrings,
				actions: optStrings,
				excludedActions: optStrings,
				devices: optStrings,
				methods: optStrings,
				geos: optStrings,
				remoteAddresses: optStrings,
				externalIds: optStrings.openapi({ description: "Login ids (the SDK's loginIds)" }),
				tenants: optStrings,
				noTenants: optBool,
				text: optString,
				from: optInt64.openapi({ description: "Unix ms; raised to the project's retention" }),
				to: optInt64.openapi({ description: "Unix ms, inclusive" }),
				actorIds: optStrings,
				size: optInt64.openapi({ description: "Page size: default 100, at most 1,000" }),
				page: optInt64.openapi({ description: "0-based page; skips at most 10,000 records" }),
				cursor: optString.openapi({ description: "Roster: the previous answer's nextCursor" }),
			}),
		),
	},
	responses: ok(
		z.object({
			audits: z.array(auditRecord),
			total: z.number().int().openapi({ description: "Records up to this page, plus one if more follow" }),
			nextCursor: z.string().openapi({ description: "Roster: empty on the last page" }),
		}),
	),
});
const event = createRoute({
	method: "post",
	path: "/v1/mgmt/audit/event",
	tags: tag,
	summary: "Append an application's own event (`audit.createEvent`)",
	request: {
		body: jsonBody(
			z.object({
				action: z.string(),
				type: z.enum(EVENT_LEVELS),
				actorId: z.string(),
				tenantId: optString,
				userId: optString,
				data: z.record(z.string(), z.unknown()).nullish(),
			}),
		),
	},
	responses: ok(empty),
});

export function registerAuditRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(search, async (c) => {
		const page = await searchActivity(c.var.deps, c.var.projectId, toActivitySearch(c.req.valid("json")));
		const audits = page.entries.map((e) => toAuditRecord(c.var.projectId, e));
		return c.json({ audits, total: page.total, nextCursor: page.nextCursor ?? "" }, 200);
	});
	app.openapi(event, async (c) => {
		const b = c.req.valid("json");
		await createEvent(c.var.deps, c.var.projectId, {
			action: b.action,
			level: b.type,
			actorId: b.actorId,
			tenantId: b.tenantId,
			userId: b.userId,
			data: b.data,
		});
		return c.json({}, 200);
	});
	registerAuditWebhookRoute(app);
}
