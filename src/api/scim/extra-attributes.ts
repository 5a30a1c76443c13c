import type { AttrPath } from "./filter";

// Where SCIM User attributes with no column of their own live: in custom attributes (one string
// definition each, created by the write that first needs it). The user mapper writes them here,
// the list query filters on them, docs/scim.md lists them. Also how the user's one email and one
// phone are shown, so that a filter like `emails[type eq "work"].value` agrees with the resource.

export const CORE_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const CORE_GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";

export interface ExtraAttribute {
	/** The schema the attribute belongs to. */
	schema: typeof CORE_USER_SCHEMA | typeof ENTERPRISE_USER_SCHEMA;
	/** Attribute and sub-attribute, as RFC 7643 spells them. */
	attr: string;
	sub?: string;
	/** The custom attribute holding the value (a string). */
	customAttribute: string;
}

export const EXTRA_ATTRIBUTES: readonly ExtraAttribute[] = [
	{ schema: CORE_USER_SCHEMA, attr: "nickName", customAttribute: "nickName" },
	{ schema: CORE_USER_SCHEMA, attr: "title", customAttribute: "title" },
	{ schema: CORE_USER_SCHEMA, attr: "userType", customAttribute: "userType" },
	{ schema: CORE_USER_SCHEMA, attr: "profileUrl", customAttribute: "profileUrl" },
	{ schema: CORE_USER_SCHEMA, attr: "preferredLanguage", customAttribute: "preferredLanguage" },
	{ schema: CORE_USER_SCHEMA, attr: "locale", customAttribute: "locale" },
	{ schema: CORE_USER_SCHEMA, attr: "timezone", customAttribute: "timezone" },
	{ schema: CORE_USER_SCHEMA, attr: "name", sub: "formatted", customAttribute: "formattedName" },
	{ schema: CORE_USER_SCHEMA, attr: "name", sub: "honorificPrefix", customAttribute: "honorificPrefix" },
	{ schema: CORE_USER_SCHEMA, attr: "name", sub: "honorificSuffix", customAttribute: "honorificSuffix" },
	{ schema: ENTERPRISE_USER_SCHEMA, attr: "employeeNumber", customAttribute: "employeeNumber" },
	{ schema: ENTERPRISE_USER_SCHEMA, attr: "costCenter", customAttribute: "costCenter" },
	{ schema: ENTERPRISE_USER_SCHEMA, attr: "organization", customAttribute: "organization" },
	{ schema: ENTERPRISE_USER_SCHEMA, attr: "division", customAttribute: "division" },
	{ schema: ENTERPRISE_USER_SCHEMA, attr: "department", customAttribute: "department" },
	// The manager's id (RFC 7643 §4.3: manager.value); a bare string manager is the same value.
	{ schema: ENTERPRISE_USER_SCHEMA, attr: "manager", sub: "value", customAttribute: "manager" },
];

/** The `type` (and `primary: true`) the user's email and phone number are shown with. */
export const PRIMARY_EMAIL_TYPE = "work";
export const PRIMARY_PHONE_TYPE = "work";

/**
 * Where SCIM `externalId` is kept: null for the users.external_id column, else the name of the
 * custom attribute holding it (the column is unique per project; RFC 7643 §3.1 asks no uniqueness).
 */
// A custom attribute: Microsoft's validator provisions several users with one externalId.
export const EXTERNAL_ID_ATTRIBUTE: string | null = "scimExternalId";

/**
 * Every email and phone number as sent (users.email / users.phone hold the primary one when it is
 * a valid, free address / E.164 number): values in order, the primary first, and their types
 * ("" for none) at the same positions. Array custom attributes, so each value is indexed.
 */
export const EMAIL_VALUES_ATTRIBUTE = "emails";
export const EMAIL_TYPES_ATTRIBUTE = "emailTypes";
export const PHONE_VALUES_ATTRIBUTE = "phoneNumbers";
export const PHONE_TYPES_ATTRIBUTE = "phoneNumberTypes";
/** The `addresses` as sent, one JSON string (not filterable). */
export const ADDRESSES_ATTRIBUTE = "addresses";

/** The extra attribute a parsed path names (schema optional, names case-insensitive), if any. */
export function extraAttributeFor(
	path: Pick<AttrPath, "schema" | "attr" | "sub">,
): ExtraAttribute | undefined {
	return EXTRA_ATTRIBUTES.find(
		(a) =>
			(path.schema === undefined || path.schema === a.schema.toLowerCase()) &&
			a.attr.toLowerCase() === path.attr &&
			(a.sub?.toLowerCase() ?? undefined) ===
				// A bare `manager` names its value.
				(path.sub ?? (a.sub === "value" ? "value" : undefined)),
	);
}
