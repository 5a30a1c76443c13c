// Management keys (`/v1/mgmt/managementkey*`): list, create (the cleartext is shown once), activate
// or deactivate, delete.
import type { Hono } from "hono";
import {
	type ConsoleContext,
	type ConsoleEnv,
	done,
	formOf,
	listOf,
	type PageState,
	renderOver,
	statusOf,
	unwrap,
} from "../context";
import {
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
import type { WireTenant } from "./types";

interface WireKey {
	id: string;
	name: string;
	description: string;
	status: "active" | "inactive";
	createdTime: number;
	expireTime: number;
	lastUsedTime: number;
	permittedIps: string[];
	readOnly: boolean;
	tenantIds: string[];
}

async function keysPage(
	c: ConsoleContext,
	state: PageState & { created?: { key: WireKey; cleartext: string } } = {},
) {
	const api = c.var.api;
	const [res, tenantsRes] = await Promise.all([
		api.get<{ keys: WireKey[] }>("/v1/mgmt/managementkey/search"),
		api.get<{ tenants: WireTenant[] }>("/v1/mgmt/tenant/all"),
	]);
	const keys = unwrap(res, { keys: [] }).keys;
	const tenants = unwrap(tenantsRes, { tenants: [] }).tenants;
	const ro = c.var.session?.readOnly;
	const csrf = c.var.csrf;
	return renderOver(
		c,
		{ title: "Management keys", section: "keys" },
		state,
		res,
		<>
			{state.created ? (
				<ShownOnce
					title={`Key “${state.created.key.name}” created`}
					label="Management key"
					inputId="new-key"
					value={state.created.cleartext}
					hashed
				/>
			) : null}
			{ro ? <ReadOnlyNote /> : null}
			<Table
				head={["Name", "Id", "Status", "Scope", "Created", "Last used", "Expires", ro ? null : "Actions"]}
				rows={keys}
				empty="No keys (or this key may not list them)."
				row={(k) => (
					<tr>
						<NameCell name={k.name} description={k.description} />
						<td>
							<code>{k.id}</code>
						</td>
						<td>{k.status}</td>
						<td>
							{[
								k.readOnly ? "read-only" : "read-write",
								k.tenantIds.length ? `tenants ${k.tenantIds.join(", ")}` : "",
								k.permittedIps.length ? `IPs ${k.permittedIps.join(", ")}` : "",
							]
								.filter(Boolean)
								.join("; ")}
						</td>
						<td>
							<Time ms={k.createdTime * 1000} />
						</td>
						<td>
							<Time ms={k.lastUsedTime * 1000} />
						</td>
						<td>{k.expireTime ? <Time ms={k.expireTime * 1000} /> : "never"}</td>
						{ro ? null : (
							<td>
								<InlineAction
									action="/console/keys/status"
									csrf={csrf}
									fields={{ id: k.id, status: k.status === "active" ? "inactive" : "active" }}
									label={`${k.status === "active" ? "Deactivate" : "Activate"} key ${k.name}`}
								>
									{k.status === "active" ? "Deactivate" : "Activate"}
								</InlineAction>
								<InlineAction
									action="/console/keys/delete"
									csrf={csrf}
									fields={{ id: k.id }}
									label={`Delete key ${k.name}`}
									confirm={`Delete key ${k.name}? It stops working at once.`}
								>
									Delete
								</InlineAction>
							</td>
						)}
					</tr>
				)}
			/>
			{ro ? null : (
				<CreateForm title="Create a key" action="/console/keys" csrf={csrf} submit="Create key">
					<Field label="Name" name="name" required />
					<Field label="Description" name="description" />
					<Field label="Expires in (days)" name="expiresInDays" type="number" hint="Empty: never" />
					<Field
						label="Permitted IPs"
						name="permittedIps"
						hint="Addresses or CIDR ranges, comma-separated; empty: any"
					/>
					<div class="field check">
						<input id="f-readOnly" type="checkbox" name="readOnly" value="true" />
						<label for="f-readOnly">Read-only</label>
					</div>
					<TenantChecks legend="Bind to tenants (optional)" prefix="kt" tenants={tenants} />
				</CreateForm>
			)}
		</>,
	);
}

export function registerKeyPages(app: Hono<ConsoleEnv>) {
	app.get("/keys", (c) => keysPage(c));
	app.post("/keys", async (c) => {
		const f = await formOf(c);
		const body = await c.req.parseBody({ all: true });
		const tenantIds = ([] as unknown[])
			.concat(body.tenantIds ?? [])
			.filter((t): t is string => typeof t === "string");
		const days = Number(f.expiresInDays || "0");
		const res = await c.var.api.put<{ key: WireKey; cleartext: string }>("/v1/mgmt/managementkey", {
			name: f.name ?? "",
			description: f.description || undefined,
			expiresIn: Number.isFinite(days) && days > 0 ? Math.round(days * 86_400) : undefined,
			permittedIps: listOf(f.permittedIps),
			readOnly: f.readOnly === "true",
			tenantIds,
		});
		if (!res.ok) return keysPage(c, { error: res.error, status: statusOf(res) });
		// Rendered, not redirected: the cleartext must never sit in a URL or a later page.
		return keysPage(c, { created: res.data });
	});
	app.post("/keys/status", async (c) => {
		const f = await formOf(c);
		const loaded = await c.var.api.get<{ key: WireKey }>("/v1/mgmt/managementkey", { id: f.id ?? "" });
		if (!loaded.ok) return keysPage(c, { error: loaded.error, status: statusOf(loaded) });
		const res = await c.var.api.patch("/v1/mgmt/managementkey", {
			id: loaded.data.key.id,
			name: loaded.data.key.name,
			// Absent would clear it.
			description: loaded.data.key.description,
			status: f.status === "active" ? "active" : "inactive",
		});
		if (!res.ok) return keysPage(c, { error: res.error, status: statusOf(res) });
		return done(c, "/console/keys", "key-saved");
	});
	app.post("/keys/delete", async (c) => {
		const f = await formOf(c);
		const res = await c.var.api.post("/v1/mgmt/managementkey/delete", { ids: [f.id ?? ""] });
		if (!res.ok) return keysPage(c, { error: res.error, status: statusOf(res) });
		return done(c, "/console/keys", "key-deleted");
	});
}
