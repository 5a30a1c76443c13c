import { Scalar } from "@scalar/hono-api-reference";
import { type Context, type ExecutionContext, Hono } from "hono";
import { html, raw } from "hono/html";
import { randomToken } from "../../lib/crypto";
import type { AppEnv } from "../context";
import { dialectById, REFERENCE_DIALECTS, type ReferenceDialect } from "./dialects";
import { postmanCollection } from "./postman";

// The interactive API reference (Scalar) and the Postman collections, one per dialect, at /docs
// (docs/api-reference.md). Nothing loads from another origin: the Scalar bundle is a static asset.

export const DOCS_BASE = "/docs";
/** Copied from node_modules by scripts/vendor-assets.mjs, served by Workers static assets. */
export const SCALAR_BUNDLE = "/assets/vendor/scalar-api-reference.js";
const POSTMAN_SUFFIX = ".postman_collection.json";

/** Fetches another sub-app's route in-process (the root app's `request`), for the documents. */
export type Dispatch = (
	path: string,
	env: Env,
	ctx: ExecutionContext | undefined,
) => Response | Promise<Response>;

/** `c.executionCtx` throws when the app is called without one (Hono's app.request in tests). */
function executionContextOf(c: Context): ExecutionContext | undefined {
	try {
		return c.executionCtx;
	} catch {
		return undefined;
	}
}

export const referencePath = (d: ReferenceDialect) => `${DOCS_BASE}/${d.id}`;
export const postmanPath = (d: ReferenceDialect) => `${DOCS_BASE}/${d.id}${POSTMAN_SUFFIX}`;

/**
 * Scripts only from this origin or with the page's nonce. Styles allow inline: the Scalar bundle
 * injects its stylesheet as a <style> element without a nonce.
 */
function contentSecurityPolicy(nonce: string) {
	return [
		"default-src 'none'",
		`script-src 'self' 'nonce-${nonce}'`,
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"font-src 'self' data:",
		"connect-src 'self'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	].join("; ");
}

function securityHeaders(c: Context, nonce: string) {
	c.header("Content-Security-Policy", contentSecurityPolicy(nonce));
	c.header("X-Content-Type-Options", "nosniff");
	c.header("Referrer-Policy", "no-referrer");
}

const INDEX_STYLE = raw(
	"body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#1f2328}" +
		"li{margin:.75rem 0}small{color:#59636e}code{font-size:.9em}",
);

function indexPage(nonce: string) {
	const items = REFERENCE_DIALECTS.map(
		(d) => html`<li>
	<a href="${referencePath(d)}"><strong>${d.title}</strong></a><br />
	<small>${d.description}</small><br />
	<small>OpenAPI: <a href="${d.document}"><code>${d.document}</code></a> · Postman:
	<a href="${postmanPath(d)}" download><code>${d.id}${POSTMAN_SUFFIX}</code></a></small>
</li>`,
	);
	return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>Roster API reference</title>
<style nonce="${nonce}">${INDEX_STYLE}</style>
</head>
<body>
<h1>Roster API reference</h1>
<p>One interactive reference per wire dialect, generated from its OpenAPI document.</p>
<ul>${items}</ul>
</body>
</html>`;
}

function bundleMissingPage(nonce: string, d: ReferenceDialect) {
	return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8" /><title>${d.title}</title><style nonce="${nonce}">${INDEX_STYLE}</style></head>
<body>
<h1>${d.title}</h1>
<p>The reference viewer is not installed: <code>npm install</code> with devDependencies copies it to
<code>public${SCALAR_BUNDLE}</code> (scripts/vendor-assets.mjs). The OpenAPI document is at
<a href="${d.document}"><code>${d.document}</code></a>.</p>
</body>
</html>`;
}

async function bundlePresent(c: Context<AppEnv>): Promise<boolean> {
	const assets = (c.env as Partial<Env>).ASSETS;
	if (!assets) return false;
	const res = await assets.fetch(new URL(SCALAR_BUNDLE, c.req.url), { method: "HEAD" });
	await res.body?.cancel();
	return res.ok;
}

const NAV_STYLE =
	".roster-nav{font:13px/1.4 system-ui,sans-serif;padding:6px 12px;border-bottom:1px solid #8884;" +
	"display:flex;gap:1rem}.roster-nav a{color:inherit}";

/** A line above the reference: back to the index, the document itself, the Postman collection. */
function nav(d: ReferenceDialect) {
	return html`<nav class="roster-nav"><a href="${DOCS_BASE}">All API references</a>
<a href="${d.document}">OpenAPI document</a>
<a href="${postmanPath(d)}" download>Postman collection</a></nav>`;
}

async function referencePage(c: Context<AppEnv>, d: ReferenceDialect) {
	const nonce = randomToken(18);
	securityHeaders(c, nonce);
	if (!(await bundlePresent(c))) return c.html(bundleMissingPage(nonce, d), 503);
	const render = Scalar<AppEnv>({
		url: d.document,
		cdn: SCALAR_BUNDLE,
		nonce,
		pageTitle: `Roster: ${d.title}`,
		// No fonts, telemetry or agent from scalar.com: the page talks to this origin only.
		withDefaultFonts: false,
		telemetry: false,
		agent: { disabled: true },
		hideClientButton: true,
		// The toolbar's Share and Deploy go to scalar.com.
		showDeveloperTools: "never",
		documentDownloadType: "json",
		customCss: NAV_STYLE,
	});
	const page = await render(c, async () => {});
	if (!page) throw new Error("the reference renderer answered nothing");
	const body = (await page.text()).replace("<body>", `<body>\n${await nav(d)}`);
	return c.html(body);
}

/** `/docs`, `/docs/index.json`, `/docs/<dialect>` and `/docs/<dialect>.postman_collection.json`. */
export function buildReferenceApp(dispatch: Dispatch) {
	const app = new Hono<AppEnv>();
	app.get(DOCS_BASE, (c) => {
		const nonce = randomToken(18);
		securityHeaders(c, nonce);
		return c.html(indexPage(nonce));
	});
	app.get(`${DOCS_BASE}/index.json`, (c) =>
		c.json({
			dialects: REFERENCE_DIALECTS.map((d) => ({
				id: d.id,
				title: d.title,
				reference: referencePath(d),
				document: d.document,
				postman: postmanPath(d),
			})),
		}),
	);
	app.get(`${DOCS_BASE}/:name`, async (c) => {
		const name = c.req.param("name");
		const collection = name.endsWith(POSTMAN_SUFFIX);
		const dialect = dialectById(collection ? name.slice(0, -POSTMAN_SUFFIX.length) : name);
		if (!dialect) return c.notFound();
		if (!collection) return referencePage(c, dialect);
		const res = await dispatch(dialect.document, c.env, executionContextOf(c));
		if (!res.ok) throw new Error(`${dialect.document} answered ${res.status}`);
		const document = (await res.json()) as Parameters<typeof postmanCollection>[0];
		c.header("Content-Disposition", `attachment; filename="roster-${dialect.id}${POSTMAN_SUFFIX}"`);
		return c.json(postmanCollection(document, dialect));
	});
	return app;
}
