import { MAX_BODY_BYTES } from "../../domain/limits";
import { CORE_GROUP_SCHEMA, CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from "./extra-attributes";

// The discovery documents (RFC 7644 §4, RFC 7643 §5–§7) as data: what Roster stores of a User
// (core and enterprise) and of a Group, and what the service supports. docs/scim.md has the
// attribute mapping these describe.

/** The SCIM base path (app.ts SCIM_BASE; not imported from there, which imports the routes). */
export const SCIM_PATH = "/scim/v2";

export const SERVICE_PROVIDER_CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
export const RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
export const SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/**
 * Bulk limits (RFC 7644 §3.7.3), advertised in the ServiceProviderConfig and enforced by /Bulk.
 * Each operation is a call of the key (its rate limit counts it), so a full Bulk stays well inside
 * the standard 100 calls per 10 seconds (docs/management-keys.md, "Rate limits").
 */
export const BULK_MAX_OPERATIONS = 50;
/** The request body limit every route has (docs/security.md). */
export const BULK_MAX_PAYLOAD_BYTES = MAX_BODY_BYTES;

type AttributeType = "string" | "boolean" | "complex" | "dateTime" | "reference" | "integer";

export interface SchemaAttribute {
	name: string;
	type: AttributeType;
	multiValued: boolean;
	description: string;
	required: boolean;
	caseExact: boolean;
	mutability: "readOnly" | "readWrite" | "immutable" | "writeOnly";
	returned: "always" | "never" | "default" | "request";
	uniqueness: "none" | "server" | "global";
	subAttributes?: SchemaAttribute[];
	referenceTypes?: string[];
	canonicalValues?: string[];
}

interface Options {
	multiValued?: boolean;
	required?: boolean;
	caseExact?: boolean;
	mutability?: SchemaAttribute["mutability"];
	returned?: SchemaAttribute["returned"];
	uniqueness?: SchemaAttribute["uniqueness"];
	subAttributes?: SchemaAttribute[];
	referenceTypes?: string[];
	canonicalValues?: string[];
}

function attr(name: string, type: AttributeType, description: string, o: Options = {}): SchemaAttribute {
	return {
		name,
		type,
		multiValued: o.multiValued ?? false,
		description,
		required: o.required ?? false,
		caseExact: o.caseExact ?? false,
		mutability: o.mutability ?? "readWrite",
		returned: o.returned ?? "default",
		uniqueness: o.uniqueness ?? "none",
		...(o.subAttributes ? { subAttributes: o.subAttributes } : {}),
		...(o.referenceTypes ? { referenceTypes: o.referenceTypes } : {}),
		...(o.canonicalValues ? { canonicalValues: o.canonicalValues } : {}),
	};
}

const str = (name: string, description: string, o: Options = {}) => attr(name, "string", description, o);

/** value / type / primary / display of a multi-valued attribute (RFC 7643 §2.4). */
const multi = (name: string, description: string, valueDescription: string, types: string[]) =>
	attr(name, "complex", description, {
		multiValued: true,
		subAttributes: [
			str("value", valueDescription),
			str("display", "A human-readable name, for display only"),
			str("type", "A label for the value's function", { canonicalValues: types }),
			attr("primary", "boolean", "The primary value; the one Roster stores on the user"),
		],
	});

const memberRef = (description: string, types: string[], mutability: SchemaAttribute["mutability"]) =>
	attr("$ref", "reference", description, { referenceTypes: types, mutability });

const USER_ATTRIBUTES: SchemaAttribute[] = [
	str("userName", "The user's primary login id; unique in the project, compared case-insensitively", {
		required: true,
		uniqueness: "server",
	}),
	attr("name", "complex", "The components of the user's name", {
		subAttributes: [
			str("formatted", "The full name, formatted for display"),
			str("familyName", "Family name"),
			str("givenName", "Given name"),
			str("middleName", "Middle name"),
			str("honorificPrefix", "Honorific prefix (kept as a custom attribute)"),
			str("honorificSuffix", "Honorific suffix (kept as a custom attribute)"),
		],
	}),
	str("displayName", "The user's name"),
	str("nickName", "Casual name (kept as a custom attribute)"),
	attr("profileUrl", "reference", "Profile page (kept as a custom attribute)", {
		referenceTypes: ["external"],
	}),
	str("title", "Job title (kept as a custom attribute)"),
	str("userType", "Relationship to the organization (kept as a custom attribute)"),
	str("preferredLanguage", "Preferred language (kept as a custom attribute)"),
	str("locale", "Locale (kept as a custom attribute)"),
	str("timezone", "Time zone, IANA name (kept as a custom attribute)"),
	attr("active", "boolean", "true: the user is enabled (or invited); false: disabled, sessions ended"),
	multi("emails", "Email addresses; the primary one is the user's email", "An email address", [
		"work",
		"home",
		"other",
	]),
	multi("phoneNumbers", "Phone numbers; the primary one (E.164) is the user's phone", "A phone number", [
		"work",
		"home",
		"mobile",
		"fax",
		"pager",
		"other",
	]),
	attr(
		"groups",
		"complex",
		"The groups (roles of the connection's scope) the user is in; change them through /Groups",
		{
			multiValued: true,
			mutability: "readOnly",
			subAttributes: [
				str("value", "The group's id", { mutability: "readOnly" }),
				memberRef("The group's URI", ["Group"], "readOnly"),
				str("display", "The group's displayName", { mutability: "readOnly" }),
				str("type", "direct", { mutability: "readOnly", canonicalValues: ["direct"] }),
			],
		},
	),
];

const ENTERPRISE_ATTRIBUTES: SchemaAttribute[] = [
	str("employeeNumber", "Employee number (kept as a custom attribute)"),
	str("costCenter", "Cost center (kept as a custom attribute)"),
	str("organization", "Organization (kept as a custom attribute)"),
	str("division", "Division (kept as a custom attribute)"),
	str("department", "Department (kept as a custom attribute)"),
	attr("manager", "complex", "The user's manager (its id kept as the custom attribute manager)", {
		subAttributes: [
			str("value", "The manager's id"),
			memberRef("The manager's URI", ["User"], "readWrite"),
			str("displayName", "The manager's displayName", { mutability: "readOnly" }),
		],
	}),
];

const GROUP_ATTRIBUTES: SchemaAttribute[] = [
	str("displayName", "The role's name; unique in the connection's scope", {
		required: true,
		uniqueness: "server",
	}),
	attr("members", "complex", "The users holding the role in the connection's scope", {
		multiValued: true,
		subAttributes: [
			str("value", "The user's id", { mutability: "immutable" }),
			memberRef("The user's URI", ["User"], "immutable"),
			str("display", "The user's name", { mutability: "readOnly" }),
			str("type", "User", { mutability: "immutable", canonicalValues: ["User"] }),
		],
	}),
];

/** RFC 7643 §7: the schemas Roster serves, each with `meta` filled in by the route. */
export const SCHEMAS = [
	{ id: CORE_USER_SCHEMA, name: "User", description: "User Account", attributes: USER_ATTRIBUTES },
	{
		id: ENTERPRISE_USER_SCHEMA,
		name: "EnterpriseUser",
		description: "Enterprise User",
		attributes: ENTERPRISE_ATTRIBUTES,
	},
	{
		id: CORE_GROUP_SCHEMA,
		name: "Group",
		description: "Group: a role of the connection's scope",
		attributes: GROUP_ATTRIBUTES,
	},
] as const;

/** RFC 7643 §6. */
export const RESOURCE_TYPES = [
	{
		id: "User",
		name: "User",
		endpoint: "/Users",
		description: "User Account",
		schema: CORE_USER_SCHEMA,
		schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
	},
	{
		id: "Group",
		name: "Group",
		endpoint: "/Groups",
		description: "Group: a role of the connection's scope",
		schema: CORE_GROUP_SCHEMA,
		schemaExtensions: [],
	},
] as const;

/** RFC 7643 §5; `maxResults` is the list routes' page cap. */
export function serviceProviderConfig(maxResults: number, documentationUri: string) {
	return {
		schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
		documentationUri,
		patch: { supported: true },
		bulk: { supported: true, maxOperations: BULK_MAX_OPERATIONS, maxPayloadSize: BULK_MAX_PAYLOAD_BYTES },
		filter: { supported: true, maxResults },
		changePassword: { supported: false },
		sort: { supported: true },
		etag: { supported: true },
		authenticationSchemes: [
			{
				type: "oauthbearertoken",
				name: "Bearer token",
				description:
					"Authorization: Bearer <management key>; a key bound to one tenant provisions that tenant",
				specUri: "https://www.rfc-editor.org/rfc/rfc6750",
				documentationUri,
				primary: true,
			},
		],
	};
}
