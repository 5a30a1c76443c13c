import {
	type AuthenticationResponseJSON,
	type AuthenticatorSelectionCriteria,
	generateAuthenticationOptions,
	generateRegistrationOptions,
	type PublicKeyCredentialCreationOptionsJSON,
	type PublicKeyCredentialRequestOptionsJSON,
	type RegistrationResponseJSON,
	type UserVerificationRequirement,
	verifyAuthenticationResponse,
	verifyRegistrationResponse,
	type WebAuthnCredential,
} from "@simplewebauthn/server";
import { isoBase64URL, isoUint8Array } from "@simplewebauthn/server/helpers";
import { type SQL, sql } from "drizzle-orm";
import { batch } from "../../db/sql";
import { randomToken } from "../../lib/crypto";
import type { Deps } from "../deps";
import { DomainError, invalid, userNotFound } from "../errors";
import type { Project } from "../projects/projects.service";
import type { User } from "../users/user.types";
import { checkLoginId, loginIdKey } from "../users/user.validate";
import * as repo from "../users/users.repo";
import { createUser, deleteUserById } from "../users/users.service";
import type { AuthResult } from "./auth.service";
import { authenticateRefresh } from "./auth.service";
import { historyStatement, projectQuery, type RequestInfo, toProject } from "./context";
import { signingKeysQuery, toSigningKeys } from "./signing-keys";
import { issueTokens } from "./tokens";

// Passkeys (WebAuthn): sign-up, sign-in and adding a passkey to a signed-in user, each a
// start/finish pair joined by a stored single-use challenge; and their management.

/** How long a started ceremony may be finished (the options' `timeout` too). */
export const CEREMONY_TTL_MS = 5 * 60 * 1000;
/** The transaction id carries the ceremony's inputs; this bounds it (custom claims included). */
const MAX_CEREMONY_BYTES = 8 * 1024;
/** Expired challenges removed by each start, so abandoned ceremonies do not pile up. */
const SWEEP_LIMIT = 50;
const MAX_NAME_LENGTH = 1024;

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

export interface PasskeyOptions {
	authenticatorAttachment?: "any" | "platform" | "crossplatform" | "cross-platform";
	residentKey?: "discouraged" | "preferred" | "required";
	userVerification?: UserVerificationRequirement;
}

export interface StartResult<T> {
	transactionId: string;
	options: { publicKey: T };
}

/**
 * What finish needs from start beyond the challenge row. It travels inside the transaction id,
 * which is the row's primary key: finish looks the row up by the whole id, so the payload
 * cannot be altered without the row going missing.
 */
interface Ceremony {
	loginId?: string;
	name?: string;
	/** User verification was required at start, so finish requires the UV flag. */
	uv: boolean;
	customClaims?: Record<string, unknown>;
}

interface ChallengeRow {
	userId: string | null;
	challenge: string;
	rpId: string;
	origin: string;
	expiresAt: number;
}

interface PasskeyRow {
	id: string;
	userId: string;
	publicKey: string;
	counter: number;
	transports: string;
	rpId: string;
}

// ---------------------------------------------------------------- helpers

/**
 * The origin a ceremony runs on: https, or http on localhost / 127.0.0.1 for development.
 * The RP ID is its host name, so a passkey works only on the site that registered it.
 */
export function checkOrigin(value: string): { origin: string; rpId: string } {
	const bad = (why: string) => invalid("origin", `${why} (expected e.g. "https://app.example.com")`);
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw bad(`"${value}" is not an origin`);
	}
	if (url.username || url.password || url.search || url.hash || url.pathname !== "/") {
		throw bad(`"${value}" is not an origin: no path, query or credentials`);
	}
	const local = url.hostname === "localhost" || url.hostname === "127.0.0.1";
	if (url.protocol !== "https:" && !(url.protocol === "http:" && local)) {
		throw bad(`"${value}" must use https (http only for localhost and 127.0.0.1)`);
	}
	if (url.protocol === "https:" && (url.hostname.startsWith("[") || /^[\d.]+$/.test(url.hostname))) {
		throw bad(`"${value}" must name a host, not an IP address`);
	}
	return { origin: url.origin, rpId: url.hostname };
}

/** The kind Descope reports, inferred from the transports the browser gave at registration. */
export function passkeyKind(transports: string[]): PasskeyKind {
	if (transports.includes("internal")) return "platform";
	if (transports.some((t) => ["usb", "nfc", "ble", "smart-card", "hybrid"].includes(t)))
		return "cross-platform";
	return "";
}

const utf8 = new TextEncoder();

function newTransactionId(ceremony: Ceremony) {
	const payload = isoBase64URL.fromUTF8String(JSON.stringify(ceremony));
	if (utf8.encode(payload).byteLength > MAX_CEREMONY_BYTES) {
		throw invalid("loginOptions", `the sign-in options must stay under ${MAX_CEREMONY_BYTES} bytes`);
	}
	return `${randomToken(18)}.${payload}`;
}

function ceremonyOf(transactionId: string): Ceremony {
	try {
		return JSON.parse(isoBase64URL.toUTF8String(transactionId.slice(transactionId.indexOf(".") + 1)));
	} catch {
		return { uv: false };
	}
}

const unknownTransaction = () =>
	new DomainError(
		"unauthorized",
		"transactionId: unknown, already used or of another ceremony; start again",
		"transactionId",
	);
const verificationFailed = (error: unknown) =>
	new DomainError(
		"unauthorized",
		`Passkey verification failed: ${error instanceof Error ? error.message : String(error)}`,
		"response",
	);

function parseResponse<T>(response: string): T {
	let parsed: unknown;
	try {
		parsed = JSON.parse(response);
	} catch {
		throw invalid("response", "must be the JSON of the browser's credential");
	}
	if (typeof parsed !== "object" || parsed === null || typeof (parsed as { id?: unknown }).id !== "string") {
		throw invalid("response", "must be the JSON of the browser's credential (with an id)");
	}
	return parsed as T;
}

function requireProject(project: Project | null): Project {
	if (!project) throw new DomainError("unauthorized", "Unknown project");
	return project;
}

const userVerification = (options: PasskeyOptions | undefined): UserVerificationRequirement =>
	options?.userVerification ?? "preferred";

function authenticatorSelection(options: PasskeyOptions | undefined): AuthenticatorSelectionCriteria {
	const attachment = options?.authenticatorAttachment;
	return {
		residentKey: options?.residentKey ?? "preferred",
		userVerification: userVerification(options),
		...(attachment === "platform" ? { authenticatorAttachment: "platform" } : {}),
		...(attachment === "crossplatform" || attachment === "cross-platform"
			? { authenticatorAttachment: "cross-platform" }
			: {}),
	};
}

const transportsOf = (row: Record<string, unknown> | PasskeyRow): string[] =>
	JSON.parse(String(row.transports));

// ---------------------------------------------------------------- statements

const sweepStatement = (projectId: string, now: number) =>
	sql`DELETE FROM webauthn_challenges WHERE id IN (SELECT id FROM webauthn_challenges
		WHERE project_id = ${projectId} AND expires_at < ${now} LIMIT ${SWEEP_LIMIT})`;

const insertChallenge = (
	projectId: string,
	row: { id: string; userId: string | null; kind: "register" | "authenticate"; challenge: string },
	at: { origin: string; rpId: string },
	now: number,
) =>
	sql`INSERT INTO webauthn_challenges (id, project_id, user_id, kind, challenge, rp_id, origin, expires_at)
		VALUES (${row.id}, ${projectId}, ${row.userId}, ${row.kind}, ${row.challenge}, ${at.rpId}, ${at.origin},
			${now + CEREMONY_TTL_MS})`;

/** Takes the challenge out: it is gone after this, whatever the outcome (single use). */
const consumeChallenge = (projectId: string, id: string, kind: "register" | "authenticate", owner: SQL) =>
	sql`DELETE FROM webauthn_challenges WHERE project_id = ${projectId} AND id = ${id} AND kind = ${kind} AND ${owner}
		RETURNING user_id AS userId, challenge, rp_id AS rpId, origin, expires_at AS expiresAt`;

const passkeysOfUserQuery = (projectId: string, userId: SQL) =>
	sql`SELECT id, rp_id AS rpId, transports, display_name AS displayName, created_at AS createdAt,
			last_used_at AS lastUsedAt
		FROM passkeys WHERE project_id = ${projectId} AND user_id = ${userId} ORDER BY created_at, id`;

const passkeyQuery = (projectId: string, credentialId: string) =>
	sql`SELECT id, user_id AS userId, public_key AS publicKey, counter, transports, rp_id AS rpId
		FROM passkeys WHERE project_id = ${projectId} AND id = ${credentialId}`;

const userIdByLoginId = (projectId: string, loginId: string) =>
	sql`(SELECT user_id FROM user_login_ids WHERE project_id = ${projectId} AND login_id_lower = ${loginIdKey(loginId)})`;

function insertPasskey(
	projectId: string,
	userId: string,
	credential: WebAuthnCredential,
	rpId: string,
	now: number,
) {
	return sql`INSERT INTO passkeys (id, project_id, user_id, public_key, counter, transports, rp_id, display_name, created_at)
		VALUES (${credential.id}, ${projectId}, ${userId}, ${isoBase64URL.fromBuffer(credential.publicKey)},
			${credential.counter}, ${JSON.stringify(credential.transports ?? [])}, ${rpId}, '', ${now})`;
}

/** A passkey added or removed changes what the user object reports (`webauthn`). */
const touchUser = (projectId: string, userId: SQL, now: number, only: SQL = sql`1`) =>
	sql`UPDATE users SET modified_at = ${now}, version = version + 1
		WHERE project_id = ${projectId} AND id = ${userId} AND ${only}`;

function toChallenge(rows: Record<string, unknown>[] | undefined, now: number): ChallengeRow {
	const row = rows?.[0] as ChallengeRow | undefined;
	if (!row) throw unknownTransaction();
	if (Number(row.expiresAt) <= now) {
		throw new DomainError(
			"unauthorized",
			"transactionId: the passkey ceremony expired; start again",
			"transactionId",
		);
	}
	return row;
}

function isUniqueViolation(error: unknown) {
	return String((error as Error)?.message ?? error).includes("UNIQUE constraint failed");
}

const alreadyRegistered = () => new DomainError("conflict", "This passkey is already registered", "response");

// ---------------------------------------------------------------- sign-up

/** Starts a sign-up: the login id must be free (an invited user's too, as for passwords). */
export async function startSignUp(
	deps: Deps,
	projectId: string,
	input: {
		loginId: string;
		name?: string;
		origin: string;
		customClaims?: Record<string, unknown>;
		passkeyOptions?: PasskeyOptions;
	},
): Promise<StartResult<PublicKeyCredentialCreationOptionsJSON>> {
	const at = checkOrigin(input.origin);
	const loginId = checkLoginId(input.loginId, "user.loginId");
	if ((input.name?.length ?? 0) > MAX_NAME_LENGTH) {
		throw invalid("user.name", `longer than ${MAX_NAME_LENGTH} characters`);
	}
	const [projectRows, takenRows] = await batch(deps.d1, [
		projectQuery(projectId),
		repo.existingLoginIdsQuery(projectId, [loginIdKey(loginId)]),
	]);
	const project = requireProject(toProject(projectRows));
	if (takenRows?.length) {
		throw new DomainError("user_exists", `A user with login id "${loginId}" already exists`, "user.loginId");
	}
	const options = await generateRegistrationOptions({
		rpName: project.name,
		rpID: at.rpId,
		userName: loginId,
		userDisplayName: input.name || loginId,
		timeout: CEREMONY_TTL_MS,
		attestationType: "none",
		authenticatorSelection: authenticatorSelection(input.passkeyOptions),
	});
	const transactionId = newTransactionId({
		loginId,
		name: input.name || undefined,
		uv: userVerification(input.passkeyOptions) === "required",
		customClaims: input.customClaims,
	});
	const now = deps.now();
	await batch(deps.d1, [
		sweepStatement(projectId, now),
		insertChallenge(
			projectId,
			{ id: transactionId, userId: null, kind: "register", challenge: options.challenge },
			at,
			now,
		),
	]);
	return { transactionId, options: { publicKey: options } };
}

/** Verifies the new passkey, creates an enabled user holding it, and signs in. */
export async function finishSignUp(
	deps: Deps,
	projectId: string,
	transactionId: string,
	response: string,
	info: RequestInfo,
): Promise<AuthResult> {
	const credential = parseResponse<RegistrationResponseJSON>(response);
	const [challengeRows, projectRows, keyRows] = await batch(deps.d1, [
		consumeChallenge(projectId, transactionId, "register", sql`user_id IS NULL`),
		projectQuery(projectId),
		signingKeysQuery(projectId),
	]);
	const challenge = toChallenge(challengeRows, deps.now());
	const project = requireProject(toProject(projectRows));
	const ceremony = ceremonyOf(transactionId);
	if (!ceremony.loginId) throw unknownTransaction();
	const verified = await verifyRegistration(credential, challenge, ceremony);

	const created = await createUser(deps, projectId, {
		loginId: ceremony.loginId,
		name: ceremony.name,
		status: "enabled",
	});
	const now = deps.now();
	let results: Record<string, unknown>[][];
	try {
		results = await batch(deps.d1, [
			insertPasskey(projectId, created.id, verified, challenge.rpId, now),
			historyStatement(
				projectId,
				{
					userId: created.id,
					loginId: ceremony.loginId,
					method: "webauthn-signup",
					outcome: "success",
					at: now,
				},
				info,
			),
			repo.userByIdQuery(projectId, created.id),
		]);
	} catch (error) {
		// The credential id is taken (by another project's user, as ids are global): undo the user.
		await deleteUserById(deps, projectId, created.id);
		throw isUniqueViolation(error) ? alreadyRegistered() : error;
	}
	const user = repo.toUsers(results.at(-1))[0] ?? created;
	const tokens = await issueTokens(deps, project, user, {
		issuer: info.issuer,
		amr: ["webauthn"],
		customClaims: ceremony.customClaims,
		keys: toSigningKeys(keyRows),
	});
	return { tokens, user, firstSeen: true, project };
}

async function verifyRegistration(
	credential: RegistrationResponseJSON,
	challenge: ChallengeRow,
	ceremony: Ceremony,
) {
	try {
		const result = await verifyRegistrationResponse({
			response: credential,
			expectedChallenge: challenge.challenge,
			expectedOrigin: challenge.origin,
			expectedRPID: challenge.rpId,
			requireUserVerification: ceremony.uv,
		});
		if (!result.verified) throw new Error("the registration was not verified");
		return result.registrationInfo.credential;
	} catch (error) {
		throw verificationFailed(error);
	}
}

// ---------------------------------------------------------------- sign-in

/**
 * Starts a sign-in. With a login id, the browser is offered that user's passkeys for this RP ID;
 * with an empty one, any discoverable passkey of the project's users (usernameless sign-in).
 */
export async function startSignIn(
	deps: Deps,
	projectId: string,
	input: {
		loginId: string;
		origin: string;
		customClaims?: Record<string, unknown>;
		passkeyOptions?: PasskeyOptions;
	},
): Promise<StartResult<PublicKeyCredentialRequestOptionsJSON>> {
	const at = checkOrigin(input.origin);
	const loginId = input.loginId.trim();
	const [projectRows, userRows, passkeyRows] = await batch(deps.d1, [
		projectQuery(projectId),
		repo.selectUsers(sql`u.project_id = ${projectId} AND u.id = ${userIdByLoginId(projectId, loginId)}`),
		passkeysOfUserQuery(projectId, userIdByLoginId(projectId, loginId)),
	]);
	requireProject(toProject(projectRows));
	const user = loginId ? repo.toUsers(userRows)[0] : undefined;
	if (loginId && !user) throw userNotFound();
	if (user?.status === "disabled") throw new DomainError("forbidden", "User is disabled");
	const usable = (passkeyRows ?? []).filter((p) => p.rpId === at.rpId);
	if (user && usable.length === 0) {
		throw new DomainError("not_found", `The user has no passkey for "${at.rpId}"`, "loginId");
	}
	const uv = userVerification(input.passkeyOptions);
	const options = await generateAuthenticationOptions({
		rpID: at.rpId,
		allowCredentials: usable.map((p) => ({ id: p.id as string, transports: transportsOf(p) })),
		timeout: CEREMONY_TTL_MS,
		userVerification: uv,
	});
	const transactionId = newTransactionId({
		loginId: loginId || undefined,
		uv: uv === "required",
		customClaims: input.customClaims,
	});
	const now = deps.now();
	await batch(deps.d1, [
		sweepStatement(projectId, now),
		insertChallenge(
			projectId,
			{ id: transactionId, userId: user?.id ?? null, kind: "authenticate", challenge: options.challenge },
			at,
			now,
		),
	]);
	return { transactionId, options: { publicKey: options } };
}

/**
 * Verifies the assertion against the stored passkey (signature, origin, RP ID, counter) and signs
 * in. An invited user becomes enabled here, as with a password; lockout is for passwords only.
 */
export async function finishSignIn(
	deps: Deps,
	projectId: string,
	transactionId: string,
	response: string,
	info: RequestInfo,
): Promise<AuthResult> {
	const assertion = parseResponse<AuthenticationResponseJSON>(response);
	const ownerOfCredential = sql`(SELECT user_id FROM passkeys WHERE project_id = ${projectId} AND id = ${assertion.id})`;
	const [userRows, challengeRows, projectRows, keyRows, passkeyRows] = await batch(deps.d1, [
		repo.selectUsers(sql`u.project_id = ${projectId} AND u.id = ${ownerOfCredential}`),
		consumeChallenge(projectId, transactionId, "authenticate", sql`1`),
		projectQuery(projectId),
		signingKeysQuery(projectId),
		passkeyQuery(projectId, assertion.id),
	]);
	const now = deps.now();
	const challenge = toChallenge(challengeRows, now);
	const project = requireProject(toProject(projectRows));
	const ceremony = ceremonyOf(transactionId);
	const passkey = passkeyRows?.[0] as PasskeyRow | undefined;
	let user: User | undefined = repo.toUsers(userRows)[0];
	if (
		!passkey ||
		(challenge.userId && passkey.userId !== challenge.userId) ||
		passkey.rpId !== challenge.rpId
	) {
		user = undefined;
	}
	const record = (outcome: string) =>
		historyStatement(
			projectId,
			{
				userId: user?.id ?? challenge.userId,
				loginId: ceremony.loginId ?? user?.loginIds[0] ?? "",
				method: "webauthn",
				outcome,
				at: now,
			},
			info,
		);
	if (!passkey || !user) {
		await batch(deps.d1, [record("unknown-credential")]);
		throw new DomainError("unauthorized", "Unknown passkey for this sign-in", "response");
	}

	let newCounter: number;
	try {
		const result = await verifyAuthenticationResponse({
			response: assertion,
			expectedChallenge: challenge.challenge,
			expectedOrigin: challenge.origin,
			expectedRPID: challenge.rpId,
			credential: {
				id: passkey.id,
				publicKey: isoBase64URL.toBuffer(passkey.publicKey),
				counter: Number(passkey.counter),
				transports: transportsOf(passkey),
			},
			requireUserVerification: ceremony.uv,
		});
		if (!result.verified) throw new Error("the signature did not verify");
		newCounter = result.authenticationInfo.newCounter;
	} catch (error) {
		await batch(deps.d1, [record("webauthn-failed")]);
		throw verificationFailed(error);
	}
	if (user.status === "disabled") {
		await batch(deps.d1, [record("disabled")]);
		throw new DomainError("forbidden", "User is disabled");
	}

	const firstSeen = user.status === "invited";
	const results = await batch(deps.d1, [
		// max(): a concurrent sign-in with a higher counter is never rolled back.
		sql`UPDATE passkeys SET counter = max(counter, ${newCounter}), last_used_at = ${now}
			WHERE project_id = ${projectId} AND id = ${passkey.id}`,
		record("success"),
		...(firstSeen
			? [
					// The first successful sign-in is the user's registration (DESIGN.md).
					sql`UPDATE users SET status = 'enabled', registration_time = coalesce(registration_time, ${now}),
						modified_at = ${now}, version = version + 1
						WHERE project_id = ${projectId} AND id = ${user.id} AND status = 'invited'`,
				]
			: []),
		repo.userByIdQuery(projectId, user.id),
	]);
	const fresh = repo.toUsers(results.at(-1))[0] ?? user;
	const tokens = await issueTokens(deps, project, fresh, {
		issuer: info.issuer,
		amr: ["webauthn"],
		customClaims: ceremony.customClaims,
		keys: toSigningKeys(keyRows),
	});
	return { tokens, user: fresh, firstSeen, project };
}

// ---------------------------------------------------------------- adding a passkey

/** Starts adding a passkey to the signed-in user (refresh JWT); its passkeys are excluded. */
export async function startUpdate(
	deps: Deps,
	projectId: string,
	refreshJwt: string | undefined,
	input: { loginId: string; origin: string; passkeyOptions?: PasskeyOptions },
): Promise<StartResult<PublicKeyCredentialCreationOptionsJSON>> {
	const at = checkOrigin(input.origin);
	const ctx = await authenticateRefresh(deps, projectId, refreshJwt);
	const loginId = ctx.user.loginIds.find((id) => loginIdKey(id) === loginIdKey(input.loginId));
	if (!loginId) {
		throw new DomainError("forbidden", "The login id does not belong to the signed-in user", "loginId");
	}
	const [passkeyRows] = await batch(deps.d1, [passkeysOfUserQuery(projectId, sql`${ctx.user.id}`)]);
	const options = await generateRegistrationOptions({
		rpName: ctx.project.name,
		rpID: at.rpId,
		userName: loginId,
		userID: isoUint8Array.fromUTF8String(ctx.user.id),
		userDisplayName: ctx.user.name || loginId,
		timeout: CEREMONY_TTL_MS,
		attestationType: "none",
		excludeCredentials: (passkeyRows ?? [])
			.filter((p) => p.rpId === at.rpId)
			.map((p) => ({ id: p.id as string, transports: transportsOf(p) })),
		authenticatorSelection: authenticatorSelection(input.passkeyOptions),
	});
	const transactionId = newTransactionId({ uv: userVerification(input.passkeyOptions) === "required" });
	const now = deps.now();
	await batch(deps.d1, [
		sweepStatement(projectId, now),
		insertChallenge(
			projectId,
			{ id: transactionId, userId: ctx.user.id, kind: "register", challenge: options.challenge },
			at,
			now,
		),
	]);
	return { transactionId, options: { publicKey: options } };
}

/** Verifies the new passkey and adds it to the user who started the ceremony. */
export async function finishUpdate(deps: Deps, projectId: string, transactionId: string, response: string) {
	const credential = parseResponse<RegistrationResponseJSON>(response);
	const owner = sql`(SELECT user_id FROM webauthn_challenges WHERE project_id = ${projectId} AND id = ${transactionId})`;
	const [userRows, challengeRows] = await batch(deps.d1, [
		repo.selectUsers(sql`u.project_id = ${projectId} AND u.id = ${owner}`),
		consumeChallenge(projectId, transactionId, "register", sql`user_id IS NOT NULL`),
	]);
	const now = deps.now();
	const challenge = toChallenge(challengeRows, now);
	const user = repo.toUsers(userRows)[0];
	if (!user) throw userNotFound();
	if (user.status === "disabled") throw new DomainError("forbidden", "User is disabled");
	const verified = await verifyRegistration(credential, challenge, ceremonyOf(transactionId));
	try {
		await batch(deps.d1, [
			insertPasskey(projectId, user.id, verified, challenge.rpId, now),
			touchUser(projectId, sql`${user.id}`, now),
		]);
	} catch (error) {
		throw isUniqueViolation(error) ? alreadyRegistered() : error;
	}
}

// ---------------------------------------------------------------- management

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
		touchUser(
			projectId,
			userId,
			now,
			sql`EXISTS (SELECT 1 FROM passkeys WHERE project_id = ${projectId} AND user_id = users.id AND id = ${credentialId})`,
		),
		sql`DELETE FROM passkeys WHERE project_id = ${projectId} AND user_id = ${userId} AND id = ${credentialId} RETURNING id`,
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
		touchUser(
			projectId,
			userId,
			now,
			sql`EXISTS (SELECT 1 FROM passkeys WHERE project_id = ${projectId} AND user_id = users.id)`,
		),
		sql`DELETE FROM passkeys WHERE project_id = ${projectId} AND user_id = ${userId}`,
	]);
	if (!userRows?.length) throw userNotFound();
}
