// One webhook endpoint through the partner API (docs/webhooks.md, "Delivery log and replay"): its
// fields, its deliveries with their attempts, replay, the test ping and secret rotation.
import type { Hono } from "hono";
import { type ConsoleContext, type ConsoleEnv, formOf, type PageState, render, statusOf } from "../context";
import { InlineAction, ReadOnlyNote, Section, ShownOnce, Table, Time } from "../layout";
import type { WireEndpoint } from "./webhooks";

const PAGE = 20;
const STATUSES = ["pending", "succeeded", "failed"] as const;

interface WireAttempt {
	Attempt: number;
	At: string;
	StatusCode: number | null;
	LatencyMs: number;
	ResponseSnippet: string | null;
	Error: string | null;
}

interface WireDelivery {
	Id: string;
	EventType: string;
	EventSeq: number | null;
	Status: string;
	Attempts: number;
	CreatedAt: string;
	LastAttemptAt: string | null;
	NextAttemptAt: string | null;
	LastStatusCode: number | null;
	AttemptLog: WireAttempt[];
}

const ms = (iso: string | null) => (iso ? Date.parse(iso) : null);

async function webhookPage(c: ConsoleContext, state: PageState & { secret?: string } = {}) {
	const id = c.req.param("id") ?? "";
	const base = `/console/webhooks/${encodeURIComponent(id)}`;
	const path = `/webhooks/${encodeURIComponent(id)}`;
	const endpoint = await c.var.api.partner<WireEndpoint>("GET", path);
	if (!endpoint.ok) {
		return render(
			c,
			{ title: "Webhook endpoint", section: "webhooks", error: state.error ?? endpoint.error },
			<p>
				<a href="/console/webhooks">All webhook endpoints</a>
			</p>,
			state.status ?? statusOf(endpoint),
		);
	}
	const w = endpoint.data;
	const status = (c.req.query("status") ?? "").trim();
	const cursor = c.req.query("cursor") ?? "";
	const qs = new URLSearchParams({ limit: String(PAGE) });
	if (status) qs.set("status", status);
	if (cursor) qs.set("cursor", cursor);
	const res = await c.var.api.partner<{ Items: WireDelivery[]; NextCursor: string | null }>(
		"GET",
		`${path}/deliveries?${qs}`,
	);
	const items = res.ok ? res.data.Items : [];
	const next = res.ok ? res.data.NextCursor : null;
	const filter = status ? new URLSearchParams({ status }) : null;
	const ro = c.var.session?.readOnly;
	const csrf = c.var.csrf;
	return render(
		c,
		{
			title: "Webhook endpoint",
			section: "webhooks",
			notice: state.notice,
			error: state.error ?? (res.ok ? null : res.error),
		},
		<>
			<p>
				<a href="/console/webhooks">All webhook endpoints</a>
			</p>
			{state.secret ? (
				<ShownOnce
					title="Secret rotated"
					headingId="rotated-h"
					label="New signing secret"
					inputId="new-secret"
					value={state.secret}
				>
					Copy the new signing secret now: it is shown only this once. The previous secret keeps signing
					deliveries (as a second signature) for 24 hours, so receivers can switch over.
				</ShownOnce>
			) : null}
			{ro ? <ReadOnlyNote /> : null}
			<Section title="Endpoint" id="endpoint">
				<dl class="facts">
					<dt>Id</dt>
					<dd>
						<code>{w.Id}</code>
					</dd>
					<dt>URL</dt>
					<dd>
						<code>{w.Url}</code>
					</dd>
					<dt>Description</dt>
					<dd>{w.Description || <span class="muted">none</span>}</dd>
					<dt>Kind</dt>
					<dd>{w.Kind}</dd>
					<dt>Events</dt>
					<dd>{w.EventTypes.join(", ") || "all"}</dd>
					<dt>State</dt>
					<dd>{w.Enabled ? "enabled" : `disabled${w.DisabledReason ? ` (${w.DisabledReason})` : ""}`}</dd>
					<dt>Created</dt>
					<dd>
						<Time ms={ms(w.CreatedAt)} />
					</dd>
					<dt>Updated</dt>
					<dd>
						<Time ms={ms(w.UpdatedAt)} />
					</dd>
				</dl>
				{ro ? null : (
					<div class="row">
						<InlineAction action={`${base}/test`} csrf={csrf} fields={{}} kind="">
							Send test ping
						</InlineAction>
						<InlineAction
							action={`${base}/rotate-secret`}
							csrf={csrf}
							fields={{}}
							kind="secondary"
							confirm="Rotate the signing secret? The old one keeps signing for 24 hours."
						>
							Rotate secret
						</InlineAction>
					</div>
				)}
			</Section>
			<Section title="Deliveries" id="deliveries">
				<form method="get" action={base} class="filters" aria-label="Filter deliveries">
					<div class="field">
						<label for="f-status">Status</label>
						<select id="f-status" name="status">
							<option value="">Any</option>
							{STATUSES.map((s) => (
								<option value={s} selected={status === s}>
									{s}
								</option>
							))}
						</select>
					</div>
					<div class="actions">
						<button type="submit">Filter</button>
						{status ? <a href={base}>Clear filter</a> : null}
					</div>
				</form>
				<Table
					head={["Created", "Event", "Status", "Attempts", "Next attempt", ro ? null : "Actions"]}
					rows={items}
					empty={status ? `No ${status} deliveries.` : "No deliveries yet."}
					row={(d) => (
						<tr>
							<td>
								<Time ms={ms(d.CreatedAt)} />
								<small class="muted">
									{" "}
									<code>{d.Id}</code>
								</small>
							</td>
							<td>
								<code>{d.EventType}</code>
								{d.EventSeq === null ? null : <small class="muted"> seq {d.EventSeq}</small>}
							</td>
							<td>
								{d.Status}
								{d.LastStatusCode === null ? null : ` (${d.LastStatusCode})`}
							</td>
							<td>
								{d.AttemptLog.length === 0 ? (
									d.Attempts
								) : (
									<details>
										<summary>{`${d.Attempts} attempt${d.Attempts === 1 ? "" : "s"}`}</summary>
										<Attempts log={d.AttemptLog} />
									</details>
								)}
							</td>
							<td>
								<Time ms={ms(d.NextAttemptAt)} />
							</td>
							{ro ? null : (
								<td>
									<InlineAction
										action={`${base}/replay`}
										csrf={csrf}
										fields={{ deliveryId: d.Id }}
										label={`Replay delivery ${d.Id}`}
									>
										Replay
									</InlineAction>
								</td>
							)}
						</tr>
					)}
				/>
				<nav aria-label="Pages" class="pager">
					{cursor ? <a href={filter ? `${base}?${filter}` : base}>Newest</a> : null}
					{next ? (
						<a href={`${base}?${new URLSearchParams([...(filter ?? []), ["cursor", next]])}`} rel="next">
							Older
						</a>
					) : null}
				</nav>
			</Section>
		</>,
		state.status ?? (res.ok ? 200 : statusOf(res)),
	);
}

const Attempts = ({ log }: { log: WireAttempt[] }) => (
	<table class="attempts">
		<thead>
			<tr>
				<th scope="col">#</th>
				<th scope="col">When</th>
				<th scope="col">Status code</th>
				<th scope="col">Latency</th>
				<th scope="col">Response</th>
				<th scope="col">Error</th>
			</tr>
		</thead>
		<tbody>
			{log.map((a) => (
				<tr>
					<td>{a.Attempt}</td>
					<td>
						<Time ms={ms(a.At)} />
					</td>
					<td>{a.StatusCode ?? <span class="muted">no answer</span>}</td>
					<td>{`${a.LatencyMs} ms`}</td>
					<td>{a.ResponseSnippet ? <pre class="snippet">{a.ResponseSnippet}</pre> : null}</td>
					<td>{a.Error ?? ""}</td>
				</tr>
			))}
		</tbody>
	</table>
);

export function registerWebhookDetailPages(app: Hono<ConsoleEnv>) {
	app.get("/webhooks/:id", (c) => webhookPage(c));
	app.post("/webhooks/:id/test", async (c) => {
		const id = c.req.param("id");
		const res = await c.var.api.partner<WireDelivery>("POST", `/webhooks/${encodeURIComponent(id)}/test`);
		if (!res.ok) return webhookPage(c, { error: res.error, status: statusOf(res) });
		// Rendered, not redirected: the notice names the delivery, and its row is on this page.
		return webhookPage(c, { notice: `Test ping queued as delivery ${res.data.Id}.` });
	});
	app.post("/webhooks/:id/replay", async (c) => {
		const id = c.req.param("id");
		const f = await formOf(c);
		const res = await c.var.api.partner<WireDelivery>(
			"POST",
			`/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(f.deliveryId ?? "")}/replay`,
		);
		if (!res.ok) return webhookPage(c, { error: res.error, status: statusOf(res) });
		return webhookPage(c, { notice: `Delivery ${res.data.Id} queued again.` });
	});
	app.post("/webhooks/:id/rotate-secret", async (c) => {
		const id = c.req.param("id");
		const res = await c.var.api.partner<WireEndpoint & { Secret: string }>(
			"POST",
			`/webhooks/${encodeURIComponent(id)}/rotate-secret`,
		);
		if (!res.ok) return webhookPage(c, { error: res.error, status: statusOf(res) });
		// Rendered, not redirected: the secret must never sit in a URL or a later page.
		return webhookPage(c, { notice: "Signing secret rotated.", secret: res.data.Secret });
	});
}
