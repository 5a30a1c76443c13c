import type { DocumentProfile, OperationRef, SharedStatus } from "./openapi-common";

// Each dialect's shared answers and credentials, as its middleware gives them (src/api/*/app.ts,
// docs/security.md); finishDocument adds them to the generated documents.

const ref = (name: string) => ({ schema: { $ref: `#/components/schemas/${name}` } });

/** The routes `projectBearer` rate-limits per client address (src/api/descope/auth-endpoints.ts). */
const isSignInRoute = (path: string) =>
	path.startsWith("/v1/auth/password/") ||
	path.startsWith("/v1/auth/webauthn/") ||
	path.startsWith("/v1/auth/saml/") ||
	path.startsWith("/v1/auth/oauth/") ||
	path.startsWith("/v1/auth/accesskey/") ||
	path.startsWith("/v1/auth/federation/");
/** Browser routes: no bearer; the identity provider's callback (docs/federation.md). */
const isBrowserRoute = (path: string) => /^\/v1\/auth\/federation\/[^/]+\/callback$/.test(path);

/** The end-user routes that need the refresh JWT after the project id (docs/sessions.md). */
const REFRESH_TOKEN_ROUTES = new Set([
	"/v1/auth/refresh",
	"/v1/auth/logout",
	"/v1/auth/logoutall",
	"/v1/auth/me",
	"/v1/auth/me/history",
	"/v1/auth/tenant/select",
	"/v1/auth/password/update",
	"/v1/auth/webauthn/update/start",
]);

const isManagement = (path: string) => path.startsWith("/v1/mgmt/") || path.startsWith("/v2/mgmt/");

const DESCOPE_TAGS: [test: RegExp, name: string][] = [
	[/^\/v[12]\/mgmt\/users?\//, "users"],
	[/^\/v1\/mgmt\/tenant/, "tenants"],
	[/^\/v1\/mgmt\/(role|permission)\//, "roles and permissions"],
	[/^\/v1\/mgmt\/sso\//, "SSO applications"],
	[/^\/v1\/mgmt\/managementkey/, "management keys"],
	[/^\/v1\/(mgmt|auth)\/accesskey/, "access keys"],
	[/^\/v[12]\/mgmt\/(audit|connector)\//, "audit"],
	[/^\/v1\/mgmt\//, "project"],
	[/^\/v1\/auth\/password\//, "auth: passwords"],
	[/^\/v1\/auth\/webauthn\//, "auth: passkeys"],
	[/^\/v1\/auth\/(saml|oauth|federation)\//, "auth: federation"],
	[/^\/(v1\/auth|v2\/keys)\//, "auth: sessions"],
];

export const descopeDocumentProfile: DocumentProfile = {
	errorContent: { "application/json": ref("Error") },
	serverDescription: "This Roster deployment",
	sharedStatuses: ({ path }: OperationRef): SharedStatus[] => {
		if (isManagement(path)) return [400, 401, 403, 413, 429, 500];
		if (isBrowserRoute(path)) return [400, 429, 500];
		if (path.startsWith("/v1/auth/"))
			return isSignInRoute(path) ? [400, 401, 413, 429, 500] : [400, 401, 413, 500];
		return [500];
	},
	securitySchemes: {
		ManagementKey: {
			type: "http",
			scheme: "bearer",
			description: "`Authorization: Bearer <projectId>:<managementKey>` (docs/management-keys.md)",
		},
		ProjectId: {
			type: "http",
			scheme: "bearer",
			description: "`Authorization: Bearer <projectId>`: the end-user sign-up and sign-in routes",
		},
		AccessKey: {
			type: "http",
			scheme: "bearer",
			description:
				"`Authorization: Bearer <projectId>:<accessKey>`: the access-key exchange (docs/access-keys.md)",
		},
		RefreshToken: {
			type: "http",
			scheme: "bearer",
			description:
				"`Authorization: Bearer <projectId>:<refreshJwt>`, the refresh JWT of a sign-in (docs/sessions.md)",
		},
	},
	security: ({ path }) => {
		if (isManagement(path)) return [{ ManagementKey: [] }];
		if (REFRESH_TOKEN_ROUTES.has(path)) return [{ RefreshToken: [] }];
		if (path === "/v1/auth/accesskey/exchange") return [{ AccessKey: [] }];
		if (isBrowserRoute(path)) return [];
		if (path.startsWith("/v1/auth/")) return [{ ProjectId: [] }];
		return [];
	},
	tag: ({ path }) => DESCOPE_TAGS.find(([test]) => test.test(path))?.[1] ?? "other",
	tags: [
		{ name: "users", description: "Users: create, load, search, update, delete (`management.user`)" },
		{ name: "tenants", description: "Tenants and their settings (`management.tenant`)" },
		{
			name: "roles and permissions",
			description: "Roles and permissions (`management.role`, `management.permission`)",
		},
		{ name: "SSO applications", description: "OIDC SSO applications (`management.ssoApplication`)" },
		{
			name: "SSO configuration",
			description: "Tenant SSO (OIDC) configurations (`management.sso`, docs/federation.md); SAML is refused",
		},
		{
			name: "OAuth providers",
			description:
				"Project-level OIDC providers that `oauth.start` names (a Roster route, docs/federation.md)",
		},
		{
			name: "management keys",
			description: "Management keys, their expiry, scope and IP allowlist (docs/management-keys.md)",
		},
		{
			name: "access keys",
			description:
				"Access keys (`management.accessKey`) and their exchange for a session JWT (docs/access-keys.md)",
		},
		{ name: "audit", description: "The activity history (docs/audit.md)" },
		{ name: "project", description: "Project-wide settings and information" },
		{
			name: "auth: passwords",
			description: "End-user sign-up and sign-in with a password (docs/sessions.md)",
		},
		{ name: "auth: passkeys", description: "End-user WebAuthn passkeys (docs/sessions.md)" },
		{
			name: "auth: federation",
			description: "End-user sign-in through tenant SSO (OIDC) and OAuth providers (docs/federation.md)",
		},
		{ name: "auth: sessions", description: "Refresh, logout, me and the signing keys (docs/sessions.md)" },
	],
};

export const v4DocumentProfile: DocumentProfile = {
	errorContent: { "application/vnd.api+json": ref("ErrorDocument") },
	// Every JSON body, errors included, is application/json when the client's Accept asks only for it
	// (src/api/v4/media-type.ts).
	alsoAnswers: ["application/vnd.api+json", "application/json"],
	serverDescription: "This Roster deployment",
	sharedStatuses: ({ method }) =>
		method === "post" || method === "patch" || method === "put"
			? [400, 401, 403, 406, 413, 415, 429, 500]
			: [400, 401, 403, 406, 413, 429, 500],
	securitySchemes: {
		Apikey: {
			type: "apiKey",
			in: "header",
			name: "Authorization",
			description:
				"`Authorization: Apikey <managementKey>`; the key's IP allowlist applies (CF-Connecting-IP)",
		},
	},
	security: () => [{ Apikey: [] }],
	tag: () => "users",
	tags: [{ name: "users", description: "Users and their default profiles, JSON:API v1.1 (docs/rest-v4.md)" }],
};

export const operatorDocumentProfile: DocumentProfile = {
	errorContent: { "application/json": ref("Error") },
	serverDescription: "This Roster deployment",
	sharedStatuses: () => [400, 401, 413, 429, 500],
	securitySchemes: {
		OperatorKey: {
			type: "http",
			scheme: "bearer",
			description: "`Authorization: Bearer <OPERATOR_KEY>`, the Worker's OPERATOR_KEY secret",
		},
	},
	security: () => [{ OperatorKey: [] }],
	tag: () => "projects",
	tags: [
		{
			name: "projects",
			description: "Projects, their settings, first keys and signing keys (docs/management-keys.md)",
		},
	],
};

/** For the partner API's document (src/api/partner/app.ts), whose routes declare their own answers. */
export const partnerDocumentProfile: DocumentProfile = {
	errorContent: { "application/problem+json": ref("Problem") },
	serverDescription: "This Roster deployment",
	sharedStatuses: () => [400, 401, 403, 413, 429, 500],
	securitySchemes: {
		Bearer: {
			type: "http",
			scheme: "bearer",
			description:
				"`Authorization: Bearer <managementKey>`: the key names its project; its IP allowlist and scope apply",
		},
	},
	security: () => [{ Bearer: [] }],
	tag: () => "webhooks",
	tags: [
		{ name: "webhooks", description: "Webhook endpoints (docs/partner.md)" },
		{ name: "webhook deliveries", description: "Deliveries, replays and test events (docs/partner.md)" },
		{
			name: "identity providers",
			description: "Identity providers: tenant SSO and OAuth providers (docs/federation.md)",
		},
	],
};

/** For the SCIM document (src/api/scim/app.ts): RFC 7644 errors, resources under /scim/v2. */
export const scimDocumentProfile: DocumentProfile = {
	errorContent: { "application/scim+json": ref("ScimError") },
	serverDescription: "This Roster deployment",
	sharedStatuses: ({ method }) =>
		method === "post" || method === "patch" || method === "put"
			? [400, 401, 403, 413, 429, 500]
			: [400, 401, 403, 429, 500],
	securitySchemes: {
		Bearer: {
			type: "http",
			scheme: "bearer",
			description:
				"`Authorization: Bearer <managementKey>`: a project-wide key provisions the project, a tenant-bound key its tenant",
		},
	},
	security: () => [{ Bearer: [] }],
	tag: ({ path }) => (path.includes("/Groups") ? "groups" : path.includes("/Users") ? "users" : "discovery"),
	tags: [
		{ name: "users", description: "Users: core and enterprise schemas (docs/scim.md)" },
		{ name: "groups", description: "Groups: the roles of the provisioned tenant or project (docs/scim.md)" },
		{ name: "bulk", description: "Several operations in one request, with bulkId references" },
		{ name: "discovery", description: "ServiceProviderConfig, ResourceTypes and Schemas" },
	],
};
