// Roles and permissions as `management.role` and `management.permission` call them (single and
// batch); docs/descope-compat.md lists each route.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import * as roles from "../../../domain/authz/roles.service";
import { invalid } from "../../../domain/errors";
import type { AppEnv } from "../../context";
import { empty, jsonBody, ok, optBool, optString, optStrings } from "../schemas";

const wireRole = z
	.object({
		id: z.string(),
		name: z.string(),
		description: z.string(),
		permissionNames: z.array(z.string()),
		createdTime: z.number().int(),
		tenantId: z.string(),
		default: z.boolean(),
		private: z.boolean(),
	})
	.openapi("Role");
const toWire = (r: roles.Role): z.infer<typeof wireRole> => ({
	id: r.id,
	name: r.name,
	description: r.description,
	permissionNames: r.permissionNames,
	createdTime: Math.floor(r.createdAt / 1000),
	tenantId: r.tenantId,
	default: r.isDefault,
	private: r.isPrivate,
});

// `weight` is Roster's addition, stored and returned as given; default 0.
const roleFields = {
	description: optString,
	permissionNames: optStrings,
	tenantId: optString,
	default: optBool,
	private: optBool,
	weight: z.number().int().nullish(),
};
const createItem = z.object({ name: z.string(), ...roleFields });
const updateItem = z.object({ name: optString, id: optString, newName: z.string(), ...roleFields });
type CreateItem = z.infer<typeof createItem>;
type UpdateItem = z.infer<typeof updateItem>;

const toInput = (b: CreateItem): roles.RoleInput => ({
	name: b.name,
	description: b.description ?? undefined,
	permissionNames: b.permissionNames ?? undefined,
	tenantId: b.tenantId || undefined,
	isDefault: b.default ?? undefined,
	isPrivate: b.private ?? undefined,
	weight: b.weight ?? undefined,
});
const toUpdate = (b: UpdateItem, i?: number): roles.RoleUpdate => {
	if (!b.id && !b.name)
		throw invalid(i === undefined ? "name" : `roles[${i}].name`, "the role's name or id is required");
	return { ...toInput({ ...b, name: b.newName }), id: b.id || undefined, currentName: b.name ?? undefined };
};

const rolesOut = z.object({ roles: z.array(wireRole) });
const route = <T extends z.ZodType, R extends z.ZodType>(
	path: string,
	summary: string,
	body: T,
	response: R,
) =>
	createRoute({
		method: "post",
		path,
		tags: ["roles"],
		summary,
		request: { body: jsonBody(body) },
		responses: ok(response),
	});

const create = route(
	"/v1/mgmt/role/create",
	"Create a role (project-wide, or with tenantId for one tenant)",
	createItem,
	wireRole,
);
const update = route(
	"/v1/mgmt/role/update",
	"Update a role found by name (or id): rename, description, permissions",
	updateItem,
	wireRole,
);
const remove = route(
	"/v1/mgmt/role/delete",
	"Delete a role by name (within tenantId's scope) or id; users lose it",
	z.object({ name: optString, id: optString, tenantId: optString }),
	empty,
);
const createBatch = route(
	"/v1/mgmt/role/create/batch",
	"Create roles",
	z.object({ roles: z.array(createItem) }),
	rolesOut,
);
const updateBatch = route(
	"/v1/mgmt/role/update/batch",
	"Update roles",
	z.object({ roles: z.array(updateItem) }),
	rolesOut,
);
const deleteBatch = route(
	"/v1/mgmt/role/delete/batch",
	"Delete roles by names (within tenantId's scope) and ids",
	z.object({ roleNames: optStrings, roleIds: optStrings, tenantId: optString }),
	empty,
);
const search = route(
	"/v1/mgmt/role/search",
	"Search roles",
	z.object({
		tenantIds: optStrings,
		roleNames: optStrings,
		roleNameLike: optString,
		permissionNames: optStrings,
		includeProjectRoles: optBool,
		roleIds: optStrings,
	}),
	rolesOut,
);
const loadAll = createRoute({
	method: "get",
	path: "/v1/mgmt/role/all",
	tags: ["roles"],
	summary: "Load every role (project and tenant roles)",
	responses: ok(rolesOut),
});

const wirePermission = z
	.object({ name: z.string(), description: z.string(), systemDefault: z.boolean() })
	.openapi("Permission");
const permissionItem = z.object({ name: z.string(), description: optString });
const permissionUpdate = z.object({
	name: optString,
	id: optString,
	newName: z.string(),
	description: optString,
});
const proute = <T extends z.ZodType, R extends z.ZodType>(
	path: string,
	summary: string,
	body: T,
	response: R,
) =>
	createRoute({
		method: "post",
		path,
		tags: ["permissions"],
		summary,
		request: { body: jsonBody(body) },
		responses: ok(response),
	});
const pCreate = proute("/v1/mgmt/permission/create", "Create a permission", permissionItem, empty);
const pUpdate = proute(
	"/v1/mgmt/permission/update",
	"Rename or describe a permission (by name or id)",
	permissionUpdate,
	empty,
);
const pDelete = proute(
	"/v1/mgmt/permission/delete",
	"Delete a permission; roles lose it",
	z.object({ name: optString, id: optString }),
	empty,
);
const pCreateBatch = proute(
	"/v1/mgmt/permission/create/batch",
	"Create permissions",
	z.object({ permissions: z.array(permissionItem) }),
	empty,
);
const pUpdateBatch = proute(
	"/v1/mgmt/permission/update/batch",
	"Update permissions",
	z.object({ permissions: z.array(permissionUpdate) }),
	empty,
);
const pDeleteBatch = proute(
	"/v1/mgmt/permission/delete/batch",
	"Delete permissions by names and ids",
	z.object({ names: optStrings, ids: optStrings }),
	empty,
);
const pLoadAll = createRoute({
	method: "get",
	path: "/v1/mgmt/permission/all",
	tags: ["permissions"],
	summary: "Load every permission",
	responses: ok(z.object({ permissions: z.array(wirePermission) })),
});

const toPermissionUpdate = (p: z.infer<typeof permissionUpdate>, i?: number) => {
	if (!p.id && !p.name)
		throw invalid(
			i === undefined ? "name" : `permissions[${i}].name`,
			"the permission's name or id is required",
		);
	return {
		id: p.id || undefined,
		name: p.name ?? undefined,
		newName: p.newName,
		description: p.description ?? undefined,
	};
};

export function registerRoleRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(create, async (c) => {
		const [role] = await roles.createRoles(c.var.deps, c.var.projectId, [toInput(c.req.valid("json"))]);
		return c.json(toWire(role as roles.Role), 200);
	});
	app.openapi(update, async (c) => {
		const [role] = await roles.updateRoles(c.var.deps, c.var.projectId, [toUpdate(c.req.valid("json"))]);
		return c.json(toWire(role as roles.Role), 200);
	});
	app.openapi(remove, async (c) => {
		const b = c.req.valid("json");
		await roles.deleteRoles(c.var.deps, c.var.projectId, {
			names: b.name ? [b.name] : [],
			ids: b.id ? [b.id] : [],
			tenantId: b.tenantId || undefined,
		});
		return c.json({}, 200);
	});
	app.openapi(createBatch, async (c) => {
		const created = await roles.createRoles(
			c.var.deps,
			c.var.projectId,
			c.req.valid("json").roles.map(toInput),
		);
		return c.json({ roles: created.map(toWire) }, 200);
	});
	app.openapi(updateBatch, async (c) => {
		const updated = await roles.updateRoles(
			c.var.deps,
			c.var.projectId,
			c.req.valid("json").roles.map(toUpdate),
		);
		return c.json({ roles: updated.map(toWire) }, 200);
	});
	app.openapi(deleteBatch, async (c) => {
		const b = c.req.valid("json");
		await roles.deleteRoles(c.var.deps, c.var.projectId, {
			names: b.roleNames ?? [],
			ids: b.roleIds ?? [],
			tenantId: b.tenantId || undefined,
		});
		return c.json({}, 200);
	});
	app.openapi(search, async (c) => {
		const b = c.req.valid("json");
		const found = await roles.searchRoles(c.var.deps, c.var.projectId, {
			tenantIds: b.tenantIds ?? undefined,
			roleNames: b.roleNames ?? undefined,
			roleNameLike: b.roleNameLike ?? undefined,
			permissionNames: b.permissionNames ?? undefined,
			includeProjectRoles: b.includeProjectRoles ?? undefined,
			roleIds: b.roleIds ?? undefined,
		});
		return c.json({ roles: found.map(toWire) }, 200);
	});
	app.openapi(loadAll, async (c) =>
		c.json({ roles: (await roles.listRoles(c.var.deps, c.var.projectId)).map(toWire) }, 200),
	);

	app.openapi(pCreate, async (c) => {
		const b = c.req.valid("json");
		await roles.createPermissions(c.var.deps, c.var.projectId, [
			{ name: b.name, description: b.description ?? undefined },
		]);
		return c.json({}, 200);
	});
	app.openapi(pCreateBatch, async (c) => {
		const items = c.req
			.valid("json")
			.permissions.map((p) => ({ name: p.name, description: p.description ?? undefined }));
		await roles.createPermissions(c.var.deps, c.var.projectId, items);
		return c.json({}, 200);
	});
	app.openapi(pUpdate, async (c) => {
		await roles.updatePermissions(c.var.deps, c.var.projectId, [toPermissionUpdate(c.req.valid("json"))]);
		return c.json({}, 200);
	});
	app.openapi(pUpdateBatch, async (c) => {
		await roles.updatePermissions(
			c.var.deps,
			c.var.projectId,
			c.req.valid("json").permissions.map(toPermissionUpdate),
		);
		return c.json({}, 200);
	});
	app.openapi(pDelete, async (c) => {
		const b = c.req.valid("json");
		await roles.deletePermissions(c.var.deps, c.var.projectId, {
			names: b.name ? [b.name] : [],
			ids: b.id ? [b.id] : [],
		});
		return c.json({}, 200);
	});
	app.openapi(pDeleteBatch, async (c) => {
		const b = c.req.valid("json");
		await roles.deletePermissions(c.var.deps, c.var.projectId, { names: b.names ?? [], ids: b.ids ?? [] });
		return c.json({}, 200);
	});
	app.openapi(pLoadAll, async (c) => {
		const list = await roles.listPermissions(c.var.deps, c.var.projectId);
		return c.json(
			{ permissions: list.map((p) => ({ name: p.name, description: p.description, systemDefault: false })) },
			200,
		);
	});
}
