// The activity vocabulary (docs/audit.md): stable names, `<object>.<what happened>`. Entries are
// written by the commit point (src/domain/commit.ts) and by the sign-in paths; reads filter on them.

export const ACTIONS = [
	// Users, whatever dialect wrote them.
	"user.created",
	"user.invited",
	"user.imported",
	"user.updated",
	"user.deleted",
	"user.enabled",
	"user.disabled",
	"user.registered",
	"user.unregistered",
	"user.login_id.changed",
	"user.roles.added",
	"user.roles.removed",
	"user.roles.set",
	"user.tenants.added",
	"user.tenants.removed",
	"user.tenant_roles.added",
	"user.tenant_roles.removed",
	"user.tenant_roles.set",
	"user.sso_apps.added",
	"user.sso_apps.removed",
	"user.sso_apps.set",
	"user.password.set",
	"user.password.expired",
	"user.passkey.added",
	"user.passkey.removed",
	"user.locked_out",
	// Federated identities (docs/federation.md): a provider identity linked, its tokens refreshed.
	"user.provider.linked",
	"user.provider_token.refreshed",
	// End-user authentication.
	"auth.signed_up",
	"auth.signed_in",
	"auth.sign_in_failed",
	"auth.refresh_failed",
	"auth.signed_out",
	"auth.tenant_selected",
	// Federated sign-in (docs/federation.md, "The flow"): started, and the provider's callback accepted.
	"auth.federation_started",
	"auth.federation_completed",
	"session.revoked",
	// Project-level objects.
	"tenant.created",
	"tenant.updated",
	"tenant.deleted",
	"role.created",
	"role.updated",
	"role.deleted",
	"permission.created",
	"permission.updated",
	"permission.deleted",
	"sso_app.created",
	"sso_app.updated",
	"sso_app.deleted",
	// Identity providers (docs/federation.md): tenant SSO configurations and project-level OAuth providers.
	"identity_provider.created",
	"identity_provider.updated",
	"identity_provider.deleted",
	"attribute.created",
	"attribute.deleted",
	"key.created",
	"key.updated",
	"key.deleted",
	// Access keys (docs/access-keys.md); never the cleartext or its hash.
	"access_key.created",
	"access_key.updated",
	"access_key.activated",
	"access_key.deactivated",
	"access_key.rotated",
	"access_key.deleted",
	"project.created",
	"project.updated",
	"project.deleted",
	"project.signing_key.rotated",
	"token.updated",
	"webhook.created",
	"webhook.updated",
	"webhook.deleted",
	"webhook.secret_rotated",
	// Webhook delivery (docs/webhooks.md): a replay or test ping asked for, an endpoint disabled after a 410.
	"webhook.replayed",
	"webhook.tested",
	"webhook.disabled",
	// A management call refused after authentication (4xx); data says which call and why.
	"request.failed",
] as const;

export type Action = (typeof ACTIONS)[number];

export type TargetType =
	| "user"
	| "tenant"
	| "role"
	| "permission"
	| "sso_app"
	| "identity_provider"
	| "attribute"
	| "key"
	| "access_key"
	| "project"
	| "session"
	| "webhook"
	| "request";

/** Before → after of the fields a change touched; absent side = not set. Never a secret. */
export type Changes = Record<string, { before?: unknown; after?: unknown }>;

/** Who did it. */
export interface Actor {
	type: "key" | "user" | "operator" | "system" | "application";
	id: string | null;
	name: string | null;
}

/** Where the request came from, stamped on every entry it writes. */
export interface RequestContext {
	id: string;
	dialect: string;
	ip: string;
	city: string;
	country: string;
	userAgent: string;
}
