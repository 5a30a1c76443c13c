// Access keys (`/v1/mgmt/accesskey*`, docs/access-keys.md): list, create and rotate (the cleartext
// is shown once), activate or deactivate, delete.
import type { Hono } from "hono";
import {
	type ConsoleContext,
	type ConsoleEnv,
	done,
	formAll,
	formOf,
	listOf,
	type PageState,
	renderOver,
	statusOf,
	unwrap,
} from "../context";
import {
	Checks,
	CreateForm,
	Field,
	InlineAction,
	NameCell,
	ReadOnlyNote,
	ShownOnce,
	Table,
	TenantChecks,
	Time,
} from "../layout";
import type { WireRole, WireTenant } from "./types";

interface WireAccessKey {
	id: string;
	name: string;
	description: string;
	status: "active" | "inactive";
	roleNames: string[];
	keyTenants: { tenantId: string; roleNames: string[]; tenantName: string }[];
	createdTime: number;
	expireTime: number;
	boundUserId: string;
	permittedIps: string[];
}

type Shown = { key: WireAccessKey; cleartext: string; rotated?: boolean };

const PATH = "/console/access-keys";

async function accessKeysPage(c: ConsoleContext, state: PageState & { shown?: Shown } = {}) {
	const api = c.var.api;
	const [res, rolesRes, tenantsRes] = await Promise.all([
		api.post<{ keys: WireAccessKey[] }>("/v1/mgmt/accesskey/search", {}),
		api.get<{ roles: WireRole[] }>("/v1/mgmt/role/all"),
		api.get<{ tenants: WireTenant[] }>("/v1/mgmt/tenant/all"),
	]);
	const keys = unwrap(res, { keys: [] }).keys;
	const projectRoles = unwrap(rolesRes, { roles: [] }).roles.filter((r) => !r.tenantId);
	const tenants = unwrap(tenantsRes, { tenants: [] }).tenants;
	const ro = c.var.session?.readOnly;
	const csrf = c.var.csrf;
	const shown = state.shown;
	return renderOver(
		c,
		{ title: "Access keys", section: "access-keys" },
		state,
		res,
		<>
			<p class="muted">
				Credentials for machines: a service exchanges one for a session JWT at{" "}
				<code>POST /v1/auth/accesskey/exchange</code>.
			</p>
			{shown ? (
				<ShownOnce
					title={`Access key “${shown.key.name}” ${shown.rotated ? "rotated" : "created"}`}
					label="Access key"
					inputId="new-access-key"
					value={shown.cleartext}
					hashed
				>
					{shown.rotated ? " The previous key no longer works." : ""}
				</ShownOnce>
			) : null}
			{ro ? <ReadOnlyNote /> : null}
			<Table
				head={["Name", "Id", "Status", "Roles", "Tenants", "Created", "Expires", ro ? null : "Actions"]}
				rows={keys}
				empty="No access keys (or this key may not list them)."
				row={(k) => (
					<tr>
						<NameCell name={k.name} description={k.description}>
							{k.boundUserId ? (
								<small class="muted">
									{" "}
									bound to <a href={`/console/users/${encodeURIComponent(k.boundUserId)}`}>{k.boundUserId}</a>
								</small>
							) : null}
						</NameCell>
						<td>
							<code>{k.id}</code>
						</td>
						<td>{k.status}</td>
						<td>{k.roleNames.join(", ") || <span class="muted">none</span>}</td>
						<td>
							{k.keyTenants.length ? (
								k.keyTenants
									.map(
										(t) =>
											`${t.tenantName || t.tenantId}${t.roleNames.length ? ` (${t.roleNames.join(", ")})` : ""}`,
									)
									.join("; ")
							) : (
								<span class="muted">none</span>
							)}
							{k.permittedIps.length ? <small class="muted"> IPs {k.permittedIps.join(", ")}</small> : null}
						</td>
						<td>
							<Time ms={k.createdTime * 1000} />
						</td>
						<td>{k.expireTime ? <Time ms={k.expireTime * 1000} /> : "never"}</td>
						{ro ? null : (
							<td>
								<InlineAction
									action={`${PATH}/status`}
									csrf={csrf}
									fields={{ id: k.id, status: k.status === "active" ? "inactive" : "active" }}
									label={`${k.status === "active" ? "Deactivate" : "Activate"} access key ${k.name}`}
								>
									{k.status === "active" ? "Deactivate" : "Activate"}
								</InlineAction>
								<InlineAction
									action={`${PATH}/rotate`}
									csrf={csrf}
									fields={{ id: k.id }}
									label={`Rotate access key ${k.name}`}
									confirm={`Rotate access key ${k.name}? The current key stops working at once.`}
								>
									Rotate
								</InlineAction>
								<InlineAction
									action={`${PATH}/delete`}
									csrf={csrf}
									fields={{ id: k.id }}
									label={`Delete access key ${k.name}`}
									confirm={`Delete access key ${k.name}? It stops working at once.`}
								>
									Delete
								</InlineAction>
							</td>
						)}
					</tr>
				)}
			/>
			{ro ? null : (
				<CreateForm title="Create an access key" action={PATH} csrf={csrf} submit="Create access key">
					<Field label="Name" name="name" required />
					<Field label="Description" name="description" />
					<Field label="Expires in (days)" name="expiresInDays" type="number" hint="Empty: never" />
					<Field label="Bound user id" name="userId" hint="Optional: the user this key acts for" />
					<Field
						label="Permitted IPs"
						name="permittedIps"
						hint="Addresses or CIDR ranges, comma-separated; empty: any"
					/>
					{projectRoles.length ? (
						<Checks
							class="span"
							legend="Project roles"
							name="roleNames"
							prefix="akr"
							options={projectRoles.map((r) => ({ key: r.id, value: r.name, label: r.name }))}
						/>
					) : null}
					<TenantChecks
						legend="Tenants (without roles; set tenant roles through the API)"
						prefix="akt"
						tenants={tenants}
					/>
				</CreateForm>
			)}
		</>,
	);
}

export function registerAccessKeyPages(app: Hono<ConsoleEnv>) {
	app.get("/access-keys", (c) => accessKeysPage(c));
	app.post("/access-keys", async (c) => {
		const f = await formOf(c);
		const days = Number(f.expiresInDays || "0");
		const res = await c.var.api.post<{ key: WireAccessKey; cleartext: string }>("/v1/mgmt/accesskey/create", {
			name: f.name ?? "",
			description: f.description || undefined,
			expireTime:
				Number.isFinite(days) && days > 0 ? Math.floor(Date.now() / 1000) + Math.round(days * 86_400) : 0,
			userId: f.userId?.trim() || undefined,
			permittedIps: listOf(f.permittedIps),
			roleNames: await formAll(c, "roleNames"),
			keyTenants: (await formAll(c, "tenantIds")).map((tenantId) => ({ tenantId, roleNames: [] })),
		});
		if (!res.ok) return accessKeysPage(c, { error: res.error, status: statusOf(res) });
		// Rendered, not redirected: the cleartext must never sit in a URL or a later page.
		return accessKeysPage(c, { shown: res.data });
	});
	app.post("/access-keys/rotate", async (c) => {
		const f = await formOf(c);
		const res = await c.var.api.post<{ key: WireAccessKey; cleartext: string }>("/v1/mgmt/accesskey/rotate", {
			id: f.id ?? "",
		});
		if (!res.ok) return accessKeysPage(c, { error: res.error, status: statusOf(res) });
		return accessKeysPage(c, { shown: { ...res.data, rotated: true } });
	});
	app.post("/access-keys/status", async (c) => {
		const f = await formOf(c);
		const verb = f.status === "active" ? "activate" : "deactivate";
		const res = await c.var.api.post(`/v1/mgmt/accesskey/${verb}`, { id: f.id ?? "" });
		if (!res.ok) return accessKeysPage(c, { error: res.error, status: statusOf(res) });
		return done(c, PATH, "access-key-saved");
	});
	app.post("/access-keys/delete", async (c) => {
		const f = await formOf(c);
		const res = await c.var.api.post("/v1/mgmt/accesskey/delete", { id: f.id ?? "" });
		if (!res.ok) return accessKeysPage(c, { error: res.error, status: statusOf(res) });
		return done(c, PATH, "access-key-deleted");
	});
}
