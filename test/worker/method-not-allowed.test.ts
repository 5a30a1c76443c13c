import { describe, expect, it } from "vitest";
import { bearer, call, newProject, operatorHeaders } from "./harness";
import { apikey, JSONAPI, send, V4 } from "./v4-harness";

// A known path under a method it does not serve answers 405 with Allow, in the path's dialect.

describe("405 Method Not Allowed", () => {
	it("Descope: GET on a POST route names the methods in Allow and the Descope envelope", async () => {
		const p = await newProject();
		const res = await call("GET", "/v1/mgmt/user/create", { headers: bearer(p) });
		expect(res.status, JSON.stringify(res.body)).toBe(405);
		expect(res.headers.get("allow")).toBe("POST");
		expect(res.body).toEqual({
			errorCode: "E011405",
			errorDescription: "Method not allowed",
			errorMessage: "GET is not allowed on /v1/mgmt/user/create: use POST",
		});
	});

	it("Descope: a path with GET lists HEAD too", async () => {
		const p = await newProject();
		const res = await call("DELETE", "/v1/mgmt/user", { headers: bearer(p) });
		expect(res.status, JSON.stringify(res.body)).toBe(405);
		expect(res.headers.get("allow")).toBe("GET, HEAD");
	});

	it("auth endpoints: GET on sign-in answers 405", async () => {
		const p = await newProject();
		const res = await call("GET", "/v1/auth/password/signin", {
			headers: { authorization: `Bearer ${p.projectId}` },
		});
		expect(res.status, JSON.stringify(res.body)).toBe(405);
		expect(res.headers.get("allow")).toBe("POST");
		expect(res.body.errorCode).toBe("E011405");
	});

	it("operator: PUT on the project list answers 405 with Allow: GET, HEAD, POST", async () => {
		const res = await call("PUT", "/v1/operator/projects", { headers: operatorHeaders });
		expect(res.status, JSON.stringify(res.body)).toBe(405);
		expect(res.headers.get("allow")).toBe("GET, HEAD, POST");
		expect(res.body).toMatchObject({ errorCode: "E011405", errorDescription: "Method not allowed" });
	});

	it("v4: PUT on a user answers a JSON:API 405", async () => {
		const p = await newProject();
		const res = await send("PUT", `${V4}/users/U0000000000000000000000000000`, {
			headers: { ...apikey(p), "content-type": JSONAPI },
			raw: "{}",
		});
		expect(res.status, res.text).toBe(405);
		expect(res.headers.get("allow")).toBe("GET, HEAD, PATCH, DELETE");
		expect(res.body).toEqual({
			jsonapi: { version: "1.1" },
			errors: [
				{
					status: "405",
					code: "method_not_allowed",
					title: "Method Not Allowed",
					detail: `PUT is not allowed on ${V4}/users/U0000000000000000000000000000: use GET, HEAD, PATCH, DELETE`,
				},
			],
		});
	});

	it("legacy: PATCH on the users collection answers a legacy 405", async () => {
		const p = await newProject();
		const res = await send("PATCH", "/api/management/user", { headers: apikey(p) });
		expect(res.status, res.text).toBe(405);
		expect(res.headers.get("allow")).toBe("GET, HEAD, POST");
		expect(res.headers.get("deprecation")).toMatch(/^@\d+$/);
		expect(res.body).toEqual({
			error: "method_not_allowed",
			message: "PATCH is not allowed on /api/management/user: use GET, HEAD, POST",
			errors: [],
		});
	});

	it("an unknown path is still a 404", async () => {
		const p = await newProject();
		const res = await call("GET", "/v1/mgmt/user/nothing-here", { headers: bearer(p) });
		expect(res.status, JSON.stringify(res.body)).toBe(404);
		expect(res.headers.get("allow")).toBe(null);
		expect(res.body.errorCode).toBe("E011404");
	});

	it("authentication still comes first", async () => {
		const res = await call("GET", "/v1/mgmt/user/create");
		expect(res.status, JSON.stringify(res.body)).toBe(401);
	});
});
