import { asc, eq, gt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { projects } from "../../db/schema";

export type ProjectRow = typeof projects.$inferSelect;
type Settings = Partial<Omit<ProjectRow, "id" | "name" | "createdAt">>;

export const insertProjectSql = (row: { id: string; name: string; createdAt: number }) =>
	sql`INSERT INTO projects (id, name, created_at) VALUES (${row.id}, ${row.name}, ${row.createdAt})`;

/** A signing key row (src/domain/sessions/signing-keys.ts `firstSigningKey`), for a commit. */
export const insertSigningKeySql = (key: {
	kid: string;
	projectId: string;
	alg: string;
	publicJwk: Record<string, unknown>;
	privateJwk: Record<string, unknown>;
	status: string;
	createdAt: number;
	activateAt: number;
}) =>
	sql`INSERT INTO signing_keys (kid, project_id, alg, public_jwk, private_jwk, status, created_at, activate_at)
		VALUES (${key.kid}, ${key.projectId}, ${key.alg}, ${JSON.stringify(key.publicJwk)},
			${JSON.stringify(key.privateJwk)}, ${key.status}, ${key.createdAt}, ${key.activateAt})`;

/** The project row, for a commit's reads (`toProject` maps it). */
export const projectSql = (id: string) =>
	sql`SELECT id, name, created_at AS createdAt, session_ttl AS sessionTtl, refresh_ttl AS refreshTtl,
		password_policy AS passwordPolicy, lockout_attempts AS lockoutAttempts, lockout_seconds AS lockoutSeconds,
		activity_retention_days AS activityRetentionDays, rate_limit_tier AS rateLimitTier,
		allowed_redirect_urls AS allowedRedirectUrls
	FROM projects WHERE id = ${id}`;

export const toProject = (row: Record<string, unknown>): ProjectRow => ({
	id: row.id as string,
	name: row.name as string,
	createdAt: Number(row.createdAt),
	sessionTtl: Number(row.sessionTtl),
	refreshTtl: Number(row.refreshTtl),
	passwordPolicy: JSON.parse(row.passwordPolicy as string),
	lockoutAttempts: Number(row.lockoutAttempts),
	lockoutSeconds: Number(row.lockoutSeconds),
	activityRetentionDays: Number(row.activityRetentionDays),
	rateLimitTier: row.rateLimitTier === "high" ? "high" : "standard",
	allowedRedirectUrls: JSON.parse((row.allowedRedirectUrls as string | undefined) ?? "[]"),
});

export const keyHashesSql = (projectId: string) =>
	sql`SELECT key_hash AS keyHash FROM management_keys WHERE project_id = ${projectId}`;

export const findProject = (db: Db, id: string) =>
	db.select().from(projects).where(eq(projects.id, id)).get();

export const listProjects = (db: Db, after: string | undefined, limit: number) =>
	db
		.select()
		.from(projects)
		.where(after ? gt(projects.id, after) : undefined)
		.orderBy(asc(projects.id))
		.limit(limit)
		.all();

/**
 * Deleting the project row cascades (foreign keys) to every row that belongs to it; its change
 * rows have no foreign key (they outlive the objects they record), so they go by statement.
 */
export const deleteProjectSql = (id: string) => [
	sql`DELETE FROM change_log WHERE project_id = ${id}`,
	// Webhook tables have no foreign key to projects; attempts are reached through their deliveries' index.
	sql`DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE project_id = ${id})`,
	sql`DELETE FROM webhook_deliveries WHERE project_id = ${id}`,
	sql`DELETE FROM webhook_endpoints WHERE project_id = ${id}`,
	sql`DELETE FROM webhook_outbox WHERE project_id = ${id}`,
	// Federation rows without a foreign key (docs/federation.md).
	sql`DELETE FROM identity_provider_domains WHERE project_id = ${id}`,
	sql`DELETE FROM federation_grants WHERE project_id = ${id}`,
	sql`DELETE FROM projects WHERE id = ${id}`,
];

const COLUMNS: Record<keyof Settings, string> = {
	sessionTtl: "session_ttl",
	refreshTtl: "refresh_ttl",
	passwordPolicy: "password_policy",
	lockoutAttempts: "lockout_attempts",
	lockoutSeconds: "lockout_seconds",
	activityRetentionDays: "activity_retention_days",
	rateLimitTier: "rate_limit_tier",
	allowedRedirectUrls: "allowed_redirect_urls",
};

/** Sets only the given settings. */
export function updateProjectSql(id: string, changes: Settings): SQL {
	const set = Object.entries(changes)
		.filter(([, v]) => v !== undefined)
		.map(([field, value]) => {
			const column = sql.raw(COLUMNS[field as keyof Settings]);
			return sql`${column} = ${typeof value === "object" ? JSON.stringify(value) : value}`;
		});
	return sql`UPDATE projects SET ${sql.join(set, sql`, `)} WHERE id = ${id}`;
}
