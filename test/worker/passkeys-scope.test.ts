// Passkey credential ids are unique per project, not across projects: one credential id can be
// registered in two projects and works in each, and registering an id another project holds
// answers exactly as a fresh one would, so it tells nothing about other projects.
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { expectDescopeError, expectStatus, mgmt, newProject, type TestProject } from "./harness";
import { b64url, ORIGIN, passkeyClient, SoftAuthenticator } from "./support/authenticator";

/** Signs up `loginId` in `project` with a passkey registered under `credentialId`. */
async function signUpWith(project: TestProject, loginId: string, credentialId: Uint8Array) {
	const client = passkeyClient(project.projectId);
	const authenticator = new SoftAuthenticator();
	const start = expectStatus(await client.signUpStart(loginId), 200);
	const credential = await authenticator.create(JSON.parse(start.options), ORIGIN, { credentialId });
	const res = await client.finish("signup", start.transactionId, credential);
	return { client, authenticator, res };
}

const newCredentialId = () => crypto.getRandomValues(new Uint8Array(32));

const passkeyRows = (credentialId: Uint8Array) =>
	env.DB.prepare("SELECT project_id FROM passkeys WHERE id = ? ORDER BY project_id")
		.bind(b64url(credentialId))
		.all<{ project_id: string }>();

it("one credential id registers in two projects and signs in to each", async () => {
	const a = await newProject();
	const b = await newProject();
	const id = newCredentialId();
	const inA = await signUpWith(a, "ada@example.com", id);
	const inB = await signUpWith(b, "ada@example.com", id);
	const userA = expectStatus(inA.res, 200).user.userId;
	const userB = expectStatus(inB.res, 200).user.userId;
	expect((await passkeyRows(id)).results.map((r) => r.project_id)).toEqual([a.projectId, b.projectId].sort());
	const signedInA = expectStatus(await inA.client.signIn(inA.authenticator, "ada@example.com"), 200);
	const signedInB = expectStatus(await inB.client.signIn(inB.authenticator, "ada@example.com"), 200);
	expect(signedInA.user.userId).toBe(userA);
	expect(signedInB.user.userId).toBe(userB);
});

it("registering an id another project holds answers as a fresh id does", async () => {
	const a = await newProject();
	const b = await newProject();
	const id = newCredentialId();
	expectStatus((await signUpWith(a, "ada@example.com", id)).res, 200);
	const taken = (await signUpWith(b, "bob@example.com", id)).res;
	const fresh = (await signUpWith(b, "carol@example.com", newCredentialId())).res;
	expect(taken.status, JSON.stringify(taken.body)).toBe(200);
	expect(Object.keys(taken.body).sort()).toEqual(Object.keys(fresh.body).sort());
});

it("within one project a credential id is still refused the second time", async () => {
	const p = await newProject();
	const id = newCredentialId();
	expectStatus((await signUpWith(p, "ada@example.com", id)).res, 200);
	const again = (await signUpWith(p, "bob@example.com", id)).res;
	expectDescopeError(again, 409, again.body.errorCode);
	expect((await mgmt(p).get("/v1/mgmt/user?loginId=bob@example.com")).status).toBe(404);
});

it("another project's key under the same credential id does not sign in", async () => {
	const a = await newProject();
	const b = await newProject();
	const id = newCredentialId();
	const inA = await signUpWith(a, "ada@example.com", id);
	expectStatus(inA.res, 200);
	expectStatus((await signUpWith(b, "ada@example.com", id)).res, 200);
	// A's authenticator (A's private key) against project B, which holds another key for the id.
	const clientB = passkeyClient(b.projectId);
	const res = await clientB.signIn(inA.authenticator, "ada@example.com");
	expectDescopeError(res, 401, "E011401");
	expect(res.body.sessionJwt).toBeUndefined();
});

it("removing a passkey in one project leaves the same id in another", async () => {
	const a = await newProject();
	const b = await newProject();
	const id = newCredentialId();
	const inA = await signUpWith(a, "ada@example.com", id);
	expectStatus(inA.res, 200);
	expectStatus((await signUpWith(b, "ada@example.com", id)).res, 200);
	expectStatus(
		await mgmt(b).post("/v1/mgmt/user/passkey/delete", {
			loginId: "ada@example.com",
			credentialId: b64url(id),
		}),
		200,
	);
	expect((await passkeyRows(id)).results.map((r) => r.project_id)).toEqual([a.projectId]);
	expectStatus(await inA.client.signIn(inA.authenticator, "ada@example.com"), 200);
});

it("a sign-up refused for a taken credential id writes nothing: no user, no change row", async () => {
	const p = await newProject();
	const id = newCredentialId();
	expectStatus((await signUpWith(p, "ada@example.com", id)).res, 200);
	const again = (await signUpWith(p, "eve@example.com", id)).res;
	expect(again.status, JSON.stringify(again.body)).toBe(409);
	const rows = await env.DB.prepare(
		"SELECT action FROM change_log WHERE project_id = ? AND login_id = 'eve@example.com' AND action <> 'request.failed'",
	)
		.bind(p.projectId)
		.all();
	expect(rows.results, JSON.stringify(rows.results)).toEqual([]);
	const users = await env.DB.prepare("SELECT count(*) AS n FROM users WHERE project_id = ?")
		.bind(p.projectId)
		.first<{ n: number }>();
	expect(users?.n).toBe(1);
});
