import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

// The change log: one row per change, appended in the same D1 batch as the change itself (the one
// commit point, src/domain/commit.ts), and one per sign-in, sign-out, lockout or failed management
// call. Activity history reads it (docs/audit.md); it is also the outbox later features deliver from.
export const changeLog = sqliteTable(
	"change_log",
	{
		/** Monotonic: the cursor of every read, and the order entries were committed in. */
		seq: integer("seq").primaryKey({ autoIncrement: true }),
		projectId: text("project_id").notNull(),
		/** Epoch ms. */
		at: integer("at").notNull(),
		/** A stable name from the vocabulary in src/domain/activity/actions.ts (`user.created`, …). */
		action: text("action").notNull(),
		result: text("result", { enum: ["success", "failure"] })
			.notNull()
			.default("success"),
		actorType: text("actor_type", { enum: ["key", "user", "operator", "system", "application"] }).notNull(),
		actorId: text("actor_id"),
		actorName: text("actor_name"),
		targetType: text("target_type"),
		targetId: text("target_id"),
		/** The user the entry concerns, if any (target or subject). */
		userId: text("user_id"),
		/** That user's primary login id at the time, for searching by login id. */
		loginId: text("login_id"),
		tenantId: text("tenant_id"),
		/** Fields touched: `{"name": {"before": "a", "after": "b"}}`; never a secret. */
		changes: text("changes", { mode: "json" }).$type<Record<string, { before?: unknown; after?: unknown }>>(),
		/** Anything else the action records (sign-in method, error code, an application's own data). */
		data: text("data", { mode: "json" }).$type<Record<string, unknown>>(),
		requestId: text("request_id"),
		dialect: text("dialect"),
		ip: text("ip"),
		city: text("city"),
		country: text("country"),
		userAgent: text("user_agent"),
	},
	(t) => [
		index("change_log_project_seq_idx").on(t.projectId, t.seq),
		index("change_log_project_user_idx").on(t.projectId, t.userId, t.seq),
		index("change_log_project_action_idx").on(t.projectId, t.action, t.seq),
		index("change_log_project_actor_idx").on(t.projectId, t.actorId, t.seq),
		index("change_log_project_target_idx").on(t.projectId, t.targetId, t.seq),
		index("change_log_project_tenant_idx").on(t.projectId, t.tenantId, t.seq),
		index("change_log_project_login_idx").on(t.projectId, t.loginId, t.seq),
		index("change_log_project_at_idx").on(t.projectId, t.at),
		// Retention deletes the oldest entries across projects in bounded chunks.
		index("change_log_at_idx").on(t.at),
	],
);
