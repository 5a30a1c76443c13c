import { expect, it } from "vitest";
import { newProject } from "./harness";
import { createV4, expectStatus, V4, v4 } from "./v4-harness";

// Pagination links are valid URIs (JSON:API's schema checks `uri`): brackets percent-encoded.

const path = (link: string) => {
	const url = new URL(link);
	return `${url.pathname}${url.search}`;
};

it("links carry page%5B…%5D, never raw brackets", async () => {
	const p = await newProject();
	const api = v4(p);
	for (const id of ["a", "b", "c"]) await createV4(api, { external_id: id });
	const body = expectStatus(
		await api.get(`${V4}/users?page[size]=1&filter[registration_state]=UNREGISTERED`),
		200,
	);
	const origin = "http://roster.test";
	expect(body.links.self).toBe(
		`${origin}${V4}/users?page%5Bsize%5D=1&filter%5Bregistration_state%5D=UNREGISTERED`,
	);
	expect(body.links.first).toBe(body.links.self);
	expect(body.links.next).toMatch(
		new RegExp(
			`^${origin}${V4}/users\\?page%5Bsize%5D=1&filter%5Bregistration_state%5D=UNREGISTERED&page%5Bafter%5D=[A-Za-z0-9_-]+$`,
		),
	);
	for (const link of [body.links.self, body.links.first, body.links.next]) expect(link).not.toMatch(/[[\]]/);
});

it("the encoded links are followed like the raw query", async () => {
	const p = await newProject();
	const api = v4(p);
	for (const id of ["a", "b", "c"]) await createV4(api, { external_id: id });
	const raw = expectStatus(await api.get(`${V4}/users?page[size]=2`), 200);
	const encoded = expectStatus(await api.get(`${V4}/users?page%5Bsize%5D=2`), 200);
	expect(encoded.data.map((u: { id: string }) => u.id)).toEqual(raw.data.map((u: { id: string }) => u.id));
	expect(encoded.links).toEqual(raw.links);
	const second = expectStatus(await api.get(path(raw.links.next)), 200);
	expect(second.data).toHaveLength(1);
	expect(second.links.prev).toMatch(/page%5Bbefore%5D=/);
});

it("an encoded bad parameter is named in its bracket form", async () => {
	const p = await newProject();
	const res = await v4(p).get(`${V4}/users?page%5Bsize%5D=0`);
	expect(res.status, res.text).toBe(400);
	expect(res.body.errors[0].source, res.text).toEqual({ parameter: "page[size]" });
});
