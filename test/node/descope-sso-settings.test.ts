// The official @descope/node-sdk against Roster: management.sso (docs/descope-compat.md, "SSO"):
// every OIDC function, its data exactly as the SDK returns it, and the SAML calls refused.
import { expect, it } from "vitest";
import { APP, loadedOidc, OIDC_SETTINGS } from "../support/oidc-settings.js";
import { baseUrl, configureProject, createTenant, expectError, expectOk, setupProject } from "./harness.js";

/** How the SDK spells the attribute mapping (it sends it as userAttrMapping and renames it back). */
const attributeMapping = {
	loginId: "sub",
	email: "mail",
	name: "nm",
	group: "groups",
	customAttributes: { dept: "department" },
};
const prompt: ("login" | "consent")[] = ["login", "consent"];

const settings = { ...OIDC_SETTINGS, prompt, attributeMapping };

/** What loadSettings' `oidc` holds for `settings`: `attributeMapping` (the SDK renamed it back), no secret. */
const expectedOidc = (projectId: string) =>
	loadedOidc({ prompt, attributeMapping }, `${baseUrl()}/v1/auth/federation/${projectId}/callback`);

async function world() {
	const { project, sdk } = await setupProject();
	await configureProject(project, { allowedRedirectUrls: [APP] });
	const tenantId = await createTenant(sdk);
	return { project, sdk, tenantId };
}

it("configureOIDCSettings then loadSettings: the SDK's SSOSettings with oidc.attributeMapping and no secret", async () => {
	const { project, sdk, tenantId } = await world();
	// The SDK sends attributeMapping as userAttrMapping; the load below shows Roster read it.
	expect(expectOk(await sdk.management.sso.configureOIDCSettings(tenantId, settings, ["acme.com"]))).toEqual(
		{},
	);

	const loaded = expectOk(await sdk.management.sso.loadSettings(tenantId));
	expect(loaded.ssoId).toBe("");
	expect(loaded.tenant).toMatchObject({ id: tenantId, authType: "oidc", domains: ["acme.com"] });
	expect(loaded.oidc).toEqual(expectedOidc(project.projectId));
	expect(loaded).not.toHaveProperty("saml");
	expect(JSON.stringify(loaded)).not.toContain("csec-plaintext");
});

it("loadAllSettings answers every configuration of the tenant, [] when none", async () => {
	const { project, sdk, tenantId } = await world();
	expect(expectOk(await sdk.management.sso.loadAllSettings(tenantId))).toEqual([]);
	expectOk(await sdk.management.sso.configureOIDCSettings(tenantId, settings));
	expectOk(
		await sdk.management.sso.configureOIDCSettings(tenantId, { ...settings, name: "Second" }, [], "second"),
	);
	const all = expectOk(await sdk.management.sso.loadAllSettings(tenantId));
	expect(all.map((s) => [s.ssoId, s.oidc?.name])).toEqual([
		["", "Okta"],
		["second", "Second"],
	]);
	expect(all[0]?.oidc).toEqual(expectedOidc(project.projectId));
	expect(expectOk(await sdk.management.sso.loadSettings(tenantId, "second")).oidc?.name).toBe("Second");
});

it("newSettings answers the new, empty configuration; twice is E011409", async () => {
	const { sdk, tenantId } = await world();
	const created = expectOk(await sdk.management.sso.newSettings(tenantId, "corp", "Corp SSO"));
	expect(created).toMatchObject({
		ssoId: "corp",
		tenant: { id: tenantId },
		oidc: { name: "Corp SSO", clientId: "" },
	});
	expect(created.oidc).toHaveProperty("attributeMapping", {});
	expectError(await sdk.management.sso.newSettings(tenantId, "corp", "Corp SSO"), "E011409");
});

it("configureSSORedirectURL sets the landing URL; recalculateSSOMappings answers {}", async () => {
	const { sdk, tenantId } = await world();
	expectOk(await sdk.management.sso.configureOIDCSettings(tenantId, { ...settings, redirectUrl: "" }));
	expect(expectOk(await sdk.management.sso.configureSSORedirectURL(tenantId, undefined, APP))).toEqual({});
	expect(expectOk(await sdk.management.sso.loadSettings(tenantId)).oidc?.redirectUrl).toBe(APP);
	const refused = expectError(
		await sdk.management.sso.configureSSORedirectURL(tenantId, undefined, "https://evil.example.com/"),
		"E011004",
	);
	expect(refused.errorMessage).toContain("redirectUrl");
	expect(expectOk(await sdk.management.sso.recalculateSSOMappings(tenantId))).toEqual({});
});

it("deleteSettings removes the configuration", async () => {
	const { sdk, tenantId } = await world();
	expectOk(await sdk.management.sso.configureOIDCSettings(tenantId, settings, [], "one"));
	expect(expectOk(await sdk.management.sso.deleteSettings(tenantId, "one"))).toEqual({});
	expect(expectOk(await sdk.management.sso.loadAllSettings(tenantId))).toEqual([]);
	expectError(await sdk.management.sso.deleteSettings(tenantId, "one"), "E011404");
});

it("bad settings and unknown tenants are refused with the field named", async () => {
	const { sdk, tenantId } = await world();
	const http = expectError(
		await sdk.management.sso.configureOIDCSettings(tenantId, {
			...settings,
			tokenUrl: "http://idp.example.com/t",
		}),
		"E011004",
	);
	expect(http.errorMessage).toContain("tokenUrl");
	expectError(await sdk.management.sso.loadSettings("no-such-tenant"), "E011404");
	expectError(await sdk.management.sso.configureOIDCSettings("no-such-tenant", settings), "E011404");
});

it("every SAML call answers 400 'SAML is not supported'", async () => {
	const { sdk, tenantId } = await world();
	const sso = sdk.management.sso;
	for (const res of [
		await sso.configureSAMLSettings(
			tenantId,
			{ idpUrl: "https://idp/sso", idpCert: "CERT", entityId: "e" },
			APP,
		),
		await sso.configureSAMLByMetadata(tenantId, { idpMetadataUrl: "https://idp/metadata" }),
		await sso.getSettings(tenantId),
		await sso.configureSettings(tenantId, "https://idp", "CERT", "e", APP, []),
		await sso.configureMetadata(tenantId, "https://idp/metadata", APP, []),
		await sso.configureMapping(tenantId, [{ groups: ["g"], roleName: "admin" }]),
		await sso.configureSSORedirectURL(tenantId, APP),
	]) {
		expect(res.code).toBe(400);
		expect(expectError(res, "E011004").errorMessage).toContain("SAML is not supported");
	}
	expect(expectOk(await sso.loadAllSettings(tenantId))).toEqual([]);
});
