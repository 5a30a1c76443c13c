// A management call refused after authentication (4xx) becomes one `request.failed` entry, in every
// dialect (docs/audit.md, "Failed calls"): which call, the status and error, never the body.
import type { Context } from "hono";
import { record } from "../domain/commit";
import type { AppEnv } from "./context";

/** Error messages are kept to this many characters. */
export const MAX_FAILURE_MESSAGE = 256;

const OPERATOR_PROJECT = /^\/v1\/operator\/projects\/(P[0-9A-Za-z]{27})(?:\/|$)/;

/** The project a refused call belongs to: the key's, or the one an operator call names. */
async function projectOf(c: Context<AppEnv>): Promise<string | null> {
	const deps = c.var.deps;
	if (deps.actor?.type === "key") return c.var.projectId ?? null;
	if (deps.actor?.type !== "operator") return null;
	const id = OPERATOR_PROJECT.exec(c.req.path)?.[1];
	if (!id) return null;
	// Only a project that exists gets an entry (a refusal for an unknown id has no history to join).
	const found = await deps.env.DB.prepare("SELECT 1 FROM projects WHERE id = ?").bind(id).first();
	return found ? id : null;
}

/**
 * Records the refusal when the call was an authenticated management call and the status a 4xx
 * other than 401 (no actor) and 429 (recording would amplify the abuse). Awaited by the caller;
 * a failure to record is logged and never changes the answer.
 */
export async function recordRefusal(
	c: Context<AppEnv>,
	refusal: { status: number; errorCode: string; message: string },
) {
	const { status } = refusal;
	if (status < 400 || status > 499 || status === 401 || status === 429) return;
	const deps = c.get("deps");
	if (!deps?.actor || deps.request?.dialect === "auth") return;
	try {
		const projectId = await projectOf(c);
		if (!projectId) return;
		await record(deps, projectId, [
			{
				action: "request.failed",
				result: "failure",
				target: { type: "request", id: deps.request?.id ?? null },
				data: {
					method: c.req.method,
					path: c.req.path,
					status,
					errorCode: refusal.errorCode,
					message: refusal.message.slice(0, MAX_FAILURE_MESSAGE),
				},
			},
		]);
	} catch (error) {
		console.error("could not record a refused call", c.req.method, c.req.path, error);
	}
}
