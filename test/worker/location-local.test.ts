import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { requestLocation } from "../../src/api/request-location";
import { BASE, expectStatus, mgmt, newProject } from "./harness";
import { historyOf, PASSWORD } from "./support/sessions";

// Sign-in history records "local" as city and country for callers on this machine (docs/sessions.md).

/** Miniflare's offline `request.cf` (the one `wrangler dev` gives every request). */
const PLACEHOLDER_CF = { city: "Austin", country: "US", asn: 395747, colo: "DFW", postalCode: "78701" };

async function signUpFrom(ip: string, cf?: Record<string, unknown>) {
	const p = await newProject();
	const res = await exports.default.fetch(`${BASE}/v1/auth/password/signup`, {
		method: "POST",
		headers: {
			authorization: `Bearer ${p.projectId}`,
			"content-type": "application/json",
			"cf-connecting-ip": ip,
		},
		body: JSON.stringify({ loginId: "where", password: PASSWORD }),
		...(cf ? { cf } : {}),
	});
	const body = (await res.json()) as { user: { userId: string } };
	expect(res.status, JSON.stringify(body)).toBe(200);
	const [entry] = await historyOf(mgmt(p), body.user.userId);
	return entry;
}

describe("sign-in history location", () => {
	it("127.0.0.1 is recorded as local, whatever request.cf says", async () => {
		const entry = await signUpFrom("127.0.0.1", PLACEHOLDER_CF);
		expect(entry, JSON.stringify(entry)).toMatchObject({ ip: "127.0.0.1", city: "local", country: "local" });
	});

	it("::1 is recorded as local", async () => {
		const entry = await signUpFrom("::1");
		expect(entry, JSON.stringify(entry)).toMatchObject({ ip: "::1", city: "local", country: "local" });
	});

	it("a public address with the offline placeholder request.cf is recorded as local", async () => {
		const entry = await signUpFrom("203.0.113.7", PLACEHOLDER_CF);
		expect(entry, JSON.stringify(entry)).toMatchObject({
			ip: "203.0.113.7",
			city: "local",
			country: "local",
		});
	});

	it("a public address keeps the city and country of request.cf", async () => {
		const entry = await signUpFrom("203.0.113.7", { city: "Paris", country: "FR" });
		expect(entry, JSON.stringify(entry)).toMatchObject({ ip: "203.0.113.7", city: "Paris", country: "FR" });
	});
});

describe("requestLocation", () => {
	const withCf = (cf: Record<string, unknown>) => new Request(BASE, { cf: cf as RequestInit["cf"] });

	it("private and link-local addresses are local", () => {
		for (const ip of [
			"10.1.2.3",
			"172.16.0.1",
			"192.168.1.1",
			"169.254.0.9",
			"fd00::1",
			"fe80::1",
			"::ffff:127.0.0.1",
		]) {
			expect(requestLocation(withCf({ city: "Paris", country: "FR" }), ip), ip).toEqual({
				city: "local",
				country: "local",
			});
		}
	});

	it("a public address without request.cf has no location", () => {
		expect(requestLocation(new Request(BASE), "198.51.100.9")).toEqual({ city: "", country: "" });
	});

	it("a real Austin visitor (other network, other data center) keeps Austin", () => {
		expect(requestLocation(withCf({ ...PLACEHOLDER_CF, asn: 7018, colo: "IAH" }), "198.51.100.9")).toEqual({
			city: "Austin",
			country: "US",
		});
	});
});

it("the audit trail records the same location", async () => {
	const p = await newProject();
	const api = mgmt(p, { "cf-connecting-ip": "127.0.0.1" });
	expectStatus(await api.post("/v1/mgmt/user/create", { loginId: "audited" }), 200);
	const search = expectStatus(await mgmt(p).post("/v1/mgmt/audit/search", {}), 200);
	const created = search.audits.find((a: { action: string }) => a.action !== "request.failed");
	expect(created, JSON.stringify(search)).toMatchObject({
		remoteAddress: "127.0.0.1",
		geo: "local",
		city: "local",
	});
});
