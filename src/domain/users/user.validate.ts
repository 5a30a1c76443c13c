import { customAttributeTypes } from "../../db/schema";
import { isValidEmail } from "../../lib/email";
import { normalizeE164, parseInternationalPhone } from "../../lib/phone";
import { DomainError, type DomainErrorCode, invalid, missing } from "../errors";
import {
	MAX_ATTRIBUTE_VALUE_BYTES,
	MAX_ATTRIBUTES_BYTES,
	MAX_EXTERNAL_ID_LENGTH,
	MAX_IDENTIFIER_LENGTH,
	MAX_LIST_ENTRIES,
	MAX_NAME_LENGTH,
	MAX_URL_LENGTH,
} from "../limits";
import type { AttributeDefinition } from "./custom-attributes.repo";
import {
	identifierCharacterProblem,
	identifierKey,
	isUserIdShaped,
	normalizeIdentifier,
	storedIdentifier,
} from "./identifiers";
import type { AttributeValue, UserFields, UserPatch } from "./user.types";
import { isUserFlag } from "./user-flags";

// The user field rules, one set for every dialect (docs/security.md, "User field limits").

export const MAX_LOGIN_ID_LENGTH = MAX_IDENTIFIER_LENGTH;
export const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/;

/** Login ids and emails compare by the identifier key (identifiers.ts). */
export const loginIdKey = identifierKey;
export const emailKey = identifierKey;

/** Characters (code points) beyond `max`: a message, else null. */
export function lengthProblem(value: string, max: number): string | null {
	if (value.length <= max) return null;
	if (value.length <= 2 * max && [...value].length <= max) return null;
	return `longer than ${max} characters`;
}

function checkLength(value: string, field: string, max: number) {
	const problem = lengthProblem(value, max);
	if (problem) throw invalid(field, problem);
	return value;
}

/** A login id: normalised (identifiers.ts), bounded, and never in the shape of a user id. */
export function loginIdProblem(value: string): string | null {
	if (isUserIdShaped(value)) {
		return 'has the shape of a user id ("U" and 27 letters or digits), and such a value always names a user by id; choose another login id';
	}
	return lengthProblem(value, MAX_IDENTIFIER_LENGTH);
}

export function checkLoginId(value: string | undefined, field: string): string {
	if (value === undefined) throw missing(field);
	const normalized = normalizeIdentifier(checkLength(value, field, 4 * MAX_IDENTIFIER_LENGTH), field);
	if (normalized === "") throw new DomainError("missing_argument", `${field} is required`, field);
	const problem = loginIdProblem(normalized);
	if (problem) throw invalid(field, problem);
	return normalized;
}

/** A list of login ids, each checked, none twice (by identifier key) among `others` and itself. */
export function checkLoginIds(values: string[], field: string, others: string[] = []): string[] {
	checkListLength(values, field);
	const checked = values.map((id, i) => checkLoginId(id, `${field}[${i}]`));
	const keys = [...others, ...checked].map(identifierKey);
	if (new Set(keys).size !== keys.length) throw invalid(field, "login ids must be unique");
	return checked;
}

/** The email in its stored form, or a message. */
export function emailProblem(value: string): string | null {
	const tooLong = lengthProblem(value, MAX_IDENTIFIER_LENGTH);
	if (tooLong) return tooLong;
	return isValidEmail(value) ? null : `"${value}" is not a valid email address`;
}

/** null clears; otherwise normalised (identifiers.ts) and valid ("" is not an address: null removes it). */
export function checkEmail(value: string | null | undefined, field = "email"): string | null | undefined {
	if (value === undefined || value === null) return value;
	const normalized = normalizeIdentifier(checkLength(value, field, 4 * MAX_IDENTIFIER_LENGTH), field);
	if (normalized === "") throw invalid(field, "must not be empty (null removes it)");
	const problem = emailProblem(normalized);
	if (problem) throw invalid(field, problem);
	return normalized;
}

/** An external id (v4) may become a login id, so it follows the login id rule, within its own bound. */
export function externalIdProblem(value: string): string | null {
	if (value === "") return "must not be empty (null removes it)";
	if (isUserIdShaped(value)) {
		return 'has the shape of a user id ("U" and 27 letters or digits); it may become the login id, and such a value always names a user by id';
	}
	return lengthProblem(value, MAX_EXTERNAL_ID_LENGTH);
}

export const nameProblem = (value: string) => lengthProblem(value, MAX_NAME_LENGTH);

export function checkListLength(values: unknown[], field: string) {
	if (values.length > MAX_LIST_ENTRIES) throw invalid(field, `at most ${MAX_LIST_ENTRIES} entries`);
}

/** Optional text: undefined = not given; null, or text that is only whitespace, clears (null). */
export const textOrNull = (value: string | null | undefined) =>
	value === undefined || value === null ? value : value.trim() === "" ? null : value;

/** A bounded text field: undefined = not given; null or blank clears. */
export const checkText = (value: string | null | undefined, field: string, max: number) =>
	value === undefined || value === null ? value : textOrNull(checkLength(value, field, max));

/** Names and the picture URL of a create, overwrite or patch (the fields each dialect maps to them). */
export function checkProfileText(
	input: Pick<UserPatch, "name" | "givenName" | "middleName" | "familyName" | "picture">,
) {
	return {
		name: checkText(input.name, "name", MAX_NAME_LENGTH),
		givenName: checkText(input.givenName, "givenName", MAX_NAME_LENGTH),
		middleName: checkText(input.middleName, "middleName", MAX_NAME_LENGTH),
		familyName: checkText(input.familyName, "familyName", MAX_NAME_LENGTH),
		picture: checkText(input.picture, "picture", MAX_URL_LENGTH),
	};
}

/**
 * The profile columns of a create or a full overwrite: every field not given is cleared, and a
 * verified flag holds only with its email or phone.
 */
export function profileColumns(
	input: Omit<UserFields, "loginId">,
	definitions: Map<string, AttributeDefinition>,
) {
	const text = checkProfileText(input);
	const email = checkEmail(input.email) ?? null;
	const phone = checkPhone(input.phone) ?? null;
	return {
		name: text.name ?? null,
		givenName: text.givenName ?? null,
		middleName: text.middleName ?? null,
		familyName: text.familyName ?? null,
		email,
		phone,
		verifiedEmail: email !== null && (input.verifiedEmail ?? false),
		verifiedPhone: phone !== null && (input.verifiedPhone ?? false),
		picture: text.picture ?? null,
		customAttributes: checkCustomAttributes(input.customAttributes ?? {}, definitions).set,
	};
}

/** The list fields of a create, overwrite or patch: roles, tenants (and their roles), applications. */
export function checkAssignmentLists(input: Pick<UserFields, "roleNames" | "userTenants" | "ssoAppIds">) {
	if (input.roleNames) checkListLength(input.roleNames, "roleNames");
	if (input.ssoAppIds) checkListLength(input.ssoAppIds, "ssoAppIds");
	if (input.userTenants) {
		checkListLength(input.userTenants, "userTenants");
		input.userTenants.forEach((t, i) => {
			if (t.roleNames) checkListLength(t.roleNames, `userTenants[${i}].roleNames`);
		});
	}
}

const jsonBytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

/** All of a user's custom attributes together (after a patch: what the user will hold). */
export function checkAttributesSize(values: Record<string, unknown>, field = "customAttributes") {
	if (jsonBytes(values) > MAX_ATTRIBUTES_BYTES) {
		throw invalid(field, `the custom attributes take more than ${MAX_ATTRIBUTES_BYTES} bytes serialized`);
	}
}

/** null clears; otherwise normalised to E.164 ("" is not a number: null removes it). */
export function checkPhone(value: string | null | undefined, field = "phone"): string | null | undefined {
	if (value === undefined || value === null) return value;
	if (value.trim() === "") throw invalid(field, "must not be empty (null removes it)");
	const phone = normalizeE164(value);
	if (!phone)
		throw invalid(field, `"${value}" is not a valid phone number in E.164 format (e.g. +14155550100)`);
	return phone;
}

function checkOneValue(def: AttributeDefinition, value: unknown, field: string): AttributeValue {
	if (jsonBytes(value) > MAX_ATTRIBUTE_VALUE_BYTES) {
		throw invalid(field, `longer than ${MAX_ATTRIBUTE_VALUE_BYTES} bytes serialized`);
	}
	const options = def.options.map((o) => o.value);
	switch (def.type) {
		case customAttributeTypes.string:
			if (typeof value !== "string") throw invalid(field, "expected a string");
			return value;
		case customAttributeTypes.number:
		case customAttributeTypes.date:
			if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(field, "expected a number");
			return value;
		case customAttributeTypes.boolean:
			if (typeof value !== "boolean") throw invalid(field, "expected a boolean");
			return value;
		case customAttributeTypes.singleSelect:
			if (typeof value !== "string") throw invalid(field, "expected a string");
			if (options.length > 0 && !options.includes(value)) {
				throw invalid(field, `"${value}" is not one of the options (${options.join(", ")})`);
			}
			return value;
		case customAttributeTypes.array: {
			if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
				throw invalid(field, "expected an array of strings");
			}
			const bad = options.length > 0 ? value.find((v) => !options.includes(v)) : undefined;
			if (bad !== undefined)
				throw invalid(field, `"${bad}" is not one of the options (${options.join(", ")})`);
			return value as string[];
		}
		default:
			throw invalid(field, `attribute type ${def.type} is unknown`);
	}
}

/**
 * Checks values against the project's definitions. Returns the values to set and the names to
 * remove (null values), so create can drop them and patch can remove them.
 */
export function checkCustomAttributes(
	values: Record<string, unknown>,
	definitions: Map<string, AttributeDefinition>,
	field = "customAttributes",
): { set: Record<string, AttributeValue>; remove: string[] } {
	const set: Record<string, AttributeValue> = {};
	const remove: string[] = [];
	for (const [name, value] of Object.entries(values)) {
		const def = definitions.get(name);
		if (!def) throw invalid(`${field}.${name}`, `custom attribute "${name}" is not defined in this project`);
		if (value === null) remove.push(name);
		else set[name] = checkOneValue(def, value, `${field}.${name}`);
	}
	checkAttributesSize(set, field);
	return { set, remove };
}

// ---------------------------------------------------------------- field problems of a whole input

/** A field of the neutral user input (user.types.ts); each dialect names it in its own terms. */
export type UserField =
	| "name"
	| "givenName"
	| "middleName"
	| "familyName"
	| "picture"
	| "email"
	| "phone"
	| "externalId"
	| "userFlags"
	| "registered"
	| "status"
	| "customAttributes"
	| "additionalLoginIds"
	| "roleNames"
	| "userTenants"
	| "ssoAppIds"
	| "verifiedEmail"
	| "verifiedPhone"
	| "locale"
	| "timeZone";

export interface FieldIssue {
	/** The domain field; `path` the rest of it (an attribute name, an element) when there is more. */
	field: UserField;
	path?: string;
	/** The element of a list field. */
	index?: number;
	code: string;
	message: string;
}

/** Every problem of one input at once; each dialect maps the fields to its own paths. */
export class FieldErrors extends DomainError {
	constructor(
		readonly issues: FieldIssue[],
		code: DomainErrorCode = "invalid_argument",
	) {
		super(
			code,
			issues.map((i) => `${issueLabel(i)}: ${i.message}`).join("; "),
			issues[0] && issueLabel(issues[0]),
		);
	}
}

/** The domain's name of an issue's place: `email`, `userFlags[2]`, `customAttributes.plan`. */
export const issueLabel = (i: FieldIssue) =>
	`${i.field}${i.index === undefined ? "" : `[${i.index}]`}${i.path === undefined ? "" : `.${i.path}`}`;

// Each returns a message when the value is invalid, else null (also used by the wire schemas).

export const emailInputProblem = (value: string) => {
	const stored = storedIdentifier(value);
	return identifierCharacterProblem(stored) ?? emailProblem(stored);
};

export const phoneProblem = (value: string) => {
	const parsed = parseInternationalPhone(value);
	return parsed.ok ? null : parsed.reason;
};

export function externalIdInputProblem(value: string) {
	const stored = storedIdentifier(value);
	return identifierCharacterProblem(stored) ?? externalIdProblem(stored);
}

export const flagProblem = (value: string) => (isUserFlag(value) ? null : `"${value}" is not a user flag`);

/** An external id of a create or patch: undefined = not given, null = clear ("" is refused). */
export function checkExternalId(value: string | null | undefined, field = "externalId") {
	if (value === undefined || value === null) return value;
	const stored = storedIdentifier(value);
	const problem = externalIdInputProblem(stored);
	if (problem) throw invalid(field, problem);
	return stored;
}

/** User flags of a create or patch: each predefined, the set without repeats. */
export function checkUserFlags(values: string[] | undefined, field = "userFlags") {
	if (values === undefined) return undefined;
	checkListLength(values, field);
	values.forEach((flag, i) => {
		const problem = flagProblem(flag);
		if (problem) throw invalid(`${field}[${i}]`, problem);
	});
	return [...new Set(values)];
}

/**
 * Runs the checks of one input and keeps every refusal, so an input with three bad fields is
 * answered with all three at once (FieldErrors), in every dialect.
 */
export class IssueCollector {
	readonly issues: FieldIssue[] = [];

	take<T>(check: () => T): T | undefined {
		try {
			return check();
		} catch (error) {
			if (
				!(error instanceof DomainError) ||
				(error.code !== "invalid_argument" && error.code !== "missing_argument")
			)
				throw error;
			this.issues.push(toIssue(error));
			return undefined;
		}
	}

	/** Throws every issue gathered so far. */
	throwIfAny() {
		if (this.issues.length) throw new FieldErrors(this.issues);
	}
}

/** `userFlags[2]` → field userFlags, index 2; `customAttributes.plan` → field customAttributes, path plan. */
function toIssue(error: DomainError): FieldIssue {
	const name = error.field ?? "";
	const m = /^([A-Za-z]+)(?:\[(\d+)\])?(?:\.(.+))?$/.exec(name);
	const field = (m?.[1] ?? name) as UserField;
	const message = error.message.startsWith(`${name}: `)
		? error.message.slice(name.length + 2)
		: error.message;
	const issue: FieldIssue = { field, code: issueCode(field, error.code, m?.[2] !== undefined), message };
	if (m?.[2] !== undefined) issue.index = Number(m[2]);
	if (m?.[3] !== undefined) issue.path = m[3];
	return issue;
}

/** `invalid_email`, `invalid_given_name`, `unknown_user_flag`, `too_many`, `required`. */
function issueCode(field: string, code: string, element: boolean): string {
	if (code === "missing_argument") return "required";
	if (field === "userFlags") return element ? "unknown_user_flag" : "too_many";
	return `invalid_${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
}

/** A BCP 47 language tag (RFC 5646, its common shape): "en", "en-US", "zh-Hant-TW"; null clears. */
export function checkLocale(value: string | null | undefined, field = "locale") {
	if (value === undefined || value === null) return value;
	if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,6}$/.test(value) || value.length > 35)
		throw invalid(field, `"${value.slice(0, 40)}" is not a BCP 47 language tag (e.g. en-US)`);
	return value;
}

/** An IANA time zone name the runtime knows ("Europe/Paris", "UTC"); null clears. */
export function checkTimeZone(value: string | null | undefined, field = "timeZone") {
	if (value === undefined || value === null) return value;
	if (value.length > 64) throw invalid(field, "longer than 64 characters");
	try {
		new Intl.DateTimeFormat("en", { timeZone: value });
	} catch {
		throw invalid(field, `"${value}" is not an IANA time zone name (e.g. Europe/Paris)`);
	}
	return value;
}
