// The identity-provider registry (docs/federation.md, "Identity providers", "Secrets"): the secret
// box, URL rules, the sign-in read the flow uses, change rows without secrets, the partner list.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { federationCallbackUrl } from "../../src/domain/federation/callback";
import { loadProviderForSignIn } from "../../src/domain/federation/providers.signin";
import {
	checkAllowedRedirectUrls,
	checkProviderUrl,
	isAllowedRedirect,
} from "../../src/domain/federation/providers.urls";
import { decryptIdpSecret, encryptIdpSecret } from "../../src/domain/federation/secrets";
import {
	addManagementKey,
	BASE,
	call,
	expectStatus,
	mgmt,
	newProject,
	operatorHeaders,
	type TestProject,
} from "./harness";

const ISSUER = "https://idp.example.com";
const APP = "https://app.example.com/cb";
const SECRET = "client-secret-plaintext";
const deps = { d1: env.DB, env };
const otherKey = { IDP_ENCRYPTION_KEY: btoa("another-32-byte-key-for-tests!!!").replace(/=+$/, "") } as Env;

async function world() {
	const project = await newProject("idp-registry");
	const api = mgmt(project);
	for (const id of ["acme", "globex"])
		expectStatus(await api.post("/v1/mgmt/tenant/create", { id, name: `Tenant ${id}` }), 200);
	expectStatus(
		await call("PATCH", `/v1/operator/projects/${project.projectId}`, {
			body: { allowedRedirectUrls: [APP] },
			headers: operatorHeaders,
		}),
		200,
	);
	return { project, api };
}

const sso = (name: string, extra: Record<string, unknown> = {}) => ({
	name,
	clientId: `${name}-client`,
	clientSecret: SECRET,
	issuer: ISSUER,
	redirectUrl: APP,
	...extra,
});

describe("secret box", () => {
	it("seals with a fresh IV each time and opens only under the same key", async () => {
		const a = await encryptIdpSecret(env, "s3cret");
		const b = await encryptIdpSecret(env, "s3cret");
		expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
		expect(a).not.toBe(b);
		expect(await decryptIdpSecret(env, a)).toBe("s3cret");
		await expect(decryptIdpSecret(otherKey, a)).rejects.toMatchObject({ code: "internal" });
		await expect(decryptIdpSecret(env, `${a}x`)).rejects.toMatchObject({ code: "internal" });
		await expect(decryptIdpSecret(env, "v2.abc.def")).rejects.toMatchObject({ code: "internal" });
	});

	it("is not configured without a 32-byte IDP_ENCRYPTION_KEY", async () => {
		await expect(encryptIdpSecret({} as Env, "x")).rejects.toMatchObject({ code: "not_configured" });
		await expect(encryptIdpSecret({ IDP_ENCRYPTION_KEY: "c2hvcnQ" } as Env, "x")).rejects.toMatchObject({
			code: "not_configured",
		});
	});
});

describe("URL rules", () => {
	const strict = { IDP_ALLOW_LOOPBACK: "false" } as unknown as Env;
	const loose = { IDP_ALLOW_LOOPBACK: "true" } as unknown as Env;

	it("provider URLs are https; loopback http only when IDP_ALLOW_LOOPBACK is true", () => {
		expect(checkProviderUrl(strict, "issuer", "https://idp.example.com")).toBe("https://idp.example.com");
		expect(checkProviderUrl(strict, "issuer", "")).toBe("");
		expect(() => checkProviderUrl(strict, "issuer", "http://localhost:8080")).toThrow(
			/issuer: must be an https URL/,
		);
		expect(checkProviderUrl(loose, "issuer", "http://localhost:8080")).toBe("http://localhost:8080");
		expect(checkProviderUrl(loose, "tokenUrl", "http://[::1]:9/t")).toBe("http://[::1]:9/t");
		expect(() => checkProviderUrl(loose, "tokenUrl", "http://192.168.1.2/t")).toThrow(/tokenUrl/);
		expect(() => checkProviderUrl(loose, "authUrl", "javascript:alert(1)")).toThrow(/authUrl/);
		expect(() => checkProviderUrl(strict, "authUrl", "https://u:p@idp.example.com/")).toThrow(/credentials/);
	});

	it("allowlists hold absolute URLs, de-duplicated; redirects match on origin and path", () => {
		expect(
			checkAllowedRedirectUrls(strict, ["https://a.example.com/cb", "https://a.example.com/cb"]),
		).toEqual(["https://a.example.com/cb"]);
		expect(() => checkAllowedRedirectUrls(strict, ["http://localhost:3000/cb"])).toThrow(
			/allowedRedirectUrls\[0\]/,
		);
		expect(checkAllowedRedirectUrls(loose, ["http://localhost:3000/cb"])).toEqual([
			"http://localhost:3000/cb",
		]);
		expect(isAllowedRedirect(["https://a.example.com/cb"], "https://a.example.com/cb?state=1")).toBe(true);
		expect(isAllowedRedirect(["https://a.example.com/cb"], "https://a.example.com/cb/other")).toBe(false);
		expect(isAllowedRedirect(["https://a.example.com/cb"], "https://a.example.com.evil.test/cb")).toBe(false);
	});

	it("builds the one callback URL of a project", () => {
		expect(federationCallbackUrl("https://roster.example.com/", "P1")).toBe(
			"https://roster.example.com/v1/auth/federation/P1/callback",
		);
	});
});

describe("loadProviderForSignIn", () => {
	it("finds tenant SSO by tenant and ssoId, by email domain, and project-level providers by name, secret opened", async () => {
		const { project, api } = await world();
		const pid = project.projectId;
		expectStatus(
			await api.post("/v1/mgmt/sso/oidc", {
				tenantId: "acme",
				settings: sso("Acme", {
					userAttrMapping: { email: "mail" },
					roleMappings: [{ roleName: "admin", groups: ["g1"] }],
					trustEmail: true,
					prefix: "acme-",
				}),
				domains: ["acme.com"],
			}),
			200,
		);
		expectStatus(
			await api.post("/v1/mgmt/sso/oidc", {
				tenantId: "acme",
				ssoId: "alt",
				settings: sso("Alt", { clientSecret: "" }),
			}),
			200,
		);
		expectStatus(
			await api.post("/v1/mgmt/oauth/provider", { ...sso("corp"), JWKsUrl: `${ISSUER}/jwks` }),
			200,
		);

		const acme = await loadProviderForSignIn(deps, pid, { tenantId: "acme" });
		expect(acme).toEqual({
			id: expect.stringMatching(/^IDP/),
			tenantId: "acme",
			key: "",
			name: "Acme",
			prefix: "acme-",
			enabled: true,
			protocol: "oidc",
			trustEmail: true,
			domains: ["acme.com"],
			clientId: "Acme-client",
			clientSecret: SECRET,
			clientSecretUnreadable: false,
			issuer: ISSUER,
			discoveryUrl: "",
			authUrl: "",
			tokenUrl: "",
			userDataUrl: "",
			jwksUrl: "",
			scope: [],
			redirectUrl: APP,
			prompt: [],
			manageProviderTokens: false,
			mapping: { email: "mail" },
			roleMappings: [{ roleName: "admin", groups: ["g1"] }],
		});
		expect(
			(await loadProviderForSignIn(deps, pid, { tenantId: "acme", key: "alt" }))?.clientSecret,
		).toBeNull();
		expect((await loadProviderForSignIn(deps, pid, { domain: "ACME.com" }))?.id).toBe(acme?.id);
		expect((await loadProviderForSignIn(deps, pid, { id: acme?.id ?? "" }))?.name).toBe("Acme");
		const corp = await loadProviderForSignIn(deps, pid, { tenantId: "", key: "corp" });
		expect(corp).toMatchObject({
			tenantId: "",
			key: "corp",
			clientSecret: SECRET,
			jwksUrl: `${ISSUER}/jwks`,
		});
		expect(await loadProviderForSignIn(deps, pid, { tenantId: "globex" })).toBeNull();
		expect(await loadProviderForSignIn(deps, pid, { domain: "globex.com" })).toBeNull();
		expect(await loadProviderForSignIn(deps, pid, { tenantId: "", key: "nope" })).toBeNull();
		// Another project sees none of it, whatever ids it names.
		const other = await newProject("idp-other");
		expect(await loadProviderForSignIn(deps, other.projectId, { id: acme?.id ?? "" })).toBeNull();
		expect(await loadProviderForSignIn(deps, other.projectId, { domain: "acme.com" })).toBeNull();
	});

	it("returns a disabled provider as disabled, for the flow to refuse", async () => {
		const { project, api } = await world();
		expectStatus(await api.post("/v1/mgmt/oauth/provider", { ...sso("corp"), enabled: false }), 200);
		expect(await loadProviderForSignIn(deps, project.projectId, { tenantId: "", key: "corp" })).toMatchObject(
			{
				enabled: false,
			},
		);
	});
});

it("after IDP_ENCRYPTION_KEY is rotated, says the secret is unreadable instead of failing", async () => {
	const { project, api } = await world();
	expectStatus(await api.post("/v1/mgmt/oauth/provider", sso("corp")), 200);
	const rotated = { d1: env.DB, env: { ...env, ...otherKey } as Env };
	expect(
		await loadProviderForSignIn(rotated, project.projectId, { tenantId: "", key: "corp" }),
	).toMatchObject({
		clientSecret: null,
		clientSecretUnreadable: true,
	});
	// Management reads never open the secret: they still answer.
	expectStatus(await api.get("/v1/mgmt/oauth/provider?id=corp"), 200);
});

it("without IDP_ENCRYPTION_KEY, a provider with a secret is not configured (503), not unreadable", async () => {
	const { project, api } = await world();
	expectStatus(await api.post("/v1/mgmt/oauth/provider", sso("corp")), 200);
	const keyless = { d1: env.DB, env: { ...env, IDP_ENCRYPTION_KEY: "" } };
	await expect(
		loadProviderForSignIn(keyless, project.projectId, { tenantId: "", key: "corp" }),
	).rejects.toMatchObject({
		code: "not_configured",
	});
});

describe("change rows", () => {
	it("record every change of a provider and never its secret, sealed or not", async () => {
		const { project, api } = await world();
		const created = expectStatus(await api.post("/v1/mgmt/oauth/provider", sso("corp")), 200).provider;
		expectStatus(
			await api.post("/v1/mgmt/oauth/provider", { name: "corp", clientSecret: "second-secret" }),
			200,
		);
		expectStatus(await api.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: sso("Acme") }), 200);
		expectStatus(await api.delete("/v1/mgmt/oauth/provider?id=corp"), 200);
		const sealed = await env.DB.prepare(
			"SELECT client_secret_ciphertext AS s FROM identity_providers WHERE project_id = ?",
		)
			.bind(project.projectId)
			.first<{ s: string }>();
		const { results } = await env.DB.prepare(
			"SELECT action, target_type, target_id, tenant_id, changes, data FROM change_log WHERE project_id = ? AND action LIKE 'identity_provider.%' ORDER BY seq",
		)
			.bind(project.projectId)
			.all<Record<string, string | null>>();
		expect(results.map((r) => [r.action, r.target_type, r.tenant_id])).toEqual([
			["identity_provider.created", "identity_provider", null],
			["identity_provider.updated", "identity_provider", null],
			["identity_provider.created", "identity_provider", "acme"],
			["identity_provider.deleted", "identity_provider", null],
		]);
		expect(results[0]?.target_id).toBe(created.id);
		expect(JSON.parse(results[0]?.changes ?? "{}")).toMatchObject({
			name: { after: "corp" },
			settings: { after: { clientId: "corp-client", issuer: ISSUER } },
		});
		const text = JSON.stringify(results);
		for (const secret of [SECRET, "second-secret", sealed?.s ?? "v1."]) expect(text).not.toContain(secret);
		expect(text).not.toMatch(/clientSecret|client_secret/);
	});
});

describe("partner list", () => {
	const partner = (p: TestProject, key = p.managementKey) => ({
		get: (path: string, headers: Record<string, string> = {}) =>
			call("GET", `/api/partner/v1${path}`, { headers: { authorization: `Bearer ${key}`, ...headers } }),
	});

	it("pages {Items, NextCursor} in id order with ETags, Total on request", async () => {
		const { project, api } = await world();
		expectStatus(
			await api.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: sso("Acme", { prefix: "a-" }) }),
			200,
		);
		expectStatus(
			await api.post("/v1/mgmt/oauth/provider", { ...sso("corp"), displayName: "Corp", enabled: false }),
			200,
		);
		const all = expectStatus(await partner(project).get("/identity-providers?includeTotal=true"), 200);
		expect(all.Total).toBe(2);
		expect(all.NextCursor).toBeNull();
		expect(all.Items).toHaveLength(2);
		expect([...all.Items].sort((a, b) => a.Name.localeCompare(b.Name))).toEqual([
			{
				Id: expect.stringMatching(/^IDP/),
				Name: "Acme",
				Prefix: "a-",
				Enabled: true,
				Kind: "sso",
				OrganizationId: "acme",
			},
			{
				Id: expect.stringMatching(/^IDP/),
				Name: "Corp",
				Prefix: "",
				Enabled: false,
				Kind: "oauth",
				OrganizationId: null,
			},
		]);
		expect(all.Items.map((i: { Id: string }) => i.Id)).toEqual(
			all.Items.map((i: { Id: string }) => i.Id).sort(),
		);

		const first = await partner(project).get("/identity-providers?limit=1");
		expect(first.status).toBe(200);
		expect(first.body.Items).toEqual([all.Items[0]]);
		expect(first.body.NextCursor).toEqual(expect.any(String));
		const second = expectStatus(
			await partner(project).get(`/identity-providers?limit=1&cursor=${first.body.NextCursor}`),
			200,
		);
		expect(second).toEqual({ Items: [all.Items[1]], NextCursor: null });

		const etag = first.headers.get("etag") ?? "";
		expect(etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
		expect(first.headers.get("cache-control")).toBe("private, no-cache");
		const again = await exports.default.fetch(`${BASE}/api/partner/v1/identity-providers?limit=1`, {
			headers: { authorization: `Bearer ${project.managementKey}`, "if-none-match": etag },
		});
		expect(again.status).toBe(304);
		const bad = await partner(project).get("/identity-providers?cursor=nonsense!");
		expect(bad.status, JSON.stringify(bad.body)).toBe(400);
	});

	it("a tenant-bound key is refused the partner list (403) and loads only its tenants' SSO", async () => {
		const { project, api } = await world();
		expectStatus(await api.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: sso("Acme") }), 200);
		expectStatus(await api.post("/v1/mgmt/sso/oidc", { tenantId: "globex", settings: sso("Globex") }), 200);
		expectStatus(await api.post("/v1/mgmt/oauth/provider", sso("corp")), 200);
		const bound = await addManagementKey(project, { name: "acme", tenantIds: ["acme"] });
		expectStatus(await partner(project, bound.managementKey).get("/identity-providers"), 403);
		const own = await call("GET", "/v2/mgmt/sso/settings/all?tenantId=acme", {
			headers: { authorization: `Bearer ${project.projectId}:${bound.managementKey}` },
		});
		expect(expectStatus(own, 200).SSOSettings.map((s: { oidc: { name: string } }) => s.oidc.name)).toEqual([
			"Acme",
		]);
		const other = await call("GET", "/v2/mgmt/sso/settings/all?tenantId=globex", {
			headers: { authorization: `Bearer ${project.projectId}:${bound.managementKey}` },
		});
		expect(other.status).toBe(404);
	});
});

it("a deleted project takes its providers and domain routes with it", async () => {
	const { project, api } = await world();
	expectStatus(
		await api.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: sso("Acme"), domains: ["acme.com"] }),
		200,
	);
	expectStatus(
		await call("DELETE", `/v1/operator/projects/${project.projectId}`, { headers: operatorHeaders }),
		200,
	);
	for (const table of ["identity_providers", "identity_provider_domains"]) {
		const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE project_id = ?`)
			.bind(project.projectId)
			.first<{ n: number }>();
		expect(row?.n, table).toBe(0);
	}
});
