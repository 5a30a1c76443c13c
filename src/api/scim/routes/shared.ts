// The OpenAPI pieces the Users and Groups routes share (RFC 7644 §3): bodies and answers as
// application/scim+json, the list query (§3.4.2), the id path parameter, the ETag and the
// If-Match / If-None-Match headers (§3.14), and the PatchOp body (§3.5.2).
import { createRoute, z } from "@hono/zod-openapi";
import { SCIM_MEDIA_TYPE } from "../errors";

export const scimContent = (schema: z.ZodTypeAny) => ({ [SCIM_MEDIA_TYPE]: { schema } });

/** A required application/scim+json request body. */
export const scimBody = (schema: z.ZodTypeAny) => ({ content: scimContent(schema), required: true });

// Error answers name only their description: the document profile gives them the ScimError body.
export const errorRef = (description: string) => ({ description });

export const idParams = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) });
export const ifMatchHeaders = z.object({ "if-match": z.string().optional() });
export const ifNoneMatchHeaders = z.object({ "if-none-match": z.string().optional() });
export const etagHeader = { ETag: { schema: { type: "string" as const }, description: 'W/"<version>"' } };

/** `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5). */
export const projectionQuery = (excludedDescription: string) => ({
	attributes: z.string().optional().openapi({ description: "Only these attributes (RFC 7644 §3.4.2.5)" }),
	excludedAttributes: z.string().optional().openapi({ description: excludedDescription }),
});

/** A list's query: filter, paging, sorting and projection (RFC 7644 §3.4.2). */
export const listQuery = (filterExample: string, excludedDescription: string) =>
	z.object({
		filter: z.string().optional().openapi({ example: filterExample }),
		startIndex: z.string().optional().openapi({ description: "1-based" }),
		count: z.string().optional(),
		sortBy: z.string().optional(),
		sortOrder: z.string().optional().openapi({ description: "ascending or descending" }),
		...projectionQuery(excludedDescription),
	});

/** The 200 of a list: a ListResponse of `resource`. */
export const listResponseContent = (resource: z.ZodTypeAny) =>
	scimContent(
		z.object({
			schemas: z.array(z.string()),
			totalResults: z.number(),
			startIndex: z.number(),
			itemsPerPage: z.number(),
			Resources: z.array(resource),
		}),
	);

/** The attributes every resource has (RFC 7643 §3.1), bar `meta`. */
export const commonAttributes = {
	schemas: z.array(z.string()),
	id: z.string(),
	externalId: z.string().optional(),
};

/** `meta` of a resource of `resourceType` (RFC 7643 §3.1). */
export const metaSchema = <T extends string>(resourceType: T) =>
	z.object({
		resourceType: z.literal(resourceType),
		created: z.string(),
		lastModified: z.string(),
		location: z.string(),
		version: z.string(),
	});

/** A PatchOp body, loose: patch.ts reads the operations. */
export const patchOpBody = (name: string) =>
	z
		.object({
			schemas: z.array(z.string()).optional(),
			Operations: z
				.array(
					z
						.object({ op: z.string(), path: z.string().optional(), value: z.unknown().optional() })
						.passthrough(),
				)
				.optional(),
		})
		.passthrough()
		.openapi(name);

/** How a resource's list and read operations are documented: its path, names and examples. */
export interface ResourceDoc {
	path: string;
	tags: string[];
	/** "User", "Group": in operation ids and summaries. */
	name: string;
	schema: z.ZodTypeAny;
	filterExample: string;
	excludedDescription: string;
	/** The 412's description: If-Match names another version. */
	staleDescription: string;
}

/** The list and read operations of a resource: GET <path> and GET <path>/{id}. */
export const listAndReadRoutes = (doc: ResourceDoc) => ({ list: listRoute(doc), read: readRoute(doc) });

/** GET <path>: the list with filter, paging, sorting and projection (RFC 7644 §3.4.2). */
const listRoute = (doc: ResourceDoc) =>
	createRoute({
		method: "get",
		path: doc.path,
		tags: doc.tags,
		operationId: `scimList${doc.name}s`,
		summary: `List the connection's ${doc.name.toLowerCase()}s, with filter, paging, sorting and projection`,
		request: { query: listQuery(doc.filterExample, doc.excludedDescription) },
		responses: {
			200: { description: "A ListResponse", content: listResponseContent(doc.schema) },
			400: errorRef(
				"The filter does not parse or names an attribute that cannot be filtered (invalidFilter)",
			),
		},
	});

/** GET <path>/{id}: one resource with its ETag; If-None-Match with its version answers 304. */
const readRoute = (doc: ResourceDoc) => {
	const lower = doc.name.toLowerCase();
	return createRoute({
		method: "get",
		path: `${doc.path}/{id}`,
		tags: doc.tags,
		operationId: `scimGet${doc.name}`,
		summary: `Get a ${lower}; If-None-Match with its version answers 304`,
		request: {
			params: idParams,
			query: z.object(projectionQuery(doc.excludedDescription)),
			headers: ifNoneMatchHeaders,
		},
		responses: {
			200: { description: `The ${lower}`, headers: etagHeader, content: scimContent(doc.schema) },
			304: { description: "Not modified" },
			404: errorRef(`No such ${lower} in this connection`),
		},
	});
};

/** DELETE <path>/{id}, guarded by If-Match; `deleted` describes the 204. */
export const removeRoute = (doc: ResourceDoc, summary: string, deleted: string) =>
	createRoute({
		method: "delete",
		path: `${doc.path}/{id}`,
		tags: doc.tags,
		operationId: `scimDelete${doc.name}`,
		summary,
		request: { params: idParams, headers: ifMatchHeaders },
		responses: {
			204: { description: deleted },
			404: errorRef(`No such ${doc.name.toLowerCase()} in this connection`),
			412: errorRef(doc.staleDescription),
		},
	});
