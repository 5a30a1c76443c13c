// Who a federated identity is (docs/federation.md, "Linking rules"): the user already linked to
// (provider, subject); else an existing user with the same login id or email, linked only when the
// provider vouches for the email (trust_email) and the email is verified; else a new user, created
// through the one create command with the provider's prefix, its tenant and the mapped roles.
import { type SQL, sql } from "drizzle-orm";
import { batch } from "../../db/sql";
import type { Entry } from "../commit";
import type { Deps } from "../deps";
import { DomainError } from "../errors";
import { asUser } from "../sessions/context";
import { identifierKey } from "../users/identifiers";
import type { User, UserFields } from "../users/user.types";
import * as repo from "../users/users.repo";
import { createUser } from "../users/users.service";
import { definitionsQuery, toDefinitions } from "../users/users.shared";
import { type FederatedIdentity, mappedRoles } from "./flow.claims";
import { ProviderError } from "./flow.http";
import type { FlowProvider } from "./flow.provider";

/** A refusal at the callback: its reason is recorded, its message shown to the application. */
export const refused = (reason: string, message: string) => new ProviderError(reason, message);

export interface ProviderTokens {
	accessTokenCiphertext: string | null;
	refreshTokenCiphertext: string | null;
	expiresAt: number | null;
	scopes: string[];
}

/** Inserts the link, or refreshes it (email, tokens, last sign-in) when it exists. */
export function linkStatement(
	projectId: string,
	provider: FlowProvider,
	identity: FederatedIdentity,
	userId: string,
	tokens: ProviderTokens | null,
	now: number,
): SQL {
	return sql`INSERT INTO user_provider_links (project_id, provider_id, subject, user_id, email, access_token_ciphertext,
			refresh_token_ciphertext, token_expires_at, scopes, created_at, last_sign_in_at)
		VALUES (${projectId}, ${provider.id}, ${identity.subject}, ${userId}, ${identity.email ?? null},
			${tokens?.accessTokenCiphertext ?? null}, ${tokens?.refreshTokenCiphertext ?? null}, ${tokens?.expiresAt ?? null},
			${JSON.stringify(tokens?.scopes ?? [])}, ${now}, ${now})
		ON CONFLICT (project_id, provider_id, subject) DO UPDATE SET email = excluded.email,
			access_token_ciphertext = ${tokens ? sql`excluded.access_token_ciphertext` : sql`access_token_ciphertext`},
			refresh_token_ciphertext = ${tokens ? sql`coalesce(excluded.refresh_token_ciphertext, refresh_token_ciphertext)` : sql`refresh_token_ciphertext`},
			token_expires_at = ${tokens ? sql`excluded.token_expires_at` : sql`token_expires_at`},
			scopes = ${tokens ? sql`excluded.scopes` : sql`scopes`},
			last_sign_in_at = excluded.last_sign_in_at`;
}

export const linkedEntry = (
	provider: FlowProvider,
	user: Pick<User, "id">,
	loginId: string,
	flow: string,
): Entry => ({
	action: "user.provider.linked",
	target: { type: "user", id: user.id },
	loginId,
	tenantId: provider.tenantId || null,
	data: { method: flow, providerId: provider.id, provider: provider.name },
});

/** One read: the linked user, users holding the login id or the email, the tenant, its roles, the attributes. */
async function readCandidates(
	deps: Deps,
	projectId: string,
	provider: FlowProvider,
	identity: FederatedIdentity,
) {
	const linkOwner = sql`(SELECT user_id FROM user_provider_links WHERE project_id = ${projectId}
		AND provider_id = ${provider.id} AND subject = ${identity.subject})`;
	const [linked, byLogin, byEmail, tenantRows, roleRows, defRows] = await batch(deps.d1, [
		repo.selectUsers(sql`u.project_id = ${projectId} AND u.id = ${linkOwner}`),
		repo.selectUsers(
			sql`u.project_id = ${projectId} AND u.id = ${repo.loginIdOwner(projectId, identity.loginId)}`,
		),
		identity.email
			? repo.selectUsers(sql`u.project_id = ${projectId} AND u.email_key = ${identifierKey(identity.email)}`)
			: sql`SELECT 1 WHERE 0`,
		sql`SELECT id FROM tenants WHERE project_id = ${projectId} AND id = ${provider.tenantId}`,
		sql`SELECT name FROM roles WHERE project_id = ${projectId} AND tenant_id IN ('', ${provider.tenantId})`,
		definitionsQuery(projectId),
	]);
	return {
		linked: repo.toUsers(linked)[0] ?? null,
		existing: repo.toUsers(byLogin)[0] ?? repo.toUsers(byEmail)[0] ?? null,
		tenantExists: (tenantRows?.length ?? 0) > 0,
		roleNames: new Set((roleRows ?? []).map((r) => r.name as string)),
		attributes: toDefinitions(defRows),
	};
}

export interface Resolved {
	user: User;
	created: boolean;
	linked: boolean;
}

/**
 * Finds, links or creates the user and commits the link, the provider tokens and `more` (the code
 * grant and its entries) in one batch; a new user's batch is the create command's.
 */
export async function resolveUser(
	deps: Deps,
	projectId: string,
	provider: FlowProvider,
	identity: FederatedIdentity,
	flow: "sso" | "oauth",
	tokens: ProviderTokens | null,
	more: (
		user: { id: string; loginId: string },
		created: boolean,
		linked: boolean,
	) => { statements: SQL[]; entries: Entry[] },
	commitExisting: (user: User, statements: SQL[], entries: Entry[]) => Promise<void>,
): Promise<Resolved> {
	const now = deps.now();
	// A project-level provider with email domains admits only those (none: any).
	if (!provider.tenantId && provider.domains.length) {
		const domain = identity.email?.slice(identity.email.lastIndexOf("@") + 1);
		if (!domain || !provider.domains.map((d) => d.toLowerCase()).includes(domain)) {
			throw refused("email-domain", "The provider admits only emails of its domains");
		}
	}
	const found = await readCandidates(deps, projectId, provider, identity);
	if (provider.tenantId && !found.tenantExists) {
		throw refused("tenant-missing", "The SSO configuration's tenant no longer exists");
	}
	const existingUser = found.linked ?? found.existing;
	if (existingUser) {
		if (existingUser.status === "disabled") throw refused("user-disabled", "The user is disabled");
		const isLinked = found.linked !== null;
		if (!isLinked) {
			const sameEmail =
				identity.email &&
				existingUser.email &&
				identifierKey(existingUser.email) === identifierKey(identity.email);
			if (!(provider.trustEmail && identity.verifiedEmail && sameEmail)) {
				throw refused(
					"account-exists",
					"A user with this login id or email already exists, and the provider does not vouch for the email",
				);
			}
		}
		const loginId = existingUser.loginIds[0] ?? identity.loginId;
		const extra = more({ id: existingUser.id, loginId }, false, !isLinked);
		await commitExisting(
			existingUser,
			[linkStatement(projectId, provider, identity, existingUser.id, tokens, now), ...extra.statements],
			[...(isLinked ? [] : [linkedEntry(provider, existingUser, loginId, flow)]), ...extra.entries],
		);
		return { user: existingUser, created: false, linked: !isLinked };
	}
	const roles = mappedRoles(provider, identity.groups).filter((r) => found.roleNames.has(r));
	const customAttributes = Object.fromEntries(
		Object.entries(identity.customAttributes).filter(([name]) => found.attributes.has(name)),
	);
	const fields: UserFields = {
		loginId: identity.loginId,
		email: identity.email,
		verifiedEmail: identity.email ? identity.verifiedEmail : undefined,
		phone: identity.phone,
		verifiedPhone: identity.phone ? identity.verifiedPhone : undefined,
		name: identity.name,
		givenName: identity.givenName,
		middleName: identity.middleName,
		familyName: identity.familyName,
		picture: identity.picture,
		customAttributes: Object.keys(customAttributes).length ? customAttributes : undefined,
		status: "enabled",
		...(provider.tenantId
			? { userTenants: [{ tenantId: provider.tenantId, roleNames: roles }] }
			: { roleNames: roles }),
	};
	try {
		const user = await createUser(asUser(deps, null), projectId, fields, "user.created", (created) => {
			const extra = more(created, true, true);
			return {
				statements: [
					linkStatement(projectId, provider, identity, created.id, tokens, now),
					...extra.statements,
				],
				entries: [linkedEntry(provider, created, created.loginId, flow), ...extra.entries],
			};
		});
		return { user, created: true, linked: true };
	} catch (error) {
		if (error instanceof DomainError && error.code === "user_exists") {
			throw refused("account-exists", "A user with this login id, email or phone already exists");
		}
		if (
			error instanceof DomainError &&
			(error.code === "invalid_argument" || error.code === "missing_argument")
		) {
			throw refused("user-invalid", `The provider's claims do not make a valid user: ${error.message}`);
		}
		throw error;
	}
}
