// The public origin comes from PUBLIC_ORIGIN (http://roster.test in this pool, vitest.config.ts),
// never from the Host header: a forged host reaches neither the JWT issuer nor a v4 or legacy
// link. Without PUBLIC_ORIGIN the request's origin is used only on a loopback host.
import { exports } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { resolvePublicOrigin } from "../../src/api/public-origin";
import { mgmt, newProject, type TestProject } from "./harness";
import { PASSWORD } from "./support/sessions";
import { V4 } from "./v4-harness";

const FORGED = "evil.example";

/** Sends to the forged host, with the Host header saying so too. */
async function forged(method: string, path: string, headers: Record<string, string>, body?: unknown) {
	const res = await exports.default.fetch(`http://${FORGED}${path}`, {
		method,
		headers: { host: FORGED, "content-type": "application/json", ...headers },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

async function withUser(): Promise<TestProject> {
	const p = await newProject();
	const res = await mgmt(p).post("/v1/mgmt/user/create", { loginId: "alice", password: PASSWORD });
	expect(res.status, JSON.stringify(res.body)).toBe(200);
	return p;
}

describe("a forged Host header", () => {
	it("does not reach the iss of sign-in, sign-up and refresh tokens", async () => {
		const p = await withUser();
		const auth = { authorization: `Bearer ${p.projectId}` };
		const signIn = await forged("POST", "/v1/auth/password/signin", auth, {
			loginId: "alice",
			password: PASSWORD,
		});
		expect(signIn.status, signIn.text).toBe(200);
		const signUp = await forged("POST", "/v1/auth/password/signup", auth, {
			loginId: "bob",
			password: PASSWORD,
		});
		expect(signUp.status, signUp.text).toBe(200);
		const refreshed = await forged(
			"POST",
			"/v1/auth/refresh",
			{ authorization: `Bearer ${p.projectId}:${signIn.body.refreshJwt}` },
			{},
		);
		expect(refreshed.status, refreshed.text).toBe(200);
		for (const jwt of [
			signIn.body.sessionJwt,
			signIn.body.refreshJwt,
			signUp.body.sessionJwt,
			refreshed.body.sessionJwt,
		]) {
			const { iss } = decodeJwt(jwt);
			expect(iss).toBe(`http://roster.test/${p.projectId}`);
			expect(String(iss)).not.toContain(FORGED);
		}
	});

	it("does not reach the v4 Location, self link or pagination links", async () => {
		const p = await newProject();
		const apikey = { authorization: `Apikey ${p.managementKey}`, "content-type": "application/vnd.api+json" };
		const created = await forged("POST", `${V4}/users`, apikey, {
			data: { type: "users", attributes: { name: "Ada", contact_details: { email: "ada@example.com" } } },
		});
		expect(created.status, created.text).toBe(201);
		const id = created.body.data.id;
		expect(created.headers.get("location")).toBe(`http://roster.test${V4}/users/${id}`);
		expect(created.text).not.toContain(FORGED);
		await forged("POST", `${V4}/users`, apikey, {
			data: { type: "users", attributes: { name: "Bob", contact_details: { email: "bob@example.com" } } },
		});
		const index = await forged("GET", `${V4}/users?page[size]=1`, apikey);
		expect(index.status, index.text).toBe(200);
		expect(index.body.links.next, index.text).toMatch(/^http:\/\/roster\.test\//);
		expect(index.text).not.toContain(FORGED);
	});

	it("does not reach the legacy successor links", async () => {
		const p = await newProject();
		const apikey = { authorization: `Apikey ${p.managementKey}` };
		const created = await forged("POST", "/api/management/user", apikey, {
			email: "ada@example.com",
			name: "Ada",
		});
		expect(created.status, created.text).toBe(201);
		expect(created.headers.get("link")).toMatch(/^<http:\/\/roster\.test\//);
		const listed = await forged("GET", "/api/management/user", apikey);
		expect(listed.headers.get("link")).toBe(`<http://roster.test${V4}/users>; rel="successor-version"`);
	});
});

describe("resolvePublicOrigin", () => {
	it("takes PUBLIC_ORIGIN whatever the request's host", () => {
		expect(resolvePublicOrigin("https://auth.example.com", "http://evil.example/x")).toBe(
			"https://auth.example.com",
		);
		expect(resolvePublicOrigin("https://auth.example.com/some/path", "http://127.0.0.1/x")).toBe(
			"https://auth.example.com",
		);
	});

	it("without PUBLIC_ORIGIN, uses the request's origin on loopback hosts only", () => {
		for (const url of [
			"http://localhost:8787/v1/auth/refresh",
			"http://127.0.0.1:8787/x",
			"http://127.10.20.30/x",
			"http://[::1]:8787/x",
		]) {
			expect(resolvePublicOrigin("", url), url).toBe(new URL(url).origin);
		}
	});

	it("without PUBLIC_ORIGIN, gives no origin for any other host (links relative, iss the project id)", () => {
		for (const url of [
			"https://evil.example/x",
			"http://localhost.evil.example/x",
			"http://127.0.0.1.evil.example/x",
			"http://10.0.0.1/x",
			"http://[::2]/x",
		]) {
			expect(resolvePublicOrigin("", url), url).toBe("");
		}
	});

	it("ignores a PUBLIC_ORIGIN that is not an http(s) origin", () => {
		expect(resolvePublicOrigin("not a url", "http://evil.example/x")).toBe("");
		expect(resolvePublicOrigin("ftp://files.example", "http://evil.example/x")).toBe("");
	});
});
