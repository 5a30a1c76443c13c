// REST v4 DELETE /users/{user_id}: 204 with no body, If-Match, and what goes with the user.
import { describe, expect, it } from "vitest";
import { loadUser, mgmt, newProject } from "./harness";
import { createV4, expectErrors, expectStatus, V4, v4 } from "./v4-harness";

describe("DELETE /users/{user_id}", () => {
	it("answers 204 with an empty body; the user, its profile and login id are gone", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, {
			contact_details: { email: "gone@example.com" },
			user_flags: ["BETA_FEATURES_ENABLED"],
		});
		const res = await api.delete(`${V4}/users/${user.id}`);
		expect(res.status).toBe(204);
		expect(res.text).toBe("");
		expectErrors(await api.get(`${V4}/users/${user.id}`), 404, []);
		expectErrors(await api.get(`${V4}/users/${user.id}/default_user_profile`), 404, []);
		expect(await loadUser(mgmt(p), "gone@example.com")).toBe(null);
		expect(
			expectStatus(await api.get(`${V4}/users?filter[user_flags]=BETA_FEATURES_ENABLED`), 200).data,
		).toEqual([]);
		// The email is free again.
		await createV4(api, { contact_details: { email: "gone@example.com" } });
	});

	it("deleting again, or an unknown user, is a 404", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { external_id: "twice" });
		expect((await api.delete(`${V4}/users/${user.id}`)).status).toBe(204);
		expectErrors(await api.delete(`${V4}/users/${user.id}`), 404, [{ code: "user_not_found" }]);
	});

	it("If-Match: a stale ETag is a 412 and the user stays; the current one deletes", async () => {
		const p = await newProject();
		const api = v4(p);
		const user = await createV4(api, { external_id: "guarded" });
		expectStatus(
			await api.patch(`${V4}/users/${user.id}`, {
				data: { type: "users", id: user.id, attributes: { name: "x" } },
			}),
			200,
		);
		expectErrors(await api.delete(`${V4}/users/${user.id}`, { "if-match": 'W/"1"' }), 412, [
			{ code: "precondition_failed" },
		]);
		expectStatus(await api.get(`${V4}/users/${user.id}`), 200);
		expect((await api.delete(`${V4}/users/${user.id}`, { "if-match": 'W/"2"' })).status).toBe(204);
	});
});
