import { type CachedKey, forgetCachedKeys, readCachedKey, writeCachedKey } from "../../kv/key-cache";
import { randomToken, sha256Hex, timingSafeEqualStrings } from "../../lib/crypto";
import { newId } from "../../lib/ids";
import { isIpAllowed, isValidIpEntry } from "../../lib/ip-allowlist";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import * as repo from "./keys.repo";

export type ManagementKey = repo.KeyRow;

export interface KeyInput {
	name: string;
	description?: string;
	/** Seconds from now; 0 or absent = never expires. */
	expiresIn?: number;
	permittedIps?: string[];
	reBac?: Record<string, unknown>;
}

// Cleartext keys carry a recognisable prefix (secret scanners) and 256 random bits; only their
// SHA-256 is stored, which is enough for a random secret of that size.
export const newKeySecret = () => `rk_${randomToken(32)}`;

export function validatePermittedIps(ips: string[] | undefined, field = "permittedIps") {
	for (const [i, ip] of (ips ?? []).entries()) {
		if (!isValidIpEntry(ip)) throw invalid(`${field}[${i}]`, `"${ip}" is not an IP address or CIDR range`);
	}
}

export async function createKey(deps: Deps, projectId: string, input: KeyInput) {
	validatePermittedIps(input.permittedIps);
	const maxSeconds = 100 * 365 * 24 * 3600;
	const expiresIn = input.expiresIn;
	if (
		expiresIn !== undefined &&
		(!Number.isSafeInteger(expiresIn) || expiresIn < 0 || expiresIn > maxSeconds)
	)
		throw invalid("expiresIn", `must be a whole number of seconds from 0 (never) to ${maxSeconds}`);
	const cleartext = newKeySecret();
	const now = deps.now();
	const key = await repo.insertKey(deps.db, {
		id: newId("K"),
		projectId,
		name: input.name,
		description: input.description ?? "",
		keyHash: await sha256Hex(cleartext),
		expiresAt: input.expiresIn ? now + input.expiresIn * 1000 : null,
		permittedIps: input.permittedIps ?? [],
		reBac: input.reBac ?? {},
		createdAt: now,
	});
	return { key, cleartext };
}

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
	changes: { name: string; description?: string; status?: "active" | "inactive"; permittedIps?: string[] },
) {
	validatePermittedIps(changes.permittedIps);
	const key = await repo.updateKey(deps.db, projectId, id, {
		name: changes.name,
		description: changes.description ?? "",
		...(changes.status ? { status: changes.status } : {}),
		...(changes.permittedIps ? { permittedIps: changes.permittedIps } : {}),
	});
	if (!key) throw new DomainError("not_found", `Management key ${id} not found`, "id");
	await forgetCachedKeys(deps.kv, [key.keyHash]);
	return key;
}

export async function deleteKeys(deps: Deps, projectId: string, ids: string[]) {
	const deleted = await repo.deleteKeys(deps.db, projectId, ids);
	await forgetCachedKeys(
		deps.kv,
		deleted.map((k) => k.keyHash),
	);
}

export interface KeyPrincipal {
	projectId: string;
	keyId: string;
}

/**
 * Resolves a cleartext key to its project. Warm path: one KV read, no D1. A miss reads D1 once
 * and records the last-used time in the background.
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
		const row = await repo.findKeyByHash(deps.db, keyHash);
		if (!row) throw new DomainError("unauthorized", "Invalid management key");
		key = {
			keyId: row.id,
			projectId: row.projectId,
			keyHash: row.keyHash,
			status: row.status,
			expiresAt: row.expiresAt,
			permittedIps: row.permittedIps,
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
	return { projectId: key.projectId, keyId: key.keyId };
}
