// The admin console in a real Chromium (docs/console.md): sign in, find one user among 2,000,
// edit, assign a role, end their sessions, create a key, and a read-only key's console.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { docsImage, launchBrowser, withPage } from "./browser.js";
import {
	authSdkFor,
	baseUrl,
	expectError,
	expectOk,
	type Sdk,
	setupProject,
	type TestProject,
	userWithSession,
} from "./harness.js";

const USERS = 2_000;
const BATCH = 500;

let browser: Browser;
let project: TestProject;
let sdk: Sdk;

async function api(path: string, body: unknown, method = "POST", p: TestProject = project) {
	const res = await fetch(`${baseUrl()}${path}`, {
		method,
		headers: {
			Authorization: `Bearer ${p.projectId}:${p.managementKey}`,
			"Content-Type": "application/json",
		},
		body: JSON.stringify(body),
	});
	const text = await res.text();
	expect(res.status, `${method} ${path}: ${text}`).toBe(200);
	return JSON.parse(text);
}

beforeAll(async () => {
	browser = await launchBrowser();
	({ project, sdk } = await setupProject("console"));
	for (let start = 0; start < USERS; start += BATCH) {
		const users = Array.from({ length: BATCH }, (_, i) => {
			const n = String(start + i + 1).padStart(4, "0");
			return { loginId: `person-${n}@example.com`, email: `person-${n}@example.com`, name: `Person ${n}` };
		});
		const res = await api("/v1/mgmt/user/create/batch", { users });
		expect(res.failedUsers, JSON.stringify(res.failedUsers.slice(0, 3))).toEqual([]);
	}
	await api("/v1/mgmt/role/create", { name: "support", description: "Answers tickets" });
}, 120_000);

afterAll(async () => {
	await browser?.close();
});

async function signIn(page: Page, p: TestProject = project) {
	await page.goto(`${baseUrl()}/console`);
	await expect.poll(() => page.url()).toBe(`${baseUrl()}/console/sign-in`);
	await page.getByLabel("Project id").fill(p.projectId);
	await page.getByLabel("Management key").fill(p.managementKey);
	await page.getByRole("button", { name: "Sign in" }).click();
	await page.waitForURL(`${baseUrl()}/console/users`);
	await page.getByRole("heading", { level: 1, name: "Users" }).waitFor();
}

const text = (page: Page, selector: string) => page.locator(selector).textContent();

it("finds one user among 2,000, edits them, assigns a role and signs them out everywhere", async () => {
	const target = await userWithSession(sdk, { name: "Needle Person" });
	const auth = authSdkFor(project);
	expectOk(await auth.refresh(target.refreshJwt));

	await withPage(browser, "console", "user-flow", async (page) => {
		await signIn(page);
		expect(await text(page, "#results-h")).toBe(`Users 1–50 of ${(USERS + 1).toLocaleString("en")}`);
		// Dates are rewritten into the viewer's local time (console.js); the server wrote UTC.
		expect(await page.locator("tbody time").first().textContent()).not.toMatch(/UTC$/);

		// Paging through the whole set.
		await page.getByRole("link", { name: "Next" }).click();
		expect(await text(page, "#results-h")).toBe(`Users 51–100 of ${(USERS + 1).toLocaleString("en")}`);
		await page.getByRole("link", { name: "Last" }).click();
		expect(await text(page, "#results-h")).toBe(`Users 2,001–2,001 of ${(USERS + 1).toLocaleString("en")}`);

		if (process.env.UPDATE_SCREENSHOTS === "1") {
			await page.goto(`${baseUrl()}/console/users`);
			const file = docsImage("console-users.png");
			mkdirSync(dirname(file), { recursive: true });
			await page.screenshot({ path: file });
		}

		// Search by text.
		await page.goto(`${baseUrl()}/console/users`);
		await page.getByLabel("Text").fill("needle");
		await page.getByRole("button", { name: "Search" }).click();
		expect(await text(page, "#results-h")).toBe("Users 1–1 of 1");
		await page.getByRole("link", { name: target.loginId }).click();
		await page.getByRole("heading", { level: 1, name: "Needle Person" }).waitFor();

		// Profile edit.
		await page.getByLabel("Display name").fill("Needle Renamed");
		await page.getByLabel("Family name").fill("Renamed");
		await page.getByRole("button", { name: "Save profile" }).click();
		expect(await page.getByRole("status").textContent()).toBe("Profile saved.");
		await page.getByRole("heading", { level: 1, name: "Needle Renamed" }).waitFor();

		// Role assignment.
		await page.getByLabel("Add a role").selectOption("support");
		await page.getByRole("button", { name: "Add role" }).click();
		expect(await page.getByRole("status").textContent()).toBe("Roles changed.");
		await page.getByRole("button", { name: "Remove role support" }).waitFor();

		const loaded = expectOk(await sdk.management.user.loadByUserId(target.user.userId));
		expect(loaded, JSON.stringify(loaded)).toMatchObject({
			name: "Needle Renamed",
			familyName: "Renamed",
			roleNames: ["support"],
		});

		// Sign out everywhere (the page asks first).
		page.once("dialog", (dialog) => dialog.accept());
		await page.getByRole("button", { name: "Sign out everywhere" }).click();
		expect(await page.getByRole("status").textContent()).toBe("Every session of this user has ended.");
		expectError(await auth.refresh(target.refreshJwt), "E064001");

		// The user's activity, after a reload, shows what the console did.
		await page.reload();
		const log = await page.getByRole("region", { name: "Activity" }).textContent();
		expect(log).toContain("session.revoked");
		expect(log).toContain("user.roles.added");
	});
});

it("creates a management key and shows it once", async () => {
	await withPage(browser, "console", "create-key", async (page) => {
		await signIn(page);
		await page.getByRole("link", { name: "Management keys" }).click();
		await page.getByRole("heading", { level: 1, name: "Management keys" }).waitFor();
		await page.getByLabel("Name", { exact: true }).fill("ci deploys");
		await page.getByLabel("Description").fill("made in the console");
		await page.getByRole("button", { name: "Create key" }).click();
		await page.getByRole("heading", { name: "Key “ci deploys” created" }).waitFor();
		const cleartext = await page.getByLabel("Management key", { exact: true }).inputValue();
		expect(cleartext).toMatch(/^rk_/);
		expect(page.url()).toBe(`${baseUrl()}/console/keys`);

		// The new key works, and the list no longer shows it.
		const res = await fetch(`${baseUrl()}/v1/mgmt/managementkey/search`, {
			headers: { Authorization: `Bearer ${project.projectId}:${cleartext}` },
		});
		const body = await res.text();
		expect(res.status, body).toBe(200);
		expect(JSON.parse(body).keys.map((k: { name: string }) => k.name)).toContain("ci deploys");
		await page.goto(`${baseUrl()}/console/keys`);
		expect(await page.content()).not.toContain(cleartext);
		await page.getByRole("cell", { name: "ci deploys made in the console" }).waitFor();
	});
});

it("gives a read-only key a console without write forms", async () => {
	const created = await api("/v1/mgmt/managementkey", { name: "viewer", readOnly: true }, "PUT");
	const viewer = { projectId: project.projectId, managementKey: created.cleartext as string };
	await withPage(browser, "console", "read-only", async (page) => {
		await signIn(page, viewer);
		await page.getByText("read-only key").first().waitFor();
		const postForms = () =>
			page.locator("form[method=post]").evaluateAll((forms) => forms.map((f) => f.getAttribute("action")));
		expect(await postForms()).toEqual(["/console/sign-out"]);
		await page.getByLabel("Login ids").fill("person-2000@example.com");
		await page.getByRole("button", { name: "Search" }).click();
		await page.getByRole("link", { name: "person-2000@example.com" }).click();
		await page.getByRole("heading", { level: 1, name: "Person 2000" }).waitFor();
		expect(await postForms()).toEqual(["/console/sign-out"]);
		expect(await page.getByRole("button", { name: "Sign out everywhere" }).count()).toBe(0);
		for (const path of [
			"/console/roles",
			"/console/keys",
			"/console/tenants",
			"/console/attributes",
			"/console/sso-apps",
		]) {
			await page.goto(`${baseUrl()}${path}`);
			expect(await postForms(), path).toEqual(["/console/sign-out"]);
		}
	});
});

it("answers a wrong key on the sign-in form with an error, in the page", async () => {
	await withPage(browser, "console", "wrong-key", async (page) => {
		await page.goto(`${baseUrl()}/console/sign-in`);
		await page.getByLabel("Project id").fill(project.projectId);
		await page.getByLabel("Management key").fill("rk_not-a-key");
		const [response] = await Promise.all([
			page.waitForResponse((r) => r.url().endsWith("/console/sign-in") && r.request().method() === "POST"),
			page.getByRole("button", { name: "Sign in" }).click(),
		]);
		expect(response.status()).toBe(401);
		expect(await page.getByRole("alert").textContent()).toContain("were not accepted");
	});
});
