// Okta's SCIM 2.0 provisioning as Okta sends it (docs/scim.md, "Okta"), with a token bound to one
// tenant (the B2B setup): look-up by userName, create, profile push as PUT, deactivate and
// reactivate as a path-less PATCH, group push with member add and remove, delete; after each
// step, what SCIM and the Descope management API read back.
import { expect, it } from "vitest";
import { baseUrl } from "./harness.js";
import {
	expectPatched,
	expectScim,
	filterQuery,
	GROUP_SCHEMA,
	loadUser,
	PATCH_SCHEMA,
	resources,
	scim,
	tenantConnection,
	USER_SCHEMA,
} from "./scim-client.js";

/** What Okta's "Push New Users" sends (Okta's SCIM 2.0 reference, "Create the User"). */
const oktaUser = (userName: string, givenName: string, active = true) => ({
	schemas: [USER_SCHEMA],
	userName,
	name: { givenName, familyName: "Okta" },
	emails: [{ primary: true, value: userName, type: "work" }],
	displayName: `${givenName} Okta`,
	locale: "en-US",
	externalId: "00ujl29u0le5T6Aj10h7",
	groups: [],
	password: "Okta-sends-1-password",
	active,
});

const lookUp = (userName: string) => `${filterQuery(`userName eq "${userName}"`)}&startIndex=1&count=100`;

const setup = () => tenantConnection("scim-okta", "Okta customer", "okta-scim");

it("Okta's test connection: ServiceProviderConfig and one page of users", async () => {
	const { token } = await setup();
	const config = expectScim(await scim(token, "GET", "/ServiceProviderConfig"), 200, "ServiceProviderConfig");
	expect(config.patch?.supported, JSON.stringify(config)).toBe(true);
	expect(config.filter?.supported, JSON.stringify(config)).toBe(true);
	const page = expectScim(await scim(token, "GET", "/Users?startIndex=1&count=1"), 200, "GET /Users");
	expect(page).toMatchObject({ totalResults: 0, startIndex: 1, Resources: [] });
});

it("creates a user after looking them up, into the token's tenant, without the pushed password", async () => {
	const { project, tenantId, token } = await setup();
	const userName = "alice@okta.example.com";
	const none = expectScim(await scim(token, "GET", `/Users${lookUp(userName)}`), 200, "look-up");
	expect(none).toMatchObject({ totalResults: 0, startIndex: 1 });
	expect(resources(none)).toEqual([]);

	const created = await scim(token, "POST", "/Users", oktaUser(userName, "Alice"), {
		contentType: "application/json",
	});
	const user = expectScim(created, 201, "POST /Users");
	expect(user, created.text).toMatchObject({
		schemas: expect.arrayContaining([USER_SCHEMA]),
		id: expect.any(String),
		userName,
		active: true,
		name: { givenName: "Alice", familyName: "Okta" },
		meta: { resourceType: "User", location: `${baseUrl()}/scim/v2/Users/${user.id}` },
	});
	expect(user.password, created.text).toBeUndefined();
	expect(created.headers.get("location")).toBe(user.meta.location);

	const found = resources(expectScim(await scim(token, "GET", `/Users${lookUp(userName)}`), 200, "look-up"));
	expect(found.map((u) => u.id)).toEqual([user.id]);

	const loaded = await loadUser(project, user.id);
	expect(loaded.status, loaded.text).toBe(200);
	expect(loaded.user).toMatchObject({
		loginIds: [userName],
		email: userName,
		givenName: "Alice",
		familyName: "Okta",
		status: "enabled",
		password: false,
	});
	expect(loaded.user.userTenants.map((t: { tenantId: string }) => t.tenantId)).toEqual([tenantId]);
});

it("deactivates and reactivates with a path-less PATCH {active}; deactivation is what Descope reads too", async () => {
	const { project, token } = await setup();
	const user = expectScim(await scim(token, "POST", "/Users", oktaUser("bob@okta.example.com", "Bob")), 201);
	const deactivate = {
		schemas: [PATCH_SCHEMA],
		Operations: [{ op: "replace", value: { active: false } }],
	};
	expectPatched(await scim(token, "PATCH", `/Users/${user.id}`, deactivate), "deactivate");
	const off = expectScim(await scim(token, "GET", `/Users/${user.id}`), 200);
	expect(off.active).toBe(false);
	expect((await loadUser(project, user.id)).user.status).toBe("disabled");

	const reactivate = { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", value: { active: true } }] };
	expectPatched(await scim(token, "PATCH", `/Users/${user.id}`, reactivate), "reactivate");
	expect(expectScim(await scim(token, "GET", `/Users/${user.id}`), 200).active).toBe(true);
	expect((await loadUser(project, user.id)).user.status).toBe("enabled");
});

it("pushes profile updates as a full PUT: what the body leaves out is cleared", async () => {
	const { project, token } = await setup();
	const user = expectScim(
		await scim(token, "POST", "/Users", oktaUser("carol@okta.example.com", "Carol")),
		201,
	);
	const replaced = oktaUser("carol@okta.example.com", "Caroline");
	const { locale: _dropped, ...withoutLocale } = replaced;
	const put = await scim(token, "PUT", `/Users/${user.id}`, { ...withoutLocale, id: user.id });
	const body = expectScim(put, 200, "PUT /Users/{id}");
	expect(body.name).toMatchObject({ givenName: "Caroline", familyName: "Okta" });
	expect(body.locale, put.text).toBeUndefined();
	expect(body.meta.version).not.toBe(user.meta.version);
	expect((await loadUser(project, user.id)).user).toMatchObject({
		givenName: "Caroline",
		name: "Caroline Okta",
	});
});

it("pushes a group: create, add members, rename, remove a member, delete; roles follow in the tenant", async () => {
	const { project, tenantId, token } = await setup();
	const alice = expectScim(await scim(token, "POST", "/Users", oktaUser("a@okta.example.com", "A")), 201);
	const bea = expectScim(await scim(token, "POST", "/Users", oktaUser("b@okta.example.com", "B")), 201);

	const none = expectScim(
		await scim(token, "GET", `/Groups${filterQuery('displayName eq "Engineering"')}`),
		200,
	);
	expect(resources(none)).toEqual([]);
	const group = expectScim(
		await scim(token, "POST", "/Groups", {
			schemas: [GROUP_SCHEMA],
			displayName: "Engineering",
			members: [],
		}),
		201,
		"POST /Groups",
	);
	expect(group).toMatchObject({
		id: expect.any(String),
		displayName: "Engineering",
		meta: { resourceType: "Group" },
	});

	const add = {
		schemas: [PATCH_SCHEMA],
		Operations: [
			{
				op: "add",
				path: "members",
				value: [
					{ value: alice.id, display: alice.userName },
					{ value: bea.id, display: bea.userName },
				],
			},
		],
	};
	expectPatched(await scim(token, "PATCH", `/Groups/${group.id}`, add), "add members");
	const members = (g: any) => (g.members ?? []).map((m: { value: string }) => m.value).sort();
	expect(members(expectScim(await scim(token, "GET", `/Groups/${group.id}`), 200))).toEqual(
		[alice.id, bea.id].sort(),
	);
	const tenantRoles = async (userId: string) =>
		(await loadUser(project, userId)).user.userTenants.find(
			(t: { tenantId: string }) => t.tenantId === tenantId,
		)?.roleNames;
	expect(await tenantRoles(alice.id)).toEqual(["Engineering"]);

	// Okta renames with a path-less replace whose value carries the id too.
	const rename = {
		schemas: [PATCH_SCHEMA],
		Operations: [{ op: "replace", value: { id: group.id, displayName: "Platform" } }],
	};
	expectPatched(await scim(token, "PATCH", `/Groups/${group.id}`, rename), "rename");
	const renamed = resources(
		expectScim(await scim(token, "GET", `/Groups${filterQuery('displayName eq "Platform"')}`), 200),
	);
	expect(renamed.map((g) => g.id)).toEqual([group.id]);

	const remove = {
		schemas: [PATCH_SCHEMA],
		Operations: [{ op: "remove", path: `members[value eq "${alice.id}"]` }],
	};
	expectPatched(await scim(token, "PATCH", `/Groups/${group.id}`, remove), "remove member");
	expect(members(expectScim(await scim(token, "GET", `/Groups/${group.id}`), 200))).toEqual([bea.id]);
	expect(await tenantRoles(alice.id)).toEqual([]);
	expect(await tenantRoles(bea.id)).toEqual(["Platform"]);

	expect((await scim(token, "DELETE", `/Groups/${group.id}`)).status).toBe(204);
	expectScim(await scim(token, "GET", `/Groups/${group.id}`), 404);
	expect(await tenantRoles(bea.id)).toEqual([]);
});

it("deletes a user it created and that is in no other tenant: gone for Descope too", async () => {
	const { project, token } = await setup();
	const user = expectScim(await scim(token, "POST", "/Users", oktaUser("dan@okta.example.com", "Dan")), 201);
	const deleted = await scim(token, "DELETE", `/Users/${user.id}`);
	expect(deleted.status, deleted.text).toBe(204);
	expect(deleted.text).toBe("");
	const again = await scim(token, "GET", `/Users/${user.id}`);
	expect(again.body, again.text).toMatchObject({
		status: "404",
		schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
	});
	expect((await loadUser(project, user.id)).status).not.toBe(200);
});

it("answers a second create of the same userName, in any case, with 409 uniqueness", async () => {
	const { token } = await setup();
	expectScim(await scim(token, "POST", "/Users", oktaUser("erin@okta.example.com", "Erin")), 201);
	const dup = await scim(token, "POST", "/Users", oktaUser("ERIN@okta.example.com", "Erin"));
	expect(expectScim(dup, 409, "duplicate")).toMatchObject({ status: "409", scimType: "uniqueness" });
});

it("imports users page by page (Okta's Import): stable, complete pages of startIndex/count", async () => {
	const { token } = await setup();
	const made: string[] = [];
	for (const n of [1, 2, 3, 4, 5])
		made.push(
			expectScim(await scim(token, "POST", "/Users", oktaUser(`p${n}@okta.example.com`, `P${n}`)), 201).id,
		);
	const seen: string[] = [];
	for (const startIndex of [1, 3, 5]) {
		const page = expectScim(await scim(token, "GET", `/Users?startIndex=${startIndex}&count=2`), 200);
		expect(page, JSON.stringify(page)).toMatchObject({ totalResults: 5, startIndex });
		expect(page.itemsPerPage).toBe(page.Resources.length);
		seen.push(...resources(page).map((u) => u.id));
	}
	expect(seen.sort()).toEqual([...made].sort());
});
