// The official @descope/node-sdk against Roster: management keys and the license handshake
// (docs/management-keys.md).
import { expect, it } from "vitest";
import {
	expectError,
	expectOk,
	nowSeconds,
	recordingFetch,
	recordingLogger,
	sdkFor,
	setupProject,
	sleep,
	type TestProject,
} from "./harness.js";

/** Whether a client holding `managementKey` can make a management call. */
async function keyWorks(project: TestProject, managementKey: string, refusedWith = 401) {
	const res = await sdkFor(project, { managementKey }).management.user.search({});
	if (!res.ok) {
		expectError(res);
		// A missing or invalid key is a 401, a valid one used where it may not a 403 (docs/descope-compat.md).
		expect(res.code, JSON.stringify(res.error)).toBe(refusedWith);
	}
	return res.ok;
}

const expectKeyShape = (key: any) =>
	expect(key, JSON.stringify(key)).toMatchObject({
		id: expect.any(String),
		name: expect.any(String),
		description: expect.any(String),
		status: expect.stringMatching(/^(active|inactive)$/),
		createdTime: expect.any(Number),
		expireTime: expect.any(Number),
	});

it("managementKey.create returns the key and its cleartext once; the cleartext works as a management key", async () => {
	const { project, sdk } = await setupProject();
	const created = expectOk(await sdk.management.managementKey.create("ci", {}, "for CI"));
	expectKeyShape(created.key);
	expect(created.key).toMatchObject({ name: "ci", description: "for CI", status: "active", expireTime: 0 });
	expect(Math.abs(created.key.createdTime - nowSeconds()), "createdTime in seconds").toBeLessThan(300);
	expect(created.cleartext, JSON.stringify(created)).toEqual(expect.any(String));
	expect(created.cleartext.length).toBeGreaterThanOrEqual(20);
	expect(created.cleartext).not.toContain(":");

	expect(await keyWorks(project, created.cleartext)).toBe(true);
	const viaNewKey = sdkFor(project, { managementKey: created.cleartext });
	const user = expectOk(await viaNewKey.management.user.create("made-with-new-key"));
	expect(expectOk(await sdk.management.user.load(user.userId)).loginIds).toEqual(["made-with-new-key"]);
});

it("managementKey.create honours expiresIn (seconds) and permittedIps", async () => {
	const { sdk } = await setupProject();
	const created = expectOk(
		await sdk.management.managementKey.create("short", {}, undefined, 3600, ["10.0.0.0/8", "2001:db8::/32"]),
	);
	expect(Math.abs(created.key.expireTime - (nowSeconds() + 3600)), JSON.stringify(created)).toBeLessThan(300);
	expect(created.key.permittedIps).toEqual(["10.0.0.0/8", "2001:db8::/32"]);
	expectError(await sdk.management.managementKey.create("", {}));
});

it("a key stops working once its expiresIn has passed", async () => {
	const { project, sdk } = await setupProject();
	const { cleartext } = expectOk(await sdk.management.managementKey.create("brief", {}, undefined, 1));
	expect(await keyWorks(project, cleartext)).toBe(true);
	await sleep(2_200);
	expect(await keyWorks(project, cleartext)).toBe(false);
});

it("permittedIps admit only the listed addresses and ranges", async () => {
	const { project, sdk } = await setupProject();
	const elsewhere = expectOk(
		await sdk.management.managementKey.create("elsewhere", {}, "", 0, ["192.0.2.0/24"]),
	);
	expect(await keyWorks(project, elsewhere.cleartext, 403)).toBe(false);
	// The suite talks to the Worker over loopback, v4 or v6.
	const local = expectOk(
		await sdk.management.managementKey.create("local", {}, "", 0, [
			"127.0.0.0/8",
			"::1/128",
			"::ffff:127.0.0.1",
		]),
	);
	expect(await keyWorks(project, local.cleartext)).toBe(true);
	// Narrowing an existing key takes effect at once.
	expectOk(await sdk.management.managementKey.update(local.key.id, "local", "", "active", ["198.51.100.7"]));
	expect(await keyWorks(project, local.cleartext, 403)).toBe(false);
});

it("managementKey.load and search return keys without any secret", async () => {
	const { project, sdk } = await setupProject();
	const created = expectOk(await sdk.management.managementKey.create("reader", {}, "r"));
	const loaded = expectOk(await sdk.management.managementKey.load(created.key.id));
	expectKeyShape(loaded);
	expect(loaded).toMatchObject({ id: created.key.id, name: "reader", description: "r", status: "active" });

	const keys = expectOk(await sdk.management.managementKey.search());
	expect(keys.length, JSON.stringify(keys)).toBeGreaterThanOrEqual(2);
	for (const key of keys) expectKeyShape(key);
	expect(keys.map((k) => k.id)).toContain(created.key.id);
	const wire = JSON.stringify(keys) + JSON.stringify(loaded);
	expect(wire).not.toContain(created.cleartext);
	expect(wire).not.toContain(project.managementKey);

	expectError(await sdk.management.managementKey.load("no-such-key"));
});

it("a deactivated key stops working at once and works again when reactivated", async () => {
	const { project, sdk } = await setupProject();
	const { key, cleartext } = expectOk(await sdk.management.managementKey.create("toggle", {}));
	expect(await keyWorks(project, cleartext)).toBe(true);

	const updated = expectOk(
		await sdk.management.managementKey.update(key.id, "toggled", "now off", "inactive", ["192.0.2.0/24"]),
	);
	expectKeyShape(updated);
	expect(updated).toMatchObject({
		id: key.id,
		name: "toggled",
		description: "now off",
		status: "inactive",
		permittedIps: ["192.0.2.0/24"],
	});
	expect(await keyWorks(project, cleartext)).toBe(false);
	expect(expectOk(await sdk.management.managementKey.load(key.id)).status).toBe("inactive");

	expectOk(await sdk.management.managementKey.update(key.id, "toggled", "on again", "active", []));
	expect(await keyWorks(project, cleartext)).toBe(true);
});

it("a deleted key stops working and is gone from load and search", async () => {
	const { project, sdk } = await setupProject();
	const { key, cleartext } = expectOk(await sdk.management.managementKey.create("doomed", {}));
	expect(await keyWorks(project, cleartext)).toBe(true);

	const res = await sdk.management.managementKey.delete([key.id]);
	expect(res.ok, JSON.stringify(res)).toBe(true);
	expect(await keyWorks(project, cleartext)).toBe(false);
	expectError(await sdk.management.managementKey.load(key.id));
	const keys = expectOk(await sdk.management.managementKey.search());
	expect(keys.map((k) => k.id)).not.toContain(key.id);
	// The project's own key is untouched.
	expect(await keyWorks(project, project.managementKey)).toBe(true);
});

it("a key of one project cannot manage another project's keys", async () => {
	const a = await setupProject();
	const b = await setupProject();
	const { key, cleartext } = expectOk(await b.sdk.management.managementKey.create("b-key", {}));
	expectError(await a.sdk.management.managementKey.load(key.id));
	await a.sdk.management.managementKey.delete([key.id]);
	await a.sdk.management.managementKey.update(key.id, "hijacked", "", "inactive");
	expect(await keyWorks(b.project, cleartext)).toBe(true);
	expect(expectOk(await b.sdk.management.managementKey.load(key.id)).name).toBe("b-key");
});

it("wrong, missing or malformed management keys get {ok:false} with a Descope error", async () => {
	const { project } = await setupProject();
	expect(await keyWorks(project, "not-a-real-key")).toBe(false);
	expect(
		await keyWorks({ ...project, projectId: "P000000000000000000000000000" }, project.managementKey),
	).toBe(false);
	// No managementKey at all: the bearer is just the project id.
	const anonymous = sdkFor(project, { managementKey: "" });
	expectError(await anonymous.management.user.search({}));
});

it("the license handshake succeeds: no warning, and later calls carry x-descope-license", async () => {
	const { project } = await setupProject();
	const log = recordingLogger();
	const recorder = recordingFetch();
	const sdk = sdkFor(project, { logger: log.logger, fetch: recorder.fetch });
	// The handshake is fired, not awaited, during construction.
	for (let i = 0; i < 100 && !recorder.calls.some((c) => c.url.endsWith("/v1/mgmt/license")); i++)
		await sleep(20);
	const handshake = recorder.calls.find((c) => c.url.endsWith("/v1/mgmt/license"));
	expect(handshake, JSON.stringify(recorder.calls)).toBeDefined();
	expect(handshake!.method).toBe("GET");
	expect(handshake!.headers.authorization).toBe(`Bearer ${project.projectId}:${project.managementKey}`);
	expect(handshake!.status, handshake!.body).toBe(200);
	const tier = JSON.parse(handshake!.body).rateLimitTier;
	expect(typeof tier === "string" && tier.length > 0, handshake!.body).toBe(true);
	await sleep(50);

	expectOk(await sdk.management.user.search({}));
	const later = recorder.calls.find((c) => c.url.endsWith("/v2/mgmt/user/search"));
	expect(later?.headers["x-descope-license"], JSON.stringify(later)).toBe(tier);
	expect(log.warnings(), JSON.stringify(log.entries)).toEqual([]);
});

it("every answer the SDK reads is JSON, errors included", async () => {
	const { project } = await setupProject();
	const recorder = recordingFetch();
	const sdk = sdkFor(project, { fetch: recorder.fetch });
	await sdk.management.user.load("nobody");
	await sdk.management.user.create("");
	await sdk.management.user.delete("nobody");
	await sdk.management.managementKey.load("nobody");
	await sdkFor(project, { managementKey: "bad", fetch: recorder.fetch }).management.user.search({});
	expect(recorder.calls.length).toBeGreaterThanOrEqual(5);
	for (const call of recorder.calls) {
		expect(
			() => JSON.parse(call.body),
			`${call.method} ${call.url} -> ${call.status} ${call.body}`,
		).not.toThrow();
		if (call.status >= 400) {
			expect(JSON.parse(call.body), call.body).toMatchObject({
				errorCode: expect.stringMatching(/^E\d{6}$/),
				errorDescription: expect.any(String),
				errorMessage: expect.any(String),
			});
		}
	}
});
