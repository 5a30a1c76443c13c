import { describe, expect, it } from "vitest";
import { expectStatus, mgmt, newProject } from "./harness";

describe("smoke", () => {
	it("creates, loads, searches and deletes a user", async () => {
		const api = mgmt(await newProject());
		const created = expectStatus(
			await api.post("/v1/mgmt/user/create", {
				loginId: "alice@example.com",
				email: "alice@example.com",
				displayName: "Alice",
			}),
			200,
		);
		expect(created.user.loginIds).toEqual(["alice@example.com"]);
		const loaded = expectStatus(await api.get("/v1/mgmt/user?loginId=ALICE@example.com"), 200);
		expect(loaded.user.userId).toBe(created.user.userId);
		const found = expectStatus(await api.post("/v2/mgmt/user/search", { text: "lic" }), 200);
		expect(found.total).toBe(1);
		expectStatus(await api.post("/v1/mgmt/user/delete", { loginId: "alice@example.com" }), 200);
		expect((await api.get("/v1/mgmt/user?loginId=alice@example.com")).status).toBe(404);
	});
});
