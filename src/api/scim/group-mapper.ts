import type { MemberChange, MemberRef, ScopedRoleChange } from "../../domain/authz/roles.members";
import type { RoleRow } from "../../domain/authz/roles.query";
import { ScimError } from "./errors";
import { versionTag } from "./etag";
import { CORE_GROUP_SCHEMA } from "./extra-attributes";
import { type AttrPath, parseAttrPath, type ScimFilter } from "./filter";
import { readPatchOperations } from "./patch";
import { type ProjectionQuery, project } from "./projection";
import { field, isObject, type ScimMeta, scimMeta } from "./resource";

// SCIM Group (RFC 7643 §4.2) <-> a role of the connection's scope: displayName = role name,
// externalId = roles.external_id, members = the users holding the role in the scope, meta.version
// = W/"<roles.version>". PATCH (RFC 7644 §3.5.2) is read here into one set-based change: members
// added, removed, all removed or replaced, never a read-modify-write of the member list.

export interface ScimGroupMember {
	value: string;
	display: string;
	$ref: string;
	type: "User";
}

export interface ScimGroup {
	schemas: [typeof CORE_GROUP_SCHEMA];
	id: string;
	externalId?: string;
	displayName: string;
	members: ScimGroupMember[];
	meta: ScimMeta;
}

export const groupVersion = (role: Pick<RoleRow, "version">) => versionTag(role.version);

/** `base` is the absolute SCIM base URL (https://host/scim/v2). */
export function toScimGroup(role: RoleRow, base: string): ScimGroup {
	return {
		schemas: [CORE_GROUP_SCHEMA],
		id: role.id,
		...(role.externalId ? { externalId: role.externalId } : {}),
		displayName: role.name,
		members: (role.members ?? []).map((m) => ({
			value: m.userId,
			display: m.display,
			$ref: `${base}/Users/${m.userId}`,
			type: "User",
		})),
		meta: scimMeta(
			"Group",
			`${base}/Groups/${role.id}`,
			role.createdAt,
			role.modifiedAt ?? role.createdAt,
			groupVersion(role),
		),
	};
}

const invalidValue = (detail: string) => new ScimError(400, detail, "invalidValue");

function text(value: unknown, label: string, required: boolean): string | undefined {
	if (value === undefined || value === null) {
		if (required) throw invalidValue(`${label} is required`);
		return undefined;
	}
	if (typeof value !== "string") throw invalidValue(`${label} must be a string`);
	if (required && value.trim() === "") throw invalidValue(`${label} is required`);
	return value;
}

/** Longer than any id Roster makes, by far: refused before it reaches a query. */
const MAX_MEMBER_ID_LENGTH = 256;

function checkId(id: string, label: string): string {
	if (id.length > MAX_MEMBER_ID_LENGTH)
		throw invalidValue(`${label}: at most ${MAX_MEMBER_ID_LENGTH} characters`);
	return id;
}

/**
 * Members as sent: an array of `{value}` objects (or plain id strings, as some clients send), or
 * one of them. Anything else names its index.
 */
export function readMembers(value: unknown, label: string): MemberRef[] {
	if (value === undefined || value === null) return [];
	const items = Array.isArray(value) ? value : [value];
	return items.map((item, i) => {
		const at = Array.isArray(value) ? `${label}[${i}]` : label;
		if (typeof item === "string" && item !== "") return { userId: checkId(item, at), field: at };
		if (isObject(item)) {
			const id = field(item, "value");
			if (typeof id === "string" && id !== "")
				return { userId: checkId(id, `${at}.value`), field: `${at}.value` };
		}
		throw invalidValue(`${at}: a member is {"value": "<user id>"}`);
	});
}

/** POST and PUT bodies: displayName required; externalId and members optional. */
export function readGroupBody(body: unknown): {
	name: string;
	externalId: string | null;
	members: MemberRef[];
} {
	if (!isObject(body)) throw new ScimError(400, "The body must be a Group object", "invalidSyntax");
	const name = text(field(body, "displayName"), "displayName", true) as string;
	const externalId = text(field(body, "externalId"), "externalId", false) ?? null;
	return { name, externalId, members: readMembers(field(body, "members"), "members") };
}

// ------------------------------------------------------------------------------------ PATCH

type Target = "displayName" | "externalId" | "members" | "ignored";

/** The Group attribute a PATCH path names (schema prefix optional, case-insensitive). */
function targetOf(path: AttrPath, label: string): Target {
	if (path.schema && path.schema !== CORE_GROUP_SCHEMA.toLowerCase())
		throw new ScimError(400, `${label}: "${path.schema}" is not a Group schema`, "invalidPath");
	if (path.attr === "displayname" && !path.sub && !path.valueFilter) return "displayName";
	if (path.attr === "externalid" && !path.sub && !path.valueFilter) return "externalId";
	if (path.attr === "members") return "members";
	// Read-only attributes a client may echo back (RFC 7644 §3.5.2: ignored when unchanged).
	if (path.attr === "id" || path.attr === "meta" || path.attr === "schemas") return "ignored";
	throw new ScimError(400, `${label}: a Group has no attribute "${path.attr}"`, "invalidPath");
}

/** The user ids a members value filter names: `value eq "U…"`, joined by `or`. */
function filteredIds(f: ScimFilter, label: string): string[] {
	if (f.op === "or") return [...filteredIds(f.left, label), ...filteredIds(f.right, label)];
	if (f.op === "eq" && f.path.attr === "value" && !f.path.sub && typeof f.value === "string")
		return [f.value];
	throw new ScimError(400, `${label}: members[…] supports value eq "<id>" (joined by or)`, "invalidFilter");
}

/** Accumulates operations in order into one net change (RFC 7644 §3.5.2 applies them in sequence). */
class MemberSteps {
	reset = false;
	add = new Map<string, MemberRef>();
	remove = new Set<string>();
	touched = false;

	adding(refs: MemberRef[]) {
		this.touched = true;
		for (const r of refs) {
			this.remove.delete(r.userId);
			if (!this.add.has(r.userId)) this.add.set(r.userId, r);
		}
	}

	removing(ids: string[]) {
		this.touched = true;
		for (const id of ids) {
			this.add.delete(id);
			if (!this.reset) this.remove.add(id);
		}
	}

	clearing() {
		this.touched = true;
		this.reset = true;
		this.add.clear();
		this.remove.clear();
	}

	change(): MemberChange | undefined {
		if (!this.touched) return undefined;
		const add = [...this.add.values()];
		if (this.reset) return { kind: "set", members: add };
		return { kind: "delta", add, remove: [...this.remove] };
	}
}

/** A PatchOp body (any op case, as Entra sends them) as one change of the role. */
export function readGroupPatch(body: unknown): ScopedRoleChange {
	const out: ScopedRoleChange = {};
	const members = new MemberSteps();
	for (const { op, path, value, label } of readPatchOperations(body)) {
		if (path) {
			apply(out, members, op, targetOf(path, `${label}.path`), path, value, `${label}.value`);
			continue;
		}
		// No path: an object of attributes (Okta's rename: {"id": …, "displayName": …}).
		for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
			const target = targetOf(parseAttrPath(key), `${label}.value.${key}`);
			apply(out, members, op, target, undefined, v, `${label}.value.${key}`);
		}
	}
	const change = members.change();
	if (change) out.members = change;
	return out;
}

function apply(
	out: ScopedRoleChange,
	members: MemberSteps,
	op: "add" | "replace" | "remove",
	target: Target,
	path: AttrPath | undefined,
	value: unknown,
	label: string,
) {
	switch (target) {
		case "ignored":
			return;
		case "displayName":
			if (op === "remove") throw new ScimError(400, `${label}: displayName is required`, "mutability");
			out.name = text(value, label, true);
			return;
		case "externalId":
			out.externalId = op === "remove" ? null : (text(value, label, false) ?? null);
			return;
		case "members": {
			if (path?.valueFilter) {
				const ids = filteredIds(path.valueFilter, label.replace(/\.value$/, ".path"));
				// members[value eq "U…"].display and the like: derived, nothing to change.
				if (path.sub) return;
				if (op === "add") {
					throw new ScimError(400, `${label}: add to members takes the path "members"`, "invalidPath");
				}
				members.removing(ids);
				if (op === "replace") members.adding(readMembers(value, label));
				return;
			}
			if (path?.sub)
				throw new ScimError(400, `${label}: members.${path.sub} cannot be changed`, "invalidPath");
			if (op === "add") members.adding(readMembers(value, label));
			else if (op === "replace") {
				members.clearing();
				members.adding(readMembers(value, label));
			} else if (value === undefined || value === null) members.clearing();
			// remove with a value: those members only (Entra), not all.
			else members.removing(readMembers(value, label).map((m) => m.userId));
		}
	}
}

// ------------------------------------------------------------------------------------ projection

/** Whether a projection asks for the members (so a list read can leave them out). */
export function wantsMembers(q: ProjectionQuery): boolean {
	const names = (param: string | undefined) =>
		param === undefined || param.trim() === ""
			? undefined
			: param.split(",").map((n) => {
					const lower = n.trim().toLowerCase();
					const prefix = `${CORE_GROUP_SCHEMA.toLowerCase()}:`;
					return (lower.startsWith(prefix) ? lower.slice(prefix.length) : lower).split(/[.[]/)[0];
				});
	const only = names(q.attributes);
	if (only) return only.includes("members");
	return !(names(q.excludedAttributes) ?? []).includes("members");
}

/** `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5) on a Group; id, schemas and meta always stay. */
export const projectGroup = (group: ScimGroup, q: ProjectionQuery) =>
	project(group as unknown as Record<string, unknown>, q, { coreSchema: CORE_GROUP_SCHEMA });
