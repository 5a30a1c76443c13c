// REST v4 discovery: the user flags list and the OpenAPI document; and the E.123 rendering it documents.
import { describe, expect, it } from "vitest";
import { formatE123 } from "../../src/api/v4/phone-e123";
import { USER_FLAGS } from "../../src/domain/users/user-flags";
import { parseInternationalPhone } from "../../src/lib/phone";
import { newProject } from "./harness";
import { expectStatus, send, V4, v4 } from "./v4-harness";

describe("GET /user_flags", () => {
	it("lists every flag as a user_flags resource", async () => {
		const p = await newProject();
		const body = expectStatus(await v4(p).get(`${V4}/user_flags`), 200);
		expect(body.data).toEqual(
			Object.entries(USER_FLAGS).map(([id, description]) => ({
				type: "user_flags",
				id,
				attributes: { description },
			})),
		);
		expect(body.data.map((f: any) => f.id)).toContain("LICENSE_PURCHASE_RESTRICTED");
	});
});

describe("GET /openapi.json", () => {
	it("is public and documents every operation, the Apikey scheme and the flag enum", async () => {
		const res = await send("GET", `${V4}/openapi.json`);
		const doc = expectStatus(res, 200);
		expect(doc.openapi).toBe("3.1.0");
		expect(Object.keys(doc.paths).sort()).toEqual(
			[
				`${V4}/user_flags`,
				`${V4}/users`,
				`${V4}/users/{user_id}`,
				`${V4}/users/{user_id}/default_user_profile`,
				`${V4}/users/{user_id}/relationships/default_user_profile`,
			].sort(),
		);
		expect(Object.keys(doc.paths[`${V4}/users`])).toEqual(expect.arrayContaining(["get", "post"]));
		expect(Object.keys(doc.paths[`${V4}/users/{user_id}`])).toEqual(
			expect.arrayContaining(["get", "patch", "delete"]),
		);
		expect(doc.components.securitySchemes.Apikey).toMatchObject({ type: "apiKey", name: "Authorization" });
		expect(doc.components.schemas.UserFlag.enum).toEqual(Object.keys(USER_FLAGS));
		expect(doc.paths[`${V4}/users`].post.requestBody.content).toHaveProperty(["application/vnd.api+json"]);
	});
});

describe("E.123 rendering", () => {
	it.each([
		["+14155550100", "+1 415 555 0100"],
		["+74951234567", "+7 495 123 4567"],
		["+442079460958", "+44 207 946 0958"],
		["+6561234567", "+65 6123 4567"],
		["+35312345678", "+353 1234 5678"],
		["+6834002", "+683 4002"],
		["+2259876543210", "+225 987 654 3210"],
	])("%s → %s", (e164, e123) => {
		expect(formatE123(e164)).toBe(e123);
		expect(parseInternationalPhone(e123)).toEqual({ ok: true, e164 });
	});
});
