import type { Deps } from "../../domain/deps";
import type { User } from "../../domain/users/user.types";
import {
	type ElementPredicate,
	queryUsers,
	type UserPredicate,
	type UserSortKey,
	type UserTextField,
} from "../../domain/users/users.query";
import { ScimError } from "./errors";
import {
	CORE_USER_SCHEMA,
	EMAIL_TYPES_ATTRIBUTE,
	EMAIL_VALUES_ATTRIBUTE,
	ENTERPRISE_USER_SCHEMA,
	EXTERNAL_ID_ATTRIBUTE,
	extraAttributeFor,
	PHONE_TYPES_ATTRIBUTE,
	PHONE_VALUES_ATTRIBUTE,
	PRIMARY_EMAIL_TYPE,
	PRIMARY_PHONE_TYPE,
} from "./extra-attributes";
import { type AttrPath, compareValue, printPath, type ScimFilter, type ScimValue } from "./filter";
import {
	connectionTenant,
	filterError,
	isDescending,
	pageWindow,
	SCIM_MAX_RESULTS,
	type ScimListQuery,
	textValue,
	timeValue,
} from "./groups-query";

// GET /Users: a SCIM filter (RFC 7644 §3.4.2.2) mapped onto the neutral user query
// (src/domain/users/users.query.ts). Users are the connection's users: a tenant-bound key's
// tenant members, or the project's users for a project-wide key. Attribute names are
// case-insensitive (the parser lower-cases them); an attribute with no mapping is a 400
// invalidFilter naming it.

export { SCIM_MAX_RESULTS, type ScimListQuery };

type Leaf = Exclude<ScimFilter, { op: "and" | "or" | "not" }>;

const TRUE: UserPredicate = { kind: "const", value: true };
const FALSE: UserPredicate = { kind: "const", value: false };

function and(...items: UserPredicate[]): UserPredicate {
	const kept = items.filter((i) => !(i.kind === "const" && i.value));
	if (kept.some((i) => i.kind === "const" && !i.value)) return FALSE;
	if (kept.length === 0) return TRUE;
	return kept.length === 1 ? (kept[0] as UserPredicate) : { kind: "and", items: kept };
}

function or(...items: UserPredicate[]): UserPredicate {
	const kept = items.filter((i) => !(i.kind === "const" && !i.value));
	if (kept.some((i) => i.kind === "const" && i.value)) return TRUE;
	if (kept.length === 0) return FALSE;
	return kept.length === 1 ? (kept[0] as UserPredicate) : { kind: "or", items: kept };
}

function not(item: UserPredicate): UserPredicate {
	if (item.kind === "const") return { kind: "const", value: !item.value };
	return item.kind === "not" ? item.item : { kind: "not", item };
}

const unsupported = (path: AttrPath) =>
	filterError(`attribute "${printPath(path)}" is not supported in User filters`);

/** A comparison on a text field: `eq null` is "absent", `ne null` "present". */
function text(field: UserTextField, f: Leaf): UserPredicate {
	if (f.op === "pr") return { kind: "text", field, op: "pr" };
	if (f.value === null) {
		const present: UserPredicate = { kind: "text", field, op: "pr" };
		return f.op === "ne" ? present : f.op === "eq" ? not(present) : FALSE;
	}
	return { kind: "text", field, op: f.op, value: textValue(f) };
}

function attribute(name: string, f: Leaf, caseExact = false): UserPredicate {
	if (f.op === "pr") return { kind: "attribute", name, op: "pr" };
	if (f.value === null) {
		const present: UserPredicate = { kind: "attribute", name, op: "pr" };
		return f.op === "ne" ? present : f.op === "eq" ? not(present) : FALSE;
	}
	return { kind: "attribute", name, op: f.op, value: textValue(f), caseExact };
}

/** A comparison with a value the resource always shows (meta.resourceType, a column email's type). */
const constant = (f: Leaf, shown: ScimValue): UserPredicate => ({
	kind: "const",
	value: f.op === "pr" ? shown !== null : compareValue(f.op, shown, f.value),
});

/**
 * Emails and phone numbers (src/api/scim/user-mapper.ts): every element is in an array custom
 * attribute (values, and their types at the same positions; the primary first), and the primary
 * one, when valid, in users.email / users.phone. A user written by another dialect has only the
 * column: one element {value, type: "work", primary: true}.
 */
interface ElementModel {
	field: UserTextField;
	/** The array custom attribute holding every value (the user mapper's copy, primary first). */
	values: string;
	/** The array of their types, at the same positions. */
	types: string;
	/** The type shown for the column's value when the user has no such array (other dialects). */
	type: string;
}
const ELEMENTS: Record<string, ElementModel> = {
	emails: {
		field: "email",
		values: EMAIL_VALUES_ATTRIBUTE,
		types: EMAIL_TYPES_ATTRIBUTE,
		type: PRIMARY_EMAIL_TYPE,
	},
	phonenumbers: {
		field: "phone",
		values: PHONE_VALUES_ATTRIBUTE,
		types: PHONE_TYPES_ATTRIBUTE,
		type: PRIMARY_PHONE_TYPE,
	},
};

/**
 * A comparison on any of the user's values: the column (the primary one, for users written by
 * any dialect) or an element of the array attribute. The array's text is compared as sent, so an
 * eq seeks the index with the value and its lower case.
 */
function anyValue(model: ElementModel, f: Leaf): UserPredicate {
	if (f.op === "ne") return not(anyValue(model, { ...f, op: "eq" }));
	const column = text(model.field, f);
	if (f.op !== "eq" || typeof f.value !== "string") return or(column, attribute(model.values, f));
	const variants = [...new Set([f.value, f.value.toLowerCase()])];
	return or(column, ...variants.map((v) => attribute(model.values, { ...f, value: v }, true)));
}

/** A value filter over one element of the array: value, type (the parallel array), primary (first). */
function onElement(model: ElementModel, f: ScimFilter, outer: AttrPath): ElementPredicate {
	switch (f.op) {
		case "and":
		case "or":
			return { kind: f.op, items: [onElement(model, f.left, outer), onElement(model, f.right, outer)] };
		case "not":
			return { kind: "not", item: onElement(model, f.filter, outer) };
		default: {
			if (f.path.schema || f.path.sub || f.path.valueFilter) throw unsupported(outer);
			const attr = f.path.attr;
			if (attr === "primary") {
				if (f.op === "pr") return { kind: "const", value: true };
				const first: ElementPredicate = { kind: "field", field: "position", op: "eq", value: 0 };
				const isTrue = compareValue("eq", true, f.value);
				if (!isTrue && !compareValue("eq", false, f.value))
					throw filterError(`primary compares with true or false`);
				if (f.op !== "eq" && f.op !== "ne") throw filterError(`primary compares with eq or ne`);
				return isTrue === (f.op === "eq") ? first : { kind: "not", item: first };
			}
			if (attr !== "value" && attr !== "type") throw unsupported(outer);
			if (f.op === "pr") return { kind: "field", field: attr, op: "pr" };
			if (f.value === null) {
				const present: ElementPredicate = { kind: "field", field: attr, op: "pr" };
				return f.op === "ne"
					? present
					: f.op === "eq"
						? { kind: "not", item: present }
						: { kind: "const", value: false };
			}
			const value = textValue(f);
			// As anyValue does: the value as sent or its lower case, so that the index it implies agrees.
			if (attr === "value" && f.op === "eq") {
				return {
					kind: "or",
					items: [...new Set([value, value.toLowerCase()])].map((v) => ({
						kind: "field" as const,
						field: "value",
						op: "eq" as const,
						value: v,
						caseExact: true,
					})),
				};
			}
			return { kind: "field", field: attr, op: f.op, value };
		}
	}
}

/** The same filter over the column's one element {value, type: model.type, primary: true}. */
function onColumn(model: ElementModel, f: ScimFilter, outer: AttrPath): UserPredicate {
	switch (f.op) {
		case "and":
			return and(onColumn(model, f.left, outer), onColumn(model, f.right, outer));
		case "or":
			return or(onColumn(model, f.left, outer), onColumn(model, f.right, outer));
		case "not":
			return not(onColumn(model, f.filter, outer));
		default:
			switch (f.path.attr) {
				case "value":
					return text(model.field, f);
				case "type":
					return constant(f, model.type);
				case "primary":
					return constant(f, true);
				default:
					throw unsupported(outer);
			}
	}
}

/** An indexed predicate that every user with an element matching `f` satisfies (TRUE if none). */
function implied(model: ElementModel, f: ScimFilter): UserPredicate {
	switch (f.op) {
		case "and":
			return and(implied(model, f.left), implied(model, f.right));
		case "or":
			return or(implied(model, f.left), implied(model, f.right));
		case "not":
			return TRUE;
		default:
			if (f.path.attr !== "value" || f.op === "pr" || f.op === "ne" || typeof f.value !== "string")
				return TRUE;
			return f.op === "eq" || f.op === "co" || f.op === "sw" || f.op === "ew" ? anyValue(model, f) : TRUE;
	}
}

/**
 * Some element of the user's emails (phone numbers) matches `f`: read per element from the
 * mapper's arrays, or from the column for a user who has none, narrowed by the index `f` implies.
 */
function someElement(model: ElementModel, f: ScimFilter, outer: AttrPath): UserPredicate {
	const element: UserPredicate = {
		kind: "element",
		name: model.values,
		parallel: { type: model.types },
		where: onElement(model, f, outer),
		absent: and({ kind: "text", field: model.field, op: "pr" }, onColumn(model, f, outer)),
	};
	return and(implied(model, f), element);
}

/** `emails…` / `phoneNumbers…` with or without a value filter and a sub-attribute. */
function elements(model: ElementModel, f: Leaf, path: AttrPath): UserPredicate {
	const sub = path.sub ?? "value";
	if (sub !== "value" && sub !== "type" && sub !== "primary") throw unsupported(path);
	if (!path.valueFilter) {
		// `emails.value op x`: any of the values; `emails.type ne x`: no element's type is x.
		if (sub === "value") return anyValue(model, f);
		if (f.op === "ne") return not(someElement(model, { ...f, op: "eq", path: { attr: sub } }, path));
		return someElement(model, { ...f, path: { attr: sub } }, path);
	}
	// `emails[…]` alone: such an element exists; `emails[…].sub op x`: one with that sub too.
	if (f.op === "pr" && !path.sub) return someElement(model, path.valueFilter, path);
	const own: ScimFilter = { ...f, path: { attr: sub } };
	return someElement(model, { op: "and", left: path.valueFilter, right: own }, path);
}

function active(f: Leaf): UserPredicate {
	if (f.op === "pr") return TRUE;
	const wanted =
		f.value === null
			? null
			: compareValue("eq", true, f.value)
				? true
				: compareValue("eq", false, f.value)
					? false
					: null;
	if (wanted === null || (f.op !== "eq" && f.op !== "ne")) {
		throw filterError(
			`active compares with eq or ne and true or false, not ${f.op} ${JSON.stringify(f.value)}`,
		);
	}
	const on = f.op === "eq" ? wanted : !wanted;
	// Invited users are active (they may sign in once invited); disabled ones are not.
	return { kind: "status", statuses: on ? ["enabled", "invited"] : ["disabled"] };
}

function time(field: "createdAt" | "modifiedAt", f: Leaf): UserPredicate {
	if (f.op === "pr") return TRUE;
	if (f.op === "co" || f.op === "sw" || f.op === "ew") {
		throw filterError(`${printPath(f.path)} is a dateTime: ${f.op} does not apply`);
	}
	return { kind: "time", field, op: f.op, value: timeValue(f) };
}

/** `groups eq "R…"`, `groups.value ne …`, `groups[value eq "R…"]`: holding the role in the connection's scope. */
function groups(tenantId: string, f: Leaf, path: AttrPath): UserPredicate {
	const inner = path.valueFilter;
	if (inner) {
		if (f.op !== "pr" || path.sub || inner.op !== "eq" || inner.path.attr !== "value" || inner.path.sub) {
			throw filterError(`${printPath(path)}: groups[…] supports value eq only`);
		}
		return { kind: "role", roleId: textValue(inner), tenantId };
	}
	if (f.op !== "eq" && f.op !== "ne") throw filterError(`${printPath(path)} supports eq and ne only`);
	const role: UserPredicate = { kind: "role", roleId: textValue(f), tenantId };
	return f.op === "eq" ? role : not(role);
}

const CORE = CORE_USER_SCHEMA.toLowerCase();
const ENTERPRISE = ENTERPRISE_USER_SCHEMA.toLowerCase();

function leaf(f: Leaf, tenantId: string): UserPredicate {
	const path = f.path;
	if (path.schema && path.schema !== CORE && path.schema !== ENTERPRISE) throw unsupported(path);
	const extra = extraAttributeFor(path);
	if (extra && !path.valueFilter) return attribute(extra.customAttribute, f);
	if (path.schema === ENTERPRISE) throw unsupported(path);
	const model = ELEMENTS[path.attr];
	if (model) return elements(model, f, path);
	if (path.attr === "groups") {
		if (path.sub && path.sub !== "value") throw unsupported(path);
		return groups(tenantId, f, path);
	}
	if (path.valueFilter) throw unsupported(path);
	switch (path.sub ? `${path.attr}.${path.sub}` : path.attr) {
		case "username":
			return text("loginId", f);
		case "id":
			return text("id", f);
		case "externalid":
			// caseExact (RFC 7643 §3.1): an eq seeks the attribute index.
			return EXTERNAL_ID_ATTRIBUTE ? attribute(EXTERNAL_ID_ATTRIBUTE, f, true) : text("externalId", f);
		case "displayname":
			return text("name", f);
		case "name.givenname":
			return text("givenName", f);
		case "name.middlename":
			return text("middleName", f);
		case "name.familyname":
			return text("familyName", f);
		case "active":
			return active(f);
		case "meta.created":
			return time("createdAt", f);
		case "meta.lastmodified":
			return time("modifiedAt", f);
		case "meta.resourcetype":
			return constant(f, "User");
		default:
			throw unsupported(path);
	}
}

/** The user predicate of a SCIM User filter; 400 invalidFilter naming an unsupported attribute. */
export function scimUserPredicate(f: ScimFilter, tenantId: string): UserPredicate {
	switch (f.op) {
		case "and":
			return and(scimUserPredicate(f.left, tenantId), scimUserPredicate(f.right, tenantId));
		case "or":
			return or(scimUserPredicate(f.left, tenantId), scimUserPredicate(f.right, tenantId));
		case "not":
			return not(scimUserPredicate(f.filter, tenantId));
		default:
			return leaf(f, tenantId);
	}
}

const SORT: Record<string, UserSortKey> = {
	username: "loginId",
	emails: "email",
	"emails.value": "email",
	displayname: "name",
	"name.givenname": "givenName",
	"name.familyname": "familyName",
	externalid: "externalId",
	active: "status",
	"meta.created": "createdAt",
	"meta.lastmodified": "modifiedAt",
};

function sortKey(path: AttrPath): UserSortKey {
	const schemaOk = !path.schema || path.schema === CORE;
	const sort =
		schemaOk && !path.valueFilter ? SORT[path.sub ? `${path.attr}.${path.sub}` : path.attr] : undefined;
	if (!sort) {
		throw new ScimError(
			400,
			`sortBy: "${printPath(path)}" cannot be sorted on (userName, emails, displayName, name.givenName, name.familyName, externalId, active, meta.created, meta.lastModified)`,
			"invalidValue",
		);
	}
	return sort;
}

/** One page of the connection's users with the exact total (one D1 round trip). */
export async function listScimUsers(
	deps: Deps,
	projectId: string,
	q: ScimListQuery,
): Promise<{ total: number; users: User[] }> {
	const tenantId = connectionTenant(deps);
	const { offset, limit } = pageWindow(q.startIndex, q.count, SCIM_MAX_RESULTS);
	return queryUsers(deps, projectId, {
		where: q.filter ? scimUserPredicate(q.filter, tenantId) : undefined,
		sort: q.sortBy ? { key: sortKey(q.sortBy), desc: isDescending(q.sortOrder) } : undefined,
		offset,
		limit,
	});
}
