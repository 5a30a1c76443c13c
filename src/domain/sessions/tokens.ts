import { decodeProtectedHeader, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { randomToken } from "../../lib/crypto";
import { sessionsOf } from "../../sessions/client";
import type { Deps } from "../deps";
import { DomainError } from "../errors";
import type { Project } from "../projects/projects.service";
import type { User } from "../users/user.types";
import {
	importPrivateKey,
	importPublicKey,
	publishedKeys,
	type SigningKeyRow,
	signingKey,
} from "./signing-keys";

// Session and refresh JWTs (wire contract §5.4). The refresh JWT names its session (`sid`) in
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
]);

export interface IssueOptions {
	issuer: string;
	amr: string[];
	/** The selected tenant (`dct`). */
	tenant?: string;
	customClaims?: Record<string, unknown>;
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

const withoutReserved = (claims: Record<string, unknown> | undefined) =>
	Object.fromEntries(Object.entries(claims ?? {}).filter(([k]) => !RESERVED_CLAIMS.has(k)));

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
		...withoutReserved(options.customClaims),
		iss: options.issuer,
		sub: user.id,
		iat,
		sid: options.sessionId,
		drn: "DS",
		amr: options.amr,
		...authorizationClaims(user),
		...(options.tenant ? { dct: options.tenant } : {}),
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
	const custom = withoutReserved(options.customClaims);
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
			// The sign-in's custom claims ride in the (signed) refresh JWT, so refreshes keep them.
			...(Object.keys(custom).length ? { ccl: custom } : {}),
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
