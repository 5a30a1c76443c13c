import { DomainError } from "../../domain/errors";
import type { User, UserFields, UserPatch } from "../../domain/users/user.types";
import { checkEmail } from "../../domain/users/user.validate";
import type { EnsuredAttribute } from "../../domain/users/users.shared";
import { checkPhoneQuiet } from "../../domain/users/users.shared";
import { ScimError } from "./errors";
import { versionTag } from "./etag";
import {
	ADDRESSES_ATTRIBUTE,
	CORE_USER_SCHEMA,
	EMAIL_TYPES_ATTRIBUTE,
	EMAIL_VALUES_ATTRIBUTE,
	ENTERPRISE_USER_SCHEMA,
	EXTERNAL_ID_ATTRIBUTE,
	EXTRA_ATTRIBUTES,
	PHONE_TYPES_ATTRIBUTE,
	PHONE_VALUES_ATTRIBUTE,
	PRIMARY_EMAIL_TYPE,
	PRIMARY_PHONE_TYPE,
} from "./extra-attributes";
import { field, isObject, scimBoolean, scimMeta } from "./resource";

// SCIM User (RFC 7643 §4.1, enterprise extension §4.3) <-> the domain's user. userName = the primary
// login id, displayName = name, name.* = given/middle/family name, active = status (invited counts
// as active), the primary email / phone = users.email / users.phone when valid (and, on a create,
// free); everything else with no column lives in custom attributes (extra-attributes.ts). Bodies
// are read leniently (keys in any case, "True"/"False" booleans, manager as a bare id), and every
// write is expressed as the difference between two states of the resource, so PUT and PATCH share
// one path and only what changed is written.

export const USER_MULTI_VALUED = [
	"emails",
	"phonenumbers",
	"addresses",
	"ims",
	"photos",
	"entitlements",
	"roles",
	"x509certificates",
	"groups",
];

/** A multi-valued element as kept: its value and type. */
interface Element {
	value: string;
	type: string;
}

/** The User resource as the mapper understands it: what a body says, or what a user holds. */
export interface ScimUserState {
	userName: string;
	displayName: string | null;
	givenName: string | null;
	middleName: string | null;
	familyName: string | null;
	/** null: not given (a create is active; a replace keeps the status). */
	active: boolean | null;
	/** Primary first. */
	emails: Element[];
	phones: Element[];
	addresses: Record<string, unknown>[];
	/** Custom attribute name -> value (null: absent). */
	extras: Record<string, string | null>;
}

const invalid = (detail: string) => new ScimError(400, detail, "invalidValue");

function text(value: unknown, label: string): string | null {
	if (value === undefined || value === null) return null;
	if (typeof value !== "string") throw invalid(`${label} must be a string, not ${JSON.stringify(value)}`);
	return value.trim() === "" ? null : value;
}

/** Emails / phoneNumbers: elements with a string value; the primary one (or the first) first. */
function elements(value: unknown, label: string): Element[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) throw invalid(`${label} must be an array of {"value", "type", "primary"}`);
	const out: (Element & { primary: boolean })[] = [];
	value.forEach((item, i) => {
		const at = `${label}[${i}]`;
		if (!isObject(item)) throw invalid(`${at} must be an object with a "value"`);
		const v = text(field(item, "value"), `${at}.value`);
		const type = text(field(item, "type"), `${at}.type`) ?? "";
		const rawPrimary = field(item, "primary");
		const primary =
			rawPrimary === undefined || rawPrimary === null ? false : scimBoolean(rawPrimary, `${at}.primary`);
		if (v !== null) out.push({ value: v, type, primary });
	});
	const first = out.findIndex((e) => e.primary);
	const ordered = first > 0 ? [out[first] as Element, ...out.filter((_, i) => i !== first)] : out;
	return ordered.map(({ value: v, type }) => ({ value: v, type }));
}

/** RFC 7643 §4.1.2 address sub-attributes, by their lower-cased names (PATCH paths come lower-cased). */
const ADDRESS_KEYS = new Map(
	["formatted", "streetAddress", "locality", "region", "postalCode", "country", "type", "primary"].map(
		(k) => [k.toLowerCase(), k],
	),
);

function addresses(value: unknown): Record<string, unknown>[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value) || value.some((a) => !isObject(a)))
		throw invalid("addresses must be an array of address objects");
	return (value as Record<string, unknown>[]).map((a) =>
		Object.fromEntries(Object.entries(a).map(([k, v]) => [ADDRESS_KEYS.get(k.toLowerCase()) ?? k, v])),
	);
}

/** manager: `{"value": "<id>"}` (RFC 7643 §4.3) or the bare id string Entra sends. */
function manager(value: unknown): string | null {
	if (value === undefined || value === null) return null;
	if (typeof value === "string") return value.trim() === "" ? null : value;
	if (isObject(value)) return text(field(value, "value"), "manager.value");
	throw invalid('manager must be {"value": "<manager id>"} or the id itself');
}

/**
 * A POST / PUT body (or a patched document) as a state. userName is required; `schemas`, when
 * given, must name the User schema; absent, the body is taken as a User all the same (lenient:
 * some clients leave it out). Unknown attributes are ignored (RFC 7644 §3.3 lets a provider).
 */
export function readUserBody(body: unknown): ScimUserState {
	if (!isObject(body)) throw new ScimError(400, "The body must be a User object", "invalidSyntax");
	const schemas = field(body, "schemas");
	if (schemas !== undefined && schemas !== null) {
		if (!Array.isArray(schemas) || schemas.some((s) => typeof s !== "string"))
			throw invalid("schemas must be an array of schema URNs");
		const known = [CORE_USER_SCHEMA.toLowerCase(), ENTERPRISE_USER_SCHEMA.toLowerCase()];
		if (schemas.length && !schemas.some((s) => known.includes(String(s).toLowerCase())))
			throw invalid(`schemas must list ${CORE_USER_SCHEMA}`);
	}
	const userName = text(field(body, "userName"), "userName");
	if (userName === null) throw invalid("userName is required");
	const name = field(body, "name");
	if (name !== undefined && name !== null && !isObject(name)) throw invalid("name must be an object");
	const nameOf = (sub: string) => (isObject(name) ? text(field(name, sub), `name.${sub}`) : null);
	const enterprise = field(body, ENTERPRISE_USER_SCHEMA);
	if (enterprise !== undefined && enterprise !== null && !isObject(enterprise))
		throw invalid(`${ENTERPRISE_USER_SCHEMA} must be an object`);
	const rawActive = field(body, "active");
	const extras: Record<string, string | null> = {};
	for (const a of EXTRA_ATTRIBUTES) {
		const holder = a.schema === ENTERPRISE_USER_SCHEMA ? enterprise : body;
		if (!isObject(holder)) {
			extras[a.customAttribute] = null;
			continue;
		}
		if (a.attr === "manager") extras[a.customAttribute] = manager(field(holder, "manager"));
		else if (a.sub) {
			const parent = field(holder, a.attr);
			extras[a.customAttribute] = isObject(parent) ? text(field(parent, a.sub), `${a.attr}.${a.sub}`) : null;
		} else extras[a.customAttribute] = text(field(holder, a.attr), a.attr);
	}
	if (EXTERNAL_ID_ATTRIBUTE) extras[EXTERNAL_ID_ATTRIBUTE] = text(field(body, "externalId"), "externalId");
	return {
		userName,
		displayName: text(field(body, "displayName"), "displayName"),
		givenName: nameOf("givenName"),
		middleName: nameOf("middleName"),
		familyName: nameOf("familyName"),
		active: rawActive === undefined || rawActive === null ? null : scimBoolean(rawActive, "active"),
		emails: elements(field(body, "emails"), "emails"),
		phones: elements(field(body, "phoneNumbers"), "phoneNumbers"),
		addresses: addresses(field(body, "addresses")),
		extras,
	};
}

// ------------------------------------------------------------------------------------ state -> domain

/** users.email: the primary email when it is an address the domain accepts. */
function columnEmail(state: ScimUserState): string | null {
	const primary = state.emails[0]?.value;
	if (!primary) return null;
	try {
		return checkEmail(primary) ?? null;
	} catch {
		return null;
	}
}

/** users.phone: the primary number when it is E.164. */
const columnPhone = (state: ScimUserState) =>
	state.phones[0] ? checkPhoneQuiet(state.phones[0].value) : null;

type AttributeValue = string | string[];

/** Every custom attribute the state keeps (absent ones null). */
function attributesOf(state: ScimUserState): Record<string, AttributeValue | null> {
	const list = (items: Element[], pick: (e: Element) => string) => (items.length ? items.map(pick) : null);
	return {
		...state.extras,
		[EMAIL_VALUES_ATTRIBUTE]: list(state.emails, (e) => e.value),
		[EMAIL_TYPES_ATTRIBUTE]: list(state.emails, (e) => e.type),
		[PHONE_VALUES_ATTRIBUTE]: list(state.phones, (e) => e.value),
		[PHONE_TYPES_ATTRIBUTE]: list(state.phones, (e) => e.type),
		[ADDRESSES_ATTRIBUTE]: state.addresses.length ? JSON.stringify(state.addresses) : null,
	};
}

/** The definitions a write of these values needs (string or array). */
function ensured(values: Record<string, unknown>): EnsuredAttribute[] {
	return Object.entries(values)
		.filter(([, v]) => v !== null && v !== undefined)
		.map(([name, v]) => ({ name, type: Array.isArray(v) ? "array" : "string" }));
}

/** The domain's create input for a new user (and the attributes it needs defined). */
export function toCreateInput(
	state: ScimUserState,
	tenantId: string | null,
): { input: UserFields; ensureAttributes: EnsuredAttribute[] } {
	const attributes = Object.fromEntries(Object.entries(attributesOf(state)).filter(([, v]) => v !== null));
	const input: UserFields = {
		loginId: state.userName,
		...(state.displayName !== null ? { name: state.displayName } : {}),
		...(state.givenName !== null ? { givenName: state.givenName } : {}),
		...(state.middleName !== null ? { middleName: state.middleName } : {}),
		...(state.familyName !== null ? { familyName: state.familyName } : {}),
		...(columnEmail(state) ? { email: columnEmail(state) as string } : {}),
		...(columnPhone(state) ? { phone: columnPhone(state) as string } : {}),
		status: state.active === false ? "disabled" : "enabled",
		customAttributes: attributes,
		...(tenantId ? { userTenants: [{ tenantId }] } : {}),
	};
	return { input, ensureAttributes: ensured(attributes) };
}

/**
 * What turns `before` (the user as the resource shows them) into `after`: only the differences,
 * null where a value goes. `status` is the user's current status (invited stays invited when active).
 */
export function toUserPatch(
	before: ScimUserState,
	after: ScimUserState,
	status: User["status"],
): { patch: UserPatch; ensureAttributes: EnsuredAttribute[] } {
	const patch: UserPatch = {};
	if (after.userName !== before.userName) patch.loginId = after.userName;
	if (after.displayName !== before.displayName) patch.name = after.displayName;
	if (after.givenName !== before.givenName) patch.givenName = after.givenName;
	if (after.middleName !== before.middleName) patch.middleName = after.middleName;
	if (after.familyName !== before.familyName) patch.familyName = after.familyName;
	if (columnEmail(after) !== columnEmail(before)) patch.email = columnEmail(after);
	if (columnPhone(after) !== columnPhone(before)) patch.phone = columnPhone(after);
	if (after.active === false && status !== "disabled") patch.status = "disabled";
	if (after.active === true && status === "disabled") patch.status = "enabled";
	const was = attributesOf(before);
	const now = attributesOf(after);
	const changed: Record<string, AttributeValue | null> = {};
	for (const [name, value] of Object.entries(now)) {
		if (JSON.stringify(value) !== JSON.stringify(was[name] ?? null)) changed[name] = value;
	}
	if (Object.keys(changed).length) patch.customAttributes = changed;
	return { patch, ensureAttributes: ensured(changed) };
}

// ------------------------------------------------------------------------------------ domain -> wire

const stringAttr = (user: User, name: string) => {
	const v = user.customAttributes[name];
	return typeof v === "string" && v !== "" ? v : undefined;
};

const stringList = (user: User, name: string) => {
	const v = user.customAttributes[name];
	return Array.isArray(v) ? v : undefined;
};

/** The elements shown: as sent when kept, else the column alone; the column's value always first. */
function shownElements(
	column: string | null,
	values: string[] | undefined,
	types: string[] | undefined,
	defaultType: string,
) {
	const list: Element[] = (values ?? []).map((value, i) => ({ value, type: types?.[i] ?? "" }));
	if (column && !list.some((e) => e.value.toLowerCase() === column.toLowerCase()))
		list.unshift({ value: column, type: defaultType });
	return list.map((e, i) => ({
		value: e.value,
		...(e.type ? { type: e.type } : {}),
		...(i === 0 ? { primary: true } : {}),
	}));
}

function parsedAddresses(user: User): unknown[] | undefined {
	const raw = stringAttr(user, ADDRESSES_ATTRIBUTE);
	if (!raw) return undefined;
	try {
		const parsed = JSON.parse(raw);
		return Array.isArray(parsed) ? parsed : undefined;
	} catch {
		return undefined;
	}
}

const compact = (obj: Record<string, unknown>) =>
	Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && v !== null));

/** The User resource; `base` is the absolute SCIM base URL (https://host/scim/v2). */
export function toScimUser(user: User, base: string): Record<string, unknown> {
	const core: Record<string, unknown> = {};
	const enterprise: Record<string, unknown> = {};
	for (const a of EXTRA_ATTRIBUTES) {
		const value = stringAttr(user, a.customAttribute);
		if (value === undefined || a.attr === "name") continue;
		if (a.schema === ENTERPRISE_USER_SCHEMA) enterprise[a.attr] = a.attr === "manager" ? { value } : value;
		else core[a.attr] = value;
	}
	const nameExtra = (sub: string) => {
		const a = EXTRA_ATTRIBUTES.find((x) => x.attr === "name" && x.sub === sub);
		return a ? stringAttr(user, a.customAttribute) : undefined;
	};
	const name = compact({
		formatted: nameExtra("formatted"),
		familyName: user.familyName,
		givenName: user.givenName,
		middleName: user.middleName,
		honorificPrefix: nameExtra("honorificPrefix"),
		honorificSuffix: nameExtra("honorificSuffix"),
	});
	const emails = shownElements(
		user.email,
		stringList(user, EMAIL_VALUES_ATTRIBUTE),
		stringList(user, EMAIL_TYPES_ATTRIBUTE),
		PRIMARY_EMAIL_TYPE,
	);
	const phones = shownElements(
		user.phone,
		stringList(user, PHONE_VALUES_ATTRIBUTE),
		stringList(user, PHONE_TYPES_ATTRIBUTE),
		PRIMARY_PHONE_TYPE,
	);
	const externalId = EXTERNAL_ID_ATTRIBUTE
		? stringAttr(user, EXTERNAL_ID_ATTRIBUTE)
		: (user.externalId ?? undefined);
	const hasEnterprise = Object.keys(enterprise).length > 0;
	const location = `${base}/Users/${user.id}`;
	return compact({
		schemas: hasEnterprise ? [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [CORE_USER_SCHEMA],
		id: user.id,
		externalId,
		userName: user.loginIds[0] ?? "",
		name: Object.keys(name).length ? name : undefined,
		displayName: user.name,
		...core,
		active: user.status !== "disabled",
		emails: emails.length ? emails : undefined,
		phoneNumbers: phones.length ? phones : undefined,
		addresses: parsedAddresses(user),
		[ENTERPRISE_USER_SCHEMA]: hasEnterprise ? enterprise : undefined,
		meta: scimMeta("User", location, user.createdAt, user.modifiedAt, versionTag(user.version)),
	});
}

/** The user as a state (what a PATCH starts from, what a PUT is compared with). */
export const stateOfUser = (user: User, base: string) => readUserBody(toScimUser(user, base));

// ------------------------------------------------------------------------------------ errors

/** Domain field names as the User resource names them. */
const DOMAIN_TERMS: Record<string, string> = {
	loginId: "userName",
	email: "emails",
	phone: "phoneNumbers",
	name: "displayName",
	givenName: "name.givenName",
	middleName: "name.middleName",
	familyName: "name.familyName",
};

function customAttributeTerm(name: string): string {
	if (EXTERNAL_ID_ATTRIBUTE && name === EXTERNAL_ID_ATTRIBUTE) return "externalId";
	if (name === EMAIL_VALUES_ATTRIBUTE || name === EMAIL_TYPES_ATTRIBUTE) return "emails";
	if (name === PHONE_VALUES_ATTRIBUTE || name === PHONE_TYPES_ATTRIBUTE) return "phoneNumbers";
	if (name === ADDRESSES_ATTRIBUTE) return "addresses";
	const a = EXTRA_ATTRIBUTES.find((x) => x.customAttribute === name);
	if (!a) return name;
	const attr = a.sub && a.attr !== "manager" ? `${a.attr}.${a.sub}` : a.attr;
	return a.schema === ENTERPRISE_USER_SCHEMA ? `${ENTERPRISE_USER_SCHEMA}:${attr}` : attr;
}

/** A domain refusal's message in the attribute names of the User resource (the error stays as it is). */
export function inUserTerms(error: unknown): unknown {
	if (!(error instanceof DomainError)) return error;
	// Only where a field is named: at the start of each "field: problem" part.
	error.message = error.message.replace(
		/(^|; )(customAttributes\.([A-Za-z_][\w-]*)|[A-Za-z]+)(?=[:[ ])/g,
		(_whole, lead: string, term: string, attribute: string | undefined) =>
			attribute ? `${lead}${customAttributeTerm(attribute)}` : `${lead}${DOMAIN_TERMS[term] ?? term}`,
	);
	return error;
}
