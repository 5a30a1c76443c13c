// Custom attribute definitions: `management.user.getCustomAttributes`, `createCustomAttributes` and
// `deleteCustomAttributes` (docs/descope-compat.md).
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import * as attributes from "../../../domain/users/custom-attributes.service";
import type { AppEnv } from "../../context";
import { jsonBody, ok, optString } from "../schemas";

const definition = z
	.object({
		name: z.string(),
		type: z.number().int(),
		displayName: z.string(),
		options: z.array(z.object({ value: z.string(), label: z.string() })),
		defaultValue: z.unknown(),
	})
	.openapi("CustomAttribute");
const listResponse = z.object({
	data: z.array(definition),
	total: z.string().openapi({ description: "int64 as a string, as on Descope's wire" }),
});

const list = createRoute({
	method: "get",
	path: "/v1/mgmt/user/customattributes",
	tags: ["custom attributes"],
	summary: "List the project's custom attribute definitions",
	responses: ok(listResponse),
});
const create = createRoute({
	method: "post",
	path: "/v1/mgmt/user/customattribute/create",
	tags: ["custom attributes"],
	summary:
		"Create (or redefine) custom attributes; type 1 string, 2 number, 3 boolean, 4 singleSelect, 5 array, 6 date",
	request: {
		body: jsonBody(
			z.object({
				attributes: z.array(
					z.object({
						name: z.string(),
						type: z.union([z.number().int(), z.string()]),
						displayName: optString,
						options: z.array(z.object({ value: z.string(), label: optString })).nullish(),
						defaultValue: z.unknown().optional(),
					}),
				),
			}),
		),
	},
	responses: ok(listResponse),
});
const remove = createRoute({
	method: "post",
	path: "/v1/mgmt/user/customattribute/delete",
	tags: ["custom attributes"],
	summary: "Delete custom attributes and remove their values from every user",
	request: { body: jsonBody(z.object({ names: z.array(z.string()) })) },
	responses: ok(listResponse),
});

const toWire = (defs: attributes.AttributeDefinition[]) => ({
	data: defs.map((d) => ({
		name: d.name,
		type: d.type,
		displayName: d.displayName,
		options: d.options,
		defaultValue: d.defaultValue ?? null,
	})),
	total: String(defs.length),
});

export function registerCustomAttributeRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(list, async (c) =>
		c.json(toWire(await attributes.listDefinitions(c.var.deps, c.var.projectId)), 200),
	);

	app.openapi(create, async (c) => {
		const inputs = c.req.valid("json").attributes.map((a) => ({
			name: a.name,
			type: a.type,
			displayName: a.displayName ?? undefined,
			options: a.options?.map((o) => ({ value: o.value, label: o.label ?? undefined })),
			defaultValue: a.defaultValue,
		}));
		return c.json(toWire(await attributes.createDefinitions(c.var.deps, c.var.projectId, inputs)), 200);
	});

	app.openapi(remove, async (c) => {
		const { names } = c.req.valid("json");
		return c.json(toWire(await attributes.deleteDefinitions(c.var.deps, c.var.projectId, names)), 200);
	});
}
