// Identity providers through the partner API (`/api/partner/v1/identity-providers`,
// docs/federation.md): tenant SSO configurations and project-level OAuth providers, with the one
// callback URL every provider of the project returns to. Configuring them is the Descope dialect's.
import type { Hono } from "hono";
import { publicOrigin } from "../../api/public-origin";
import { federationCallbackUrl } from "../../domain/federation/callback";
import { type ConsoleContext, type ConsoleEnv, partnerList, renderOver } from "../context";
import { NextPage, Table } from "../layout";

export interface WireIdentityProvider {
	Id: string;
	Name: string;
	Prefix: string;
	Enabled: boolean;
	Kind: "sso" | "oauth";
	OrganizationId: string | null;
}

const PATH = "/console/identity-providers";

async function identityProvidersPage(c: ConsoleContext) {
	const res = await partnerList<WireIdentityProvider>(c, "/identity-providers");
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
			<Table
				head={["Name", "Kind", "Tenant", "Login-id prefix", "State", "Callback URL"]}
				rows={items}
				empty={
					<>
						No identity providers. Configure one with <code>management.sso.configureOIDCSettings</code> or{" "}
						<code>POST /v1/mgmt/oauth/provider</code> (docs/federation.md).
					</>
				}
				row={(p) => (
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
				)}
			/>
			<NextPage path={PATH} cursor={res.ok ? res.data.NextCursor : null} />
		</>,
	);
}

export function registerIdentityProviderPages(app: Hono<ConsoleEnv>) {
	app.get("/identity-providers", (c) => identityProvidersPage(c));
}
