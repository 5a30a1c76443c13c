// A verified ID token's claims as a Roster user, through the provider's `userAttrMapping`
// (docs/federation.md, "Linking rules"). Unmapped fields use the OIDC standard claims (OIDC Core §5.1).
import type { FlowProvider } from "./flow.provider";
import type { AttributeMapping } from "./providers.types";

export interface FederatedIdentity {
	subject: string;
	/** With the provider's prefix. */
	loginId: string;
	email?: string;
	verifiedEmail: boolean;
	phone?: string;
	verifiedPhone: boolean;
	name?: string;
	givenName?: string;
	middleName?: string;
	familyName?: string;
	picture?: string;
	groups: string[];
	customAttributes: Record<string, unknown>;
}

const STANDARD: Required<Omit<AttributeMapping, "customAttributes" | "loginId">> = {
	name: "name",
	email: "email",
	username: "preferred_username",
	phoneNumber: "phone_number",
	givenName: "given_name",
	middleName: "middle_name",
	familyName: "family_name",
	picture: "picture",
	group: "groups",
	verifiedEmail: "email_verified",
	verifiedPhone: "phone_number_verified",
};

/** A claim by name; a dotted name reads a nested object (`address.country`). */
function claim(claims: Record<string, unknown>, name: string | undefined): unknown {
	if (!name) return undefined;
	if (name in claims) return claims[name];
	return name.split(".").reduce<unknown>((v, part) => {
		return v && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
	}, claims);
}

const text = (v: unknown) =>
	typeof v === "string" && v.trim() ? v.trim() : typeof v === "number" ? String(v) : undefined;
const truthy = (v: unknown) => v === true || v === "true";
const E164 = /^\+[1-9]\d{6,14}$/;

export function identityOf(provider: FlowProvider, claims: Record<string, unknown>): FederatedIdentity {
	const m = { ...STANDARD, ...provider.mapping };
	const subject = String(claims.sub);
	const email = text(claim(claims, m.email))?.toLowerCase();
	const phone = text(claim(claims, m.phoneNumber));
	const rawGroups = claim(claims, m.group);
	const groups = Array.isArray(rawGroups)
		? rawGroups.filter((g): g is string => typeof g === "string")
		: typeof rawGroups === "string"
			? [rawGroups]
			: [];
	// The login id: the mapped claim, else the email, else the subject; always under the provider's prefix.
	const base = text(claim(claims, provider.mapping.loginId)) ?? email ?? subject;
	const customAttributes: Record<string, unknown> = {};
	for (const [attribute, name] of Object.entries(provider.mapping.customAttributes ?? {})) {
		const value = claim(claims, name);
		if (value !== undefined && value !== null) customAttributes[attribute] = value;
	}
	return {
		subject,
		loginId: `${provider.prefix}${base}`,
		email,
		verifiedEmail: Boolean(email) && truthy(claim(claims, m.verifiedEmail)),
		phone: phone && E164.test(phone) ? phone : undefined,
		verifiedPhone: Boolean(phone) && truthy(claim(claims, m.verifiedPhone)),
		name: text(claim(claims, m.name)),
		givenName: text(claim(claims, m.givenName)),
		middleName: text(claim(claims, m.middleName)),
		familyName: text(claim(claims, m.familyName)),
		picture: text(claim(claims, m.picture)),
		groups,
		customAttributes,
	};
}

/** The role names the provider's group mapping gives these groups. */
export function mappedRoles(provider: FlowProvider, groups: string[]): string[] {
	const held = new Set(groups);
	return [
		...new Set(provider.roleMappings.filter((r) => r.groups.some((g) => held.has(g))).map((r) => r.roleName)),
	];
}
