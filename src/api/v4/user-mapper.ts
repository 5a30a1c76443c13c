import type { UserFields, UserPatch } from "../../domain/users/user.types";
import { FieldErrors } from "../../domain/users/user.validate";
import type { UserFlag } from "../../domain/users/user-flags";
import type { UserRecord } from "../../domain/users/users.list";
import { JSONAPI } from "./media-type";
import { formatE123 } from "./phone-e123";
import { isRegistered, registrationStateOf } from "./registration";
import type { ProfileResource, UserAttributesIn, UserDocument, UserResource } from "./schemas";

export const USER_FIELDS = [
	"name",
	"user_flags",
	"contact_details",
	"registration_information",
	"external_id",
	"default_user_profile",
] as const;
export const PROFILE_FIELDS = ["locale", "time_zone", "user"] as const;

/** What a response shows: sparse fieldsets (absent = every field) and included relationships. */
export interface View {
	/** Absolute URL of the v4 API root, for links. */
	base: string;
	users?: Set<string>;
	profiles?: Set<string>;
	includeProfile: boolean;
	now: number;
}

const seconds = (ms: number) => Math.floor(ms / 1000);
const orNull = (value: string) => (value === "" ? null : value);

export const userUrl = (base: string, id: string) => `${base}/users/${encodeURIComponent(id)}`;
export const profileUrl = (base: string, userId: string) => `${userUrl(base, userId)}/default_user_profile`;
export const relationshipUrl = (base: string, userId: string) =>
	`${userUrl(base, userId)}/relationships/default_user_profile`;

export function toUserResource({ user, profile }: UserRecord, view: View): UserResource {
	const shows = (field: string) => !view.users || view.users.has(field);
	const attributes: NonNullable<UserResource["attributes"]> = {};
	if (shows("name")) attributes.name = user.name;
	if (shows("user_flags")) attributes.user_flags = user.userFlags as UserFlag[];
	if (shows("contact_details")) {
		attributes.contact_details = {
			email: user.email,
			telephone_number_E123: user.phone === null ? null : formatE123(user.phone),
		};
	}
	if (shows("registration_information")) {
		attributes.registration_information = {
			registration_state: registrationStateOf(user.status),
			registration_time: user.registrationTime === null ? null : seconds(user.registrationTime),
		};
	}
	if (shows("external_id")) attributes.external_id = user.externalId;
	const resource: UserResource = {
		type: "users",
		id: user.id,
		attributes,
		links: { self: userUrl(view.base, user.id) },
		meta: {
			created_time: seconds(user.createdAt),
			modified_time: seconds(user.modifiedAt),
			security: {
				password_set: user.passwordState !== null,
				passkey_count: user.passkeyCount,
				last_sign_in_time: user.lastSignInAt === null ? null : seconds(user.lastSignInAt),
				locked: user.lockedUntil !== null && user.lockedUntil > view.now,
			},
		},
	};
	if (shows("default_user_profile")) {
		resource.relationships = {
			default_user_profile: {
				links: { self: relationshipUrl(view.base, user.id), related: profileUrl(view.base, user.id) },
				data: profile ? { type: "user_profiles", id: profile.id } : null,
			},
		};
	}
	return resource;
}

export function toProfileResource({ user, profile }: UserRecord, view: View): ProfileResource | null {
	if (!profile) return null;
	const shows = (field: string) => !view.profiles || view.profiles.has(field);
	const attributes: NonNullable<ProfileResource["attributes"]> = {};
	if (shows("locale")) attributes.locale = orNull(profile.locale);
	if (shows("time_zone")) attributes.time_zone = orNull(profile.timeZone);
	return {
		type: "user_profiles",
		id: profile.id,
		attributes,
		...(shows("user") ? { relationships: { user: { data: { type: "users" as const, id: user.id } } } } : {}),
		links: { self: profileUrl(view.base, user.id) },
	};
}

/** The `included` member: each default profile once, when asked for. */
export function included(records: UserRecord[], view: View): ProfileResource[] | undefined {
	if (!view.includeProfile) return undefined;
	const seen = new Set<string>();
	const out: ProfileResource[] = [];
	for (const record of records) {
		const profile = toProfileResource(record, view);
		if (profile && !seen.has(profile.id)) {
			seen.add(profile.id);
			out.push(profile);
		}
	}
	return out;
}

export function toUserDocument(record: UserRecord, view: View): UserDocument {
	const inc = included([record], view);
	return {
		jsonapi: JSONAPI,
		data: toUserResource(record, view),
		...(inc ? { included: inc } : {}),
		links: { self: userUrl(view.base, record.user.id) },
	};
}

/** Attributes of a request document → the domain patch (absent stays absent, null clears). */
export function toUserPatch(attributes: UserAttributesIn | undefined): UserPatch {
	const a = attributes ?? {};
	return {
		name: a.name,
		email: a.contact_details?.email,
		phone: a.contact_details?.telephone_number_E123,
		externalId: a.external_id,
		userFlags: a.user_flags,
		registered: isRegistered(a.registration_information?.registration_state),
	};
}

/**
 * A create: v4 users have no login id of their own. The email is it, else the external id
 * (docs/rest-v4.md); one of the two is required.
 */
export function toNewUser(attributes: UserAttributesIn | undefined): UserFields {
	const patch = toUserPatch(attributes);
	const loginId = patch.email ?? patch.externalId;
	if (loginId === undefined || loginId === null) {
		throw new FieldErrors([
			{
				field: "email",
				code: "required",
				message: "an email or an external id is required: it becomes the user's login id",
			},
		]);
	}
	return {
		loginId,
		email: patch.email ?? undefined,
		phone: patch.phone ?? undefined,
		name: patch.name ?? undefined,
		externalId: patch.externalId,
		userFlags: patch.userFlags,
		status: patch.registered ? "enabled" : "invited",
	};
}
