// Identity providers through the partner API (`/api/partner/v1/identity-providers`,
// docs/federation.md): tenant SSO configurations and project-level OAuth providers, with the one
// callback URL every provider of the project returns to. Configuring them is the Descope dialect's.
import type { Hono } from "hono";
import { publicOrigin } from "../../api/public-origin";
import { federationCallbackUrl } from "../../domain/federation/callback";
import { type ConsoleContext, type ConsoleEnv, renderOver } from "../context";
import { Empty } from "../layout";

export interface WireIdentityProvider {
	Id: string;
	Name: string;
	Prefix: string;
	Enabled: boolean;
	Kind: "sso" | "oauth";
	OrganizationId: string | null;
}

async function identityProvidersPage(c: ConsoleContext) {
	const cursor = c.req.query("cursor") ?? "";
	const qs = new URLSearchParams({ limit: "100", ...(cursor ? { cursor } : {}) });
	const res = await c.var.api.partner<{ Items: WireIdentityProvider[]; NextCursor: string | null }>(
		"GET",
		`/identity-providers?${qs}`,
	);
	const items = res.ok ? res.data.Items : [];
	const callback = federationCallbackUrl(publicOrigin(c), c.var.session?.projectId ?? "");
	return renderOver(
		c,
		{ title: "Identity providers", section: "identity-providers" },
		{},
		res,
		<>
			<section class="card" aria-labelledby="callback-h">
				<h2 id="callback-h">Callback URL</h2>
				<p>Register this URL as the redirect URI at every provider of this project.</p>
				<label for="callback-url">Callback URL</label>
				<input id="callback-url" readonly value={callback} data-select-on-focus />
			</section>
			{items.length === 0 ? (
				<Empty>
					No identity providers. Configure one with <code>management.sso.configureOIDCSettings</code> or{" "}
					<code>POST /v1/mgmt/oauth/provider</code> (docs/federation.md).
				</Empty>
			) : (
				<div class="table-wrap">
					<table>
						<thead>
							<tr>
								<th scope="col">Name</th>
								<th scope="col">Kind</th>
								<th scope="col">Tenant</th>
								<th scope="col">Login-id prefix</th>
								<th scope="col">State</th>
								<th scope="col">Callback URL</th>
							</tr>
						</thead>
						<tbody>
							{items.map((p) => (
								<tr>
									<td>
										{p.Name} <small class="muted">{p.Id}</small>
									</td>
									<td>{p.Kind === "sso" ? "tenant SSO (OIDC)" : "OAuth provider (OIDC)"}</td>
									<td>
										{p.OrganizationId ? (
											<a href={`/console/tenants/${encodeURIComponent(p.OrganizationId)}`}>
												<code>{p.OrganizationId}</code>
											</a>
										) : (
											"project"
										)}
									</td>
									<td>{p.Prefix ? <code>{p.Prefix}</code> : "none"}</td>
									<td>{p.Enabled ? "enabled" : "disabled"}</td>
									<td>
										<code>{callback}</code>
									</td>
								</tr>
							))}
						</tbody>
					</table>
				</div>
			)}
			{res.ok && res.data.NextCursor ? (
				<nav aria-label="Pages" class="pager">
					<a
						href={`/console/identity-providers?cursor=${encodeURIComponent(res.data.NextCursor)}`}
						rel="next"
					>
						Next
					</a>
				</nav>
			) : null}
		</>,
	);
}

export function registerIdentityProviderPages(app: Hono<ConsoleEnv>) {
	app.get("/identity-providers", (c) => identityProvidersPage(c));
}
