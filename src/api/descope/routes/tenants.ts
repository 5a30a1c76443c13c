// Tenants as `management.tenant` calls them (create, update, delete, load, loadAll, searchAll,
// updateDefaultRoles, getSettings, configureSettings); docs/descope-compat.md lists each route.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import * as tenants from "../../../domain/authz/tenants.service";
import { DomainError } from "../../../domain/errors";
import { attributeRecord } from "../../attribute-record";
import type { AppEnv } from "../../context";
import { empty, jsonBody, ok, optBool, optString, optStrings } from "../schemas";

export const wireTenant = z
	.object({
		id: z.string(),
		name: z.string(),
		selfProvisioningDomains: z.array(z.string()),
		customAttributes: z.record(z.string(), z.unknown()),
		authType: z.string(),
		domains: z.array(z.string()),
		createdTime: z.number().int(),
		disabled: z.boolean(),
		enforceSSO: z.boolean(),
		enforceSSOExclusions: z.array(z.string()),
		federatedAppIds: z.array(z.string()),
		parent: z.string(),
		successors: z.array(z.string()),
		defaultRoles: z.array(z.string()),
		roleInheritance: z.string(),
	})
	.openapi("Tenant");

export const toWire = (t: tenants.Tenant): z.infer<typeof wireTenant> => ({
	id: t.id,
	name: t.name,
	selfProvisioningDomains: t.selfProvisioningDomains,
	customAttributes: t.customAttributes,
	authType: typeof t.settings.authType === "string" ? t.settings.authType : "none",
	domains: Array.isArray(t.settings.domains) ? (t.settings.domains as string[]) : [],
	createdTime: Math.floor(t.createdAt / 1000),
	disabled: t.disabled,
	enforceSSO: t.enforceSso,
	enforceSSOExclusions: [],
	federatedAppIds: [],
	parent: t.parentId ?? "",
	successors: t.successors,
	defaultRoles: t.defaultRoles,
	roleInheritance: t.roleInheritance,
});

const fields = {
	name: z.string(),
	selfProvisioningDomains: optStrings,
	customAttributes: attributeRecord().nullish(),
	enforceSSO: optBool,
	disabled: optBool,
	roleInheritance: z.enum(["", "none", "userOnly"]).nullish(),
};
type Fields = z.infer<z.ZodObject<typeof fields>>;
const toInput = (b: Fields) => ({
	name: b.name,
	selfProvisioningDomains: b.selfProvisioningDomains ?? undefined,
	customAttributes: b.customAttributes ?? undefined,
	enforceSso: b.enforceSSO ?? undefined,
	disabled: b.disabled ?? undefined,
	roleInheritance: b.roleInheritance ?? undefined,
});

const tag = ["tenants"];
const create = createRoute({
	method: "post",
	path: "/v1/mgmt/tenant/create",
	tags: tag,
	summary: "Create a tenant (with the caller's id, or a generated one)",
	request: { body: jsonBody(z.object({ id: optString, parent: optString, ...fields })) },
	responses: ok(z.object({ id: z.string() })),
});
const update = createRoute({
	method: "post",
	path: "/v1/mgmt/tenant/update",
	tags: tag,
	summary: "Overwrite a tenant's fields",
	request: { body: jsonBody(z.object({ id: z.string(), ...fields })) },
	responses: ok(empty),
});
const remove = createRoute({
	method: "post",
	path: "/v1/mgmt/tenant/delete",
	tags: tag,
	summary: "Delete a tenant; refused while it has members unless `cascade`",
	request: { body: jsonBody(z.object({ id: z.string(), cascade: optBool })) },
	responses: ok(empty),
});
const load = createRoute({
	method: "get",
	path: "/v1/mgmt/tenant",
	tags: tag,
	summary: "Load a tenant (the tenant object is the whole body)",
	request: { query: z.object({ id: z.string() }) },
	responses: ok(wireTenant),
});
const loadAll = createRoute({
	method: "get",
	path: "/v1/mgmt/tenant/all",
	tags: tag,
	summary: "Load every tenant",
	responses: ok(z.object({ tenants: z.array(wireTenant) })),
});
const search = createRoute({
	method: "post",
	path: "/v1/mgmt/tenant/search",
	tags: tag,
	summary: "Search tenants by ids, names, self-provisioning domains, custom attributes, parent",
	request: {
		body: jsonBody(
			z.object({
				tenantIds: optStrings,
				tenantNames: optStrings,
				tenantSelfProvisioningDomains: optStrings,
				customAttributes: attributeRecord().nullish(),
				parentTenantId: optString,
			}),
		),
	},
	responses: ok(z.object({ tenants: z.array(wireTenant) })),
});
const defaultRoles = createRoute({
	method: "post",
	path: "/v1/mgmt/tenant/updateDefaultRoles",
	tags: tag,
	summary: "Replace the roles new members of the tenant get",
	request: { body: jsonBody(z.object({ id: z.string(), defaultRoles: z.array(z.string()) })) },
	responses: ok(empty),
});
const settingsShape = z.record(z.string(), z.unknown()).openapi("TenantSettings");
const getSettings = createRoute({
	method: "get",
	path: "/v1/mgmt/tenant/settings",
	tags: tag,
	summary: "Tenant settings",
	request: { query: z.object({ id: z.string().optional(), tenantId: z.string().optional() }) },
	responses: ok(settingsShape),
});
const configureSettings = createRoute({
	method: "post",
	path: "/v1/mgmt/tenant/settings",
	tags: tag,
	summary: "Configure tenant settings (domains, session lifetimes, inactivity, JIT)",
	request: { body: jsonBody(z.object({ tenantId: z.string() }).catchall(z.unknown())) },
	responses: ok(empty),
});

export function registerTenantRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(create, async (c) => {
		const b = c.req.valid("json");
		const id = await tenants.createTenant(c.var.deps, c.var.projectId, {
			...toInput(b),
			id: b.id ?? undefined,
			parentId: b.parent || undefined,
		});
		return c.json({ id }, 200);
	});
	app.openapi(update, async (c) => {
		const b = c.req.valid("json");
		await tenants.updateTenant(c.var.deps, c.var.projectId, b.id, toInput(b));
		return c.json({}, 200);
	});
	app.openapi(remove, async (c) => {
		const b = c.req.valid("json");
		await tenants.deleteTenant(c.var.deps, c.var.projectId, b.id, b.cascade ?? false);
		return c.json({}, 200);
	});
	app.openapi(load, async (c) =>
		c.json(toWire(await tenants.loadTenant(c.var.deps, c.var.projectId, c.req.valid("query").id)), 200),
	);
	app.openapi(loadAll, async (c) =>
		c.json({ tenants: (await tenants.searchTenants(c.var.deps, c.var.projectId)).map(toWire) }, 200),
	);
	app.openapi(search, async (c) => {
		const b = c.req.valid("json");
		const found = await tenants.searchTenants(c.var.deps, c.var.projectId, {
			ids: b.tenantIds ?? undefined,
			names: b.tenantNames ?? undefined,
			selfProvisioningDomains: b.tenantSelfProvisioningDomains ?? undefined,
			customAttributes: b.customAttributes ?? undefined,
			parentId: b.parentTenantId || undefined,
		});
		return c.json({ tenants: found.map(toWire) }, 200);
	});
	app.openapi(defaultRoles, async (c) => {
		const b = c.req.valid("json");
		await tenants.updateDefaultRoles(c.var.deps, c.var.projectId, b.id, b.defaultRoles);
		return c.json({}, 200);
	});
	app.openapi(getSettings, async (c) => {
		const q = c.req.valid("query");
		const id = q.id || q.tenantId;
		if (!id) throw new DomainError("missing_argument", "id is required", "id");
		return c.json(await tenants.getSettings(c.var.deps, c.var.projectId, id), 200);
	});
	app.openapi(configureSettings, async (c) => {
		const { tenantId, ...settings } = c.req.valid("json");
		await tenants.configureSettings(c.var.deps, c.var.projectId, tenantId, settings);
		return c.json({}, 200);
	});
}
