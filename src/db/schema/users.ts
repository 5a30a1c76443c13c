import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { projects } from "./projects";

export const userStatuses = ["invited", "enabled", "disabled"] as const;
export type UserStatus = (typeof userStatuses)[number];

export const users = sqliteTable(
	"users",
	{
		id: text("id").primaryKey(),
		projectId: text("project_id")
			.notNull()
			.references(() => projects.id, { onDelete: "cascade" }),
		// Ordered copy of user_login_ids (primary first), rebuilt in SQL whenever they change.
		loginIds: text("login_ids", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
		name: text("name"),
		givenName: text("given_name"),
		middleName: text("middle_name"),
		familyName: text("family_name"),
		email: text("email"),
		// The email as identifiers compare (src/domain/users/identifiers.ts: NFKC, case-folded); unique per project.
		emailKey: text("email_key"),
		phone: text("phone"),
		verifiedEmail: integer("verified_email", { mode: "boolean" }).notNull().default(false),
		verifiedPhone: integer("verified_phone", { mode: "boolean" }).notNull().default(false),
		picture: text("picture"),
		status: text("status", { enum: userStatuses }).notNull().default("invited"),
		test: integer("test", { mode: "boolean" }).notNull().default(false),
		customAttributes: text("custom_attributes", { mode: "json" })
			.$type<Record<string, unknown>>()
			.notNull()
			.default(sql`'{}'`),
		externalId: text("external_id"),
		userFlags: text("user_flags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
		// Epoch ms.
		createdAt: integer("created_at").notNull(),
		modifiedAt: integer("modified_at").notNull(),
		registrationTime: integer("registration_time"),
		/** Epoch ms; set by the user's session object when failed sign-ins lock the user out. */
		lockedUntil: integer("locked_until"),
		// Bumped by every write; the v4 dialect's ETag.
		version: integer("version").notNull().default(1),
	},
	(t) => [
		index("users_project_created_idx").on(t.projectId, t.createdAt),
		index("users_project_modified_idx").on(t.projectId, t.modifiedAt),
		index("users_project_status_idx").on(t.projectId, t.status, t.createdAt),
		index("users_project_test_idx").on(t.projectId, t.test, t.createdAt),
		index("users_project_name_idx").on(t.projectId, t.name),
		index("users_project_registration_idx").on(t.projectId, t.registrationTime),
		// v4 sort=email walks this; the unique email index is partial (non-null emails only).
		index("users_project_email_sort_idx").on(t.projectId, sql`lower(${t.email})`, t.id),
		uniqueIndex("users_project_email_key_uq")
			.on(t.projectId, t.emailKey)
			.where(sql`${t.emailKey} IS NOT NULL`),
		uniqueIndex("users_project_phone_uq").on(t.projectId, t.phone).where(sql`${t.phone} IS NOT NULL`),
		uniqueIndex("users_project_external_id_uq")
			.on(t.projectId, t.externalId)
			.where(sql`${t.externalId} IS NOT NULL`),
	],
);

// Login ids, unique per project regardless of case.
export const userLoginIds = sqliteTable(
	"user_login_ids",
	{
		projectId: text("project_id").notNull(),
		loginIdLower: text("login_id_lower").notNull(),
		loginId: text("login_id").notNull(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		position: integer("position").notNull(),
	},
	(t) => [
		primaryKey({ columns: [t.projectId, t.loginIdLower] }),
		index("user_login_ids_user_idx").on(t.userId, t.position),
	],
);

// One row per custom-attribute value (one per element for arrays), derived in SQL from
// users.custom_attributes so that search by attribute is an index lookup.
export const userAttributeValues = sqliteTable(
	"user_attribute_values",
	{
		projectId: text("project_id").notNull(),
		name: text("name").notNull(),
		// BLOB affinity keeps each value's storage class (text stays text, numbers stay numbers).
		value: blob("value"),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
	},
	(t) => [
		index("user_attribute_values_lookup_idx").on(t.projectId, t.name, t.value, t.userId),
		index("user_attribute_values_user_idx").on(t.userId),
	],
);

export const customAttributeTypes = {
	string: 1,
	number: 2,
	boolean: 3,
	singleSelect: 4,
	array: 5,
	date: 6,
} as const;

export const customAttributeDefinitions = sqliteTable(
	"custom_attribute_definitions",
	{
		projectId: text("project_id")
			.notNull()
			.references(() => projects.id, { onDelete: "cascade" }),
		name: text("name").notNull(),
		displayName: text("display_name").notNull(),
		type: integer("type").notNull(),
		options: text("options", { mode: "json" })
			.$type<{ value: string; label: string }[]>()
			.notNull()
			.default(sql`'[]'`),
		defaultValue: text("default_value", { mode: "json" }).$type<unknown>(),
		createdAt: integer("created_at").notNull(),
	},
	(t) => [primaryKey({ columns: [t.projectId, t.name] })],
);

// Login ids that had the shape of a user id before such login ids were refused (migration 0008):
// a value in that shape always resolves as a user id, so these can no longer address their user.
export const loginIdConflicts = sqliteTable(
	"login_id_conflicts",
	{
		projectId: text("project_id").notNull(),
		loginId: text("login_id").notNull(),
		userId: text("user_id").notNull(),
		foundAt: integer("found_at").notNull(),
	},
	(t) => [primaryKey({ columns: [t.projectId, t.loginId] })],
);
