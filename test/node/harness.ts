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
