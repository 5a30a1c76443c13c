// End-user sessions (docs/sessions.md; core-js-sdk `refresh`, `logout`, `logoutAll`, `me`, `history`,
// `selectTenant`): refresh, logout, logout-all, me, me/history, tenant select, and the JWKS.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import * as auth from "../../../domain/sessions/auth.service";
import { myHistory } from "../../../domain/sessions/credentials.service";
import { jwks } from "../../../domain/sessions/signing-keys";
import type { AppEnv } from "../../context";
import { jwtResponse, requestInfo } from "../auth-endpoints";
import { empty, jsonBody, ok, responseUser } from "../schemas";
import { toResponseUser } from "../user-mapper";
import { jwtResponseSchema } from "./auth-password";
import { historyRecord, toHistoryRecord } from "./user-credentials";

const tags = ["auth: sessions"];
const anyBody = {
	body: { content: { "application/json": { schema: z.object({}).catchall(z.unknown()) } }, required: false },
};

const refresh = createRoute({
	method: "post",
	path: "/v1/auth/refresh",
	tags,
	summary: "A new session JWT (current roles and tenants) for a live refresh JWT",
	request: anyBody,
	responses: ok(jwtResponseSchema),
});
const logout = createRoute({
	method: "post",
	path: "/v1/auth/logout",
	tags,
	summary: "End this session",
	request: anyBody,
	responses: ok(empty),
});
const logoutAll = createRoute({
	method: "post",
	path: "/v1/auth/logoutall",
	tags,
	summary: "End every session of the user; takes effect before the call returns",
	request: anyBody,
	responses: ok(empty),
});
const me = createRoute({
	method: "get",
	path: "/v1/auth/me",
	tags,
	summary: "The signed-in user (at the body's root)",
	responses: ok(responseUser),
});
const meHistory = createRoute({
	method: "get",
	path: "/v1/auth/me/history",
	tags,
	summary: "The signed-in user's sign-in history, newest first",
	responses: ok(z.array(historyRecord)),
});
const selectTenant = createRoute({
	method: "post",
	path: "/v1/auth/tenant/select",
	tags,
	summary: "Select a tenant of the user: the session JWT gets `dct`",
	request: { body: jsonBody(z.object({ tenant: z.string().min(1) })) },
	responses: ok(jwtResponseSchema),
});
const keys = createRoute({
	method: "get",
	path: "/v2/keys/{projectId}",
	tags,
	summary: "The project's published JWT signing keys (JWKS)",
	request: { params: z.object({ projectId: z.string() }) },
	responses: ok(z.object({ keys: z.array(z.record(z.string(), z.unknown())) })),
});

export function registerSessionAuthRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(refresh, async (c) => {
		const result = await auth.refresh(c.var.deps, c.var.projectId, c.var.bearerToken, requestInfo(c));
		return c.json(jwtResponse({ ...result, firstSeen: false }), 200);
	});
	app.openapi(logout, async (c) => {
		await auth.logout(c.var.deps, c.var.projectId, c.var.bearerToken);
		return c.json({}, 200);
	});
	app.openapi(logoutAll, async (c) => {
		await auth.logoutAll(c.var.deps, c.var.projectId, c.var.bearerToken);
		return c.json({}, 200);
	});
	app.openapi(me, async (c) => {
		const ctx = await auth.authenticateRefresh(c.var.deps, c.var.projectId, c.var.bearerToken, "me");
		return c.json(toResponseUser(ctx.user), 200);
	});
	app.openapi(meHistory, async (c) => {
		const entries = await myHistory(c.var.deps, c.var.projectId, c.var.bearerToken);
		return c.json(entries.map(toHistoryRecord), 200);
	});
	app.openapi(selectTenant, async (c) => {
		const result = await auth.selectTenant(
			c.var.deps,
			c.var.projectId,
			c.var.bearerToken,
			c.req.valid("json").tenant,
			requestInfo(c),
		);
		return c.json(jwtResponse(result), 200);
	});
	app.openapi(keys, async (c) =>
		c.json({ keys: await jwks(c.var.deps, c.req.valid("param").projectId) }, 200),
	);
}
