import { sql } from "drizzle-orm";
import {
	foreignKey,
	index,
	integer,
	primaryKey,
	sqliteTable,
	text,
	uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { projects } from "./projects";
import { users } from "./users";

// Tenants (organizations), roles, permissions and SSO applications, and the user assignments
// that point at them. Assignments reference ids, so renames never touch users.

export const tenants = sqliteTable(
	"tenants",
	{
		projectId: text("project_id")
			.notNull()
			.references(() => projects.id, { onDelete: "cascade" }),
		id: text("id").notNull(),
		name: text("name").notNull(),
		selfProvisioningDomains: text("self_provisioning_domains", { mode: "json" })
			.$type<string[]>()
			.notNull()
			.default(sql`'[]'`),
		customAttributes: text("custom_attributes", { mode: "json" })
			.$type<Record<string, unknown>>()
			.notNull()
			.default(sql`'{}'`),
		parentId: text("parent_id"),
		enforceSso: integer("enforce_sso", { mode: "boolean" }).notNull().default(false),
		disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
		roleInheritance: text("role_inheritance").notNull().default(""),
		/** Tenant settings (session lifetimes and the like), as configured through the API. */
		settings: text("settings", { mode: "json" })
			.$type<Record<string, unknown>>()
			.notNull()
			.default(sql`'{}'`),
		createdAt: integer("created_at").notNull(),
	},
	(t) => [
		primaryKey({ columns: [t.projectId, t.id] }),
		uniqueIndex("tenants_project_name_uq").on(t.projectId, sql`lower(${t.name})`),
		index("tenants_project_parent_idx").on(t.projectId, t.parentId),
	],
);

export const roles = sqliteTable(
	"roles",
	{
		projectId: text("project_id")
			.notNull()
			.references(() => projects.id, { onDelete: "cascade" }),
		id: text("id").primaryKey(),
		name: text("name").notNull(),
		/** "" for a project role, else the tenant the role belongs to. */
		tenantId: text("tenant_id").notNull().default(""),
		description: text("description").notNull().default(""),
		isDefault: integer("is_default", { mode: "boolean" }).notNull().default(false),
		isPrivate: integer("is_private", { mode: "boolean" }).notNull().default(false),
		weight: integer("weight").notNull().default(0),
		createdAt: integer("created_at").notNull(),
		/** SCIM Groups: the provisioning client's id for the group (docs/scim.md). */
		externalId: text("external_id"),
		/** Bumped by every change of the role or its members; SCIM `meta.version`. */
		version: integer("version").notNull().default(1),
		modifiedAt: integer("modified_at"),
	},
	(t) => [
		uniqueIndex("roles_scope_name_uq").on(t.projectId, t.tenantId, t.name),
		uniqueIndex("roles_scope_external_id_uq")
			.on(t.projectId, t.tenantId, t.externalId)
			.where(sql`${t.externalId} IS NOT NULL`),
	],
);

export const permissions = sqliteTable(
	"permissions",
	{
		projectId: text("project_id")
			.notNull()
			.references(() => projects.id, { onDelete: "cascade" }),
		id: text("id").primaryKey(),
		name: text("name").notNull(),
		description: text("description").notNull().default(""),
		createdAt: integer("created_at").notNull(),
	},
	(t) => [uniqueIndex("permissions_project_name_uq").on(t.projectId, t.name)],
);

export const rolePermissions = sqliteTable(
	"role_permissions",
	{
		projectId: text("project_id").notNull(),
		roleId: text("role_id")
			.notNull()
			.references(() => roles.id, { onDelete: "cascade" }),
		permissionId: text("permission_id")
			.notNull()
			.references(() => permissions.id, { onDelete: "cascade" }),
	},
	(t) => [
		primaryKey({ columns: [t.roleId, t.permissionId] }),
		index("role_permissions_permission_idx").on(t.permissionId),
	],
);

export const tenantDefaultRoles = sqliteTable(
	"tenant_default_roles",
	{
		projectId: text("project_id").notNull(),
		tenantId: text("tenant_id").notNull(),
		roleId: text("role_id")
			.notNull()
			.references(() => roles.id, { onDelete: "cascade" }),
	},
	(t) => [
		primaryKey({ columns: [t.projectId, t.tenantId, t.roleId] }),
		index("tenant_default_roles_role_idx").on(t.roleId),
		foreignKey({
			columns: [t.projectId, t.tenantId],
			foreignColumns: [tenants.projectId, tenants.id],
		}).onDelete("cascade"),
	],
);

export const ssoApps = sqliteTable(
	"sso_apps",
	{
		projectId: text("project_id")
			.notNull()
			.references(() => projects.id, { onDelete: "cascade" }),
		id: text("id").notNull(),
		name: text("name").notNull(),
		description: text("description").notNull().default(""),
		appType: text("app_type").notNull().default("oidc"),
		enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
		logo: text("logo").notNull().default(""),
		settings: text("settings", { mode: "json" })
			.$type<Record<string, unknown>>()
			.notNull()
			.default(sql`'{}'`),
		createdAt: integer("created_at").notNull(),
	},
	(t) => [primaryKey({ columns: [t.projectId, t.id] })],
);

export const userTenants = sqliteTable(
	"user_tenants",
	{
		projectId: text("project_id").notNull(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		tenantId: text("tenant_id").notNull(),
		createdAt: integer("created_at").notNull(),
	},
	(t) => [
		primaryKey({ columns: [t.userId, t.tenantId] }),
		index("user_tenants_tenant_idx").on(t.projectId, t.tenantId, t.userId),
		foreignKey({
			columns: [t.projectId, t.tenantId],
			foreignColumns: [tenants.projectId, tenants.id],
		}).onDelete("cascade"),
	],
);

export const userRoles = sqliteTable(
	"user_roles",
	{
		projectId: text("project_id").notNull(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		/** "" for a project-wide assignment, else the tenant it applies in. */
		tenantId: text("tenant_id").notNull(),
		roleId: text("role_id")
			.notNull()
			.references(() => roles.id, { onDelete: "cascade" }),
	},
	(t) => [
		primaryKey({ columns: [t.userId, t.tenantId, t.roleId] }),
		index("user_roles_role_idx").on(t.projectId, t.roleId, t.tenantId, t.userId),
	],
);

export const userSsoApps = sqliteTable(
	"user_sso_apps",
	{
		projectId: text("project_id").notNull(),
		userId: text("user_id")
			.notNull()
			.references(() => users.id, { onDelete: "cascade" }),
		appId: text("app_id").notNull(),
	},
	(t) => [
		primaryKey({ columns: [t.userId, t.appId] }),
		index("user_sso_apps_app_idx").on(t.projectId, t.appId, t.userId),
		foreignKey({ columns: [t.projectId, t.appId], foreignColumns: [ssoApps.projectId, ssoApps.id] }).onDelete(
			"cascade",
		),
	],
);
