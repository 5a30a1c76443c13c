import { z } from "zod";
import type { User, UserFields, UserPatch } from "../../domain/users/user.types";
import { registrationStateOf } from "../v4/registration";

// The legacy flat user: {user_id, email, name, cid, phone, registered, user_flags}. "cid" is the
// legacy name of external_id; phone is E.164; registered is registration_state === REGISTERED.

export interface LegacyUser {
	user_id: string;
	email: string | null;
	name: string | null;
	cid: string | null;
	phone: string | null;
	registered: boolean;
	user_flags: string[];
}

export const toLegacyUser = (user: User): LegacyUser => ({
	user_id: user.id,
	email: user.email,
	name: user.name,
	cid: user.externalId,
	phone: user.phone,
	registered: registrationStateOf(user.status) === "REGISTERED",
	user_flags: user.userFlags,
});

// Unknown fields are ignored, as legacy clients send whatever they always sent; "service" is
// refused separately with a pointer to its replacement.
const text = z.string().nullable().optional();
export const legacyUserBody = z.object({
	email: text,
	name: text,
	cid: text,
	phone: text,
	registered: z.boolean().optional(),
	user_flags: z.array(z.string()).optional(),
});
export type LegacyUserBody = z.infer<typeof legacyUserBody>;

/** Legacy forms send "" for "no value": it clears, as null does. */
const cleared = (value: string | null | undefined) => (value === "" ? null : value);

export function toUserPatch(body: LegacyUserBody): UserPatch {
	return {
		email: cleared(body.email),
		name: cleared(body.name),
		externalId: cleared(body.cid),
		phone: cleared(body.phone),
		userFlags: body.user_flags,
		registered: body.registered,
	};
}

/** A create: the email is the login id (the route has checked it is there). */
export function toNewUser(body: LegacyUserBody & { email: string }): UserFields {
	const patch = toUserPatch(body);
	return {
		loginId: body.email,
		email: body.email,
		phone: patch.phone ?? undefined,
		name: patch.name ?? undefined,
		externalId: patch.externalId,
		userFlags: patch.userFlags,
		status: patch.registered ? "enabled" : "invited",
	};
}
