// Registration state and sign-in (docs/rest-v4.md): an UNREGISTERED user has no credentials of their
// own and cannot sign up over their account; the first sign-in with credentials an admin gave
// them registers them; a registered but disabled user cannot sign in.
import { describe, expect, it } from "vitest";
import { expectDescopeError, mgmt, newProject } from "./harness";
import { expectLive, expectRevoked, PASSWORD, signIn, signUp } from "./support/sessions";
import { createV4, expectStatus, patchDoc, V4, v4 } from "./v4-harness";

async function unregisteredUser() {
	const project = await newProject();
	const api = v4(project);
	const user = await createV4(api, { name: "Ann", contact_details: { email: "ann@example.com" } });
	expect(user.attributes.registration_information).toEqual({
		registration_state: "UNREGISTERED",
		registration_time: null,
	});
	return { project, api, user, loginId: "ann@example.com" };
}

describe("registration state blocks sign-in", () => {
	it("an UNREGISTERED user without credentials cannot sign in, and nobody can sign up over the account", async () => {
		const { project, api, user, loginId } = await unregisteredUser();
		expectDescopeError(await signIn(project, loginId), 401, "E011401");
		expectDescopeError(await signUp(project, loginId), 409, "E062107");
		expectDescopeError(await signUp(project, loginId.toUpperCase()), 409, "E062107");
		const after = expectStatus(await api.get(`${V4}/users/${user.id}`), 200).data;
		expect(after.attributes.registration_information.registration_state).toBe("UNREGISTERED");
		expect(after.meta.security).toMatchObject({ password_set: false });
	});

	it("the first sign-in with a password an admin set registers the user, stamping registration_time", async () => {
		const { project, api, user, loginId } = await unregisteredUser();
		expectStatus(
			await mgmt(project).post("/v1/mgmt/user/password/set/active", { loginId, password: PASSWORD }),
			200,
		);
		const before = Math.floor(Date.now() / 1000);
		const session = expectStatus(await signIn(project, loginId), 200);
		expect(session.firstSeen).toBe(true);
		expect(session.user.status).toBe("enabled");
		const registered = expectStatus(await api.get(`${V4}/users/${user.id}`), 200).data;
		expect(registered.attributes.registration_information.registration_state).toBe("REGISTERED");
		expect(registered.attributes.registration_information.registration_time).toBeGreaterThanOrEqual(
			before - 1,
		);
		// The second sign-in is not a registration.
		expect(expectStatus(await signIn(project, loginId), 200).firstSeen).toBe(false);
	});

	it("a REGISTERED user who is disabled cannot sign in", async () => {
		const { project, api, user, loginId } = await unregisteredUser();
		expectStatus(
			await api.patch(
				`${V4}/users/${user.id}`,
				patchDoc(user.id, { registration_information: { registration_state: "REGISTERED" } }),
			),
			200,
		);
		const m = mgmt(project);
		expectStatus(await m.post("/v1/mgmt/user/password/set/active", { loginId, password: PASSWORD }), 200);
		expectStatus(await m.post("/v1/mgmt/user/update/status", { loginId, status: "disabled" }), 200);
		expectDescopeError(await signIn(project, loginId), 403, "E011403", "disabled");
		const shown = expectStatus(await api.get(`${V4}/users/${user.id}`), 200).data;
		expect(shown.attributes.registration_information.registration_state).toBe("REGISTERED");
	});

	it("moving a user back to UNREGISTERED ends its sessions; the admin-given password registers them again", async () => {
		const { project, api, user, loginId } = await unregisteredUser();
		expectStatus(
			await mgmt(project).post("/v1/mgmt/user/password/set/active", { loginId, password: PASSWORD }),
			200,
		);
		const session = expectStatus(await signIn(project, loginId), 200);
		await expectLive(project, session.refreshJwt);
		expectStatus(
			await api.patch(
				`${V4}/users/${user.id}`,
				patchDoc(user.id, { registration_information: { registration_state: "UNREGISTERED" } }),
			),
			200,
		);
		await expectRevoked(project, session.refreshJwt, "refresh after moving to UNREGISTERED");
		const again = expectStatus(await signIn(project, loginId), 200);
		expect(again.firstSeen).toBe(true);
		const shown = expectStatus(await api.get(`${V4}/users/${user.id}`), 200).data;
		expect(shown.attributes.registration_information.registration_state).toBe("REGISTERED");
	});
});
