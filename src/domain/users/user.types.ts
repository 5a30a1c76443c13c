import type { UserStatus } from "../../db/schema";

export type { UserStatus };
export type AttributeValue = string | number | boolean | string[];

/** The domain's user, as every dialect reads it. Times are epoch ms. */
export interface User {
	id: string;
	projectId: string;
	loginIds: string[];
	name: string | null;
	givenName: string | null;
	middleName: string | null;
	familyName: string | null;
	email: string | null;
	phone: string | null;
	verifiedEmail: boolean;
	verifiedPhone: boolean;
	picture: string | null;
	status: UserStatus;
	test: boolean;
	customAttributes: Record<string, AttributeValue>;
	externalId: string | null;
	userFlags: string[];
	createdAt: number;
	modifiedAt: number;
	registrationTime: number | null;
	/** Epoch ms while failed sign-ins keep the user locked out. */
	lockedUntil: number | null;
	version: number;
	/** null: no password. */
	passwordState: "active" | "temporary" | "expired" | null;
	passkeyCount: number;
	lastSignInAt: number | null;
	/** Project-level providers (OAuth) the user has signed in through (docs/federation.md). */
	oauthProviders: string[];
	/** Signed in through a tenant's enterprise SSO (OIDC). */
	ssoLinked: boolean;
	/** Created by a SCIM connection (docs/scim.md). */
	scimProvisioned: boolean;
	/** Project-wide roles and the permissions they grant. */
	roleNames: string[];
	permissions: string[];
	tenants: { tenantId: string; tenantName: string; roleNames: string[]; permissions: string[] }[];
	ssoAppIds: string[];
}

/** Fields a caller may give when creating or overwriting a user; undefined = not given. */
export interface UserFields {
	loginId: string;
	additionalLoginIds?: string[];
	email?: string;
	phone?: string;
	name?: string;
	givenName?: string;
	middleName?: string;
	familyName?: string;
	picture?: string;
	verifiedEmail?: boolean;
	verifiedPhone?: boolean;
	customAttributes?: Record<string, unknown>;
	status?: UserStatus;
	test?: boolean;
	/** Epoch ms (imports may keep the original creation time). */
	createdAt?: number;
	/** An id in the caller's own system (null: none). */
	externalId?: string | null;
	/** Predefined flags (user-flags.ts). */
	userFlags?: string[];
	roleNames?: string[];
	userTenants?: { tenantId: string; roleNames?: string[] }[];
	ssoAppIds?: string[];
	/** A password already hashed (Roster's own or an imported format). */
	password?: { algorithm: string; hash: string; temporary?: boolean };
}

/**
 * A patch, the one neutral input of every dialect's partial update: undefined = not given, null =
 * clear (each dialect's mapper translates its own way of clearing, e.g. Descope's ""). Null
 * customAttributes values remove the attribute.
 */
export interface UserPatch {
	/** Renames the primary login id in place (the additional ones stay). */
	loginId?: string;
	email?: string | null;
	phone?: string | null;
	name?: string | null;
	givenName?: string | null;
	middleName?: string | null;
	familyName?: string | null;
	picture?: string | null;
	verifiedEmail?: boolean;
	verifiedPhone?: boolean;
	customAttributes?: Record<string, unknown>;
	status?: UserStatus;
	/**
	 * Registration seen on its own: true registers an invited user (→ enabled; a disabled user stays
	 * disabled), false makes the user invited again. `status`, when given, wins.
	 */
	registered?: boolean;
	additionalLoginIds?: string[];
	roleNames?: string[];
	userTenants?: { tenantId: string; roleNames?: string[] }[];
	ssoAppIds?: string[];
	externalId?: string | null;
	/** Replaces the set. */
	userFlags?: string[];
	/** Of the default profile: a BCP 47 language tag (RFC 5646), e.g. "en-US". */
	locale?: string | null;
	/** Of the default profile: an IANA time zone name, e.g. "Europe/Paris". */
	timeZone?: string | null;
}
