import { sql } from "drizzle-orm";
import { batch } from "../../db/sql";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { changesOf, commit, type Entry, removedFields, whenPreconditionFails } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { checkCount, checkJsonValue, checkLength } from "../input-limits";
import { MAX_ATTRIBUTES_BYTES, MAX_DESCRIPTION_LENGTH, MAX_LIST_ENTRIES, MAX_NAME_LENGTH } from "../limits";
import { assertNotReadOnly, isTenantBound, tenantBoundError } from "../scope";
import { checkManagementClaims } from "../sessions/tokens";
import { ATTRIBUTE_NAME } from "../users/user.validate";
import * as repo from "./access-keys.repo";
import { validatePermittedIps } from "./keys.service";

// Descope access keys (docs/access-keys.md): machine credentials a project issues, stored as a
// SHA-256 hash, exchanged for a session JWT (access-keys.exchange.ts). Management only: a
// tenant-bound management key may not see or change them (an access key may carry project roles),
// and a read-only key may only load and search them.

/** Keys per project: the search answers the whole list, so the list stays bounded. */
export const MAX_ACCESS_KEYS = 1000;
const MAX_EXPIRY_SECONDS = 100 * 365 * 24 * 3600;

export type KeyTenantView = { tenantId: string; roleNames: string[]; tenantName: string };
/** An access key as the management API shows it: never its hash. */
export type AccessKey = Omit<repo.AccessKeyRow, "keyHash" | "keyTenants"> & { keyTenants: KeyTenantView[] };

export interface AccessKeyFields {
	name: string;
	description?: string;
	roleNames?: string[];
	keyTenants?: { tenantId: string; roleNames?: string[] }[];
	customClaims?: Record<string, unknown>;
	permittedIps?: string[];
	customAttributes?: Record<string, unknown>;
}

export interface AccessKeyCreate extends AccessKeyFields {
	/** Unix seconds; 0 or absent = never expires. */
	expireTime?: number;
	/** The user the key is bound to (must exist). */
	userId?: string;
}

/** The cleartext: a recognisable prefix (secret scanners) and 256 random bits; only its SHA-256 is stored. */
export const newAccessKeySecret = () => `rk_ak_${randomToken(32)}`;

function assertScope(deps: Deps, write: boolean) {
	if (isTenantBound(deps.scope)) throw tenantBoundError();
	if (write) assertNotReadOnly(deps);
}

const notFound = (id: string) => new DomainError("not_found", `Access key ${id} not found`, "id");

function toView(row: repo.AccessKeyRow, names: Map<string, string>): AccessKey {
	const { keyHash: _hash, ...rest } = row;
	return {
		...rest,
		keyTenants: row.keyTenants.map((t) => ({ ...t, tenantName: names.get(t.tenantId) ?? "" })),
	};
}

/** What a change row shows of a key: never its cleartext or hash, and the claim names only. */
const recorded = (k: repo.AccessKeyRow) => ({
	name: k.name,
	description: k.description,
	status: k.status,
	expiresAt: k.expiresAt,
	roleNames: k.roleNames,
	keyTenants: k.keyTenants,
	boundUserId: k.boundUserId,
	claimNames: Object.keys(k.customClaims),
	permittedIps: k.permittedIps,
	customAttributes: k.customAttributes,
});

const entry = (action: Entry["action"], k: repo.AccessKeyRow, extra: Partial<Entry> = {}): Entry => ({
	action,
	target: { type: "access_key", id: k.id },
	userId: k.boundUserId,
	...extra,
});

/** Expiry in epoch ms (null = never) from Unix seconds. */
function expiryOf(expireTime: number | undefined, now: number): number | null {
	if (expireTime === undefined || expireTime === 0) return null;
	const nowSeconds = Math.floor(now / 1000);
	if (!Number.isSafeInteger(expireTime) || expireTime < 0 || expireTime > nowSeconds + MAX_EXPIRY_SECONDS) {
		throw invalid(
			"expireTime",
			"must be a whole number of Unix seconds (0 = never expires), at most 100 years from now",
		);
	}
	if (expireTime <= nowSeconds) throw invalid("expireTime", "must be in the future (0 = never expires)");
	return expireTime * 1000;
}

function checkAttributes(values: Record<string, unknown> | undefined, field = "customAttributes") {
	if (!values) return;
	for (const name of Object.keys(values)) {
		if (!ATTRIBUTE_NAME.test(name))
			throw invalid(`${field}.${name}`, "attribute names are letters, digits, '_' and '-' (at most 100)");
	}
	checkJsonValue(field, values, MAX_ATTRIBUTES_BYTES);
}

/** Checks the fields that need no read; returns the normalised lists. */
function checkFields(input: AccessKeyFields) {
	checkLength("name", input.name, MAX_NAME_LENGTH);
	if (input.name.trim() === "") throw invalid("name", "must not be empty");
	checkLength("description", input.description, MAX_DESCRIPTION_LENGTH);
	checkCount("permittedIps", input.permittedIps);
	validatePermittedIps(input.permittedIps);
	checkCount("roleNames", input.roleNames);
	checkCount("keyTenants", input.keyTenants);
	for (const [i, t] of (input.keyTenants ?? []).entries()) {
		checkCount(`keyTenants[${i}].roleNames`, t.roleNames);
		if (t.tenantId === "") throw invalid(`keyTenants[${i}].tenantId`, "must not be empty");
	}
	if (input.customClaims) {
		checkJsonValue("customClaims", input.customClaims, MAX_ATTRIBUTES_BYTES);
		checkManagementClaims(input.customClaims, "customClaims");
	}
	checkAttributes(input.customAttributes);
}

const list = (values: readonly unknown[]) => sql`(SELECT value FROM json_each(${JSON.stringify(values)}))`;

/** The reads that validate roles and tenants: the roles by name in scope, and the tenants with their names. */
function contextQueries(projectId: string, input: AccessKeyFields) {
	const tenantIds = (input.keyTenants ?? []).map((t) => t.tenantId);
	const names = [...(input.roleNames ?? []), ...(input.keyTenants ?? []).flatMap((t) => t.roleNames ?? [])];
	return [
		sql`SELECT name, tenant_id AS tenantId FROM roles WHERE project_id = ${projectId}
			AND name IN ${list(names)} AND (tenant_id = '' OR tenant_id IN ${list(tenantIds)})`,
		sql`SELECT id, name FROM tenants WHERE project_id = ${projectId} AND id IN ${list(tenantIds)}`,
	];
}

/** Roles and tenants checked against the project; the lists as stored (no repeats). */
function resolve(
	input: AccessKeyFields,
	roleRows: Record<string, unknown>[] | undefined,
	tenantRows: Record<string, unknown>[] | undefined,
) {
	const roles = new Set((roleRows ?? []).map((r) => `${r.tenantId as string}\u0000${r.name as string}`));
	const names = repo.toTenantNames(tenantRows);
	const exists = (name: string, tenantId: string) =>
		(tenantId !== "" && roles.has(`${tenantId}\u0000${name}`)) || roles.has(`\u0000${name}`);
	const roleNames = [...new Set(input.roleNames ?? [])];
	for (const [i, name] of (input.roleNames ?? []).entries()) {
		if (!exists(name, "")) throw invalid(`roleNames[${i}]`, `role "${name}" is not a role of this project`);
	}
	const seen = new Set<string>();
	const keyTenants = (input.keyTenants ?? []).map((t, i) => {
		if (!names.has(t.tenantId))
			throw invalid(`keyTenants[${i}].tenantId`, `tenant "${t.tenantId}" does not exist`);
		if (seen.has(t.tenantId))
			throw invalid(`keyTenants[${i}].tenantId`, `tenant "${t.tenantId}" appears twice`);
		seen.add(t.tenantId);
		for (const [j, name] of (t.roleNames ?? []).entries()) {
			if (!exists(name, t.tenantId))
				throw invalid(
					`keyTenants[${i}].roleNames[${j}]`,
					`role "${name}" does not exist for tenant "${t.tenantId}"`,
				);
		}
		return { tenantId: t.tenantId, roleNames: [...new Set(t.roleNames ?? [])] };
	});
	return { roleNames, keyTenants, names };
}

export async function createAccessKey(deps: Deps, projectId: string, input: AccessKeyCreate) {
	assertScope(deps, true);
	checkFields(input);
	const now = deps.now();
	const expiresAt = expiryOf(input.expireTime, now);
	const [roleRows, tenantRows, userRows] = await batch(deps.d1, [
		...contextQueries(projectId, input),
		repo.userExistsQuery(projectId, input.userId ?? ""),
	]);
	const { roleNames, keyTenants, names } = resolve(input, roleRows, tenantRows);
	if (input.userId && !userRows?.length)
		throw new DomainError("user_not_found", `userId: user ${input.userId} does not exist`, "userId");
	const cleartext = newAccessKeySecret();
	const row: repo.AccessKeyRow = {
		id: newId("K"),
		projectId,
		name: input.name,
		description: input.description ?? "",
		keyHash: await sha256Hex(cleartext),
		status: "active",
		expiresAt,
		roleNames,
		keyTenants,
		boundUserId: input.userId || null,
		createdBy: deps.actor?.id ?? "",
		customClaims: input.customClaims ?? {},
		permittedIps: input.permittedIps ?? [],
		customAttributes: input.customAttributes ?? {},
		createdAt: now,
		modifiedAt: now,
		lastUsedAt: null,
	};
	await commit(deps, projectId, {
		preconditions: [repo.countKeysQuery(projectId, MAX_ACCESS_KEYS)],
		statements: [repo.insertKeySql(row)],
		entries: [entry("access_key.created", row, { changes: changesOf({}, recorded(row)) })],
	}).catch(
		whenPreconditionFails(() => invalid("name", `a project has at most ${MAX_ACCESS_KEYS} access keys`)),
	);
	return { key: toView(row, names), cleartext };
}

export async function loadAccessKey(deps: Deps, projectId: string, id: string): Promise<AccessKey> {
	assertScope(deps, false);
	const [rows, names] = await batch(deps.d1, [
		repo.keyByIdQuery(projectId, id),
		repo.keyTenantNamesQuery(projectId),
	]);
	const row = repo.toAccessKeys(rows)[0];
	if (!row) throw notFound(id);
	return toView(row, repo.toTenantNames(names));
}

export async function searchAccessKeys(deps: Deps, projectId: string, filter: repo.KeyFilter) {
	assertScope(deps, false);
	checkCount("tenantIds", filter.tenantIds);
	checkAttributes(filter.customAttributes);
	const [rows, names] = await batch(deps.d1, [
		repo.searchKeysQuery(projectId, filter),
		repo.keyTenantNamesQuery(projectId),
	]);
	const tenantNames = repo.toTenantNames(names);
	return repo.toAccessKeys(rows).map((r) => toView(r, tenantNames));
}

/** Overwrites every editable field: a field not given is cleared (docs/access-keys.md). */
export async function updateAccessKey(deps: Deps, projectId: string, id: string, input: AccessKeyFields) {
	assertScope(deps, true);
	checkFields(input);
	const [rows, roleRows, tenantRows, allNames] = await batch(deps.d1, [
		repo.keyByIdQuery(projectId, id),
		...contextQueries(projectId, input),
		repo.keyTenantNamesQuery(projectId),
	]);
	const before = repo.toAccessKeys(rows)[0];
	if (!before) throw notFound(id);
	const { roleNames, keyTenants, names } = resolve(input, roleRows, tenantRows);
	const now = deps.now();
	const fields: repo.KeyOverwrite = {
		name: input.name,
		description: input.description ?? "",
		roleNames,
		keyTenants,
		customClaims: input.customClaims ?? {},
		permittedIps: input.permittedIps ?? [],
		customAttributes: input.customAttributes ?? {},
	};
	const after: repo.AccessKeyRow = { ...before, ...fields, modifiedAt: now };
	await commit(deps, projectId, {
		// Deleted since it was read: nothing is written, not even the change row.
		preconditions: [repo.keyExistsQuery(projectId, id)],
		statements: [repo.overwriteKeySql(projectId, id, fields, now)],
		entries: [entry("access_key.updated", after, { changes: changesOf(recorded(before), recorded(after)) })],
	}).catch(whenPreconditionFails(() => notFound(id)));
	return toView(after, new Map([...repo.toTenantNames(allNames), ...names]));
}

function checkIds(ids: string[]) {
	if (ids.length === 0) throw invalid("ids", "at least one id");
	if (ids.length > MAX_LIST_ENTRIES) throw invalid("ids", `at most ${MAX_LIST_ENTRIES} ids`);
}

/**
 * Activates or deactivates keys; only keys whose status changes get a change row. One id (`single`):
 * an unknown id is a 404; a batch skips unknown ids. A deactivated key's next exchange is refused.
 */
export async function setAccessKeyStatus(
	deps: Deps,
	projectId: string,
	ids: string[],
	status: "active" | "inactive",
	single: boolean,
) {
	assertScope(deps, true);
	checkIds(ids);
	const first = ids[0] ?? "";
	await commit(deps, projectId, {
		preconditions: single ? [repo.keyExistsQuery(projectId, first)] : [],
		entriesFrom: [
			{
				action: status === "active" ? "access_key.activated" : "access_key.deactivated",
				targetType: "access_key",
				select: repo.keysToChangeQuery(projectId, ids, status),
				changes: { status: { before: status === "active" ? "inactive" : "active", after: status } },
			},
		],
		statements: [repo.setStatusSql(projectId, ids, status, deps.now())],
	}).catch(whenPreconditionFails(() => notFound(first)));
}

/** Deletes keys: their next exchange is refused. One id: unknown is a 404; a batch skips unknown ids. */
export async function deleteAccessKeys(deps: Deps, projectId: string, ids: string[], single: boolean) {
	assertScope(deps, true);
	checkIds(ids);
	const [rows] = await batch(deps.d1, [repo.keysByIdsQuery(projectId, ids)]);
	const found = repo.toAccessKeys(rows);
	if (found.length === 0) {
		if (single) throw notFound(ids[0] ?? "");
		return;
	}
	await commit(deps, projectId, {
		statements: [
			repo.deleteKeysSql(
				projectId,
				found.map((k) => k.id),
			),
		],
		entries: found.map((k) => entry("access_key.deleted", k, { changes: removedFields(recorded(k)) })),
	});
}

/** A new cleartext for the same key id; the previous one is refused from this commit on. */
export async function rotateAccessKey(deps: Deps, projectId: string, id: string) {
	assertScope(deps, true);
	const [rows, names] = await batch(deps.d1, [
		repo.keyByIdQuery(projectId, id),
		repo.keyTenantNamesQuery(projectId),
	]);
	const before = repo.toAccessKeys(rows)[0];
	if (!before) throw notFound(id);
	const cleartext = newAccessKeySecret();
	const now = deps.now();
	const after: repo.AccessKeyRow = { ...before, keyHash: await sha256Hex(cleartext), modifiedAt: now };
	await commit(deps, projectId, {
		preconditions: [repo.keyExistsQuery(projectId, id)],
		statements: [repo.rotateKeySql(projectId, id, after.keyHash, now)],
		entries: [entry("access_key.rotated", after)],
	}).catch(whenPreconditionFails(() => notFound(id)));
	return { key: toView(after, repo.toTenantNames(names)), cleartext };
}
