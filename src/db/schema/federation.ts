import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { projects } from "./projects";
import { users } from "./users";

// Identity providers, federated sign-in and machine-to-machine access keys (docs/federation.md,
// docs/descope-compat.md "Access keys").

/**
 * One identity provider of a project. `tenant_id` "" is a project-level provider (OAuth, used by
 * `oauth.start('<key>')`); otherwise it is a tenant's enterprise SSO configuration and `key` is its
 * `ssoId` ("" for the tenant's default configuration).
 */
export const identityProviders = sqliteTable(
	"identity_providers",
	{
		projectId: text("project_id")
			.notNull()
			.references(() => projects.id, { onDelete: "cascade" }),
		id: text("id").notNull(),
		tenantId: text("tenant_id").notNull().default(""),
		/** Project-level: the provider name `oauth.start` sends; tenant-level: the `ssoId` ("" = default). */
		key: text("key").notNull(),
		name: text("name").notNull(),
		/** The login-id prefix of users who come through this provider. */
		prefix: text("prefix").notNull().default(""),
		enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
		protocol: text("protocol", { enum: ["oidc", "saml"] })
			.notNull()
			.default("oidc"),
		/** Non-secret settings: issuer, discovery and endpoint URLs, client id, scopes, mappings, redirect URL. */
		settings: text("settings", { mode: "json" })
			.$type<Record<string, unknown>>()
			.notNull()
			.default(sql`'{}'`),
		/** The client secret, AES-GCM under IDP_ENCRYPTION_KEY; write-only. */
		clientSecretCiphertext: text("client_secret_ciphertext"),
		/** Email domains routed to this provider (tenant SSO: `sso.start` with an email). */
		domains: text("domains", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
		/** Link a new federated identity to an existing user by verified email (off by default). */
		trustEmail: integer("trust_email", { mode: "boolean" }).notNull().default(false),
		createdAt: integer("created_at").notNull(),
		modifiedAt: integer("modified_at").notNull(),
	},
	(t) => [
		primaryKey({ columns: [t.projectId, t.id] }),
		uniqueIndex("identity_providers_scope_key_uq").on(t.projectId, t.tenantId, t.key),
	],
);

/** Email domain → tenant SSO provider, so `sso.start(email)` is one index lookup. */
export const identityProviderDomains = sqliteTable(
	"identity_provider_domains",
	{
		projectId: text("project_id").notNull(),
		domain: text("domain").notNull(),
		providerId: text("provider_id").notNull(),
	},
	(t) => [
		primaryKey({ columns: [t.projectId, t.domain, t.providerId] }),
		index("identity_provider_domains_provider_idx").on(t.projectId, t.providerId),
	],
);

/** A user's federated identity: (provider, subject) → user, with the provider's tokens when kept. */
export const userProviderLinks = sqliteTable(
	"user_provider_links",
	{
		projectId: text("project_id").notNull(),
		providerId: text("provider_id").notNull(),
		subject: text("subject").notNull(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		email: text("email"),
		/** Provider tokens, AES-GCM under IDP_ENCRYPTION_KEY (null unless the provider keeps tokens). */
		accessTokenCiphertext: text("access_token_ciphertext"),
		refreshTokenCiphertext: text("refresh_token_ciphertext"),
		/** Epoch ms the access token expires; null = unknown. */
		tokenExpiresAt: integer("token_expires_at"),
		scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
		createdAt: integer("created_at").notNull(),
		lastSignInAt: integer("last_sign_in_at"),
	},
	(t) => [
		primaryKey({ columns: [t.projectId, t.providerId, t.subject] }),
		index("user_provider_links_user_idx").on(t.userId, t.providerId),
	],
);

/**
 * Short-lived, single-use federation state: `state` rows (PKCE verifier, nonce, redirect) between
 * `start` and the provider's callback, and `code` rows (the one-time Roster code) between the
 * callback and `exchange`. Looked up by the SHA-256 of the value; consumed with DELETE … RETURNING.
 */
export const federationGrants = sqliteTable(
	"federation_grants",
	{
		hash: text("hash").primaryKey(),
		projectId: text("project_id").notNull(),
		kind: text("kind", { enum: ["state", "code"] }).notNull(),
		data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
		expiresAt: integer("expires_at").notNull(),
	},
	(t) => [index("federation_grants_expiry_idx").on(t.expiresAt)],
);

/** Descope access keys (machine-to-machine): stored as a hash, exchanged for a session JWT. */
export const accessKeys = sqliteTable(
	"access_keys",
	{
		id: text("id").primaryKey(),
		projectId: text("project_id")
			.notNull()
			.references(() => projects.id, { onDelete: "cascade" }),
		name: text("name").notNull(),
		description: text("description").notNull().default(""),
		/** SHA-256 of the cleartext (hex); the cleartext is shown once, at creation and rotation. */
		keyHash: text("key_hash").notNull().unique(),
		status: text("status", { enum: ["active", "inactive"] })
			.notNull()
			.default("active"),
		/** Epoch ms; null = never expires. */
		expiresAt: integer("expires_at"),
		roleNames: text("role_names", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
		keyTenants: text("key_tenants", { mode: "json" })
			.$type<{ tenantId: string; roleNames: string[] }[]>()
			.notNull()
			.default(sql`'[]'`),
		boundUserId: text("bound_user_id"),
		createdBy: text("created_by").notNull().default(""),
		customClaims: text("custom_claims", { mode: "json" })
			.$type<Record<string, unknown>>()
			.notNull()
			.default(sql`'{}'`),
		permittedIps: text("permitted_ips", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
		customAttributes: text("custom_attributes", { mode: "json" })
			.$type<Record<string, unknown>>()
			.notNull()
			.default(sql`'{}'`),
		createdAt: integer("created_at").notNull(),
		modifiedAt: integer("modified_at").notNull(),
		lastUsedAt: integer("last_used_at"),
	},
	(t) => [
		index("access_keys_project_idx").on(t.projectId, t.createdAt),
		index("access_keys_bound_user_idx").on(t.projectId, t.boundUserId),
	],
);
