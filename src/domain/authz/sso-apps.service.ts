import { type SQL, sql } from "drizzle-orm";
import { all, batch } from "../../db/sql";
import { randomBase62 } from "../../lib/ids";
import { changesOf, commit, removedFields, whenPreconditionFails } from "../commit";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { checkLength } from "../input-limits";
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, MAX_URL_LENGTH } from "../limits";
import { assertNotReadOnly } from "../scope";

// The registry of SSO applications users can be assigned to. Roster records the applications
// and who may use them; it does not act as their identity provider.

export interface SsoApp {
	id: string;
	name: string;
	description: string;
	appType: string;
	enabled: boolean;
	logo: string;
	settings: { loginPageUrl?: string; forceAuthentication?: boolean };
	createdAt: number;
}

export interface OidcAppInput {
	id?: string;
	name: string;
	loginPageUrl: string;
	description?: string;
	logo?: string;
	enabled?: boolean;
	forceAuthentication?: boolean;
}

const APP_ID = /^[A-Za-z0-9_.-]{1,100}$/;

const appSelect = (
	where: SQL,
) => sql`SELECT id, name, description, app_type AS appType, enabled, logo, settings,
	created_at AS createdAt FROM sso_apps WHERE ${where} ORDER BY created_at, id`;

const toApp = (row: Record<string, unknown>): SsoApp => ({
	id: row.id as string,
	name: row.name as string,
	description: row.description as string,
	appType: row.appType as string,
	enabled: row.enabled === 1,
	logo: row.logo as string,
	settings: JSON.parse(row.settings as string),
	createdAt: Number(row.createdAt),
});

function checkInput(input: OidcAppInput) {
	const name = input.name?.trim();
	if (!name) throw new DomainError("missing_argument", "name is required", "name");
	checkLength("name", name, MAX_NAME_LENGTH);
	checkLength("description", input.description, MAX_DESCRIPTION_LENGTH);
	checkLength("logo", input.logo, MAX_URL_LENGTH);
	if (!input.loginPageUrl)
		throw new DomainError("missing_argument", "loginPageUrl is required", "loginPageUrl");
	checkLength("loginPageUrl", input.loginPageUrl, MAX_URL_LENGTH);
	const url = URL.canParse(input.loginPageUrl) ? new URL(input.loginPageUrl) : null;
	if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
		throw invalid("loginPageUrl", "must be an absolute http(s) URL");
	}
	return {
		name,
		settings: { loginPageUrl: input.loginPageUrl, forceAuthentication: input.forceAuthentication ?? false },
	};
}

/** The fields a change row shows for an application. */
const recorded = (a: Omit<SsoApp, "id" | "createdAt">) => ({
	name: a.name,
	description: a.description,
	appType: a.appType,
	enabled: a.enabled,
	logo: a.logo,
	settings: a.settings,
});

export async function createOidcApp(deps: Deps, projectId: string, input: OidcAppInput) {
	const { name, settings } = checkInput(input);
	const id = input.id?.trim() || `app-${randomBase62(20)}`;
	if (!APP_ID.test(id)) throw invalid("id", "use 1 to 100 letters, digits, '_', '-', '.'");
	const after = recorded({
		name,
		description: input.description ?? "",
		appType: "oidc",
		enabled: input.enabled ?? true,
		logo: input.logo ?? "",
		settings,
	});
	await commit(deps, projectId, {
		statements: [
			sql`INSERT INTO sso_apps (project_id, id, name, description, app_type, enabled, logo, settings, created_at)
				VALUES (${projectId}, ${id}, ${name}, ${after.description}, 'oidc', ${Number(after.enabled)},
					${after.logo}, ${JSON.stringify(settings)}, ${deps.now()})`,
		],
		entries: [{ action: "sso_app.created", target: { type: "sso_app", id }, changes: changesOf({}, after) }],
	}).catch((error) => {
		// The commit names the field; the id the caller chose says which application.
		if (error instanceof DomainError && error.code === "conflict" && error.field === "id") {
			throw new DomainError("conflict", `An SSO application with id "${id}" already exists`, "id");
		}
		throw error;
	});
	return id;
}

export async function updateOidcApp(deps: Deps, projectId: string, id: string, input: OidcAppInput) {
	const { name, settings } = checkInput(input);
	// A read-only key is refused here as the write would refuse it, not told whether the app exists.
	assertNotReadOnly(deps);
	const before = await loadApp(deps, projectId, id);
	const after = recorded({
		...before,
		name,
		description: input.description ?? "",
		enabled: input.enabled ?? true,
		logo: input.logo ?? "",
		settings,
	});
	await commit(deps, projectId, {
		// Deleted since it was read: nothing is written, not even the update's change row.
		preconditions: [sql`SELECT 1 FROM sso_apps WHERE project_id = ${projectId} AND id = ${id}`],
		statements: [
			sql`UPDATE sso_apps SET name = ${name}, description = ${after.description},
					enabled = ${Number(after.enabled)}, logo = ${after.logo}, settings = ${JSON.stringify(settings)}
				WHERE project_id = ${projectId} AND id = ${id}`,
		],
		entries: [
			{
				action: "sso_app.updated",
				target: { type: "sso_app", id },
				changes: changesOf(recorded(before), after),
			},
		],
	}).catch(
		whenPreconditionFails(() => new DomainError("not_found", `SSO application "${id}" not found`, "id")),
	);
}

/** Users lose the application in the same batch (foreign key cascade); their version moves on. */
export async function deleteApp(deps: Deps, projectId: string, id: string) {
	// A read-only key is refused as the write would refuse it, whether or not the app exists.
	assertNotReadOnly(deps);
	const [found, holders] = await batch(deps.d1, [
		appSelect(sql`project_id = ${projectId} AND id = ${id}`),
		sql`SELECT count(*) AS n FROM user_sso_apps WHERE project_id = ${projectId} AND app_id = ${id}`,
	]);
	// Deleting an application that is not there changes nothing.
	if (!found?.[0]) return;
	await commit(deps, projectId, {
		statements: [
			sql`UPDATE users SET modified_at = ${deps.now()}, version = version + 1
				WHERE +project_id = ${projectId} AND id IN (SELECT user_id FROM user_sso_apps
					WHERE project_id = ${projectId} AND app_id = ${id})`,
			sql`DELETE FROM sso_apps WHERE project_id = ${projectId} AND id = ${id}`,
		],
		entries: [
			{
				action: "sso_app.deleted",
				target: { type: "sso_app", id },
				changes: removedFields(recorded(toApp(found[0]))),
				// Its users lose it in the same batch (foreign key cascade).
				data: { holders: Number(holders?.[0]?.n ?? 0) },
			},
		],
	});
}

export async function loadApp(deps: Deps, projectId: string, id: string) {
	const rows = await all<Record<string, unknown>>(
		deps.d1,
		appSelect(sql`project_id = ${projectId} AND id = ${id}`),
	);
	if (!rows[0]) throw new DomainError("not_found", `SSO application "${id}" not found`, "id");
	return toApp(rows[0]);
}

export async function listApps(deps: Deps, projectId: string) {
	return (await all<Record<string, unknown>>(deps.d1, appSelect(sql`project_id = ${projectId}`))).map(toApp);
}
