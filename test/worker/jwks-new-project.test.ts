// A project has its signing key from creation: a resource server fetching the JWKS at boot, before
// anyone has signed in, gets the key that later tokens are signed with.
import { env } from "cloudflare:workers";
import { createLocalJWKSet, jwtVerify } from "jose";
import { expect, it } from "vitest";
import { newProject } from "./harness";
import { jwksOf, signedUp } from "./support/sessions";

it("GET /v2/keys right after project creation has one key", async () => {
	const p = await newProject();
	const jwks = await jwksOf(p);
	expect(jwks.keys, JSON.stringify(jwks)).toHaveLength(1);
	expect(jwks.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", kid: expect.any(String) });
	expect(Object.keys(jwks.keys[0] as object)).not.toContain("d");
});

it("a token signed later verifies against the keys fetched at creation", async () => {
	const p = await newProject();
	const atBoot = createLocalJWKSet((await jwksOf(p)) as Parameters<typeof createLocalJWKSet>[0]);
	const body = await signedUp(p, "first");
	await jwtVerify(body.sessionJwt, atBoot);
	await jwtVerify(body.refreshJwt, atBoot);
	expect((await jwksOf(p)).keys).toHaveLength(1);
});

it("the key is stored with the project as its one active key", async () => {
	const p = await newProject();
	const rows = await env.DB.prepare("SELECT status FROM signing_keys WHERE project_id = ?")
		.bind(p.projectId)
		.all<{ status: string }>();
	expect(rows.results).toEqual([{ status: "active" }]);
});

it("each project gets a key of its own", async () => {
	const a = await newProject();
	const b = await newProject();
	const [ka, kb] = [(await jwksOf(a)).keys[0], (await jwksOf(b)).keys[0]];
	expect(ka?.kid).not.toBe(kb?.kid);
	expect(ka?.n).not.toBe(kb?.n);
});
