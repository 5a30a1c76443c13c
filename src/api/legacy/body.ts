import type { Context } from "hono";
import { LegacyError, legacyValidationError, serviceRefused } from "./errors";
import { type LegacyUserBody, legacyUserBody } from "./mapper";

/** The JSON body of a legacy write, whatever Content-Type it came with; "service" is refused. */
export async function readLegacyBody(c: Context): Promise<LegacyUserBody> {
	let raw: unknown;
	try {
		raw = JSON.parse(await c.req.text());
	} catch {
		throw new LegacyError(400, "bad_request", "The request body is not valid JSON");
	}
	if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
		throw new LegacyError(400, "bad_request", "The request body must be a JSON object");
	}
	if ("service" in raw) {
		throw serviceRefused();
	}
	const parsed = legacyUserBody.safeParse(raw);
	if (!parsed.success) throw legacyValidationError(parsed.error);
	return parsed.data;
}
