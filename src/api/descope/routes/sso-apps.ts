// SSO application registry (`/v1/mgmt/sso/idp/app/...` in the SDK's paths): OIDC create, update,
// load, load all, delete. Roster records applications for assignment; it is not their IdP.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import * as apps from "../../../domain/authz/sso-apps.service";
import type { AppEnv } from "../../context";
import { empty, jsonBody, ok, optBool, optString } from "../schemas";

const wireApp = z
	.object({
		id: z.string(),
		name: z.string(),
		description: z.string(),
		enabled: z.boolean(),
		logo: z.string(),
		appType: z.string(),
		samlSettings: z.record(z.string(), z.unknown()),
		oidcSettings: z.object({
			loginPageUrl: z.string(),
			issuer: z.string(),
			discoveryUrl: z.string(),
			forceAuthentication: z.boolean(),
		}),
	})
	.openapi("SSOApplication");
const toWire = (a: apps.SsoApp): z.infer<typeof wireApp> => ({
	id: a.id,
	name: a.name,
	description: a.description,
	enabled: a.enabled,
	logo: a.logo,
	appType: a.appType,
	samlSettings: {},
	oidcSettings: {
		loginPageUrl: a.settings.loginPageUrl ?? "",
		issuer: "",
		discoveryUrl: "",
		forceAuthentication: a.settings.forceAuthentication ?? false,
	},
});

const oidcFields = {
	name: z.string(),
	loginPageUrl: z.string(),
	description: optString,
	logo: optString,
	enabled: optBool,
	forceAuthentication: optBool,
};
const toInput = (b: z.infer<z.ZodObject<typeof oidcFields>> & { id?: string | null }) => ({
	id: b.id ?? undefined,
	name: b.name,
	loginPageUrl: b.loginPageUrl,
	description: b.description ?? undefined,
	logo: b.logo ?? undefined,
	enabled: b.enabled ?? undefined,
	forceAuthentication: b.forceAuthentication ?? undefined,
});

const tags = ["sso applications"];
const create = createRoute({
	method: "post",
	path: "/v1/mgmt/sso/idp/app/oidc/create",
	tags,
	summary: "Register an OIDC application",
	request: { body: jsonBody(z.object({ id: optString, ...oidcFields })) },
	responses: ok(z.object({ id: z.string() })),
});
const update = createRoute({
	method: "post",
	path: "/v1/mgmt/sso/idp/app/oidc/update",
	tags,
	summary: "Update an OIDC application",
	request: { body: jsonBody(z.object({ id: z.string(), ...oidcFields })) },
	responses: ok(empty),
});
const remove = createRoute({
	method: "post",
	path: "/v1/mgmt/sso/idp/app/delete",
	tags,
	summary: "Delete an application; users lose it",
	request: { body: jsonBody(z.object({ id: z.string() })) },
	responses: ok(empty),
});
const load = createRoute({
	method: "get",
	path: "/v1/mgmt/sso/idp/app/load",
	tags,
	summary: "Load an application (the application is the whole body)",
	request: { query: z.object({ id: z.string() }) },
	responses: ok(wireApp),
});
const loadAll = createRoute({
	method: "get",
	path: "/v1/mgmt/sso/idp/apps/load",
	tags,
	summary: "Load every application",
	responses: ok(z.object({ apps: z.array(wireApp) })),
});

export function registerSsoAppRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(create, async (c) =>
		c.json({ id: await apps.createOidcApp(c.var.deps, c.var.projectId, toInput(c.req.valid("json"))) }, 200),
	);
	app.openapi(update, async (c) => {
		const b = c.req.valid("json");
		await apps.updateOidcApp(c.var.deps, c.var.projectId, b.id, toInput(b));
		return c.json({}, 200);
	});
	app.openapi(remove, async (c) => {
		await apps.deleteApp(c.var.deps, c.var.projectId, c.req.valid("json").id);
		return c.json({}, 200);
	});
	app.openapi(load, async (c) =>
		c.json(toWire(await apps.loadApp(c.var.deps, c.var.projectId, c.req.valid("query").id)), 200),
	);
	app.openapi(loadAll, async (c) =>
		c.json({ apps: (await apps.listApps(c.var.deps, c.var.projectId)).map(toWire) }, 200),
	);
}
