// Webhook endpoints (docs/partner.md, "Webhook endpoints"): create, list, read, change, delete and
// rotate the signing secret. Endpoints are project-level objects: a tenant-bound key may not touch
// them, a read-only key may only read. Secrets and extra headers are stored encrypted
// (webhook.secrets.ts) and never appear in a change row or an answer after creation.
import { randomBase62 } from "../../lib/ids";
import { changesOf, commit, removedFields } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid, missing } from "../errors";
import { checkCount, checkLength } from "../input-limits";
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from "../limits";
import { assertNotReadOnly, isTenantBound, tenantBoundError } from "../scope";
import { WEBHOOK_EVENT_TYPES } from "./webhook.events";
import { encryptSecret, newSigningSecret } from "./webhook.secrets";
import { checkWebhookTarget } from "./webhook.url-safety";
import * as repo from "./webhook-endpoints.repo";

export type EndpointKind = "events" | "audit";

export interface WebhookEndpoint {
	id: string;
	kind: EndpointKind;
	name: string;
	url: string;
	description: string;
	eventTypes: string[];
	/** Kind `audit`: action names never delivered. */
	excludedEventTypes: string[];
	enabled: boolean;
	disabledReason: string | null;
	createdAt: number;
	updatedAt: number;
}

export interface CreateEndpointInput {
	kind?: EndpointKind;
	name?: string;
	url: string;
	description?: string;
	/** Event types (kind `events`) or action names (kind `audit`); empty: all. */
	eventTypes?: string[];
	/** Kind `audit` only: action names never delivered (Descope's filter operator `excludes`). */
	excludedEventTypes?: string[];
	enabled?: boolean;
	/** The signing secret to use (Descope's `hmacSecret`); absent: a new `whsec_` secret. */
	secret?: string;
	/** Extra request headers, name → value (receiver credentials): stored encrypted. */
	headers?: Record<string, string>;
}

export interface EndpointPatch {
	url?: string;
	description?: string;
	eventTypes?: string[];
	enabled?: boolean;
}

export interface EndpointPage {
	endpoints: WebhookEndpoint[];
	/** The last id of this page when another follows. */
	nextAfter: string | null;
	total?: number;
}

/** How long a rotated-out secret keeps signing, so receivers can switch without dropping events. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 60 * 60 * 1000;
/** An action name (audit endpoints) is as long as createEvent allows (docs/audit.md). */
const MAX_ACTION_LENGTH = 256;
const MAX_SECRET_LENGTH = 1024;
const MAX_HEADERS = 20;
const MAX_HEADER_VALUE = 4096;
/** RFC 9110 §5.6.2 token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
/** Set by the delivery itself (https://www.standardwebhooks.com/): a receiver header may not replace them. */
const RESERVED_HEADERS = new Set([
	"webhook-id",
	"webhook-timestamp",
	"webhook-signature",
	"content-type",
	"content-length",
	"host",
	"user-agent",
	"connection",
	"transfer-encoding",
]);
const CATALOGUE: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES);

/** Endpoint ids: `W` and 27 base62 characters, like the other object ids (src/lib/ids.ts). */
const newEndpointId = () => `W${randomBase62(27)}`;

const notFound = () => new DomainError("not_found", "Webhook endpoint not found");
const changedMeanwhile = () =>
	new DomainError("conflict", "The webhook endpoint was changed meanwhile; read it again and retry");

/** Endpoints are project-level: a tenant-bound key is refused before any read. */
function assertProjectKey(deps: Deps) {
	if (isTenantBound(deps.scope)) throw tenantBoundError();
}

/** Before a dialect checks a create's input: a key that may not create endpoints learns only that. */
export function assertMayManageWebhooks(deps: Deps) {
	assertProjectKey(deps);
	assertNotReadOnly(deps);
}

const toEndpoint = (row: repo.EndpointRow): WebhookEndpoint => ({
	id: row.id,
	kind: row.kind,
	name: row.name,
	url: row.url,
	description: row.description,
	eventTypes: row.eventTypes,
	excludedEventTypes: row.excludedEventTypes,
	enabled: row.enabled,
	disabledReason: row.disabledReason,
	createdAt: row.createdAt,
	updatedAt: row.updatedAt,
});

/** The fields a change row shows: never the secret or the headers. */
const recorded = (e: Omit<WebhookEndpoint, "id" | "createdAt" | "updatedAt">) => ({
	kind: e.kind,
	name: e.name,
	url: e.url,
	description: e.description,
	eventTypes: e.eventTypes,
	...(e.excludedEventTypes.length ? { excludedEventTypes: e.excludedEventTypes } : {}),
	enabled: e.enabled,
	disabledReason: e.disabledReason,
});

export const allowLoopback = (deps: Deps) => (deps.env.WEBHOOKS_ALLOW_LOOPBACK as string) === "true";

function checkUrl(deps: Deps, url: string | undefined): string {
	if (url === undefined || url === "") throw missing("url");
	const reason = checkWebhookTarget(url, allowLoopback(deps));
	if (reason) throw invalid("url", reason);
	return url;
}

function checkEventTypes(kind: EndpointKind, types: string[] | undefined, name = "eventTypes"): string[] {
	if (!types) return [];
	checkCount(name, types);
	types.forEach((type, i) => {
		const field = `${name}[${i}]`;
		if (kind === "events" && !CATALOGUE.has(type)) {
			throw invalid(field, `"${type}" is not an event type (${WEBHOOK_EVENT_TYPES.join(", ")})`);
		}
		if (kind === "audit" && (type === "" || type.length > MAX_ACTION_LENGTH))
			throw invalid(field, `must be an action name of 1 to ${MAX_ACTION_LENGTH} characters`);
	});
	return [...new Set(types)];
}

function checkHeaders(headers: Record<string, string> | undefined): Record<string, string> | null {
	if (!headers) return null;
	const entries = Object.entries(headers);
	if (entries.length > MAX_HEADERS) throw invalid("headers", `at most ${MAX_HEADERS} headers`);
	for (const [name, value] of entries) {
		const field = `headers.${name}`;
		if (!HEADER_NAME.test(name)) throw invalid("headers", `"${name}" is not a valid header name`);
		if (RESERVED_HEADERS.has(name.toLowerCase()))
			throw invalid(field, "is set by the delivery itself and cannot be replaced");
		if (typeof value !== "string" || /[\r\n\0]/.test(value) || value.length > MAX_HEADER_VALUE)
			throw invalid(field, `must be a single-line value of at most ${MAX_HEADER_VALUE} characters`);
	}
	return entries.length ? headers : null;
}

export async function createWebhookEndpoint(
	deps: Deps,
	projectId: string,
	input: CreateEndpointInput,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
	assertProjectKey(deps);
	assertNotReadOnly(deps);
	const kind = input.kind ?? "events";
	const url = checkUrl(deps, input.url);
	const name = input.name?.trim() ?? "";
	checkLength("name", name, MAX_NAME_LENGTH);
	const description = input.description ?? "";
	checkLength("description", description, MAX_DESCRIPTION_LENGTH);
	const eventTypes = checkEventTypes(kind, input.eventTypes);
	if (input.excludedEventTypes?.length && kind !== "audit")
		throw invalid("excludedEventTypes", "applies only to audit endpoints");
	const excludedEventTypes = checkEventTypes(kind, input.excludedEventTypes, "excludedEventTypes");
	const headers = checkHeaders(input.headers);
	if (input.secret !== undefined && (input.secret === "" || input.secret.length > MAX_SECRET_LENGTH))
		throw invalid("secret", `must be 1 to ${MAX_SECRET_LENGTH} characters`);
	const secret = input.secret ?? newSigningSecret();
	const now = deps.now();
	const row: repo.EndpointRow = {
		id: newEndpointId(),
		projectId,
		kind,
		name,
		url,
		description,
		eventTypes,
		excludedEventTypes,
		enabled: input.enabled ?? true,
		disabledReason: null,
		secretCiphertext: await encryptSecret(deps.env, secret),
		previousSecretCiphertext: null,
		previousSecretExpiresAt: null,
		headersCiphertext: headers ? await encryptSecret(deps.env, JSON.stringify(headers)) : null,
		createdAt: now,
		updatedAt: now,
	};
	const endpoint = toEndpoint(row);
	await commit(deps, projectId, {
		statements: [repo.insertEndpointSql(row)],
		entries: [
			{
				action: "webhook.created",
				target: { type: "webhook", id: row.id },
				changes: changesOf({}, recorded(endpoint)),
				// Which extra headers it sends, never their values.
				data: headers ? { headerNames: Object.keys(headers) } : undefined,
			},
		],
	});
	return { endpoint, secret };
}

export async function listWebhookEndpoints(
	deps: Deps,
	projectId: string,
	options: { limit: number; after: string | null; includeTotal?: boolean },
): Promise<EndpointPage> {
	assertProjectKey(deps);
	const [rows, total] = await Promise.all([
		repo.listEndpoints(deps.d1, projectId, options.after, options.limit),
		options.includeTotal ? repo.countEndpoints(deps.d1, projectId) : Promise.resolve(undefined),
	]);
	const page = rows.slice(0, options.limit);
	const more = rows.length > options.limit;
	return {
		endpoints: page.map(toEndpoint),
		nextAfter: more ? (page.at(-1)?.id ?? null) : null,
		...(total === undefined ? {} : { total }),
	};
}

async function load(deps: Deps, projectId: string, id: string): Promise<repo.EndpointRow> {
	const row = await repo.findEndpoint(deps.d1, projectId, id);
	if (!row) throw notFound();
	return row;
}

export async function getWebhookEndpoint(
	deps: Deps,
	projectId: string,
	id: string,
): Promise<WebhookEndpoint> {
	assertProjectKey(deps);
	return toEndpoint(await load(deps, projectId, id));
}

export async function updateWebhookEndpoint(
	deps: Deps,
	projectId: string,
	id: string,
	patch: EndpointPatch,
): Promise<WebhookEndpoint> {
	assertProjectKey(deps);
	// A read-only key is refused as the write would refuse it, not told whether the endpoint exists.
	assertNotReadOnly(deps);
	const changes: repo.EndpointChanges = {};
	if (patch.url !== undefined) changes.url = checkUrl(deps, patch.url);
	if (patch.description !== undefined) {
		checkLength("description", patch.description, MAX_DESCRIPTION_LENGTH);
		changes.description = patch.description;
	}
	const before = await load(deps, projectId, id);
	if (patch.eventTypes !== undefined) changes.eventTypes = checkEventTypes(before.kind, patch.eventTypes);
	if (patch.enabled !== undefined) {
		changes.enabled = patch.enabled;
		// Enabling clears why Roster disabled it; disabling by hand has no reason.
		changes.disabledReason = null;
	}
	const beforeView = toEndpoint(before);
	const after = { ...beforeView, ...changes };
	const diff = changesOf(recorded(beforeView), recorded(after));
	if (!Object.keys(diff).length) return beforeView;
	const updatedAt = Math.max(deps.now(), before.updatedAt + 1);
	const { results } = await commit(deps, projectId, {
		entriesFrom: [
			{
				action: "webhook.updated",
				targetType: "webhook",
				select: repo.endpointTargetSql(projectId, id, before.updatedAt),
				changes: diff,
			},
		],
		statements: [repo.updateEndpointSql(projectId, id, before.updatedAt, changes, updatedAt)],
	});
	if (!results[0]?.length) throw changedMeanwhile();
	return { ...after, updatedAt };
}

export async function deleteWebhookEndpoint(deps: Deps, projectId: string, id: string): Promise<void> {
	assertProjectKey(deps);
	assertNotReadOnly(deps);
	const before = await load(deps, projectId, id);
	const { results } = await commit(deps, projectId, {
		entriesFrom: [
			{
				action: "webhook.deleted",
				targetType: "webhook",
				select: repo.existingEndpointSql(projectId, id),
				changes: removedFields(recorded(toEndpoint(before))),
			},
		],
		statements: repo.deleteEndpointSql(projectId, id),
	});
	if (!results.at(-1)?.length) throw notFound();
}

/** A new signing secret; the current one keeps signing for PREVIOUS_SECRET_TTL_MS. */
export async function rotateWebhookSecret(
	deps: Deps,
	projectId: string,
	id: string,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
	assertProjectKey(deps);
	assertNotReadOnly(deps);
	const before = await load(deps, projectId, id);
	const secret = newSigningSecret();
	const ciphertext = await encryptSecret(deps.env, secret);
	const now = deps.now();
	const expiresAt = now + PREVIOUS_SECRET_TTL_MS;
	const updatedAt = Math.max(now, before.updatedAt + 1);
	const { results } = await commit(deps, projectId, {
		entriesFrom: [
			{
				action: "webhook.secret_rotated",
				targetType: "webhook",
				select: repo.endpointTargetSql(projectId, id, before.updatedAt),
				data: { previousValidUntil: new Date(expiresAt).toISOString() },
			},
		],
		statements: [
			repo.rotateSecretSql(
				projectId,
				id,
				before.updatedAt,
				ciphertext,
				before.secretCiphertext,
				expiresAt,
				updatedAt,
			),
		],
	});
	if (!results[0]?.length) throw changedMeanwhile();
	return { endpoint: { ...toEndpoint(before), updatedAt }, secret };
}
