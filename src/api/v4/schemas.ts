import { z } from "@hono/zod-openapi";
import {
	emailInputProblem as emailProblem,
	externalIdInputProblem as externalIdProblem,
	nameProblem,
	phoneProblem,
} from "../../domain/users/user.validate";
import { USER_FLAGS, userFlagNames } from "../../domain/users/user-flags";
import { JSONAPI_MEDIA_TYPE } from "./media-type";
import { registrationStates } from "./registration";

// Wire schemas of the v4 dialect: JSON:API v1.1 documents for `users` and `user_profiles`.
// Attribute objects are strict (an unknown attribute is a 400 naming it); read-only members
// answer 403; the other members JSON:API defines are accepted and ignored.

export const V4_BASE = "/api/user/management/v4";

// ---------------------------------------------------------------- helpers

/** A custom issue; `status` other than 400 and `code` travel to the error object. */
const issue = (ctx: z.RefinementCtx, message: string, code: string, status?: number, path?: PropertyKey[]) =>
	ctx.addIssue({
		code: "custom",
		message,
		params: { code, ...(status ? { status } : {}) },
		...(path ? { path } : {}),
	});

const checked =
	(problemOf: (value: string) => string | null, code: string) => (value: string, ctx: z.RefinementCtx) => {
		const message = problemOf(value);
		if (message) issue(ctx, message, code);
	};

/** A member the client may not set: 403 when present (JSON:API: unsupported update). */
const readOnly = (message: string, openapi: Record<string, unknown>) =>
	z
		.unknown()
		.optional()
		.superRefine((value, ctx) => {
			if (value !== undefined) issue(ctx, message, "read_only", 403);
		})
		.openapi({ readOnly: true, ...openapi });

// ---------------------------------------------------------------- attributes

export const userFlagField = z.enum(userFlagNames).openapi("UserFlag", {
	description: Object.entries(USER_FLAGS)
		.map(([name, description]) => `${name}: ${description}`)
		.join("\n"),
});

export const registrationStateField = z.enum(registrationStates).openapi("RegistrationState", {
	description: "UNREGISTERED (the default; status invited) or REGISTERED (status enabled or disabled)",
});

const nameIn = z
	.string()
	.superRefine(checked(nameProblem, "invalid_name"))
	.nullable()
	.optional()
	.openapi({ description: "Full name; null clears it" });
const emailIn = z
	.string()
	.superRefine(checked(emailProblem, "invalid_email"))
	.nullable()
	.optional()
	.openapi({ format: "email", description: "Unique per project; null clears it" });
const phoneIn = z
	.string()
	.superRefine(checked(phoneProblem, "invalid_phone"))
	.nullable()
	.optional()
	.openapi({
		example: "+1 415 555 0100",
		description:
			"International notation: +, country code, number; spaces, dots, dashes and parentheses are ignored. " +
			"Answered in E.123 international notation; unique per project; null clears it",
	});
const externalIdIn = z
	.string()
	.superRefine(checked(externalIdProblem, "invalid_external_id"))
	.nullable()
	.optional()
	.openapi({ description: 'Unique per project ("cid" in the legacy endpoints); null clears it' });

const contactDetailsIn = z.strictObject({ email: emailIn, telephone_number_E123: phoneIn });
const registrationIn = z.strictObject({
	registration_state: registrationStateField.optional(),
	registration_time: readOnly("is read-only: it is stamped when the user registers", {
		type: "integer",
		description: "Read-only",
	}),
});

const attributesIn = (registration: typeof registrationIn | typeof registrationPatchIn) =>
	z.strictObject({
		name: nameIn,
		user_flags: z.array(userFlagField).optional().openapi({ description: "Replaces the user's flags" }),
		contact_details: contactDetailsIn.optional(),
		registration_information: registration.optional(),
		external_id: externalIdIn,
	});

/**
 * In a PATCH, the read-only registration_time may be sent back as it was read (a client that
 * PATCHes a resource it fetched); the route refuses it (403) only when it differs.
 */
const registrationPatchIn = z.strictObject({
	registration_state: registrationStateField.optional(),
	registration_time: z
		.number()
		.int()
		.nullable()
		.optional()
		.openapi({ readOnly: true, description: "Read-only: accepted only unchanged (epoch seconds)" }),
});

export const userAttributesIn = attributesIn(registrationIn).openapi("UserAttributesInput");
export const userPatchAttributesIn = attributesIn(registrationPatchIn).openapi("UserPatchAttributesInput");
export type UserAttributesIn = z.infer<typeof userPatchAttributesIn>;

const typeIn = z
	.string()
	.superRefine((type, ctx) => {
		if (type !== "users") issue(ctx, `"${type}" is not "users"`, "type_mismatch", 409);
	})
	.openapi({ enum: ["users"] });

/** default_user_profile is made with the user: it cannot be set or replaced. */
const relationshipsIn = z
	.record(z.string(), z.unknown())
	.optional()
	.superRefine((relationships, ctx) => {
		for (const name of Object.keys(relationships ?? {})) {
			if (name === "default_user_profile") {
				issue(ctx, "is created with the user and cannot be replaced", "read_only", 403, [name]);
			} else issue(ctx, "is not a relationship of users", "unknown_relationship", 400, [name]);
		}
	})
	.openapi({ readOnly: true });

export const createDocument = z
	.object({
		data: z.object({
			type: typeIn,
			id: readOnly("client-generated ids are not supported", { type: "string" }),
			attributes: userAttributesIn.optional(),
			relationships: relationshipsIn,
		}),
	})
	.openapi("UserCreateDocument");

/** In a PATCH, default_user_profile may be sent back with its current linkage; anything else is refused. */
const relationshipsPatchIn = z
	.record(z.string(), z.unknown())
	.optional()
	.superRefine((relationships, ctx) => {
		for (const [name, value] of Object.entries(relationships ?? {})) {
			if (name !== "default_user_profile") {
				issue(ctx, "is not a relationship of users", "unknown_relationship", 400, [name]);
				continue;
			}
			const data = (value as { data?: unknown } | null)?.data;
			const linkage =
				data === null ||
				(typeof data === "object" &&
					data !== null &&
					(data as { type?: unknown }).type === "user_profiles" &&
					typeof (data as { id?: unknown }).id === "string");
			if (!linkage) issue(ctx, "is created with the user and cannot be replaced", "read_only", 403, [name]);
		}
	})
	.openapi({ readOnly: true, description: "Accepted only with the current linkage" });

export const patchDocument = z
	.object({
		data: z.object({
			type: typeIn,
			id: z.string().openapi({ description: "The user_id of the URL" }),
			attributes: userPatchAttributesIn.optional(),
			relationships: relationshipsPatchIn,
		}),
	})
	.openapi("UserPatchDocument");

const localeIn = z
	.string()
	.nullable()
	.optional()
	.openapi({ example: "en-US", description: "BCP 47 language tag (RFC 5646); null clears it" });
const timeZoneIn = z
	.string()
	.nullable()
	.optional()
	.openapi({ example: "Europe/Paris", description: "IANA time zone name; null clears it" });

export const profilePatchDocument = z
	.object({
		data: z.object({
			type: z
				.string()
				.superRefine((type, ctx) => {
					if (type !== "user_profiles") issue(ctx, `"${type}" is not "user_profiles"`, "type_mismatch", 409);
				})
				.openapi({ enum: ["user_profiles"] }),
			id: z.string().optional().openapi({ description: "The profile's id, when given" }),
			attributes: z.strictObject({ locale: localeIn, time_zone: timeZoneIn }).optional(),
			relationships: z.record(z.string(), z.unknown()).optional().openapi({ readOnly: true }),
		}),
	})
	.openapi("UserProfilePatchDocument");

// ---------------------------------------------------------------- responses

const jsonapiObject = z.object({ version: z.literal("1.1") });
const identifier = <T extends string>(type: T) => z.object({ type: z.literal(type), id: z.string() });
const selfLinks = z.object({ self: z.string() });

export const userAttributesOut = z
	.object({
		name: z.string().nullable(),
		user_flags: z.array(userFlagField),
		contact_details: z.object({
			email: z.string().nullable(),
			telephone_number_E123: z.string().nullable().openapi({ example: "+1 415 555 0100" }),
		}),
		registration_information: z.object({
			registration_state: registrationStateField,
			registration_time: z
				.number()
				.int()
				.nullable()
				.openapi({ readOnly: true, description: "Epoch seconds" }),
		}),
		external_id: z.string().nullable(),
	})
	.partial()
	.openapi("UserAttributes", { description: "All present unless narrowed by fields[users]" });

const relationshipOut = <T extends string>(type: T) =>
	z.object({ links: z.object({ self: z.string(), related: z.string() }), data: identifier(type).nullable() });

export const userResource = z
	.object({
		type: z.literal("users"),
		id: z.string(),
		attributes: userAttributesOut.optional(),
		relationships: z
			.object({ default_user_profile: relationshipOut("user_profiles") })
			.partial()
			.optional(),
		links: selfLinks,
		meta: z.object({
			created_time: z.number().int().openapi({ description: "Epoch seconds" }),
			modified_time: z.number().int().openapi({ description: "Epoch seconds" }),
			security: z.object({
				password_set: z.boolean(),
				passkey_count: z.number().int(),
				last_sign_in_time: z.number().int().nullable().openapi({ description: "Epoch seconds" }),
				locked: z.boolean().openapi({ description: "Locked out after failed sign-ins" }),
			}),
		}),
	})
	.openapi("User");
export type UserResource = z.infer<typeof userResource>;

export const profileResource = z
	.object({
		type: z.literal("user_profiles"),
		id: z.string(),
		attributes: z
			.object({ locale: z.string().nullable(), time_zone: z.string().nullable() })
			.partial()
			.optional(),
		relationships: z
			.object({ user: z.object({ data: identifier("users") }) })
			.partial()
			.optional(),
		links: selfLinks,
	})
	.openapi("UserProfile");
export type ProfileResource = z.infer<typeof profileResource>;

export const userDocument = z
	.object({
		jsonapi: jsonapiObject,
		data: userResource,
		included: z.array(profileResource).optional(),
		links: selfLinks,
	})
	.openapi("UserDocument");
export type UserDocument = z.infer<typeof userDocument>;

export const usersDocument = z
	.object({
		jsonapi: jsonapiObject,
		data: z.array(userResource),
		included: z.array(profileResource).optional(),
		links: z.object({
			self: z.string(),
			first: z.string(),
			prev: z.string().nullable(),
			next: z.string().nullable(),
		}),
		meta: z.object({
			page: z.object({ size: z.number().int() }),
			total: z.number().int().optional().openapi({ description: "With page[total]=true" }),
		}),
	})
	.openapi("UsersDocument");
export type UsersDocument = z.infer<typeof usersDocument>;

export const profileDocument = z
	.object({
		jsonapi: jsonapiObject,
		data: profileResource.nullable(),
		links: selfLinks,
	})
	.openapi("UserProfileDocument");

export const relationshipDocument = z
	.object({
		jsonapi: jsonapiObject,
		data: identifier("user_profiles").nullable(),
		links: z.object({ self: z.string(), related: z.string() }),
	})
	.openapi("DefaultUserProfileRelationship");

export const flagsDocument = z
	.object({
		jsonapi: jsonapiObject,
		data: z.array(
			z.object({
				type: z.literal("user_flags"),
				id: userFlagField,
				attributes: z.object({ description: z.string() }),
			}),
		),
		links: selfLinks,
	})
	.openapi("UserFlagsDocument");

export const errorDocument = z
	.object({
		jsonapi: jsonapiObject,
		errors: z.array(
			z.object({
				status: z.string(),
				code: z.string(),
				title: z.string(),
				detail: z.string(),
				source: z
					.object({ pointer: z.string(), parameter: z.string(), header: z.string() })
					.partial()
					.optional(),
			}),
		),
	})
	.openapi("ErrorDocument");

// ---------------------------------------------------------------- request parts

export const userIdParams = z.object({
	user_id: z.string().openapi({ param: { name: "user_id", in: "path" }, example: "U2abc…" }),
});

const param = (description: string) => z.string().optional().openapi({ description });

export const readQueryShape = {
	include: param("default_user_profile: adds the profile to `included`"),
	"fields[users]": param(
		"Sparse fieldset: comma-separated attributes and relationships of users (name, user_flags, contact_details, registration_information, external_id, default_user_profile)",
	),
	"fields[user_profiles]": param("Sparse fieldset of included profiles (locale, time_zone, user)"),
};
export const readQuery = z.strictObject(readQueryShape);

export const indexQuery = z.strictObject({
	...readQueryShape,
	"page[size]": param("1 to 500; default 50"),
	"page[after]": param("Opaque cursor: the page after this position (links.next)"),
	"page[before]": param("Opaque cursor: the page before this position (links.prev)"),
	"page[total]": param("true: add meta.total, the count of every match (one more indexed count)"),
	"filter[email]": param("Exact email, case-insensitive; comma-separated for any of several"),
	"filter[external_id]": param("Exact external id"),
	"filter[registration_state]": param("REGISTERED or UNREGISTERED (comma-separated for either)"),
	"filter[user_flags]": param("Comma-separated flags; users holding every one of them"),
	"filter[name]": param("Name contains this text (case-insensitive)"),
	"filter[created_after]": param("Created strictly after: epoch seconds or an RFC 3339 date-time"),
	"filter[created_before]": param("Created strictly before: epoch seconds or an RFC 3339 date-time"),
	sort: param(
		"Comma-separated of name, email, registration_time, created; `-` for descending. Default: created",
	),
});
export type IndexQuery = z.infer<typeof indexQuery>;

export const ifMatchHeaders = z.object({
	"if-match": z
		.string()
		.optional()
		.openapi({ description: "ETag of the version this change applies to; 412 if stale" }),
});
export const ifNoneMatchHeaders = z.object({
	"if-none-match": z
		.string()
		.optional()
		.openapi({ description: "ETag held by the client; 304 if still current" }),
});

// ---------------------------------------------------------------- route documentation

const errorContent = { [JSONAPI_MEDIA_TYPE]: { schema: errorDocument } };
export const errorResponses = {
	400: { description: "Invalid document or parameters: one error object per problem", content: errorContent },
	401: { description: "Missing or invalid API key", content: errorContent },
	403: {
		description: "Client IP not allowed for the key, or a read-only member was sent",
		content: errorContent,
	},
	406: { description: "Accept asks for JSON:API with unsupported parameters", content: errorContent },
	415: {
		description: "Content-Type is neither JSON:API (without parameters) nor JSON",
		content: errorContent,
	},
	500: { description: "Internal error", content: errorContent },
} as const;

export const jsonApiContent = <T extends z.ZodType>(schema: T) => ({ [JSONAPI_MEDIA_TYPE]: { schema } });

export const jsonApiBody = <T extends z.ZodType>(schema: T) => ({
	content: jsonApiContent(schema),
	required: true,
});

export const etagHeader = {
	ETag: {
		description: 'W/"<version>": the user\'s version, bumped by every write',
		schema: { type: "string" as const },
	},
};
