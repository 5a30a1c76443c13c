import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./users";

// SCIM 2.0 provisioning (docs/scim.md).

/**
 * Users a SCIM connection created. A connection is the tenant its token is bound to ("" for a
 * project-wide token): a tenant connection's DELETE deletes the user only when that connection
 * created it and the user belongs to no other tenant.
 */
export const scimProvisionedUsers = sqliteTable(
	"scim_provisioned_users",
	{
		userId: text("user_id")
			.primaryKey()
			.references(() => users.id, { onDelete: "cascade" }),
		projectId: text("project_id").notNull(),
		connection: text("connection").notNull(),
		createdAt: integer("created_at").notNull(),
	},
	(t) => [index("scim_provisioned_users_connection_idx").on(t.projectId, t.connection, t.userId)],
);
