// Activity history (`POST /v1/mgmt/audit/search`): filters, newest first, paged by the API's cursor.
import type { Hono } from "hono";
import { type ConsoleContext, type ConsoleEnv, listOf, render, statusOf } from "../context";
import { Field, Table, Time } from "../layout";
import type { WireAudit } from "./types";

const PAGE = 50;

const FILTERS = ["text", "userId", "loginId", "action", "actorId", "tenant", "ip", "from", "to"] as const;

/** A datetime-local value (read as UTC) or an ISO date: Unix ms, or undefined. */
function instant(value: string): number | undefined {
	if (!value) return undefined;
	const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`);
	return Number.isFinite(ms) ? ms : undefined;
}

async function activityPage(c: ConsoleContext) {
	const q = Object.fromEntries(FILTERS.map((k) => [k, (c.req.query(k) ?? "").trim()])) as Record<
		(typeof FILTERS)[number],
		string
	>;
	const cursor = c.req.query("cursor") ?? "";
	const result = (c.req.query("result") ?? "").trim();
	const body: Record<string, unknown> = { size: PAGE };
	if (q.text) body.text = q.text;
	if (q.userId) body.userIds = listOf(q.userId);
	if (q.loginId) body.externalIds = listOf(q.loginId);
	if (q.action) body.actions = listOf(q.action);
	if (q.actorId) body.actorIds = listOf(q.actorId);
	if (q.tenant) body.tenants = listOf(q.tenant);
	if (q.ip) body.remoteAddresses = listOf(q.ip);
	const from = instant(q.from);
	const to = instant(q.to);
	if (from) body.from = from;
	if (to) body.to = to;
	if (cursor) body.cursor = cursor;
	const res = await c.var.api.post<{ audits: WireAudit[]; nextCursor: string }>(
		"/v1/mgmt/audit/search",
		body,
	);
	const audits = (res.ok ? res.data.audits : []).filter((a) => !result || a.result === result);
	const next = res.ok ? res.data.nextCursor : "";
	const params = new URLSearchParams();
	for (const k of FILTERS) if (q[k]) params.set(k, q[k]);
	if (result) params.set("result", result);
	const filtered = params.toString() !== "";
	return render(
		c,
		{ title: "Activity", section: "activity", error: res.ok ? null : res.error },
		<>
			<form method="get" action="/console/activity" class="card filters" aria-label="Filter activity">
				<Field label="Text" name="text" value={q.text} />
				<Field label="User id" name="userId" value={q.userId} />
				<Field label="Login id" name="loginId" value={q.loginId} />
				<Field
					label="Actions"
					name="action"
					value={q.action}
					hint="e.g. user.created, user.signed_in; comma-separated"
				/>
				<Field label="Actor id" name="actorId" value={q.actorId} hint="A key id, user id…" />
				<Field label="Tenant" name="tenant" value={q.tenant} />
				<Field label="IP address" name="ip" value={q.ip} />
				<Field label="From (UTC)" name="from" type="datetime-local" value={q.from} />
				<Field label="To (UTC)" name="to" type="datetime-local" value={q.to} />
				<div class="field">
					<label for="f-result">Result</label>
					<select id="f-result" name="result">
						<option value="">Any</option>
						<option value="success" selected={result === "success"}>
							success
						</option>
						<option value="failure" selected={result === "failure"}>
							failure
						</option>
					</select>
				</div>
				<div class="actions">
					<button type="submit">Filter</button>
					{filtered ? <a href="/console/activity">Clear filters</a> : null}
				</div>
			</form>
			<Table
				head={["When", "Action", "Result", "Actor", "Target", "User", "From"]}
				rows={audits}
				empty={filtered ? "No activity matches these filters." : "No activity recorded yet."}
				row={(a) => (
					<tr>
						<td>
							<Time ms={a.occurred} />
						</td>
						<td>
							<code>{a.action}</code>
							{typeof a.data?.path === "string" ? (
								<small class="muted">
									{" "}
									{String(a.data.method ?? "")} {a.data.path}
								</small>
							) : null}
						</td>
						<td>{a.result}</td>
						<td>{a.actorName || a.actorId || a.actorType}</td>
						<td>{a.targetType ? `${a.targetType} ${a.targetId}` : ""}</td>
						<td>
							{a.userId ? (
								<a href={`/console/users/${encodeURIComponent(a.userId)}`}>{a.externalIds[0] ?? a.userId}</a>
							) : null}
						</td>
						<td>{[a.remoteAddress, a.city, a.geo, a.dialect].filter(Boolean).join(" · ")}</td>
					</tr>
				)}
			/>
			<nav aria-label="Pages" class="pager">
				{cursor ? <a href={`/console/activity${filtered ? `?${params}` : ""}`}>Newest</a> : null}
				{next ? (
					<a href={`/console/activity?${new URLSearchParams([...params, ["cursor", next]])}`} rel="next">
						Older
					</a>
				) : null}
			</nav>
		</>,
		res.ok ? 200 : statusOf(res),
	);
}

export function registerActivityPages(app: Hono<ConsoleEnv>) {
	app.get("/activity", (c) => activityPage(c));
}
