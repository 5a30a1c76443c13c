// Management keys as `management.managementKey` calls them (PUT create, PATCH update, load, search,
// delete) and the license handshake (docs/descope-compat.md, docs/management-keys.md).
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { ManagementKey } from "../../../domain/keys/keys.service";
import * as keys from "../../../domain/keys/keys.service";
import type { AppEnv } from "../../context";
import { empty, jsonBody, ok, optInt64, optString, optStrings } from "../schemas";

const wireKey = z
	.object({
		id: z.string(),
		name: z.string(),
		description: z.string(),
		status: z.enum(["active", "inactive"]),
		createdTime: z.number().int().openapi({ description: "Unix seconds" }),
		expireTime: z.number().int().openapi({ description: "Unix seconds; 0 = never" }),
		lastUsedTime: z.number().int().openapi({ description: "Unix seconds; 0 = never used" }),
		permittedIps: z.array(z.string()),
		reBac: z.record(z.string(), z.unknown()),
		readOnly: z.boolean().openapi({ description: "Every write is refused (403)" }),
		tenantIds: z
			.array(z.string())
			.openapi({ description: "Non-empty: the key sees and changes only these tenants and their members" }),
	})
	.openapi("ManagementKey");

// Scopes (docs/management-keys.md); absent on update = unchanged.
const scopeFields = {
	readOnly: z.boolean().nullish().openapi({ description: "Refuse every write made with this key" }),
	tenantIds: z.array(z.string().min(1)).nullish().openapi({
		description: "Bind the key to these tenants (each must exist); [] on update removes the binding",
	}),
};

const toWire = (key: ManagementKey): z.infer<typeof wireKey> => ({
	id: key.id,
	name: key.name,
	description: key.description,
	status: key.status,
	createdTime: Math.floor(key.createdAt / 1000),
	expireTime: key.expiresAt ? Math.floor(key.expiresAt / 1000) : 0,
	lastUsedTime: key.lastUsedAt ? Math.floor(key.lastUsedAt / 1000) : 0,
	permittedIps: key.permittedIps,
	reBac: key.reBac,
	readOnly: key.readOnly,
	tenantIds: key.tenantIds,
});

const create = createRoute({
	method: "put",
	path: "/v1/mgmt/managementkey",
	tags: ["management keys"],
	summary: "Create a management key; the cleartext is returned once and only its hash is stored",
	request: {
		body: jsonBody(
			z.object({
				name: z.string().min(1),
				description: optString,
				expiresIn: optInt64.openapi({ description: "Seconds from now; 0 or absent = never" }),
				permittedIps: optStrings,
				reBac: z.record(z.string(), z.unknown()).nullish(),
				...scopeFields,
			}),
		),
	},
	responses: ok(z.object({ key: wireKey, cleartext: z.string() })),
});
const update = createRoute({
	method: "patch",
	path: "/v1/mgmt/managementkey",
	tags: ["management keys"],
	summary: "Update a key's name, description, status, permitted IPs and scope",
	request: {
		body: jsonBody(
			z.object({
				id: z.string(),
				name: z.string().min(1),
				description: optString,
				status: z.enum(["active", "inactive"]).nullish(),
				permittedIps: optStrings,
				...scopeFields,
			}),
		),
	},
	responses: ok(z.object({ key: wireKey })),
});
const load = createRoute({
	method: "get",
	path: "/v1/mgmt/managementkey",
	tags: ["management keys"],
	summary: "Load a key",
	request: { query: z.object({ id: z.string() }) },
	responses: ok(z.object({ key: wireKey })),
});
const search = createRoute({
	method: "get",
	path: "/v1/mgmt/managementkey/search",
	tags: ["management keys"],
	summary: "List the project's keys",
	responses: ok(z.object({ keys: z.array(wireKey) })),
});
const remove = createRoute({
	method: "post",
	path: "/v1/mgmt/managementkey/delete",
	tags: ["management keys"],
	summary: "Delete keys by id; they stop working at once",
	request: { body: jsonBody(z.object({ ids: z.array(z.string()).min(1) })) },
	responses: ok(empty),
});
const license = createRoute({
	method: "get",
	path: "/v1/mgmt/license",
	tags: ["management keys"],
	summary: "License handshake the SDK makes at start-up",
	responses: ok(z.object({ rateLimitTier: z.string() })),
});

export function registerManagementKeyRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(create, async (c) => {
		const b = c.req.valid("json");
		const { key, cleartext } = await keys.createKey(c.var.deps, c.var.projectId, {
			name: b.name,
			description: b.description ?? undefined,
			expiresIn: b.expiresIn,
			permittedIps: b.permittedIps ?? undefined,
			reBac: b.reBac ?? undefined,
			readOnly: b.readOnly ?? undefined,
			tenantIds: b.tenantIds ?? undefined,
		});
		return c.json({ key: toWire(key), cleartext }, 200);
	});

	app.openapi(update, async (c) => {
		const b = c.req.valid("json");
		const key = await keys.updateKey(c.var.deps, c.var.projectId, b.id, {
			name: b.name,
			description: b.description ?? undefined,
			status: b.status ?? undefined,
			permittedIps: b.permittedIps ?? undefined,
			readOnly: b.readOnly ?? undefined,
			tenantIds: b.tenantIds ?? undefined,
		});
		return c.json({ key: toWire(key) }, 200);
	});

	app.openapi(load, async (c) => {
		const key = await keys.loadKey(c.var.deps, c.var.projectId, c.req.valid("query").id);
		return c.json({ key: toWire(key) }, 200);
	});

	app.openapi(search, async (c) => {
		const list = await keys.searchKeys(c.var.deps, c.var.projectId);
		return c.json({ keys: list.map(toWire) }, 200);
	});

	app.openapi(remove, async (c) => {
		await keys.deleteKeys(c.var.deps, c.var.projectId, c.req.valid("json").ids);
		return c.json({}, 200);
	});

	// The SDK reads a tier at construction; any truthy one keeps it quiet (docs/descope-compat.md).
	app.openapi(license, (c) => c.json({ rateLimitTier: "roster" }, 200));
}
