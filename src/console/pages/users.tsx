// Users: search with the API's filters (`POST /v2/mgmt/user/search`), paged through every match.
import type { Hono } from "hono";
import type { FC } from "hono/jsx";
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
import { CreateForm, Field, ReadOnlyNote, Table, Time } from "../layout";
import type { WireRole, WireTenant, WireUser } from "./types";

export const PAGE_SIZE = 50;
const n = (v: number) => v.toLocaleString("en");
const STATUSES = ["enabled", "disabled", "invited"] as const;

interface Filters {
	text: string;
	status: string;
	tenant: string;
	role: string;
	loginId: string;
	email: string;
	page: number;
}

function filtersOf(c: ConsoleContext): Filters {
	const q = (name: string) => (c.req.query(name) ?? "").trim();
	const page = Number.parseInt(q("page") || "0", 10);
	return {
		text: q("text"),
		status: q("status"),
		tenant: q("tenant"),
		role: q("role"),
		loginId: q("loginId"),
		email: q("email"),
		page: Number.isFinite(page) && page > 0 ? page : 0,
	};
}

function searchBody(f: Filters) {
	// The API orders newest first by default.
	const body: Record<string, unknown> = { limit: PAGE_SIZE, page: f.page };
	if (f.text) body.text = f.text;
	if (f.status) body.statuses = [f.status];
	if (f.tenant) body.tenantIds = [f.tenant];
	if (f.role) body.roleNames = [f.role];
	if (f.loginId) body.loginIds = listOf(f.loginId);
	if (f.email) body.emails = listOf(f.email);
	return body;
}

const pageLink = (f: Filters, page: number) => {
	const params = new URLSearchParams();
	for (const [k, v] of Object.entries(f)) if (k !== "page" && v) params.set(k, String(v));
	if (page) params.set("page", String(page));
	const qs = params.toString();
	return `/console/users${qs ? `?${qs}` : ""}`;
};

const Select: FC<{ label: string; name: string; value: string; options: [string, string][]; any: string }> = (
	p,
) => (
	<div class="field">
		<label for={`f-${p.name}`}>{p.label}</label>
		<select id={`f-${p.name}`} name={p.name}>
			<option value="">{p.any}</option>
			{p.options.map(([value, label]) => (
				<option value={value} selected={value === p.value}>
					{label}
				</option>
			))}
		</select>
	</div>
);

async function usersPage(c: ConsoleContext, state: PageState = {}) {
	const api = c.var.api;
	const f = filtersOf(c);
	const [found, tenantsRes, rolesRes] = await Promise.all([
		api.post<{ users: WireUser[]; total: number }>("/v2/mgmt/user/search", searchBody(f)),
		api.get<{ tenants: WireTenant[] }>("/v1/mgmt/tenant/all"),
		api.get<{ roles: WireRole[] }>("/v1/mgmt/role/all"),
	]);
	const tenants = unwrap(tenantsRes, { tenants: [] }).tenants;
	const roles = unwrap(rolesRes, { roles: [] }).roles.filter((r) => !r.tenantId);
	const users = found.ok ? found.data.users : [];
	const total = found.ok ? found.data.total : 0;
	const first = f.page * PAGE_SIZE;
	const lastPage = Math.max(0, Math.ceil(total / PAGE_SIZE) - 1);
	const filtered = Object.entries(f).some(([k, v]) => k !== "page" && v);
	const readOnly = c.var.session?.readOnly;
	return renderOver(
		c,
		{ title: "Users", section: "users" },
		state,
		found,
		<>
			<form method="get" action="/console/users" class="card filters" aria-label="Search users">
				<Field label="Text" name="text" value={f.text} hint="Login id, name, email or phone contains" />
				<Select
					label="Status"
					name="status"
					value={f.status}
					any="Any status"
					options={STATUSES.map((s) => [s, s])}
				/>
				<Select
					label="Tenant"
					name="tenant"
					value={f.tenant}
					any="Any tenant"
					options={tenants.map((t) => [t.id, t.name || t.id])}
				/>
				<Select
					label="Role"
					name="role"
					value={f.role}
					any="Any role"
					options={roles.map((r) => [r.name, r.name])}
				/>
				<Field label="Login ids" name="loginId" value={f.loginId} hint="Exact; comma-separated" />
				<Field label="Emails" name="email" value={f.email} hint="Exact; comma-separated" />
				<div class="actions">
					<button type="submit">Search</button>
					{filtered ? <a href="/console/users">Clear filters</a> : null}
				</div>
			</form>
			<section aria-labelledby="results-h">
				<h2 id="results-h">
					{total === 0
						? "No users"
						: `Users ${n(first + 1)}–${n(Math.min(first + users.length, total))} of ${n(total)}`}
				</h2>
				<Table
					head={["Login id", "Name", "Email", "Status", "Tenants", "Created"]}
					rows={users}
					empty={filtered ? "No user matches these filters." : "This project has no users yet."}
					row={(u) => (
						<tr>
							<td>
								<a href={`/console/users/${encodeURIComponent(u.userId)}`}>{u.loginIds[0] ?? u.userId}</a>
							</td>
							<td>{u.name}</td>
							<td>{u.email}</td>
							<td>
								<span class={`status status-${u.status}`}>{u.status}</span>
							</td>
							<td>{u.userTenants.map((t) => t.tenantName || t.tenantId).join(", ")}</td>
							<td>
								<Time ms={u.createdTime * 1000} />
							</td>
						</tr>
					)}
				/>
				{total > PAGE_SIZE ? (
					<nav aria-label="Pages" class="pager">
						{f.page > 0 ? <a href={pageLink(f, 0)}>First</a> : null}
						{f.page > 0 ? (
							<a href={pageLink(f, f.page - 1)} rel="prev">
								Previous
							</a>
						) : null}
						<span>
							Page {f.page + 1} of {lastPage + 1}
						</span>
						{f.page < lastPage ? (
							<a href={pageLink(f, f.page + 1)} rel="next">
								Next
							</a>
						) : null}
						{f.page < lastPage ? <a href={pageLink(f, lastPage)}>Last</a> : null}
					</nav>
				) : null}
			</section>
			{readOnly ? (
				<ReadOnlyNote />
			) : (
				<CreateForm title="Create a user" action="/console/users" csrf={c.var.csrf} submit="Create user">
					<Field label="Login id" name="loginId" required />
					<Field label="Email" name="email" type="email" />
					<Field label="Display name" name="name" />
					<Field label="Phone" name="phone" type="tel" hint="E.164, e.g. +14155550100" />
				</CreateForm>
			)}
		</>,
	);
}

export function registerUsersPages(app: Hono<ConsoleEnv>) {
	app.get("/users", (c) => usersPage(c));
	app.post("/users", async (c) => {
		const form = await formOf(c);
		const body: Record<string, unknown> = { loginId: form.loginId ?? "" };
		for (const k of ["email", "name", "phone"] as const) if (form[k]) body[k] = form[k];
		const res = await c.var.api.post<{ user: WireUser }>("/v1/mgmt/user/create", body);
		if (!res.ok) return usersPage(c, { error: res.error, status: statusOf(res) });
		return done(c, `/console/users/${encodeURIComponent(res.data.user.userId)}`, "user-created");
	});
}
