// SSO applications (`/v1/mgmt/sso/idp/app/*`): the registry users are assigned to.
import type { Hono } from "hono";
import {
	type ConsoleContext,
	type ConsoleEnv,
	done,
	formOf,
	type PageState,
	renderOver,
	statusOf,
	unwrap,
} from "../context";
import { CreateForm, Empty, Field, InlineAction, ReadOnlyNote } from "../layout";

interface WireApp {
	id: string;
	name: string;
	description: string;
	enabled: boolean;
	logo: string;
	appType: string;
	oidcSettings: { loginPageUrl: string; forceAuthentication: boolean };
}

async function appsPage(c: ConsoleContext, state: PageState = {}) {
	const res = await c.var.api.get<{ apps: WireApp[] }>("/v1/mgmt/sso/idp/apps/load");
	const apps = unwrap(res, { apps: [] }).apps;
	const ro = c.var.session?.readOnly;
	const csrf = c.var.csrf;
	return renderOver(
		c,
		{ title: "SSO applications", section: "sso-apps" },
		state,
		res,
		<>
			{ro ? <ReadOnlyNote /> : null}
			{apps.length === 0 ? (
				<Empty>No SSO applications are registered.</Empty>
			) : (
				<table>
					<thead>
						<tr>
							<th scope="col">Name</th>
							<th scope="col">Id</th>
							<th scope="col">Type</th>
							<th scope="col">Login page</th>
							<th scope="col">State</th>
							{ro ? null : <th scope="col">Actions</th>}
						</tr>
					</thead>
					<tbody>
						{apps.map((a) => (
							<tr>
								<td>{a.name}</td>
								<td>
									<code>{a.id}</code>
								</td>
								<td>{a.appType}</td>
								<td>{a.oidcSettings.loginPageUrl}</td>
								<td>{a.enabled ? "enabled" : "disabled"}</td>
								{ro ? null : (
									<td>
										{a.appType === "oidc" ? (
											<InlineAction action="/console/sso-apps/toggle" csrf={csrf} fields={{ id: a.id }}>
												{a.enabled ? "Disable" : "Enable"}
											</InlineAction>
										) : null}
										<InlineAction
											action="/console/sso-apps/delete"
											csrf={csrf}
											fields={{ id: a.id }}
											label={`Delete application ${a.name}`}
											confirm={`Delete ${a.name}? Users lose it.`}
										>
											Delete
										</InlineAction>
									</td>
								)}
							</tr>
						))}
					</tbody>
				</table>
			)}
			{ro ? null : (
				<CreateForm
					title="Register an OIDC application"
					action="/console/sso-apps"
					csrf={csrf}
					submit="Register application"
				>
					<Field label="Name" name="name" required />
					<Field label="Login page URL" name="loginPageUrl" type="url" required />
					<Field label="Description" name="description" />
					<Field label="Id" name="id" hint="Optional; generated when empty" />
				</CreateForm>
			)}
		</>,
	);
}

export function registerSsoAppPages(app: Hono<ConsoleEnv>) {
	app.get("/sso-apps", (c) => appsPage(c));
	app.post("/sso-apps", async (c) => {
		const f = await formOf(c);
		const res = await c.var.api.post("/v1/mgmt/sso/idp/app/oidc/create", {
			name: f.name ?? "",
			loginPageUrl: f.loginPageUrl ?? "",
			description: f.description || undefined,
			id: f.id || undefined,
		});
		if (!res.ok) return appsPage(c, { error: res.error, status: statusOf(res) });
		return done(c, "/console/sso-apps", "app-created");
	});
	app.post("/sso-apps/toggle", async (c) => {
		const f = await formOf(c);
		const loaded = await c.var.api.get<WireApp>("/v1/mgmt/sso/idp/app/load", { id: f.id ?? "" });
		if (!loaded.ok) return appsPage(c, { error: loaded.error, status: statusOf(loaded) });
		const a = loaded.data;
		const res = await c.var.api.post("/v1/mgmt/sso/idp/app/oidc/update", {
			id: a.id,
			name: a.name,
			loginPageUrl: a.oidcSettings.loginPageUrl,
			description: a.description,
			logo: a.logo,
			forceAuthentication: a.oidcSettings.forceAuthentication,
			enabled: !a.enabled,
		});
		if (!res.ok) return appsPage(c, { error: res.error, status: statusOf(res) });
		return done(c, "/console/sso-apps", "app-saved");
	});
	app.post("/sso-apps/delete", async (c) => {
		const f = await formOf(c);
		const res = await c.var.api.post("/v1/mgmt/sso/idp/app/delete", { id: f.id ?? "" });
		if (!res.ok) return appsPage(c, { error: res.error, status: statusOf(res) });
		return done(c, "/console/sso-apps", "app-deleted");
	});
}
