// SCIM PATCH on Users (RFC 7644 §3.5.2; src/api/scim/patch.ts) through real HTTP: add, replace and
// remove with and without a path, value paths, dotted keys in a pathless value, enterprise URN
// paths, manager as a bare id, and what Entra and Okta send (capitalised ops, "True"/"False").
import { describe, expect, it } from "vitest";
import {
	CORE,
	ENTERPRISE,
	is,
	PATCH_OP,
	patchOp,
	type ScimClient,
	scimError,
	setup,
	userRow,
} from "./support/scim";

const user = async (api: ScimClient, extra: Record<string, unknown> = {}) =>
	is(
		await api.post("/Users", {
			schemas: [CORE, ENTERPRISE],
			userName: "pat@example.com",
			displayName: "Pat Doe",
			name: { givenName: "Pat", familyName: "Doe" },
			emails: [{ value: "pat@example.com", type: "work", primary: true }],
			...extra,
		}),
		201,
	);

const patch = async (api: ScimClient, id: string, ...ops: unknown[]) =>
	api.patch(`/Users/${id}`, patchOp(...ops));

describe("PATCH /Users/{id}: what IdPs send", () => {
	it("Entra's capitalised ops: Replace, Add, Remove", async () => {
		const { api } = await setup();
		const { id } = await user(api);
		const res = await patch(
			api,
			id,
			{ op: "Replace", path: "displayName", value: "Patricia" },
			{ op: "Add", path: "title", value: "Engineer" },
			{ op: "Remove", path: "name.familyName" },
		);
		const body = is(res, 200);
		expect(body).toMatchObject({ displayName: "Patricia", title: "Engineer", name: { givenName: "Pat" } });
		expect(body.name.familyName).toBeUndefined();
		expect(res.headers.get("content-type")).toContain("application/scim+json");
		expect(res.headers.get("etag")).toBe(body.meta.version);
		expect(await userRow(id)).toMatchObject({ name: "Patricia" });
	});

	it("replace without a path: dotted keys and Okta's {active: false}", async () => {
		const { api } = await setup();
		const { id } = await user(api);
		const dotted = is(
			await patch(api, id, {
				op: "replace",
				value: { "name.givenName": "Patty", "name.familyName": "Roe", nickName: "P" },
			}),
			200,
		);
		expect(dotted).toMatchObject({ name: { givenName: "Patty", familyName: "Roe" }, nickName: "P" });
		const okta = is(await patch(api, id, { op: "replace", value: { active: false } }), 200);
		expect(okta.active).toBe(false);
		expect((await userRow(id))?.status).toBe("disabled");
		const entra = is(await patch(api, id, { op: "Replace", value: { active: "True" } }), 200);
		expect(entra.active).toBe(true);
	});

	it("enterprise URN paths, a URN key in a pathless value, and removal", async () => {
		const { api } = await setup();
		const { id } = await user(api);
		const viaPath = is(
			await patch(api, id, { op: "Add", path: `${ENTERPRISE}:department`, value: "Sales" }),
			200,
		);
		expect(viaPath[ENTERPRISE]).toEqual({ department: "Sales" });
		expect(viaPath.schemas).toEqual([CORE, ENTERPRISE]);
		const pathless = is(
			await patch(api, id, {
				op: "replace",
				value: { [ENTERPRISE]: { costCenter: "CC-1" }, [`${ENTERPRISE}:division`]: "North" },
			}),
			200,
		);
		expect(pathless[ENTERPRISE]).toEqual({ department: "Sales", costCenter: "CC-1", division: "North" });
		const removed = is(
			await patch(
				api,
				id,
				{ op: "remove", path: `${ENTERPRISE}:department` },
				{ op: "remove", path: `${ENTERPRISE}:costCenter` },
				{ op: "remove", path: `${ENTERPRISE}:division` },
			),
			200,
		);
		expect(removed[ENTERPRISE]).toBeUndefined();
		expect(removed.schemas).toEqual([CORE]);
	});

	it("manager as a bare id and as {value}; removing it", async () => {
		const { api } = await setup();
		const { id } = await user(api);
		const bare = is(
			await patch(api, id, { op: "Replace", path: `${ENTERPRISE}:manager`, value: "M-1" }),
			200,
		);
		expect(bare[ENTERPRISE]).toEqual({ manager: { value: "M-1" } });
		const object = is(
			await patch(api, id, {
				op: "replace",
				path: `${ENTERPRISE}:manager`,
				value: { value: "M-2", displayName: "Boss" },
			}),
			200,
		);
		expect(object[ENTERPRISE]).toEqual({ manager: { value: "M-2" } });
		const sub = is(
			await patch(api, id, { op: "replace", path: `${ENTERPRISE}:manager.value`, value: "M-3" }),
			200,
		);
		expect(sub[ENTERPRISE]).toEqual({ manager: { value: "M-3" } });
		const gone = is(await patch(api, id, { op: "remove", path: `${ENTERPRISE}:manager` }), 200);
		expect(gone[ENTERPRISE]).toBeUndefined();
		const posted = is(
			await api.post("/Users", { userName: "managed", [ENTERPRISE]: { manager: "M-9" } }),
			201,
		);
		expect(posted[ENTERPRISE]).toEqual({ manager: { value: "M-9" } });
	});

	it('emails[type eq "work"].value replace changes the email; on a user with none it adds one', async () => {
		const { api } = await setup();
		const { id } = await user(api);
		const res = is(
			await patch(api, id, {
				op: "Replace",
				path: 'emails[type eq "work"].value',
				value: "pat.new@example.com",
			}),
			200,
		);
		expect(res.emails).toEqual([{ value: "pat.new@example.com", type: "work", primary: true }]);
		expect((await userRow(id))?.email).toBe("pat.new@example.com");
		const bare = is(await api.post("/Users", { userName: "no-email" }), 201);
		const added = is(
			await patch(api, bare.id, {
				op: "replace",
				path: 'emails[type eq "work"].value',
				value: "first@example.com",
			}),
			200,
		);
		expect(added.emails).toEqual([{ value: "first@example.com", type: "work", primary: true }]);
		expect((await userRow(bare.id))?.email).toBe("first@example.com");
	});

	it("add to a multi-valued attribute appends; remove with a value filter takes those only", async () => {
		const { api } = await setup();
		const { id } = await user(api);
		const added = is(
			await patch(api, id, {
				op: "add",
				path: "emails",
				value: [{ value: "pat@home.example", type: "home" }],
			}),
			200,
		);
		expect(added.emails).toEqual([
			{ value: "pat@example.com", type: "work", primary: true },
			{ value: "pat@home.example", type: "home" },
		]);
		const removed = is(await patch(api, id, { op: "remove", path: 'emails[type eq "home"]' }), 200);
		expect(removed.emails).toEqual([{ value: "pat@example.com", type: "work", primary: true }]);
		const viaValue = is(
			await patch(api, id, {
				op: "remove",
				path: "emails",
				value: [{ value: "PAT@example.com" }],
			}),
			200,
		);
		expect(viaValue.emails).toBeUndefined();
		expect((await userRow(id))?.email).toBeNull();
	});

	it("userName: replace renames the login id (Entra's validator), another user's in any case is 409", async () => {
		const { api } = await setup();
		const { id } = await user(api);
		is(await api.post("/Users", { userName: "Taken.Name" }), 201);
		const renamed = is(await patch(api, id, { op: "Replace", path: "userName", value: "newusername" }), 200);
		expect(renamed.userName).toBe("newusername");
		expect(JSON.parse(String((await userRow(id))?.login_ids))).toEqual(["newusername"]);
		const clash = await patch(api, id, { op: "replace", path: "userName", value: "taken.name" });
		scimError(clash, 409, "uniqueness");
		scimError(await patch(api, id, { op: "remove", path: "userName" }), 400, "invalidValue", "userName");
		expect(is(await api.get(`/Users/${id}`), 200).userName).toBe("newusername");
	});

	it("a no-op PATCH answers 200 with the resource and changes nothing, not even the version", async () => {
		const { api } = await setup();
		const created = await user(api);
		const same = await patch(api, created.id, { op: "replace", path: "displayName", value: "Pat Doe" });
		expect(is(same, 200)).toEqual(created);
		const empty = await patch(api, created.id);
		expect(is(empty, 200)).toEqual(created);
		const readOnly = await patch(api, created.id, { op: "replace", path: "id", value: "U-other" });
		expect(is(readOnly, 200)).toEqual(created);
	});

	it("If-Match: a stale version is 412 invalidVers; the current one applies", async () => {
		const { api } = await setup();
		const created = await user(api);
		const op = { op: "replace", path: "title", value: "CTO" };
		scimError(
			await api.patch(`/Users/${created.id}`, patchOp(op), { "if-match": 'W/"0"' }),
			412,
			"invalidVers",
		);
		const ok = await api.patch(`/Users/${created.id}`, patchOp(op), { "if-match": created.meta.version });
		expect(is(ok, 200).title).toBe("CTO");
		scimError(
			await api.patch(`/Users/${created.id}`, patchOp(op), { "if-match": created.meta.version }),
			412,
		);
	});

	it("refuses malformed operations with 400 naming what is wrong, and unknown ids with 404", async () => {
		const { api } = await setup();
		const { id } = await user(api);
		scimError(await patch(api, id, { op: "remove" }), 400, "noTarget", "Operations[0]");
		scimError(
			await patch(api, id, { op: "move", path: "title", value: "x" }),
			400,
			"invalidValue",
			"Operations[0].op",
		);
		scimError(await patch(api, id, { op: "add", path: "title[", value: "x" }), 400, "invalidPath");
		scimError(
			await patch(api, id, { op: "replace", value: "not an object" }),
			400,
			"invalidValue",
			"Operations[0].value",
		);
		scimError(
			await patch(api, id, { op: "replace", path: "active", value: "sometimes" }),
			400,
			"invalidValue",
			"active",
		);
		scimError(
			await patch(api, id, { op: "replace", path: "title", value: { a: 1 } }),
			400,
			"invalidValue",
			"title",
		);
		scimError(await api.patch(`/Users/${id}`, { schemas: [PATCH_OP] }), 400, "invalidSyntax", "Operations");
		scimError(
			await patch(api, "U0000000000000000000000000000", { op: "replace", path: "title", value: "x" }),
			404,
		);
		expect(is(await api.get(`/Users/${id}`), 200).title).toBeUndefined();
	});
});
