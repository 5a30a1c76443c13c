import { z } from "@hono/zod-openapi";
import { userStatuses } from "../../db/schema";
import { attributeRecord } from "../attribute-record";

// Wire schemas of the Descope dialect, as @descope/node-sdk sends them (docs/descope-compat.md).
// The SDK sends null for some unset arguments, so optional fields accept null and handlers treat it
// as "not given".

export const optString = z.string().nullish();
export const optBool = z.boolean().nullish();
export const optStrings = z.array(z.string()).nullish();
/** int64 fields arrive as numbers or numeric strings (docs/descope-compat.md, "Wire behaviour"). */
export const optInt64 = z
	.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/, "expected a number")])
	.nullish()
	.transform((v) => (v === null || v === undefined ? undefined : Number(v)));

export const loginIdField = z.string().openapi({ description: "A login id, or a user id" });
export const statusField = z.enum(userStatuses);

export const attributeValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]).nullable();
export const customAttributesField = attributeRecord().nullish();

export const associatedTenant = z.object({ tenantId: z.string(), roleNames: optStrings });

/** Create / update body (`management.user.create` / `management.user.update`). */
export const userFieldsBody = z.object({
	loginId: loginIdField,
	email: optString,
	phone: optString,
	displayName: optString,
	name: optString.openapi({ description: "Alias of displayName" }),
	givenName: optString,
	middleName: optString,
	familyName: optString,
	roleNames: optStrings,
	userTenants: z.array(associatedTenant).nullish(),
	customAttributes: customAttributesField,
	picture: optString,
	verifiedEmail: optBool,
	verifiedPhone: optBool,
	additionalLoginIds: optStrings,
	additionalIdentifiers: optStrings.openapi({ description: "Alias of additionalLoginIds" }),
	ssoAppIds: optStrings,
	status: statusField.nullish(),
	test: optBool,
	invite: optBool,
});

export const responseUser = z
	.object({
		loginIds: z.array(z.string()),
		userId: z.string(),
		name: z.string(),
		givenName: z.string(),
		middleName: z.string(),
		familyName: z.string(),
		email: z.string(),
		phone: z.string(),
		verifiedEmail: z.boolean(),
		verifiedPhone: z.boolean(),
		roleNames: z.array(z.string()),
		userTenants: z.array(
			z.object({
				tenantId: z.string(),
				roleNames: z.array(z.string()),
				tenantName: z.string(),
				permissions: z.array(z.string()),
			}),
		),
		status: z.string(),
		externalIds: z.array(z.string()),
		picture: z.string(),
		test: z.boolean(),
		customAttributes: z.record(z.string(), z.unknown()),
		createdTime: z.number().int().openapi({ description: "Unix seconds" }),
		TOTP: z.boolean(),
		SAML: z.boolean(),
		SCIM: z.boolean(),
		OIDC: z.boolean(),
		OAuth: z.record(z.string(), z.boolean()),
		webauthn: z.boolean(),
		password: z.boolean(),
		push: z.boolean(),
		ssoAppIds: z.array(z.string()),
		editable: z.boolean(),
		permissions: z.array(z.string()),
		consentExpiration: z.number().int(),
		recoveryEmail: z.string(),
		recoveryPhone: z.string(),
		verifiedRecoveryEmail: z.boolean(),
		verifiedRecoveryPhone: z.boolean(),
	})
	.openapi("ResponseUser");
export type ResponseUser = z.infer<typeof responseUser>;

export const userEnvelope = z.object({ user: responseUser }).openapi("UserResponse");
export const usersEnvelope = z.object({ users: z.array(responseUser), total: z.number().int() });
export const empty = z.object({}).openapi("Empty");

export const errorBody = z
	.object({ errorCode: z.string(), errorDescription: z.string(), errorMessage: z.string() })
	.openapi("Error");

const errorContent = { "application/json": { schema: errorBody } };
/** The error responses every route documents. */
export const errorResponses = {
	400: { description: "Invalid or missing arguments", content: errorContent },
	401: { description: "Missing, wrong, inactive or expired management key", content: errorContent },
	403: { description: "Client IP not permitted for the key", content: errorContent },
	404: { description: "Not found", content: errorContent },
	409: { description: "Already exists", content: errorContent },
	500: { description: "Internal error", content: errorContent },
} as const;

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
	content: { "application/json": { schema } },
	required: true,
});

export const ok = <T extends z.ZodType>(schema: T, description = "OK") => ({
	200: { description, content: { "application/json": { schema } } },
	...errorResponses,
});
