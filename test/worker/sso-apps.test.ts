// SSO application registry (SDK `management.ssoApplication`): OIDC create, update, load (the app
// is the whole body), load all, delete.
import { describe, expect, it } from "vitest";
import {
	createUser,
	expectDescopeError,
	expectStatus,
	loadUser,
	type Mgmt,
	mgmt,
	newProject,
} from "./harness";

const APP = "/v1/mgmt/sso/idp/app";
const LOGIN = "https://acme.example.com/login";

/** The exact SSOApplication object for an OIDC app, with Roster's defaults. */
function wireApp(overrides: Record<string, unknown> = {}, oidc: Record<string, unknown> = {}) {
	return {
		id: expect.any(String),
		name: expect.any(String),
		description: "",
		enabled: true,
		logo: "",
		appType: "oidc",
		samlSettings: {},
		oidcSettings: { loginPageUrl: LOGIN, issuer: "", discoveryUrl: "", forceAuthentication: false, ...oidc },
		...overrides,
	};
}

const createApp = async (api: Mgmt, body: Record<string, unknown>): Promise<string> =>
	expectStatus(await api.post(`${APP}/oidc/create`, { loginPageUrl: LOGIN, ...body }), 200).id;
const loadRes = (api: Mgmt, id: string) => api.get(`${APP}/load?id=${encodeURIComponent(id)}`);
const loadApp = async (api: Mgmt, id: string) => expectStatus(await loadRes(api, id), 200);
const allApps = async (api: Mgmt) =>
	expectStatus(await api.get("/v1/mgmt/sso/idp/apps/load"), 200).apps as any[];
const newApi = async () => mgmt(await newProject());

describe("POST /v1/mgmt/sso/idp/app/oidc/create", () => {
	it("creates an app with a generated id and answers only {id}", async () => {
		const api = await newApi();
		const body = expectStatus(
			await api.post(`${APP}/oidc/create`, { name: "Wiki", loginPageUrl: LOGIN }),
			200,
		);
		expect(Object.keys(body)).toEqual(["id"]);
		expect(body.id).toMatch(/^[A-Za-z0-9_.-]{8,100}$/);
		expect(await loadApp(api, body.id)).toEqual(wireApp({ id: body.id, name: "Wiki" }));
	});

	it("keeps the caller's id and every field (the SDK sends enabled: true by default)", async () => {
		const api = await newApi();
		const id = await createApp(api, {
			id: "wiki",
			name: "Wiki",
			description: "Team wiki",
			logo: "https://acme.example.com/logo.png",
			enabled: false,
			forceAuthentication: true,
		});
		expect(id).toBe("wiki");
		expect(await loadApp(api, "wiki")).toEqual(
			wireApp(
				{
					id: "wiki",
					name: "Wiki",
					description: "Team wiki",
					logo: "https://acme.example.com/logo.png",
					enabled: false,
				},
				{ forceAuthentication: true },
			),
		);
	});

	it("refuses a duplicate id with 409, leaving the first app as it was", async () => {
		const api = await newApi();
		await createApp(api, { id: "wiki", name: "Wiki" });
		expectDescopeError(
			await api.post(`${APP}/oidc/create`, {
				id: "wiki",
				name: "Other",
				loginPageUrl: "https://other.example.com",
			}),
			409,
			"E011409",
			"wiki",
		);
		expect(await allApps(api)).toEqual([wireApp({ id: "wiki", name: "Wiki" })]);
	});

	it("lets two projects use the same app id", async () => {
		const a = await newApi();
		const b = await newApi();
		await createApp(a, { id: "wiki", name: "Wiki A" });
		await createApp(b, { id: "wiki", name: "Wiki B" });
		expect((await loadApp(a, "wiki")).name).toBe("Wiki A");
		expect((await loadApp(b, "wiki")).name).toBe("Wiki B");
	});

	it.each([
		[{ name: "W", loginPageUrl: "not a url" }, 400, "E011004", "loginPageUrl"],
		[{ name: "W", loginPageUrl: "/relative/login" }, 400, "E011004", "loginPageUrl"],
		[{ name: "W", loginPageUrl: 42 }, 400, "E011004", "loginPageUrl"],
		[{ name: "W" }, 400, "E011002", "loginPageUrl"],
		[{ name: "W", loginPageUrl: "" }, 400, "E011002", "loginPageUrl"],
		[{ loginPageUrl: LOGIN }, 400, "E011002", "name"],
		[{ name: " ", loginPageUrl: LOGIN }, 400, "E011002", "name"],
		[{ id: "has space", name: "W", loginPageUrl: LOGIN }, 400, "E011004", "id"],
		[{ name: "W", loginPageUrl: LOGIN, enabled: "yes" }, 400, "E011004", "enabled"],
	])("rejects %j with %i %s naming %s, creating nothing", async (body, status, code, field) => {
		const api = await newApi();
		expectDescopeError(await api.post(`${APP}/oidc/create`, body), status, code, field);
		expect(await allApps(api)).toEqual([]);
	});

	// A login page URL is where users are sent; only http(s) makes sense there.
	it.each(["javascript:alert(1)", "data:text/html,hi"])(
		"rejects the non-web loginPageUrl %s with 400 naming loginPageUrl",
		async (loginPageUrl) => {
			const api = await newApi();
			expectDescopeError(
				await api.post(`${APP}/oidc/create`, { name: "W", loginPageUrl }),
				400,
				"E011004",
				"loginPageUrl",
			);
			expect(await allApps(api)).toEqual([]);
		},
	);
});

describe("POST /v1/mgmt/sso/idp/app/oidc/update", () => {
	it("overwrites the app; absent fields go back to their defaults", async () => {
		const api = await newApi();
		await createApp(api, {
			id: "wiki",
			name: "Wiki",
			description: "d",
			logo: "https://l",
			enabled: false,
			forceAuthentication: true,
		});
		expect(
			expectStatus(
				await api.post(`${APP}/oidc/update`, {
					id: "wiki",
					name: "Wiki 2",
					loginPageUrl: "https://wiki.example.com/sso",
				}),
				200,
			),
		).toEqual({});
		expect(await loadApp(api, "wiki")).toEqual(
			wireApp({ id: "wiki", name: "Wiki 2" }, { loginPageUrl: "https://wiki.example.com/sso" }),
		);
	});

	it("sets every field given", async () => {
		const api = await newApi();
		await createApp(api, { id: "wiki", name: "Wiki" });
		expectStatus(
			await api.post(`${APP}/oidc/update`, {
				id: "wiki",
				name: "W",
				loginPageUrl: LOGIN,
				description: "D",
				logo: "https://logo",
				enabled: false,
				forceAuthentication: true,
			}),
			200,
		);
		expect(await loadApp(api, "wiki")).toEqual(
			wireApp(
				{ id: "wiki", name: "W", description: "D", logo: "https://logo", enabled: false },
				{ forceAuthentication: true },
			),
		);
	});

	it("answers 404 for an unknown app (or another project's) and 400 for a bad URL, changing nothing", async () => {
		const a = await newApi();
		const b = await newApi();
		await createApp(a, { id: "wiki", name: "Wiki" });
		expectDescopeError(
			await a.post(`${APP}/oidc/update`, { id: "nope", name: "X", loginPageUrl: LOGIN }),
			404,
			"E011404",
		);
		expectDescopeError(
			await b.post(`${APP}/oidc/update`, { id: "wiki", name: "Hijacked", loginPageUrl: LOGIN }),
			404,
			"E011404",
		);
		expectDescopeError(
			await a.post(`${APP}/oidc/update`, { id: "wiki", name: "X", loginPageUrl: "nope" }),
			400,
			"E011004",
			"loginPageUrl",
		);
		expectDescopeError(
			await a.post(`${APP}/oidc/update`, { name: "X", loginPageUrl: LOGIN }),
			400,
			"E011002",
			"id",
		);
		expect(await loadApp(a, "wiki")).toEqual(wireApp({ id: "wiki", name: "Wiki" }));
	});
});

describe("GET /v1/mgmt/sso/idp/app/load and /v1/mgmt/sso/idp/apps/load", () => {
	it("returns the app at the root of the body, with every SSOApplication field", async () => {
		const api = await newApi();
		await createApp(api, { id: "wiki", name: "Wiki" });
		const body = await loadApp(api, "wiki");
		expect(Object.keys(body).sort()).toEqual(Object.keys(wireApp()).sort());
		expect(body).toEqual(wireApp({ id: "wiki", name: "Wiki" }));
	});

	it("answers 404 for an unknown app or another project's, 400 without an id", async () => {
		const a = await newApi();
		const b = await newApi();
		await createApp(a, { id: "wiki", name: "Wiki" });
		expectDescopeError(await loadRes(a, "nope"), 404, "E011404");
		expectDescopeError(await loadRes(b, "wiki"), 404, "E011404");
		expectDescopeError(await a.get(`${APP}/load`), 400, "E011002", "id");
	});

	it("loads every app in creation order, and {apps: []} for none", async () => {
		const api = await newApi();
		expect(expectStatus(await api.get("/v1/mgmt/sso/idp/apps/load"), 200)).toEqual({ apps: [] });
		await createApp(api, { id: "zeta", name: "Z" });
		await createApp(api, { id: "alpha", name: "A", enabled: false });
		expect(await allApps(api)).toEqual([
			wireApp({ id: "zeta", name: "Z" }),
			wireApp({ id: "alpha", name: "A", enabled: false }),
		]);
		expect(await allApps(await newApi())).toEqual([]);
	});
});

describe("POST /v1/mgmt/sso/idp/app/delete", () => {
	it("deletes the app and takes it away from every user", async () => {
		const api = await newApi();
		await createApp(api, { id: "wiki", name: "Wiki" });
		await createApp(api, { id: "mail", name: "Mail" });
		await createUser(api, { loginId: "alice", ssoAppIds: ["wiki", "mail"] });
		await createUser(api, { loginId: "bob", ssoAppIds: ["wiki"] });
		expect(expectStatus(await api.post(`${APP}/delete`, { id: "wiki" }), 200)).toEqual({});
		expectDescopeError(await loadRes(api, "wiki"), 404, "E011404");
		expect((await allApps(api)).map((a) => a.id)).toEqual(["mail"]);
		expect((await loadUser(api, "alice")).ssoAppIds).toEqual(["mail"]);
		expect((await loadUser(api, "bob")).ssoAppIds).toEqual([]);
		// The id is free again, and a new app of that id starts with no users.
		await createApp(api, { id: "wiki", name: "Wiki again" });
		expect((await loadUser(api, "bob")).ssoAppIds).toEqual([]);
	});

	it("cannot delete another project's app; a missing id is 400", async () => {
		const a = await newApi();
		const b = await newApi();
		await createApp(a, { id: "wiki", name: "Wiki" });
		await createUser(a, { loginId: "alice", ssoAppIds: ["wiki"] });
		await b.post(`${APP}/delete`, { id: "wiki" });
		expect(await loadApp(a, "wiki")).toEqual(wireApp({ id: "wiki", name: "Wiki" }));
		expect((await loadUser(a, "alice")).ssoAppIds).toEqual(["wiki"]);
		expectDescopeError(await a.post(`${APP}/delete`, {}), 400, "E011002", "id");
	});
});
