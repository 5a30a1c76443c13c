// The console's access-key page (docs/console.md, docs/access-keys.md): list, create and rotate
// (the cleartext shown once), deactivate, delete, and what a read-only key sees.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	addManagementKey,
	call,
	expectStatus,
	mgmt,
	newProject,
	sha256Hex,
	type TestProject,
} from "./harness";
import { csrfOf, page, post, signIn } from "./support/console";

const PATH = "/console/access-keys";

/** A project with a role and a tenant, a signed-in console and the page's CSRF token. */
async function world() {
	const project = await newProject();
	expectStatus(await mgmt(project).post("/v1/mgmt/role/create", { name: "reader" }), 200);
	expectStatus(await mgmt(project).post("/v1/mgmt/tenant/create", { id: "acme", name: "Acme" }), 200);
	const cookie = await signIn(project);
	const list = await page(PATH, { headers: { cookie } });
	expect(list.status, list.html).toBe(200);
	return { project, cookie, csrf: csrfOf(list.html) };
}

const exchange = (p: TestProject, cleartext: string) =>
	call("POST", "/v1/auth/accesskey/exchange", {
		body: {},
		headers: { authorization: `Bearer ${p.projectId}:${cleartext}` },
	});

const shownKey = (html: string) => /id="new-access-key"[^>]*value="(rk_ak_[^"]+)"/.exec(html)?.[1];

describe("console access-key page", () => {
	it("is in the navigation and starts empty", async () => {
		const w = await world();
		const res = await page(PATH, { headers: { cookie: w.cookie } });
		expect(res.html).toContain('href="/console/access-keys" aria-current="page"');
		expect(res.html).toContain("No access keys");
		expect(res.html).toContain("Create access key");
	});

	it("creates a key with roles and tenants, shows the cleartext once, and the key exchanges", async () => {
		const w = await world();
		const res = await post(
			PATH,
			[
				["_csrf", w.csrf],
				["name", "export-job"],
				["description", "nightly"],
				["expiresInDays", "30"],
				["roleNames", "reader"],
				["tenantIds", "acme"],
			],
			w.cookie,
		);
		expect(res.status, res.html).toBe(200);
		const cleartext = shownKey(res.html);
		expect(cleartext, res.html).toBeTruthy();
		expect(res.html).toContain("Access key “export-job” created");

		const keys = expectStatus(await mgmt(w.project).post("/v1/mgmt/accesskey/search", {}), 200).keys;
		expect(keys).toEqual([
			expect.objectContaining({
				name: "export-job",
				description: "nightly",
				roleNames: ["reader"],
				keyTenants: [{ tenantId: "acme", roleNames: [], tenantName: "Acme" }],
			}),
		]);
		expect(keys[0].expireTime - Math.floor(Date.now() / 1000)).toBeGreaterThan(29 * 86_400);
		const row = await env.DB.prepare("SELECT key_hash FROM access_keys WHERE id = ?")
			.bind(keys[0].id)
			.first();
		expect(row?.key_hash).toBe(await sha256Hex(cleartext ?? ""));
		expectStatus(await exchange(w.project, cleartext ?? ""), 200);

		const again = await page(PATH, { headers: { cookie: w.cookie } });
		expect(again.html).toContain(`<code>${keys[0].id}</code>`);
		expect(again.html).not.toContain(cleartext);
		expect(again.html).not.toContain('id="new-access-key"');
	});

	it("shows the API's refusal of a bad form (400) and creates nothing", async () => {
		const w = await world();
		const res = await post(PATH, { _csrf: w.csrf, name: "ips", permittedIps: "not-an-ip" }, w.cookie);
		expect(res.status, res.html).toBe(400);
		expect(res.html).toContain('role="alert"');
		expect(res.html).toContain("permittedIps[0]");
		const keys = expectStatus(await mgmt(w.project).post("/v1/mgmt/accesskey/search", {}), 200).keys;
		expect(keys).toEqual([]);
	});

	it("deactivates, rotates and deletes; each takes effect on the next exchange", async () => {
		const w = await world();
		const created = expectStatus(
			await mgmt(w.project).post("/v1/mgmt/accesskey/create", { name: "k", expireTime: 0 }),
			200,
		);
		const id: string = created.key.id;
		const off = await post(`${PATH}/status`, { _csrf: w.csrf, id, status: "inactive" }, w.cookie);
		expect(off.status, off.html).toBe(303);
		expect(off.headers.get("location")).toBe(`${PATH}?ok=access-key-saved`);
		expect((await exchange(w.project, created.cleartext)).status).toBe(401);
		const on = await post(`${PATH}/status`, { _csrf: w.csrf, id, status: "active" }, w.cookie);
		expect(on.status, on.html).toBe(303);
		expectStatus(await exchange(w.project, created.cleartext), 200);

		const rotated = await post(`${PATH}/rotate`, { _csrf: w.csrf, id }, w.cookie);
		expect(rotated.status, rotated.html).toBe(200);
		const fresh = shownKey(rotated.html);
		expect(fresh, rotated.html).toBeTruthy();
		expect(rotated.html).toContain("The previous key no longer works.");
		expect((await exchange(w.project, created.cleartext)).status).toBe(401);
		expectStatus(await exchange(w.project, fresh ?? ""), 200);

		const gone = await post(`${PATH}/delete`, { _csrf: w.csrf, id }, w.cookie);
		expect(gone.status, gone.html).toBe(303);
		expect((await exchange(w.project, fresh ?? "")).status).toBe(401);
		const after = await page(`${PATH}?ok=access-key-deleted`, { headers: { cookie: w.cookie } });
		expect(after.html).toContain("Access key deleted.");
		expect(after.html).toContain("No access keys");
	});

	it("gives a read-only key the list without forms", async () => {
		const w = await world();
		expectStatus(
			await mgmt(w.project).post("/v1/mgmt/accesskey/create", { name: "listed", expireTime: 0 }),
			200,
		);
		const ro = await addManagementKey(w.project, { name: "viewer", readOnly: true });
		const cookie = await signIn(ro, ro.managementKey);
		const res = await page(PATH, { headers: { cookie } });
		expect(res.status, res.html).toBe(200);
		expect(res.html).toContain("This key is read-only");
		expect(res.html).toContain("listed");
		expect(res.html).not.toContain(`action="${PATH}`);
	});

	it("refuses a POST without the CSRF token: 403, nothing created", async () => {
		const w = await world();
		const res = await post(PATH, { name: "forged" }, w.cookie);
		expect(res.status, res.html).toBe(403);
		const keys = expectStatus(await mgmt(w.project).post("/v1/mgmt/accesskey/search", {}), 200).keys;
		expect(keys).toEqual([]);
	});
});
