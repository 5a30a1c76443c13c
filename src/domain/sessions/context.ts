import { sql } from "drizzle-orm";
import type { Deps } from "../deps";
import { projectSql, toProject as toProjectRow } from "../projects/projects.repo";
import type { Project } from "../projects/projects.service";

/**
 * The deps an end-user flow commits with: the actor is the user the request is about (null when
 * the login id names nobody), so its change rows say who signed in, out or failed (docs/audit.md).
 */
export const asUser = (deps: Deps, userId: string | null): Deps => ({
	...deps,
	actor: { type: "user", id: userId, name: null },
});

/** The project row with its session and password settings, for a read batch. */
export const projectQuery = projectSql;

export function toProject(rows: Record<string, unknown>[] | undefined): Project | null {
	const r = rows?.[0];
	return r ? toProjectRow(r) : null;
}

/** Where a request came from, for the sign-in history. */
export interface RequestInfo {
	issuer: string;
	ip: string;
	city: string;
	country: string;
	userAgent: string;
}

export const historyStatement = (
	projectId: string,
	entry: {
		userId: string | null;
		loginId: string;
		method: string;
		outcome: string;
		tenant?: string;
		at: number;
	},
	info: RequestInfo,
) =>
	sql`INSERT INTO login_history (project_id, user_id, login_id, at, ip, city, country, user_agent, method, outcome, selected_tenant)
		VALUES (${projectId}, ${entry.userId}, ${entry.loginId}, ${entry.at}, ${info.ip}, ${info.city}, ${info.country},
			${info.userAgent.slice(0, 512)}, ${entry.method}, ${entry.outcome}, ${entry.tenant ?? ""})`;
