// The API reference at /docs (docs/api-reference.md): an index, one Scalar page per dialect that
// loads nothing from another origin, under a nonce-based CSP, and the Postman collections.
import { env, exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { buildReferenceApp } from "../../src/api/reference/app";
import { REFERENCE_DIALECTS } from "../../src/api/reference/dialects";
import { BASE } from "./harness";

const get = (path: string) => exports.default.fetch(`${BASE}${path}`);

/** Every URL a page names in src/href attributes. */
const urls = (page: string) => [...page.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? "");

it("lists every dialect on the index page with its reference, document and collection", async () => {
	const res = await get("/docs");
	const page = await res.text();
	expect(res.status, page).toBe(200);
	expect(res.headers.get("content-type")).toMatch(/^text\/html/);
	for (const d of REFERENCE_DIALECTS) {
		expect(page, d.id).toContain(`href="/docs/${d.id}"`);
		expect(page, d.id).toContain(`href="${d.document}"`);
		expect(page, d.id).toContain(`href="/docs/${d.id}.postman_collection.json"`);
	}
});

it("lists the dialects as JSON for tools", async () => {
	const res = await get("/docs/index.json");
	const body = await res.json();
	expect(res.status, JSON.stringify(body)).toBe(200);
	expect(body).toEqual({
		dialects: REFERENCE_DIALECTS.map((d) => ({
			id: d.id,
			title: d.title,
			reference: `/docs/${d.id}`,
			document: d.document,
			postman: `/docs/${d.id}.postman_collection.json`,
		})),
	});
});

it("serves the index under a CSP that allows this origin and the page's nonce only", async () => {
	const res = await get("/docs");
	const page = await res.text();
	const csp = res.headers.get("content-security-policy") ?? "";
	const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
	expect(nonce, csp).toMatch(/^[A-Za-z0-9_-]{20,}$/);
	expect(csp).toContain("default-src 'none'");
	expect(csp).toContain(`script-src 'self' 'nonce-${nonce}'`);
	expect(csp).not.toMatch(/https?:|\*/);
	expect(page).toContain(`<style nonce="${nonce}">`);
	expect(page).not.toContain("<script");
});

it("renders each dialect's reference from the vendored bundle, nothing from a CDN", async () => {
	for (const d of REFERENCE_DIALECTS) {
		const res = await get(`/docs/${d.id}`);
		const page = await res.text();
		expect(res.status, page).toBe(200);
		const nonce = /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];
		expect(page, d.id).toContain(
			`<script src="/assets/vendor/scalar-api-reference.js" nonce="${nonce}"></script>`,
		);
		expect(page, d.id).toContain(`"url": "${d.document}"`);
		expect(page, d.id).toContain(`href="/docs/${d.id}.postman_collection.json"`);
		expect(
			urls(page).filter((u) => /^(https?:)?\/\//.test(u)),
			d.id,
		).toEqual([]);
		expect(page, d.id).not.toMatch(/cdn\.jsdelivr|fonts\.scalar\.com/);
		// Every script on the page carries the nonce; none runs without it.
		const scripts = [...page.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
		expect(scripts.length, page).toBe(2);
		for (const tag of scripts) expect(tag, d.id).toContain(`nonce="${nonce}"`);
	}
});

it("gives every page a fresh nonce", async () => {
	const nonces = await Promise.all(
		[1, 2].map(async () => {
			const res = await get("/docs/descope");
			await res.body?.cancel();
			return /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];
		}),
	);
	expect(nonces[0]).toBeTruthy();
	expect(nonces[0]).not.toBe(nonces[1]);
});

it("answers an unknown dialect with a 404 in the Descope envelope", async () => {
	for (const path of ["/docs/nope", "/docs/nope.postman_collection.json", "/docs/legacy"]) {
		const res = await get(path);
		const body = await res.json();
		expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(404);
		expect(body, path).toMatchObject({ errorCode: expect.any(String), errorDescription: expect.any(String) });
	}
});

it("serves each dialect's Postman collection as a v2.1 download", async () => {
	for (const d of REFERENCE_DIALECTS) {
		const res = await get(`/docs/${d.id}.postman_collection.json`);
		const body = (await res.json()) as {
			info: { schema: string };
			item: { name: string; item: unknown[] }[];
		};
		expect(res.status, JSON.stringify(body).slice(0, 500)).toBe(200);
		expect(res.headers.get("content-disposition")).toBe(
			`attachment; filename="roster-${d.id}.postman_collection.json"`,
		);
		expect(body.info.schema).toBe("https://schema.getpostman.com/json/collection/v2.1.0/collection.json");
		expect(body.item.length, d.id).toBeGreaterThan(0);
		for (const folder of body.item) expect(folder.item.length, `${d.id} ${folder.name}`).toBeGreaterThan(0);
	}
});

it("says the viewer is not installed, with a link to the document, when the bundle is missing", async () => {
	const app = buildReferenceApp(() => new Response("unused", { status: 500 }));
	const withoutAssets = { ...env, ASSETS: undefined } as unknown as Env;
	const res = await app.request("/docs/v4", {}, withoutAssets);
	const page = await res.text();
	expect(res.status, page).toBe(503);
	expect(page).toContain('href="/api/user/management/v4/openapi.json"');
	expect(page).not.toContain("<script");
	expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
});
