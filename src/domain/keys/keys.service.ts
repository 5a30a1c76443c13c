import { type CachedKey, readCachedKey, writeCachedKey } from "../../kv/key-cache";
import { randomToken, sha256Hex, timingSafeEqualStrings } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { isIpAllowed, isValidIpEntry } from "../../lib/ip-allowlist";
import { changesOf, commit, removedFields, whenPreconditionFails } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { checkCount, checkJsonValue, checkLength } from "../input-limits";
import { MAX_ATTRIBUTES_BYTES, MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from "../limits";
import { applyKeyScope, assertNotReadOnly } from "../scope";
import * as repo from "./keys.repo";

export type ManagementKey = repo.KeyRow;

export interface KeyInput {
	name: string;
	description?: string;
	/** Seconds from now; 0 or absent = never expires. */
	expiresIn?: number;
	permittedIps?: string[];
	reBac?: Record<string, unknown>;
	/** Scope (docs/management-keys.md): every write refused. */
	readOnly?: boolean;
	/** Scope: only these tenants, their roles and their members; each must exist in the project. */
	tenantIds?: string[];
}

/** Tenant ids of a key's scope: each an existing tenant of the project, no repeats. */
export async function validateKeyTenantIds(deps: Deps, projectId: string, ids: string[] | undefined) {
	if (!ids || ids.length === 0) return [];
	if (ids.length > MAX_KEY_TENANTS) throw invalid("tenantIds", `at most ${MAX_KEY_TENANTS} tenants`);
	const existing = new Set(await repo.existingTenantIds(deps.db, projectId, ids));
	for (const [i, id] of ids.entries()) {
		if (!existing.has(id)) throw invalid(`tenantIds[${i}]`, `tenant ${id} does not exist in this project`);
	}
	return [...new Set(ids)];
}

// Cleartext keys carry a recognisable prefix (secret scanners) and 256 random bits; only their
// SHA-256 is stored, which is enough for a random secret of that size.
const MAX_KEY_TENANTS = 100;

export const newKeySecret = () => `rk_${randomToken(32)}`;

export function validatePermittedIps(ips: string[] | undefined, field = "permittedIps") {
	for (const [i, ip] of (ips ?? []).entries()) {
		if (!isValidIpEntry(ip)) throw invalid(`${field}[${i}]`, `"${ip}" is not an IP address or CIDR range`);
	}
}

/** The limits of docs/security.md on a key's own fields, for every writer (management API, operator). */
function checkKeyFields(input: Pick<KeyInput, "name" | "description" | "permittedIps" | "reBac">) {
	checkLength("name", input.name, MAX_NAME_LENGTH);
	checkLength("description", input.description, MAX_DESCRIPTION_LENGTH);
	checkCount("permittedIps", input.permittedIps);
	checkJsonValue("reBac", input.reBac, MAX_ATTRIBUTES_BYTES);
}

export async function createKey(deps: Deps, projectId: string, input: KeyInput) {
	checkKeyFields(input);
	validatePermittedIps(input.permittedIps);
	const maxSeconds = 100 * 365 * 24 * 3600;
	const expiresIn = input.expiresIn;
	if (
		expiresIn !== undefined &&
		(!Number.isSafeInteger(expiresIn) || expiresIn < 0 || expiresIn > maxSeconds)
	)
		throw invalid("expiresIn", `must be a whole number of seconds from 0 (never) to ${maxSeconds}`);
	const tenantIds = await validateKeyTenantIds(deps, projectId, input.tenantIds);
	const cleartext = newKeySecret();
	const now = deps.now();
	const key: ManagementKey = {
		id: newId("K"),
		projectId,
		name: input.name,
		description: input.description ?? "",
		keyHash: await sha256Hex(cleartext),
		status: "active",
		expiresAt: input.expiresIn ? now + input.expiresIn * 1000 : null,
		permittedIps: input.permittedIps ?? [],
		reBac: input.reBac ?? {},
		readOnly: input.readOnly ?? false,
		tenantIds,
		createdAt: now,
		lastUsedAt: null,
	};
	await commit(deps, projectId, {
		statements: [repo.insertKeySql(key)],
		entries: [keyCreated(key)],
	});
	return { key, cleartext };
}

/**
 * What a change row shows of a key: never its cleartext or hash (docs/audit.md). Expiry is epoch
 * milliseconds, null = never.
 */
const recorded = (k: ManagementKey) => ({
	name: k.name,
	description: k.description,
	status: k.status,
	expiresAt: k.expiresAt,
	permittedIps: k.permittedIps,
	readOnly: k.readOnly,
	tenantIds: k.tenantIds,
});

/** The `key.created` entry of a new key (also written with a new project's first key). */
export const keyCreated = (key: ManagementKey) =>
	({
		action: "key.created",
		target: { type: "key", id: key.id },
		changes: changesOf({}, recorded(key)),
	}) as const;

export async function loadKey(deps: Deps, projectId: string, id: string) {
	const key = await repo.findKey(deps.db, projectId, id);
	if (!key) throw new DomainError("not_found", `Management key ${id} not found`, "id");
	return key;
}

export const searchKeys = (deps: Deps, projectId: string) => repo.listKeys(deps.db, projectId);

export async function updateKey(
	deps: Deps,
	projectId: string,
	id: string,
	changes: {
		name: string;
		description?: string;
		status?: "active" | "inactive";
		permittedIps?: string[];
		/** Absent: unchanged. */
		readOnly?: boolean;
		/** Absent: unchanged; [] removes the tenant binding. */
		tenantIds?: string[];
	},
) {
	checkKeyFields(changes);
	validatePermittedIps(changes.permittedIps);
	const tenantIds =
		changes.tenantIds === undefined
			? undefined
			: await validateKeyTenantIds(deps, projectId, changes.tenantIds);
	const set: repo.KeyChanges = {
		name: changes.name,
		description: changes.description ?? "",
		...(changes.status ? { status: changes.status } : {}),
		...(changes.permittedIps ? { permittedIps: changes.permittedIps } : {}),
		...(changes.readOnly !== undefined ? { readOnly: changes.readOnly } : {}),
		...(tenantIds !== undefined ? { tenantIds } : {}),
	};
	// A read-only key is refused here as the write would refuse it, not told whether the key exists.
	assertNotReadOnly(deps);
	const before = await repo.findKey(deps.db, projectId, id);
	if (!before) throw new DomainError("not_found", `Management key ${id} not found`, "id");
	const key: ManagementKey = { ...before, ...set };
	await commit(deps, projectId, {
		// Deleted since it was read: nothing is written, not even the update's change row.
		preconditions: [repo.keyExistsQuery(projectId, id)],
		statements: [repo.updateKeySql(projectId, id, set)],
		entries: [
			{
				action: "key.updated",
				target: { type: "key", id },
				changes: changesOf(recorded(before), recorded(key)),
			},
		],
		// Its cached lookup carries the old fields: the next call reads the new ones.
		effects: { forgetKeyHashes: [before.keyHash] },
	}).catch(whenPreconditionFails(() => new DomainError("not_found", `Management key ${id} not found`, "id")));
	return key;
}

export async function deleteKeys(deps: Deps, projectId: string, ids: string[]) {
	// A read-only key is refused as the write would refuse it, whether or not the keys exist.
	assertNotReadOnly(deps);
	const found = await repo.findKeys(deps.db, projectId, ids);
	if (found.length === 0) return;
	await commit(deps, projectId, {
		statements: [
			repo.deleteKeysSql(
				projectId,
				found.map((k) => k.id),
			),
		],
		entries: found.map((k) => ({
			action: "key.deleted",
			target: { type: "key", id: k.id },
			changes: removedFields(recorded(k)),
		})),
		// They stop working at once: their cached lookups go too.
		effects: { forgetKeyHashes: found.map((k) => k.keyHash) },
	});
}

export interface KeyPrincipal {
	projectId: string;
	keyId: string;
	/** The key's scope (docs/security.md): enforced by the domain, carried in `Deps.scope`. */
	readOnly: boolean;
	/** Non-empty: the key is bound to these tenants. */
	tenantIds: string[];
	rateLimitTier: "standard" | "high";
}

/**
 * Resolves a cleartext key to its project and applies its scope to `deps`. Warm path: one KV
 * read, no D1. A miss reads D1 once and records the last-used time in the background.
 */
export async function authenticateKey(
	deps: Deps,
	cleartext: string,
	clientIp: string | null,
	expectedProjectId?: string,
): Promise<KeyPrincipal> {
	const keyHash = await sha256Hex(cleartext);
	let key: CachedKey | null = await readCachedKey(deps.kv, keyHash);
	if (!key) {
		const found = await repo.findKeyByHash(deps.db, keyHash);
		if (!found) throw new DomainError("unauthorized", "Invalid management key");
		const row = found.key;
		key = {
			keyId: row.id,
			name: row.name,
			projectId: row.projectId,
			keyHash: row.keyHash,
			status: row.status,
			expiresAt: row.expiresAt,
			permittedIps: row.permittedIps,
			readOnly: row.readOnly,
			tenantIds: row.tenantIds,
			rateLimitTier: found.rateLimitTier,
		};
		deps.waitUntil(writeCachedKey(deps.kv, key));
		deps.waitUntil(repo.touchKey(deps.db, keyHash, deps.now()));
	}
	if (!timingSafeEqualStrings(key.keyHash, keyHash))
		throw new DomainError("unauthorized", "Invalid management key");
	if (expectedProjectId !== undefined && key.projectId !== expectedProjectId) {
		throw new DomainError("unauthorized", "Invalid management key");
	}
	if (key.status !== "active") throw new DomainError("unauthorized", "Management key is inactive");
	if (key.expiresAt !== null && key.expiresAt <= deps.now()) {
		throw new DomainError("unauthorized", "Management key has expired");
	}
	if (!isIpAllowed(key.permittedIps, clientIp)) {
		throw new DomainError("forbidden", "Client IP address is not permitted for this management key");
	}
	const principal: KeyPrincipal = {
		projectId: key.projectId,
		keyId: key.keyId,
		readOnly: key.readOnly,
		tenantIds: key.tenantIds,
		rateLimitTier: key.rateLimitTier,
	};
	// The request's own deps take the key's scope here, so no dialect (present or future) can
	// authenticate a key and run services without it (src/domain/scope.ts).
	Object.assign(deps, applyKeyScope(deps, principal), {
		actor: { type: "key", id: key.keyId, name: key.name },
	});
	return principal;
}
