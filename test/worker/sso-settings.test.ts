// management.sso.* and the project-level OAuth provider routes over HTTP (docs/federation.md,
// "Identity providers"): exact wire shapes, write-only client secrets, URL rules, SAML refused,
// tenant-bound keys confined to their tenants' SSO.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { APP, ISSUER, loadedOidc, OIDC_SETTINGS } from "../support/oidc-settings";
import {
	addManagementKey,
	call,
	expectDescopeError,
	expectStatus,
	mgmt,
	newProject,
	operatorHeaders,
	type TestProject,
} from "./harness";

async function world(redirectUrls: string[] = [APP]) {
	const project = await newProject("sso-settings");
	const api = mgmt(project);
	for (const id of ["acme", "globex"])
		expectStatus(await api.post("/v1/mgmt/tenant/create", { id, name: `Tenant ${id}` }), 200);
	await allow(project, redirectUrls);
	return { project, api };
}

const allow = async (project: TestProject, urls: string[]) =>
	expectStatus(
		await call("PATCH", `/v1/operator/projects/${project.projectId}`, {
			body: { allowedRedirectUrls: urls },
			headers: operatorHeaders,
		}),
		200,
	);

const userAttrMapping = { email: "mail", name: "nm", customAttributes: { dept: "department" } };

const oidc = (overrides: Record<string, unknown> = {}) => ({
	...OIDC_SETTINGS,
	prompt: ["login"],
	userAttrMapping,
	...overrides,
});

const rows = (projectId: string) =>
	env.DB.prepare(
		"SELECT id, tenant_id, key, name, settings, client_secret_ciphertext AS secret, domains FROM identity_providers WHERE project_id = ? ORDER BY created_at",
	)
		.bind(projectId)
		.all<Record<string, string>>()
		.then((r) => r.results);

const changeLog = (projectId: string) =>
	env.DB.prepare(
		"SELECT action, changes, data FROM change_log WHERE project_id = ? AND target_type = 'identity_provider'",
	)
		.bind(projectId)
		.all<Record<string, string | null>>()
		.then((r) => r.results);

describe("configureOIDCSettings and loadSettings", () => {
	it("stores the settings, answers them without the client secret, shows the callback URL", async () => {
		const { project, api } = await world();
		expectStatus(
			await api.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: oidc(), domains: ["Acme.com"] }),
			200,
		);
		const loaded = expectStatus(await api.get("/v2/mgmt/sso/settings?tenantId=acme"), 200);
		expect(loaded.ssoId).toBe("");
		expect(loaded.tenant).toMatchObject({
			id: "acme",
			name: "Tenant acme",
			authType: "oidc",
			domains: ["acme.com"],
		});
		expect(loaded.oidc).toEqual(
			loadedOidc(
				{ prompt: ["login"], userAttrMapping },
				`http://roster.test/v1/auth/federation/${project.projectId}/callback`,
			),
		);
		expect(JSON.stringify(loaded)).not.toContain("csec-plaintext");
		const [row] = await rows(project.projectId);
		expect(row?.secret).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
		expect(JSON.stringify(row)).not.toContain("csec-plaintext");
		const log = await changeLog(project.projectId);
		expect(log.map((e) => e.action)).toEqual(["identity_provider.created"]);
		expect(JSON.stringify(log)).not.toContain("csec");
		expect(JSON.parse(log[0]?.data ?? "{}")).toEqual({ clientCredentialChanged: true });
	});

	it("replaces the settings on a second configure and keeps the secret when none is sent", async () => {
		const { project, api } = await world();
		expectStatus(await api.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: oidc() }), 200);
		const before = (await rows(project.projectId))[0]?.secret;
		expectStatus(
			await api.post("/v1/mgmt/sso/oidc", {
				tenantId: "acme",
				settings: { name: "Okta 2", clientId: "cid2", issuer: ISSUER },
			}),
			200,
		);
		const loaded = expectStatus(await api.get("/v2/mgmt/sso/settings?tenantId=acme"), 200);
		expect(loaded.oidc).toMatchObject({
			name: "Okta 2",
			clientId: "cid2",
			scope: [],
			roleMappings: [],
			redirectUrl: "",
		});
		const after = await rows(project.projectId);
		expect(after).toHaveLength(1);
		expect(after[0]?.secret).toBe(before);
		expect((await changeLog(project.projectId)).map((e) => e.action)).toEqual([
			"identity_provider.created",
			"identity_provider.updated",
		]);
	});

	it("accepts the go SDK's groupsMapping and derives the issuer from a discovery URL", async () => {
		const { api } = await world();
		const settings = {
			name: "Go",
			clientId: "c",
			discoveryUrl: `${ISSUER}/tenant1/.well-known/openid-configuration`,
			groupsMapping: [{ role: { id: "R1", name: "viewer" }, groups: ["staff"] }],
		};
		expectStatus(await api.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings, ssoId: "go" }), 200);
		const loaded = expectStatus(await api.get("/v2/mgmt/sso/settings?tenantId=acme&ssoId=go"), 200);
		expect(loaded.ssoId).toBe("go");
		expect(loaded.oidc).toMatchObject({
			issuer: `${ISSUER}/tenant1`,
			roleMappings: [{ roleName: "viewer", groups: ["staff"] }],
		});
	});

	it("refuses bad input naming the field, and stores nothing", async () => {
		const { project, api } = await world();
		const cases: [Record<string, unknown>, string, string][] = [
			[{ tenantId: "acme", settings: oidc({ authUrl: "http://idp.example.com/a" }) }, "E011004", "authUrl"],
			[{ tenantId: "acme", settings: oidc({ JWKsUrl: "ftp://idp.example.com/j" }) }, "E011004", "JWKsUrl"],
			[{ tenantId: "acme", settings: oidc({ issuer: "not a url" }) }, "E011004", "issuer"],
			[{ tenantId: "acme", settings: oidc({ clientId: "" }) }, "E011002", "clientId"],
			[{ tenantId: "acme", settings: oidc({ issuer: "", discoveryUrl: "" }) }, "E011002", "issuer"],
			[
				{ tenantId: "acme", settings: oidc({ redirectUrl: "https://evil.example.com/" }) },
				"E011004",
				"redirectUrl",
			],
			[{ tenantId: "acme", settings: oidc({ grantType: "implicit" }) }, "E011004", "grantType"],
			[{ tenantId: "acme", settings: oidc({ prompt: ["always"] }) }, "E011004", "prompt"],
			[{ tenantId: "acme", settings: oidc(), domains: ["not a domain"] }, "E011004", "domains"],
			[{ tenantId: "acme", settings: oidc({ scope: ["open id"] }) }, "E011004", "scope"],
			[
				{ tenantId: "acme", settings: oidc({ userAttrMapping: { email: 5 } }) },
				"E011004",
				"userAttrMapping.email",
			],
		];
		for (const [body, code, field] of cases) {
			const res = await api.post("/v1/mgmt/sso/oidc", body);
			expect(res.status, `${field}: ${JSON.stringify(res.body)}`).toBe(400);
			expectDescopeError(res, 400, code, field);
		}
		expectDescopeError(
			await api.post("/v1/mgmt/sso/oidc", { tenantId: "nope", settings: oidc() }),
			404,
			"E011404",
			"nope",
		);
		expect(await rows(project.projectId)).toEqual([]);
		expect(await changeLog(project.projectId)).toEqual([]);
	});

	it("lets loopback http through only because IDP_ALLOW_LOOPBACK is true in tests", async () => {
		expect(env.IDP_ALLOW_LOOPBACK).toBe("true");
		const { api } = await world();
		const local = "http://127.0.0.1:9999";
		expectStatus(
			await api.post("/v1/mgmt/sso/oidc", {
				tenantId: "acme",
				settings: oidc({
					issuer: local,
					authUrl: `${local}/a`,
					tokenUrl: `${local}/t`,
					JWKsUrl: `${local}/j`,
				}),
			}),
			200,
		);
		expectDescopeError(
			await api.post("/v1/mgmt/sso/oidc", {
				tenantId: "acme",
				settings: oidc({ tokenUrl: "http://10.0.0.1/t" }),
			}),
			400,
			"E011004",
			"tokenUrl",
		);
	});

	it("refuses a domain another tenant's SSO already routes", async () => {
		const { api } = await world();
		expectStatus(
			await api.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: oidc(), domains: ["acme.com"] }),
			200,
		);
		expectDescopeError(
			await api.post("/v1/mgmt/sso/oidc", { tenantId: "globex", settings: oidc(), domains: ["acme.com"] }),
			409,
			"E011409",
			"acme.com",
		);
	});
});

describe("loadAllSettings, newSettings, deleteSettings", () => {
	it("answers {SSOSettings: [...]} with the default configuration first, [] for none", async () => {
		const { api } = await world();
		expect(expectStatus(await api.get("/v2/mgmt/sso/settings/all?tenantId=globex"), 200)).toEqual({
			SSOSettings: [],
		});
		expectStatus(
			await api.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: oidc({ name: "B" }), ssoId: "b" }),
			200,
		);
		expectStatus(
			await api.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: oidc({ name: "Default" }) }),
			200,
		);
		const all = expectStatus(await api.get("/v2/mgmt/sso/settings/all?tenantId=acme"), 200);
		expect(
			all.SSOSettings.map((s: { ssoId: string; oidc: { name: string } }) => [s.ssoId, s.oidc.name]),
		).toEqual([
			["", "Default"],
			["b", "B"],
		]);
		expect(all.SSOSettings[0].tenant.id).toBe("acme");
		expectDescopeError(await api.get("/v2/mgmt/sso/settings/all?tenantId=nope"), 404, "E011404");
	});

	it("newSettings creates an empty configuration once", async () => {
		const { api } = await world();
		const created = expectStatus(
			await api.post("/v1/mgmt/sso/settings/new", { tenantId: "acme", ssoId: "s1", displayName: "Corp" }),
			200,
		);
		expect(created).toMatchObject({
			ssoId: "s1",
			tenant: { id: "acme" },
			oidc: { name: "Corp", clientId: "", issuer: "" },
		});
		expect(created.oidc).not.toHaveProperty("clientSecret");
		expectDescopeError(
			await api.post("/v1/mgmt/sso/settings/new", { tenantId: "acme", ssoId: "s1", displayName: "Corp" }),
			409,
			"E011409",
		);
	});

	it("deleteSettings is an HTTP DELETE with the query; then the configuration is gone", async () => {
		const { project, api } = await world();
		expectStatus(
			await api.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: oidc(), domains: ["acme.com"] }),
			200,
		);
		expect(expectStatus(await api.delete("/v1/mgmt/sso/settings?tenantId=acme"), 200)).toEqual({});
		const loaded = expectStatus(await api.get("/v2/mgmt/sso/settings?tenantId=acme"), 200);
		expect(loaded).toMatchObject({ ssoId: "", tenant: { id: "acme" } });
		expect(loaded).not.toHaveProperty("oidc");
		expect(await rows(project.projectId)).toEqual([]);
		const domains = await env.DB.prepare("SELECT * FROM identity_provider_domains WHERE project_id = ?")
			.bind(project.projectId)
			.all();
		expect(domains.results).toEqual([]);
		expectDescopeError(await api.delete("/v1/mgmt/sso/settings?tenantId=acme"), 404, "E011404");
		expect((await changeLog(project.projectId)).map((e) => e.action)).toEqual([
			"identity_provider.created",
			"identity_provider.deleted",
		]);
	});
});

it("deleting a tenant deletes its SSO configurations and their domain routes, and records it", async () => {
	const { project, api } = await world();
	expectStatus(
		await api.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: oidc(), domains: ["acme.com"] }),
		200,
	);
	expectStatus(await api.post("/v1/mgmt/sso/oidc", { tenantId: "globex", settings: oidc() }), 200);
	const acmeId = (await rows(project.projectId)).find((r) => r.tenant_id === "acme")?.id;
	expectStatus(await api.post("/v1/mgmt/tenant/delete", { id: "acme" }), 200);
	expect((await rows(project.projectId)).map((r) => r.tenant_id)).toEqual(["globex"]);
	const domains = await env.DB.prepare("SELECT * FROM identity_provider_domains WHERE project_id = ?")
		.bind(project.projectId)
		.all();
	expect(domains.results).toEqual([]);
	const deleted = await env.DB.prepare(
		"SELECT target_id, tenant_id, data FROM change_log WHERE project_id = ? AND action = 'identity_provider.deleted'",
	)
		.bind(project.projectId)
		.all();
	expect(deleted.results).toEqual([
		{ target_id: acmeId, tenant_id: "acme", data: '{"cause":"tenant.deleted"}' },
	]);
	// The tenant can be created again, without the old configuration.
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "acme", name: "Tenant acme" }), 200);
	expect(expectStatus(await api.get("/v2/mgmt/sso/settings/all?tenantId=acme"), 200)).toEqual({
		SSOSettings: [],
	});
});

describe("configureSSORedirectURL and recalculateSSOMappings", () => {
	it("sets the landing URL only when it is on the project's allowlist; '' clears it", async () => {
		const { project, api } = await world([]);
		expectStatus(
			await api.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: oidc({ redirectUrl: "" }) }),
			200,
		);
		const other = "https://other.example.com/cb";
		expectDescopeError(
			await api.post("/v1/mgmt/sso/redirect", { tenantId: "acme", oauthRedirectUrl: other }),
			400,
			"E011004",
			"redirectUrl",
		);
		await allow(project, [other]);
		expectStatus(
			await api.post("/v1/mgmt/sso/redirect", { tenantId: "acme", oauthRedirectUrl: `${other}?x=1` }),
			200,
		);
		expect(expectStatus(await api.get("/v2/mgmt/sso/settings?tenantId=acme"), 200).oidc.redirectUrl).toBe(
			`${other}?x=1`,
		);
		expectStatus(await api.post("/v1/mgmt/sso/redirect", { tenantId: "acme", oauthRedirectUrl: "" }), 200);
		expect(expectStatus(await api.get("/v2/mgmt/sso/settings?tenantId=acme"), 200).oidc.redirectUrl).toBe("");
		expectDescopeError(
			await api.post("/v1/mgmt/sso/redirect", { tenantId: "acme", samlRedirectUrl: other }),
			400,
			"E011004",
			"SAML is not supported",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/sso/redirect", { tenantId: "globex", oauthRedirectUrl: other }),
			404,
			"E011404",
		);
	});

	it("recalculateSSOMappings answers {} for a configuration and 404 without one", async () => {
		const { api } = await world();
		expectDescopeError(
			await api.post("/v1/mgmt/sso/recalculate-mappings", { tenantId: "acme" }),
			404,
			"E011404",
		);
		expectStatus(await api.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: oidc() }), 200);
		expect(
			expectStatus(await api.post("/v1/mgmt/sso/recalculate-mappings", { tenantId: "acme" }), 200),
		).toEqual({});
	});
});

describe("SAML", () => {
	it("every SAML call answers 400 'SAML is not supported' and stores nothing", async () => {
		const { project, api } = await world();
		const saml = {
			tenantId: "acme",
			settings: { idpUrl: "https://idp/sso", idpCert: "CERT", entityId: "e" },
		};
		for (const res of [
			await api.post("/v1/mgmt/sso/saml", saml),
			await api.post("/v1/mgmt/sso/saml/metadata", {
				tenantId: "acme",
				settings: { idpMetadataUrl: "https://idp/m" },
			}),
			await api.get("/v1/mgmt/sso/settings?tenantId=acme"),
			await api.post("/v1/mgmt/sso/settings", {
				tenantId: "acme",
				idpURL: "https://idp",
				entityId: "e",
				idpCert: "c",
			}),
			await api.post("/v1/mgmt/sso/metadata", { tenantId: "acme", idpMetadataURL: "https://idp/m" }),
			await api.post("/v1/mgmt/sso/mapping", { tenantId: "acme", roleMappings: [] }),
		])
			expectDescopeError(res, 400, "E011004", "SAML is not supported");
		expect(await rows(project.projectId)).toEqual([]);
	});
});

describe("project-level OAuth providers", () => {
	const provider = (overrides: Record<string, unknown> = {}) => {
		const { name: _n, roleMappings: _r, ...rest } = oidc();
		return { name: "corp", displayName: "Corp IdP", ...rest, ...overrides };
	};

	it("creates, loads by id or name, updates by name (other fields kept), lists and deletes", async () => {
		const { project, api } = await world();
		const created = expectStatus(
			await api.post(
				"/v1/mgmt/oauth/provider",
				provider({ prefix: "corp-", trustEmail: true, allowedDomains: ["corp.com"] }),
			),
			200,
		).provider;
		expect(created).toMatchObject({
			id: expect.stringMatching(/^IDP/),
			name: "corp",
			displayName: "Corp IdP",
			clientId: "cid",
			prefix: "corp-",
			trustEmail: true,
			enabled: true,
			allowedDomains: ["corp.com"],
			hasClientSecret: true,
			callbackUrl: `http://roster.test/v1/auth/federation/${project.projectId}/callback`,
		});
		expect(JSON.stringify(created)).not.toContain("csec-plaintext");
		expect(expectStatus(await api.get(`/v1/mgmt/oauth/provider?id=${created.id}`), 200).provider).toEqual(
			created,
		);
		expect(expectStatus(await api.get("/v1/mgmt/oauth/provider?id=corp"), 200).provider.id).toBe(created.id);

		const updated = expectStatus(
			await api.post("/v1/mgmt/oauth/provider", { name: "corp", enabled: false }),
			200,
		).provider;
		expect(updated).toMatchObject({
			id: created.id,
			displayName: "Corp IdP",
			enabled: false,
			clientId: "cid",
			prefix: "corp-",
			hasClientSecret: true,
		});
		const renamed = expectStatus(
			await api.post("/v1/mgmt/oauth/provider", { id: created.id, name: "corp2" }),
			200,
		).provider;
		expect(renamed).toMatchObject({ id: created.id, name: "corp2" });

		const listed = expectStatus(await api.get("/v1/mgmt/oauth/provider/all"), 200);
		expect(listed.providers.map((p: { name: string }) => p.name)).toEqual(["corp2"]);
		expect(expectStatus(await api.delete("/v1/mgmt/oauth/provider?id=corp2"), 200)).toEqual({});
		expectDescopeError(await api.get(`/v1/mgmt/oauth/provider?id=${created.id}`), 404, "E011404");
		expectDescopeError(await api.delete(`/v1/mgmt/oauth/provider?id=${created.id}`), 404, "E011404");
		expect(await rows(project.projectId)).toEqual([]);
	});

	it("refuses a provider without a name, client id or issuer, or with a bad name", async () => {
		const { project, api } = await world();
		expectDescopeError(
			await api.post("/v1/mgmt/oauth/provider", provider({ name: undefined })),
			400,
			"E011002",
			"name",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/oauth/provider", provider({ name: "a b" })),
			400,
			"E011004",
			"name",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/oauth/provider", provider({ clientId: undefined })),
			400,
			"E011002",
			"clientId",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/oauth/provider", provider({ issuer: undefined })),
			400,
			"E011002",
			"issuer",
		);
		expectDescopeError(
			await api.post("/v1/mgmt/oauth/provider", { id: "IDPnone", name: "x" }),
			404,
			"E011404",
		);
		expect(await rows(project.projectId)).toEqual([]);
		const plain = expectStatus(
			await api.post("/v1/mgmt/oauth/provider", { name: "plain", clientId: "c", issuer: ISSUER }),
			200,
		).provider;
		expect(plain).toMatchObject({ name: "plain", displayName: "plain", hasClientSecret: false, scope: [] });
	});
});

describe("key scopes", () => {
	it("a tenant-bound key configures its own tenant's SSO, not another's, and no project-level provider", async () => {
		const { project, api } = await world();
		const bound = mgmt(await addManagementKey(project, { name: "acme only", tenantIds: ["acme"] }));
		expectStatus(await bound.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: oidc() }), 200);
		expect(expectStatus(await bound.get("/v2/mgmt/sso/settings?tenantId=acme"), 200).oidc.name).toBe("Okta");
		expectDescopeError(
			await bound.post("/v1/mgmt/sso/oidc", { tenantId: "globex", settings: oidc() }),
			404,
			"E011404",
		);
		expectDescopeError(await bound.get("/v2/mgmt/sso/settings/all?tenantId=globex"), 404, "E011404");
		expectDescopeError(
			await bound.post("/v1/mgmt/oauth/provider", { name: "corp", clientId: "c", issuer: ISSUER }),
			403,
			"E011403",
		);
		expectDescopeError(await bound.get("/v1/mgmt/oauth/provider/all"), 403, "E011403");
		expectStatus(
			await api.post("/v1/mgmt/oauth/provider", { name: "corp", clientId: "c", issuer: ISSUER }),
			200,
		);
		expectDescopeError(await bound.delete("/v1/mgmt/oauth/provider?id=corp"), 403, "E011403");
		expect(expectStatus(await bound.delete("/v1/mgmt/sso/settings?tenantId=acme"), 200)).toEqual({});
	});

	it("a read-only key reads but changes nothing", async () => {
		const { project, api } = await world();
		expectStatus(await api.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: oidc() }), 200);
		const readOnly = mgmt(await addManagementKey(project, { name: "ro", readOnly: true }));
		expectStatus(await readOnly.get("/v2/mgmt/sso/settings?tenantId=acme"), 200);
		expectDescopeError(
			await readOnly.post("/v1/mgmt/sso/oidc", { tenantId: "acme", settings: oidc() }),
			403,
			"E011403",
		);
		expectDescopeError(await readOnly.delete("/v1/mgmt/sso/settings?tenantId=acme"), 403, "E011403");
		expectDescopeError(
			await readOnly.post("/v1/mgmt/oauth/provider", { name: "x", clientId: "c", issuer: ISSUER }),
			403,
			"E011403",
		);
		expect(await rows(project.projectId)).toHaveLength(1);
	});
});

describe("operator allowedRedirectUrls", () => {
	it("stores validated absolute URLs and refuses the rest naming the entry", async () => {
		const project = await newProject("allowlist");
		const path = `/v1/operator/projects/${project.projectId}`;
		const patch = (urls: unknown) =>
			call("PATCH", path, { body: { allowedRedirectUrls: urls }, headers: operatorHeaders });
		const ok = expectStatus(await patch(["https://app.example.com/cb", "http://localhost:3000/cb"]), 200);
		expect(ok.project.allowedRedirectUrls).toEqual([
			"https://app.example.com/cb",
			"http://localhost:3000/cb",
		]);
		for (const [urls, field] of [
			[["http://app.example.com/cb"], "allowedRedirectUrls[0]"],
			[["https://a.example.com/", "/relative"], "allowedRedirectUrls[1]"],
			[["https://a.example.com/#frag"], "allowedRedirectUrls[0]"],
			[["https://user:pw@a.example.com/"], "allowedRedirectUrls[0]"],
			[Array.from({ length: 51 }, (_, i) => `https://a.example.com/${i}`), "allowedRedirectUrls"],
		] as const) {
			const res = await patch(urls);
			expect(res.status, JSON.stringify(res.body)).toBe(400);
			expect(JSON.stringify(res.body)).toContain(field);
		}
		expect(
			expectStatus(await call("GET", path, { headers: operatorHeaders }), 200).project.allowedRedirectUrls,
		).toEqual(["https://app.example.com/cb", "http://localhost:3000/cb"]);
	});
});

describe("OpenAPI document", () => {
	it("declares every SSO and OAuth provider route, the partner list too", async () => {
		const descope = expectStatus(await call("GET", "/v1/mgmt/openapi.json"), 200);
		for (const [path, method] of [
			["/v2/mgmt/sso/settings", "get"],
			["/v2/mgmt/sso/settings/all", "get"],
			["/v1/mgmt/sso/settings/new", "post"],
			["/v1/mgmt/sso/settings", "delete"],
			["/v1/mgmt/sso/settings", "get"],
			["/v1/mgmt/sso/oidc", "post"],
			["/v1/mgmt/sso/redirect", "post"],
			["/v1/mgmt/sso/recalculate-mappings", "post"],
			["/v1/mgmt/sso/saml", "post"],
			["/v1/mgmt/sso/saml/metadata", "post"],
			["/v1/mgmt/sso/mapping", "post"],
			["/v1/mgmt/oauth/provider", "post"],
			["/v1/mgmt/oauth/provider", "get"],
			["/v1/mgmt/oauth/provider", "delete"],
			["/v1/mgmt/oauth/provider/all", "get"],
		] as const)
			expect(descope.paths[path]?.[method], `${method} ${path}`).toBeDefined();
		expect(descope.components.schemas.SSOSettings).toBeDefined();
		expect(JSON.stringify(descope.components.schemas.SSOOIDCSettingsResponse)).not.toContain("clientSecret");
		const partner = expectStatus(await call("GET", "/api/partner/v1/openapi.json"), 200);
		expect(partner.paths["/api/partner/v1/identity-providers"]?.get).toBeDefined();
	});
});
