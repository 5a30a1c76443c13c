// Retention (docs/audit.md): the scheduled handler deletes entries older than each project's
// activity_retention_days, in bounded chunks, and nothing else.
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { enforceRetention } from "../../src/domain/activity/activity.retention";
import worker from "../../src/index";
import { call, newProject, operatorHeaders, type TestProject } from "./harness";

const DAY = 86_400_000;

async function setRetention(p: TestProject, days: number) {
	const res = await call("PATCH", `/v1/operator/projects/${p.projectId}`, {
		body: { activityRetentionDays: days },
		headers: operatorHeaders,
	});
	expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** Old entries cannot be made through the API (it stamps now): written straight to the table. */
async function insertEntries(p: TestProject, action: string, at: number, count: number) {
	const rows = Array.from({ length: count }, () => ({ action, at }));
	await env.DB.prepare(
		`INSERT INTO change_log (project_id, at, action, actor_type)
		SELECT ?, j.value->>'at', j.value->>'action', 'system' FROM json_each(?) j`,
	)
		.bind(p.projectId, JSON.stringify(rows))
		.run();
}

async function actions(p: TestProject) {
	const rows = await env.DB.prepare(
		"SELECT action, count(*) AS n FROM change_log WHERE project_id = ? AND action IN ('Old', 'New') GROUP BY action ORDER BY action",
	)
		.bind(p.projectId)
		.all<{ action: string; n: number }>();
	return Object.fromEntries(rows.results.map((r) => [r.action, r.n]));
}

async function runScheduled(now: number) {
	await worker.scheduled(createScheduledController({ scheduledTime: now, cron: "*/15 * * * *" }), env);
}

it("the scheduled handler deletes a 1-day project's older entries; newer ones and other projects stay", async () => {
	const short = await newProject("retention");
	const other = await newProject("retention");
	await setRetention(short, 1);
	const now = Date.now();
	await insertEntries(short, "Old", now - 2 * DAY, 3);
	await insertEntries(short, "New", now - DAY / 2, 2);
	await insertEntries(other, "Old", now - 2 * DAY, 3);
	await runScheduled(now);
	expect(await actions(short)).toEqual({ New: 2 });
	expect(await actions(other)).toEqual({ Old: 3 });
});

it("the default retention is 90 days", async () => {
	const p = await newProject("retention");
	const now = Date.now();
	await insertEntries(p, "Old", now - 91 * DAY, 2);
	await insertEntries(p, "New", now - 89 * DAY, 2);
	await runScheduled(now);
	expect(await actions(p)).toEqual({ New: 2 });
});

it("a run deletes at most its chunk bound, one statement per chunk", async () => {
	const p = await newProject("retention");
	await setRetention(p, 1);
	const now = Date.now();
	await insertEntries(p, "Old", now - 3 * DAY, 7);
	const first = await enforceRetention(env.DB, now, { chunk: 2, statements: 2 });
	expect(first).toEqual({ deleted: 4, statements: 2 });
	expect(await actions(p)).toEqual({ Old: 3 });
	const rest = await enforceRetention(env.DB, now, { chunk: 2, statements: 5 });
	expect(rest).toEqual({ deleted: 3, statements: 2 });
	expect(await actions(p)).toEqual({});
});
