import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// Webhooks (docs/webhooks.md). The change log is the outbox: `webhook_outbox` holds, per project, the
// last change-log seq already fanned out to the project's endpoints; a delivery is one event for one
// endpoint, an attempt one HTTP request of it.

export const webhookEndpoints = sqliteTable(
	"webhook_endpoints",
	{
		id: text("id").primaryKey(),
		projectId: text("project_id").notNull(),
		/**
		 * `events`: the catalogue of docs/webhooks.md (partner API endpoints); `audit`: every activity
		 * entry, filtered by action (Descope `createAuditWebhook`).
		 */
		kind: text("kind", { enum: ["events", "audit"] })
			.notNull()
			.default("events"),
		name: text("name").notNull().default(""),
		url: text("url").notNull(),
		description: text("description").notNull().default(""),
		/** Event types (kind `events`) or action names (kind `audit`) subscribed; empty: all. */
		eventTypes: text("event_types", { mode: "json" }).$type<string[]>().notNull().default([]),
		/** Kind `audit`: action names never delivered (Descope filter operator `excludes`). */
		excludedEventTypes: text("excluded_event_types", { mode: "json" })
			.$type<string[]>()
			.notNull()
			.default([]),
		enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
		/** Why it was disabled by Roster (`Gone`: the receiver answered 410), null when enabled or disabled by hand. */
		disabledReason: text("disabled_reason"),
		/** The signing secret, AES-GCM under WEBHOOK_ENCRYPTION_KEY; never returned after creation. */
		secretCiphertext: text("secret_ciphertext").notNull(),
		/** After a rotation, the previous secret keeps signing until `previous_secret_expires_at`. */
		previousSecretCiphertext: text("previous_secret_ciphertext"),
		previousSecretExpiresAt: integer("previous_secret_expires_at"),
		/** Extra request headers (name → value) and receiver credentials, encrypted like the secret. */
		headersCiphertext: text("headers_ciphertext"),
		createdAt: integer("created_at").notNull(),
		updatedAt: integer("updated_at").notNull(),
	},
	(t) => [
		index("webhook_endpoints_project_idx").on(t.projectId, t.id),
		// The outbox sweep: the projects that have an enabled endpoint.
		index("webhook_endpoints_enabled_idx").on(t.enabled, t.projectId),
	],
);

export const webhookOutbox = sqliteTable("webhook_outbox", {
	projectId: text("project_id").primaryKey(),
	/** Every change-log row of the project with seq <= this has been fanned out. */
	lastSeq: integer("last_seq").notNull(),
	updatedAt: integer("updated_at").notNull(),
});

export const webhookDeliveries = sqliteTable(
	"webhook_deliveries",
	{
		/** The `webhook-id` header: the same on every attempt and replay, so receivers can deduplicate. */
		id: text("id").primaryKey(),
		projectId: text("project_id").notNull(),
		endpointId: text("endpoint_id").notNull(),
		/** The change-log row the event came from; null for a test ping. */
		eventSeq: integer("event_seq"),
		eventType: text("event_type").notNull(),
		/** The exact body sent, fixed at fan-out so every attempt sends the same bytes. */
		payload: text("payload").notNull(),
		status: text("status", { enum: ["pending", "succeeded", "failed"] })
			.notNull()
			.default("pending"),
		attempts: integer("attempts").notNull().default(0),
		/** Epoch ms of the next attempt while pending (the sweep re-enqueues what is overdue). */
		nextAttemptAt: integer("next_attempt_at"),
		lastAttemptAt: integer("last_attempt_at"),
		lastStatusCode: integer("last_status_code"),
		createdAt: integer("created_at").notNull(),
		updatedAt: integer("updated_at").notNull(),
	},
	(t) => [
		// Fan-out is idempotent: one delivery per endpoint, change row and event type (an invitation's
		// row is both `user.created` and `user.invited`).
		uniqueIndex("webhook_deliveries_endpoint_event_type_idx").on(t.endpointId, t.eventSeq, t.eventType),
		// The delivery log of an endpoint, newest first, and replay of a time range.
		index("webhook_deliveries_project_endpoint_created_idx").on(t.projectId, t.endpointId, t.createdAt, t.id),
		// The sweep: pending deliveries whose next attempt is overdue.
		index("webhook_deliveries_pending_idx").on(t.status, t.nextAttemptAt),
	],
);

export const webhookAttempts = sqliteTable(
	"webhook_attempts",
	{
		deliveryId: text("delivery_id").notNull(),
		attempt: integer("attempt").notNull(),
		projectId: text("project_id").notNull(),
		endpointId: text("endpoint_id").notNull(),
		at: integer("at").notNull(),
		/** HTTP status, or null when no answer came (timeout, refused connection, refused target). */
		statusCode: integer("status_code"),
		latencyMs: integer("latency_ms").notNull(),
		/** The first bytes of the answer (capped), or the error. */
		responseSnippet: text("response_snippet"),
		error: text("error"),
	},
	(t) => [primaryKey({ columns: [t.deliveryId, t.attempt] })],
);
