import { invalid } from "../../domain/errors";

export interface PasswordPolicy {
	minLength: number;
	lowercase: boolean;
	uppercase: boolean;
	number: boolean;
	nonAlphanumeric: boolean;
}

/** Whatever the project's policy says: longer passwords only cost hashing time. */
export const MAX_PASSWORD_LENGTH = 128;

/** Lengths count Unicode code points, so "é" or an emoji is one character, as a user would count it. */
export function checkPolicy(password: string, policy: PasswordPolicy, field = "password"): void {
	if (typeof password !== "string" || password.length === 0) throw invalid(field, "must not be empty");
	const length = [...password].length;
	const unmet: string[] = [];
	if (length < policy.minLength) unmet.push(`must be at least ${policy.minLength} characters long`);
	if (length > MAX_PASSWORD_LENGTH) unmet.push(`must be at most ${MAX_PASSWORD_LENGTH} characters long`);
	if (policy.lowercase && !/\p{Ll}/u.test(password)) unmet.push("must contain a lowercase letter");
	if (policy.uppercase && !/\p{Lu}/u.test(password)) unmet.push("must contain an uppercase letter");
	if (policy.number && !/\p{Nd}/u.test(password)) unmet.push("must contain a number");
	if (policy.nonAlphanumeric && !/[^\p{L}\p{N}]/u.test(password))
		unmet.push("must contain a character that is not a letter or a number");
	if (unmet.length > 0) throw invalid(field, unmet.join(", "));
}
