// Tenants, roles and SSO applications of one user (`management.user.addTenant`, `removeTenant`,
// `addRoles`, `setRoles`, `removeRoles`, `addSSOapps`, `setSSOapps`, `removeSSOapps`; docs/descope-compat.md).
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import * as assignments from "../../../domain/users/user.assignments";
import type { AppEnv } from "../../context";
import { jsonBody, loginIdField, ok, optString, userEnvelope } from "../schemas";
import { toResponseUser } from "../user-mapper";

const route = (path: string, summary: string, body: z.ZodType) =>
	createRoute({
		method: "post",
		path,
		tags: ["user assignments"],
		summary,
		request: { body: jsonBody(body) },
		responses: ok(userEnvelope),
	});

const tenantBody = z.object({ loginId: loginIdField, tenantId: z.string().min(1) });
const rolesBody = z.object({ loginId: loginIdField, roleNames: z.array(z.string()), tenantId: optString });
const appsBody = z.object({ loginId: loginIdField, ssoAppIds: z.array(z.string()) });

const addTenant = route(
	"/v1/mgmt/user/update/tenant/add",
	"Add the user to a tenant (new members get its default roles)",
	tenantBody,
);
const removeTenant = route(
	"/v1/mgmt/user/update/tenant/remove",
	"Remove the user from a tenant and its roles there",
	tenantBody,
);
const addRoles = route(
	"/v2/mgmt/user/update/role/add",
	"Add roles, project-wide or in one of the user's tenants",
	rolesBody,
);
const addRolesV1 = route("/v1/mgmt/user/update/role/add", "Add roles (v1 path, same as v2)", rolesBody);
const setRoles = route(
	"/v1/mgmt/user/update/role/set",
	"Replace the user's roles, project-wide or in one tenant",
	rolesBody,
);
const removeRoles = route(
	"/v1/mgmt/user/update/role/remove",
	"Remove roles, project-wide or in one tenant",
	rolesBody,
);
const addApps = route("/v1/mgmt/user/update/ssoapp/add", "Add SSO applications", appsBody);
const setApps = route("/v1/mgmt/user/update/ssoapp/set", "Replace the user's SSO applications", appsBody);
const removeApps = route("/v1/mgmt/user/update/ssoapp/remove", "Remove SSO applications", appsBody);

export function registerUserAssignmentRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(addTenant, async (c) => {
		const b = c.req.valid("json") as z.infer<typeof tenantBody>;
		const user = await assignments.addTenant(c.var.deps, c.var.projectId, b.loginId, b.tenantId);
		return c.json({ user: toResponseUser(user) }, 200);
	});
	app.openapi(removeTenant, async (c) => {
		const b = c.req.valid("json") as z.infer<typeof tenantBody>;
		const user = await assignments.removeTenant(c.var.deps, c.var.projectId, b.loginId, b.tenantId);
		return c.json({ user: toResponseUser(user) }, 200);
	});
	for (const [definition, change] of [
		[addRoles, "add"],
		[addRolesV1, "add"],
		[setRoles, "set"],
		[removeRoles, "remove"],
	] as const) {
		app.openapi(definition, async (c) => {
			const b = c.req.valid("json") as z.infer<typeof rolesBody>;
			const user = await assignments.changeRoles(
				c.var.deps,
				c.var.projectId,
				b.loginId,
				change,
				b.roleNames,
				b.tenantId || undefined,
			);
			return c.json({ user: toResponseUser(user) }, 200);
		});
	}
	for (const [definition, change] of [
		[addApps, "add"],
		[setApps, "set"],
		[removeApps, "remove"],
	] as const) {
		app.openapi(definition, async (c) => {
			const b = c.req.valid("json") as z.infer<typeof appsBody>;
			const user = await assignments.changeSsoApps(
				c.var.deps,
				c.var.projectId,
				b.loginId,
				change,
				b.ssoAppIds,
			);
			return c.json({ user: toResponseUser(user) }, 200);
		});
	}
}
