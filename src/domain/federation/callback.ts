// The one URL every provider of a project returns the browser to (docs/federation.md): the admin
// registers it at the provider as the client's redirect URI; the sign-in flow serves it.

export const federationCallbackPath = (projectId: string) => `/v1/auth/federation/${projectId}/callback`;

export const federationCallbackUrl = (origin: string, projectId: string) =>
	`${origin.replace(/\/+$/, "")}${federationCallbackPath(projectId)}`;
