import { describe, expect, it } from "vitest";
import { call, expectDescopeError, newProject, operatorHeaders } from "./harness";
import { authGet, configureProject, signUp } from "./support/sessions";

// PATCH /v1/operator/projects/{id} takes part of a password policy and keeps the rest (docs/management-keys.md).

const DEFAULT_POLICY = {
	minLength: 8,
	lowercase: false,
	uppercase: false,
	number: false,
	nonAlphanumeric: false,
};

const patch = (projectId: string, body: unknown) =>
	call("PATCH", `/v1/operator/projects/${projectId}`, { body, headers: operatorHeaders });

describe("partial password policy", () => {
	it("one rule changes that rule only", async () => {
		const p = await newProject();
		const project = await configureProject(p, { passwordPolicy: { minLength: 12 } });
		expect(project.passwordPolicy).toEqual({ ...DEFAULT_POLICY, minLength: 12 });
		const served = await authGet(p, "/v1/auth/password/policy");
		expect(served.body, JSON.stringify(served.body)).toEqual({ ...DEFAULT_POLICY, minLength: 12 });
	});

	it("a second partial change keeps the first", async () => {
		const p = await newProject();
		await configureProject(p, { passwordPolicy: { minLength: 12 } });
		const project = await configureProject(p, { passwordPolicy: { uppercase: true } });
		expect(project.passwordPolicy).toEqual({ ...DEFAULT_POLICY, minLength: 12, uppercase: true });
	});

	it("the merged policy is enforced", async () => {
		const p = await newProject();
		await configureProject(p, { passwordPolicy: { number: true } });
		expectDescopeError(await signUp(p, "nonumber", "no-digits-here"), 400, "E011004", "password");
		const ok = await signUp(p, "digits", "has-digits-42");
		expect(ok.status, JSON.stringify(ok.body)).toBe(200);
	});

	it("a wrong rule is refused naming it, and nothing changes", async () => {
		const p = await newProject();
		expectDescopeError(
			await patch(p.projectId, { passwordPolicy: { minLength: 0 } }),
			400,
			"E011004",
			"passwordPolicy.minLength",
		);
		expectDescopeError(
			await patch(p.projectId, { passwordPolicy: { uppercase: "yes" } }),
			400,
			"E011004",
			"passwordPolicy.uppercase",
		);
		const served = await authGet(p, "/v1/auth/password/policy");
		expect(served.body, JSON.stringify(served.body)).toEqual(DEFAULT_POLICY);
	});

	it("an empty policy changes nothing", async () => {
		const p = await newProject();
		const project = await configureProject(p, { passwordPolicy: {} });
		expect(project.passwordPolicy).toEqual(DEFAULT_POLICY);
	});
});
