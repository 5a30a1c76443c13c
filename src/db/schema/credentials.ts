import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { projects } from "./projects";
import { users } from "./users";

// Credentials, signing keys and sign-in history.

/** One password per user: Roster's own hash, or an imported one until its first successful use. */
export const userPasswords = sqliteTable("user_passwords", {
	userId: text("user_id")
		.primaryKey()
		.references(() => users.id, { onDelete: "cascade" }),
	projectId: text("project_id").notNull(),
	/** "pbkdf2-sha256" (Roster's own), or an imported format: bcrypt, pbkdf2, firebase-scrypt, django, phpass, md5, argon2. */
	algorithm: text("algorithm").notNull(),
	/** The encoded hash with its parameters, as the algorithm's module writes it. */
	hash: text("hash").notNull(),
	expired: integer("expired", { mode: "boolean" }).notNull().default(false),
	/** Set by an admin; must be replaced at the next sign-in. */
	temporary: integer("temporary", { mode: "boolean" }).notNull().default(false),
	setAt: integer("set_at").notNull(),
});

export const passkeys = sqliteTable(
	"passkeys",
	{
		/** The credential id, base64url; unique within a project, so one project cannot probe another's. */
		id: text("id").notNull(),
		projectId: text("project_id").notNull(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		publicKey: text("public_key").notNull(),
		counter: integer("counter").notNull().default(0),
		transports: text("transports", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
		rpId: text("rp_id").notNull(),
		displayName: text("display_name").notNull().default(""),
		createdAt: integer("created_at").notNull(),
		lastUsedAt: integer("last_used_at"),
	},
	(t) => [primaryKey({ columns: [t.projectId, t.id] }), index("passkeys_user_idx").on(t.userId)],
);

/** Pending WebAuthn ceremonies: the challenge a browser must sign, for a few minutes. */
export const webauthnChallenges = sqliteTable(
	"webauthn_challenges",
	{
		id: text("id").primaryKey(),
		projectId: text("project_id").notNull(),
		userId: text("user_id"),
		kind: text("kind", { enum: ["register", "authenticate"] }).notNull(),
		challenge: text("challenge").notNull(),
		rpId: text("rp_id").notNull(),
		origin: text("origin").notNull(),
		expiresAt: integer("expires_at").notNull(),
	},
	(t) => [index("webauthn_challenges_expiry_idx").on(t.projectId, t.expiresAt)],
);

/** Per-project JWT signing keys. A key is published before it signs and kept after it retires. */
export const signingKeys = sqliteTable(
	"signing_keys",
	{
		kid: text("kid").primaryKey(),
		projectId: text("project_id")
			.notNull()
			.references(() => projects.id, { onDelete: "cascade" }),
		alg: text("alg").notNull(),
		publicJwk: text("public_jwk", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
		privateJwk: text("private_jwk", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
		/** next: published, not yet signing; active: signs; retired: published until its tokens expire. */
		status: text("status", { enum: ["next", "active", "retired"] }).notNull(),
		createdAt: integer("created_at").notNull(),
		/** Epoch ms from which a `next` key may sign (it is published from creation). */
		activateAt: integer("activate_at").notNull().default(0),
		/** Epoch ms after which a retired key leaves the JWKS. */
		publishUntil: integer("publish_until"),
	},
	(t) => [index("signing_keys_project_idx").on(t.projectId, t.status)],
);

export const loginHistory = sqliteTable(
	"login_history",
	{
		id: integer("id").primaryKey({ autoIncrement: true }),
		projectId: text("project_id")
			.notNull()
			.references(() => projects.id, { onDelete: "cascade" }),
		/** Null when the login id matched no user. */
		userId: text("user_id"),
		loginId: text("login_id").notNull(),
		at: integer("at").notNull(),
		ip: text("ip").notNull().default(""),
		city: text("city").notNull().default(""),
		country: text("country").notNull().default(""),
		userAgent: text("user_agent").notNull().default(""),
		method: text("method").notNull(),
		outcome: text("outcome").notNull(),
		selectedTenant: text("selected_tenant").notNull().default(""),
	},
	(t) => [
		index("login_history_user_idx").on(t.projectId, t.userId, t.at),
		// Retention deletes each project's oldest sign-ins (src/domain/activity/activity.retention.ts).
		index("login_history_project_at_idx").on(t.projectId, t.at),
	],
);

/** The v4 dialect's user profiles; every user gets a default one when created. */
export const userProfiles = sqliteTable(
	"user_profiles",
	{
		id: text("id").primaryKey(),
		projectId: text("project_id").notNull(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		isDefault: integer("is_default", { mode: "boolean" }).notNull().default(true),
		locale: text("locale").notNull().default(""),
		timeZone: text("time_zone").notNull().default(""),
		createdAt: integer("created_at").notNull(),
		modifiedAt: integer("modified_at").notNull(),
	},
	(t) => [index("user_profiles_user_idx").on(t.userId, t.isDefault)],
);

/** One row per v4 user flag, so `filter[user_flags]` is an index lookup. */
export const userFlagValues = sqliteTable(
	"user_flag_values",
	{
		projectId: text("project_id").notNull(),
		flag: text("flag").notNull(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
	},
	(t) => [
		primaryKey({ columns: [t.projectId, t.flag, t.userId] }),
		index("user_flag_values_user_idx").on(t.userId),
	],
);
