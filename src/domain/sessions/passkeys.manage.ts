// Passkey management: a user's passkeys listed, one removed, or all removed.
import { type SQL, sql } from "drizzle-orm";
import { batch } from "../../db/sql";
import { commit } from "../commit";
import type { Deps } from "../deps";
import { DomainError, userNotFound } from "../errors";
import * as repo from "../users/users.repo";
import {
	deleteAllPasskeys,
	deletePasskey,
	holdsAnyPasskey,
	holdsPasskey,
	passkeysOfUserQuery,
	touchUser,
	transportsOf,
} from "./passkeys.repo";

export type PasskeyKind = "platform" | "cross-platform" | "";

export interface Passkey {
	id: string;
	rpId: string;
	kind: PasskeyKind;
	displayName: string;
	/** Epoch ms. */
	createdAt: number;
	lastUsedAt: number | null;
}

/** The kind Descope reports, inferred from the transports the browser gave at registration. */
export function passkeyKind(transports: string[]): PasskeyKind {
	if (transports.includes("internal")) return "platform";
	if (transports.some((t) => ["usb", "nfc", "ble", "smart-card", "hybrid"].includes(t)))
		return "cross-platform";
	return "";
}

/** The user's passkeys, oldest first; the user is named by login id or user id. */
export async function listPasskeys(deps: Deps, projectId: string, ref: string): Promise<Passkey[]> {
	const [userRows, passkeyRows] = await batch(deps.d1, [
		repo.userByRefQuery(projectId, ref),
		passkeysOfUserQuery(projectId, repo.resolveRef(projectId, ref)),
	]);
	if (!userRows?.length) throw userNotFound();
	return (passkeyRows ?? []).map((p) => ({
		id: p.id as string,
		rpId: p.rpId as string,
		kind: passkeyKind(transportsOf(p)),
		displayName: p.displayName as string,
		createdAt: Number(p.createdAt),
		lastUsedAt: p.lastUsedAt === null ? null : Number(p.lastUsedAt),
	}));
}

/**
 * The `user.passkey.removed` row of the user `userId` names, when it holds what `holds` asks:
 * found in SQL, before the delete, so the request stays one batch.
 */
const removedEntry = (projectId: string, userId: SQL, holds: SQL, data: Record<string, unknown>) => ({
	action: "user.passkey.removed" as const,
	targetType: "user" as const,
	select: sql`SELECT id AS target_id, id AS user_id, login_ids->>'$[0]' AS login_id, NULL AS tenant_id
		FROM users WHERE project_id = ${projectId} AND id = ${userId} AND ${holds}`,
	data,
});

/** Removes one passkey of the user; an id the user does not hold is a 404. */
export async function removePasskey(deps: Deps, projectId: string, ref: string, credentialId: string) {
	const now = deps.now();
	const userId = repo.resolveRef(projectId, ref);
	const holds = holdsPasskey(projectId, credentialId);
	const { results, reads } = await commit(deps, projectId, {
		entriesFrom: [removedEntry(projectId, userId, holds, { id: credentialId })],
		statements: [touchUser(projectId, userId, now, holds), deletePasskey(projectId, userId, credentialId)],
		reads: [repo.userByRefQuery(projectId, ref)],
	});
	if (!reads[0]?.length) throw userNotFound();
	if (!results[1]?.length)
		throw new DomainError("not_found", "The user has no passkey with this id", "credentialId");
}

/** Removes every passkey of the user (none is fine; one change row when there were some). */
export async function removeAllPasskeys(deps: Deps, projectId: string, ref: string) {
	const now = deps.now();
	const userId = repo.resolveRef(projectId, ref);
	const holds = holdsAnyPasskey(projectId);
	const { reads } = await commit(deps, projectId, {
		entriesFrom: [removedEntry(projectId, userId, holds, { all: true })],
		statements: [touchUser(projectId, userId, now, holds), deleteAllPasskeys(projectId, userId)],
		reads: [repo.userByRefQuery(projectId, ref)],
	});
	if (!reads[0]?.length) throw userNotFound();
}
