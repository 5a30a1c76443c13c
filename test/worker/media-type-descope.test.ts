import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { BASE, bearer, call, newProject } from "./harness";

// The Descope dialect says which Content-Type to send when the request's is missing or wrong.

it("a POST without Content-Type is told to send application/json", async () => {
	const p = await newProject();
	// A byte body gets no default Content-Type (a string body would be text/plain).
	const sent = await exports.default.fetch(`${BASE}/v1/mgmt/user/create`, {
		method: "POST",
		headers: bearer(p),
		body: new TextEncoder().encode('{"loginId":"a"}'),
	});
	const res = { status: sent.status, body: await sent.json() };
	expect(res.status, JSON.stringify(res.body)).toBe(400);
	expect(res.body).toEqual({
		errorCode: "E011001",
		errorDescription: "Bad request",
		errorMessage: "Unsupported Media Type: send Content-Type: application/json (the request had none)",
	});
});

it("a POST with text/plain is told what it sent and what to send", async () => {
	const p = await newProject();
	const res = await call("POST", "/v1/mgmt/user/create", {
		headers: { ...bearer(p), "content-type": "text/plain" },
		rawBody: '{"loginId":"a"}',
	});
	expect(res.status, JSON.stringify(res.body)).toBe(400);
	expect(res.body.errorMessage).toBe(
		'Unsupported Media Type: send Content-Type: application/json, not "text/plain"',
	);
});

it("nothing is created by a refused request", async () => {
	const p = await newProject();
	await call("POST", "/v1/mgmt/user/create", { headers: bearer(p), rawBody: '{"loginId":"nobody"}' });
	const res = await call("GET", "/v1/mgmt/user?loginId=nobody", { headers: bearer(p) });
	expect(res.status, JSON.stringify(res.body)).toBe(404);
});
