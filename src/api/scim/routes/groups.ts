// RFC 7644 §3 over Groups (RFC 7643 §4.2): the roles of the connection's scope (docs/scim.md).
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
	changeScopedRole,
	createScopedRole,
	deleteScopedRole,
	getScopedRole,
} from "../../../domain/authz/roles.members";
import type { AppEnv } from "../../context";
import { ScimError } from "../errors";
import { ifMatchVersions, ifNoneMatchHits } from "../etag";
import { parseAttrPath, parseFilter } from "../filter";
import {
	groupVersion,
	projectGroup,
	readGroupBody,
	readGroupPatch,
	type ScimGroup,
	toScimGroup,
	wantsMembers,
} from "../group-mapper";
import { connectionTenant, listScimGroups } from "../groups-query";
import { listResponse, scimBase, scimJson } from "../resource";
import { SCIM_PATH } from "../schemas";
import {
	commonAttributes,
	errorRef,
	etagHeader,
	idParams,
	ifMatchHeaders,
	listAndReadRoutes,
	metaSchema,
	patchOpBody,
	projectionQuery,
	type ResourceDoc,
	removeRoute,
	scimBody,
	scimContent,
} from "./shared";

const PATH = `${SCIM_PATH}/Groups`;
const tags = ["groups"];

const groupSchema = z
	.object({
		...commonAttributes,
		displayName: z.string(),
		members: z
			.array(z.object({ value: z.string(), display: z.string(), $ref: z.string(), type: z.literal("User") }))
			.optional(),
		meta: metaSchema("Group"),
	})
	.openapi("ScimGroup");

const groupBody = z
	.object({
		schemas: z.array(z.string()).optional(),
		displayName: z.string().optional().openapi({ description: "Required: the role's name" }),
		externalId: z.string().optional(),
		members: z
			.array(z.unknown())
			.optional()
			.openapi({ description: 'Members: `{"value": "<user id>"}` (or the bare id)' }),
	})
	.passthrough()
	.openapi("ScimGroupInput");

const doc: ResourceDoc = {
	path: PATH,
	tags,
	name: "Group",
	schema: groupSchema,
	filterExample: 'displayName eq "Sales"',
	excludedDescription: "All but these, e.g. `members`",
	staleDescription: "If-Match does not match meta.version",
};
const { list, read } = listAndReadRoutes(doc);

const patchBody = patchOpBody("ScimPatchOp");
const projection = projectionQuery("All but these, e.g. `members`");
const notFound = errorRef("No such group in this connection");
const taken = errorRef("displayName or externalId taken in this scope");
const stale = errorRef(doc.staleDescription);

const create = createRoute({
	method: "post",
	path: PATH,
	tags,
	operationId: "scimCreateGroup",
	summary: "Create a group (a role of the connection's scope) with its members",
	request: { body: scimBody(groupBody), query: z.object(projection) },
	responses: {
		201: { description: "Created", headers: etagHeader, content: scimContent(groupSchema) },
		409: taken,
	},
});

const replace = createRoute({
	method: "put",
	path: `${PATH}/{id}`,
	tags,
	operationId: "scimReplaceGroup",
	summary: "Replace a group: displayName, externalId and members as given (members left out: none)",
	request: {
		params: idParams,
		body: scimBody(groupBody),
		headers: ifMatchHeaders,
		query: z.object(projection),
	},
	responses: {
		200: { description: "The group as replaced", headers: etagHeader, content: scimContent(groupSchema) },
		404: notFound,
		409: taken,
		412: stale,
	},
});

const patch = createRoute({
	method: "patch",
	path: `${PATH}/{id}`,
	tags,
	operationId: "scimPatchGroup",
	summary: "Change displayName or externalId; add, remove or replace members (RFC 7644 §3.5.2)",
	request: { params: idParams, body: scimBody(patchBody), headers: ifMatchHeaders },
	responses: {
		204: { description: "Changed (or nothing to change); ETag is the new version", headers: etagHeader },
		404: notFound,
		409: taken,
		412: stale,
	},
});

const remove = removeRoute(doc, "Delete a group; its members lose the role", "Deleted");

/** If-Match as the versions a write may apply at; undefined when any will do. */
const ifMatch = (c: Context) => ifMatchVersions(c.req.header("if-match"));

/** A number parameter as RFC 7644 §3.4.2.4 reads it: absent or not a number is the default. */
function numberParam(value: string | undefined, fallback: number): number {
	if (value === undefined || value.trim() === "") return fallback;
	const n = Number(value);
	if (!Number.isFinite(n)) throw new ScimError(400, `"${value}" is not a number`, "invalidValue");
	return n;
}

/** Default page size when `count` is absent (capped by listScimGroups). */
const DEFAULT_COUNT = 100;

/**
 * Reads a PUT or PATCH body; when it is malformed and the group is not in the connection, the
 * answer is the 404 (as it would be for a well-formed body): a bad body reveals nothing either way.
 */
async function readOr404<T>(c: Context<AppEnv>, tenantId: string, id: string, read: () => T): Promise<T> {
	try {
		return read();
	} catch (error) {
		if (error instanceof ScimError && error.status === 400)
			await getScopedRole(c.var.deps, c.var.projectId, tenantId, id);
		throw error;
	}
}

export function registerGroupRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(list, async (c) => {
		const q = c.req.valid("query");
		const startIndex = Math.max(1, Math.floor(numberParam(q.startIndex, 1)));
		const { total, groups } = await listScimGroups(c.var.deps, c.var.projectId, {
			filter: q.filter ? parseFilter(q.filter) : undefined,
			startIndex,
			count: numberParam(q.count, DEFAULT_COUNT),
			sortBy: q.sortBy ? parseAttrPath(q.sortBy) : undefined,
			sortOrder: q.sortOrder,
			withMembers: wantsMembers(q),
		});
		const resources = groups.map((g) => projectGroup(withoutMembers(toScimGroup(g, scimBase(c)), g), q));
		return scimJson(c, listResponse(resources, total, startIndex));
	});

	app.openapi(read, async (c) => {
		const tenantId = connectionTenant(c.var.deps);
		const role = await getScopedRole(c.var.deps, c.var.projectId, tenantId, c.req.valid("param").id);
		const etag = groupVersion(role);
		if (ifNoneMatchHits(c.req.header("if-none-match"), role.version))
			return c.body(null, 304, { ETag: etag });
		return scimJson(c, projectGroup(toScimGroup(role, scimBase(c)), c.req.valid("query")), 200, {
			ETag: etag,
		});
	});

	app.openapi(create, async (c) => {
		const tenantId = connectionTenant(c.var.deps);
		const input = readGroupBody(c.req.valid("json"));
		const role = await createScopedRole(c.var.deps, c.var.projectId, tenantId, input);
		const group = toScimGroup(role, scimBase(c));
		return scimJson(c, projectGroup(group, c.req.valid("query")), 201, {
			ETag: group.meta.version,
			Location: group.meta.location,
		});
	});

	app.openapi(replace, async (c) => {
		const tenantId = connectionTenant(c.var.deps);
		const id = c.req.valid("param").id;
		const input = await readOr404(c, tenantId, id, () => readGroupBody(c.req.valid("json")));
		const role = await changeScopedRole(c.var.deps, c.var.projectId, tenantId, id, {
			name: input.name,
			externalId: input.externalId,
			members: { kind: "set", members: input.members },
			expectVersions: ifMatch(c),
		});
		const group = toScimGroup(role, scimBase(c));
		return scimJson(c, projectGroup(group, c.req.valid("query")), 200, { ETag: group.meta.version });
	});

	app.openapi(patch, async (c) => {
		const tenantId = connectionTenant(c.var.deps);
		const id = c.req.valid("param").id;
		const change = await readOr404(c, tenantId, id, () => readGroupPatch(c.req.valid("json")));
		const role = await changeScopedRole(c.var.deps, c.var.projectId, tenantId, id, {
			...change,
			expectVersions: ifMatch(c),
		});
		return c.body(null, 204, { ETag: groupVersion(role) });
	});

	app.openapi(remove, async (c) => {
		const tenantId = connectionTenant(c.var.deps);
		await deleteScopedRole(c.var.deps, c.var.projectId, tenantId, c.req.valid("param").id, ifMatch(c));
		return c.body(null, 204);
	});
}

/** A list read without members leaves them out of the resource rather than showing none. */
function withoutMembers(group: ScimGroup, row: { members?: unknown }): ScimGroup {
	if (row.members !== undefined) return group;
	const { members: _, ...rest } = group;
	return rest as ScimGroup;
}
