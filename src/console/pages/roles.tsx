// Roles and permissions: list, create, edit, delete (`/v1/mgmt/role/*`, `/v1/mgmt/permission/*`).
import type { Hono } from "hono";
import {
	type ConsoleContext,
	type ConsoleEnv,
	done,
	formOf,
	noticeOf,
	type PageState,
	render,
	statusOf,
	unwrap,
} from "../context";
import { Checks, Empty, Field, InlineAction, PostForm, ReadOnlyNote, Section } from "../layout";
import type { WirePermission, WireRole, WireTenant } from "./types";

const PermissionChecks = ({
	permissions,
	chosen,
	prefix,
}: {
	permissions: WirePermission[];
	chosen: string[];
	prefix: string;
}) =>
	permissions.length === 0 ? (
		<p class="muted">No permissions defined yet.</p>
	) : (
		<Checks
			legend="Permissions"
			name="permissions"
			prefix={prefix}
			options={permissions.map((p) => ({
				key: p.name,
				value: p.name,
				label: p.name,
				checked: chosen.includes(p.name),
			}))}
		/>
	);

async function rolesPage(c: ConsoleContext, state: PageState = {}) {
	const api = c.var.api;
	const [rolesRes, permsRes, tenantsRes] = await Promise.all([
		api.get<{ roles: WireRole[] }>("/v1/mgmt/role/all"),
		api.get<{ permissions: WirePermission[] }>("/v1/mgmt/permission/all"),
		api.get<{ tenants: WireTenant[] }>("/v1/mgmt/tenant/all"),
	]);
	const tenantFilter = c.req.query("tenant") ?? "";
	const all = unwrap(rolesRes, { roles: [] }).roles;
	const roles = tenantFilter ? all.filter((r) => r.tenantId === tenantFilter || r.tenantId === "") : all;
	const permissions = unwrap(permsRes, { permissions: [] }).permissions;
	const tenants = unwrap(tenantsRes, { tenants: [] }).tenants;
	const tenantName = (id: string) => tenants.find((t) => t.id === id)?.name ?? id;
	const ro = c.var.session?.readOnly;
	const csrf = c.var.csrf;
	const failed = [rolesRes, permsRes].find((r) => !r.ok);
	return render(
		c,
		{
			title: "Roles & permissions",
			section: "roles",
			notice: state.notice ?? noticeOf(c),
			error: state.error ?? (failed && !failed.ok ? failed.error : null),
		},
		<>
			{ro ? <ReadOnlyNote /> : null}
			<Section title="Roles" id="roles">
				{tenantFilter ? (
					<p>
						Project roles and roles of tenant <strong>{tenantName(tenantFilter)}</strong>.{" "}
						<a href="/console/roles">Show all</a>
					</p>
				) : null}
				{roles.length === 0 ? (
					<Empty>No roles yet.</Empty>
				) : (
					<table>
						<thead>
							<tr>
								<th scope="col">Name</th>
								<th scope="col">Scope</th>
								<th scope="col">Description</th>
								<th scope="col">Permissions</th>
								{ro ? null : <th scope="col">Actions</th>}
							</tr>
						</thead>
						<tbody>
							{roles.map((r) => (
								<tr>
									<td>
										<strong>{r.name}</strong>
										{r.default ? <span class="badge">default</span> : null}
									</td>
									<td>{r.tenantId ? `tenant ${tenantName(r.tenantId)}` : "project"}</td>
									<td>{r.description}</td>
									<td>{r.permissionNames.join(", ")}</td>
									{ro ? null : (
										<td>
											<details>
												<summary>Edit</summary>
												<PostForm action="/console/roles/update" csrf={csrf} class="stack">
													<input type="hidden" name="id" value={r.id} />
													<Field label="Name" name="newName" value={r.name} required id={`rn-${r.id}`} />
													<Field
														label="Description"
														name="description"
														value={r.description}
														id={`rd-${r.id}`}
													/>
													<PermissionChecks
														permissions={permissions}
														chosen={r.permissionNames}
														prefix={`rp-${r.id}`}
													/>
													<button type="submit">Save role</button>
												</PostForm>
											</details>
											<InlineAction
												action="/console/roles/delete"
												csrf={csrf}
												fields={{ id: r.id }}
												label={`Delete role ${r.name}`}
												confirm={`Delete role ${r.name}? Users lose it.`}
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
					<>
						<h3>Create a role</h3>
						<PostForm action="/console/roles" csrf={csrf} class="stack">
							<Field label="Name" name="name" required id="new-role-name" />
							<Field label="Description" name="description" id="new-role-description" />
							<div class="field">
								<label for="new-role-tenant">Scope</label>
								<select id="new-role-tenant" name="tenantId">
									<option value="">Project-wide</option>
									{tenants.map((t) => (
										<option value={t.id} selected={t.id === tenantFilter}>
											Tenant {t.name || t.id}
										</option>
									))}
								</select>
							</div>
							<div class="check">
								<input id="new-role-default" type="checkbox" name="default" value="true" />
								<label for="new-role-default">Default role (given to new users / members)</label>
							</div>
							<PermissionChecks permissions={permissions} chosen={[]} prefix="np" />
							<button type="submit">Create role</button>
						</PostForm>
					</>
				)}
			</Section>

			<Section title="Permissions" id="permissions">
				{permissions.length === 0 ? (
					<Empty>No permissions yet.</Empty>
				) : (
					<table>
						<thead>
							<tr>
								<th scope="col">Name</th>
								<th scope="col">Description</th>
								{ro ? null : <th scope="col">Actions</th>}
							</tr>
						</thead>
						<tbody>
							{permissions.map((p) => (
								<tr>
									<td>{p.name}</td>
									<td>{p.description}</td>
									{ro ? null : (
										<td>
											<details>
												<summary>Edit</summary>
												<PostForm action="/console/permissions/update" csrf={csrf} class="stack">
													<input type="hidden" name="name" value={p.name} />
													<Field label="Name" name="newName" value={p.name} required id={`pn-${p.name}`} />
													<Field
														label="Description"
														name="description"
														value={p.description}
														id={`pd-${p.name}`}
													/>
													<button type="submit">Save permission</button>
												</PostForm>
											</details>
											<InlineAction
												action="/console/permissions/delete"
												csrf={csrf}
												fields={{ name: p.name }}
												label={`Delete permission ${p.name}`}
												confirm={`Delete permission ${p.name}?`}
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
					<>
						<h3>Create a permission</h3>
						<PostForm action="/console/permissions" csrf={csrf} class="row">
							<Field label="Name" name="name" required id="new-permission-name" />
							<Field label="Description" name="description" id="new-permission-description" />
							<button type="submit">Create permission</button>
						</PostForm>
					</>
				)}
			</Section>
		</>,
		state.status ?? 200,
	);
}

async function permissionsOf(c: ConsoleContext) {
	const body = await c.req.parseBody({ all: true });
	return ([] as unknown[]).concat(body.permissions ?? []).filter((p): p is string => typeof p === "string");
}

export function registerRolePages(app: Hono<ConsoleEnv>) {
	app.get("/roles", (c) => rolesPage(c));
	const write = (
		path: string,
		body: (c: ConsoleContext, f: Record<string, string>) => Promise<unknown> | unknown,
		notice: string,
	) =>
		app.post(path, async (c) => {
			const f = await formOf(c);
			const [api, payload] = (await body(c, f)) as [string, unknown];
			const res = await c.var.api.post(api, payload);
			if (!res.ok) return rolesPage(c, { error: res.error, status: statusOf(res) });
			return done(c, "/console/roles", notice);
		});
	write(
		"/roles",
		async (c, f) => [
			"/v1/mgmt/role/create",
			{
				name: f.name ?? "",
				description: f.description ?? "",
				tenantId: f.tenantId || undefined,
				default: f.default === "true",
				permissionNames: await permissionsOf(c),
			},
		],
		"role-created",
	);
	write(
		"/roles/update",
		async (c, f) => [
			"/v1/mgmt/role/update",
			{
				id: f.id ?? "",
				newName: f.newName ?? "",
				description: f.description ?? "",
				permissionNames: await permissionsOf(c),
			},
		],
		"role-saved",
	);
	write("/roles/delete", (_c, f) => ["/v1/mgmt/role/delete", { id: f.id ?? "" }], "role-deleted");
	write(
		"/permissions",
		(_c, f) => ["/v1/mgmt/permission/create", { name: f.name ?? "", description: f.description ?? "" }],
		"permission-created",
	);
	write(
		"/permissions/update",
		(_c, f) => [
			"/v1/mgmt/permission/update",
			{ name: f.name ?? "", newName: f.newName ?? "", description: f.description ?? "" },
		],
		"role-saved",
	);
	write(
		"/permissions/delete",
		(_c, f) => ["/v1/mgmt/permission/delete", { name: f.name ?? "" }],
		"permission-deleted",
	);
}
