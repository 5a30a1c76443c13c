// Project-level OAuth (generic OIDC) providers, the ones `oauth.start('<name>')` names: a Roster
// route (Descope configures these in its console), docs/federation.md "Identity providers".
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import * as registry from "../../../domain/federation/providers.service";
import type { IdentityProvider } from "../../../domain/federation/providers.types";
import type { AppEnv } from "../../context";
import { publicOrigin } from "../../public-origin";
import { empty, jsonBody, ok, optString, optStrings } from "../schemas";
import { oidcFields, toProviderInput, toWireOidc, wireOidc } from "../sso-mapper";

const wireProvider = wireOidc
	.omit({ name: true, lastSuccessTestTime: true, providerID: true, scimProviderID: true })
	.extend({
		id: z.string(),
		name: z.string().openapi({ description: "What oauth.start sends as provider" }),
		displayName: z.string(),
		allowedDomains: z.array(z.string()),
		hasClientSecret: z.boolean(),
		createdTime: z.number().int(),
		modifiedTime: z.number().int(),
	})
	.openapi("OAuthProvider");

function toWire(c: Parameters<typeof publicOrigin>[0], projectId: string, p: IdentityProvider) {
	const {
		name: _display,
		lastSuccessTestTime: _t,
		providerID: _p,
		scimProviderID: _s,
		...oidc
	} = toWireOidc(p, publicOrigin(c), projectId);
	return {
		id: p.id,
		name: p.key,
		displayName: p.name,
		...oidc,
		allowedDomains: p.domains,
		hasClientSecret: p.hasClientSecret,
		createdTime: Math.floor(p.createdAt / 1000),
		modifiedTime: Math.floor(p.modifiedAt / 1000),
	};
}

const { name: _name, providerID: _p, scimProviderID: _s, lastSuccessTestTime: _t, ...fields } = oidcFields;
const body = z
	.object({
		id: optString.openapi({ description: "Update this provider (its name may change)" }),
		name: optString.openapi({
			description: "The provider name oauth.start sends: letters, digits, '_', '-', '.'",
		}),
		displayName: optString,
		allowedDomains: optStrings.openapi({
			description: "Only users with an email in these domains may sign in; none = any",
		}),
		...fields,
	})
	.openapi("OAuthProviderRequest");

const tags = ["OAuth providers"];
const save = createRoute({
	method: "post",
	path: "/v1/mgmt/oauth/provider",
	tags,
	summary:
		"Create a project-level OAuth provider, or update the one with this id or name (fields not given keep their values)",
	request: { body: jsonBody(body) },
	responses: ok(z.object({ provider: wireProvider })),
});
const load = createRoute({
	method: "get",
	path: "/v1/mgmt/oauth/provider",
	tags,
	summary: "Load a project-level OAuth provider by id or name; never its client secret",
	request: { query: z.object({ id: z.string() }) },
	responses: ok(z.object({ provider: wireProvider })),
});
const loadAll = createRoute({
	method: "get",
	path: "/v1/mgmt/oauth/provider/all",
	tags,
	summary: "Load every project-level OAuth provider",
	responses: ok(z.object({ providers: z.array(wireProvider) })),
});
const remove = createRoute({
	method: "delete",
	path: "/v1/mgmt/oauth/provider",
	tags,
	summary: "Delete a project-level OAuth provider by id or name; its users' provider links go with it",
	request: { query: z.object({ id: z.string() }) },
	responses: ok(empty),
});

export function registerOAuthProviderRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(save, async (c) => {
		const b = c.req.valid("json");
		const { deps, projectId } = c.var;
		const current = b.id ? await registry.loadProjectProvider(deps, projectId, b.id) : null;
		const name = b.name ?? current?.key ?? "";
		// displayName absent: the stored one, or the name for a new provider (the registry decides).
		const input = { ...toProviderInput(b, b.allowedDomains), name: b.displayName ?? undefined };
		const saved = await registry.saveProvider(deps, projectId, { projectLevel: true, name }, input, {
			mode: "merge",
			requireUsable: true,
			id: current?.id,
		});
		return c.json({ provider: toWire(c, projectId, saved) }, 200);
	});
	app.openapi(load, async (c) => {
		const found = await registry.loadProjectProvider(c.var.deps, c.var.projectId, c.req.valid("query").id);
		return c.json({ provider: toWire(c, c.var.projectId, found) }, 200);
	});
	app.openapi(loadAll, async (c) => {
		const found = await registry.listProjectProviders(c.var.deps, c.var.projectId);
		return c.json({ providers: found.map((p) => toWire(c, c.var.projectId, p)) }, 200);
	});
	app.openapi(remove, async (c) => {
		await registry.deleteProjectProvider(c.var.deps, c.var.projectId, c.req.valid("query").id);
		return c.json({}, 200);
	});
}
