// Credentials by management key (@descope/node-sdk `management.user.history`, `management.jwt.update`,
// `management.user.setTemporaryPassword` / `setActivePassword` / `expirePassword`, `logoutUser`).
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import * as credentials from "../../../domain/sessions/credentials.service";
import type { AppEnv } from "../../context";
import { empty, jsonBody, loginIdField, ok, optString } from "../schemas";

export const historyRecord = z
	.object({
		userId: z.string(),
		loginTime: z.number().int().openapi({ description: "Unix seconds" }),
		city: z.string(),
		country: z.string(),
		ip: z.string(),
		selectedTenant: z.string(),
		loginId: z.string(),
		method: z.string(),
		outcome: z
			.string()
			.openapi({ description: "success, wrong-password, locked, disabled, password-expired, …" }),
		userAgent: z.string(),
	})
	.openapi("UserHistory");

export const toHistoryRecord = (e: credentials.HistoryEntry): z.infer<typeof historyRecord> => ({
	userId: e.userId,
	loginTime: Math.floor(e.at / 1000),
	city: e.city,
	country: e.country,
	ip: e.ip,
	selectedTenant: e.selectedTenant,
	loginId: e.loginId,
	method: e.method,
	outcome: e.outcome,
	userAgent: e.userAgent,
});

const tags = ["user credentials"];
const passwordBody = z.object({ loginId: loginIdField, password: z.string().min(1) });
const passwordRoute = (path: string, summary: string) =>
	createRoute({
		method: "post",
		path,
		tags,
		summary,
		request: { body: jsonBody(passwordBody) },
		responses: ok(empty),
	});

const setActive = passwordRoute(
	"/v1/mgmt/user/password/set/active",
	"Set a password the user can sign in with; sessions end",
);
const setTemporary = passwordRoute(
	"/v1/mgmt/user/password/set/temporary",
	"Set a temporary password: it must be replaced at the next sign-in; sessions end",
);
const setDeprecated = passwordRoute("/v1/mgmt/user/password/set", "Deprecated alias of set/temporary");
const expire = createRoute({
	method: "post",
	path: "/v1/mgmt/user/password/expire",
	tags,
	summary: "Expire the password: the next sign-in fails with E062909; sessions end",
	request: { body: jsonBody(z.object({ loginId: loginIdField })) },
	responses: ok(empty),
});
const logout = createRoute({
	method: "post",
	path: "/v1/mgmt/user/logout",
	tags,
	summary: "End every session of the user before returning",
	request: { body: jsonBody(z.object({ loginId: optString, userId: optString })) },
	responses: ok(empty),
});
const history = createRoute({
	method: "post",
	path: "/v1/mgmt/user/history",
	tags,
	summary:
		"Sign-in history of users: a bare array of user ids in, a bare array out (newest first, at most 1,000)",
	request: { body: jsonBody(z.array(z.string()).max(1000)) },
	responses: ok(z.array(historyRecord)),
});
const jwtUpdate = createRoute({
	method: "post",
	path: "/v1/mgmt/jwt/update",
	tags,
	summary: "Add custom claims to a valid session JWT and sign it again",
	request: {
		body: jsonBody(
			z.object({
				jwt: z.string().min(1),
				customClaims: z.record(z.string(), z.unknown()).nullish().openapi({
					description:
						"Top-level claims; reserved ones (sub, roles, nsec…) are refused; at most 4 KB of JSON",
				}),
				refreshDuration: z.number().nullish(),
			}),
		),
	},
	responses: ok(z.object({ jwt: z.string() })),
});

export function registerUserCredentialRoutes(app: OpenAPIHono<AppEnv>) {
	for (const [route, temporary] of [
		[setActive, false],
		[setTemporary, true],
		[setDeprecated, true],
	] as const) {
		app.openapi(route, async (c) => {
			const b = c.req.valid("json");
			await credentials.setPassword(c.var.deps, c.var.projectId, b.loginId, b.password, temporary);
			return c.json({}, 200);
		});
	}
	app.openapi(expire, async (c) => {
		await credentials.expirePassword(c.var.deps, c.var.projectId, c.req.valid("json").loginId);
		return c.json({}, 200);
	});
	app.openapi(logout, async (c) => {
		const b = c.req.valid("json");
		await credentials.logoutUser(c.var.deps, c.var.projectId, {
			loginId: b.loginId ?? undefined,
			userId: b.userId ?? undefined,
		});
		return c.json({}, 200);
	});
	app.openapi(history, async (c) => {
		const entries = await credentials.history(c.var.deps, c.var.projectId, c.req.valid("json"));
		return c.json(entries.map(toHistoryRecord), 200);
	});
	app.openapi(jwtUpdate, async (c) => {
		const b = c.req.valid("json");
		const jwt = await credentials.updateJwt(c.var.deps, c.var.projectId, b.jwt, b.customClaims ?? {});
		return c.json({ jwt }, 200);
	});
}
