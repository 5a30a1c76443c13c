// docs/federation.md, "Identity providers": GET /identity-providers, the registry's providers as
// {Id, Name, Prefix, Enabled} (plus Roster's Kind and OrganizationId); their OIDC settings are
// managed through the Descope dialect and never echo a secret.

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { listProviders } from "../../../domain/federation/providers.service";
import type { IdentityProvider } from "../../../domain/federation/providers.types";
import { isTenantBound, tenantBoundError } from "../../../domain/scope";
import type { AppEnv } from "../../context";
import { partnerErrorResponses as errors, notModifiedResponse } from "../errors";
import { withEtag } from "../etag";
import {
	DEFAULT_LIMIT,
	decodeCursor,
	encodeCursor,
	listEnvelope,
	listEnvelopeSchema,
	listQuery,
} from "../list";
import { etagHeaders, ifNoneMatchHeaders, jsonContent, PARTNER_BASE } from "../schemas";

const identityProvider = z
	.object({
		Id: z.string(),
		Name: z.string(),
		Prefix: z.string().openapi({ description: "Login-id prefix of users who sign in through it" }),
		Enabled: z.boolean(),
		Kind: z.enum(["sso", "oauth"]).openapi({
			description: "Roster: `sso`, a tenant's SSO configuration; `oauth`, a project-level provider",
		}),
		OrganizationId: z
			.string()
			.nullable()
			.openapi({ description: "Roster: the tenant of an `sso` provider; null for `oauth`" }),
	})
	.openapi("IdentityProvider");

const toWire = (p: IdentityProvider): z.infer<typeof identityProvider> => ({
	Id: p.id,
	Name: p.name,
	Prefix: p.prefix,
	Enabled: p.enabled,
	Kind: p.tenantId ? "sso" : "oauth",
	OrganizationId: p.tenantId || null,
});

/** The keyset position of the list: the last id seen. */
const isPosition = (v: unknown): v is { i: string } =>
	typeof v === "object" && v !== null && typeof (v as { i?: unknown }).i === "string";

const list = createRoute({
	method: "get",
	path: `${PARTNER_BASE}/identity-providers`,
	tags: ["identity providers"],
	operationId: "listIdentityProviders",
	summary:
		"List the project's identity providers (tenant SSO configurations and project-level providers), in id order",
	request: { query: listQuery, headers: ifNoneMatchHeaders },
	responses: {
		200: {
			description: "One page",
			headers: etagHeaders,
			content: jsonContent(listEnvelopeSchema(identityProvider, "IdentityProviderList")),
		},
		...notModifiedResponse,
		...errors,
	},
});

export function registerIdentityProviderRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(list, async (c) => {
		// The partner API is the platform's: like its webhook routes, it is closed to tenant-bound keys
		// (docs/partner.md); the Descope SSO routes serve a tenant its own configurations.
		if (isTenantBound(c.var.deps.scope)) throw tenantBoundError();
		const q = c.req.valid("query");
		const page = await listProviders(c.var.deps, c.var.projectId, {
			limit: q.limit ?? DEFAULT_LIMIT,
			after: q.cursor === undefined ? null : decodeCursor(q.cursor, isPosition).i,
			includeTotal: q.includeTotal,
		});
		const next = page.nextAfter === null ? null : encodeCursor({ i: page.nextAfter });
		return withEtag(c, listEnvelope(page.items.map(toWire), next, page.total));
	});
}
