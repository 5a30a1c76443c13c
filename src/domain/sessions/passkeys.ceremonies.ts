// Passkey ceremonies (WebAuthn): sign-up, sign-in and adding a passkey to a signed-in user, each a
// start/finish pair joined by a stored single-use challenge.
import {
	type AuthenticationResponseJSON,
	generateAuthenticationOptions,
	generateRegistrationOptions,
	type PublicKeyCredentialCreationOptionsJSON,
	type PublicKeyCredentialRequestOptionsJSON,
	type RegistrationResponseJSON,
	verifyAuthenticationResponse,
} from "@simplewebauthn/server";
import { isoBase64URL, isoUint8Array } from "@simplewebauthn/server/helpers";
import { batch } from "../../db/sql";
import { commit, type Entry } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid, userNotFound } from "../errors";
import type { User } from "../users/user.types";
import { checkLoginId, loginIdKey } from "../users/user.validate";
import * as repo from "../users/users.repo";
import { registerOnSignInStatement } from "../users/users.repo";
import { createUser } from "../users/users.service";
import type { AuthResult } from "./auth.service";
import { authenticateRefresh, signedIn, signedUp, signInFailed } from "./auth.service";
import { asUser, historyStatement, projectQuery, type RequestInfo, toProject } from "./context";
import {
	CEREMONY_TTL_MS,
	challengeUserId,
	consumeChallenge,
	insertChallenge,
	insertPasskey,
	type PasskeyRow,
	passkeyQuery,
	passkeysOfUserQuery,
	passkeyUserId,
	sweepStatement,
	touchUser,
	transportsOf,
	updateCounter,
	userIdByLoginId,
	userQuery,
} from "./passkeys.repo";
import {
	alreadyRegistered,
	authenticatorSelection,
	ceremonyOf,
	checkOrigin,
	newTransactionId,
	type PasskeyOptions,
	parseResponse,
	requireProject,
	type StartResult,
	toChallenge,
	unknownTransaction,
	userVerification,
	verificationFailed,
	verifyRegistration,
} from "./passkeys.webauthn";
import { signingKeysQuery, toSigningKeys } from "./signing-keys";
import { checkClaimsSize, issueTokens } from "./tokens";

const MAX_NAME_LENGTH = 1024;

// ---------------------------------------------------------------- sign-up

/** Starts a sign-up: the login id must be free (an invited user's too, as for passwords). */
export async function startSignUp(
	deps: Deps,
	projectId: string,
	input: {
		loginId: string;
		name?: string;
		origin: string;
		customClaims?: Record<string, unknown>;
		passkeyOptions?: PasskeyOptions;
	},
): Promise<StartResult<PublicKeyCredentialCreationOptionsJSON>> {
	const at = checkOrigin(input.origin);
	checkClaimsSize(input.customClaims, "loginOptions.customClaims");
	const loginId = checkLoginId(input.loginId, "user.loginId");
	if ((input.name?.length ?? 0) > MAX_NAME_LENGTH) {
		throw invalid("user.name", `longer than ${MAX_NAME_LENGTH} characters`);
	}
	const [projectRows, takenRows] = await batch(deps.d1, [
		projectQuery(projectId),
		repo.existingLoginIdsQuery(projectId, [loginIdKey(loginId)]),
	]);
	const project = requireProject(toProject(projectRows));
	if (takenRows?.length) {
		throw new DomainError("user_exists", `A user with login id "${loginId}" already exists`, "user.loginId");
	}
	const options = await generateRegistrationOptions({
		rpName: project.name,
		rpID: at.rpId,
		userName: loginId,
		userDisplayName: input.name || loginId,
		timeout: CEREMONY_TTL_MS,
		attestationType: "none",
		authenticatorSelection: authenticatorSelection(input.passkeyOptions),
	});
	const transactionId = newTransactionId({
		loginId,
		name: input.name || undefined,
		uv: userVerification(input.passkeyOptions) === "required",
		customClaims: input.customClaims,
	});
	const now = deps.now();
	await commit(deps, projectId, {
		statements: [
			sweepStatement(projectId, now),
			insertChallenge(
				projectId,
				{ id: transactionId, userId: null, kind: "register", challenge: options.challenge },
				at,
				now,
			),
		],
	});
	return { transactionId, options: { publicKey: options } };
}

/** Verifies the new passkey, creates an enabled user holding it, and signs in. */
export async function finishSignUp(
	deps: Deps,
	projectId: string,
	transactionId: string,
	response: string,
	info: RequestInfo,
): Promise<AuthResult> {
	const credential = parseResponse<RegistrationResponseJSON>(response);
	const {
		results: [challengeRows],
		reads: [projectRows, keyRows],
	} = await commit(deps, projectId, {
		statements: [consumeChallenge(projectId, transactionId, "register", "none")],
		reads: [projectQuery(projectId), signingKeysQuery(projectId)],
	});
	const challenge = toChallenge(challengeRows, deps.now());
	const project = requireProject(toProject(projectRows));
	const ceremony = ceremonyOf(transactionId);
	if (!ceremony.loginId) throw unknownTransaction();
	const verified = await verifyRegistration(credential, challenge, ceremony);

	const now = deps.now();
	let user: User;
	try {
		// The user, its passkey, its history row and its change rows: one write batch, so a credential
		// id another user holds leaves no user behind.
		user = await createUser(
			asUser(deps, null),
			projectId,
			{ loginId: ceremony.loginId, name: ceremony.name, status: "enabled" },
			"user.created",
			(created) => ({
				statements: [
					insertPasskey(projectId, created.id, verified, challenge.rpId, now),
					historyStatement(
						projectId,
						{
							userId: created.id,
							loginId: ceremony.loginId as string,
							method: "webauthn-signup",
							outcome: "success",
							at: now,
						},
						info,
					),
				],
				entries: [
					signedUp({ id: created.id, loginIds: [created.loginId] }, "passkey"),
					passkeyAdded(created.id, verified.id, challenge.rpId),
				],
			}),
		);
	} catch (error) {
		throw isPasskeyTaken(error) ? alreadyRegistered() : error;
	}
	const tokens = await issueTokens(deps, project, user, {
		issuer: info.issuer,
		amr: ["webauthn"],
		clientClaims: ceremony.customClaims,
		keys: toSigningKeys(keyRows),
	});
	return { tokens, user, firstSeen: true, project };
}

// ---------------------------------------------------------------- sign-in

/**
 * Starts a sign-in. With a login id, the browser is offered that user's passkeys for this RP ID;
 * with an empty one, any discoverable passkey of the project's users (usernameless sign-in).
 */
export async function startSignIn(
	deps: Deps,
	projectId: string,
	input: {
		loginId: string;
		origin: string;
		customClaims?: Record<string, unknown>;
		passkeyOptions?: PasskeyOptions;
	},
): Promise<StartResult<PublicKeyCredentialRequestOptionsJSON>> {
	const at = checkOrigin(input.origin);
	checkClaimsSize(input.customClaims, "loginOptions.customClaims");
	const loginId = input.loginId.trim();
	const [projectRows, userRows, passkeyRows] = await batch(deps.d1, [
		projectQuery(projectId),
		userQuery(projectId, userIdByLoginId(projectId, loginId)),
		passkeysOfUserQuery(projectId, userIdByLoginId(projectId, loginId)),
	]);
	requireProject(toProject(projectRows));
	const user = loginId ? repo.toUsers(userRows)[0] : undefined;
	if (loginId && !user) throw userNotFound();
	if (user?.status === "disabled") throw new DomainError("forbidden", "User is disabled");
	const usable = (passkeyRows ?? []).filter((p) => p.rpId === at.rpId);
	if (user && usable.length === 0) {
		throw new DomainError("not_found", `The user has no passkey for "${at.rpId}"`, "loginId");
	}
	const uv = userVerification(input.passkeyOptions);
	const options = await generateAuthenticationOptions({
		rpID: at.rpId,
		allowCredentials: usable.map((p) => ({ id: p.id as string, transports: transportsOf(p) })),
		timeout: CEREMONY_TTL_MS,
		userVerification: uv,
	});
	const transactionId = newTransactionId({
		loginId: loginId || undefined,
		uv: uv === "required",
		customClaims: input.customClaims,
	});
	const now = deps.now();
	await commit(deps, projectId, {
		statements: [
			sweepStatement(projectId, now),
			insertChallenge(
				projectId,
				{ id: transactionId, userId: user?.id ?? null, kind: "authenticate", challenge: options.challenge },
				at,
				now,
			),
		],
	});
	return { transactionId, options: { publicKey: options } };
}

/**
 * Verifies the assertion against the stored passkey (signature, origin, RP ID, counter) and signs
 * in. An invited user becomes enabled here, as with a password; lockout is for passwords only.
 */
export async function finishSignIn(
	deps: Deps,
	projectId: string,
	transactionId: string,
	response: string,
	info: RequestInfo,
): Promise<AuthResult> {
	const assertion = parseResponse<AuthenticationResponseJSON>(response);
	const ownerOfCredential = passkeyUserId(projectId, assertion.id);
	const {
		results: [challengeRows],
		reads: [userRows, projectRows, keyRows, passkeyRows],
	} = await commit(deps, projectId, {
		statements: [consumeChallenge(projectId, transactionId, "authenticate", "any")],
		reads: [
			userQuery(projectId, ownerOfCredential),
			projectQuery(projectId),
			signingKeysQuery(projectId),
			passkeyQuery(projectId, assertion.id),
		],
	});
	const now = deps.now();
	const challenge = toChallenge(challengeRows, now);
	const project = requireProject(toProject(projectRows));
	const ceremony = ceremonyOf(transactionId);
	const passkey = passkeyRows?.[0] as PasskeyRow | undefined;
	let user: User | undefined = repo.toUsers(userRows)[0];
	if (
		!passkey ||
		(challenge.userId && passkey.userId !== challenge.userId) ||
		passkey.rpId !== challenge.rpId
	) {
		user = undefined;
	}
	const history = (outcome: string) =>
		historyStatement(
			projectId,
			{
				userId: user?.id ?? challenge.userId,
				loginId: ceremony.loginId ?? user?.loginIds[0] ?? "",
				method: "webauthn",
				outcome,
				at: now,
			},
			info,
		);
	/** A refused sign-in: its history row and its change row, one batch. */
	const refuse = (reason: string) => {
		const userId = user?.id ?? challenge.userId;
		const loginId = ceremony.loginId ?? user?.loginIds[0] ?? "";
		return commit(asUser(deps, userId), projectId, {
			statements: [history(reason)],
			entries: [signInFailed(userId, loginId, "passkey", reason)],
		});
	};
	if (!passkey || !user) {
		await refuse("unknown-credential");
		throw new DomainError("unauthorized", "Unknown passkey for this sign-in", "response");
	}

	let newCounter: number;
	try {
		const result = await verifyAuthenticationResponse({
			response: assertion,
			expectedChallenge: challenge.challenge,
			expectedOrigin: challenge.origin,
			expectedRPID: challenge.rpId,
			credential: {
				id: passkey.id,
				publicKey: isoBase64URL.toBuffer(passkey.publicKey),
				counter: Number(passkey.counter),
				transports: transportsOf(passkey),
			},
			requireUserVerification: ceremony.uv,
		});
		if (!result.verified) throw new Error("the signature did not verify");
		newCounter = result.authenticationInfo.newCounter;
	} catch (error) {
		await refuse("webauthn-failed");
		throw verificationFailed(error);
	}
	if (user.status === "disabled") {
		await refuse("disabled");
		throw new DomainError("forbidden", "User is disabled");
	}

	const firstSeen = user.status === "invited";
	const { reads } = await commit(asUser(deps, user.id), projectId, {
		statements: [
			updateCounter(projectId, passkey.id, newCounter, now),
			history("success"),
			...(firstSeen ? [registerOnSignInStatement(projectId, user.id, now)] : []),
		],
		entries: signedIn(user, "passkey", firstSeen, ceremony.loginId),
		reads: [repo.userByIdQuery(projectId, user.id)],
	});
	const fresh = repo.toUsers(reads[0])[0] ?? user;
	const tokens = await issueTokens(deps, project, fresh, {
		issuer: info.issuer,
		amr: ["webauthn"],
		clientClaims: ceremony.customClaims,
		keys: toSigningKeys(keyRows),
	});
	return { tokens, user: fresh, firstSeen, project };
}

// ---------------------------------------------------------------- adding a passkey

/** Starts adding a passkey to the signed-in user (refresh JWT); its passkeys are excluded. */
export async function startUpdate(
	deps: Deps,
	projectId: string,
	refreshJwt: string | undefined,
	input: { loginId: string; origin: string; passkeyOptions?: PasskeyOptions },
): Promise<StartResult<PublicKeyCredentialCreationOptionsJSON>> {
	const at = checkOrigin(input.origin);
	const ctx = await authenticateRefresh(deps, projectId, refreshJwt, "passkey-update");
	const loginId = ctx.user.loginIds.find((id) => loginIdKey(id) === loginIdKey(input.loginId));
	if (!loginId) {
		throw new DomainError("forbidden", "The login id does not belong to the signed-in user", "loginId");
	}
	const [passkeyRows] = await batch(deps.d1, [passkeysOfUserQuery(projectId, ctx.user.id)]);
	const options = await generateRegistrationOptions({
		rpName: ctx.project.name,
		rpID: at.rpId,
		userName: loginId,
		userID: isoUint8Array.fromUTF8String(ctx.user.id),
		userDisplayName: ctx.user.name || loginId,
		timeout: CEREMONY_TTL_MS,
		attestationType: "none",
		excludeCredentials: (passkeyRows ?? [])
			.filter((p) => p.rpId === at.rpId)
			.map((p) => ({ id: p.id as string, transports: transportsOf(p) })),
		authenticatorSelection: authenticatorSelection(input.passkeyOptions),
	});
	const transactionId = newTransactionId({ uv: userVerification(input.passkeyOptions) === "required" });
	const now = deps.now();
	await commit(deps, projectId, {
		statements: [
			sweepStatement(projectId, now),
			insertChallenge(
				projectId,
				{ id: transactionId, userId: ctx.user.id, kind: "register", challenge: options.challenge },
				at,
				now,
			),
		],
	});
	return { transactionId, options: { publicKey: options } };
}

/** Verifies the new passkey and adds it to the user who started the ceremony. */
export async function finishUpdate(deps: Deps, projectId: string, transactionId: string, response: string) {
	const credential = parseResponse<RegistrationResponseJSON>(response);
	const owner = challengeUserId(projectId, transactionId);
	// The user is read before the challenge that names it is consumed (statements run in order).
	const {
		results: [userRows, challengeRows],
	} = await commit(deps, projectId, {
		statements: [userQuery(projectId, owner), consumeChallenge(projectId, transactionId, "register", "user")],
	});
	const now = deps.now();
	const challenge = toChallenge(challengeRows, now);
	const user = repo.toUsers(userRows)[0];
	if (!user) throw userNotFound();
	if (user.status === "disabled") throw new DomainError("forbidden", "User is disabled");
	const verified = await verifyRegistration(credential, challenge, ceremonyOf(transactionId));
	try {
		await commit(asUser(deps, user.id), projectId, {
			statements: [
				insertPasskey(projectId, user.id, verified, challenge.rpId, now),
				touchUser(projectId, user.id, now),
			],
			entries: [passkeyAdded(user.id, verified.id, challenge.rpId, user.loginIds[0])],
		});
	} catch (error) {
		throw isPasskeyTaken(error) ? alreadyRegistered() : error;
	}
}

/**
 * The change row of a passkey added: its credential id (public: the browser sends it in the clear)
 * as `id`, since commit drops every field whose name starts like a password's.
 */
function passkeyAdded(userId: string, id: string, rpId: string, loginId?: string): Entry {
	return {
		action: "user.passkey.added",
		target: { type: "user", id: userId },
		loginId: loginId ?? null,
		data: { id, rpId },
	};
}

/** The commit point's refusal of a credential id another user of the project holds. */
const isPasskeyTaken = (error: unknown) =>
	error instanceof DomainError && error.code === "conflict" && error.field === "credential";
