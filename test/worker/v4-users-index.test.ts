// REST v4 GET /users: cursor pagination, filters, sort, sparse fieldsets, include, meta.total and bad parameters.
import { describe, expect, it } from "vitest";
import { mgmt, newProject } from "./harness";
import { createV4, expectErrors, expectStatus, V4, type V4Client, v4 } from "./v4-harness";

const ids = (body: any) => body.data.map((u: any) => u.id);
const path = (link: string) => link.replace("http://roster.test", "");

/** Follows links.next from `first` and returns every id seen, page by page. */
async function walk(api: V4Client, first: string) {
	const pages: string[][] = [];
	let next: string | null = first;
	while (next) {
		const body: any = expectStatus(await api.get(path(next)), 200);
		pages.push(ids(body));
		next = body.links.next;
		if (pages.length > 50) throw new Error("pagination does not end");
	}
	return pages;
}

async function seed(api: V4Client, n: number, attrs: (i: number) => Record<string, unknown> = () => ({})) {
	const out: any[] = [];
	for (let i = 0; i < n; i++) {
		out.push(await createV4(api, { external_id: `u${i}`, ...attrs(i) }));
		// Distinct creation times, so "oldest first" has one answer.
		await new Promise((resolve) => setTimeout(resolve, 3));
	}
	return out;
}

describe("GET /users: pagination", () => {
	it("default: every user, oldest first, 50 per page, no next link", async () => {
		const p = await newProject();
		const api = v4(p);
		const users = await seed(api, 3);
		const body = expectStatus(await api.get(`${V4}/users`), 200);
		expect(ids(body)).toEqual(users.map((u) => u.id));
		expect(body.links).toEqual({
			self: `http://roster.test${V4}/users`,
			first: `http://roster.test${V4}/users`,
			prev: null,
			next: null,
		});
		expect(body.meta).toEqual({ page: { size: 50 } });
	});

	it("walks every page forward with links.next and back with links.prev", async () => {
		const p = await newProject();
		const api = v4(p);
		const users = await seed(api, 7);
		const pages = await walk(api, `${V4}/users?page[size]=3`);
		expect(pages).toEqual([
			users.slice(0, 3).map((u) => u.id),
			users.slice(3, 6).map((u) => u.id),
			users.slice(6).map((u) => u.id),
		]);

		const firstPage = expectStatus(await api.get(`${V4}/users?page[size]=3`), 200);
		const second = expectStatus(await api.get(path(firstPage.links.next)), 200);
		expect(second.links.next).toContain("page%5Bafter%5D=");
		const back = expectStatus(await api.get(path(second.links.prev)), 200);
		expect(ids(back)).toEqual(ids(firstPage));
		expect(back.links.prev).toBe(null);
		expect(ids(expectStatus(await api.get(path(back.links.next)), 200))).toEqual(ids(second));
	});

	it("pages stay stable when users are added before the cursor", async () => {
		const p = await newProject();
		const api = v4(p);
		const users = await seed(api, 4);
		const first = expectStatus(await api.get(`${V4}/users?page[size]=2&sort=-created`), 200);
		await new Promise((resolve) => setTimeout(resolve, 3));
		await createV4(api, { external_id: "newest" });
		const second = expectStatus(await api.get(path(first.links.next)), 200);
		expect(ids(second)).toEqual([users[1].id, users[0].id]);
	});

	it("page[total]=true adds meta.total, the count of every match", async () => {
		const p = await newProject();
		const api = v4(p);
		await seed(api, 5, (i) =>
			i % 2 ? { registration_information: { registration_state: "REGISTERED" } } : {},
		);
		const body = expectStatus(
			await api.get(`${V4}/users?page[size]=1&page[total]=true&filter[registration_state]=UNREGISTERED`),
			200,
		);
		expect(body.meta).toEqual({ page: { size: 1 }, total: 3 });
		expect(body.links.next).toContain("page%5Btotal%5D=true");
	});

	it.each([
		["page[size]=0", "page[size]"],
		["page[size]=501", "page[size]"],
		["page[size]=abc", "page[size]"],
		["page[size]=-1", "page[size]"],
		["page[after]=garbage!", "page[after]"],
		["page[after]=bm90LWpzb24", "page[after]"],
		["page[before]=e30", "page[before]"],
		["page[total]=yes", "page[total]"],
		[`filter[email]=${Array.from({ length: 11 }, (_, i) => `e${i}@example.com`).join(",")}`, "filter[email]"],
		["filter[email]=,", "filter[email]"],
		["filter[name]=%20", "filter[name]"],
	])("%s is a 400 naming %s", async (query, parameter) => {
		const p = await newProject();
		expectErrors(await v4(p).get(`${V4}/users?${query}`), 400, [{ status: "400", source: { parameter } }]);
	});

	it("a cursor is bound to its sort, and after with before is refused", async () => {
		const p = await newProject();
		const api = v4(p);
		await seed(api, 3);
		const first = expectStatus(await api.get(`${V4}/users?page[size]=1&sort=name`), 200);
		const cursor = new URL(first.links.next).searchParams.get("page[after]");
		expectErrors(await api.get(`${V4}/users?page[after]=${cursor}&sort=-name`), 400, [
			{
				code: "invalid_cursor",
				source: { parameter: "page[after]" },
				detail: expect.stringContaining("sort=name"),
			},
		]);
		expectErrors(await api.get(`${V4}/users?page[after]=${cursor}&page[before]=${cursor}&sort=name`), 400, [
			{ code: "range_pagination_not_supported" },
		]);
	});
});

describe("GET /users: sort", () => {
	it("sorts by name, nulls first ascending and last descending, across pages", async () => {
		const p = await newProject();
		const api = v4(p);
		const names = ["delta", null, "alpha", "charlie", null, "bravo", "alpha"];
		const users = await seed(api, names.length, (i) => (names[i] ? { name: names[i] } : {}));
		const expected = users
			.map((u, i) => ({ id: u.id, name: names[i] ?? null }))
			.sort((a, b) =>
				a.name === b.name
					? a.id < b.id
						? -1
						: 1
					: a.name === null
						? -1
						: b.name === null
							? 1
							: a.name < b.name
								? -1
								: 1,
			)
			.map((u) => u.id);
		expect((await walk(api, `${V4}/users?sort=name&page[size]=2`)).flat()).toEqual(expected);
		const desc = (await walk(api, `${V4}/users?sort=-name&page[size]=3`)).flat();
		// Descending: names from delta to alpha (ids ascending within a name), then the nameless.
		expect(desc.slice(0, 5).map((id) => names[users.findIndex((u) => u.id === id)])).toEqual([
			"delta",
			"charlie",
			"bravo",
			"alpha",
			"alpha",
		]);
		expect(desc.slice(5).every((id) => names[users.findIndex((u) => u.id === id)] === null)).toBe(true);
		expect(new Set(desc).size).toBe(names.length);
	});

	it("-registration_time,name: registered newest first, then the unregistered by name", async () => {
		const p = await newProject();
		const api = v4(p);
		const a = await createV4(api, { external_id: "a", name: "Zed" });
		const b = await createV4(api, { external_id: "b", name: "Amy" });
		const c = await createV4(api, {
			external_id: "c",
			name: "Reg",
			registration_information: { registration_state: "REGISTERED" },
		});
		const pages = await walk(api, `${V4}/users?sort=-registration_time,name&page[size]=1`);
		expect(pages.flat()).toEqual([c.id, b.id, a.id]);
	});

	it("sorts by email case-insensitively and walks backwards from the end", async () => {
		const p = await newProject();
		const api = v4(p);
		const emails = ["b@example.com", "A@example.com", "c@example.com"];
		const users = await seed(api, 3, (i) => ({ contact_details: { email: emails[i] } }));
		const pages = await walk(api, `${V4}/users?sort=email&page[size]=2`);
		expect(pages.flat()).toEqual([users[1].id, users[0].id, users[2].id]);
		const last = expectStatus(await api.get(`${V4}/users?sort=email&page[size]=2`), 200);
		const end = expectStatus(await api.get(path(last.links.next)), 200);
		const before = expectStatus(await api.get(path(end.links.prev)), 200);
		expect(ids(before)).toEqual([users[1].id, users[0].id]);
	});

	it.each(["password", "-", "name,name", "created,,name"])("sort=%s is a 400", async (sort) => {
		const p = await newProject();
		expectErrors(await v4(p).get(`${V4}/users?sort=${sort}`), 400, [{ source: { parameter: "sort" } }]);
	});
});

describe("GET /users: filters", () => {
	it("filter[email] (any of, case-insensitive) and filter[external_id]", async () => {
		const p = await newProject();
		const api = v4(p);
		const users = await seed(api, 3, (i) => ({ contact_details: { email: `f${i}@example.com` } }));
		const byEmail = expectStatus(
			await api.get(`${V4}/users?filter[email]=F0@example.com,f2@example.com`),
			200,
		);
		expect(ids(byEmail)).toEqual([users[0].id, users[2].id]);
		const byCid = expectStatus(await api.get(`${V4}/users?filter[external_id]=u1`), 200);
		expect(ids(byCid)).toEqual([users[1].id]);
	});

	it("filter[registration_state]", async () => {
		const p = await newProject();
		const api = v4(p);
		const users = await seed(api, 3, (i) =>
			i === 1 ? { registration_information: { registration_state: "REGISTERED" } } : {},
		);
		// A user disabled through the Descope dialect is REGISTERED too.
		expectStatus(await mgmt(p).post("/v1/mgmt/user/create", { loginId: "off", status: "disabled" }), 200);
		const registered = expectStatus(await api.get(`${V4}/users?filter[registration_state]=REGISTERED`), 200);
		expect(ids(registered)).toHaveLength(2);
		expect(ids(registered)[0]).toBe(users[1].id);
		const unregistered = expectStatus(
			await api.get(`${V4}/users?filter[registration_state]=UNREGISTERED`),
			200,
		);
		expect(ids(unregistered)).toEqual([users[0].id, users[2].id]);
		expectErrors(await api.get(`${V4}/users?filter[registration_state]=MAYBE`), 400, [
			{ source: { parameter: "filter[registration_state]" } },
		]);
	});

	it("filter[user_flags]: users holding every flag listed", async () => {
		const p = await newProject();
		const api = v4(p);
		const users = await seed(api, 3, (i) => ({
			user_flags: [["BETA_FEATURES_ENABLED"], ["BETA_FEATURES_ENABLED", "LICENSE_PURCHASE_RESTRICTED"], []][
				i
			],
		}));
		const beta = expectStatus(await api.get(`${V4}/users?filter[user_flags]=BETA_FEATURES_ENABLED`), 200);
		expect(ids(beta)).toEqual([users[0].id, users[1].id]);
		const both = expectStatus(
			await api.get(`${V4}/users?filter[user_flags]=BETA_FEATURES_ENABLED,LICENSE_PURCHASE_RESTRICTED`),
			200,
		);
		expect(ids(both)).toEqual([users[1].id]);
		expectErrors(await api.get(`${V4}/users?filter[user_flags]=FLYING`), 400, [
			{ code: "unknown_user_flag", source: { parameter: "filter[user_flags]" } },
		]);
	});

	it("filter[name] matches a part of the name only (trigram index from 3 characters)", async () => {
		const p = await newProject();
		const api = v4(p);
		const users = await seed(
			api,
			4,
			(i) =>
				[
					{ name: "Ada Lovelace" },
					{ name: "Grace Hopper" },
					{ name: "Someone", contact_details: { email: "lovelace@example.com" } },
					{ name: "Al" },
				][i] as Record<string, unknown>,
		);
		expect(ids(expectStatus(await api.get(`${V4}/users?filter[name]=LOVE`), 200))).toEqual([users[0].id]);
		expect(ids(expectStatus(await api.get(`${V4}/users?filter[name]=ce`), 200))).toEqual([
			users[0].id,
			users[1].id,
		]);
		expect(ids(expectStatus(await api.get(`${V4}/users?filter[name]=100%25`), 200))).toEqual([]);
		expect(ids(expectStatus(await api.get(`${V4}/users?filter[name]=a_`), 200))).toEqual([]);
	});

	it("filter[created_after] / filter[created_before], epoch seconds or RFC 3339", async () => {
		const p = await newProject();
		const api = v4(p);
		const [user] = await seed(api, 1);
		const created = user.meta.created_time;
		const q = (s: string) => api.get(`${V4}/users?${s}`).then((r) => ids(expectStatus(r, 200)));
		expect(await q(`filter[created_after]=${created - 1}`)).toEqual([user.id]);
		expect(await q(`filter[created_after]=${created}`)).toEqual([]);
		expect(await q(`filter[created_before]=${created + 1}`)).toEqual([user.id]);
		expect(await q(`filter[created_before]=${created}`)).toEqual([]);
		const iso = new Date((created - 60) * 1000).toISOString();
		expect(await q(`filter[created_after]=${iso}`)).toEqual([user.id]);
		expectErrors(await api.get(`${V4}/users?filter[created_after]=yesterday`), 400, [
			{ source: { parameter: "filter[created_after]" } },
		]);
	});

	it("unknown and repeated parameters are 400s, each named", async () => {
		const p = await newProject();
		const api = v4(p);
		const res = await api.get(`${V4}/users?filter[phone]=1&limit=3&sort=name&sort=email`);
		expectErrors(res, 400, [
			{ code: "unknown_parameter", source: { parameter: "filter[phone]" } },
			{ code: "unknown_parameter", source: { parameter: "limit" } },
		]);
		expectErrors(await api.get(`${V4}/users?sort=name&sort=email`), 400, [
			{ code: "repeated_parameter", source: { parameter: "sort" } },
		]);
	});
});

describe("GET /users: fields and include", () => {
	it("sparse fieldsets and included profiles apply to every resource of the page", async () => {
		const p = await newProject();
		const api = v4(p);
		const users = await seed(api, 2, (i) => ({ name: `N${i}` }));
		const body = expectStatus(
			await api.get(`${V4}/users?fields[users]=name,default_user_profile&include=default_user_profile`),
			200,
		);
		expect(body.data.map((u: any) => u.attributes)).toEqual([{ name: "N0" }, { name: "N1" }]);
		expect(body.included.map((r: any) => r.id)).toEqual(users.map((u) => `F${u.id.slice(1)}`));
		expect(body.data[0].relationships.default_user_profile.data.id).toBe(body.included[0].id);
	});
});
