import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const projects = sqliteTable("projects", {
	id: text("id").primaryKey(),
	name: text("name").notNull(),
	createdAt: integer("created_at").notNull(),
	/** Session JWT lifetime, seconds. */
	sessionTtl: integer("session_ttl").notNull().default(600),
	/** Refresh JWT lifetime, seconds. */
	refreshTtl: integer("refresh_ttl").notNull().default(2_592_000),
	passwordPolicy: text("password_policy", { mode: "json" })
		.$type<{
			minLength: number;
			lowercase: boolean;
			uppercase: boolean;
			number: boolean;
			nonAlphanumeric: boolean;
		}>()
		.notNull()
		.default(
			sql`'{"minLength":8,"lowercase":false,"uppercase":false,"number":false,"nonAlphanumeric":false}'`,
		),
	/** Failed sign-ins before a lockout; 0 disables lockout. */
	lockoutAttempts: integer("lockout_attempts").notNull().default(10),
	/** Lockout length, seconds. */
	lockoutSeconds: integer("lockout_seconds").notNull().default(900),
	/** Days activity entries are kept (docs/audit.md); the scheduled handler deletes older ones. */
	activityRetentionDays: integer("activity_retention_days").notNull().default(90),
	/**
	 * Where federated sign-in may send the browser back to (docs/federation.md): exact URLs or
	 * origins; a `redirectURL` outside this list is refused.
	 */
	allowedRedirectUrls: text("allowed_redirect_urls", { mode: "json" })
		.$type<string[]>()
		.notNull()
		.default(sql`'[]'`),
	/** Which rate-limit bindings apply to the project's management keys (docs/security.md). */
	rateLimitTier: text("rate_limit_tier", { enum: ["standard", "high"] })
		.notNull()
		.default("standard"),
});

export const managementKeys = sqliteTable(
	"management_keys",
	{
		id: text("id").primaryKey(),
		projectId: text("project_id")
			.notNull()
			.references(() => projects.id, { onDelete: "cascade" }),
		name: text("name").notNull(),
		description: text("description").notNull().default(""),
		// SHA-256 of the cleartext key (hex); the cleartext is shown once, at creation.
		keyHash: text("key_hash").notNull().unique(),
		status: text("status", { enum: ["active", "inactive"] })
			.notNull()
			.default("active"),
		// Epoch ms; null = never expires.
		expiresAt: integer("expires_at"),
		permittedIps: text("permitted_ips", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
		reBac: text("re_bac", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
		/** Scope: a read-only key may not write. */
		readOnly: integer("read_only", { mode: "boolean" }).notNull().default(false),
		/** Scope: non-empty = the key sees and changes only these tenants and their members. */
		tenantIds: text("tenant_ids", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
		createdAt: integer("created_at").notNull(),
		lastUsedAt: integer("last_used_at"),
	},
	(t) => [index("management_keys_project_idx").on(t.projectId, t.createdAt)],
);
