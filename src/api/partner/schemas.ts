import { z } from "@hono/zod-openapi";
import { MAX_DESCRIPTION_LENGTH, MAX_LIST_ENTRIES, MAX_URL_LENGTH } from "../../domain/limits";
import { WEBHOOK_EVENT_TYPES } from "../../domain/webhooks/webhook.events";

// Wire schemas of the partner dialect (docs/partner.md): PascalCase members, ISO 8601 UTC times,
// strict bodies (an unknown member is a 400 naming it).

export const PARTNER_BASE = "/api/partner/v1";

export const isoTime = z.string().openapi({ format: "date-time", example: "2026-01-31T12:00:00.000Z" });

export const idParams = z.object({
	id: z
		.string()
		.min(1)
		.max(64)
		.openapi({ param: { name: "id", in: "path" }, example: "W0123456789abcdefghijklmnopq" }),
});

export const ifNoneMatchHeaders = z.object({
	"if-none-match": z
		.string()
		.optional()
		.openapi({ description: "An ETag of an earlier answer: 304 if still current" }),
});

export const etagHeaders = z.object({
	ETag: z.string().openapi({ description: "Weak ETag of the body" }),
	"Cache-Control": z.string().openapi({ example: "private, no-cache" }),
});

export const jsonContent = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
	content: jsonContent(schema),
	required: true,
});

// ---------------------------------------------------------------- webhook endpoints

const eventTypesField = z
	.array(z.string())
	.max(MAX_LIST_ENTRIES)
	.openapi({
		description: `Event types to receive; empty: all. One of: ${WEBHOOK_EVENT_TYPES.join(", ")}. For an endpoint of Kind \`audit\`, activity action names`,
	});

const urlField = z
	.string()
	.min(1)
	.max(MAX_URL_LENGTH)
	.openapi({ description: "A public https URL", example: "https://hooks.example.com/roster" });

export const webhookCreateBody = z
	.object({
		Url: urlField,
		Description: z.string().max(MAX_DESCRIPTION_LENGTH).optional(),
		EventTypes: eventTypesField.optional(),
		Enabled: z.boolean().optional().openapi({ default: true }),
	})
	.strict()
	.openapi("WebhookEndpointCreate");

export const webhookPatchBody = z
	.object({
		Url: urlField.optional(),
		Description: z.string().max(MAX_DESCRIPTION_LENGTH).optional(),
		EventTypes: eventTypesField.optional(),
		Enabled: z.boolean().optional().openapi({ description: "true clears DisabledReason" }),
	})
	.strict()
	.openapi("WebhookEndpointPatch");

export const webhookEndpoint = z
	.object({
		Id: z.string(),
		Kind: z.enum(["events", "audit"]).openapi({
			description: "`events`: the event catalogue; `audit`: activity entries (Descope createAuditWebhook)",
		}),
		Url: z.string(),
		Description: z.string(),
		EventTypes: z.array(z.string()),
		ExcludedEventTypes: z.array(z.string()).optional().openapi({
			description: "Kind `audit` only: action names never delivered (createAuditWebhook `excludes`)",
		}),
		Enabled: z.boolean(),
		DisabledReason: z
			.string()
			.nullable()
			.openapi({ description: "`Gone` when Roster disabled it (the receiver answered 410); null otherwise" }),
		CreatedAt: isoTime,
		UpdatedAt: isoTime,
	})
	.openapi("WebhookEndpoint");

export const webhookEndpointWithSecret = webhookEndpoint
	.extend({
		Secret: z.string().openapi({
			description: "The signing secret (whsec_…): shown only here and when rotated",
			example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		}),
	})
	.openapi("WebhookEndpointWithSecret");
