// The official @descope/node-sdk against Roster: management.ssoApplication, OIDC applications
// (docs/descope-compat.md, "SSO applications").
import { expect, it } from "vitest";
import { expectError, expectOk, recordingFetch, sdkFor, setupProject, unique } from "./harness.js";

/** Every field of the SDK's SSOApplication type, with Roster's values for an OIDC application. */
function expectAppShape(app: any) {
	const message = JSON.stringify(app);
	expect(app, message).toMatchObject({
		id: expect.any(String),
		name: expect.any(String),
		description: expect.any(String),
		enabled: expect.any(Boolean),
		logo: expect.any(String),
		appType: "oidc",
		samlSettings: expect.any(Object),
		oidcSettings: {
			loginPageUrl: expect.any(String),
			issuer: expect.any(String),
			discoveryUrl: expect.any(String),
			forceAuthentication: expect.any(Boolean),
		},
	});
}

it("createOidcApplication answers {id}; load answers the application at the root", async () => {
	const { project } = await setupProject();
	const recorder = recordingFetch();
	const sdk = sdkFor(project, { fetch: recorder.fetch });
	const created = expectOk(
		await sdk.management.ssoApplication.createOidcApplication({
			name: "Wiki",
			loginPageUrl: "https://wiki.example.com/login",
			description: "The team wiki",
			logo: "https://wiki.example.com/logo.png",
			forceAuthentication: true,
		}),
	);
	expect(created, JSON.stringify(created)).toEqual({ id: expect.any(String) });
	expect(created.id.length).toBeGreaterThan(0);

	const app = expectOk(await sdk.management.ssoApplication.load(created.id));
	expectAppShape(app);
	expect(app).toMatchObject({
		id: created.id,
		name: "Wiki",
		description: "The team wiki",
		logo: "https://wiki.example.com/logo.png",
		// The SDK sends enabled: true when the caller does not say.
		enabled: true,
		oidcSettings: { loginPageUrl: "https://wiki.example.com/login", forceAuthentication: true },
	});
	const loadCall = recorder.calls.find((c) => c.url.includes("/v1/mgmt/sso/idp/app/load"));
	expect(loadCall?.method).toBe("GET");
	expect(JSON.parse(loadCall!.body).id).toBe(created.id);
});

it("createOidcApplication with the caller's id; a taken id is E011409", async () => {
	const { sdk } = await setupProject();
	const created = expectOk(
		await sdk.management.ssoApplication.createOidcApplication({
			id: "crm",
			name: "CRM",
			loginPageUrl: "https://crm.example.com",
			enabled: false,
		}),
	);
	expect(created.id).toBe("crm");
	expect(expectOk(await sdk.management.ssoApplication.load("crm"))).toMatchObject({
		id: "crm",
		name: "CRM",
		enabled: false,
		description: "",
		logo: "",
		oidcSettings: { loginPageUrl: "https://crm.example.com", forceAuthentication: false },
	});
	expectError(
		await sdk.management.ssoApplication.createOidcApplication({
			id: "crm",
			name: "Other",
			loginPageUrl: "https://other.example.com",
		}),
		"E011409",
	);
	expect(expectOk(await sdk.management.ssoApplication.load("crm")).name).toBe("CRM");
});

it("createOidcApplication refuses a missing name and a missing or relative loginPageUrl", async () => {
	const { sdk } = await setupProject();
	expectError(
		await sdk.management.ssoApplication.createOidcApplication({
			name: "",
			loginPageUrl: "https://x.example.com",
		}),
	);
	expectError(await sdk.management.ssoApplication.createOidcApplication({ name: "x", loginPageUrl: "" }));
	expectError(
		await sdk.management.ssoApplication.createOidcApplication({ name: "x", loginPageUrl: "/login" }),
		"E011004",
	);
	expect(expectOk(await sdk.management.ssoApplication.loadAll())).toEqual([]);
});

it("updateOidcApplication overwrites the application; an unknown id is E011404", async () => {
	const { sdk } = await setupProject();
	const { id } = expectOk(
		await sdk.management.ssoApplication.createOidcApplication({
			name: "Before",
			loginPageUrl: "https://before.example.com",
			description: "old",
			logo: "https://before.example.com/logo.png",
			forceAuthentication: true,
		}),
	);
	const res = await sdk.management.ssoApplication.updateOidcApplication({
		id,
		name: "After",
		loginPageUrl: "https://after.example.com/login",
		enabled: false,
	});
	expect(res.ok, JSON.stringify(res)).toBe(true);
	const app = expectOk(await sdk.management.ssoApplication.load(id));
	expectAppShape(app);
	expect(app).toMatchObject({
		id,
		name: "After",
		description: "",
		logo: "",
		enabled: false,
		oidcSettings: { loginPageUrl: "https://after.example.com/login", forceAuthentication: false },
	});
	expectError(
		await sdk.management.ssoApplication.updateOidcApplication({
			id: "missing",
			name: "x",
			loginPageUrl: "https://x.example.com",
		}),
		"E011404",
	);
});

it("loadAll answers every application of the project (data is the array)", async () => {
	const a = await setupProject();
	const b = await setupProject();
	expect(expectOk(await a.sdk.management.ssoApplication.loadAll())).toEqual([]);
	const ids: string[] = [];
	for (const name of ["One", "Two", "Three"]) {
		const res = await a.sdk.management.ssoApplication.createOidcApplication({
			name,
			loginPageUrl: `https://${name.toLowerCase()}.example.com`,
		});
		ids.push(expectOk(res).id);
	}
	const all = expectOk(await a.sdk.management.ssoApplication.loadAll());
	expect(all.map((app) => app.id).sort()).toEqual([...ids].sort());
	for (const app of all) expectAppShape(app);
	// Another project sees none of them.
	expect(expectOk(await b.sdk.management.ssoApplication.loadAll())).toEqual([]);
	expectError(await b.sdk.management.ssoApplication.load(ids[0]!), "E011404");
});

it("delete removes the application and users lose it; load then fails with E011404", async () => {
	const { sdk } = await setupProject();
	const { id } = expectOk(
		await sdk.management.ssoApplication.createOidcApplication({
			name: "Gone",
			loginPageUrl: "https://g.example.com",
		}),
	);
	const { id: kept } = expectOk(
		await sdk.management.ssoApplication.createOidcApplication({
			name: "Kept",
			loginPageUrl: "https://k.example.com",
		}),
	);
	const loginId = unique("app-user");
	const user = expectOk(await sdk.management.user.create(loginId, { ssoAppIds: [id, kept] }));
	expect([...(user as any).ssoAppIds].sort()).toEqual([id, kept].sort());

	const res = await sdk.management.ssoApplication.delete(id);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expectError(await sdk.management.ssoApplication.load(id), "E011404");
	expect(expectOk(await sdk.management.ssoApplication.loadAll()).map((app) => app.id)).toEqual([kept]);
	expect((expectOk(await sdk.management.user.load(loginId)) as any).ssoAppIds).toEqual([kept]);
});
