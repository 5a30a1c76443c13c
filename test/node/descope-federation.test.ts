// The official @descope/node-sdk through federated sign-in (docs/federation.md, "The flow"): tenant SSO
// configured with management.sso.configureOIDCSettings, then sso.start → the test provider (served on
// a loopback port) → Roster's callback → sso.exchange → validateSession; the same with oauth.start /
// oauth.exchange for a project-level provider; management.user.getProviderToken.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import DescopeClient from "@descope/node-sdk";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type OidcProvider, oidcProvider } from "../support/oidc-provider.js";
import { baseUrl, expectOk, operatorKey, setupProject, type TestProject, unique } from "./harness.js";

const APP = "https://app.example.com/signed-in";

let server: Server;
let provider: OidcProvider;

/** The provider's handler on 127.0.0.1: node's request in, the handler's Response out. */
async function serve(handle: (request: Request) => Promise<Response>) {
	const s = createServer(async (req: IncomingMessage, res: ServerResponse) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const body = chunks.length ? Buffer.concat(chunks) : undefined;
		const headers = new Headers();
		for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
		const answer = await handle(
			new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body }),
		);
		res.writeHead(answer.status, Object.fromEntries(answer.headers));
		res.end(Buffer.from(await answer.arrayBuffer()));
	});
	await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
	return s;
}

beforeAll(async () => {
	let handle: (request: Request) => Promise<Response> = async () =>
		new Response("not ready", { status: 503 });
	server = await serve((r) => handle(r));
	const { port } = server.address() as AddressInfo;
	provider = await oidcProvider({ issuer: `http://127.0.0.1:${port}` });
	handle = provider.handle;
});

afterAll(async () => {
	await new Promise((resolve) => server?.close(resolve));
});

/** The application's landing URL on the project's allowlist (the operator API's project setting). */
async function allowApp(project: TestProject) {
	const res = await fetch(`${baseUrl()}/v1/operator/projects/${project.projectId}`, {
		method: "PATCH",
		headers: { authorization: `Bearer ${operatorKey()}`, "content-type": "application/json" },
		body: JSON.stringify({ allowedRedirectUrls: [APP] }),
	});
	expect(res.status, await res.text()).toBe(200);
}

const authSdk = (project: TestProject) => DescopeClient({ projectId: project.projectId, baseUrl: baseUrl() });

/** The browser: from the start URL through the provider and Roster's callback to the application. */
async function follow(url: string): Promise<URL> {
	let next = url;
	for (let hop = 0; hop < 5; hop++) {
		const res = await fetch(next, { redirect: "manual" });
		const location = res.headers.get("location");
		if (res.status !== 302 || !location)
			throw new Error(`${next} answered ${res.status}: ${await res.text()}`);
		const target = new URL(location, next);
		if (target.toString().startsWith(APP)) return target;
		next = target.toString();
	}
	throw new Error("too many redirects");
}

it("tenant SSO: configureOIDCSettings → sso.start → provider → callback → sso.exchange → validateSession", async () => {
	const { project, sdk } = await setupProject();
	await allowApp(project);
	const tenantId = unique("acme");
	expectOk(await sdk.management.tenant.createWithId(tenantId, tenantId));
	expectOk(await sdk.management.role.create("sso-member", "from SSO", [], tenantId));
	expectOk(
		await sdk.management.sso.configureOIDCSettings(
			tenantId,
			{
				name: "Test IdP",
				clientId: provider.clientId,
				clientSecret: provider.clientSecret,
				issuer: provider.issuer,
				redirectUrl: APP,
				scope: ["openid", "email", "profile"],
				attributeMapping: { email: "email", name: "name", group: "groups" },
				roleMappings: [{ roleName: "sso-member", groups: ["staff"] }],
			},
			["acme.example"],
		),
	);
	const email = `${unique("pat")}@acme.example`;
	provider.signInAs({ sub: unique("sub"), email, email_verified: true, name: "Pat SSO", groups: ["staff"] });
	const client = authSdk(project);
	const started = expectOk(await client.sso.start(email, APP));
	expect(Object.keys(started as object)).toEqual(["url"]);
	const landed = await follow((started as { url: string }).url);
	const code = landed.searchParams.get("code");
	expect(code, landed.toString()).toBeTruthy();
	const jwt = expectOk(await client.sso.exchange(code as string));
	expect(jwt.firstSeen).toBe(true);
	expect(jwt.user).toMatchObject({ loginIds: [email], email, name: "Pat SSO", status: "enabled" });
	expect(jwt.user?.userTenants).toEqual([expect.objectContaining({ tenantId, roleNames: ["sso-member"] })]);
	const session = await client.validateSession(jwt.sessionJwt);
	expect(session.token.sub).toBe(jwt.user?.userId);
	expect(client.validateTenantRoles(session, tenantId, ["sso-member"])).toBe(true);
	// The code is single use.
	expect((await client.sso.exchange(code as string)).ok).toBe(false);
});

it("a project-level OAuth provider: oauth.start → provider → oauth.exchange (cookies), then getProviderToken", async () => {
	const { project, sdk } = await setupProject();
	await allowApp(project);
	const name = unique("corp");
	const created = await fetch(`${baseUrl()}/v1/mgmt/oauth/provider`, {
		method: "POST",
		headers: {
			authorization: `Bearer ${project.projectId}:${project.managementKey}`,
			"content-type": "application/json",
		},
		body: JSON.stringify({
			name,
			clientId: provider.clientId,
			clientSecret: provider.clientSecret,
			issuer: provider.issuer,
			redirectUrl: APP,
			scope: ["openid", "email"],
			manageProviderTokens: true,
		}),
	});
	expect(created.status, await created.clone().text()).toBe(200);
	const email = `${unique("olly")}@corp.example`;
	const subject = unique("sub");
	provider.signInAs({ sub: subject, email, email_verified: true });
	const client = authSdk(project);
	const started = expectOk(await client.oauth.start(name, APP));
	const landed = await follow((started as { url: string }).url);
	const jwt = expectOk(await client.oauth.exchange(landed.searchParams.get("code") as string)) as {
		sessionJwt: string;
		cookies: string[];
		user: { loginIds: string[] };
	};
	expect(jwt.cookies[0]).toMatch(/^DSR=/);
	await client.validateSession(jwt.sessionJwt);

	const issued = provider.accessTokens.length;
	const plain = expectOk(await sdk.management.user.getProviderToken(email, name)) as Record<string, unknown>;
	expect(plain).toEqual({
		provider: name,
		providerUserId: subject,
		accessToken: provider.accessTokens[issued - 1],
		expiration: expect.any(Number),
		scopes: ["openid", "email"],
	});
	const refreshes = provider.seen.refreshes;
	const refreshed = expectOk(
		await sdk.management.user.getProviderToken(email, name, { withRefreshToken: true, forceRefresh: true }),
	) as Record<string, unknown>;
	expect(provider.seen.refreshes).toBe(refreshes + 1);
	expect(refreshed.accessToken).toBe(provider.accessTokens.at(-1));
	expect(refreshed.refreshToken).toBe(provider.refreshTokens.at(-1));
	// What the refresh stored is what the next read answers, without another refresh.
	const after = expectOk(await sdk.management.user.getProviderToken(email, name)) as Record<string, unknown>;
	expect(after.accessToken).toBe(refreshed.accessToken);
	expect(provider.seen.refreshes).toBe(refreshes + 1);
});
