// Search v2 `statuses: ["expired"]` (`management.user.searchAll`, docs/descope-compat.md): users whose password has expired.
import { expect, it } from "vitest";
import { expectStatus, mgmt, newProject } from "./harness";

it("finds users whose password has expired, alone or with other statuses", async () => {
	const api = mgmt(await newProject());
	for (const loginId of ["fresh", "stale", "nopass"]) {
		expectStatus(await api.post("/v1/mgmt/user/create", { loginId, status: "enabled" }), 200);
	}
	for (const loginId of ["fresh", "stale"]) {
		const res = await api.post("/v1/mgmt/user/password/set/active", { loginId, password: "Long-enough-1" });
		expectStatus(res, 200);
	}
	expectStatus(await api.post("/v1/mgmt/user/password/expire", { loginId: "stale" }), 200);
	const ids = async (body: unknown) =>
		expectStatus(await api.post("/v2/mgmt/user/search", body), 200)
			.users.map((u: { loginIds: string[] }) => u.loginIds[0])
			.sort();
	expect(await ids({ statuses: ["expired"] })).toEqual(["stale"]);
	expect(await ids({ statuses: ["expired", "invited"] })).toEqual(["stale"]);
	expect(await ids({ statuses: ["enabled"] })).toEqual(["fresh", "nopass", "stale"]);
	const count = await api.post("/v2/mgmt/user/search", { statuses: ["expired"] });
	expect(expectStatus(count, 200).total).toBe(1);
});
