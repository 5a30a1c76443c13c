// Custom attribute definitions (`/v1/mgmt/user/customattributes`, `customattribute/create|delete`).
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
import { CreateForm, Empty, Field, InlineAction, ReadOnlyNote } from "../layout";
import { ATTRIBUTE_TYPES, type WireAttribute } from "./types";

async function attributesPage(c: ConsoleContext, state: PageState = {}) {
	const res = await c.var.api.get<{ data: WireAttribute[] }>("/v1/mgmt/user/customattributes");
	const defs = unwrap(res, { data: [] }).data;
	const ro = c.var.session?.readOnly;
	return renderOver(
		c,
		{ title: "Custom attributes", section: "attributes" },
		state,
		res,
		<>
			{ro ? <ReadOnlyNote /> : null}
			{defs.length === 0 ? (
				<Empty>No custom attributes are defined.</Empty>
			) : (
				<table>
					<thead>
						<tr>
							<th scope="col">Name</th>
							<th scope="col">Display name</th>
							<th scope="col">Type</th>
							<th scope="col">Options</th>
							{ro ? null : <th scope="col">Actions</th>}
						</tr>
					</thead>
					<tbody>
						{defs.map((d) => (
							<tr>
								<td>
									<code>{d.name}</code>
								</td>
								<td>{d.displayName}</td>
								<td>{ATTRIBUTE_TYPES[d.type] ?? String(d.type)}</td>
								<td>{d.options.map((o) => o.label || o.value).join(", ")}</td>
								{ro ? null : (
									<td>
										<InlineAction
											action="/console/attributes/delete"
											csrf={c.var.csrf}
											fields={{ name: d.name }}
											label={`Delete attribute ${d.name}`}
											confirm={`Delete ${d.name}? Every user loses its value.`}
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
					title="Define an attribute"
					action="/console/attributes"
					csrf={c.var.csrf}
					submit="Save definition"
				>
					<Field label="Name" name="name" required hint="The key in customAttributes" />
					<Field label="Display name" name="displayName" />
					<div class="field">
						<label for="f-type">Type</label>
						<select id="f-type" name="type">
							{Object.entries(ATTRIBUTE_TYPES).map(([n, label]) => (
								<option value={n}>{label}</option>
							))}
						</select>
					</div>
					<Field label="Options" name="options" hint="Single select only; comma-separated values" />
				</CreateForm>
			)}
		</>,
	);
}

export function registerAttributePages(app: Hono<ConsoleEnv>) {
	app.get("/attributes", (c) => attributesPage(c));
	app.post("/attributes", async (c) => {
		const f = await formOf(c);
		const type = Number(f.type ?? "1");
		const options = listOf(f.options).map((value) => ({ value, label: value }));
		const res = await c.var.api.post("/v1/mgmt/user/customattribute/create", {
			attributes: [
				{
					name: f.name ?? "",
					type,
					displayName: f.displayName || undefined,
					options: type === 4 ? options : undefined,
				},
			],
		});
		if (!res.ok) return attributesPage(c, { error: res.error, status: statusOf(res) });
		return done(c, "/console/attributes", "definition-saved");
	});
	app.post("/attributes/delete", async (c) => {
		const f = await formOf(c);
		const res = await c.var.api.post("/v1/mgmt/user/customattribute/delete", { names: [f.name ?? ""] });
		if (!res.ok) return attributesPage(c, { error: res.error, status: statusOf(res) });
		return done(c, "/console/attributes", "definition-deleted");
	});
}
