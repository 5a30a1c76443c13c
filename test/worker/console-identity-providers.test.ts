// The console's identity-provider page (docs/federation.md): every provider with its kind, tenant,
// state and the project's callback URL, read through the partner API.
import { expect, it } from "vitest";
import { call, expectStatus, mgmt, newProject, operatorHeaders } from "./harness";
import { page, signIn } from "./support/console";

it("lists tenant SSO and project-level providers with kind, tenant, state and the callback URL", async () => {
	const project = await newProject("console-idp");
	const api = mgmt(project);
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id: "acme", name: "Acme" }), 200);
	expectStatus(
		await call("PATCH", `/v1/operator/projects/${project.projectId}`, {
			body: { allowedRedirectUrls: ["https://app.example.com/cb"] },
			headers: operatorHeaders,
		}),
		200,
	);
	const issuer = "https://idp.example.com";
	expectStatus(
		await api.post("/v1/mgmt/sso/oidc", {
			tenantId: "acme",
			settings: { name: "Acme Okta", clientId: "c", issuer },
		}),
		200,
	);
	expectStatus(
		await api.post("/v1/mgmt/oauth/provider", {
			name: "corp",
			displayName: "Corp login",
			clientId: "c2",
			clientSecret: "never-shown",
			issuer,
			enabled: false,
			prefix: "corp-",
		}),
		200,
	);
	const cookie = await signIn(project);
	const res = await page("/console/identity-providers", { headers: { cookie } });
	expect(res.status, res.html).toBe(200);
	const callback = `http://roster.test/v1/auth/federation/${project.projectId}/callback`;
	expect(res.html).toContain(callback);
	expect(res.html).toContain('href="/console/identity-providers"');
	const rows = res.html.split("<tr>").slice(2);
	expect(rows).toHaveLength(2);
	const acme = rows.find((r) => r.includes("Acme Okta")) ?? "";
	expect(acme).toContain("tenant SSO (OIDC)");
	expect(acme).toContain('href="/console/tenants/acme"');
	expect(acme).toContain("enabled");
	const corp = rows.find((r) => r.includes("Corp login")) ?? "";
	expect(corp).toContain("OAuth provider (OIDC)");
	expect(corp).toContain("<code>corp-</code>");
	expect(corp).toContain("disabled");
	expect(res.html).not.toContain("never-shown");
});

it("says how to add one when there is none", async () => {
	const project = await newProject("console-idp-empty");
	const cookie = await signIn(project);
	const res = await page("/console/identity-providers", { headers: { cookie } });
	expect(res.status, res.html).toBe(200);
	expect(res.html).toContain("No identity providers.");
});
