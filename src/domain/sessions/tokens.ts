import { decodeProtectedHeader, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { randomToken } from "../../lib/crypto";
import { sessionsOf } from "../../sessions/client";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { MAX_CUSTOM_CLAIMS_BYTES } from "../limits";
import type { Project } from "../projects/projects.service";
import type { User } from "../users/user.types";
import {
	importPrivateKey,
	importPublicKey,
	publishedKeys,
	type SigningKeyRow,
	signingKey,
} from "./signing-keys";

// Session and refresh JWTs (docs/sessions.md). The refresh JWT names its session (`sid`) in
// the user's session object; the session JWT carries the user's current roles and tenants.

/** Claims Roster sets itself; custom claims may not override them. */
export const RESERVED_CLAIMS = new Set([
	"iss",
	"sub",
	"aud",
	"exp",
	"nbf",
	"iat",
	"jti",
	"sid",
	"drn",
	"amr",
	"roles",
	"permissions",
	"tenants",
	"dct",
	"ccl",
	"nsec",
]);

/**
 * The claim that holds what an end user asked for (`loginOptions.customClaims`): never the top
 * level, where a resource server would trust it. Descope puts client-side claims there too.
 */
export const CLIENT_CLAIMS = "nsec";

const utf8 = new TextEncoder();

/** Refuses custom claims over MAX_CUSTOM_CLAIMS_BYTES serialized (the token carries them all). */
export function checkClaimsSize(claims: Record<string, unknown> | undefined, field: string) {
	if (!claims) return;
	if (utf8.encode(JSON.stringify(claims)).byteLength > MAX_CUSTOM_CLAIMS_BYTES) {
		throw invalid(field, `at most ${MAX_CUSTOM_CLAIMS_BYTES} bytes of JSON`);
	}
}

/** Claims a management call sets at the top level: bounded, and never one Roster sets itself. */
export function checkManagementClaims(claims: Record<string, unknown>, field: string) {
	checkClaimsSize(claims, field);
	for (const key of Object.keys(claims)) {
		if (RESERVED_CLAIMS.has(key)) throw invalid(`${field}.${key}`, "is a reserved claim");
	}
}

/** The end-user claims a refresh JWT carries (`ccl` in tokens issued before `nsec`). */
export function clientClaimsOf(claims: Record<string, unknown>): Record<string, unknown> | undefined {
	const value = claims[CLIENT_CLAIMS] ?? claims.ccl;
	return value && typeof value === "object" && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: undefined;
}

export interface IssueOptions {
	issuer: string;
	amr: string[];
	/** The selected tenant (`dct`). */
	tenant?: string;
	/** Claims from an end-user request: signed under `nsec` only, and kept by refreshes. */
	clientClaims?: Record<string, unknown>;
	keys?: SigningKeyRow[];
	/** Re-use a session (tenant selection); otherwise a new one is opened. */
	sessionId?: string;
}

export interface IssuedTokens {
	sessionJwt: string;
	refreshJwt: string;
	sessionExpiration: number;
	refreshExpiration: number;
	claims: JWTPayload;
	sessionId: string;
}

/** The authorization claims, from the user as it is now. */
export function authorizationClaims(user: User) {
	return {
		roles: user.roleNames,
		permissions: user.permissions,
		tenants: Object.fromEntries(
			user.tenants.map((t) => [t.tenantId, { roles: t.roleNames, permissions: t.permissions }]),
		),
	};
}

const clientClaimsClaim = (claims: Record<string, unknown> | undefined) =>
	claims && Object.keys(claims).length ? { [CLIENT_CLAIMS]: claims } : {};

/** Signs claims with a project key; `kid` names it in the published JWKS. */
export async function sign(key: SigningKeyRow, claims: JWTPayload, expiresAt: number) {
	return new SignJWT(claims)
		.setProtectedHeader({ alg: key.publicJwk.alg ?? "RS256", kid: key.kid, typ: "JWT" })
		.setExpirationTime(expiresAt)
		.sign(await importPrivateKey(key));
}

export async function signSessionJwt(
	deps: Deps,
	project: Project,
	user: User,
	options: Omit<IssueOptions, "sessionId"> & { sessionId: string },
) {
	const key = await signingKey(deps, project.id, options.keys, project.refreshTtl * 1000);
	const iat = Math.floor(deps.now() / 1000);
	const exp = iat + project.sessionTtl;
	const claims: JWTPayload = {
		iss: options.issuer,
		sub: user.id,
		iat,
		sid: options.sessionId,
		drn: "DS",
		amr: options.amr,
		...authorizationClaims(user),
		...(options.tenant ? { dct: options.tenant } : {}),
		...clientClaimsClaim(options.clientClaims),
	};
	return { jwt: await sign(key, claims, exp), claims: { ...claims, exp }, exp, key };
}

/** Opens a refresh session in the user's session object and signs both tokens. */
export async function issueTokens(
	deps: Deps,
	project: Project,
	user: User,
	options: IssueOptions,
): Promise<IssuedTokens> {
	const now = deps.now();
	const sessionId = options.sessionId ?? randomToken(18);
	const refreshExpiration = Math.floor(now / 1000) + project.refreshTtl;
	if (!options.sessionId)
		await sessionsOf(deps.env, project.id, user.id).openSession(sessionId, now, refreshExpiration * 1000);
	const session = await signSessionJwt(deps, project, user, { ...options, sessionId });
	const refreshJwt = await sign(
		session.key,
		{
			iss: options.issuer,
			sub: user.id,
			iat: Math.floor(now / 1000),
			sid: sessionId,
			drn: "DSR",
			amr: options.amr,
			...(options.tenant ? { dct: options.tenant } : {}),
			// The sign-in's claims ride in the (signed) refresh JWT, so refreshes keep them.
			...clientClaimsClaim(options.clientClaims),
		},
		refreshExpiration,
	);
	return {
		sessionJwt: session.jwt,
		refreshJwt,
		sessionExpiration: session.exp,
		refreshExpiration,
		claims: session.claims,
		sessionId,
	};
}

/** The project id is the issuer's last or second-to-last path segment (or the whole issuer). */
function issuerMatches(iss: unknown, projectId: string) {
	if (typeof iss !== "string") return false;
	if (iss === projectId) return true;
	const parts = iss.split("/").filter(Boolean);
	return parts.at(-1) === projectId || parts.at(-2) === projectId;
}

/** Verifies a JWT of this project: published key, signature, expiry, issuer, and its kind. */
export async function verifyProjectJwt(
	keys: SigningKeyRow[],
	projectId: string,
	token: string,
	kind: "DS" | "DSR",
	now: number,
): Promise<JWTPayload & { sub: string; sid: string }> {
	const invalid = () =>
		new DomainError("unauthorized", `Invalid ${kind === "DSR" ? "refresh" : "session"} token`);
	let kid: string | undefined;
	try {
		kid = decodeProtectedHeader(token).kid;
	} catch {
		throw invalid();
	}
	const jwk = publishedKeys(keys, now).find((k) => k.kid === kid);
	if (!jwk) throw invalid();
	try {
		const { payload } = await jwtVerify(token, await importPublicKey(jwk), { currentDate: new Date(now) });
		if (!issuerMatches(payload.iss, projectId) || payload.drn !== kind || typeof payload.sub !== "string")
			throw invalid();
		if (typeof payload.sid !== "string") throw invalid();
		return payload as JWTPayload & { sub: string; sid: string };
	} catch (error) {
		if (error instanceof DomainError) throw error;
		throw invalid();
	}
}
