import { DomainError } from "../../domain/errors";
import type { User, UserFields, UserPatch } from "../../domain/users/user.types";
import type { ResponseUser } from "./schemas";

const seconds = (ms: number) => Math.floor(ms / 1000);
const str = (v: string | null | undefined) => v ?? "";
const given = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
/** For a create or overwrite: Descope's "" means "no value", which is not giving one. */
const text = (v: string | null | undefined) => (v === null || v === "" ? undefined : v);
/** For a patch: Descope clears with "" (null and absent mean "not given"); the domain clears with null. */
const clearing = (v: string | null | undefined) => (v === null ? undefined : v === "" ? null : v);

/** The domain user as Descope's ResponseUser: every field present (docs/descope-compat.md, `management.user.load`). */
export function toResponseUser(user: User): ResponseUser {
	return {
		loginIds: user.loginIds,
		userId: user.id,
		name: str(user.name),
		givenName: str(user.givenName),
		middleName: str(user.middleName),
		familyName: str(user.familyName),
		email: str(user.email),
		phone: str(user.phone),
		verifiedEmail: user.verifiedEmail,
		verifiedPhone: user.verifiedPhone,
		roleNames: user.roleNames,
		userTenants: user.tenants,
		status: user.status,
		externalIds: user.loginIds,
		picture: str(user.picture),
		test: user.test,
		customAttributes: user.customAttributes,
		createdTime: seconds(user.createdAt),
		TOTP: false,
		SAML: false,
		SCIM: user.scimProvisioned,
		OIDC: user.ssoLinked,
		OAuth: Object.fromEntries(user.oauthProviders.map((provider) => [provider, true])),
		webauthn: user.passkeyCount > 0,
		password: user.passwordState !== null,
		push: false,
		ssoAppIds: user.ssoAppIds,
		editable: true,
		permissions: user.permissions,
		consentExpiration: 0,
		recoveryEmail: "",
		recoveryPhone: "",
		verifiedRecoveryEmail: false,
		verifiedRecoveryPhone: false,
	};
}

/** What a failed batch item looked like, as a ResponseUser built from the request. */
export function inputAsResponseUser(input: Partial<UserFields>): ResponseUser {
	const loginIds = [input.loginId, ...(input.additionalLoginIds ?? [])].filter(
		(v): v is string => typeof v === "string",
	);
	return toResponseUser({
		id: "",
		projectId: "",
		loginIds,
		name: input.name ?? null,
		givenName: input.givenName ?? null,
		middleName: input.middleName ?? null,
		familyName: input.familyName ?? null,
		email: typeof input.email === "string" ? input.email : null,
		phone: typeof input.phone === "string" ? input.phone : null,
		verifiedEmail: input.verifiedEmail ?? false,
		verifiedPhone: input.verifiedPhone ?? false,
		picture: input.picture ?? null,
		status: input.status ?? "invited",
		test: input.test ?? false,
		customAttributes: {},
		externalId: null,
		userFlags: [],
		createdAt: input.createdAt ?? 0,
		modifiedAt: 0,
		registrationTime: null,
		lockedUntil: null,
		version: 0,
		passwordState: null,
		passkeyCount: 0,
		lastSignInAt: null,
		oauthProviders: [],
		ssoLinked: false,
		scimProvisioned: false,
		roleNames: input.roleNames ?? [],
		permissions: [],
		tenants: (input.userTenants ?? []).map((t) => ({
			tenantId: t.tenantId,
			tenantName: "",
			roleNames: t.roleNames ?? [],
			permissions: [],
		})),
		ssoAppIds: input.ssoAppIds ?? [],
	});
}

interface FieldsBody {
	loginId: string;
	email?: string | null;
	phone?: string | null;
	displayName?: string | null;
	name?: string | null;
	givenName?: string | null;
	middleName?: string | null;
	familyName?: string | null;
	roleNames?: string[] | null;
	userTenants?: { tenantId: string; roleNames?: string[] | null }[] | null;
	customAttributes?: Record<string, unknown> | null;
	picture?: string | null;
	verifiedEmail?: boolean | null;
	verifiedPhone?: boolean | null;
	additionalLoginIds?: string[] | null;
	additionalIdentifiers?: string[] | null;
	ssoAppIds?: string[] | null;
	status?: User["status"] | null;
	test?: boolean | null;
}

/** Request body → domain fields; null and absent are the same, as Descope treats them (docs/descope-compat.md). */
export function toUserFields(body: FieldsBody): UserFields {
	return {
		loginId: body.loginId,
		email: text(body.email),
		phone: text(body.phone),
		name: text(body.displayName) ?? text(body.name),
		givenName: text(body.givenName),
		middleName: text(body.middleName),
		familyName: text(body.familyName),
		roleNames: given(body.roleNames),
		userTenants: given(body.userTenants)?.map((t) => ({
			tenantId: t.tenantId,
			roleNames: given(t.roleNames),
		})),
		customAttributes: given(body.customAttributes),
		picture: text(body.picture),
		verifiedEmail: given(body.verifiedEmail),
		verifiedPhone: given(body.verifiedPhone),
		additionalLoginIds: given(body.additionalLoginIds) ?? given(body.additionalIdentifiers),
		ssoAppIds: given(body.ssoAppIds),
		status: given(body.status),
		test: given(body.test),
	};
}

/** Patch body → domain patch: only keys present (and not null) change; "" clears. */
export function toUserPatch(body: Omit<FieldsBody, "loginId">): UserPatch {
	const fields = toUserFields({ ...body, loginId: "" });
	return {
		email: clearing(body.email),
		phone: clearing(body.phone),
		name: body.displayName ? body.displayName : clearing(body.name ?? body.displayName),
		givenName: clearing(body.givenName),
		middleName: clearing(body.middleName),
		familyName: clearing(body.familyName),
		picture: clearing(body.picture),
		roleNames: fields.roleNames,
		userTenants: fields.userTenants,
		customAttributes: fields.customAttributes,
		verifiedEmail: fields.verifiedEmail,
		verifiedPhone: fields.verifiedPhone,
		additionalLoginIds: fields.additionalLoginIds,
		ssoAppIds: fields.ssoAppIds,
		status: fields.status,
	};
}

/** Descope's "" (or no value) for email or phone on the single-field updates: the domain's null. */
export const clearedValue = (v: string | null | undefined) =>
	v === undefined || v === null || v === "" ? null : v;

/** A domain message in the names of Descope's patch body, where additional login ids are `additionalIdentifiers`. */
export const inPatchTerms = (message: string) =>
	message.replace(/(^|; )additionalLoginIds\b/g, "$1additionalIdentifiers");

/** A refused patch, named as the patch body names its fields. */
export function patchError(error: unknown): unknown {
	if (!(error instanceof DomainError) || error.field === undefined) return error;
	const renamed = new DomainError(error.code, inPatchTerms(error.message), inPatchTerms(error.field));
	return renamed;
}
