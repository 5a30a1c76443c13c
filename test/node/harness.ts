// Helpers shared by the Node suites: a fresh project per test and the official Descope SDK pointed at it.
import DescopeClient from "@descope/node-sdk";
import { expect, inject } from "vitest";

export interface TestProject {
	projectId: string;
	managementKey: string;
}

export type Sdk = ReturnType<typeof DescopeClient>;

export const baseUrl = () => inject("baseUrl");
export const operatorKey = () => inject("operatorKey");

let projectCounter = 0;

/** Creates a project through the operator API; every test makes its own. */
export async function newProject(name = `node-test-${++projectCounter}`): Promise<TestProject> {
	const res = await fetch(`${baseUrl()}/v1/operator/projects`, {
		method: "POST",
		headers: { Authorization: `Bearer ${operatorKey()}`, "Content-Type": "application/json" },
		body: JSON.stringify({ name }),
	});
	const text = await res.text();
	expect(res.status, `POST /v1/operator/projects: ${text}`).toBe(201);
	const body = JSON.parse(text);
	expect(body, text).toMatchObject({ projectId: expect.any(String), managementKey: expect.any(String) });
	return { projectId: body.projectId, managementKey: body.managementKey };
}

/** Records what the SDK logs, so a test can assert it stayed quiet (e.g. no "License handshake failed"). */
export function recordingLogger() {
	const entries: { level: "debug" | "log" | "warn" | "error"; args: unknown[] }[] = [];
	const at =
		(level: (typeof entries)[number]["level"]) =>
		(...args: unknown[]) => {
			entries.push({ level, args });
		};
	return {
		entries,
		warnings: () => entries.filter((e) => e.level === "warn" || e.level === "error"),
		logger: { debug: at("debug"), log: at("log"), warn: at("warn"), error: at("error") },
	};
}

export interface RecordedCall {
	method: string;
	url: string;
	headers: Record<string, string>;
	status: number;
	body: string;
}

/** A `fetch` for the SDK's `fetch` option that records every request and response. */
export function recordingFetch() {
	const calls: RecordedCall[] = [];
	const recorded: typeof fetch = async (input, init) => {
		const request = new Request(input, init);
		const res = await fetch(request.clone());
		const body = await res.clone().text();
		calls.push({
			method: request.method,
			url: request.url,
			headers: Object.fromEntries(request.headers),
			status: res.status,
			body,
		});
		return res;
	};
	return { calls, fetch: recorded };
}

type SdkOptions = Omit<Parameters<typeof DescopeClient>[0], "projectId" | "managementKey" | "baseUrl">;

/** The unmodified SDK, pointed at the Worker with the project's management key (or another key). */
export function sdkFor(project: TestProject, options: SdkOptions & { managementKey?: string } = {}): Sdk {
	const { managementKey = project.managementKey, ...rest } = options;
	return DescopeClient({ projectId: project.projectId, managementKey, baseUrl: baseUrl(), ...rest });
}

/** A project and an SDK client for it, the usual start of a test. */
export async function setupProject(name?: string) {
	const project = await newProject(name);
	return { project, sdk: sdkFor(project) };
}

/** Asserts `{ok: true}` and returns `data`; the failure message carries the whole response. */
export function expectOk<T>(res: { ok: boolean; data?: T; error?: unknown; code?: number }): T {
	expect(res.ok, JSON.stringify({ code: res.code, error: res.error, data: res.data })).toBe(true);
	return res.data as T;
}

/** Asserts `{ok: false}` with a Descope error body carrying the given code. */
export function expectError(
	res: { ok: boolean; data?: unknown; error?: any; code?: number },
	errorCode?: string,
) {
	const message = JSON.stringify({ code: res.code, error: res.error, data: res.data });
	expect(res.ok, message).toBe(false);
	expect(res.error, message).toMatchObject({
		errorCode: errorCode ?? expect.stringMatching(/^E\d{6}$/),
		errorDescription: expect.any(String),
		errorMessage: expect.any(String),
	});
	expect(res.error.errorMessage, message).not.toBe("");
	return res.error as { errorCode: string; errorDescription: string; errorMessage: string };
}

/** A unique login id / email inside one project. */
let uniqueCounter = 0;
export const unique = (prefix = "user") => `${prefix}-${Date.now().toString(36)}-${++uniqueCounter}`;

/** Every field of the contract's ResponseUser (§2), with its JSON type. */
const USER_FIELD_TYPES = {
	loginIds: "string[]",
	userId: "string",
	name: "string",
	givenName: "string",
	middleName: "string",
	familyName: "string",
	email: "string",
	phone: "string",
	verifiedEmail: "boolean",
	verifiedPhone: "boolean",
	roleNames: "string[]",
	userTenants: "array",
	status: "string",
	externalIds: "string[]",
	picture: "string",
	test: "boolean",
	customAttributes: "object",
	createdTime: "integer",
	TOTP: "boolean",
	SAML: "boolean",
	SCIM: "boolean",
	OIDC: "boolean",
	OAuth: "object",
	webauthn: "boolean",
	password: "boolean",
	push: "boolean",
	ssoAppIds: "string[]",
	editable: "boolean",
	permissions: "string[]",
	consentExpiration: "integer",
	recoveryEmail: "string",
	recoveryPhone: "string",
	verifiedRecoveryEmail: "boolean",
	verifiedRecoveryPhone: "boolean",
} as const;

function hasType(value: unknown, type: (typeof USER_FIELD_TYPES)[keyof typeof USER_FIELD_TYPES]): boolean {
	switch (type) {
		case "string[]":
			return Array.isArray(value) && value.every((v) => typeof v === "string");
		case "array":
			return Array.isArray(value);
		case "object":
			return typeof value === "object" && value !== null && !Array.isArray(value);
		case "integer":
			return Number.isInteger(value);
		default:
			return typeof value === type;
	}
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Every §2 field present with its JSON type (also for `failedUsers[].user`, which has no id yet). */
export function expectUserFields(user: any) {
	const message = JSON.stringify(user);
	expect(user, message).toBeTypeOf("object");
	const wrong = Object.entries(USER_FIELD_TYPES)
		.filter(([field, type]) => !(field in user) || !hasType(user[field], type))
		.map(([field, type]) => `${field} (want ${type}, got ${JSON.stringify(user[field])})`);
	expect(wrong, `wrong or missing: ${wrong.join("; ")} in ${message}`).toEqual([]);
}

/**
 * Asserts the contract's user object: every §2 field present with its type, a `U…` id, a known status,
 * `externalIds` mirroring `loginIds`, `createdTime` in Unix seconds (near now unless told otherwise).
 */
export function expectUserShape(user: any, createdAround: number = nowSeconds()) {
	const message = JSON.stringify(user);
	expectUserFields(user);
	expect(user.userId, message).toMatch(/^U[A-Za-z0-9]{27}$/);
	expect(["enabled", "disabled", "invited"], message).toContain(user.status);
	expect(user.loginIds.length, message).toBeGreaterThan(0);
	expect(user.externalIds, message).toEqual(user.loginIds);
	// Seconds, not milliseconds: within a few minutes of the expected instant.
	expect(Math.abs(user.createdTime - createdAround), message).toBeLessThan(300);
	for (const tenant of user.userTenants) {
		expect(tenant, message).toMatchObject({
			tenantId: expect.any(String),
			roleNames: expect.any(Array),
			tenantName: expect.any(String),
			permissions: expect.any(Array),
		});
	}
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Custom attribute type numbers (Descope console order; the contract leaves the enum undocumented). */
export const AttributeType = {
	string: 1,
	number: 2,
	boolean: 3,
	singleSelect: 4,
	array: 5,
	date: 6,
} as const;

/** Defines the attributes most user tests use: plan (string), seats (number), beta (boolean), tags (array). */
export async function defineAttributes(sdk: Sdk) {
	const res = await sdk.management.user.createCustomAttributes([
		{ name: "plan", type: AttributeType.string, displayName: "Plan" },
		{ name: "seats", type: AttributeType.number, displayName: "Seats" },
		{ name: "beta", type: AttributeType.boolean, displayName: "Beta" },
		{ name: "tags", type: AttributeType.array, displayName: "Tags" },
	]);
	return expectOk(res);
}

// ---------------------------------------------------------------- tenants, roles, sessions (appended)

/** A client for the end-user auth functions only (no management key): what an app's backend builds. */
export function authSdkFor(project: TestProject, options: SdkOptions = {}): Sdk {
	return DescopeClient({ projectId: project.projectId, baseUrl: baseUrl(), ...options });
}

/** A password the default policy (min length 8) and the stricter ones tests set all accept. */
export const PASSWORD = "Corr3ct-Horse-Battery!";

/** Creates a tenant and returns its id. */
export async function createTenant(sdk: Sdk, name = unique("tenant")): Promise<string> {
	const res = expectOk(await sdk.management.tenant.create(name));
	expect(res?.id, JSON.stringify(res)).toEqual(expect.any(String));
	return res.id;
}

/** Every field of the contract's tenant object (§4.1), with its JSON type. */
export function expectTenantShape(tenant: any, createdAround: number = nowSeconds()) {
	const message = JSON.stringify(tenant);
	expect(tenant, message).toMatchObject({
		id: expect.any(String),
		name: expect.any(String),
		selfProvisioningDomains: expect.any(Array),
		customAttributes: expect.any(Object),
		authType: expect.stringMatching(/^(none|saml|oidc)$/),
		domains: expect.any(Array),
		createdTime: expect.any(Number),
		disabled: expect.any(Boolean),
		enforceSSO: expect.any(Boolean),
		enforceSSOExclusions: expect.any(Array),
		federatedAppIds: expect.any(Array),
		parent: expect.any(String),
		successors: expect.any(Array),
		defaultRoles: expect.any(Array),
		roleInheritance: expect.stringMatching(/^(|none|userOnly)$/),
	});
	expect(Number.isInteger(tenant.createdTime), message).toBe(true);
	expect(Math.abs(tenant.createdTime - createdAround), message).toBeLessThan(300);
}

/** Every field of the contract's role object (§4.2). */
export function expectRoleShape(role: any, createdAround: number = nowSeconds()) {
	const message = JSON.stringify(role);
	expect(role, message).toMatchObject({
		id: expect.any(String),
		name: expect.any(String),
		description: expect.any(String),
		permissionNames: expect.any(Array),
		createdTime: expect.any(Number),
		tenantId: expect.any(String),
		default: expect.any(Boolean),
		private: expect.any(Boolean),
	});
	expect(Number.isInteger(role.createdTime), message).toBe(true);
	expect(Math.abs(role.createdTime - createdAround), message).toBeLessThan(300);
}

/** Decodes a JWT's payload without verifying it (the SDK verifies; this is for looking). */
export function jwtClaims(jwt: string): Record<string, any> {
	const [, payload] = jwt.split(".");
	return JSON.parse(Buffer.from(payload!, "base64url").toString("utf8"));
}

/** Signs a new user up with a password; returns the SDK's data (session and refresh JWTs, user). */
export async function signUp(sdk: Sdk, loginId = unique("signup"), password = PASSWORD) {
	const data = expectOk(
		await sdk.password.signUp(loginId, password, { email: `${loginId}@example.com`, name: "Signed Up" }),
	);
	expect(data.sessionJwt, JSON.stringify(data)).toEqual(expect.any(String));
	expect(data.refreshJwt, JSON.stringify(data)).toEqual(expect.any(String));
	return { loginId, password, ...data, sessionJwt: data.sessionJwt, refreshJwt: data.refreshJwt! };
}

/** A management-created user with an active password, signed in; returns the SDK's sign-in data. */
export async function userWithSession(sdk: Sdk, options: Record<string, unknown> = {}) {
	const loginId = unique("session");
	const user = expectOk(await sdk.management.user.create(loginId, options));
	expectOk(await sdk.management.user.setActivePassword(loginId, PASSWORD));
	const data = expectOk(await sdk.password.signIn(loginId, PASSWORD));
	expect(data.refreshJwt, JSON.stringify(data)).toEqual(expect.any(String));
	return { loginId, user, ...data, sessionJwt: data.sessionJwt, refreshJwt: data.refreshJwt! };
}

/** Changes a project's session lifetimes, password policy or lockout through the operator API. */
export async function configureProject(project: TestProject, settings: Record<string, unknown>) {
	const res = await fetch(`${baseUrl()}/v1/operator/projects/${project.projectId}`, {
		method: "PATCH",
		headers: { Authorization: `Bearer ${operatorKey()}`, "Content-Type": "application/json" },
		body: JSON.stringify(settings),
	});
	const text = await res.text();
	expect(res.status, `PATCH /v1/operator/projects/${project.projectId}: ${text}`).toBe(200);
	return JSON.parse(text);
}

/**
 * The contract's JWTResponse (§5.1) as the SDK hands it back: both JWTs, the cookie fields, the user,
 * and the `DSR` cookie the SDK builds from `refreshJwt` (§5.3).
 */
export function expectJwtResponse(data: any) {
	const message = JSON.stringify(data);
	expect(data, message).toMatchObject({
		sessionJwt: expect.any(String),
		refreshJwt: expect.any(String),
		cookieDomain: expect.any(String),
		cookiePath: expect.any(String),
		cookieMaxAge: expect.any(Number),
		cookieExpiration: expect.any(Number),
		sessionExpiration: expect.any(Number),
		firstSeen: expect.any(Boolean),
		user: expect.any(Object),
	});
	expect(data.sessionJwt.split("."), message).toHaveLength(3);
	expect(data.refreshJwt.split("."), message).toHaveLength(3);
	// Unix seconds in the future, not milliseconds.
	expect(data.sessionExpiration, message).toBeGreaterThan(nowSeconds());
	expect(data.sessionExpiration, message).toBeLessThan(nowSeconds() + 366 * 86_400);
	expect(data.cookieExpiration, message).toBeGreaterThanOrEqual(data.sessionExpiration);
	expect(data.cookies, message).toEqual([expect.stringMatching(new RegExp(`^DSR=${data.refreshJwt};`))]);
	expectUserShape(data.user, data.user.createdTime);
	const session = jwtClaims(data.sessionJwt);
	expect(session, message).toMatchObject({ sub: data.user.userId, drn: "DS", exp: data.sessionExpiration });
	expect(jwtClaims(data.refreshJwt), message).toMatchObject({ sub: data.user.userId, drn: "DSR" });
}

/** Rotates the project's JWT signing key through the operator API; the new key signs after the delay. */
export async function rotateSigningKey(project: TestProject, activateAfterSeconds: number) {
	const path = `/v1/operator/projects/${project.projectId}/signing-keys/rotate`;
	const res = await fetch(`${baseUrl()}${path}`, {
		method: "POST",
		headers: { Authorization: `Bearer ${operatorKey()}`, "Content-Type": "application/json" },
		body: JSON.stringify({ activateAfterSeconds }),
	});
	const text = await res.text();
	expect(res.status, `POST ${path}: ${text}`).toBe(200);
	return JSON.parse(text) as { kid: string; activateTime: number };
}
