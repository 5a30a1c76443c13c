import { z } from "@hono/zod-openapi";
import { PartnerProblem, problem } from "./errors";

// Lists of the partner dialect (docs/partner.md, "Lists"): `?limit=` (default 100, at most 1000),
// an opaque keyset `?cursor=`, and `Total` only when `?includeTotal=true` (a count costs a scan).

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** The query every list accepts; extend it (`listQuery.extend({...})`) for a list's own filters. */
export const listQuery = z.object({
	limit: z
		.string()
		.regex(/^\d{1,4}$/, "must be an integer from 1 to 1000")
		.transform(Number)
		.refine((n) => n >= 1 && n <= MAX_LIMIT, "must be an integer from 1 to 1000")
		.optional()
		.openapi({ type: "integer", minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }),
	cursor: z
		.string()
		.min(1)
		.max(4096)
		.optional()
		.openapi({ description: "The previous page's NextCursor; opaque" }),
	includeTotal: z
		.enum(["true", "false"])
		.optional()
		.transform((v) => v === "true")
		.openapi({ type: "boolean", description: "Add `Total`, the number of items of the whole list" }),
});

export interface ListEnvelope<T> {
	Items: T[];
	NextCursor: string | null;
	Total?: number;
}

export function listEnvelope<T>(items: T[], nextCursor: string | null, total?: number): ListEnvelope<T> {
	return total === undefined
		? { Items: items, NextCursor: nextCursor }
		: { Items: items, NextCursor: nextCursor, Total: total };
}

/** The OpenAPI schema of a list of `item`. */
export const listEnvelopeSchema = <T extends z.ZodType>(item: T, name: string) =>
	z
		.object({
			Items: z.array(item),
			NextCursor: z.string().nullable().openapi({ description: "null on the last page" }),
			Total: z.number().int().optional().openapi({ description: "With includeTotal=true" }),
		})
		.openapi(name);

const toBase64Url = (text: string) => {
	let binary = "";
	for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
	return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
};

/** A keyset position as an opaque cursor: base64url of its JSON. */
export const encodeCursor = (position: unknown) => toBase64Url(JSON.stringify(position));

const badCursor = () =>
	new PartnerProblem(
		problem(400, "validation", "Invalid request", "cursor: is not a cursor this API issued", [
			{ field: "cursor", message: "is not a cursor this API issued" },
		]),
	);

/** The position a cursor holds, checked by `isPosition`; a 400 naming `cursor` otherwise. */
export function decodeCursor<T>(cursor: string, isPosition: (value: unknown) => value is T): T {
	if (!/^[A-Za-z0-9_-]{1,4096}$/.test(cursor)) throw badCursor();
	let value: unknown;
	try {
		const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
		const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
		value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
	} catch {
		throw badCursor();
	}
	if (!isPosition(value)) throw badCursor();
	return value;
}
