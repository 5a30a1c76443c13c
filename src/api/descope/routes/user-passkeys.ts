// A user's passkeys, listed and removed (@descope/node-sdk `management.user.listPasskeys`,
// `removePasskey`, `removeAllPasskeys`).
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import * as passkeys from "../../../domain/sessions/passkeys.service";
import type { AppEnv } from "../../context";
import { empty, jsonBody, loginIdField, ok } from "../schemas";

const tags = ["user credentials"];

const passkeyRecord = z
	.object({
		id: z.string().openapi({ description: "The credential id, base64url" }),
		rpId: z.string(),
		kind: z
			.enum(["platform", "cross-platform", ""])
			.openapi({ description: "From the transports the browser reported; empty when it gave none" }),
		displayName: z.string(),
		createdTime: z.number().int().openapi({ description: "Unix seconds" }),
	})
	.openapi("Passkey");

const list = createRoute({
	method: "post",
	path: "/v1/mgmt/user/passkeys/list",
	tags,
	summary: "The user's passkeys, oldest first",
	request: { body: jsonBody(z.object({ loginId: loginIdField })) },
	responses: ok(z.object({ passkeys: z.array(passkeyRecord) })),
});
const removeOne = createRoute({
	method: "post",
	path: "/v1/mgmt/user/passkey/delete",
	tags,
	summary: "Remove one passkey of the user (404 if the user holds no passkey with this id)",
	request: { body: jsonBody(z.object({ loginId: loginIdField, credentialId: z.string().min(1) })) },
	responses: ok(empty),
});
const removeAll = createRoute({
	method: "post",
	path: "/v1/mgmt/user/passkeys/delete",
	tags,
	summary: "Remove every passkey of the user",
	request: { body: jsonBody(z.object({ loginId: loginIdField })) },
	responses: ok(empty),
});

export function registerUserPasskeyRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(list, async (c) => {
		const found = await passkeys.listPasskeys(c.var.deps, c.var.projectId, c.req.valid("json").loginId);
		return c.json(
			{
				passkeys: found.map((p) => ({
					id: p.id,
					rpId: p.rpId,
					kind: p.kind,
					displayName: p.displayName,
					createdTime: Math.floor(p.createdAt / 1000),
				})),
			},
			200,
		);
	});
	app.openapi(removeOne, async (c) => {
		const b = c.req.valid("json");
		await passkeys.removePasskey(c.var.deps, c.var.projectId, b.loginId, b.credentialId);
		return c.json({}, 200);
	});
	app.openapi(removeAll, async (c) => {
		await passkeys.removeAllPasskeys(c.var.deps, c.var.projectId, c.req.valid("json").loginId);
		return c.json({}, 200);
	});
}
