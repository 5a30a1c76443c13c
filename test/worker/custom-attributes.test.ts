// Descope custom attribute definitions (`management.user.createCustomAttributes` and friends, docs/descope-compat.md).
import { describe, expect, it } from "vitest";
import {
	createUser,
	defineAttributes,
	expectDescopeError,
	expectStatus,
	loadUser,
	type Mgmt,
	mgmt,
	newProject,
	rawPost,
	search,
} from "./harness";

const LIST = "/v1/mgmt/user/customattributes";
const CREATE = "/v1/mgmt/user/customattribute/create";
const DELETE = "/v1/mgmt/user/customattribute/delete";

const def = (name: string, type: number, extra: Record<string, unknown> = {}) => ({
	name,
	type,
	displayName: name,
	options: [],
	defaultValue: null,
	...extra,
});

const list = async (api: Mgmt) => expectStatus(await api.get(LIST), 200);
const byName = (body: { data: { name: string }[]; total: string }) => ({
	...body,
	data: [...body.data].sort((a, b) => a.name.localeCompare(b.name)),
});

describe("GET /v1/mgmt/user/customattributes", () => {
	it("answers an empty list with total as an int64 string", async () => {
		const api = mgmt(await newProject());
		expect(await list(api)).toEqual({ data: [], total: "0" });
	});

	it("lists only the project's own definitions", async () => {
		const api = mgmt(await newProject());
		const other = mgmt(await newProject());
		await defineAttributes(other, { theirs: 1 });
		expect(await list(api)).toEqual({ data: [], total: "0" });
	});
});

describe("POST /v1/mgmt/user/customattribute/create", () => {
	it("creates one attribute of each type 1-6 and answers the full list", async () => {
		const api = mgmt(await newProject());
		const res = await api.post(CREATE, {
			attributes: [
				{ name: "s", type: 1, displayName: "String" },
				{ name: "n", type: 2, displayName: "Number", defaultValue: 3 },
				{ name: "b", type: 3, displayName: "Boolean" },
				{
					name: "pick",
					type: 4,
					displayName: "Pick",
					options: [{ value: "r", label: "Red" }, { value: "g" }],
				},
				{ name: "arr", type: 5, displayName: "Array", options: [{ value: "x", label: "X" }] },
				{ name: "d", type: 6, displayName: "Date" },
			],
		});
		const expected = {
			data: [
				def("s", 1, { displayName: "String" }),
				def("n", 2, { displayName: "Number", defaultValue: 3 }),
				def("b", 3, { displayName: "Boolean" }),
				def("pick", 4, {
					displayName: "Pick",
					options: [
						{ value: "r", label: "Red" },
						{ value: "g", label: "g" },
					],
				}),
				def("arr", 5, { displayName: "Array", options: [{ value: "x", label: "X" }] }),
				def("d", 6, { displayName: "Date" }),
			],
			total: "6",
		};
		// Attributes created together share a creation time and are then listed by name.
		expect(byName(expectStatus(res, 200))).toEqual(byName(expected));
		expect(byName(await list(api))).toEqual(byName(expected));
	});

	it("accepts type names (as other SDKs send) case-insensitively, and numeric strings", async () => {
		const api = mgmt(await newProject());
		const names: [string, number][] = [
			["string", 1],
			["Text", 1],
			["number", 2],
			["numeric", 2],
			["BOOLEAN", 3],
			["singleSelect", 4],
			["array", 5],
			["multiSelect", 5],
			["date", 6],
			["2", 2],
		];
		const res = await api.post(CREATE, { attributes: names.map(([type], i) => ({ name: `a${i}`, type })) });
		expect(expectStatus(res, 200).data.map((d: any) => d.type)).toEqual(names.map(([, type]) => type));
	});

	it("defaults the display name to the name", async () => {
		const api = mgmt(await newProject());
		const res = await api.post(CREATE, { attributes: [{ name: "plain", type: 1 }] });
		expect(expectStatus(res, 200)).toEqual({ data: [def("plain", 1)], total: "1" });
	});

	it("appends to the existing definitions and redefines an existing name in place", async () => {
		const api = mgmt(await newProject());
		await defineAttributes(api, { first: 1, second: 2 });
		const res = await api.post(CREATE, {
			attributes: [
				{ name: "third", type: 3, displayName: "Third" },
				{ name: "first", type: 4, displayName: "First!", options: [{ value: "a", label: "A" }] },
			],
		});
		const expected = {
			data: [
				def("first", 4, { displayName: "First!", options: [{ value: "a", label: "A" }] }),
				def("second", 2),
				def("third", 3, { displayName: "Third" }),
			],
			total: "3",
		};
		expect(expectStatus(res, 200)).toEqual(expected);
		expect(await list(api)).toEqual(expected);
		// The new definition is the one enforced.
		expectDescopeError(
			await api.post("/v1/mgmt/user/create", { loginId: "u", customAttributes: { first: "b" } }),
			400,
			"E011004",
			"customAttributes.first",
		);
		expect(
			(await createUser(api, { loginId: "u", customAttributes: { first: "a" } })).customAttributes,
		).toEqual({
			first: "a",
		});
	});

	it("rejects bad definitions and creates none of the request's attributes", async () => {
		const project = await newProject();
		const api = mgmt(project);
		await defineAttributes(api, { existing: 1 });
		const before = await list(api);
		const ok = { name: "fine", type: 1 };
		const cases: [unknown, string, string][] = [
			[[ok, { name: "bad", type: 7 }], "E011004", "attributes[1].type"],
			[[ok, { name: "bad", type: "colour" }], "E011004", "attributes[1].type"],
			[[ok, { name: "bad", type: 0 }], "E011004", "attributes[1].type"],
			[[ok, { name: "bad", type: 1.5 }], "E011004", "attributes.1.type"],
			[[ok, { name: "bad", type: true }], "E011004", "attributes.1.type"],
			[[ok, { name: "1abc", type: 1 }], "E011004", "attributes[1].name"],
			[[ok, { name: "a b", type: 1 }], "E011004", "attributes[1].name"],
			[[ok, { name: 'a"b', type: 1 }], "E011004", "attributes[1].name"],
			[[ok, { name: "", type: 1 }], "E011004", "attributes[1].name"],
			[[ok, { name: "x".repeat(101), type: 1 }], "E011004", "attributes[1].name"],
			[[ok, { name: "fine", type: 2 }], "E011004", "attributes[1].name"],
			[[ok, { name: 5, type: 1 }], "E011004", "attributes.1.name"],
			[[ok, { type: 1 }], "E011002", "attributes.1.name"],
			[[ok, { name: "bad", type: 4, options: "a,b" }], "E011004", "attributes.1.options"],
			[[], "E011004", "attributes"],
			["fine", "E011004", "attributes"],
		];
		for (const [attributes, code, field] of cases) {
			const res = await api.post(CREATE, { attributes });
			expectDescopeError(res, 400, code, field);
		}
		expectDescopeError(await api.post(CREATE, {}), 400, "E011002", "attributes");
		expectDescopeError(
			await rawPost(project, CREATE, '{"attributes":[{"name":"x","type":1}'),
			400,
			"E011001",
		);
		expect(await list(api)).toEqual(before);
	});

	it("creates 50 attributes in one request", async () => {
		const api = mgmt(await newProject());
		const attributes = Array.from({ length: 50 }, (_, i) => ({
			name: `a${String(i).padStart(2, "0")}`,
			type: 1,
		}));
		const res = await api.post(CREATE, { attributes });
		expect(expectStatus(res, 200).total).toBe("50");
		expect((await list(api)).data.map((d: any) => d.name)).toEqual(attributes.map((a) => a.name));
	});

	it("answers E011004 for more than 500 attributes in one request and creates none", async () => {
		const api = mgmt(await newProject());
		const attributes = Array.from({ length: 501 }, (_, i) => ({ name: `a${i}`, type: 1 }));
		expectDescopeError(await api.post(CREATE, { attributes }), 400, "E011004", "attributes");
		expect(await list(api)).toEqual({ data: [], total: "0" });
	});

	it("answers E011002 when an attribute's type is missing", async () => {
		const api = mgmt(await newProject());
		expectDescopeError(await api.post(CREATE, { attributes: [{ name: "x" }] }), 400, "E011002", "type");
		expect(await list(api)).toEqual({ data: [], total: "0" });
	});
});

describe("POST /v1/mgmt/user/customattribute/delete", () => {
	it("deletes definitions and answers the remaining list", async () => {
		const api = mgmt(await newProject());
		await defineAttributes(api, { a: 1, b: 2, c: 3 });
		const res = await api.post(DELETE, { names: ["a", "c", "never-defined"] });
		expect(expectStatus(res, 200)).toEqual({ data: [def("b", 2)], total: "1" });
		expect(await list(api)).toEqual({ data: [def("b", 2)], total: "1" });
		expect(expectStatus(await api.post(DELETE, { names: ["a"] }), 200)).toEqual({
			data: [def("b", 2)],
			total: "1",
		});
	});

	it("removes the values from every user and from search, keeping the other attributes", async () => {
		const api = mgmt(await newProject());
		await defineAttributes(api, { dept: 1, tags: 5, vip: 3, age: 2 });
		const a = await createUser(api, {
			loginId: "a",
			customAttributes: { dept: "eng", tags: ["x", "y"], vip: true, age: 3 },
		});
		const b = await createUser(api, { loginId: "b", customAttributes: { dept: "ops", tags: [] } });
		const c = await createUser(api, { loginId: "c", customAttributes: { age: 9 } });
		expectStatus(await api.post(DELETE, { names: ["dept", "tags", "vip"] }), 200);
		expect(await loadUser(api, "a")).toEqual({ ...a, customAttributes: { age: 3 } });
		expect(await loadUser(api, "b")).toEqual({ ...b, customAttributes: {} });
		expect(await loadUser(api, "c")).toEqual(c);
		for (const customAttributes of [{ dept: "eng" }, { dept: "ops" }, { tags: "x" }, { vip: true }]) {
			expect((await search(api, { customAttributes })).total, JSON.stringify(customAttributes)).toBe(0);
		}
		expect((await search(api, { customAttributes: { age: [3, 9] } })).loginIds).toEqual(["a", "c"]);
		// Defining the attribute again does not bring old values back.
		await defineAttributes(api, { dept: 1 });
		expect((await search(api, { customAttributes: { dept: "eng" } })).total).toBe(0);
		expect((await loadUser(api, "a")).customAttributes).toEqual({ age: 3 });
	});

	it("makes the attribute undeclared: setting it afterwards is rejected", async () => {
		const api = mgmt(await newProject());
		await defineAttributes(api, { dept: 1 });
		const user = await createUser(api, { loginId: "a" });
		expectStatus(await api.post(DELETE, { names: ["dept"] }), 200);
		expectDescopeError(
			await api.post("/v1/mgmt/user/update/customAttribute", {
				loginId: "a",
				attributeKey: "dept",
				attributeValue: "x",
			}),
			400,
			"E011004",
			"dept",
		);
		expect(await loadUser(api, "a")).toEqual(user);
	});

	it("leaves another project's attributes and values alone", async () => {
		const api = mgmt(await newProject());
		const other = mgmt(await newProject());
		await defineAttributes(api, { dept: 1 });
		await defineAttributes(other, { dept: 1 });
		await createUser(other, { loginId: "o", customAttributes: { dept: "eng" } });
		expectStatus(await api.post(DELETE, { names: ["dept"] }), 200);
		expect((await list(other)).total).toBe("1");
		expect((await loadUser(other, "o")).customAttributes).toEqual({ dept: "eng" });
		expect((await search(other, { customAttributes: { dept: "eng" } })).total).toBe(1);
	});

	it("deletes 50 names in one request and answers E011004 for more", async () => {
		const api = mgmt(await newProject());
		await defineAttributes(api, { keep: 1, gone: 1 });
		const unknown = Array.from({ length: 50 }, (_, i) => `unknown${i}`);
		expectDescopeError(await api.post(DELETE, { names: ["gone", ...unknown] }), 400, "E011004", "names");
		expect((await list(api)).total).toBe("2");
		const names = ["gone", ...unknown.slice(1)];
		expect(expectStatus(await api.post(DELETE, { names }), 200)).toEqual({
			data: [def("keep", 1)],
			total: "1",
		});
	});

	it("rejects a missing, empty or mistyped names list without deleting anything", async () => {
		const project = await newProject();
		const api = mgmt(project);
		await defineAttributes(api, { dept: 1 });
		const before = await list(api);
		expectDescopeError(await api.post(DELETE, {}), 400, "E011002", "names");
		expectDescopeError(await api.post(DELETE, { names: [] }), 400, "E011004", "names");
		expectDescopeError(await api.post(DELETE, { names: "dept" }), 400, "E011004", "names");
		expectDescopeError(await api.post(DELETE, { names: [1] }), 400, "E011004", "names");
		expectDescopeError(await rawPost(project, DELETE, '{"names":["dept"'), 400, "E011001");
		expect(await list(api)).toEqual(before);
	});
});
