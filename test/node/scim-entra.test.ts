// Microsoft Entra ID's SCIM provisioning as Entra sends it (docs/scim.md, "Microsoft Entra ID"), with
// a token bound to one tenant (the B2B setup): look-ups by externalId and userName, create with the
// enterprise extension, "Replace"/"Add" ops with "False" strings, dotted keys and URN paths, group
// member removal by value array, deactivate (sessions end), reactivate, delete; after each step,
// what SCIM and the Descope management API read back.
import { expect, it } from "vitest";
import { baseUrl, PASSWORD } from "./harness.js";
import {
	ENTERPRISE_SCHEMA,
	expectPatched,
	expectScim,
	filterQuery,
	GROUP_SCHEMA,
	loadUser,
	mgmtCall,
	newTenant,
	PATCH_SCHEMA,
	resources,
	scim,
	tenantConnection,
	USER_SCHEMA,
} from "./scim-client.js";

/** What Entra's default attribute mappings send on create. */
const entraUser = (userName: string, objectId: string, extra: Record<string, unknown> = {}) => ({
	schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
	externalId: objectId,
	userName,
	active: true,
	displayName: "Alice Smith",
	title: "Engineer",
	emails: [{ primary: true, type: "work", value: userName }],
	meta: { resourceType: "User" },
	name: { formatted: "Alice Smith", familyName: "Smith", givenName: "Alice" },
	[ENTERPRISE_SCHEMA]: { department: "R&D", employeeNumber: "42" },
	...extra,
});

const patch = (...Operations: Record<string, unknown>[]) => ({ schemas: [PATCH_SCHEMA], Operations });

const setup = () => tenantConnection("scim-entra", "Contoso", "entra-scim");

async function create(token: string, userName: string, objectId = crypto.randomUUID(), extra = {}) {
	const res = await scim(token, "POST", "/Users", entraUser(userName, objectId, extra), {
		contentType: "application/json",
	});
	return expectScim(res, 201, `POST /Users ${userName}`);
}

it("Entra's test connection: a filter on a random userName is 200 with an empty list", async () => {
	const { token } = await setup();
	const query = filterQuery(`userName eq "${crypto.randomUUID()}"`);
	const page = expectScim(await scim(token, "GET", `/Users${query}`), 200, "test connection");
	expect(page).toMatchObject({ totalResults: 0, Resources: [] });
});

it("looks up by externalId (quoted and not), creates with the enterprise extension, finds it again", async () => {
	const { project, tenantId, token } = await setup();
	const objectId = crypto.randomUUID();
	for (const f of [`externalId eq "${objectId}"`, `externalId eq ${objectId}`])
		expect(resources(expectScim(await scim(token, "GET", `/Users${filterQuery(f)}`), 200, f))).toEqual([]);

	const user = await create(token, "alice@contoso.example", objectId);
	expect(user).toMatchObject({
		schemas: expect.arrayContaining([USER_SCHEMA, ENTERPRISE_SCHEMA]),
		externalId: objectId,
		userName: "alice@contoso.example",
		displayName: "Alice Smith",
		title: "Engineer",
		active: true,
		[ENTERPRISE_SCHEMA]: { department: "R&D", employeeNumber: "42" },
		meta: { resourceType: "User", location: `${baseUrl()}/scim/v2/Users/${user.id}` },
	});
	expect(user.meta.version).toMatch(/^W\/".+"$/);

	for (const f of [
		`externalId eq "${objectId}"`,
		`externalId eq ${objectId}`,
		'userName eq "ALICE@contoso.example"',
	]) {
		const found = resources(expectScim(await scim(token, "GET", `/Users${filterQuery(f)}`), 200, f));
		expect(
			found.map((u) => u.id),
			f,
		).toEqual([user.id]);
	}
	const loaded = (await loadUser(project, user.id)).user;
	expect(loaded).toMatchObject({
		loginIds: ["alice@contoso.example"],
		email: "alice@contoso.example",
		name: "Alice Smith",
		givenName: "Alice",
		familyName: "Smith",
		status: "enabled",
	});
	expect(loaded.userTenants.map((t: { tenantId: string }) => t.tenantId)).toEqual([tenantId]);
});

it("applies Entra's PATCH forms: 'Replace'/'Add', value paths, URN paths, dotted keys, a bare-string manager", async () => {
	const { project, token } = await setup();
	const manager = await create(token, "boss@contoso.example");
	const user = await create(token, "carol@contoso.example");
	const ops = patch(
		{ op: "Replace", path: "displayName", value: "Carol S." },
		{ op: "Replace", path: 'emails[type eq "work"].value', value: "carol.s@contoso.example" },
		{ op: "Add", path: `${ENTERPRISE_SCHEMA}:department`, value: "Sales" },
		{ op: "Add", path: `${ENTERPRISE_SCHEMA}:manager`, value: manager.id },
		{ op: "Replace", value: { "name.givenName": "Caro", "name.familyName": "Smyth", title: "Lead" } },
	);
	expectPatched(await scim(token, "PATCH", `/Users/${user.id}`, ops), "PATCH");
	const after = expectScim(await scim(token, "GET", `/Users/${user.id}`), 200);
	expect(after).toMatchObject({
		displayName: "Carol S.",
		title: "Lead",
		name: { givenName: "Caro", familyName: "Smyth" },
		[ENTERPRISE_SCHEMA]: { department: "Sales", manager: { value: manager.id } },
	});
	expect(after.emails.find((e: { type: string }) => e.type === "work")?.value).toBe(
		"carol.s@contoso.example",
	);
	expect(after.meta.version).not.toBe(user.meta.version);
	expect((await loadUser(project, user.id)).user).toMatchObject({
		name: "Carol S.",
		givenName: "Caro",
		familyName: "Smyth",
		email: "carol.s@contoso.example",
	});

	// The manager as {"value": …} and a PATCH that changes nothing: both fine, never a 400.
	const again = patch({ op: "Replace", path: `${ENTERPRISE_SCHEMA}:manager`, value: { value: manager.id } });
	expectPatched(await scim(token, "PATCH", `/Users/${user.id}`, again), "no-op PATCH");
	expectPatched(await scim(token, "PATCH", `/Users/${user.id}`, patch()), "empty PATCH");
});

it("adds phone numbers and address parts by value path, as Entra's default mappings do", async () => {
	const { token } = await setup();
	const user = await create(token, "ivy@contoso.example");
	const ops = patch(
		{ op: "Add", path: 'phoneNumbers[type eq "work"].value', value: "+14155550100" },
		{ op: "Add", path: 'phoneNumbers[type eq "mobile"].value', value: "+14155550101" },
		{ op: "Add", path: 'addresses[type eq "work"].streetAddress', value: "1 Main St" },
		{ op: "Add", path: 'addresses[type eq "work"].locality', value: "Redmond" },
		{ op: "Add", path: 'addresses[type eq "work"].country', value: "US" },
		{ op: "Replace", path: "name.formatted", value: "Ivy Smith" },
	);
	expectPatched(await scim(token, "PATCH", `/Users/${user.id}`, ops), "PATCH");
	const after = expectScim(await scim(token, "GET", `/Users/${user.id}`), 200);
	const phone = (type: string) => after.phoneNumbers?.find((p: { type: string }) => p.type === type)?.value;
	expect(phone("work"), JSON.stringify(after)).toBe("+14155550100");
	expect(phone("mobile"), JSON.stringify(after)).toBe("+14155550101");
	expect(after.addresses, JSON.stringify(after)).toEqual([
		expect.objectContaining({ type: "work", streetAddress: "1 Main St", locality: "Redmond", country: "US" }),
	]);
	expect(after.name.formatted).toBe("Ivy Smith");
});

it("deactivates with 'False' (the user's sessions end at once) and reactivates with 'True'", async () => {
	const { project, token } = await setup();
	const user = await create(token, "dave@contoso.example");
	// The user signs in to the application with a password an admin set.
	await mgmtCall(project, "/v1/mgmt/user/password/set/active", {
		loginId: user.userName,
		password: PASSWORD,
	});
	const signIn = await fetch(`${baseUrl()}/v1/auth/password/signin`, {
		method: "POST",
		headers: { authorization: `Bearer ${project.projectId}`, "content-type": "application/json" },
		body: JSON.stringify({ loginId: user.userName, password: PASSWORD }),
	});
	const session = await signIn.json();
	expect(signIn.status, JSON.stringify(session)).toBe(200);
	const refresh = () =>
		fetch(`${baseUrl()}/v1/auth/refresh`, {
			method: "POST",
			headers: {
				authorization: `Bearer ${project.projectId}:${session.refreshJwt}`,
				"content-type": "application/json",
			},
			body: "{}",
		});
	expect((await refresh()).status).toBe(200);

	expectPatched(
		await scim(token, "PATCH", `/Users/${user.id}`, patch({ op: "Replace", path: "active", value: "False" })),
		"deactivate",
	);
	expect(expectScim(await scim(token, "GET", `/Users/${user.id}`), 200).active).toBe(false);
	expect((await loadUser(project, user.id)).user.status).toBe("disabled");
	expect((await refresh()).status).toBe(401);

	expectPatched(
		await scim(token, "PATCH", `/Users/${user.id}`, patch({ op: "Replace", path: "active", value: "True" })),
		"reactivate",
	);
	expect(expectScim(await scim(token, "GET", `/Users/${user.id}`), 200).active).toBe(true);
	expect((await loadUser(project, user.id)).user.status).toBe("enabled");
	// The old session stays ended; a new sign-in works.
	expect((await refresh()).status).toBe(401);
});

it("manages a group: create, add members, remove one by a value array, rename, delete", async () => {
	const { project, tenantId, token } = await setup();
	const u1 = await create(token, "erin@contoso.example");
	const u2 = await create(token, "frank@contoso.example");
	const objectId = crypto.randomUUID();
	const group = expectScim(
		await scim(token, "POST", "/Groups", {
			schemas: [GROUP_SCHEMA],
			externalId: objectId,
			displayName: "Sales",
			members: [],
		}),
		201,
		"POST /Groups",
	);
	expect(group).toMatchObject({
		externalId: objectId,
		displayName: "Sales",
		meta: { resourceType: "Group" },
	});

	expectPatched(
		await scim(
			token,
			"PATCH",
			`/Groups/${group.id}`,
			patch({ op: "Add", path: "members", value: [{ value: u1.id }, { value: u2.id }] }),
		),
		"add members",
	);
	expectPatched(
		await scim(
			token,
			"PATCH",
			`/Groups/${group.id}`,
			patch({ op: "Remove", path: "members", value: [{ value: u1.id }] }),
		),
		"remove one member",
	);
	const read = expectScim(await scim(token, "GET", `/Groups/${group.id}`), 200);
	expect(read.members.map((m: { value: string }) => m.value)).toEqual([u2.id]);
	const roles = async (userId: string) =>
		(await loadUser(project, userId)).user.userTenants.find(
			(t: { tenantId: string }) => t.tenantId === tenantId,
		)?.roleNames;
	expect(await roles(u1.id)).toEqual([]);
	expect(await roles(u2.id)).toEqual(["Sales"]);

	// Entra's look-up before an update: by displayName, members left out.
	const query = `/Groups${filterQuery('displayName eq "Sales"')}&excludedAttributes=members`;
	const found = resources(expectScim(await scim(token, "GET", query), 200, query));
	expect(found.map((g) => g.id)).toEqual([group.id]);
	expect(found[0].members).toBeUndefined();

	expectPatched(
		await scim(
			token,
			"PATCH",
			`/Groups/${group.id}`,
			patch({ op: "Replace", path: "displayName", value: "Sales EMEA" }),
		),
		"rename",
	);
	expect(await roles(u2.id)).toEqual(["Sales EMEA"]);
	expect((await scim(token, "DELETE", `/Groups/${group.id}`)).status).toBe(204);
	expect(await roles(u2.id)).toEqual([]);
});

it("DELETE removes the user from the tenant; the user stays when they belong to another tenant", async () => {
	const { project, tenantId, token } = await setup();
	const only = await create(token, "gina@contoso.example");
	const shared = await create(token, "hank@contoso.example");
	const other = await newTenant(project, "Fabrikam");
	await mgmtCall(project, "/v1/mgmt/user/update/tenant/add", { loginId: shared.userName, tenantId: other });

	expect((await scim(token, "DELETE", `/Users/${only.id}`)).status).toBe(204);
	expect((await loadUser(project, only.id)).status).not.toBe(200);

	expect((await scim(token, "DELETE", `/Users/${shared.id}`)).status).toBe(204);
	expectScim(await scim(token, "GET", `/Users/${shared.id}`), 404);
	const kept = (await loadUser(project, shared.id)).user;
	expect(kept.userTenants.map((t: { tenantId: string }) => t.tenantId)).toEqual([other]);
	expect(kept.userTenants.map((t: { tenantId: string }) => t.tenantId)).not.toContain(tenantId);
});

it("never shows or changes a user of another tenant, whatever ids it sends", async () => {
	const { project, token } = await setup();
	const other = await newTenant(project, "Elsewhere");
	const outsider = await mgmtCall(project, "/v1/mgmt/user/create", {
		loginId: "outsider@elsewhere.example",
		userTenants: [{ tenantId: other }],
	});
	const id = outsider.user.userId as string;
	const before = (await loadUser(project, id)).user;
	expectScim(await scim(token, "GET", `/Users/${id}`), 404);
	expectScim(
		await scim(token, "PATCH", `/Users/${id}`, patch({ op: "Replace", path: "active", value: "False" })),
		404,
	);
	expectScim(await scim(token, "DELETE", `/Users/${id}`), 404);
	const list = expectScim(
		await scim(token, "GET", `/Users${filterQuery('userName eq "outsider@elsewhere.example"')}`),
		200,
	);
	expect(resources(list)).toEqual([]);
	// Taking the login id over by creating it again is refused too.
	expectScim(
		await scim(token, "POST", "/Users", entraUser("outsider@elsewhere.example", crypto.randomUUID())),
		409,
	);
	const after = (await loadUser(project, id)).user;
	expect({ status: after.status, userTenants: after.userTenants }).toEqual({
		status: before.status,
		userTenants: before.userTenants,
	});
});
