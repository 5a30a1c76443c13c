// Registration state, v4's view of the user status (docs/rest-v4.md): `invited` is UNREGISTERED,
// `enabled` and `disabled` are REGISTERED.
import type { UserStatus } from "../../domain/users/user.types";

export const registrationStates = ["UNREGISTERED", "REGISTERED"] as const;
export type RegistrationState = (typeof registrationStates)[number];

export const registrationStateOf = (status: UserStatus): RegistrationState =>
	status === "invited" ? "UNREGISTERED" : "REGISTERED";

export const statusesOf = (state: RegistrationState): UserStatus[] =>
	state === "UNREGISTERED" ? ["invited"] : ["enabled", "disabled"];

/** The domain's `registered` of a wire state (absent stays absent). */
export const isRegistered = (state: RegistrationState | undefined) =>
	state === undefined ? undefined : state === "REGISTERED";
