import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

it("answers /health without touching storage", async () => {
	const res = await exports.default.fetch("http://roster.test/health");
	expect(res.status).toBe(200);
	expect(await res.json()).toEqual({ ok: true });
});
