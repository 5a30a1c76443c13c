// The console's server side calls Roster's own HTTP APIs in-process, with the signed-in project id
// and management key, exactly as a script would: every check, limit and history entry applies.
import type { ExecutionContext } from "hono";
import type { ConsoleSession } from "./session";

/** The app's own fetch (src/app.ts passes it in). */
export type ApiFetch = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

export interface ApiError {
	status: number;
	code: string;
	message: string;
}

export type ApiResult<T> =
	| { ok: true; status: number; data: T }
	| { ok: false; status: number; error: ApiError };

/** Headers of the browser's request that the API reads (client address for limits, history). */
const FORWARDED = ["cf-connecting-ip", "cf-ray", "user-agent", "cf-ipcountry"];

export interface ApiContext {
	fetch: ApiFetch;
	env: Env;
	ctx: ExecutionContext;
	/** The browser's request: origin and forwarded headers. */
	request: Request;
}

export class Api {
	constructor(
		private readonly c: ApiContext,
		private readonly credentials: Pick<ConsoleSession, "projectId" | "key">,
	) {}

	get<T>(path: string, query?: Record<string, string>) {
		const qs = query ? `?${new URLSearchParams(query)}` : "";
		return this.send<T>("GET", `${path}${qs}`);
	}
	post<T>(path: string, body: unknown) {
		return this.send<T>("POST", path, body);
	}
	put<T>(path: string, body: unknown) {
		return this.send<T>("PUT", path, body);
	}
	patch<T>(path: string, body: unknown) {
		return this.send<T>("PATCH", path, body);
	}

	/** The partner API (`/api/partner/v1`, docs/partner.md) takes the key alone. */
	partner<T>(method: string, path: string, body?: unknown) {
		return this.send<T>(method, `/api/partner/v1${path}`, body, `Bearer ${this.credentials.key}`);
	}

	/** End-user routes (`/v1/auth/...`) take the project id alone. */
	getPublic<T>(path: string) {
		return this.send<T>("GET", path, undefined, `Bearer ${this.credentials.projectId}`);
	}

	async send<T>(method: string, path: string, body?: unknown, authorization?: string): Promise<ApiResult<T>> {
		const headers = new Headers({
			authorization: authorization ?? `Bearer ${this.credentials.projectId}:${this.credentials.key}`,
			accept: "application/json",
		});
		for (const name of FORWARDED) {
			const value = this.c.request.headers.get(name);
			if (value) headers.set(name, value);
		}
		if (body !== undefined) headers.set("content-type", "application/json");
		const url = new URL(path, this.c.request.url);
		const req = new Request(url, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const res = await this.c.fetch(req, this.c.env, this.c.ctx);
		const text = await res.text();
		let parsed: unknown = null;
		try {
			parsed = text ? JSON.parse(text) : null;
		} catch {
			parsed = null;
		}
		if (res.ok) return { ok: true, status: res.status, data: parsed as T };
		return { ok: false, status: res.status, error: toError(res.status, parsed, text) };
	}
}

/** The Descope envelope (`errorCode`, `errorDescription`, `errorMessage`), or the bare text. */
function toError(status: number, body: unknown, text: string): ApiError {
	if (body && typeof body === "object") {
		const b = body as Record<string, unknown>;
		// Descope's envelope, or RFC 9457 problem details (the partner API).
		const message = [b.errorMessage, b.detail, b.errorDescription, b.message, b.title].find(
			(v): v is string => typeof v === "string" && v !== "",
		);
		return {
			status,
			code: typeof b.errorCode === "string" ? b.errorCode : typeof b.code === "string" ? b.code : "",
			message: message ?? text,
		};
	}
	return { status, code: "", message: text.slice(0, 500) || `HTTP ${status}` };
}
