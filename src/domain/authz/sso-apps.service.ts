import { type SQL, sql } from "drizzle-orm";
import { all, batch } from "../../db/sql";
import { randomBase62 } from "../../lib/ids";
import type { Deps } from "../deps";
import { DomainError, invalid } from "../errors";
import { checkLength } from "../input-limits";
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, MAX_URL_LENGTH } from "../limits";

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
		settings: JSON.stringify({
			loginPageUrl: input.loginPageUrl,
			forceAuthentication: input.forceAuthentication ?? false,
		}),
	};
}

export async function createOidcApp(deps: Deps, projectId: string, input: OidcAppInput) {
	const { name, settings } = checkInput(input);
	const id = input.id?.trim() || `app-${randomBase62(20)}`;
	if (!APP_ID.test(id)) throw invalid("id", "use 1 to 100 letters, digits, '_', '-', '.'");
	try {
		await batch(deps.d1, [
			sql`INSERT INTO sso_apps (project_id, id, name, description, app_type, enabled, logo, settings, created_at)
				VALUES (${projectId}, ${id}, ${name}, ${input.description ?? ""}, 'oidc', ${Number(input.enabled ?? true)},
					${input.logo ?? ""}, ${settings}, ${deps.now()})`,
		]);
	} catch (error) {
		if (String(error).includes("UNIQUE constraint failed")) {
			throw new DomainError("conflict", `An SSO application with id "${id}" already exists`, "id");
		}
		throw error;
	}
	return id;
}

export async function updateOidcApp(deps: Deps, projectId: string, id: string, input: OidcAppInput) {
	const { name, settings } = checkInput(input);
	const [rows] = await batch(deps.d1, [
		sql`UPDATE sso_apps SET name = ${name}, description = ${input.description ?? ""},
				enabled = ${Number(input.enabled ?? true)}, logo = ${input.logo ?? ""}, settings = ${settings}
			WHERE project_id = ${projectId} AND id = ${id} RETURNING id`,
	]);
	if (!rows?.length) throw new DomainError("not_found", `SSO application "${id}" not found`, "id");
}

/** Users lose the application in the same batch (foreign key cascade); their version moves on. */
export async function deleteApp(deps: Deps, projectId: string, id: string) {
	await batch(deps.d1, [
		sql`UPDATE users SET modified_at = ${deps.now()}, version = version + 1
			WHERE +project_id = ${projectId} AND id IN (SELECT user_id FROM user_sso_apps
				WHERE project_id = ${projectId} AND app_id = ${id})`,
		sql`DELETE FROM sso_apps WHERE project_id = ${projectId} AND id = ${id}`,
	]);
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
