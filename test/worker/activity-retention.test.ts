// Retention (docs/audit.md): the scheduled handler deletes entries older than each project's
// activity_retention_days, in bounded chunks, and nothing else.
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { enforceHistoryRetention, enforceRetention } from "../../src/domain/activity/activity.retention";
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

/** Old sign-ins cannot be made through the API either: written straight to login_history. */
async function insertSignIns(p: TestProject, at: number, count: number, outcome: string) {
	const rows = Array.from({ length: count }, () => ({ at, outcome }));
	await env.DB.prepare(
		`INSERT INTO login_history (project_id, user_id, login_id, at, method, outcome)
		SELECT ?, NULL, 'someone@example.com', j.value->>'at', 'password', j.value->>'outcome' FROM json_each(?) j`,
	)
		.bind(p.projectId, JSON.stringify(rows))
		.run();
}

async function signInOutcomes(p: TestProject) {
	const rows = await env.DB.prepare(
		"SELECT outcome, count(*) AS n FROM login_history WHERE project_id = ? GROUP BY outcome ORDER BY outcome",
	)
		.bind(p.projectId)
		.all<{ outcome: string; n: number }>();
	return Object.fromEntries(rows.results.map((r) => [r.outcome, r.n]));
}

it("sign-in history follows the same retention: the scheduled handler deletes older rows only", async () => {
	const short = await newProject("retention");
	const other = await newProject("retention");
	await setRetention(short, 1);
	const now = Date.now();
	await insertSignIns(short, now - 2 * DAY, 3, "old");
	await insertSignIns(short, now - DAY / 2, 2, "recent");
	await insertSignIns(other, now - 2 * DAY, 3, "old");
	await runScheduled(now);
	expect(await signInOutcomes(short)).toEqual({ recent: 2 });
	expect(await signInOutcomes(other)).toEqual({ old: 3 });
});

it("sign-in history is deleted in bounded chunks through (project_id, at)", async () => {
	const p = await newProject("retention");
	await setRetention(p, 1);
	const now = Date.now();
	await insertSignIns(p, now - 3 * DAY, 5, "old");
	expect(await enforceHistoryRetention(env.DB, now, { chunk: 2, statements: 2 })).toEqual({
		deleted: 4,
		statements: 2,
	});
	expect(await signInOutcomes(p)).toEqual({ old: 1 });
	const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN SELECT h.id FROM projects p CROSS JOIN login_history h
		WHERE h.project_id = p.id AND h.at < ?1 - p.activity_retention_days * 86400000 LIMIT 2`)
		.bind(now)
		.all<{ detail: string }>();
	const lines = plan.results.map((r) => r.detail).join("\n");
	expect(lines, lines).toMatch(
		/SEARCH h USING (COVERING )?INDEX login_history_project_at_idx \(project_id=\? AND at<\?\)/,
	);
});
