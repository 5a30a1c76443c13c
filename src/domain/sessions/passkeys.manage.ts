// Passkey management: a user's passkeys listed, one removed, or all removed.
import { batch } from "../../db/sql";
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

/** Removes one passkey of the user; an id the user does not hold is a 404. */
export async function removePasskey(deps: Deps, projectId: string, ref: string, credentialId: string) {
	const now = deps.now();
	const userId = repo.resolveRef(projectId, ref);
	const [userRows, , deleted] = await batch(deps.d1, [
		repo.userByRefQuery(projectId, ref),
		touchUser(projectId, userId, now, holdsPasskey(projectId, credentialId)),
		deletePasskey(projectId, userId, credentialId),
	]);
	if (!userRows?.length) throw userNotFound();
	if (!deleted?.length)
		throw new DomainError("not_found", "The user has no passkey with this id", "credentialId");
}

/** Removes every passkey of the user (none is fine). */
export async function removeAllPasskeys(deps: Deps, projectId: string, ref: string) {
	const now = deps.now();
	const userId = repo.resolveRef(projectId, ref);
	const [userRows] = await batch(deps.d1, [
		repo.userByRefQuery(projectId, ref),
		touchUser(projectId, userId, now, holdsAnyPasskey(projectId)),
		deleteAllPasskeys(projectId, userId),
	]);
	if (!userRows?.length) throw userNotFound();
}
