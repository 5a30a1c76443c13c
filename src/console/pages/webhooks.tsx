// Webhook endpoints through the partner API (`/api/partner/v1/webhooks`, docs/partner.md): list,
// create (the signing secret is shown once), enable or disable, delete; each links to its page
// (webhook.tsx) with deliveries, replay, test ping and secret rotation.
import type { Hono } from "hono";
import {
	type ConsoleContext,
	type ConsoleEnv,
	done,
	formOf,
	listOf,
	type PageState,
	partnerList,
	renderOver,
	statusOf,
} from "../context";
import { CreateForm, Field, InlineAction, NextPage, ReadOnlyNote, ShownOnce, Table, Time } from "../layout";

export interface WireEndpoint {
	Id: string;
	Kind: string;
	Url: string;
	Description: string;
	EventTypes: string[];
	Enabled: boolean;
	DisabledReason: string | null;
	CreatedAt: string;
	UpdatedAt: string;
}

async function webhooksPage(
	c: ConsoleContext,
	state: PageState & { created?: WireEndpoint & { Secret: string } } = {},
) {
	const res = await partnerList<WireEndpoint>(c, "/webhooks");
	const items = res.ok ? res.data.Items : [];
	const ro = c.var.session?.readOnly;
	const csrf = c.var.csrf;
	return renderOver(
		c,
		{ title: "Webhooks", section: "webhooks" },
		state,
		res,
		<>
			{state.created ? (
				<ShownOnce
					label="Signing secret"
					inputId="new-secret"
					value={state.created.Secret}
					title="Endpoint created"
				>
					Copy its signing secret now: it is shown only this once.
				</ShownOnce>
			) : null}
			{ro ? <ReadOnlyNote /> : null}
			<Table
				head={["URL", "Kind", "Events", "State", "Created", ro ? null : "Actions"]}
				rows={items}
				empty="No webhook endpoints."
				row={(w) => (
					<tr>
						<td>
							<a href={`/console/webhooks/${encodeURIComponent(w.Id)}`}>
								<code>{w.Url}</code>
							</a>
							{w.Description ? <small class="muted"> {w.Description}</small> : null}
						</td>
						<td>{w.Kind}</td>
						<td>{w.EventTypes.join(", ") || "all"}</td>
						<td>{w.Enabled ? "enabled" : `disabled${w.DisabledReason ? ` (${w.DisabledReason})` : ""}`}</td>
						<td>
							<Time ms={Date.parse(w.CreatedAt)} />
						</td>
						{ro ? null : (
							<td>
								<InlineAction
									action="/console/webhooks/toggle"
									csrf={csrf}
									fields={{ id: w.Id, enabled: w.Enabled ? "false" : "true" }}
								>
									{w.Enabled ? "Disable" : "Enable"}
								</InlineAction>
								<InlineAction
									action="/console/webhooks/delete"
									csrf={csrf}
									fields={{ id: w.Id }}
									label={`Delete endpoint ${w.Url}`}
									confirm="Delete this endpoint and its deliveries?"
								>
									Delete
								</InlineAction>
							</td>
						)}
					</tr>
				)}
			/>
			<NextPage path="/console/webhooks" cursor={res.ok ? res.data.NextCursor : null} />
			{ro ? null : (
				<CreateForm title="Add an endpoint" action="/console/webhooks" csrf={csrf} submit="Add endpoint">
					<Field label="URL" name="url" type="url" required hint="A public https URL" />
					<Field label="Description" name="description" />
					<Field label="Event types" name="eventTypes" hint="Comma-separated; empty: all" />
				</CreateForm>
			)}
		</>,
	);
}

export function registerWebhookPages(app: Hono<ConsoleEnv>) {
	app.get("/webhooks", (c) => webhooksPage(c));
	app.post("/webhooks", async (c) => {
		const f = await formOf(c);
		const body: Record<string, unknown> = { Url: f.url ?? "" };
		if (f.description) body.Description = f.description;
		const events = listOf(f.eventTypes);
		if (events.length) body.EventTypes = events;
		const res = await c.var.api.partner<WireEndpoint & { Secret: string }>("POST", "/webhooks", body);
		if (!res.ok) return webhooksPage(c, { error: res.error, status: statusOf(res) });
		// Rendered, not redirected: the secret must never sit in a URL or a later page.
		return webhooksPage(c, { created: res.data });
	});
	app.post("/webhooks/toggle", async (c) => {
		const f = await formOf(c);
		const res = await c.var.api.partner("PATCH", `/webhooks/${encodeURIComponent(f.id ?? "")}`, {
			Enabled: f.enabled === "true",
		});
		if (!res.ok) return webhooksPage(c, { error: res.error, status: statusOf(res) });
		return done(c, "/console/webhooks", "webhook-saved");
	});
	app.post("/webhooks/delete", async (c) => {
		const f = await formOf(c);
		const res = await c.var.api.partner("DELETE", `/webhooks/${encodeURIComponent(f.id ?? "")}`);
		if (!res.ok) return webhooksPage(c, { error: res.error, status: statusOf(res) });
		return done(c, "/console/webhooks", "webhook-deleted");
	});
}
