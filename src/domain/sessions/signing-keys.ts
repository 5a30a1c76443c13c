import { sql } from "drizzle-orm";
import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { all } from "../../db/sql";
import { commit } from "../commit";
import type { Deps } from "../deps";

// Per-project JWT signing keys (RS256: what Descope issues and every JWT library accepts).
// A project gets its first key when it is created, so a resource server fetching the JWKS at boot
// has it (older projects without one get it when they first sign). Rotation adds a `next` key that is
// published at once and signs only from `activateAt`; the key it replaces is retired and stays
// published until every refresh token it signed has expired.

export const ALG = "RS256";

export interface SigningKeyRow {
	kid: string;
	status: "next" | "active" | "retired";
	publicJwk: JWK;
	privateJwk: JWK;
	activateAt: number;
	publishUntil: number | null;
}

const keysQuery = (projectId: string) =>
	sql`SELECT kid, status, public_jwk AS publicJwk, private_jwk AS privateJwk, activate_at AS activateAt,
		publish_until AS publishUntil FROM signing_keys WHERE project_id = ${projectId}`;

function toRows(rows: Record<string, unknown>[] | undefined): SigningKeyRow[] {
	return (rows ?? []).map((r) => ({
		kid: r.kid as string,
		status: r.status as SigningKeyRow["status"],
		publicJwk: JSON.parse(r.publicJwk as string),
		privateJwk: JSON.parse(r.privateJwk as string),
		activateAt: Number(r.activateAt),
		publishUntil: r.publishUntil === null ? null : Number(r.publishUntil),
	}));
}

/** The first, active key of a new project, as a row for the project's creation batch. */
export async function firstSigningKey(projectId: string, now: number) {
	const key = await newKey();
	return {
		kid: key.kid,
		projectId,
		alg: ALG,
		publicJwk: key.publicJwk as Record<string, unknown>,
		privateJwk: key.privateJwk as Record<string, unknown>,
		status: "active" as const,
		createdAt: now,
		activateAt: now,
	};
}

/** For a caller's read batch: every key of the project. */
export const signingKeysQuery = keysQuery;
export const toSigningKeys = toRows;

async function newKey(): Promise<{ kid: string; publicJwk: JWK; privateJwk: JWK }> {
	const { publicKey, privateKey } = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
	const kid = `K${crypto.randomUUID().replaceAll("-", "").slice(0, 26)}`;
	const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: "sig" };
	const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALG };
	return { kid, publicJwk, privateJwk };
}

/**
 * The key to sign with now. Promotes a due `next` key (retiring the active one until
 * `retireAfterMs` from now) and creates the project's first key when it has none.
 */
export async function signingKey(
	deps: Deps,
	projectId: string,
	known: SigningKeyRow[] | undefined,
	retireAfterMs: number,
): Promise<SigningKeyRow> {
	const now = deps.now();
	let keys = known ?? toRows(await all(deps.d1, keysQuery(projectId)));
	const due = keys.find((k) => k.status === "next" && k.activateAt <= now);
	if (due) {
		// The promotion the rotation scheduled (its entry was written then): no change row of its own.
		const { reads } = await commit(deps, projectId, {
			statements: [
				sql`UPDATE signing_keys SET status = 'retired', publish_until = ${now + retireAfterMs}
					WHERE project_id = ${projectId} AND status = 'active'`,
				sql`UPDATE signing_keys SET status = 'active' WHERE project_id = ${projectId} AND kid = ${due.kid} AND status = 'next'`,
			],
			reads: [keysQuery(projectId)],
		});
		keys = toRows(reads[0]);
	}
	const active = keys.find((k) => k.status === "active");
	if (active) return active;
	const key = await newKey();
	// Two first sign-ins may race: only one insert lands, and both read the winner back.
	const { reads } = await commit(deps, projectId, {
		statements: [
			sql`INSERT INTO signing_keys (kid, project_id, alg, public_jwk, private_jwk, status, created_at, activate_at)
				SELECT ${key.kid}, ${projectId}, ${ALG}, ${JSON.stringify(key.publicJwk)}, ${JSON.stringify(key.privateJwk)},
					'active', ${now}, ${now}
				WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE project_id = ${projectId} AND status = 'active')`,
		],
		reads: [keysQuery(projectId)],
	});
	const winner = toRows(reads[0]).find((k) => k.status === "active");
	if (!winner) throw new Error("no active signing key after insert");
	return winner;
}

/** Adds a `next` key: published now, signing from `activateAfterSeconds` on. */
export async function rotateSigningKey(deps: Deps, projectId: string, activateAfterSeconds: number) {
	const key = await newKey();
	const now = deps.now();
	const activateAt = now + activateAfterSeconds * 1000;
	await commit(deps, projectId, {
		statements: [
			sql`DELETE FROM signing_keys WHERE project_id = ${projectId} AND status = 'next'`,
			sql`INSERT INTO signing_keys (kid, project_id, alg, public_jwk, private_jwk, status, created_at, activate_at)
				VALUES (${key.kid}, ${projectId}, ${ALG}, ${JSON.stringify(key.publicJwk)}, ${JSON.stringify(key.privateJwk)},
					'next', ${now}, ${activateAt})`,
		],
		// The key id is public (the JWKS names it); the key itself never enters the log.
		entries: [
			{
				action: "project.signing_key.rotated",
				target: { type: "project", id: projectId },
				data: { kid: key.kid, activateAt },
			},
		],
	});
	return { kid: key.kid, activateAt };
}

/** The published keys: next, active, and retired ones still inside their window. */
export function publishedKeys(keys: SigningKeyRow[], now: number): JWK[] {
	return keys.filter((k) => k.status !== "retired" || (k.publishUntil ?? 0) > now).map((k) => k.publicJwk);
}

export async function jwks(deps: Deps, projectId: string) {
	return publishedKeys(toRows(await all(deps.d1, keysQuery(projectId))), deps.now());
}

export const importPrivateKey = (key: SigningKeyRow) => importJWK(key.privateJwk, ALG);
export const importPublicKey = (jwk: JWK) => importJWK(jwk, ALG);
