// Webhook endpoints: domain ↔ partner wire (PascalCase, ISO 8601 times; docs/partner.md).
import type { EndpointPatch, WebhookEndpoint } from "../../domain/webhooks/webhook.endpoints";

export const isoTimeOf = (ms: number) => new Date(ms).toISOString();

export const toWireEndpoint = (e: WebhookEndpoint) => ({
	Id: e.id,
	Kind: e.kind,
	Url: e.url,
	Description: e.description,
	EventTypes: e.eventTypes,
	...(e.kind === "audit" ? { ExcludedEventTypes: e.excludedEventTypes } : {}),
	Enabled: e.enabled,
	DisabledReason: e.disabledReason,
	CreatedAt: isoTimeOf(e.createdAt),
	UpdatedAt: isoTimeOf(e.updatedAt),
});

/** Only at creation and rotation. */
export const toWireEndpointWithSecret = (e: WebhookEndpoint, secret: string) => ({
	...toWireEndpoint(e),
	Secret: secret,
});

export const fromWireCreate = (b: {
	Url: string;
	Description?: string;
	EventTypes?: string[];
	Enabled?: boolean;
}) => ({
	url: b.Url,
	description: b.Description,
	eventTypes: b.EventTypes,
	enabled: b.Enabled,
});

export const fromWirePatch = (b: {
	Url?: string;
	Description?: string;
	EventTypes?: string[];
	Enabled?: boolean;
}): EndpointPatch => ({
	url: b.Url,
	description: b.Description,
	eventTypes: b.EventTypes,
	enabled: b.Enabled,
});
