import { type SQL, sql } from "drizzle-orm";
import type { D1Handle } from "../../db/client";
import { all } from "../../db/sql";
import { membersOnly } from "../scope";
import { asUserId, identifierKey, isUserIdShaped } from "./identifiers";
import type { User, UserStatus } from "./user.types";

// Raw SQL on purpose: the user object is one row built by SQLite (JSON columns, subqueries) so
// that every read is a single statement. Every function takes the project id.

interface UserRow {
	id: string;
	project_id: string;
	login_ids: string;
	name: string | null;
	given_name: string | null;
	middle_name: string | null;
	family_name: string | null;
	email: string | null;
	phone: string | null;
	verified_email: number;
	verified_phone: number;
	picture: string | null;
	status: UserStatus;
	test: number;
	custom_attributes: string;
	external_id: string | null;
	user_flags: string;
	created_at: number;
	modified_at: number;
	registration_time: number | null;
	locked_until: number | null;
	version: number;
	password_state: "active" | "temporary" | "expired" | null;
	passkey_count: number;
	last_sign_in: number | null;
	oauth_providers: string;
	sso_linked: number;
	scim_provisioned: number;
	role_names: string;
	permissions: string;
	tenants: string;
	sso_app_ids: string;
}

const BASE_COLUMNS = [
	"id",
	"project_id",
	"login_ids",
	"name",
	"given_name",
	"middle_name",
	"family_name",
	"email",
	"phone",
	"verified_email",
	"verified_phone",
	"picture",
	"status",
	"test",
	"custom_attributes",
	"external_id",
	"user_flags",
	"created_at",
	"modified_at",
	"registration_time",
	"locked_until",
	"version",
]
	.map((c) => `u.${c}`)
	.join(", ");

// Roles, permissions, tenants and SSO apps are derived in the same statement, through indexes.
const rolesIn = (tenant: string) => `(SELECT json_group_array(r.name ORDER BY r.name) FROM user_roles ur
	JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id AND ur.tenant_id = ${tenant})`;
const permissionsIn = (
	tenant: string,
) => `(SELECT json_group_array(name ORDER BY name) FROM (SELECT DISTINCT p.name
	FROM user_roles ur JOIN role_permissions rp ON rp.role_id = ur.role_id JOIN permissions p ON p.id = rp.permission_id
	WHERE ur.user_id = u.id AND ur.tenant_id = ${tenant}))`;
// Credential facts every dialect shows (Descope's password/webauthn flags, v4's meta.security).
const CREDENTIAL_COLUMNS = `(SELECT CASE WHEN p.expired THEN 'expired' WHEN p.temporary THEN 'temporary' ELSE 'active' END
		FROM user_passwords p WHERE p.user_id = u.id) AS password_state,
	(SELECT count(*) FROM passkeys k WHERE k.user_id = u.id) AS passkey_count,
	(SELECT max(h.at) FROM login_history h WHERE h.project_id = u.project_id AND h.user_id = u.id
		AND h.outcome = 'success') AS last_sign_in,
	(SELECT json_group_array(ip.key ORDER BY ip.key) FROM user_provider_links l
		JOIN identity_providers ip ON ip.project_id = l.project_id AND ip.id = l.provider_id
		WHERE l.user_id = u.id AND ip.tenant_id = '') AS oauth_providers,
	EXISTS (SELECT 1 FROM user_provider_links l
		JOIN identity_providers ip ON ip.project_id = l.project_id AND ip.id = l.provider_id
		WHERE l.user_id = u.id AND ip.tenant_id <> '') AS sso_linked,
	EXISTS (SELECT 1 FROM scim_provisioned_users s WHERE s.user_id = u.id) AS scim_provisioned`;
const USER_COLUMNS_HEAD = sql.raw(`${BASE_COLUMNS},
	${rolesIn("''")} AS role_names,
	${permissionsIn("''")} AS permissions,
	(SELECT json_group_array(json_object('tenantId', t.id, 'tenantName', t.name,
		'roleNames', json(${rolesIn("ut.tenant_id")}), 'permissions', json(${permissionsIn("ut.tenant_id")}))
		ORDER BY ut.created_at, t.id)
		FROM user_tenants ut JOIN tenants t ON t.project_id = ut.project_id AND t.id = ut.tenant_id
		WHERE ut.user_id = u.id`);
const USER_COLUMNS_TAIL = sql.raw(`) AS tenants,
	(SELECT json_group_array(app_id ORDER BY app_id) FROM user_sso_apps WHERE user_id = u.id) AS sso_app_ids,
	${CREDENTIAL_COLUMNS}`);
/** A tenant-bound key (src/domain/scope.ts) sees a member's memberships in its own tenants only. */
const userColumns = (tenantIds?: string[] | null) =>
	tenantIds
		? sql`${USER_COLUMNS_HEAD} AND ut.tenant_id IN (SELECT value FROM json_each(${JSON.stringify(tenantIds)}))${USER_COLUMNS_TAIL}`
		: sql`${USER_COLUMNS_HEAD}${USER_COLUMNS_TAIL}`;
// For dialects that show no roles, tenants or apps (v4, legacy): the same row without those
// four subqueries; they read as empty.
const CORE_USER_COLUMNS = sql.raw(`${BASE_COLUMNS},
	'[]' AS role_names, '[]' AS permissions, '[]' AS tenants, '[]' AS sso_app_ids,
	${CREDENTIAL_COLUMNS}`);

export function toUser(row: UserRow): User {
	return {
		id: row.id,
		projectId: row.project_id,
		loginIds: JSON.parse(row.login_ids),
		name: row.name,
		givenName: row.given_name,
		middleName: row.middle_name,
		familyName: row.family_name,
		email: row.email,
		phone: row.phone,
		verifiedEmail: row.verified_email === 1,
		verifiedPhone: row.verified_phone === 1,
		picture: row.picture,
		status: row.status,
		test: row.test === 1,
		customAttributes: JSON.parse(row.custom_attributes),
		externalId: row.external_id,
		userFlags: JSON.parse(row.user_flags),
		createdAt: row.created_at,
		modifiedAt: row.modified_at,
		registrationTime: row.registration_time,
		lockedUntil: row.locked_until,
		version: row.version,
		passwordState: row.password_state,
		passkeyCount: Number(row.passkey_count),
		lastSignInAt: row.last_sign_in,
		oauthProviders: JSON.parse(row.oauth_providers ?? "[]"),
		ssoLinked: row.sso_linked === 1,
		scimProvisioned: row.scim_provisioned === 1,
		roleNames: JSON.parse(row.role_names),
		permissions: JSON.parse(row.permissions),
		tenants: JSON.parse(row.tenants),
		ssoAppIds: JSON.parse(row.sso_app_ids),
	};
}

export const selectUsers = (where: SQL, tail: SQL = sql``, tenantIds?: string[] | null) =>
	sql`SELECT ${userColumns(tenantIds)} FROM users u WHERE ${where} ${tail}`;

/** selectUsers without roles, permissions, tenants and SSO apps (they read as empty lists). */
export const selectUsersCore = (where: SQL, tail: SQL = sql``) =>
	sql`SELECT ${CORE_USER_COLUMNS} FROM users u WHERE ${where} ${tail}`;

/**
 * The user a login id names, as a subquery. A value in user-id shape names no login id (it is a
 * user id), so a login id of that shape kept from before the rule (login_id_conflicts) is inert.
 */
export const loginIdOwner = (projectId: string, loginId: string) =>
	isUserIdShaped(loginId)
		? sql`(SELECT NULL)`
		: sql`(SELECT user_id FROM user_login_ids WHERE project_id = ${projectId} AND login_id_lower = ${identifierKey(loginId)})`;

/** The user id a reference names: a value in user-id shape is always a user id, anything else a login id. */
export const resolveRef = (projectId: string, ref: string) =>
	isUserIdShaped(ref)
		? sql`(SELECT id FROM users WHERE project_id = ${projectId} AND id = ${asUserId(ref)})`
		: loginIdOwner(projectId, ref);

// `tenantIds` (a tenant-bound key's scope, src/domain/scope.ts): only the users it may see match,
// or with `write` only those it may change.
export const userByRefQuery = (projectId: string, ref: string, tenantIds?: string[] | null, write = false) =>
	isUserIdShaped(ref)
		? userByIdQuery(projectId, asUserId(ref), tenantIds, write)
		: selectUsers(
				sql`u.project_id = ${projectId} AND u.id = ${loginIdOwner(projectId, ref)}
					AND ${membersOnly(projectId, tenantIds, sql`u.id`, write)}`,
				sql``,
				tenantIds,
			);

export const userByIdQuery = (projectId: string, id: string, tenantIds?: string[] | null, write = false) =>
	selectUsers(
		sql`u.project_id = ${projectId} AND u.id = ${id} AND ${membersOnly(projectId, tenantIds, sql`u.id`, write)}`,
		sql``,
		tenantIds,
	);

// `+u.project_id`: look the ids up by primary key rather than scanning the project (see users.search.ts).
export const usersByIdsQuery = (
	projectId: string,
	ids: string[],
	extra: SQL = sql`1`,
	tenantIds?: string[] | null,
) =>
	selectUsers(
		sql`u.id IN (SELECT value FROM json_each(${JSON.stringify(ids)})) AND +u.project_id = ${projectId} AND ${extra}
			AND ${membersOnly(projectId, tenantIds)}`,
		sql``,
		tenantIds,
	);

export async function findUserByRef(
	d1: D1Handle,
	projectId: string,
	ref: string,
	tenantIds?: string[] | null,
): Promise<User | null> {
	const rows = await all<UserRow>(d1, userByRefQuery(projectId, ref, tenantIds));
	return rows[0] ? toUser(rows[0]) : null;
}

export const toUsers = (rows: Record<string, unknown>[] | undefined) =>
	(rows ?? []).map((r) => toUser(r as unknown as UserRow));

/** Rows ready for insertion, as built by the service. */
export interface NewUserRow {
	id: string;
	loginIds: string[];
	name: string | null;
	givenName: string | null;
	middleName: string | null;
	familyName: string | null;
	email: string | null;
	phone: string | null;
	verifiedEmail: boolean;
	verifiedPhone: boolean;
	picture: string | null;
	status: UserStatus;
	test: boolean;
	customAttributes: Record<string, unknown>;
	createdAt: number;
	modifiedAt: number;
	externalId?: string | null;
	userFlags?: string[];
}

// D1 allows 100 bound parameters per statement, so rows travel as one JSON parameter and are
// unpacked by json_each; a chunk keeps each parameter well under D1's 2 MB value limit.
const INSERT_CHUNK = 500;

function chunks<T>(items: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

/** Statements that insert users with login ids, attribute index, profile and flags: 5 per 500 users. */
export function insertUsersStatements(projectId: string, rows: NewUserRow[]) {
	const statements = [];
	for (const chunk of chunks(rows, INSERT_CHUNK)) {
		const ids = JSON.stringify(chunk.map((r) => r.id));
		statements.push(
			sql`INSERT INTO users (id, project_id, login_ids, name, given_name, middle_name, family_name,
				email, email_key, phone, verified_email, verified_phone, picture, status, test, custom_attributes, created_at,
				modified_at, registration_time, external_id, user_flags, version)
			SELECT j.value->>'id', ${projectId}, j.value->'loginIds', j.value->>'name', j.value->>'givenName',
				j.value->>'middleName', j.value->>'familyName', j.value->>'email', j.value->>'emailKey', j.value->>'phone',
				j.value->>'verifiedEmail', j.value->>'verifiedPhone', j.value->>'picture', j.value->>'status',
				j.value->>'test', j.value->'customAttributes', j.value->>'createdAt', j.value->>'modifiedAt',
				CASE WHEN j.value->>'status' = 'invited' THEN NULL ELSE j.value->>'createdAt' END,
				j.value->>'externalId', coalesce(j.value->'userFlags', '[]'), 1
			FROM json_each(${JSON.stringify(chunk.map((r) => ({ ...r, emailKey: r.email === null ? null : identifierKey(r.email) })))}) j`,
			// Every user gets its default profile (the v4 dialect's default_user_profile).
			sql`INSERT INTO user_profiles (id, project_id, user_id, is_default, created_at, modified_at)
			SELECT 'F' || substr(value, 2), ${projectId}, value, 1, ${chunk[0]?.createdAt ?? 0}, ${chunk[0]?.modifiedAt ?? 0}
			FROM json_each(${ids})`,
			sql`INSERT INTO user_flag_values (project_id, flag, user_id)
			SELECT ${projectId}, f.value, u.id FROM users u, json_each(u.user_flags) f
			WHERE u.id IN (SELECT value FROM json_each(${ids})) AND +u.project_id = ${projectId}`,
			sql`INSERT INTO user_login_ids (project_id, login_id_lower, login_id, user_id, position)
			SELECT ${projectId}, l.value->>1, l.value->>0, l.value->>2, l.value->>3
			FROM json_each(${JSON.stringify(
				chunk.flatMap((r) => r.loginIds.map((id, position) => [id, identifierKey(id), r.id, position])),
			)}) l`,
			indexAttributesStatement(projectId, ids),
		);
	}
	return statements;
}

/** Rebuilds user_attribute_values for the given users from their custom_attributes JSON. */
function indexAttributesStatement(projectId: string, idsJson: string) {
	// Scalars give one row; arrays one row per element, or one NULL row when empty, so that
	// every user holding an attribute has a row for it (used when a definition is deleted).
	return sql`INSERT INTO user_attribute_values (project_id, name, value, user_id)
		SELECT u.project_id, a.key, CASE WHEN a.type = 'array' THEN e.value ELSE a.value END, u.id
		FROM users u
		JOIN json_each(u.custom_attributes) a
		LEFT JOIN json_each(CASE WHEN a.type = 'array' THEN a.value ELSE '[]' END) e
		WHERE u.id IN (SELECT value FROM json_each(${idsJson})) AND +u.project_id = ${projectId}
			AND a.type NOT IN ('object', 'null')`;
}

export function reindexAttributesStatements(projectId: string, userIds: string[]) {
	const ids = JSON.stringify(userIds);
	return [
		sql`DELETE FROM user_attribute_values
			WHERE project_id = ${projectId} AND user_id IN (SELECT value FROM json_each(${ids}))`,
		indexAttributesStatement(projectId, ids),
	];
}

/** Replaces a user's flags: the column and its index rows (user_flag_values). */
export function setUserFlagsStatements(projectId: string, userId: string, flags: string[]) {
	return [
		sql`UPDATE users SET user_flags = ${JSON.stringify(flags)} WHERE project_id = ${projectId} AND id = ${userId}`,
		sql`DELETE FROM user_flag_values WHERE project_id = ${projectId} AND user_id = ${userId}`,
		sql`INSERT INTO user_flag_values (project_id, flag, user_id)
			SELECT ${projectId}, value, ${userId} FROM json_each(${JSON.stringify(flags)})`,
	];
}

/** Column assignments for a set-based UPDATE; undefined values are left out. */
export interface UserColumnChanges {
	name?: string | null;
	givenName?: string | null;
	middleName?: string | null;
	familyName?: string | null;
	email?: string | null;
	phone?: string | null;
	verifiedEmail?: boolean;
	verifiedPhone?: boolean;
	picture?: string | null;
	status?: UserStatus;
	externalId?: string | null;
	/** Replaces the whole object. */
	customAttributes?: Record<string, unknown>;
	/** Merged into the object in SQL (RFC 7396: null removes), so concurrent patches compose. */
	mergeCustomAttributes?: Record<string, unknown>;
	/** Registers an invited user (→ enabled); a user already registered keeps their status. Decided in SQL. */
	register?: boolean;
}

const COLUMN: Record<
	Exclude<keyof UserColumnChanges, "customAttributes" | "mergeCustomAttributes" | "register">,
	string
> = {
	name: "name",
	givenName: "given_name",
	middleName: "middle_name",
	familyName: "family_name",
	email: "email",
	phone: "phone",
	verifiedEmail: "verified_email",
	verifiedPhone: "verified_phone",
	picture: "picture",
	status: "status",
	externalId: "external_id",
};

/** One UPDATE touching only the given columns; bumps version and modified time. */
export function updateUserStatement(
	projectId: string,
	userId: string,
	changes: UserColumnChanges,
	now: number,
) {
	const sets: SQL[] = [];
	for (const [key, column] of Object.entries(COLUMN) as [keyof typeof COLUMN, string][]) {
		const value = changes[key];
		if (value === undefined) continue;
		sets.push(sql`${sql.raw(column)} = ${typeof value === "boolean" ? Number(value) : value}`);
	}
	// The unique email index is on email_key: it moves with the email.
	if (changes.email !== undefined) {
		sets.push(sql`email_key = ${changes.email === null ? null : identifierKey(changes.email)}`);
	}
	// Leaving `invited` is registration (docs/architecture.md, status and registration state): stamped
	// once; going back to `invited` clears it.
	if (changes.status === "invited") sets.push(sql`registration_time = NULL`);
	else if (changes.status !== undefined)
		sets.push(sql`registration_time = coalesce(registration_time, ${now})`);
	else if (changes.register) {
		sets.push(
			sql`status = CASE WHEN status = 'invited' THEN 'enabled' ELSE status END`,
			sql`registration_time = coalesce(registration_time, ${now})`,
		);
	}
	if (changes.customAttributes !== undefined) {
		sets.push(sql`custom_attributes = ${JSON.stringify(changes.customAttributes)}`);
	}
	if (changes.mergeCustomAttributes !== undefined) {
		sets.push(
			sql`custom_attributes = json_patch(custom_attributes, ${JSON.stringify(changes.mergeCustomAttributes)})`,
		);
	}
	sets.push(sql`modified_at = ${now}`, sql`version = version + 1`);
	return sql`UPDATE users SET ${sql.join(sets, sql`, `)} WHERE project_id = ${projectId} AND id = ${userId}`;
}

/** Sets the default profile's locale and time zone (null clears: stored as ""). */
export function updateDefaultProfileStatement(
	projectId: string,
	userId: string,
	changes: { locale?: string | null; timeZone?: string | null },
	now: number,
) {
	const sets: SQL[] = [sql`modified_at = ${now}`];
	if (changes.locale !== undefined) sets.push(sql`locale = ${changes.locale ?? ""}`);
	if (changes.timeZone !== undefined) sets.push(sql`time_zone = ${changes.timeZone ?? ""}`);
	return sql`UPDATE user_profiles SET ${sql.join(sets, sql`, `)}
		WHERE project_id = ${projectId} AND user_id = ${userId} AND is_default = 1`;
}

/** Sets one custom attribute in SQL (json_set), never read-modify-write. */
export function setAttributeStatement(
	projectId: string,
	userId: string,
	name: string,
	value: unknown,
	now: number,
) {
	const path = `$."${name}"`;
	const expr =
		value === null
			? sql`json_remove(custom_attributes, ${path})`
			: sql`json_set(custom_attributes, ${path}, json(${JSON.stringify(value)}))`;
	return sql`UPDATE users SET custom_attributes = ${expr}, modified_at = ${now}, version = version + 1
		WHERE project_id = ${projectId} AND id = ${userId}`;
}

/** Rebuilds users.login_ids (ordered) from user_login_ids. */
export const syncLoginIdsStatement = (projectId: string, userId: string) =>
	sql`UPDATE users SET login_ids = (
			SELECT json_group_array(login_id) FROM
				(SELECT login_id FROM user_login_ids WHERE project_id = ${projectId} AND user_id = ${userId} ORDER BY position))
		WHERE project_id = ${projectId} AND id = ${userId}`;

/** Replaces every login id but the primary one (position 0). */
export function replaceAdditionalLoginIdsStatements(projectId: string, userId: string, additional: string[]) {
	const rows = JSON.stringify(additional.map((id, i) => [id, identifierKey(id), i + 1]));
	return [
		sql`DELETE FROM user_login_ids WHERE project_id = ${projectId} AND user_id = ${userId} AND position > 0`,
		sql`INSERT INTO user_login_ids (project_id, login_id_lower, login_id, user_id, position)
			SELECT ${projectId}, value->>1, value->>0, ${userId}, value->>2 FROM json_each(${rows})`,
		syncLoginIdsStatement(projectId, userId),
	];
}

/** Replaces one login id in place (same position), or removes it unless it is the last one. */
export function changeLoginIdStatements(
	projectId: string,
	userId: string,
	oldLoginId: string,
	newLoginId: string | null,
	now: number,
) {
	const where = sql`project_id = ${projectId} AND user_id = ${userId} AND login_id_lower = ${identifierKey(oldLoginId)}`;
	const change =
		newLoginId === null
			? sql`DELETE FROM user_login_ids WHERE ${where}
				AND (SELECT count(*) FROM user_login_ids WHERE project_id = ${projectId} AND user_id = ${userId}) > 1`
			: sql`UPDATE user_login_ids SET login_id = ${newLoginId}, login_id_lower = ${identifierKey(newLoginId)}
				WHERE ${where}`;
	return [
		change,
		syncLoginIdsStatement(projectId, userId),
		sql`UPDATE users SET modified_at = ${now}, version = version + 1
			WHERE project_id = ${projectId} AND id = ${userId}`,
	];
}

export const deleteUsersStatement = (projectId: string, where: SQL) =>
	sql`DELETE FROM users WHERE project_id = ${projectId} AND ${where}`;

/** Login ids (by identifier key) among `keys` that already exist, with their owners. */
export const existingLoginIdsQuery = (projectId: string, lowered: string[]) =>
	sql`SELECT login_id_lower, user_id FROM user_login_ids
		WHERE project_id = ${projectId} AND login_id_lower IN (SELECT value FROM json_each(${JSON.stringify(lowered)}))`;

/** Emails (by identifier key, the unique email index) among `keys` that other users hold. */
export const existingEmailsQuery = (projectId: string, keys: string[]) =>
	sql`SELECT email_key AS email, id FROM users
		WHERE project_id = ${projectId} AND email_key IS NOT NULL
			AND email_key IN (SELECT value FROM json_each(${JSON.stringify(keys)}))`;

export const existingPhonesQuery = (projectId: string, phones: string[]) =>
	sql`SELECT phone, id FROM users
		WHERE project_id = ${projectId} AND phone IS NOT NULL
			AND phone IN (SELECT value FROM json_each(${JSON.stringify(phones)}))`;

/** The first successful sign-in registers an invited user (docs/architecture.md): enabled, registration_time stamped. */
export const registerOnSignInStatement = (projectId: string, userId: string, now: number) =>
	sql`UPDATE users SET status = 'enabled', registration_time = coalesce(registration_time, ${now}),
		modified_at = ${now}, version = version + 1
		WHERE project_id = ${projectId} AND id = ${userId} AND status = 'invited'`;
