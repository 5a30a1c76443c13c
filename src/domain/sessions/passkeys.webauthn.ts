// The WebAuthn plumbing the passkey ceremonies share: the origin and RP ID, the browser options,
// the transaction id that carries a ceremony from start to finish, and the checks and errors of finish.
import {
	type AuthenticatorSelectionCriteria,
	type RegistrationResponseJSON,
	type UserVerificationRequirement,
	verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { randomToken } from "../../lib/crypto";
import { DomainError, invalid } from "../errors";
import type { Project } from "../projects/projects.service";
import type { ChallengeRow } from "./passkeys.repo";

/** The transaction id carries the ceremony's inputs; this bounds it (custom claims included). */
const MAX_CEREMONY_BYTES = 8 * 1024;

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

const utf8 = new TextEncoder();

export function newTransactionId(ceremony: Ceremony) {
	const payload = isoBase64URL.fromUTF8String(JSON.stringify(ceremony));
	if (utf8.encode(payload).byteLength > MAX_CEREMONY_BYTES) {
		throw invalid("loginOptions", `the sign-in options must stay under ${MAX_CEREMONY_BYTES} bytes`);
	}
	return `${randomToken(18)}.${payload}`;
}

export function ceremonyOf(transactionId: string): Ceremony {
	try {
		return JSON.parse(isoBase64URL.toUTF8String(transactionId.slice(transactionId.indexOf(".") + 1)));
	} catch {
		return { uv: false };
	}
}

export const unknownTransaction = () =>
	new DomainError(
		"unauthorized",
		"transactionId: unknown, already used or of another ceremony; start again",
		"transactionId",
	);
export const verificationFailed = (error: unknown) =>
	new DomainError(
		"unauthorized",
		`Passkey verification failed: ${error instanceof Error ? error.message : String(error)}`,
		"response",
	);

export function parseResponse<T>(response: string): T {
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

export function requireProject(project: Project | null): Project {
	if (!project) throw new DomainError("unauthorized", "Unknown project");
	return project;
}

export const userVerification = (options: PasskeyOptions | undefined): UserVerificationRequirement =>
	options?.userVerification ?? "preferred";

export function authenticatorSelection(options: PasskeyOptions | undefined): AuthenticatorSelectionCriteria {
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

export function toChallenge(rows: Record<string, unknown>[] | undefined, now: number): ChallengeRow {
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

export const alreadyRegistered = () =>
	new DomainError("conflict", "This passkey is already registered", "response");

export async function verifyRegistration(
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
