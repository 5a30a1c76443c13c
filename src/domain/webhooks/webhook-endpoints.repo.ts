import { type SQL, sql } from "drizzle-orm";
import type { D1Handle } from "../../db/client";
import { all } from "../../db/sql";

// Raw SQL on webhook_endpoints (src/db/schema/webhooks.ts). Every statement names the project; the
// list is a keyset on (project_id, id), the webhook_endpoints_project_idx index.

export interface EndpointRow {
	id: string;
	projectId: string;
	kind: "events" | "audit";
	name: string;
	url: string;
	description: string;
	eventTypes: string[];
	/** Kind `audit` only: actions never delivered. */
	excludedEventTypes: string[];
	enabled: boolean;
	disabledReason: string | null;
	secretCiphertext: string;
	previousSecretCiphertext: string | null;
	previousSecretExpiresAt: number | null;
	headersCiphertext: string | null;
	createdAt: number;
	updatedAt: number;
}

const SELECT =
	sql.raw(`SELECT id, project_id AS projectId, kind, name, url, description, event_types AS eventTypes,
	excluded_event_types AS excludedEventTypes, enabled, disabled_reason AS disabledReason, secret_ciphertext AS secretCiphertext,
	previous_secret_ciphertext AS previousSecretCiphertext, previous_secret_expires_at AS previousSecretExpiresAt,
	headers_ciphertext AS headersCiphertext, created_at AS createdAt, updated_at AS updatedAt
	FROM webhook_endpoints`);

const toRow = (r: Record<string, unknown>): EndpointRow => ({
	id: r.id as string,
	projectId: r.projectId as string,
	kind: r.kind as EndpointRow["kind"],
	name: r.name as string,
	url: r.url as string,
	description: r.description as string,
	eventTypes: JSON.parse(r.eventTypes as string) as string[],
	excludedEventTypes: JSON.parse((r.excludedEventTypes as string) ?? "[]") as string[],
	enabled: r.enabled === 1,
	disabledReason: (r.disabledReason as string | null) ?? null,
	secretCiphertext: r.secretCiphertext as string,
	previousSecretCiphertext: (r.previousSecretCiphertext as string | null) ?? null,
	previousSecretExpiresAt: r.previousSecretExpiresAt === null ? null : Number(r.previousSecretExpiresAt),
	headersCiphertext: (r.headersCiphertext as string | null) ?? null,
	createdAt: Number(r.createdAt),
	updatedAt: Number(r.updatedAt),
});

export async function findEndpoint(d1: D1Handle, projectId: string, id: string): Promise<EndpointRow | null> {
	const rows = await all<Record<string, unknown>>(
		d1,
		sql`${SELECT} WHERE project_id = ${projectId} AND id = ${id}`,
	);
	return rows[0] ? toRow(rows[0]) : null;
}

/** One page in id order, after `afterId`; one row more than `limit` says whether another page follows. */
export async function listEndpoints(
	d1: D1Handle,
	projectId: string,
	afterId: string | null,
	limit: number,
): Promise<EndpointRow[]> {
	const after = afterId === null ? sql`` : sql` AND id > ${afterId}`;
	const rows = await all<Record<string, unknown>>(
		d1,
		sql`${SELECT} WHERE project_id = ${projectId}${after} ORDER BY id LIMIT ${limit + 1}`,
	);
	return rows.map(toRow);
}

export async function countEndpoints(d1: D1Handle, projectId: string): Promise<number> {
	const rows = await all<{ n: number }>(
		d1,
		sql`SELECT COUNT(*) AS n FROM webhook_endpoints WHERE project_id = ${projectId}`,
	);
	return Number(rows[0]?.n ?? 0);
}

export const insertEndpointSql = (row: EndpointRow): SQL =>
	sql`INSERT INTO webhook_endpoints (id, project_id, kind, name, url, description, event_types, excluded_event_types, enabled,
			disabled_reason, secret_ciphertext, previous_secret_ciphertext, previous_secret_expires_at,
			headers_ciphertext, created_at, updated_at)
		VALUES (${row.id}, ${row.projectId}, ${row.kind}, ${row.name}, ${row.url}, ${row.description},
			${JSON.stringify(row.eventTypes)}, ${JSON.stringify(row.excludedEventTypes)}, ${Number(row.enabled)}, ${row.disabledReason}, ${row.secretCiphertext},
			${row.previousSecretCiphertext}, ${row.previousSecretExpiresAt}, ${row.headersCiphertext},
			${row.createdAt}, ${row.updatedAt})`;

/** The row as it was read (same `updated_at`): a guarded write applies only if nothing changed it meanwhile. */
const unchanged = (projectId: string, id: string, updatedAt: number) =>
	sql`project_id = ${projectId} AND id = ${id} AND updated_at = ${updatedAt}`;

/** For a commit's entriesFrom: one row when the guarded write will apply, none otherwise. */
export const endpointTargetSql = (projectId: string, id: string, updatedAt: number): SQL =>
	sql`SELECT id AS target_id, NULL AS user_id, NULL AS login_id, NULL AS tenant_id FROM webhook_endpoints
		WHERE ${unchanged(projectId, id, updatedAt)}`;

export type EndpointChanges = Partial<
	Pick<EndpointRow, "url" | "description" | "eventTypes" | "enabled" | "disabledReason">
>;

/** Sets the given fields if the row is as read; RETURNING says whether it was. */
export function updateEndpointSql(
	projectId: string,
	id: string,
	readAt: number,
	changes: EndpointChanges,
	updatedAt: number,
): SQL {
	const set = [sql`updated_at = ${updatedAt}`];
	if (changes.url !== undefined) set.push(sql`url = ${changes.url}`);
	if (changes.description !== undefined) set.push(sql`description = ${changes.description}`);
	if (changes.eventTypes !== undefined) set.push(sql`event_types = ${JSON.stringify(changes.eventTypes)}`);
	if (changes.enabled !== undefined) set.push(sql`enabled = ${Number(changes.enabled)}`);
	if (changes.disabledReason !== undefined) set.push(sql`disabled_reason = ${changes.disabledReason}`);
	return sql`UPDATE webhook_endpoints SET ${sql.join(set, sql`, `)} WHERE ${unchanged(projectId, id, readAt)}
		RETURNING id`;
}

/** The new secret signs from now; the current one keeps signing until `previousExpiresAt`. */
export const rotateSecretSql = (
	projectId: string,
	id: string,
	readAt: number,
	secretCiphertext: string,
	previousSecretCiphertext: string,
	previousExpiresAt: number,
	updatedAt: number,
): SQL =>
	sql`UPDATE webhook_endpoints SET secret_ciphertext = ${secretCiphertext},
			previous_secret_ciphertext = ${previousSecretCiphertext}, previous_secret_expires_at = ${previousExpiresAt},
			updated_at = ${updatedAt}
		WHERE ${unchanged(projectId, id, readAt)} RETURNING id`;

/** For a delete's entriesFrom: one row when the endpoint (still) exists. */
export const existingEndpointSql = (projectId: string, id: string): SQL =>
	sql`SELECT id AS target_id, NULL AS user_id, NULL AS login_id, NULL AS tenant_id FROM webhook_endpoints
		WHERE project_id = ${projectId} AND id = ${id}`;

/** The endpoint, its deliveries and their attempts (attempts through the deliveries' index). */
export const deleteEndpointSql = (projectId: string, id: string): SQL[] => [
	sql`DELETE FROM webhook_attempts WHERE delivery_id IN
		(SELECT d.id FROM webhook_deliveries d WHERE d.project_id = ${projectId} AND d.endpoint_id = ${id})`,
	sql`DELETE FROM webhook_deliveries WHERE project_id = ${projectId} AND endpoint_id = ${id}`,
	sql`DELETE FROM webhook_endpoints WHERE project_id = ${projectId} AND id = ${id} RETURNING id`,
];
