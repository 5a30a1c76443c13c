import { customAttributeTypes } from "../../db/schema";
import { isValidEmail } from "../../lib/email";
import { normalizeE164 } from "../../lib/phone";
import { DomainError, invalid, missing } from "../errors";
import type { AttributeDefinition } from "./custom-attributes.repo";
import type { AttributeValue } from "./user.types";

export const MAX_LOGIN_ID_LENGTH = 320;
export const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/;

/** Login ids compare case-insensitively (Unicode-aware, done here rather than in SQL's ASCII lower()). */
export const loginIdKey = (loginId: string) => loginId.toLowerCase();
// Matches SQLite's lower() (ASCII only), which the unique email index is built on.
export const emailKey = (email: string) => email.replace(/[A-Z]/g, (c) => c.toLowerCase());

export function checkLoginId(value: string | undefined, field: string): string {
	if (value === undefined) throw missing(field);
	const trimmed = value.trim();
	if (trimmed === "") throw new DomainError("missing_argument", `${field} is required`, field);
	if (trimmed.length > MAX_LOGIN_ID_LENGTH)
		throw invalid(field, `longer than ${MAX_LOGIN_ID_LENGTH} characters`);
	return trimmed;
}

/** Empty string clears (returns null); otherwise the email must be valid. */
export function checkEmail(value: string | undefined, field = "email"): string | null | undefined {
	if (value === undefined) return undefined;
	const trimmed = value.trim();
	if (trimmed === "") return null;
	if (!isValidEmail(trimmed)) throw invalid(field, `"${value}" is not a valid email address`);
	return trimmed;
}

/** Empty string clears (returns null); otherwise normalised to E.164. */
export function checkPhone(value: string | undefined, field = "phone"): string | null | undefined {
	if (value === undefined) return undefined;
	if (value.trim() === "") return null;
	const phone = normalizeE164(value);
	if (!phone)
		throw invalid(field, `"${value}" is not a valid phone number in E.164 format (e.g. +14155550100)`);
	return phone;
}

/** Optional text: undefined = not given, "" = clear (null). */
export const textOrNull = (value: string | undefined) =>
	value === undefined ? undefined : value.trim() === "" ? null : value;

function checkOneValue(def: AttributeDefinition, value: unknown, field: string): AttributeValue {
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
	return { set, remove };
}
