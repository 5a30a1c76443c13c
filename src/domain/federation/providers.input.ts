// Checks of what a configure call gives the registry: each refusal names the field (400), nothing
// is stored. URLs follow providers.urls.ts.
import { DomainError, invalid } from "../errors";
import { checkCount, checkJsonValue, checkLength } from "../input-limits";
import { MAX_NAME_LENGTH } from "../limits";
import type { AttributeMapping, OidcSettings, RoleMapping } from "./providers.types";
import { checkLandingUrl, checkProviderUrl } from "./providers.urls";

export const PROVIDER_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
export const SSO_ID = /^[A-Za-z0-9_.-]{0,100}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const PROMPTS = ["none", "login", "consent", "select_account"];
const MAPPED_FIELDS = [
	"loginId",
	"name",
	"email",
	"username",
	"phoneNumber",
	"givenName",
	"middleName",
	"familyName",
	"picture",
	"group",
	"verifiedEmail",
	"verifiedPhone",
];
const DISCOVERY_SUFFIX = "/.well-known/openid-configuration";

export const emptySettings = (): OidcSettings => ({
	clientId: "",
	issuer: "",
	discoveryUrl: "",
	authUrl: "",
	tokenUrl: "",
	userDataUrl: "",
	JWKsUrl: "",
	scope: [],
	redirectUrl: "",
	prompt: [],
	grantType: "",
	callbackDomain: "",
	providerID: "",
	scimProviderID: "",
	manageProviderTokens: false,
	userAttrMapping: {},
	roleMappings: [],
});

function checkText(field: string, value: string, max = MAX_NAME_LENGTH) {
	checkLength(field, value, max);
	if (value.includes("\u0000")) throw invalid(field, "must not contain a NUL character (U+0000)");
	return value;
}

function checkMapping(mapping: AttributeMapping): AttributeMapping {
	checkJsonValue("userAttrMapping", mapping, 8192);
	const out: AttributeMapping = {};
	for (const [field, claim] of Object.entries(mapping)) {
		if (claim === undefined || claim === null || claim === "") continue;
		if (field === "customAttributes") {
			if (typeof claim !== "object" || Array.isArray(claim))
				throw invalid("userAttrMapping.customAttributes", "must be an object of claim names");
			const custom: Record<string, string> = {};
			for (const [attr, name] of Object.entries(claim as Record<string, unknown>)) {
				if (typeof name !== "string")
					throw invalid(`userAttrMapping.customAttributes.${attr}`, "must be a claim name");
				if (name) custom[attr] = checkText(`userAttrMapping.customAttributes.${attr}`, name);
			}
			out.customAttributes = custom;
		} else if (!MAPPED_FIELDS.includes(field)) {
			throw invalid(`userAttrMapping.${field}`, "is not a mapped user field");
		} else if (typeof claim !== "string") {
			throw invalid(`userAttrMapping.${field}`, "must be a claim name");
		} else {
			(out as Record<string, string>)[field] = checkText(`userAttrMapping.${field}`, claim);
		}
	}
	return out;
}

function checkRoleMappings(mappings: RoleMapping[]): RoleMapping[] {
	checkCount("roleMappings", mappings);
	return mappings.map((m, i) => {
		const roleName = typeof m?.roleName === "string" ? m.roleName.trim() : "";
		if (!roleName) throw invalid(`roleMappings[${i}].roleName`, "is required");
		checkText(`roleMappings[${i}].roleName`, roleName);
		const groups = Array.isArray(m.groups) ? m.groups : [];
		checkCount(`roleMappings[${i}].groups`, groups);
		for (const [j, g] of groups.entries())
			if (typeof g !== "string" || !g)
				throw invalid(`roleMappings[${i}].groups[${j}]`, "must be a group name");
			else checkText(`roleMappings[${i}].groups[${j}]`, g);
		return { roleName, groups: [...new Set(groups)] };
	});
}

/** Email domains, lower-cased and de-duplicated. */
export function checkDomains(domains: string[]): string[] {
	checkCount("domains", domains);
	return [
		...new Set(
			domains.map((d, i) => {
				const domain = typeof d === "string" ? d.trim().toLowerCase() : "";
				if (!DOMAIN.test(domain)) throw invalid(`domains[${i}]`, `"${d}" is not a domain name`);
				return domain;
			}),
		),
	];
}

export function checkPrefix(prefix: string): string {
	checkText("prefix", prefix, 64);
	if (/\s/.test(prefix)) throw invalid("prefix", "must not contain whitespace");
	return prefix;
}

export function checkName(name: string | undefined, field = "name"): string {
	const trimmed = name?.trim() ?? "";
	if (!trimmed) throw new DomainError("missing_argument", `${field} is required`, field);
	return checkText(field, trimmed);
}

/**
 * The settings as they will be stored: `given` over `base` (absent fields keep base's value), every
 * URL checked, the issuer derived from a discovery URL when only that is given.
 */
export function checkSettings(
	env: Env,
	base: OidcSettings,
	given: Partial<OidcSettings>,
	allowlist: string[],
): OidcSettings {
	const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined && v !== null));
	const s: OidcSettings = { ...base, ...defined };
	const textFields = ["clientId", "grantType", "callbackDomain", "providerID", "scimProviderID"] as const;
	for (const field of textFields) {
		if (typeof s[field] !== "string") throw invalid(field, "must be a string");
		s[field] = checkText(field, s[field].trim());
	}
	if (s.grantType && s.grantType !== "authorization_code")
		throw invalid("grantType", 'only "authorization_code" is supported');
	const urlFields = ["issuer", "discoveryUrl", "authUrl", "tokenUrl", "userDataUrl", "JWKsUrl"] as const;
	for (const field of urlFields) {
		if (typeof s[field] !== "string") throw invalid(field, "must be a string");
		s[field] = checkProviderUrl(env, field, s[field].trim());
	}
	if (s.discoveryUrl && !s.issuer) {
		if (!s.discoveryUrl.endsWith(DISCOVERY_SUFFIX))
			throw invalid("discoveryUrl", `must end with ${DISCOVERY_SUFFIX}, or give the issuer`);
		s.issuer = s.discoveryUrl.slice(0, -DISCOVERY_SUFFIX.length);
	}
	if (!Array.isArray(s.scope)) throw invalid("scope", "must be a list of scopes");
	checkCount("scope", s.scope);
	for (const [i, scope] of s.scope.entries())
		if (typeof scope !== "string" || !/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/.test(scope))
			throw invalid(`scope[${i}]`, "is not a scope token (RFC 6749 §3.3)");
	s.scope = [...new Set(s.scope)];
	if (!Array.isArray(s.prompt)) throw invalid("prompt", "must be a list");
	for (const [i, p] of s.prompt.entries())
		if (!PROMPTS.includes(p)) throw invalid(`prompt[${i}]`, `must be one of ${PROMPTS.join(", ")}`);
	if (typeof s.manageProviderTokens !== "boolean") throw invalid("manageProviderTokens", "must be a boolean");
	if (typeof s.userAttrMapping !== "object" || Array.isArray(s.userAttrMapping))
		throw invalid("userAttrMapping", "must be an object");
	s.userAttrMapping = checkMapping(s.userAttrMapping ?? {});
	if (!Array.isArray(s.roleMappings)) throw invalid("roleMappings", "must be a list");
	s.roleMappings = checkRoleMappings(s.roleMappings);
	if (typeof s.redirectUrl !== "string") throw invalid("redirectUrl", "must be a string");
	s.redirectUrl = checkLandingUrl("redirectUrl", s.redirectUrl.trim(), allowlist);
	return s;
}

/** Settings that can sign someone in: a client id and an issuer (the rest may come from discovery). */
export function requireUsable(s: OidcSettings) {
	if (!s.clientId) throw new DomainError("missing_argument", "clientId is required", "clientId");
	if (!s.issuer) throw new DomainError("missing_argument", "issuer (or discoveryUrl) is required", "issuer");
}
