// The console sub-app's Hono environment and the helpers every page uses.
import type { Context } from "hono";
import type { JSX } from "hono/jsx/jsx-runtime";
import type { Api, ApiError, ApiResult } from "./api-client";
import { Layout, type PageFrame } from "./layout";
import type { ConsoleSession } from "./session";

export interface ConsoleEnv {
	Bindings: Env;
	Variables: {
		session: ConsoleSession | null;
		api: Api;
		/** The CSRF token of the session (the sign-in page's when signed out). */
		csrf: string;
	};
}

export type ConsoleContext = Context<ConsoleEnv>;

/** What a page renders besides its data: a success message or the API's refusal. */
export interface PageState {
	notice?: string;
	error?: ApiError | string | null;
	status?: number;
}

/** Success messages by code: a redirect names one with `?ok=`, the text never comes from the URL. */
export const NOTICES: Record<string, string> = {
	"user-created": "User created.",
	"user-saved": "Profile saved.",
	"status-saved": "Status changed.",
	"roles-saved": "Roles changed.",
	"tenants-saved": "Tenant membership changed.",
	"attribute-saved": "Custom attribute saved.",
	"loginid-saved": "Login id changed.",
	"passkey-deleted": "Passkey removed.",
	"signed-out-everywhere": "Every session of this user has ended.",
	"user-deleted": "User deleted.",
	"tenant-created": "Tenant created.",
	"tenant-saved": "Tenant saved.",
	"tenant-deleted": "Tenant deleted.",
	"role-created": "Role created.",
	"role-saved": "Role saved.",
	"role-deleted": "Role deleted.",
	"permission-created": "Permission created.",
	"permission-deleted": "Permission deleted.",
	"definition-saved": "Custom attribute definition saved.",
	"definition-deleted": "Custom attribute definition deleted.",
	"app-created": "SSO application created.",
	"app-saved": "SSO application saved.",
	"app-deleted": "SSO application deleted.",
	"key-saved": "Management key updated.",
	"key-deleted": "Management key deleted.",
	"access-key-saved": "Access key updated.",
	"access-key-deleted": "Access key deleted.",
	"webhook-saved": "Webhook updated.",
	"webhook-deleted": "Webhook deleted.",
};

export const noticeOf = (c: ConsoleContext): string | undefined => {
	const code = c.req.query("ok");
	return code ? NOTICES[code] : undefined;
};

/** Renders a page in the frame, with the session's navigation. */
export function render(
	c: ConsoleContext,
	frame: Omit<PageFrame, "session" | "csrf">,
	body: JSX.Element,
	status = 200,
) {
	const html = (
		<Layout {...frame} session={c.var.session} csrf={c.var.csrf}>
			{body}
		</Layout>
	);
	return c.html(`<!doctype html>${html}`, status as 200);
}

/** After a write: back to a page, with a success code. */
export const done = (c: ConsoleContext, path: string, code: string) => {
	const url = new URL(path, "http://x");
	url.searchParams.set("ok", code);
	return c.redirect(`${url.pathname}${url.search}${url.hash}`, 303);
};

/** The status a refused call's page answers with: the API's (a 5xx stays a 502 of the console). */
export const statusOf = (r: { status: number }) => (r.status >= 500 ? 502 : r.status);

/**
 * A page built over one API answer: the page's notice, the answer's error when it failed, and the
 * answer's status (or the state's, after a refused write).
 */
export function renderOver(
	c: ConsoleContext,
	frame: Pick<PageFrame, "title" | "section">,
	state: PageState,
	res: ApiResult<unknown>,
	body: JSX.Element,
) {
	return render(
		c,
		{ ...frame, notice: state.notice ?? noticeOf(c), error: state.error ?? (res.ok ? null : res.error) },
		body,
		state.status ?? (res.ok ? 200 : statusOf(res)),
	);
}

/** A form's string fields. */
export async function formOf(c: ConsoleContext): Promise<Record<string, string>> {
	const body = await c.req.parseBody({ all: true });
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(body)) {
		const value = Array.isArray(v) ? v[v.length - 1] : v;
		if (typeof value === "string") out[k] = value;
	}
	return out;
}

/** Every value of a repeated field (checkboxes). */
export async function formAll(c: ConsoleContext, name: string): Promise<string[]> {
	const body = await c.req.parseBody({ all: true });
	const v = body[name] ?? body[`${name}[]`];
	const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
	return list.filter((x): x is string => typeof x === "string");
}

/** A comma- or newline-separated list. */
export const listOf = (value: string | undefined) =>
	(value ?? "")
		.split(/[\n,]/)
		.map((s) => s.trim())
		.filter(Boolean);

/** One page of a partner-API list (`?limit=100&cursor=`), at the cursor the console page was given. */
export function partnerList<T>(c: ConsoleContext, path: string) {
	const cursor = c.req.query("cursor") ?? "";
	const qs = new URLSearchParams({ limit: "100", ...(cursor ? { cursor } : {}) });
	return c.var.api.partner<{ Items: T[]; NextCursor: string | null }>("GET", `${path}?${qs}`);
}

export const unwrap = <T,>(r: ApiResult<T>, fallback: T): T => (r.ok ? r.data : fallback);
