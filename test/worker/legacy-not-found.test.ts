import { expect, it } from "vitest";
import { newProject } from "./harness";
import { apikey, send } from "./v4-harness";

// Unknown routes under the legacy prefix answer in the legacy envelope, not JSON:API.

it.each(["/api/management/user/unknown/extra", "/api/management/users"])(
	"GET %s is a legacy 404",
	async (path) => {
		const p = await newProject();
		const res = await send("GET", path, { headers: apikey(p) });
		expect(res.status, res.text).toBe(404);
		expect(res.headers.get("content-type")).toBe("application/json");
		expect(res.body).toEqual({ error: "not_found", message: `No route for GET ${path}`, errors: [] });
	},
);

it("an unauthenticated call under the prefix is a legacy 401", async () => {
	const res = await send("GET", "/api/management/user/unknown/extra");
	expect(res.status, res.text).toBe(401);
	expect(res.body).toMatchObject({ error: "unauthorized", errors: [] });
});

it("the service parameter is refused naming what Roster serves instead", async () => {
	const p = await newProject();
	const res = await send("GET", "/api/management/user?service=licensing", { headers: apikey(p) });
	expect(res.status, res.text).toBe(400);
	const message =
		'The "service" parameter is not supported: Roster manages users only and serves no licensing API. List users with GET /api/management/user or the REST v4 users resource (GET /api/user/management/v4/users, docs/rest-v4.md)';
	expect(res.body).toEqual({
		error: "unsupported_parameter",
		message,
		errors: [{ field: "service", message }],
	});
});
