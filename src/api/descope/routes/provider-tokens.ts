// `management.user.getProviderToken(loginId, provider, {withRefreshToken, forceRefresh})`
// (docs/federation.md, "Provider tokens"): the tokens Roster keeps for a federated user.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { getProviderToken } from "../../../domain/federation/flow.tokens";
import type { AppEnv } from "../../context";
import { ok } from "../schemas";

const flag = z
	.string()
	.optional()
	.openapi({ description: '"true" or "false" (the SDK always sends both flags)' });

const providerToken = createRoute({
	method: "get",
	path: "/v1/mgmt/user/provider/token",
	tags: ["users"],
	summary: "The provider tokens of a user who signed in through a provider that keeps them",
	request: {
		query: z.object({
			loginId: z.string().min(1).openapi({ description: "A login id, or a user id" }),
			provider: z
				.string()
				.min(1)
				.openapi({ description: "The provider's name (as oauth.start sends it) or id" }),
			withRefreshToken: flag,
			forceRefresh: flag,
		}),
	},
	responses: ok(
		z
			.object({
				provider: z.string(),
				providerUserId: z.string(),
				accessToken: z.string(),
				expiration: z.number().int().openapi({ description: "Unix seconds; 0 when unknown" }),
				scopes: z.array(z.string()),
				refreshToken: z.string().optional().openapi({ description: "Only with withRefreshToken=true" }),
			})
			.openapi("ProviderTokenResponse"),
	),
});

export function registerProviderTokenRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(providerToken, async (c) => {
		const q = c.req.valid("query");
		const token = await getProviderToken(c.var.deps, c.var.projectId, {
			loginId: q.loginId,
			provider: q.provider,
			withRefreshToken: q.withRefreshToken === "true",
			forceRefresh: q.forceRefresh === "true",
		});
		return c.json(token, 200);
	});
}
