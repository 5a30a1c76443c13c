// Tenants: list, create, and one tenant's settings, default roles, roles and members.
import type { Hono } from "hono";
import {
	type ConsoleContext,
	type ConsoleEnv,
	done,
	formOf,
	listOf,
	noticeOf,
	type PageState,
	render,
	renderOver,
	statusOf,
	unwrap,
} from "../context";
import { CreateForm, Empty, ErrorBox, Field, PostForm, ReadOnlyNote, Section, Table, Time } from "../layout";
import type { WireRole, WireTenant, WireUser } from "./types";
import { PAGE_SIZE } from "./users";

const tenantPath = (id: string) => `/console/tenants/${encodeURIComponent(id)}`;

async function tenantsPage(c: ConsoleContext, state: PageState = {}) {
	const res = await c.var.api.get<{ tenants: WireTenant[] }>("/v1/mgmt/tenant/all");
	const tenants = unwrap(res, { tenants: [] }).tenants;
	const ro = c.var.session?.readOnly;
	return renderOver(
		c,
		{ title: "Tenants", section: "tenants" },
		state,
		res,
		<>
			<Table
				head={["Name", "Id", "Self-provisioning domains", "State", "Created"]}
				rows={tenants}
				empty="No tenants yet."
				row={(t) => (
					<tr>
						<td>
							<a href={tenantPath(t.id)}>{t.name || t.id}</a>
						</td>
						<td>
							<code>{t.id}</code>
						</td>
						<td>{t.selfProvisioningDomains.join(", ")}</td>
						<td>{t.disabled ? "disabled" : "enabled"}</td>
						<td>
							<Time ms={t.createdTime * 1000} />
						</td>
					</tr>
				)}
			/>
			{ro ? (
				<ReadOnlyNote />
			) : (
				<CreateForm
					title="Create a tenant"
					action="/console/tenants"
					csrf={c.var.csrf}
					submit="Create tenant"
				>
					<Field label="Name" name="name" required />
					<Field label="Id" name="id" hint="Optional; generated when empty" />
					<Field label="Self-provisioning domains" name="domains" hint="Comma-separated" />
				</CreateForm>
			)}
		</>,
	);
}

async function tenantPage(c: ConsoleContext, state: PageState = {}) {
	const api = c.var.api;
	const id = c.req.param("tenantId") ?? "";
	const page = Math.max(0, Number.parseInt(c.req.query("page") ?? "0", 10) || 0);
	const loaded = await api.get<WireTenant>("/v1/mgmt/tenant", { id });
	if (!loaded.ok) {
		return render(
			c,
			{ title: "Tenant", section: "tenants", error: loaded.error },
			<p>
				<a href="/console/tenants">Back to tenants</a>
			</p>,
			statusOf(loaded),
		);
	}
	const t = loaded.data;
	const [membersRes, rolesRes, settingsRes] = await Promise.all([
		api.post<{ users: WireUser[]; total: number }>("/v2/mgmt/user/search", {
			tenantIds: [id],
			limit: PAGE_SIZE,
			page,
		}),
		api.get<{ roles: WireRole[] }>("/v1/mgmt/role/all"),
		api.get<Record<string, unknown>>("/v1/mgmt/tenant/settings", { id }),
	]);
	const roles = unwrap(rolesRes, { roles: [] }).roles;
	const members = unwrap(membersRes, { users: [], total: 0 });
	const csrf = c.var.csrf;
	const ro = c.var.session?.readOnly;
	const assignable = roles.filter((r) => r.tenantId === "" || r.tenantId === id);
	return render(
		c,
		{ title: t.name || t.id, section: "tenants", notice: state.notice ?? noticeOf(c), error: state.error },
		<>
			<p>
				<a href="/console/tenants">← All tenants</a>
			</p>
			{ro ? <ReadOnlyNote /> : null}
			<Section title="Settings" id="settings">
				{ro ? (
					<dl class="facts">
						<dt>Id</dt>
						<dd>
							<code>{t.id}</code>
						</dd>
						<dt>Self-provisioning domains</dt>
						<dd>{t.selfProvisioningDomains.join(", ") || "none"}</dd>
						<dt>State</dt>
						<dd>{t.disabled ? "disabled" : "enabled"}</dd>
						<dt>Enforce SSO</dt>
						<dd>{t.enforceSSO ? "yes" : "no"}</dd>
					</dl>
				) : (
					<PostForm action={`${tenantPath(id)}/update`} csrf={csrf} class="grid">
						<p class="span">
							Id <code>{t.id}</code>, created <Time ms={t.createdTime * 1000} />
						</p>
						<Field label="Name" name="name" value={t.name} required />
						<Field
							label="Self-provisioning domains"
							name="domains"
							value={t.selfProvisioningDomains.join(", ")}
							hint="Comma-separated"
						/>
						<div class="field check">
							<input id="f-disabled" type="checkbox" name="disabled" value="true" checked={t.disabled} />
							<label for="f-disabled">Disabled</label>
						</div>
						<div class="field check">
							<input
								id="f-enforceSSO"
								type="checkbox"
								name="enforceSSO"
								value="true"
								checked={t.enforceSSO}
							/>
							<label for="f-enforceSSO">Enforce SSO</label>
						</div>
						<div class="actions">
							<button type="submit">Save tenant</button>
						</div>
					</PostForm>
				)}
				<h3>Session and domain settings</h3>
				{settingsRes.ok ? (
					Object.keys(settingsRes.data).length === 0 ? (
						<Empty>No settings configured.</Empty>
					) : (
						<dl class="facts">
							{Object.entries(settingsRes.data).map(([k, v]) => (
								<>
									<dt>{k}</dt>
									<dd>{typeof v === "object" ? JSON.stringify(v) : String(v)}</dd>
								</>
							))}
						</dl>
					)
				) : (
					<ErrorBox error={settingsRes.error} />
				)}
				<p class="muted">
					Change these with <code>POST /v1/mgmt/tenant/settings</code> (management.tenant.configureSettings).
				</p>
			</Section>

			<Section title="Default roles" id="default-roles">
				<p>New members of this tenant get these roles.</p>
				{ro ? (
					<p>{t.defaultRoles.join(", ") || "none"}</p>
				) : assignable.length === 0 ? (
					<Empty>
						No roles to choose from (<a href="/console/roles">create one</a>).
					</Empty>
				) : (
					<PostForm action={`${tenantPath(id)}/default-roles`} csrf={csrf}>
						<fieldset>
							<legend>Default roles</legend>
							{assignable.map((r) => (
								<div class="check">
									<input
										id={`dr-${r.id}`}
										type="checkbox"
										name="roles"
										value={r.name}
										checked={t.defaultRoles.includes(r.name)}
									/>
									<label for={`dr-${r.id}`}>
										{r.name} {r.tenantId ? <small class="muted">(this tenant)</small> : null}
									</label>
								</div>
							))}
						</fieldset>
						<button type="submit">Save default roles</button>
					</PostForm>
				)}
			</Section>

			<Section title="Roles of this tenant" id="tenant-roles">
				{roles.filter((r) => r.tenantId === id).length === 0 ? (
					<Empty>No roles defined for this tenant only; project roles can be assigned in it too.</Empty>
				) : (
					<ul class="plain">
						{roles
							.filter((r) => r.tenantId === id)
							.map((r) => (
								<li>
									<strong>{r.name}</strong> {r.description}{" "}
									<small class="muted">{r.permissionNames.join(", ")}</small>
								</li>
							))}
					</ul>
				)}
				<p>
					<a href={`/console/roles?tenant=${encodeURIComponent(id)}`}>Manage roles</a>
				</p>
			</Section>

			<Section title={`Members (${members.total})`} id="members">
				{membersRes.ok ? null : <ErrorBox error={membersRes.error} />}
				{members.users.length === 0 ? (
					<Empty>No members.</Empty>
				) : (
					<table>
						<thead>
							<tr>
								<th scope="col">Login id</th>
								<th scope="col">Name</th>
								<th scope="col">Roles here</th>
								<th scope="col">Status</th>
							</tr>
						</thead>
						<tbody>
							{members.users.map((u) => (
								<tr>
									<td>
										<a href={`/console/users/${encodeURIComponent(u.userId)}`}>{u.loginIds[0] ?? u.userId}</a>
									</td>
									<td>{u.name}</td>
									<td>{u.userTenants.find((m) => m.tenantId === id)?.roleNames.join(", ")}</td>
									<td>{u.status}</td>
								</tr>
							))}
						</tbody>
					</table>
				)}
				{members.total > PAGE_SIZE ? (
					<nav aria-label="Member pages" class="pager">
						{page > 0 ? (
							<a href={`${tenantPath(id)}?page=${page - 1}`} rel="prev">
								Previous
							</a>
						) : null}
						<span>
							Page {page + 1} of {Math.ceil(members.total / PAGE_SIZE)}
						</span>
						{(page + 1) * PAGE_SIZE < members.total ? (
							<a href={`${tenantPath(id)}?page=${page + 1}`} rel="next">
								Next
							</a>
						) : null}
					</nav>
				) : null}
				<p>
					<a href={`/console/users?tenant=${encodeURIComponent(id)}`}>Search this tenant's users</a>
				</p>
			</Section>

			{ro ? null : (
				<Section title="Delete" id="delete">
					<PostForm action={`${tenantPath(id)}/delete`} csrf={csrf} confirm="Delete this tenant?">
						<div class="check">
							<input id="f-cascade" type="checkbox" name="cascade" value="true" />
							<label for="f-cascade">Also remove its members from it (required while it has members)</label>
						</div>
						<button type="submit" class="danger">
							Delete tenant
						</button>
					</PostForm>
				</Section>
			)}
		</>,
		state.status ?? 200,
	);
}

export function registerTenantPages(app: Hono<ConsoleEnv>) {
	app.get("/tenants", (c) => tenantsPage(c));
	app.post("/tenants", async (c) => {
		const f = await formOf(c);
		const res = await c.var.api.post<{ id: string }>("/v1/mgmt/tenant/create", {
			name: f.name ?? "",
			id: f.id || undefined,
			selfProvisioningDomains: listOf(f.domains),
		});
		if (!res.ok) return tenantsPage(c, { error: res.error, status: statusOf(res) });
		return done(c, tenantPath(res.data.id), "tenant-created");
	});
	app.get("/tenants/:tenantId", (c) => tenantPage(c));
	app.post("/tenants/:tenantId/update", async (c) => {
		const id = c.req.param("tenantId");
		const f = await formOf(c);
		const current = await c.var.api.get<WireTenant>("/v1/mgmt/tenant", { id });
		if (!current.ok) return tenantPage(c, { error: current.error, status: statusOf(current) });
		// The update overwrites every field: what the form does not show is sent back as it was.
		const res = await c.var.api.post("/v1/mgmt/tenant/update", {
			id,
			name: f.name ?? "",
			selfProvisioningDomains: listOf(f.domains),
			customAttributes: current.data.customAttributes,
			disabled: f.disabled === "true",
			enforceSSO: f.enforceSSO === "true",
			roleInheritance: current.data.roleInheritance || undefined,
		});
		if (!res.ok) return tenantPage(c, { error: res.error, status: statusOf(res) });
		return done(c, tenantPath(id), "tenant-saved");
	});
	app.post("/tenants/:tenantId/default-roles", async (c) => {
		const id = c.req.param("tenantId");
		const body = await c.req.parseBody({ all: true });
		const roles = ([] as unknown[])
			.concat(body.roles ?? [])
			.filter((r): r is string => typeof r === "string");
		const res = await c.var.api.post("/v1/mgmt/tenant/updateDefaultRoles", { id, defaultRoles: roles });
		if (!res.ok) return tenantPage(c, { error: res.error, status: statusOf(res) });
		return done(c, tenantPath(id), "tenant-saved");
	});
	app.post("/tenants/:tenantId/delete", async (c) => {
		const id = c.req.param("tenantId");
		const f = await formOf(c);
		const res = await c.var.api.post("/v1/mgmt/tenant/delete", { id, cascade: f.cascade === "true" });
		if (!res.ok) return tenantPage(c, { error: res.error, status: statusOf(res) });
		return done(c, "/console/tenants", "tenant-deleted");
	});
}
