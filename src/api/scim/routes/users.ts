// RFC 7644 §3 over Users (RFC 7643 §4.1 + the enterprise extension §4.3): the connection's users
// (docs/scim.md). A tenant-bound key's connection is its tenant: a create adds the membership, a
// delete takes the user out of the tenant (and deletes them when this connection created them and
// no other tenant holds them). A project-wide key's connection is the project.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Deps } from "../../../domain/deps";
import { DomainError } from "../../../domain/errors";
import { createUser } from "../../../domain/users/user.create";
import { deleteUserById } from "../../../domain/users/user.delete";
import { patchUser } from "../../../domain/users/user.patch";
import { deprovisionFromTenant, recordProvisioned } from "../../../domain/users/user.provisioning";
import { loadUserById } from "../../../domain/users/user.read";
import type { User } from "../../../domain/users/user.types";
import type { AppEnv } from "../../context";
import { ScimError } from "../errors";
import { ifMatchVersions, ifNoneMatchHits, versionTag } from "../etag";
import { CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from "../extra-attributes";
import { parseAttrPath, parseFilter } from "../filter";
import { connectionTenant } from "../groups-query";
import { applyPatch, type PatchSchema, readPatchOperations } from "../patch";
import { type ProjectionQuery, project } from "../projection";
import { listResponse, scimBase, scimEmpty, scimJson } from "../resource";
import {
	inUserTerms,
	readUserBody,
	stateOfUser,
	toCreateInput,
	toScimUser,
	toUserPatch,
	USER_MULTI_VALUED,
} from "../user-mapper";
import { listScimUsers, SCIM_MAX_RESULTS } from "../users-query";
import {
	commonAttributes,
	errorRef,
	etagHeader,
	idParams,
	ifMatchHeaders,
	listAndReadRoutes,
	metaSchema,
	patchOpBody,
	type ResourceDoc,
	removeRoute,
	scimBody,
	scimContent,
} from "./shared";

const PATH = "/scim/v2/Users";
const tags = ["users"];

const userSchema = z
	.object({
		...commonAttributes,
		userName: z.string(),
		name: z
			.object({
				formatted: z.string().optional(),
				familyName: z.string().optional(),
				givenName: z.string().optional(),
				middleName: z.string().optional(),
			})
			.passthrough()
			.optional(),
		displayName: z.string().optional(),
		active: z.boolean(),
		emails: z
			.array(z.object({ value: z.string(), type: z.string().optional(), primary: z.boolean().optional() }))
			.optional(),
		phoneNumbers: z
			.array(z.object({ value: z.string(), type: z.string().optional(), primary: z.boolean().optional() }))
			.optional(),
		meta: metaSchema("User"),
	})
	.passthrough()
	.openapi("ScimUser", {
		description: `A User (${CORE_USER_SCHEMA}), with the enterprise extension (${ENTERPRISE_USER_SCHEMA}) when it has values`,
	});

// Loose on purpose: the mapper reads bodies (any key case, "True" booleans, bare manager ids).
const userBody = z
	.object({
		schemas: z.array(z.string()).optional(),
		userName: z.unknown().optional().openapi({ description: "Required: the user's primary login id" }),
	})
	.passthrough()
	.openapi("ScimUserInput");

const doc: ResourceDoc = {
	path: PATH,
	tags,
	name: "User",
	schema: userSchema,
	filterExample: 'userName eq "ada@example.com"',
	excludedDescription: "All but these",
	staleDescription: "If-Match names another version (invalidVers)",
};
const { list, read } = listAndReadRoutes(doc);

const patchBody = patchOpBody("ScimUserPatchOp");
const notFound = errorRef("No such user in this connection");
const stale = errorRef(doc.staleDescription);
/** What PUT and PATCH answer: the whole user as written. */
const rewriteResponses = (description: string) => ({
	200: { description, headers: etagHeader, content: scimContent(userSchema) },
	404: notFound,
	409: errorRef("The userName (or the primary email) is another user's (uniqueness)"),
	412: stale,
});

const create = createRoute({
	method: "post",
	path: PATH,
	tags,
	operationId: "scimCreateUser",
	summary: "Create a user (a tenant-bound key: as a member of its tenant)",
	request: { body: scimBody(userBody) },
	responses: {
		201: { description: "Created", headers: etagHeader, content: scimContent(userSchema) },
		409: errorRef("The userName is taken, case-insensitively (uniqueness)"),
	},
});

const replace = createRoute({
	method: "put",
	path: `${PATH}/{id}`,
	tags,
	operationId: "scimReplaceUser",
	summary: "Replace a user: attributes left out are cleared",
	request: { params: idParams, headers: ifMatchHeaders, body: scimBody(userBody) },
	responses: rewriteResponses("The user as replaced"),
});

const patch = createRoute({
	method: "patch",
	path: `${PATH}/{id}`,
	tags,
	operationId: "scimPatchUser",
	summary: "Add, replace or remove attributes (RFC 7644 §3.5.2); answers the whole user",
	request: { params: idParams, headers: ifMatchHeaders, body: scimBody(patchBody) },
	responses: rewriteResponses("The user as patched"),
});

const remove = removeRoute(
	doc,
	"Delete a user (a tenant-bound key: take them out of its tenant, see docs/scim.md)",
	"Deleted (or removed from the tenant)",
);

const PATCH_SCHEMA: PatchSchema = {
	core: CORE_USER_SCHEMA,
	extensions: [ENTERPRISE_USER_SCHEMA],
	multiValued: USER_MULTI_VALUED,
};
const PROJECTION = { coreSchema: CORE_USER_SCHEMA };

/** Attempts of a write without If-Match when another write lands between its read and its batch. */
const ATTEMPTS = 3;

const notFoundError = (id: string) => new ScimError(404, `No user with id "${id}"`);

async function loadOrNotFound(deps: Deps, projectId: string, id: string) {
	try {
		return await loadUserById(deps, projectId, id);
	} catch (error) {
		if (error instanceof DomainError && error.code === "user_not_found") throw notFoundError(id);
		throw error;
	}
}

const answer = (c: Context<AppEnv>, user: User, status: 200 | 201, query: ProjectionQuery = {}) => {
	const resource = toScimUser(user, scimBase(c));
	const meta = resource.meta as { location: string };
	return scimJson(c, project(resource, query, PROJECTION), status, {
		ETag: versionTag(user.version),
		...(status === 201 ? { Location: meta.location } : {}),
	});
};

/**
 * Reads the user, computes the change and writes it guarded by the version read. With If-Match
 * the client's versions guard it (412 on a mismatch); without, a concurrent write makes it read
 * again and recompute, so neither write is lost.
 */
async function rewrite(
	deps: Deps,
	projectId: string,
	id: string,
	base: string,
	ifMatch: string | undefined,
	next: (current: Record<string, unknown>) => Record<string, unknown>,
): Promise<User> {
	const versions = ifMatchVersions(ifMatch);
	for (let attempt = 1; ; attempt++) {
		const user = await loadOrNotFound(deps, projectId, id);
		const before = stateOfUser(user, base);
		const after = readUserBody(next(toScimUser(user, base)));
		const { patch: change, ensureAttributes } = toUserPatch(before, after, user.status);
		try {
			return await patchUser(deps, projectId, user.id, change, {
				versions: versions ?? [user.version],
				ensureAttributes,
			});
		} catch (error) {
			const retry = !versions && attempt < ATTEMPTS;
			if (retry && error instanceof DomainError && error.code === "precondition_failed") continue;
			if (error instanceof DomainError && error.code === "user_not_found") throw notFoundError(id);
			throw inUserTerms(error);
		}
	}
}

export function registerUserRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(list, async (c) => {
		const q = c.req.valid("query");
		const deps = c.var.deps;
		connectionTenant(deps);
		const startIndex = q.startIndex === undefined ? 1 : Math.max(1, Math.floor(Number(q.startIndex)) || 1);
		const count = q.count === undefined ? SCIM_MAX_RESULTS : Number(q.count);
		if (q.count !== undefined && !Number.isFinite(count))
			throw new ScimError(400, `count must be a number, not "${q.count}"`, "invalidValue");
		const { total, users } = await listScimUsers(deps, c.var.projectId, {
			filter: q.filter?.trim() ? parseFilter(q.filter) : undefined,
			startIndex,
			count,
			sortBy: q.sortBy ? parseAttrPath(q.sortBy) : undefined,
			sortOrder: q.sortOrder,
		});
		const base = scimBase(c);
		return scimJson(
			c,
			listResponse(
				users.map((u) => project(toScimUser(u, base), q, PROJECTION)),
				total,
				startIndex,
			),
		);
	});

	app.openapi(read, async (c) => {
		const { id } = c.req.valid("param");
		const deps = c.var.deps;
		connectionTenant(deps);
		const user = await loadOrNotFound(deps, c.var.projectId, id);
		if (ifNoneMatchHits(c.req.header("if-none-match"), user.version))
			return scimEmpty(304, { ETag: versionTag(user.version) });
		return answer(c, user, 200, c.req.valid("query"));
	});

	app.openapi(create, async (c) => {
		const deps = c.var.deps;
		const projectId = c.var.projectId;
		const connection = connectionTenant(deps);
		const state = readUserBody(c.req.valid("json"));
		const { input, ensureAttributes } = toCreateInput(state, connection || null);
		// A userName held by any user of the project is a 409, also for a tenant-bound key: a tenant
		// connection never takes over an account it did not create (docs/scim.md).
		const user = await createUser(
			deps,
			projectId,
			input,
			"user.created",
			recordProvisioned(projectId, connection, deps.now()),
			{ ensureAttributes, contactIfFree: true },
		).catch((error) => {
			throw inUserTerms(error);
		});
		return answer(c, user, 201);
	});

	app.openapi(replace, async (c) => {
		const { id } = c.req.valid("param");
		const deps = c.var.deps;
		connectionTenant(deps);
		const replacement = c.req.valid("json") as Record<string, unknown>;
		const user = await rewrite(
			deps,
			c.var.projectId,
			id,
			scimBase(c),
			c.req.header("if-match"),
			() => replacement,
		);
		return answer(c, user, 200);
	});

	app.openapi(patch, async (c) => {
		const { id } = c.req.valid("param");
		const deps = c.var.deps;
		connectionTenant(deps);
		const operations = readPatchOperations(c.req.valid("json"));
		const user = await rewrite(deps, c.var.projectId, id, scimBase(c), c.req.header("if-match"), (doc) =>
			applyPatch(doc, operations, PATCH_SCHEMA),
		);
		return answer(c, user, 200);
	});

	app.openapi(remove, async (c) => {
		const { id } = c.req.valid("param");
		const deps = c.var.deps;
		const projectId = c.var.projectId;
		const connection = connectionTenant(deps);
		const versions = ifMatchVersions(c.req.header("if-match"));
		if (versions) {
			const user = await loadOrNotFound(deps, projectId, id);
			if (!versions.includes(user.version))
				throw new ScimError(412, `User ${id} is at version ${versionTag(user.version)}`, "invalidVers");
		}
		const done = connection
			? await deprovisionFromTenant(deps, projectId, id, connection)
			: await deleteUserById(deps, projectId, id, { versions });
		if (!done) throw notFoundError(id);
		return scimEmpty(204);
	});
}
