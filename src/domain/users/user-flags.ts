/**
 * The predefined user flags (docs/rest-v4.md, `GET …/v4/user_flags`). Roster stores
 * and indexes them; the applications that read a user decide what each one restricts or enables.
 * Adding a flag is adding a line here: the OpenAPI enum, `GET …/v4/user_flags` and validation
 * all read this list.
 */
export const USER_FLAGS = {
	LICENSE_PURCHASE_RESTRICTED: "The user may not purchase licenses.",
	LICENSE_ASSIGNMENT_RESTRICTED: "The user may not assign or revoke licenses.",
	BILLING_ACCESS_RESTRICTED: "The user may not see invoices or payment details.",
	USER_MANAGEMENT_RESTRICTED: "The user may not invite, change or remove other users.",
	BETA_FEATURES_ENABLED: "The user has opted in to pre-release features.",
} as const;

export type UserFlag = keyof typeof USER_FLAGS;

export const userFlagNames = Object.keys(USER_FLAGS) as [UserFlag, ...UserFlag[]];

export const isUserFlag = (value: string): value is UserFlag => Object.hasOwn(USER_FLAGS, value);
