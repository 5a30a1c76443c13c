import { z } from "@hono/zod-openapi";

/**
 * A JSON object of named values (custom attributes, their search filters). zod's record leaves
 * an own "__proto__" key out of its result without an issue, so a search by it would match every
 * user; it is refused instead, as the unknown attribute it is.
 */
export const attributeRecord = () =>
	z.preprocess(
		(value, ctx) => {
			if (value !== null && typeof value === "object" && Object.hasOwn(value, "__proto__")) {
				ctx.addIssue({
					code: "custom",
					message: 'unknown custom attribute "__proto__"',
					path: ["__proto__"],
					input: value,
				});
			}
			return value;
		},
		z.record(z.string(), z.unknown()),
	);
