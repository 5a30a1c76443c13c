// SQL of webhook delivery (docs/webhooks.md): the fan-out from the change log, the delivery state the
// consumer keeps, the delivery log, the sweep. Every statement names its index in a comment; the
// plans are pinned by test/worker/webhook-query-plans.test.ts.
import { type SQL, sql } from "drizzle-orm";
import { deviceSql } from "../activity/activity.search";

export interface EndpointRow {
	id: string;
	kind: "events" | "audit";
	url: string;
	eventTypes: string[];
	excludedEventTypes: string[];
	createdAt: number;
}

export interface ChangeRow {
	seq: number;
	at: number;
	action: string;
	result: string;
	actorType: string;
	actorId: string | null;
	actorName: string | null;
	targetType: string | null;
	targetId: string | null;
	userId: string | null;
	loginId: string | null;
	tenantId: string | null;
	changes: string | null;
	data: string | null;
	requestId: string | null;
	dialect: string | null;
	ip: string | null;
	city: string | null;
	country: string | null;
	userAgent: string | null;
	/** The activity search's device class of the User-Agent. */
	device: string;
}

/** A delivery to insert at fan-out (or for a test ping). */
export interface NewDelivery {
	id: string;
	endpointId: string;
	eventSeq: number | null;
	eventType: string;
	payload: string;
}

/** What the consumer needs to send one delivery: the delivery and its endpoint, one row. */
export interface DeliveryToSend {
	id: string;
	projectId: string;
	endpointId: string;
	eventType: string;
	payload: string;
	status: "pending" | "succeeded" | "failed";
	attempts: number;
	createdAt: number;
	kind: "events" | "audit" | null;
	url: string | null;
	enabled: number | null;
	secretCiphertext: string | null;
	previousSecretCiphertext: string | null;
	previousSecretExpiresAt: number | null;
	headersCiphertext: string | null;
}

// webhook_endpoints_project_idx.
export const enabledEndpointsQuery = (projectId: string) =>
	sql`SELECT id, kind, url, event_types AS eventTypes, excluded_event_types AS excludedEventTypes,
		created_at AS createdAt FROM webhook_endpoints
		WHERE project_id = ${projectId} AND enabled = 1 ORDER BY id`;

/** One enabled endpoint of the project exists (webhook_endpoints_project_idx). */
export const hasEnabledEndpointQuery = (projectId: string) =>
	sql`SELECT 1 AS x FROM webhook_endpoints WHERE project_id = ${projectId} AND enabled = 1 LIMIT 1`;

/**
 * The cursor: the outbox's last seq, or (first fan-out of the project) the row before the first one
 * written since its oldest enabled endpoint was created, so nothing older is delivered.
 */
const cursorSql = (projectId: string) => sql`COALESCE(
	(SELECT last_seq FROM webhook_outbox WHERE project_id = ${projectId}),
	(SELECT f.seq - 1 FROM change_log f WHERE f.project_id = ${projectId} AND f.at >= (SELECT MIN(e.created_at)
		FROM webhook_endpoints e WHERE e.project_id = ${projectId} AND e.enabled = 1) ORDER BY f.at, f.seq LIMIT 1),
	(SELECT MAX(m.seq) FROM change_log m WHERE m.project_id = ${projectId}),
	0)`;

/** The next `limit` change rows after the cursor, in commit order (change_log_project_seq_idx). */
export const changeRowsAfterCursorQuery = (projectId: string, limit: number) =>
	sql`SELECT c.seq, c.at, c.action, c.result, c.actor_type AS actorType, c.actor_id AS actorId,
		c.actor_name AS actorName, c.target_type AS targetType, c.target_id AS targetId, c.user_id AS userId,
		c.login_id AS loginId, c.tenant_id AS tenantId, c.changes, c.data, c.request_id AS requestId, c.dialect,
		c.ip, c.city, c.country, c.user_agent AS userAgent, ${deviceSql(sql`c.user_agent`)} AS device
		FROM change_log c INDEXED BY change_log_project_seq_idx
		WHERE c.project_id = ${projectId} AND c.seq > ${cursorSql(projectId)} ORDER BY c.seq LIMIT ${limit}`;

/** The cursor moves forward only, whatever order concurrent fan-outs commit in. */
export const advanceCursorStatement = (projectId: string, lastSeq: number, now: number) =>
	sql`INSERT INTO webhook_outbox (project_id, last_seq, updated_at) VALUES (${projectId}, ${lastSeq}, ${now})
		ON CONFLICT (project_id) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq), updated_at = excluded.updated_at`;

/**
 * The project's cursor jumps to its latest row (a project without enabled endpoints): one indexed
 * MAX over change_log_project_seq_idx.
 */
export const cursorToLatestStatement = (projectId: string, now: number) =>
	sql`INSERT INTO webhook_outbox (project_id, last_seq, updated_at)
		SELECT ${projectId}, MAX(seq), ${now} FROM change_log WHERE project_id = ${projectId}
		GROUP BY project_id
		ON CONFLICT (project_id) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq), updated_at = excluded.updated_at`;

/**
 * Inserts the deliveries (one JSON parameter), skipping those already there (the id is derived from
 * endpoint, row and event type), and returns the ids actually inserted: only those get a message.
 */
export const insertDeliveriesStatement = (projectId: string, rows: NewDelivery[], now: number) =>
	sql`INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_seq, event_type, payload, status,
			attempts, next_attempt_at, created_at, updated_at)
		SELECT j.value->>'id', ${projectId}, j.value->>'endpointId', j.value->>'eventSeq', j.value->>'eventType',
			j.value->>'payload', 'pending', 0, ${now}, ${now}, ${now}
		FROM json_each(${JSON.stringify(rows)}) j WHERE 1
		ON CONFLICT DO NOTHING RETURNING id`;

// Primary keys of webhook_deliveries and webhook_endpoints.
export const deliveryToSendQuery = (projectId: string, deliveryId: string) =>
	sql`SELECT d.id, d.project_id AS projectId, d.endpoint_id AS endpointId, d.event_type AS eventType, d.payload,
		d.status, d.attempts, d.created_at AS createdAt, e.kind, e.url, e.enabled, e.secret_ciphertext AS secretCiphertext,
		e.previous_secret_ciphertext AS previousSecretCiphertext, e.previous_secret_expires_at AS previousSecretExpiresAt,
		e.headers_ciphertext AS headersCiphertext
		FROM webhook_deliveries d LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.project_id = d.project_id
		WHERE d.id = ${deliveryId} AND d.project_id = ${projectId}`;

export interface AttemptRecord {
	at: number;
	statusCode: number | null;
	latencyMs: number;
	responseSnippet: string | null;
	error: string | null;
	/** The delivery's state after this attempt. */
	status: "pending" | "succeeded" | "failed";
	nextAttemptAt: number | null;
}

/**
 * One attempt: its row, numbered after the delivery's count, and the delivery's new state, as two
 * statements of one batch (the caller runs them together).
 */
export function attemptStatements(projectId: string, deliveryId: string, a: AttemptRecord): SQL[] {
	return [
		sql`INSERT OR IGNORE INTO webhook_attempts (delivery_id, attempt, project_id, endpoint_id, at, status_code,
				latency_ms, response_snippet, error)
			SELECT id, attempts + 1, project_id, endpoint_id, ${a.at}, ${a.statusCode}, ${a.latencyMs},
				${a.responseSnippet}, ${a.error}
			FROM webhook_deliveries WHERE id = ${deliveryId} AND project_id = ${projectId}`,
		sql`UPDATE webhook_deliveries SET attempts = attempts + 1, status = ${a.status},
				next_attempt_at = ${a.nextAttemptAt}, last_attempt_at = ${a.at}, last_status_code = ${a.statusCode},
				updated_at = ${a.at}
			WHERE id = ${deliveryId} AND project_id = ${projectId}`,
	];
}

/** A delivery that will not be attempted again (dead-lettered, endpoint gone or disabled). */
export const markFailedStatement = (projectId: string, deliveryId: string, now: number) =>
	sql`UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, updated_at = ${now}
		WHERE id = ${deliveryId} AND project_id = ${projectId} AND status = 'pending'`;

/** The change-row select of an endpoint disabled after a 410: yields a row only while it is enabled. */
export const enabledEndpointTarget = (projectId: string, endpointId: string) =>
	sql`SELECT id AS target_id, NULL AS user_id, NULL AS login_id, NULL AS tenant_id FROM webhook_endpoints
		WHERE id = ${endpointId} AND project_id = ${projectId} AND enabled = 1`;

export const disableEndpointStatement = (
	projectId: string,
	endpointId: string,
	reason: string,
	now: number,
) =>
	sql`UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ${reason}, updated_at = ${now}
		WHERE id = ${endpointId} AND project_id = ${projectId} AND enabled = 1`;

// Primary key of webhook_endpoints.
export const endpointExistsQuery = (projectId: string, endpointId: string) =>
	sql`SELECT id, enabled FROM webhook_endpoints WHERE id = ${endpointId} AND project_id = ${projectId}`;

/** Back to pending, due now: the same id and payload are sent again (primary key). */
export const replayDeliveryStatement = (
	projectId: string,
	endpointId: string,
	deliveryId: string,
	now: number,
) =>
	sql`UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ${now}, updated_at = ${now}
		WHERE id = ${deliveryId} AND project_id = ${projectId} AND endpoint_id = ${endpointId}`;

/** The deliveries of a time range (webhook_deliveries_project_endpoint_created_idx), at most `limit`. */
export const deliveriesInRangeQuery = (
	projectId: string,
	endpointId: string,
	from: number,
	to: number,
	limit: number,
) =>
	sql`SELECT id FROM webhook_deliveries WHERE project_id = ${projectId} AND endpoint_id = ${endpointId}
		AND created_at >= ${from} AND created_at <= ${to} ORDER BY created_at, id LIMIT ${limit}`;

/** The range back to pending, as one statement (the ids travel as one JSON parameter). */
export const replayDeliveriesStatement = (
	projectId: string,
	endpointId: string,
	ids: string[],
	now: number,
) =>
	sql`UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ${now}, updated_at = ${now}
		WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)})) AND project_id = ${projectId}
		AND endpoint_id = ${endpointId}`;

export const insertTestDeliveryStatement = (projectId: string, d: NewDelivery, now: number) =>
	sql`INSERT INTO webhook_deliveries (id, project_id, endpoint_id, event_seq, event_type, payload, status,
			attempts, next_attempt_at, created_at, updated_at)
		VALUES (${d.id}, ${projectId}, ${d.endpointId}, NULL, ${d.eventType}, ${d.payload}, 'pending', 0, ${now}, ${now}, ${now})`;

const DELIVERY_COLUMNS = sql`d.id, d.event_type AS eventType, d.event_seq AS eventSeq, d.status, d.attempts,
	d.created_at AS createdAt, d.last_attempt_at AS lastAttemptAt, d.next_attempt_at AS nextAttemptAt,
	d.last_status_code AS lastStatusCode`;

/** Attempts shown per delivery in the log: the latest ones. */
export const ATTEMPT_LOG_LIMIT = 20;

/** Each delivery's attempts as one JSON column (primary key of webhook_attempts), oldest first. */
const attemptLog = sql`(SELECT json_group_array(json_object('attempt', a.attempt, 'at', a.at, 'statusCode',
	a.status_code, 'latencyMs', a.latency_ms, 'responseSnippet', a.response_snippet, 'error', a.error))
	FROM (SELECT * FROM webhook_attempts x WHERE x.delivery_id = d.id ORDER BY x.attempt DESC LIMIT ${ATTEMPT_LOG_LIMIT}) a)
	AS attemptLog`;

/** One delivery with its attempts (primary keys). */
export const deliveryQuery = (projectId: string, endpointId: string, deliveryId: string) =>
	sql`SELECT ${DELIVERY_COLUMNS}, ${attemptLog} FROM webhook_deliveries d
		WHERE d.id = ${deliveryId} AND d.project_id = ${projectId} AND d.endpoint_id = ${endpointId}`;

/**
 * A page of the delivery log, newest first, with every delivery's attempts: one statement
 * (webhook_deliveries_project_endpoint_created_idx). `before` is the keyset cursor.
 */
export function deliveriesPageQuery(
	projectId: string,
	endpointId: string,
	limit: number,
	before: { createdAt: number; id: string } | null,
	status: string | null,
) {
	const where = [sql`d.project_id = ${projectId}`, sql`d.endpoint_id = ${endpointId}`];
	if (before)
		where.push(
			sql`(d.created_at < ${before.createdAt} OR (d.created_at = ${before.createdAt} AND d.id < ${before.id}))`,
		);
	if (status) where.push(sql`d.status = ${status}`);
	return sql`SELECT ${DELIVERY_COLUMNS}, ${attemptLog}
		FROM webhook_deliveries d INDEXED BY webhook_deliveries_project_endpoint_created_idx
		WHERE ${sql.join(where, sql` AND `)} ORDER BY d.created_at DESC, d.id DESC LIMIT ${limit}`;
}

// The sweep's statements span projects: it is the one reader that looks for work across all of them.

/**
 * Projects whose change log is ahead of their outbox cursor and that have an enabled endpoint: per
 * project one indexed MAX (change_log_project_seq_idx) and one outbox lookup (primary key).
 */
export const projectsBehindQuery = (limit: number) =>
	sql`SELECT p.project_id AS projectId FROM (SELECT DISTINCT project_id FROM webhook_endpoints
			INDEXED BY webhook_endpoints_enabled_idx WHERE enabled = 1) p
		WHERE (SELECT MAX(c.seq) FROM change_log c WHERE c.project_id = p.project_id)
			> COALESCE((SELECT o.last_seq FROM webhook_outbox o WHERE o.project_id = p.project_id), 0)
		LIMIT ${limit}`;

/** Pending deliveries whose next attempt is overdue: lost messages (webhook_deliveries_pending_idx). */
export const overdueDeliveriesQuery = (before: number, limit: number) =>
	sql`SELECT id, project_id AS projectId, attempts FROM webhook_deliveries
		WHERE status = 'pending' AND next_attempt_at < ${before} ORDER BY next_attempt_at LIMIT ${limit}`;

/** Re-enqueued deliveries are due again from now, so the next sweep does not resend them at once. */
export const touchOverdueStatement = (ids: string[], now: number) =>
	sql`UPDATE webhook_deliveries SET next_attempt_at = ${now}, updated_at = ${now}
		WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)})) AND status = 'pending'`;
