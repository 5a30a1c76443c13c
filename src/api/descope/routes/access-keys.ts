// Access keys as `management.accessKey` calls them (create, load, searchAll, update, activate,
// deactivate, delete and their batch forms, rotate) and `exchangeAccessKey`'s
// POST /v1/auth/accesskey/exchange (docs/access-keys.md, docs/descope-compat.md "Access keys").
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { exchangeAccessKey } from "../../../domain/keys/access-keys.exchange";
import * as accessKeys from "../../../domain/keys/access-keys.service";
import type { AppEnv } from "../../context";
import { withKeyFailureLimit } from "../../rate-limit";
import { requestInfo } from "../auth-endpoints";
import { customAttributesField, empty, jsonBody, ok, optInt64, optString, optStrings } from "../schemas";

const tags = ["access keys"];

const wireKey = z
	.object({
		id: z.string(),
		name: z.string(),
		roleNames: z.array(z.string()),
		keyTenants: z.array(
			z.object({ tenantId: z.string(), roleNames: z.array(z.string()), tenantName: z.string() }),
		),
		status: z.enum(["active", "inactive"]),
		createdTime: z.number().int().openapi({ description: "Unix seconds" }),
		expireTime: z.number().int().openapi({ description: "Unix seconds; 0 = never" }),
		createdBy: z.string().openapi({ description: "The id of the management key that created it" }),
		clientId: z.string().openapi({ description: "The key's id (Roster has no separate client id)" }),
		boundUserId: z.string(),
		customClaims: z.record(z.string(), z.unknown()),
		description: z.string(),
		permittedIps: z.array(z.string()),
		customAttributes: z.record(z.string(), z.unknown()),
		editable: z.boolean(),
	})
	.openapi("AccessKey");

const toWire = (key: accessKeys.AccessKey): z.infer<typeof wireKey> => ({
	id: key.id,
	name: key.name,
	roleNames: key.roleNames,
	keyTenants: key.keyTenants,
	status: key.status,
	createdTime: Math.floor(key.createdAt / 1000),
	expireTime: key.expiresAt === null ? 0 : Math.floor(key.expiresAt / 1000),
	createdBy: key.createdBy,
	clientId: key.id,
	boundUserId: key.boundUserId ?? "",
	customClaims: key.customClaims,
	description: key.description,
	permittedIps: key.permittedIps,
	customAttributes: key.customAttributes,
	editable: true,
});

const claimsField = z.record(z.string(), z.unknown()).nullish();
/** The fields create and update share; update overwrites each (absent = cleared). */
const editable = {
	name: z.string().min(1),
	description: optString,
	roleNames: optStrings.openapi({ description: "Project roles" }),
	keyTenants: z
		.array(z.object({ tenantId: z.string(), roleNames: optStrings }))
		.nullish()
		.openapi({ description: "Tenants and the key's roles in each" }),
	customClaims: claimsField.openapi({
		description: "Signed at the top level of every session JWT the key gets; reserved claims refused",
	}),
	permittedIps: optStrings.openapi({ description: "IP addresses and CIDR ranges; empty = any" }),
	customAttributes: customAttributesField,
};

const fieldsOf = (b: {
	name: string;
	description?: string | null;
	roleNames?: string[] | null;
	keyTenants?: { tenantId: string; roleNames?: string[] | null }[] | null;
	customClaims?: Record<string, unknown> | null;
	permittedIps?: string[] | null;
	customAttributes?: Record<string, unknown> | null;
}): accessKeys.AccessKeyFields => ({
	name: b.name,
	description: b.description ?? undefined,
	roleNames: b.roleNames ?? undefined,
	keyTenants: b.keyTenants?.map((t) => ({ tenantId: t.tenantId, roleNames: t.roleNames ?? undefined })),
	customClaims: b.customClaims ?? undefined,
	permittedIps: b.permittedIps ?? undefined,
	customAttributes: b.customAttributes ?? undefined,
});

const created = z.object({ key: wireKey, cleartext: z.string() });
const idBody = jsonBody(z.object({ id: z.string().min(1) }));
const idsBody = jsonBody(z.object({ ids: z.array(z.string().min(1)).min(1) }));

const create = createRoute({
	method: "post",
	path: "/v1/mgmt/accesskey/create",
	tags,
	summary: "Create an access key; the cleartext is returned once and only its hash is stored",
	request: {
		body: jsonBody(
			z.object({
				...editable,
				expireTime: optInt64.openapi({ description: "Unix seconds (number or int64 string); 0 = never" }),
				userId: optString.openapi({ description: "Bind the key to this user (must exist)" }),
			}),
		),
	},
	responses: ok(created),
});
const load = createRoute({
	method: "get",
	path: "/v1/mgmt/accesskey",
	tags,
	summary: "Load an access key",
	request: { query: z.object({ id: z.string().min(1) }) },
	responses: ok(z.object({ key: wireKey })),
});
const search = createRoute({
	method: "post",
	path: "/v1/mgmt/accesskey/search",
	tags,
	summary: "The project's access keys, newest first, filtered by tenants, bound user, creator, attributes",
	request: {
		body: jsonBody(
			z.object({
				tenantIds: optStrings.openapi({ description: "Keys in any of these tenants" }),
				boundUserId: optString,
				creatingUser: optString.openapi({ description: "The id of the management key that created it" }),
				customAttributes: customAttributesField,
			}),
		),
	},
	responses: ok(z.object({ keys: z.array(wireKey) })),
});
const update = createRoute({
	method: "post",
	path: "/v1/mgmt/accesskey/update",
	tags,
	summary: "Overwrite a key's name, description, roles, tenants, claims, IPs and attributes",
	request: { body: jsonBody(z.object({ id: z.string().min(1), ...editable })) },
	responses: ok(z.object({ key: wireKey })),
});
const rotate = createRoute({
	method: "post",
	path: "/v1/mgmt/accesskey/rotate",
	tags,
	summary: "A new cleartext for the same key; the previous one is refused at once",
	request: { body: idBody },
	responses: ok(created),
});

const statusRoutes = (["activate", "deactivate", "delete"] as const).flatMap((verb) => [
	{
		verb,
		batch: false,
		route: createRoute({
			method: "post",
			path: `/v1/mgmt/accesskey/${verb}`,
			tags,
			summary: `${verb[0]?.toUpperCase()}${verb.slice(1)} an access key`,
			request: { body: idBody },
			responses: ok(empty),
		}),
	},
	{
		verb,
		batch: true,
		route: createRoute({
			method: "post",
			path: `/v1/mgmt/accesskey/${verb}/batch`,
			tags,
			summary: `${verb[0]?.toUpperCase()}${verb.slice(1)} access keys by id; unknown ids are skipped`,
			request: { body: idsBody },
			responses: ok(empty),
		}),
	},
]);

const exchange = createRoute({
	method: "post",
	path: "/v1/auth/accesskey/exchange",
	tags,
	summary: "Exchange an access key (`Bearer <projectId>:<accessKey>`) for a session JWT",
	request: {
		body: {
			content: {
				"application/json": {
					schema: z.object({
						loginOptions: z
							.object({
								customClaims: claimsField.openapi({
									description: "Signed under the `nsec` claim, never at the top level; at most 4 KB of JSON",
								}),
								selectedTenant: optString.openapi({
									description: "One of the key's tenants: the JWT's `dct`",
								}),
							})
							.catchall(z.unknown())
							.nullish(),
					}),
				},
			},
			required: false,
		},
	},
	responses: ok(
		z
			.object({
				keyId: z.string(),
				sessionJwt: z.string(),
				expiration: z.number().int().openapi({ description: "Unix seconds: the JWT's exp" }),
			})
			.openapi("ExchangeAccessKeyResponse"),
	),
});

export function registerAccessKeyRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(create, async (c) => {
		const b = c.req.valid("json");
		const result = await accessKeys.createAccessKey(c.var.deps, c.var.projectId, {
			...fieldsOf(b),
			expireTime: b.expireTime,
			userId: b.userId ?? undefined,
		});
		return c.json({ key: toWire(result.key), cleartext: result.cleartext }, 200);
	});

	app.openapi(load, async (c) => {
		const key = await accessKeys.loadAccessKey(c.var.deps, c.var.projectId, c.req.valid("query").id);
		return c.json({ key: toWire(key) }, 200);
	});

	app.openapi(search, async (c) => {
		const b = c.req.valid("json");
		const keys = await accessKeys.searchAccessKeys(c.var.deps, c.var.projectId, {
			tenantIds: b.tenantIds ?? undefined,
			boundUserId: b.boundUserId ?? undefined,
			creatingUser: b.creatingUser ?? undefined,
			customAttributes: b.customAttributes ?? undefined,
		});
		return c.json({ keys: keys.map(toWire) }, 200);
	});

	app.openapi(update, async (c) => {
		const b = c.req.valid("json");
		const key = await accessKeys.updateAccessKey(c.var.deps, c.var.projectId, b.id, fieldsOf(b));
		return c.json({ key: toWire(key) }, 200);
	});

	app.openapi(rotate, async (c) => {
		const result = await accessKeys.rotateAccessKey(c.var.deps, c.var.projectId, c.req.valid("json").id);
		return c.json({ key: toWire(result.key), cleartext: result.cleartext }, 200);
	});

	for (const { verb, batch, route } of statusRoutes) {
		app.openapi(route, async (c) => {
			const body = c.req.valid("json") as { id?: string; ids?: string[] };
			const ids = batch ? (body.ids ?? []) : [body.id ?? ""];
			if (verb === "delete") await accessKeys.deleteAccessKeys(c.var.deps, c.var.projectId, ids, !batch);
			else
				await accessKeys.setAccessKeyStatus(
					c.var.deps,
					c.var.projectId,
					ids,
					verb === "activate" ? "active" : "inactive",
					!batch,
				);
			return c.json({}, 200);
		});
	}

	app.openapi(exchange, async (c) => {
		const options = c.req.valid("json")?.loginOptions;
		const info = requestInfo(c);
		// Failures count toward the per-address limit on failed key authentications (src/api/rate-limit.ts).
		const result = await withKeyFailureLimit(c, () =>
			exchangeAccessKey(
				c.var.deps,
				c.var.projectId,
				c.var.bearerToken,
				{
					customClaims: options?.customClaims ?? undefined,
					selectedTenant: options?.selectedTenant ?? undefined,
				},
				{ issuer: info.issuer, ip: info.ip || null },
			),
		);
		return c.json({ keyId: result.keyId, sessionJwt: result.sessionJwt, expiration: result.expiration }, 200);
	});
}
