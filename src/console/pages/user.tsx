// One user: profile, status, roles, tenants, custom attributes, login ids, passkeys, sessions,
// sign-in history and activity; every change is one call of the management API.
import type { Hono } from "hono";
import type { FC } from "hono/jsx";
import type { ApiResult } from "../api-client";
import {
	type ConsoleContext,
	type ConsoleEnv,
	done,
	formOf,
	listOf,
	noticeOf,
	type PageState,
	render,
	statusOf,
	unwrap,
} from "../context";
import { Empty, ErrorBox, Field, InlineAction, PostForm, ReadOnlyNote, Section, Time } from "../layout";
import {
	ATTRIBUTE_TYPES,
	type WireAttribute,
	type WireAudit,
	type WireRole,
	type WireTenant,
	type WireUser,
} from "./types";

interface Passkey {
	id: string;
	displayName: string;
	kind: string;
	rpId: string;
	createdTime: number;
}
interface History {
	loginTime: number;
	loginId: string;
	method: string;
	outcome: string;
	ip: string;
	city: string;
	country: string;
	userAgent: string;
}

const userPath = (id: string, rest = "") => `/console/users/${encodeURIComponent(id)}${rest}`;

/** A section whose data the API refused shows the refusal instead. */
const Refused: FC<{ res: ApiResult<unknown> }> = ({ res }) =>
	res.ok ? null : <ErrorBox error={res.error} />;

const attributeText = (v: unknown) => {
	if (v === undefined || v === null) return "";
	if (Array.isArray(v)) return v.join(", ");
	return String(v);
};

function attributeValue(def: WireAttribute | undefined, raw: string): unknown {
	const text = raw.trim();
	if (text === "") return null;
	switch (def?.type) {
		case 2:
		case 6:
			return Number(text);
		case 3:
			return text === "true";
		case 5:
			return listOf(text);
		default:
			return text;
	}
}

async function userPage(c: ConsoleContext, state: PageState = {}) {
	const api = c.var.api;
	const userId = c.req.param("userId") ?? "";
	const loaded = await api.get<{ user: WireUser }>("/v1/mgmt/user", { userId });
	if (!loaded.ok) {
		return render(
			c,
			{ title: "User", section: "users", error: loaded.error },
			<p>
				<a href="/console/users">Back to users</a>
			</p>,
			statusOf(loaded),
		);
	}
	const u = loaded.data.user;
	const [rolesRes, tenantsRes, attrsRes, passkeysRes, historyRes, auditRes] = await Promise.all([
		api.get<{ roles: WireRole[] }>("/v1/mgmt/role/all"),
		api.get<{ tenants: WireTenant[] }>("/v1/mgmt/tenant/all"),
		api.get<{ data: WireAttribute[] }>("/v1/mgmt/user/customattributes"),
		api.post<{ passkeys: Passkey[] }>("/v1/mgmt/user/passkeys/list", { loginId: u.userId }),
		api.post<History[]>("/v1/mgmt/user/history", [u.userId]),
		api.post<{ audits: WireAudit[] }>("/v1/mgmt/audit/search", { userIds: [u.userId], size: 20 }),
	]);
	const roles = unwrap(rolesRes, { roles: [] }).roles;
	const projectRoles = roles.filter((r) => !r.tenantId);
	const tenants = unwrap(tenantsRes, { tenants: [] }).tenants;
	const defs = unwrap(attrsRes, { data: [] }).data;
	const csrf = c.var.csrf;
	const ro = !!c.var.session?.readOnly;
	const title = u.name || u.loginIds[0] || u.userId;
	const joined = new Set(u.userTenants.map((t) => t.tenantId));
	const addableRoles = projectRoles.filter((r) => !u.roleNames.includes(r.name));
	const addableTenants = tenants.filter((t) => !joined.has(t.id));

	return render(
		c,
		{ title, section: "users", notice: state.notice ?? noticeOf(c), error: state.error },
		<>
			<p>
				<a href="/console/users">← All users</a>
			</p>
			{ro ? <ReadOnlyNote /> : null}
			<Section title="Summary" id="summary">
				<dl class="facts">
					<dt>User id</dt>
					<dd>
						<code>{u.userId}</code>
					</dd>
					<dt>Status</dt>
					<dd>
						<span class={`status status-${u.status}`}>{u.status}</span>
					</dd>
					<dt>Created</dt>
					<dd>
						<Time ms={u.createdTime * 1000} />
					</dd>
					<dt>Credentials</dt>
					<dd>
						{[u.password ? "password" : null, u.webauthn ? "passkey" : null].filter(Boolean).join(", ") ||
							"none"}
					</dd>
					<dt>Permissions</dt>
					<dd>{u.permissions.join(", ") || "none"}</dd>
					{u.test ? (
						<>
							<dt>Test user</dt>
							<dd>yes</dd>
						</>
					) : null}
				</dl>
				{ro ? null : (
					<div class="row">
						<InlineAction
							action={userPath(u.userId, "/status")}
							csrf={csrf}
							fields={{ status: u.status === "disabled" ? "enabled" : "disabled" }}
							kind={u.status === "disabled" ? "" : "secondary"}
						>
							{u.status === "disabled" ? "Enable user" : "Disable user"}
						</InlineAction>
					</div>
				)}
			</Section>

			<Section title="Profile" id="profile">
				{ro ? (
					<dl class="facts">
						<dt>Display name</dt>
						<dd>{u.name}</dd>
						<dt>Given / middle / family</dt>
						<dd>{[u.givenName, u.middleName, u.familyName].filter(Boolean).join(" ")}</dd>
						<dt>Email</dt>
						<dd>
							{u.email} {u.verifiedEmail ? "(verified)" : ""}
						</dd>
						<dt>Phone</dt>
						<dd>
							{u.phone} {u.verifiedPhone ? "(verified)" : ""}
						</dd>
					</dl>
				) : (
					<PostForm action={userPath(u.userId, "/profile")} csrf={csrf} class="grid">
						<Field label="Display name" name="name" value={u.name} />
						<Field label="Given name" name="givenName" value={u.givenName} />
						<Field label="Middle name" name="middleName" value={u.middleName} />
						<Field label="Family name" name="familyName" value={u.familyName} />
						<Field label="Email" name="email" type="email" value={u.email} />
						<div class="field check">
							<input
								id="f-verifiedEmail"
								type="checkbox"
								name="verifiedEmail"
								value="true"
								checked={u.verifiedEmail}
							/>
							<label for="f-verifiedEmail">Email verified</label>
						</div>
						<Field label="Phone" name="phone" type="tel" value={u.phone} hint="E.164, e.g. +14155550100" />
						<div class="field check">
							<input
								id="f-verifiedPhone"
								type="checkbox"
								name="verifiedPhone"
								value="true"
								checked={u.verifiedPhone}
							/>
							<label for="f-verifiedPhone">Phone verified</label>
						</div>
						<Field label="Picture URL" name="picture" type="url" value={u.picture} />
						<div class="actions">
							<button type="submit">Save profile</button>
						</div>
					</PostForm>
				)}
			</Section>

			<Section title="Roles" id="roles">
				<Refused res={rolesRes} />
				{u.roleNames.length === 0 ? (
					<Empty>No project-wide roles.</Empty>
				) : (
					<ul class="chips">
						{u.roleNames.map((name) => (
							<li>
								<span>{name}</span>
								{ro ? null : (
									<InlineAction
										action={userPath(u.userId, "/roles/remove")}
										csrf={csrf}
										fields={{ role: name }}
										label={`Remove role ${name}`}
									>
										Remove
									</InlineAction>
								)}
							</li>
						))}
					</ul>
				)}
				{ro ? null : addableRoles.length ? (
					<PostForm action={userPath(u.userId, "/roles/add")} csrf={csrf} class="row">
						<label for="add-role">Add a role</label>
						<select id="add-role" name="role" required>
							{addableRoles.map((r) => (
								<option value={r.name}>{r.name}</option>
							))}
						</select>
						<button type="submit">Add role</button>
					</PostForm>
				) : (
					<p class="muted">
						{projectRoles.length
							? "The user holds every project role."
							: "The project defines no roles yet: "}
						{projectRoles.length ? null : <a href="/console/roles">create one</a>}
					</p>
				)}
			</Section>

			<Section title="Tenants" id="tenants">
				<Refused res={tenantsRes} />
				{u.userTenants.length === 0 ? <Empty>Not a member of any tenant.</Empty> : null}
				{u.userTenants.map((t) => {
					const tenantRoles = roles.filter(
						(r) => (r.tenantId === "" || r.tenantId === t.tenantId) && !t.roleNames.includes(r.name),
					);
					return (
						<div class="subcard">
							<h3>
								<a href={`/console/tenants/${encodeURIComponent(t.tenantId)}`}>
									{t.tenantName || t.tenantId}
								</a>
							</h3>
							{t.roleNames.length === 0 ? (
								<p class="muted">No roles in this tenant.</p>
							) : (
								<ul class="chips">
									{t.roleNames.map((name) => (
										<li>
											<span>{name}</span>
											{ro ? null : (
												<InlineAction
													action={userPath(u.userId, "/roles/remove")}
													csrf={csrf}
													fields={{ role: name, tenantId: t.tenantId }}
													label={`Remove role ${name} in ${t.tenantName || t.tenantId}`}
												>
													Remove
												</InlineAction>
											)}
										</li>
									))}
								</ul>
							)}
							{ro ? null : (
								<div class="row">
									{tenantRoles.length ? (
										<PostForm action={userPath(u.userId, "/roles/add")} csrf={csrf} class="row">
											<input type="hidden" name="tenantId" value={t.tenantId} />
											<label for={`tr-${t.tenantId}`}>Role in this tenant</label>
											<select id={`tr-${t.tenantId}`} name="role" required>
												{tenantRoles.map((r) => (
													<option value={r.name}>{r.name}</option>
												))}
											</select>
											<button type="submit">Add</button>
										</PostForm>
									) : null}
									<InlineAction
										action={userPath(u.userId, "/tenants/remove")}
										csrf={csrf}
										fields={{ tenantId: t.tenantId }}
										kind="secondary"
										confirm="Remove the user from this tenant?"
									>
										Remove from tenant
									</InlineAction>
								</div>
							)}
						</div>
					);
				})}
				{ro || addableTenants.length === 0 ? null : (
					<PostForm action={userPath(u.userId, "/tenants/add")} csrf={csrf} class="row">
						<label for="add-tenant">Add to tenant</label>
						<select id="add-tenant" name="tenantId" required>
							{addableTenants.map((t) => (
								<option value={t.id}>{t.name || t.id}</option>
							))}
						</select>
						<button type="submit">Add to tenant</button>
					</PostForm>
				)}
			</Section>

			<Section title="Custom attributes" id="attributes">
				<Refused res={attrsRes} />
				{defs.length === 0 ? (
					<Empty>
						The project defines no custom attributes (<a href="/console/attributes">define one</a>).
					</Empty>
				) : ro ? (
					<dl class="facts">
						{defs.map((d) => (
							<>
								<dt>{d.displayName || d.name}</dt>
								<dd>{attributeText(u.customAttributes[d.name])}</dd>
							</>
						))}
					</dl>
				) : (
					<div class="stack">
						{defs.map((d) => (
							<PostForm action={userPath(u.userId, "/attributes")} csrf={csrf} class="row">
								<input type="hidden" name="attribute" value={d.name} />
								<label for={`attr-${d.name}`}>
									{d.displayName || d.name} <small class="muted">({ATTRIBUTE_TYPES[d.type] ?? d.type})</small>
								</label>
								{d.type === 3 ? (
									<select id={`attr-${d.name}`} name="value">
										<option value="">(not set)</option>
										<option value="true" selected={u.customAttributes[d.name] === true}>
											true
										</option>
										<option value="false" selected={u.customAttributes[d.name] === false}>
											false
										</option>
									</select>
								) : d.type === 4 ? (
									<select id={`attr-${d.name}`} name="value">
										<option value="">(not set)</option>
										{d.options.map((o) => (
											<option value={o.value} selected={u.customAttributes[d.name] === o.value}>
												{o.label || o.value}
											</option>
										))}
									</select>
								) : (
									<input
										id={`attr-${d.name}`}
										name="value"
										value={attributeText(u.customAttributes[d.name])}
										inputmode={d.type === 2 || d.type === 6 ? "decimal" : undefined}
										placeholder={d.type === 5 ? "comma-separated" : undefined}
									/>
								)}
								<button type="submit">Save</button>
							</PostForm>
						))}
					</div>
				)}
			</Section>

			<Section title="Login ids" id="loginids">
				<ul class="plain">
					{u.loginIds.map((id) => (
						<li>
							<code>{id}</code>
						</li>
					))}
				</ul>
				{ro ? null : (
					<PostForm action={userPath(u.userId, "/loginids")} csrf={csrf} class="grid">
						<div class="field">
							<label for="f-current">Login id to change</label>
							<select id="f-current" name="loginId">
								{u.loginIds.map((id) => (
									<option value={id}>{id}</option>
								))}
							</select>
						</div>
						<Field
							label="New login id"
							name="newLoginId"
							hint="Empty removes the login id (never the last one)"
						/>
						<div class="actions">
							<button type="submit">Change login id</button>
						</div>
					</PostForm>
				)}
			</Section>

			<Section title="Passkeys" id="passkeys">
				<Refused res={passkeysRes} />
				{passkeysRes.ok && passkeysRes.data.passkeys.length === 0 ? <Empty>No passkeys.</Empty> : null}
				{passkeysRes.ok && passkeysRes.data.passkeys.length > 0 ? (
					<table>
						<thead>
							<tr>
								<th scope="col">Name</th>
								<th scope="col">Kind</th>
								<th scope="col">Relying party</th>
								<th scope="col">Added</th>
								{ro ? null : <th scope="col">Actions</th>}
							</tr>
						</thead>
						<tbody>
							{passkeysRes.data.passkeys.map((p) => (
								<tr>
									<td>{p.displayName || p.id.slice(0, 12)}</td>
									<td>{p.kind || "unknown"}</td>
									<td>{p.rpId}</td>
									<td>
										<Time ms={p.createdTime * 1000} />
									</td>
									{ro ? null : (
										<td>
											<InlineAction
												action={userPath(u.userId, "/passkeys/delete")}
												csrf={csrf}
												fields={{ credentialId: p.id }}
												confirm="Remove this passkey?"
											>
												Remove
											</InlineAction>
										</td>
									)}
								</tr>
							))}
						</tbody>
					</table>
				) : null}
			</Section>

			<Section title="Sessions" id="sessions">
				<p>
					Signing the user out everywhere ends every session at once: their refresh tokens stop working and
					session JWTs are refused at the next refresh.
				</p>
				{ro ? null : (
					<PostForm
						action={userPath(u.userId, "/logout")}
						csrf={csrf}
						confirm="End every session of this user?"
					>
						<button type="submit" class="danger">
							Sign out everywhere
						</button>
					</PostForm>
				)}
			</Section>

			<Section title="Sign-in history" id="history">
				<Refused res={historyRes} />
				{historyRes.ok && historyRes.data.length === 0 ? <Empty>No sign-ins recorded.</Empty> : null}
				{historyRes.ok && historyRes.data.length > 0 ? (
					<div class="table-wrap">
						<table>
							<thead>
								<tr>
									<th scope="col">When</th>
									<th scope="col">Login id</th>
									<th scope="col">Method</th>
									<th scope="col">Outcome</th>
									<th scope="col">From</th>
								</tr>
							</thead>
							<tbody>
								{historyRes.data.slice(0, 20).map((h) => (
									<tr>
										<td>
											<Time ms={h.loginTime * 1000} />
										</td>
										<td>{h.loginId}</td>
										<td>{h.method}</td>
										<td>{h.outcome}</td>
										<td>{[h.ip, h.city, h.country].filter(Boolean).join(" · ")}</td>
									</tr>
								))}
							</tbody>
						</table>
					</div>
				) : null}
			</Section>

			<Section title="Activity" id="activity">
				<Refused res={auditRes} />
				{auditRes.ok && auditRes.data.audits.length === 0 ? <Empty>No activity recorded.</Empty> : null}
				{auditRes.ok && auditRes.data.audits.length > 0 ? (
					<ul class="plain log">
						{auditRes.data.audits.map((a) => (
							<li>
								<Time ms={a.occurred} /> <code>{a.action}</code> {a.result === "failure" ? "(failed)" : ""} by{" "}
								{a.actorName || a.actorType}
							</li>
						))}
					</ul>
				) : null}
				<p>
					<a href={`/console/activity?userId=${encodeURIComponent(u.userId)}`}>All activity of this user</a>
				</p>
			</Section>

			{ro ? null : (
				<Section title="Delete" id="delete">
					<PostForm
						action={userPath(u.userId, "/delete")}
						csrf={csrf}
						confirm="Delete this user permanently?"
					>
						<button type="submit" class="danger">
							Delete user
						</button>
					</PostForm>
				</Section>
			)}
		</>,
		state.status ?? 200,
	);
}

type Write = (c: ConsoleContext, userId: string, form: Record<string, string>) => Promise<ApiResult<unknown>>;

const WRITES: Record<string, { notice: string; write: Write }> = {
	profile: {
		notice: "user-saved",
		write: (c, userId, f) =>
			c.var.api.patch("/v1/mgmt/user/patch", {
				loginId: userId,
				name: f.name ?? "",
				givenName: f.givenName ?? "",
				middleName: f.middleName ?? "",
				familyName: f.familyName ?? "",
				email: f.email ?? "",
				phone: f.phone ?? "",
				verifiedEmail: f.verifiedEmail === "true",
				verifiedPhone: f.verifiedPhone === "true",
				picture: f.picture ?? "",
			}),
	},
	status: {
		notice: "status-saved",
		write: (c, userId, f) =>
			c.var.api.post("/v1/mgmt/user/update/status", { loginId: userId, status: f.status }),
	},
	"roles/add": {
		notice: "roles-saved",
		write: (c, userId, f) =>
			c.var.api.post("/v2/mgmt/user/update/role/add", {
				loginId: userId,
				roleNames: [f.role ?? ""],
				tenantId: f.tenantId || undefined,
			}),
	},
	"roles/remove": {
		notice: "roles-saved",
		write: (c, userId, f) =>
			c.var.api.post("/v1/mgmt/user/update/role/remove", {
				loginId: userId,
				roleNames: [f.role ?? ""],
				tenantId: f.tenantId || undefined,
			}),
	},
	"tenants/add": {
		notice: "tenants-saved",
		write: (c, userId, f) =>
			c.var.api.post("/v1/mgmt/user/update/tenant/add", { loginId: userId, tenantId: f.tenantId ?? "" }),
	},
	"tenants/remove": {
		notice: "tenants-saved",
		write: (c, userId, f) =>
			c.var.api.post("/v1/mgmt/user/update/tenant/remove", { loginId: userId, tenantId: f.tenantId ?? "" }),
	},
	attributes: {
		notice: "attribute-saved",
		write: async (c, userId, f) => {
			const defs = await c.var.api.get<{ data: WireAttribute[] }>("/v1/mgmt/user/customattributes");
			const def = unwrap(defs, { data: [] }).data.find((d) => d.name === f.attribute);
			return c.var.api.post("/v1/mgmt/user/update/customAttribute", {
				loginId: userId,
				attributeKey: f.attribute ?? "",
				attributeValue: attributeValue(def, f.value ?? ""),
			});
		},
	},
	loginids: {
		notice: "loginid-saved",
		write: (c, _userId, f) =>
			c.var.api.post("/v1/mgmt/user/update/loginid", {
				loginId: f.loginId ?? "",
				newLoginId: f.newLoginId ?? "",
			}),
	},
	"passkeys/delete": {
		notice: "passkey-deleted",
		write: (c, userId, f) =>
			c.var.api.post("/v1/mgmt/user/passkey/delete", { loginId: userId, credentialId: f.credentialId ?? "" }),
	},
	logout: {
		notice: "signed-out-everywhere",
		write: (c, userId) => c.var.api.post("/v1/mgmt/user/logout", { userId }),
	},
};

export function registerUserPages(app: Hono<ConsoleEnv>) {
	app.get("/users/:userId", (c) => userPage(c));
	for (const [action, { notice, write }] of Object.entries(WRITES)) {
		app.post(`/users/:userId/${action}`, async (c) => {
			const userId = c.req.param("userId");
			const res = await write(c, userId, await formOf(c));
			if (!res.ok) return userPage(c, { error: res.error, status: statusOf(res) });
			return done(c, userPath(userId), notice);
		});
	}
	app.post("/users/:userId/delete", async (c) => {
		const userId = c.req.param("userId");
		const res = await c.var.api.post("/v1/mgmt/user/delete", { userId });
		if (!res.ok) return userPage(c, { error: res.error, status: statusOf(res) });
		return done(c, "/console/users", "user-deleted");
	});
}
