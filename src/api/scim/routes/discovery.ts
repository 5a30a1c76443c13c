// RFC 7644 §4: /ServiceProviderConfig (and the older name /serviceConfiguration), /ResourceTypes
// and /Schemas. They need the connection's key like every SCIM route (RFC 7644 §4 allows either):
// the same bearer Entra and Okta send anyway, one security declaration for the whole document,
// and a key bound to several tenants refused here too (docs/scim.md).
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../context";
import { publicOrigin } from "../../public-origin";
import { SCIM_MEDIA_TYPE, ScimError } from "../errors";
import { connectionTenant, SCIM_MAX_RESULTS } from "../groups-query";
import { listResponse, scimBase, scimJson } from "../resource";
import {
	RESOURCE_TYPE_SCHEMA,
	RESOURCE_TYPES,
	SCHEMA_SCHEMA,
	SCHEMAS,
	SCIM_PATH,
	serviceProviderConfig,
} from "../schemas";

const tags = ["discovery"];
const scimContent = (description: string, name: string) => ({
	description,
	content: { [SCIM_MEDIA_TYPE]: { schema: z.object({}).passthrough().openapi(name) } },
});
const severalTenants = { description: "A key bound to several tenants (a SCIM connection is one tenant)" };
const idParams = (example: string) =>
	z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example }) });

const configRoute = (path: string, operationId: string, summary: string) =>
	createRoute({
		method: "get",
		path: `${SCIM_PATH}${path}`,
		tags,
		operationId,
		summary,
		responses: {
			200: scimContent("The ServiceProviderConfig (RFC 7643 §5)", "ScimServiceProviderConfig"),
			403: severalTenants,
		},
	});

const config = configRoute(
	"/ServiceProviderConfig",
	"scimServiceProviderConfig",
	"What this service supports: patch, bulk (with its limits), filter, sort, etag",
);
const configAlias = configRoute(
	"/serviceConfiguration",
	"scimServiceConfiguration",
	"The ServiceProviderConfig under its older name, which Microsoft's validator reads",
);

const resourceTypes = createRoute({
	method: "get",
	path: `${SCIM_PATH}/ResourceTypes`,
	tags,
	operationId: "scimListResourceTypes",
	summary: "The resource types: User (with the enterprise extension) and Group",
	responses: {
		200: scimContent("A ListResponse of ResourceTypes", "ScimResourceTypeList"),
		403: severalTenants,
	},
});

const resourceType = createRoute({
	method: "get",
	path: `${SCIM_PATH}/ResourceTypes/{id}`,
	tags,
	operationId: "scimGetResourceType",
	summary: "One resource type: User or Group",
	request: { params: idParams("User") },
	responses: {
		200: scimContent("The ResourceType (RFC 7643 §6)", "ScimResourceType"),
		404: { description: "No such resource type" },
	},
});

const schemas = createRoute({
	method: "get",
	path: `${SCIM_PATH}/Schemas`,
	tags,
	operationId: "scimListSchemas",
	summary: "The schemas with the attributes Roster stores: core User, enterprise User, Group",
	responses: { 200: scimContent("A ListResponse of Schemas", "ScimSchemaList"), 403: severalTenants },
});

const schema = createRoute({
	method: "get",
	path: `${SCIM_PATH}/Schemas/{id}`,
	tags,
	operationId: "scimGetSchema",
	summary: "One schema, by its URN",
	request: { params: idParams("urn:ietf:params:scim:schemas:core:2.0:User") },
	responses: {
		200: scimContent("The Schema (RFC 7643 §7)", "ScimSchema"),
		404: { description: "No such schema" },
	},
});

const send = (c: Context, body: unknown) => scimJson(c, body);

const listOf = (resources: unknown[]) => listResponse(resources, resources.length, 1);

const withTypeMeta = (c: Context, t: (typeof RESOURCE_TYPES)[number]) => ({
	schemas: [RESOURCE_TYPE_SCHEMA],
	...t,
	meta: { resourceType: "ResourceType", location: `${scimBase(c)}/ResourceTypes/${t.id}` },
});

const withSchemaMeta = (c: Context, s: (typeof SCHEMAS)[number]) => ({
	schemas: [SCHEMA_SCHEMA],
	...s,
	meta: { resourceType: "Schema", location: `${scimBase(c)}/Schemas/${s.id}` },
});

export function registerDiscoveryRoutes(app: OpenAPIHono<AppEnv>) {
	const configHandler = (c: Context<AppEnv>) => {
		connectionTenant(c.var.deps);
		const docs = `${publicOrigin(c)}/docs/scim`;
		return send(c, {
			...serviceProviderConfig(SCIM_MAX_RESULTS, docs),
			meta: { resourceType: "ServiceProviderConfig", location: `${scimBase(c)}/ServiceProviderConfig` },
		});
	};
	app.openapi(config, configHandler);
	app.openapi(configAlias, configHandler);

	app.openapi(resourceTypes, (c) => {
		connectionTenant(c.var.deps);
		return send(c, listOf(RESOURCE_TYPES.map((t) => withTypeMeta(c, t))));
	});

	app.openapi(resourceType, (c) => {
		connectionTenant(c.var.deps);
		const id = c.req.valid("param").id;
		const found = RESOURCE_TYPES.find((t) => t.id.toLowerCase() === id.toLowerCase());
		if (!found) throw new ScimError(404, `No resource type "${id}" (User, Group)`);
		return send(c, withTypeMeta(c, found));
	});

	app.openapi(schemas, (c) => {
		connectionTenant(c.var.deps);
		return send(c, listOf(SCHEMAS.map((s) => withSchemaMeta(c, s))));
	});

	app.openapi(schema, (c) => {
		connectionTenant(c.var.deps);
		const id = c.req.valid("param").id;
		const found = SCHEMAS.find((s) => s.id.toLowerCase() === id.toLowerCase());
		if (!found) throw new ScimError(404, `No schema "${id}"`);
		return send(c, withSchemaMeta(c, found));
	});
}
