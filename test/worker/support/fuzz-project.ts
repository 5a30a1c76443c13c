// A project for one fuzz property: seeded with a user (with a password and a session), a tenant, a
// role and a custom attribute, so broken requests that name real rows reach real code.
import { call, expectStatus, mgmt, newProject, OPERATOR_KEY, type TestProject } from "../harness";
import type { Dialect, Operation, Pool } from "./fuzz-openapi";

export const SEED = {
	loginId: "fuzz@example.com",
	password: "Fuzz-password-1",
	tenantId: "fuzz-tenant",
	role: "fuzz-role",
	attribute: "plan",
};

export interface FuzzProject extends TestProject {
	userId: string;
	refreshJwt: string;
	pool: Pool;
}

export async function fuzzProject(name: string): Promise<FuzzProject> {
	const project = await newProject(name);
	const api = mgmt(project);
	expectStatus(
		await api.post("/v1/mgmt/user/customattribute/create", {
			attributes: [{ name: SEED.attribute, type: 1, displayName: "Plan" }],
		}),
		200,
	);
	expectStatus(await api.post("/v1/mgmt/tenant/create", { id: SEED.tenantId, name: "Fuzz tenant" }), 200);
	expectStatus(await api.post("/v1/mgmt/role/create", { name: SEED.role }), 200);
	const created = expectStatus(
		await api.post("/v1/mgmt/user/create", {
			loginId: SEED.loginId,
			email: SEED.loginId,
			displayName: "Fuzz",
			roleNames: [SEED.role],
			userTenants: [{ tenantId: SEED.tenantId }],
			customAttributes: { [SEED.attribute]: "gold" },
		}),
		200,
	);
	const userId: string = created.user.userId;
	expectStatus(
		await api.post("/v1/mgmt/user/password/set/active", { loginId: SEED.loginId, password: SEED.password }),
		200,
	);
	const signedIn = expectStatus(
		await call("POST", "/v1/auth/password/signin", {
			body: { loginId: SEED.loginId, password: SEED.password },
			headers: { authorization: `Bearer ${project.projectId}` },
		}),
		200,
	);
	const pool: Pool = (field) => {
		if (/^(userId|user_id|id)s?$/i.test(field)) return userId;
		if (/tenant/i.test(field)) return SEED.tenantId;
		if (/role/i.test(field)) return SEED.role;
		if (/attribute|key/i.test(field)) return SEED.attribute;
		if (/password/i.test(field)) return SEED.password;
		if (/origin/i.test(field)) return "https://app.example.com";
		if (/project/i.test(field)) return project.projectId;
		if (/refresh|token|jwt/i.test(field)) return signedIn.refreshJwt;
		if (/login|email|identifier|cid|external/i.test(field)) return SEED.loginId;
		return "x";
	};
	return { ...project, userId, refreshJwt: signedIn.refreshJwt, pool };
}

/** The headers that get a request past a dialect's authentication. */
export function authHeaders(dialect: Dialect, path: string, p: FuzzProject): Record<string, string> {
	switch (dialect) {
		case "v4":
		case "legacy":
			return { authorization: `Apikey ${p.managementKey}` };
		case "operator":
			return { authorization: `Bearer ${OPERATOR_KEY}` };
		case "descope":
			return /^\/v1\/auth\//.test(path)
				? { authorization: `Bearer ${p.projectId}:${p.refreshJwt}` }
				: { authorization: `Bearer ${p.projectId}:${p.managementKey}` };
	}
}

/** Path parameters of the seeded rows. */
export const pathValues = (p: FuzzProject): Record<string, string> => ({
	user_id: p.userId,
	projectId: p.projectId,
	email: SEED.loginId,
});

/**
 * What a refused request may still write: every sign-in attempt is recorded, failed ones too, and
 * enough failures lock the user out (docs/sessions.md).
 */
export const mayWrite = (op: Pick<Operation, "path">): { tables: string[]; columns: string[] } =>
	/^\/v1\/auth\//.test(op.path)
		? { tables: ["login_history"], columns: ["locked_until"] }
		: { tables: [], columns: [] };
