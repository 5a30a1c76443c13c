// Federated sign-in end to end inside workerd (docs/federation.md, "The flow", "Linking rules"):
// start → the provider's authorize → Roster's callback → exchange, against the scripted provider of
// test/support/oidc-provider.ts, which answers the Worker's outbound requests through a stubbed fetch.
import { env, exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type OidcProvider, type OidcUser, oidcProvider } from "../support/oidc-provider";
import {
	BASE,
	type CallResult,
	call,
	expectStatus,
	mgmt,
	newProject,
	operatorHeaders,
	type TestProject,
} from "./harness";

const APP = "https://app.example.com/after-sign-in";
let counter = 0;

interface ProviderRow {
	tenantId?: string;
	key?: string;
	name?: string;
	prefix?: string;
	enabled?: boolean;
	trustEmail?: boolean;
	domains?: string[];
	settings?: Record<string, unknown>;
}

/** The providers the Worker's outbound fetch reaches in this test; anything else goes to the network. */
const routed: OidcProvider[] = [];

beforeEach(() => {
	const original = globalThis.fetch;
	vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
		const url = new Request(input, init).url;
		const target = routed.find((p) => url.startsWith(`${p.issuer}/`));
		return target ? target.fetch(input, init) : original(input, init);
	});
});

afterEach(() => {
	routed.length = 0;
	vi.restoreAllMocks();
});

/** A scripted provider at its own https issuer, reachable from the Worker. */
async function routedProvider(options: Omit<Parameters<typeof oidcProvider>[0], "issuer"> = {}) {
	const provider = await oidcProvider({ issuer: `https://idp${++counter}.example.test`, ...options });
	routed.push(provider);
	return provider;
}

/** A project with one provider configured through the management API (its tenant created first). */
async function world(
	options: { row?: ProviderRow; redirectUrls?: string[]; accessTokenSeconds?: number } = {},
) {
	const project = await newProject("federation");
	const api = mgmt(project);
	const allowed = await call("PATCH", `/v1/operator/projects/${project.projectId}`, {
		body: { allowedRedirectUrls: [APP, ...(options.redirectUrls ?? [])] },
		headers: operatorHeaders,
	});
	expectStatus(allowed, 200);
	const provider = await routedProvider({ accessTokenSeconds: options.accessTokenSeconds });
	if (options.row?.tenantId) await tenant(api, options.row.tenantId);
	const providerId = await addProvider(project, provider, options.row);
	return { project, provider, providerId, api };
}

/** Configures a provider: a tenant's SSO (management.sso.configureOIDCSettings) or a project-level one. */
async function addProvider(project: TestProject, provider: OidcProvider, row: ProviderRow = {}) {
	const api = mgmt(project);
	const settings = {
		clientId: provider.clientId,
		clientSecret: provider.clientSecret,
		issuer: provider.issuer,
		redirectUrl: APP,
		scope: ["openid", "email", "profile"],
		prefix: row.prefix,
		trustEmail: row.trustEmail,
		enabled: row.enabled,
		...row.settings,
	};
	if (row.tenantId) {
		const res = await api.post("/v1/mgmt/sso/oidc", {
			tenantId: row.tenantId,
			ssoId: row.key,
			domains: row.domains,
			settings: { name: row.name ?? "Test IdP", ...settings },
		});
		expectStatus(res, 200);
	} else {
		const res = await api.post("/v1/mgmt/oauth/provider", {
			name: row.key ?? "testidp",
			displayName: row.name ?? "Test IdP",
			allowedDomains: row.domains,
			...settings,
		});
		expectStatus(res, 200);
	}
	const id = await env.DB.prepare(
		"SELECT id FROM identity_providers WHERE project_id = ? AND tenant_id = ? AND key = ?",
	)
		.bind(project.projectId, row.tenantId ?? "", row.key ?? (row.tenantId ? "" : "testidp"))
		.first<string>("id");
	expect(id).toBeTruthy();
	return id as string;
}

const endUser = (p: TestProject) => ({ authorization: `Bearer ${p.projectId}` });

async function ssoStart(p: TestProject, query: string, body: unknown = {}) {
	return call("POST", `/v1/auth/saml/authorize?${query}`, { body, headers: endUser(p) });
}

/** Follows the start URL through the provider (it consents at once) to Roster's callback URL. */
async function atProvider(provider: OidcProvider, url: string) {
	const res = await provider.handle(new Request(url));
	expect(res.status, await res.clone().text()).toBe(302);
	return res.headers.get("location") as string;
}

/** The browser at Roster's callback: where it is sent next. */
async function callback(url: string) {
	const res = await exports.default.fetch(url, { redirect: "manual", headers: { accept: "text/html" } });
	return { status: res.status, location: res.headers.get("location"), body: await res.text() };
}

/** start → provider → callback; answers the application URL the browser lands on. */
async function signInThrough(
	w: Awaited<ReturnType<typeof world>>,
	user: OidcUser,
	start: () => Promise<CallResult>,
) {
	w.provider.signInAs(user);
	const started = expectStatus(await start(), 200);
	const back = await callback(await atProvider(w.provider, started.url));
	expect(back.status, back.body).toBe(302);
	return new URL(back.location as string);
}

const exchange = (p: TestProject, code: string, flow: "saml" | "oauth" = "saml") =>
	call("POST", `/v1/auth/${flow}/exchange`, { body: { code }, headers: endUser(p) });

async function tenant(api: ReturnType<typeof mgmt>, id: string) {
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id, name: id }), 200);
}

const userCount = async (projectId: string) =>
	Number(
		(await env.DB.prepare("SELECT count(*) AS n FROM users WHERE project_id = ?")
			.bind(projectId)
			.first("n")) ?? 0,
	);

const actions = async (projectId: string) =>
	(
		await env.DB.prepare("SELECT action, result, data FROM change_log WHERE project_id = ? ORDER BY seq")
			.bind(projectId)
			.all<{ action: string; result: string; data: string | null }>()
	).results;

describe("start", () => {
	it("answers 200 {url}: the provider's authorize URL with PKCE S256, state and nonce", async () => {
		const w = await world({ row: { tenantId: "acme" } });
		const body = expectStatus(
			await ssoStart(w.project, `tenant=acme&redirectURL=${encodeURIComponent(APP)}`),
			200,
		);
		expect(Object.keys(body)).toEqual(["url"]);
		const url = new URL(body.url);
		expect(`${url.origin}${url.pathname}`).toBe(`${w.provider.issuer}/authorize`);
		expect(url.searchParams.get("client_id")).toBe(w.provider.clientId);
		expect(url.searchParams.get("response_type")).toBe("code");
		expect(url.searchParams.get("code_challenge_method")).toBe("S256");
		expect(url.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
		expect(url.searchParams.get("state")).toMatch(/^[\w-]{40,}$/);
		expect(url.searchParams.get("nonce")).toMatch(/^[\w-]{20,}$/);
		expect(url.searchParams.get("redirect_uri")).toBe(
			`${BASE}/v1/auth/federation/${w.project.projectId}/callback`,
		);
		expect(url.searchParams.get("scope")?.split(" ")).toContain("openid");
		const grants = await env.DB.prepare("SELECT kind, data FROM federation_grants WHERE project_id = ?")
			.bind(w.project.projectId)
			.all<{ kind: string; data: string }>();
		expect(grants.results.map((g) => g.kind)).toEqual(["state"]);
		// The state is stored hashed: the value the browser carries is not in D1.
		expect(JSON.stringify(grants.results)).not.toContain(url.searchParams.get("state") as string);
		expect((await actions(w.project.projectId)).map((a) => a.action)).toContain("auth.federation_started");
	});

	it("routes an email to its tenant's SSO by domain; login hint and forceAuthn reach the provider", async () => {
		const w = await world({ row: { tenantId: "acme", domains: ["acme.com"] } });
		const body = expectStatus(
			await ssoStart(w.project, `tenant=${encodeURIComponent("pat@acme.com")}&forceAuthn=true&loginHint=pat`),
			200,
		);
		const url = new URL(body.url);
		expect(url.searchParams.get("prompt")).toBe("login");
		expect(url.searchParams.get("login_hint")).toBe("pat");
	});

	it("ssoId picks one of a tenant's configurations; without it the default one is used", async () => {
		const w = await world({ row: { tenantId: "acme" } });
		const other = await routedProvider({ clientId: "second-client" });
		await addProvider(w.project, other, { tenantId: "acme", key: "second" });
		const byDefault = new URL(expectStatus(await ssoStart(w.project, "tenant=acme"), 200).url);
		expect(byDefault.searchParams.get("client_id")).toBe(w.provider.clientId);
		const second = new URL(expectStatus(await ssoStart(w.project, "tenant=acme&ssoId=second"), 200).url);
		expect(second.origin).toBe(other.issuer);
		expect(second.searchParams.get("client_id")).toBe("second-client");
	});

	it("refuses an unknown tenant, an unknown provider and a disabled provider (400 naming the field)", async () => {
		const w = await world({ row: { tenantId: "acme", enabled: false } });
		const unknown = await ssoStart(w.project, "tenant=nobody");
		expect(unknown.status, JSON.stringify(unknown.body)).toBe(400);
		expect(unknown.body.errorMessage).toContain("tenant");
		const disabled = await ssoStart(w.project, "tenant=acme");
		expect(disabled.status).toBe(400);
		expect(disabled.body.errorMessage).toContain("disabled");
		const oauth = await call("POST", "/v1/auth/oauth/authorize?provider=nope", {
			body: {},
			headers: endUser(w.project),
		});
		expect(oauth.status).toBe(400);
		expect(oauth.body.errorMessage).toContain("provider");
	});

	it("refuses a redirectURL that is neither allowlisted nor the provider's (no open redirect)", async () => {
		const w = await world({ row: { tenantId: "acme" }, redirectUrls: ["https://allowed.example.com/cb"] });
		for (const evil of [
			"https://evil.example.com/cb",
			"https://allowed.example.com/other",
			"javascript:alert(1)",
		]) {
			const res = await ssoStart(w.project, `tenant=acme&redirectURL=${encodeURIComponent(evil)}`);
			expect(res.status, JSON.stringify(res.body)).toBe(400);
			expect(res.body.errorMessage).toContain("redirectURL");
		}
		const allowed = await ssoStart(
			w.project,
			`tenant=acme&redirectURL=${encodeURIComponent("https://allowed.example.com/cb?x=1")}`,
		);
		expectStatus(allowed, 200);
	});
});

describe("callback and exchange", () => {
	it("creates the user with the prefix, the SSO tenant and the mapped roles; the code signs in once", async () => {
		const w = await world({
			row: {
				tenantId: "acme",
				prefix: "acme-",
				settings: { roleMappings: [{ roleName: "editor", groups: ["g-editors"] }] },
			},
		});
		expectStatus(await w.api.post("/v1/mgmt/role/create", { name: "editor", tenantId: "acme" }), 200);
		const landed = await signInThrough(
			w,
			{
				sub: "s-1",
				email: "Pat@Acme.com",
				email_verified: true,
				name: "Pat",
				groups: ["g-editors", "other"],
			},
			() => ssoStart(w.project, "tenant=acme"),
		);
		expect(`${landed.origin}${landed.pathname}`).toBe(APP);
		const code = landed.searchParams.get("code") as string;
		expect(code).toBeTruthy();
		const first = expectStatus(await exchange(w.project, code), 200);
		expect(first.firstSeen).toBe(true);
		expect(first.user).toMatchObject({
			loginIds: ["acme-pat@acme.com"],
			email: "pat@acme.com",
			verifiedEmail: true,
			name: "Pat",
			status: "enabled",
			userTenants: [expect.objectContaining({ tenantId: "acme", roleNames: ["editor"] })],
			// The ResponseUser's credential flags show the federated identity.
			OIDC: true,
			OAuth: {},
		});
		expect(first.claims.tenants.acme.roles).toEqual(["editor"]);
		expect(first.claims.amr).toEqual(["sso"]);
		// Single use: the same code again is refused.
		const again = await exchange(w.project, code);
		expect(again.status, JSON.stringify(again.body)).toBe(401);
		// The token request carried the PKCE verifier and the client's secret (Basic).
		expect(w.provider.seen.token[0]?.get("code_verifier")).toMatch(/^[\w-]{43}$/);
		const trail = (await actions(w.project.projectId)).map((a) => a.action);
		expect(trail).toEqual(
			expect.arrayContaining([
				"auth.federation_started",
				"user.created",
				"user.provider.linked",
				"auth.federation_completed",
				"auth.signed_in",
				"auth.sign_in_failed",
			]),
		);
		// The link row names the subject; no provider tokens are kept unless the provider asks.
		const link = await env.DB.prepare(
			"SELECT subject, access_token_ciphertext FROM user_provider_links WHERE project_id = ?",
		)
			.bind(w.project.projectId)
			.first();
		expect(link).toEqual({ subject: "s-1", access_token_ciphertext: null });
	});

	it("two exchanges racing for one code: exactly one signs in; the history records the sign-in", async () => {
		const w = await world({ row: { tenantId: "acme" } });
		const landed = await signInThrough(
			w,
			{ sub: "race-1", email: "race@acme.com", email_verified: true },
			() => ssoStart(w.project, "tenant=acme"),
		);
		const code = landed.searchParams.get("code") as string;
		const results = await Promise.all([exchange(w.project, code), exchange(w.project, code)]);
		expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
		const user = results.find((r) => r.status === 200)?.body.user;
		const history = expectStatus(await w.api.post("/v1/mgmt/user/history", [user.userId]), 200);
		expect(history).toEqual([
			expect.objectContaining({ userId: user.userId, method: "sso", outcome: "success" }),
		]);
	});

	it("signs the same subject in again as the same user (firstSeen false)", async () => {
		const w = await world({ row: { tenantId: "acme" } });
		const person = { sub: "s-2", email: "sam@acme.com", email_verified: true };
		const a = await signInThrough(w, person, () => ssoStart(w.project, "tenant=acme"));
		const first = expectStatus(await exchange(w.project, a.searchParams.get("code") as string), 200);
		const b = await signInThrough(w, { ...person, email: "sam@acme.com" }, () =>
			ssoStart(w.project, "tenant=acme"),
		);
		const second = expectStatus(await exchange(w.project, b.searchParams.get("code") as string), 200);
		expect(second.user.userId).toBe(first.user.userId);
		expect(second.firstSeen).toBe(false);
		expect(await userCount(w.project.projectId)).toBe(1);
	});

	it("with a userDataUrl, userinfo adds the claims the ID token lacks (mapped by userAttrMapping)", async () => {
		const w = await world({ row: { key: "corp" } });
		await addProvider(w.project, w.provider, {
			key: "rich",
			settings: {
				userDataUrl: `${w.provider.issuer}/userinfo`,
				userAttrMapping: { name: "display", givenName: "first" },
			},
		});
		w.provider.userinfoOnly = new Set(["display", "first"]);
		const landed = await signInThrough(
			w,
			{ sub: "u-1", email: "u@corp.com", email_verified: true, display: "From Userinfo", first: "Uma" },
			() => call("POST", "/v1/auth/oauth/authorize?provider=rich", { body: {}, headers: endUser(w.project) }),
		);
		const res = expectStatus(
			await exchange(w.project, landed.searchParams.get("code") as string, "oauth"),
			200,
		);
		expect(w.provider.seen.userinfo).toBe(1);
		expect(res.user).toMatchObject({ name: "From Userinfo", givenName: "Uma" });
	});

	it("a project-level OAuth provider: oauth.start / oauth.exchange, project roles from groups", async () => {
		const w = await world({
			row: { key: "corp", settings: { roleMappings: [{ roleName: "staff", groups: ["everyone"] }] } },
		});
		expectStatus(await w.api.post("/v1/mgmt/role/create", { name: "staff" }), 200);
		const landed = await signInThrough(
			w,
			{ sub: "o-1", email: "o@corp.com", email_verified: true, groups: ["everyone"] },
			() => call("POST", "/v1/auth/oauth/authorize?provider=corp", { body: {}, headers: endUser(w.project) }),
		);
		const res = expectStatus(
			await exchange(w.project, landed.searchParams.get("code") as string, "oauth"),
			200,
		);
		expect(res.user).toMatchObject({
			loginIds: ["o@corp.com"],
			roleNames: ["staff"],
			userTenants: [],
			OAuth: { corp: true },
			OIDC: false,
		});
		expect(res.claims.amr).toEqual(["oauth"]);
	});
});

describe("linking rules", () => {
	it("links an existing invited user by verified email when the provider trusts email; invited → enabled", async () => {
		const w = await world({ row: { tenantId: "acme", trustEmail: true } });
		const invited = expectStatus(
			await w.api.post("/v1/mgmt/user/create", { loginId: "lee@acme.com", email: "lee@acme.com" }),
			200,
		).user;
		expect(invited.status).toBe("invited");
		const landed = await signInThrough(w, { sub: "s-3", email: "lee@acme.com", email_verified: true }, () =>
			ssoStart(w.project, "tenant=acme"),
		);
		const res = expectStatus(await exchange(w.project, landed.searchParams.get("code") as string), 200);
		expect(res.user.userId).toBe(invited.userId);
		expect(res.user.status).toBe("enabled");
		expect(res.firstSeen).toBe(true);
		expect(await userCount(w.project.projectId)).toBe(1);
	});

	it("does not link by email without trust, nor an unverified email with trust: access_denied, nothing created", async () => {
		for (const [trustEmail, verified] of [
			[false, true],
			[true, false],
		] as const) {
			const w = await world({ row: { tenantId: "acme", trustEmail } });
			expectStatus(
				await w.api.post("/v1/mgmt/user/create", { loginId: "kim@acme.com", email: "kim@acme.com" }),
				200,
			);
			const landed = await signInThrough(
				w,
				{ sub: "s-4", email: "kim@acme.com", email_verified: verified },
				() => ssoStart(w.project, "tenant=acme"),
			);
			expect(landed.searchParams.get("error")).toBe("access_denied");
			expect(landed.searchParams.get("error_description")).toContain("already exists");
			expect(landed.searchParams.get("code")).toBeNull();
			expect(await userCount(w.project.projectId)).toBe(1);
			const links = await env.DB.prepare("SELECT count(*) AS n FROM user_provider_links WHERE project_id = ?")
				.bind(w.project.projectId)
				.first("n");
			expect(links).toBe(0);
		}
	});

	it("a project-level provider with email domains admits only those", async () => {
		const w = await world({ row: { key: "corp", domains: ["corp.com"] } });
		const start = () =>
			call("POST", "/v1/auth/oauth/authorize?provider=corp", { body: {}, headers: endUser(w.project) });
		const outside = await signInThrough(w, { sub: "d-1", email: "x@other.com", email_verified: true }, start);
		expect(outside.searchParams.get("error_description")).toContain("domains");
		const inside = await signInThrough(w, { sub: "d-2", email: "x@corp.com", email_verified: true }, start);
		expectStatus(await exchange(w.project, inside.searchParams.get("code") as string, "oauth"), 200);
		expect(await userCount(w.project.projectId)).toBe(1);
	});

	it("refuses a disabled user, and a provider disabled between start and callback", async () => {
		const w = await world({ row: { tenantId: "acme" } });
		const person = { sub: "s-5", email: "dee@acme.com", email_verified: true };
		const first = await signInThrough(w, person, () => ssoStart(w.project, "tenant=acme"));
		const user = expectStatus(await exchange(w.project, first.searchParams.get("code") as string), 200).user;
		expectStatus(
			await w.api.post("/v1/mgmt/user/update/status", { loginId: user.loginIds[0], status: "disabled" }),
			200,
		);
		const refused = await signInThrough(w, person, () => ssoStart(w.project, "tenant=acme"));
		expect(refused.searchParams.get("error")).toBe("access_denied");
		expect(refused.searchParams.get("error_description")).toContain("disabled");

		w.provider.signInAs({ sub: "s-6", email: "new@acme.com", email_verified: true });
		const started = expectStatus(await ssoStart(w.project, "tenant=acme"), 200);
		await env.DB.prepare("UPDATE identity_providers SET enabled = 0 WHERE project_id = ?")
			.bind(w.project.projectId)
			.run();
		const back = await callback(await atProvider(w.provider, started.url));
		expect(new URL(back.location as string).searchParams.get("error_description")).toContain("disabled");
		expect(await userCount(w.project.projectId)).toBe(1);
	});
});

describe("the provider misbehaves: refused, nothing created", () => {
	const cases = [
		["wrongIssuer", "issuer"],
		["wrongAudience", "aud"],
		["expiredIdToken", "exp"],
		["unsignedIdToken", "alg"],
		["wrongNonce", "nonce"],
		["down", "provider"],
	] as const;
	it.each(cases)("%s", async (name, hint) => {
		const w = await world({ row: { tenantId: "acme" } });
		w.provider.signInAs({ sub: `bad-${name}`, email: `${name}@acme.com`, email_verified: true });
		const started = expectStatus(await ssoStart(w.project, "tenant=acme"), 200);
		const atIdp = await atProvider(w.provider, started.url);
		w.provider.switches[name] = true;
		const back = await callback(atIdp);
		expect(back.status).toBe(302);
		const landed = new URL(back.location as string);
		expect(`${landed.origin}${landed.pathname}`).toBe(APP);
		expect(landed.searchParams.get("code")).toBeNull();
		expect(landed.searchParams.get("error")).toBe("access_denied");
		expect(landed.searchParams.get("error_description")?.toLowerCase()).toContain(hint.toLowerCase());
		expect(await userCount(w.project.projectId)).toBe(0);
		const failed = (await actions(w.project.projectId)).filter((a) => a.action === "auth.sign_in_failed");
		expect(failed).toHaveLength(1);
	});

	it("a state the provider altered: 400 page, no redirect, nothing created", async () => {
		const w = await world({ row: { tenantId: "acme" } });
		w.provider.switches.stateMismatch = true;
		const started = expectStatus(await ssoStart(w.project, "tenant=acme"), 200);
		const back = await callback(await atProvider(w.provider, started.url));
		expect(back.status).toBe(400);
		expect(back.location).toBeNull();
		expect(back.body).toContain("Sign-in failed");
		expect(await userCount(w.project.projectId)).toBe(0);
	});

	it("a replayed callback (the provider would redeem its code twice) is refused: the state is single use", async () => {
		const w = await world({ row: { tenantId: "acme" } });
		w.provider.switches.replayCode = true;
		w.provider.signInAs({ sub: "r-1", email: "r@acme.com", email_verified: true });
		const started = expectStatus(await ssoStart(w.project, "tenant=acme"), 200);
		const atIdp = await atProvider(w.provider, started.url);
		const first = await callback(atIdp);
		expect(new URL(first.location as string).searchParams.get("code")).toBeTruthy();
		const replay = await callback(atIdp);
		expect(replay.status).toBe(400);
		expect(replay.location).toBeNull();
		expect(await userCount(w.project.projectId)).toBe(1);
	});

	it("an error from the provider goes back to the application as error / error_description", async () => {
		const w = await world({ row: { tenantId: "acme" } });
		const started = expectStatus(await ssoStart(w.project, "tenant=acme"), 200);
		const state = new URL(started.url).searchParams.get("state") as string;
		const back = await callback(
			`${BASE}/v1/auth/federation/${w.project.projectId}/callback?error=access_denied&error_description=nope&state=${state}`,
		);
		const landed = new URL(back.location as string);
		expect(landed.searchParams.get("error")).toBe("access_denied");
		expect(landed.searchParams.get("error_description")).toBe("nope");
	});

	it("a callback for an unknown project or without state answers 400 JSON to API clients", async () => {
		const res = await exports.default.fetch(`${BASE}/v1/auth/federation/not-a-project/callback?state=x`, {
			redirect: "manual",
		});
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ errorCode: "E011004" });
		const p = await newProject("federation");
		const none = await exports.default.fetch(`${BASE}/v1/auth/federation/${p.projectId}/callback`, {
			redirect: "manual",
		});
		expect(none.status).toBe(400);
	});
});

describe("provider tokens", () => {
	it("an expired access token is refreshed on read; without manageProviderTokens nothing is kept (404)", async () => {
		const w = await world({
			row: { key: "corp", settings: { manageProviderTokens: true } },
			accessTokenSeconds: 0,
		});
		const landed = await signInThrough(w, { sub: "t-2", email: "e@corp.com", email_verified: true }, () =>
			call("POST", "/v1/auth/oauth/authorize?provider=corp", { body: {}, headers: endUser(w.project) }),
		);
		expectStatus(await exchange(w.project, landed.searchParams.get("code") as string, "oauth"), 200);
		const read = expectStatus(
			await w.api.get(
				"/v1/mgmt/user/provider/token?loginId=e%40corp.com&provider=corp&withRefreshToken=false&forceRefresh=false",
			),
			200,
		);
		expect(w.provider.seen.refreshes).toBe(1);
		expect(read.accessToken).toBe(w.provider.accessTokens[1]);
		expect(read.refreshToken).toBeUndefined();

		const plain = await world({ row: { key: "plain" } });
		const back = await signInThrough(plain, { sub: "t-3", email: "p@corp.com", email_verified: true }, () =>
			call("POST", "/v1/auth/oauth/authorize?provider=plain", { body: {}, headers: endUser(plain.project) }),
		);
		expectStatus(await exchange(plain.project, back.searchParams.get("code") as string, "oauth"), 200);
		const none = await plain.api.get(
			"/v1/mgmt/user/provider/token?loginId=p%40corp.com&provider=plain&withRefreshToken=false&forceRefresh=false",
		);
		expect(none.status, JSON.stringify(none.body)).toBe(404);
	});

	it("kept encrypted when manageProviderTokens; getProviderToken answers, refreshes when forced", async () => {
		const w = await world({ row: { key: "corp", settings: { manageProviderTokens: true } } });
		const landed = await signInThrough(w, { sub: "t-1", email: "t@corp.com", email_verified: true }, () =>
			call("POST", "/v1/auth/oauth/authorize?provider=corp", { body: {}, headers: endUser(w.project) }),
		);
		expectStatus(await exchange(w.project, landed.searchParams.get("code") as string, "oauth"), 200);
		const stored = await env.DB.prepare(
			"SELECT access_token_ciphertext AS a, refresh_token_ciphertext AS r FROM user_provider_links WHERE project_id = ?",
		)
			.bind(w.project.projectId)
			.first<{ a: string; r: string }>();
		expect(stored?.a).toMatch(/^v1\./);
		expect(stored?.a).not.toContain(w.provider.accessTokens[0] as string);
		const plain = expectStatus(
			await w.api.get(
				"/v1/mgmt/user/provider/token?loginId=t%40corp.com&provider=corp&withRefreshToken=false&forceRefresh=false",
			),
			200,
		);
		expect(plain).toEqual({
			provider: "corp",
			providerUserId: "t-1",
			accessToken: w.provider.accessTokens[0],
			expiration: expect.any(Number),
			scopes: ["openid", "email", "profile"],
		});
		const refreshed = expectStatus(
			await w.api.get(
				"/v1/mgmt/user/provider/token?loginId=t%40corp.com&provider=corp&withRefreshToken=true&forceRefresh=true",
			),
			200,
		);
		expect(w.provider.seen.refreshes).toBe(1);
		expect(refreshed.accessToken).toBe(w.provider.accessTokens[1]);
		expect(refreshed.refreshToken).toBe(w.provider.refreshTokens[1]);
		expect((await actions(w.project.projectId)).map((a) => a.action)).toContain(
			"user.provider_token.refreshed",
		);
		// No secret reached the change log.
		const log = JSON.stringify(await actions(w.project.projectId));
		for (const t of [...w.provider.accessTokens, ...w.provider.refreshTokens]) expect(log).not.toContain(t);
		const missing = await w.api.get(
			"/v1/mgmt/user/provider/token?loginId=t%40corp.com&provider=other&withRefreshToken=false&forceRefresh=false",
		);
		expect(missing.status).toBe(404);
	});
});

it("the API document lists the federation routes, the browser callback among them without a bearer", async () => {
	const doc = expectStatus(await call("GET", "/v1/mgmt/openapi.json"), 200);
	for (const path of [
		"/v1/auth/saml/authorize",
		"/v1/auth/oauth/authorize",
		"/v1/auth/saml/exchange",
		"/v1/auth/oauth/exchange",
		"/v1/mgmt/user/provider/token",
	]) {
		expect(Object.keys(doc.paths)).toContain(path);
	}
	const callback = doc.paths["/v1/auth/federation/{projectId}/callback"].get;
	expect(callback.security).toEqual([]);
	expect(Object.keys(callback.responses)).toEqual(expect.arrayContaining(["302", "400", "429"]));
	expect(doc.paths["/v1/auth/saml/authorize"].post.responses).toHaveProperty("429");
});
