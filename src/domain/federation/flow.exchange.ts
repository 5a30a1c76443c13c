// The application's exchange of the one-time code (`sso.exchange`, `saml.exchange`, `oauth.exchange`;
// docs/federation.md, "The flow"): the code is consumed, and the user signs in as with a password:
// a refresh session opens, an invited user becomes enabled, the history and `auth.signed_in` record it.
import { batch } from "../../db/sql";
import { commit } from "../commit";
import type { Deps } from "../deps";
import { DomainError } from "../errors";
import type { AuthResult } from "../sessions/auth.service";
import { signedIn, signInFailed } from "../sessions/auth.service";
import { asUser, historyStatement, projectQuery, type RequestInfo, toProject } from "../sessions/context";
import { signingKeysQuery, toSigningKeys } from "../sessions/signing-keys";
import { issueTokens } from "../sessions/tokens";
import * as repo from "../users/users.repo";
import { type CodeGrant, consumeGrant } from "./flow.grants";

const BAD_CODE = "The code is unknown, used or expired";

export async function exchangeFederationCode(
	deps: Deps,
	projectId: string,
	code: string,
	info: RequestInfo,
): Promise<AuthResult> {
	const { grant, projectExists } = await consumeGrant<CodeGrant>(deps, projectId, "code", code);
	if (!projectExists) throw new DomainError("unauthorized", "Unknown project");
	if (!grant) {
		await commit(asUser(deps, null), projectId, {
			statements: [],
			entries: [signInFailed(null, "", "federation", "unknown-code")],
		});
		throw new DomainError("unauthorized", BAD_CODE);
	}
	const method = grant.flow;
	const [projectRows, userRows, keyRows] = await batch(deps.d1, [
		projectQuery(projectId),
		repo.userByIdQuery(projectId, grant.userId),
		signingKeysQuery(projectId),
	]);
	const project = toProject(projectRows);
	if (!project) throw new DomainError("unauthorized", "Unknown project");
	const user = repo.toUsers(userRows)[0];
	const now = deps.now();
	const history = (outcome: string) =>
		historyStatement(
			projectId,
			{ userId: user?.id ?? null, loginId: grant.loginId, method, outcome, at: now },
			info,
		);
	if (!user || user.status === "disabled") {
		const reason = user ? "disabled" : "user-deleted";
		await commit(asUser(deps, user?.id ?? null), projectId, {
			statements: [history(reason)],
			entries: [
				{
					...signInFailed(user?.id ?? null, grant.loginId, method, reason),
					tenantId: grant.tenantId || null,
				},
			],
		});
		throw user ? new DomainError("forbidden", "User is disabled") : new DomainError("unauthorized", BAD_CODE);
	}
	const registering = user.status === "invited";
	const committed = await commit(asUser(deps, user.id), projectId, {
		statements: [
			history("success"),
			...(registering ? [repo.registerOnSignInStatement(projectId, user.id, now)] : []),
		],
		entries: signedIn(user, method, registering, grant.loginId).map((e) => ({
			...e,
			tenantId: grant.tenantId || null,
			data: e.action === "auth.signed_in" ? { method, providerId: grant.providerId } : e.data,
		})),
		reads: [repo.userByIdQuery(projectId, user.id)],
	});
	const fresh = repo.toUsers(committed.reads[0])[0] ?? user;
	const tokens = await issueTokens(deps, project, fresh, {
		issuer: info.issuer,
		amr: [method === "oauth" ? "oauth" : "sso"],
		clientClaims: grant.customClaims,
		keys: toSigningKeys(keyRows),
	});
	return { tokens, user: fresh, firstSeen: grant.firstSeen || registering, project };
}
