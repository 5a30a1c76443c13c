// Query plans of GET /scim/v2/Users and /Groups (docs/architecture.md: every filter a dialect
// offers is served by an index). A filter on userName, externalId, emails, displayName or
// members must read users and roles through an index, never scan them; pinned with EXPLAIN
// QUERY PLAN on the statements the domain queries build from parsed SCIM filters.
import { env } from "cloudflare:workers";
import type { SQL } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { parseFilter } from "../../src/api/scim/filter";
import { scimGroupPredicate } from "../../src/api/scim/groups-query";
import { scimUserPredicate } from "../../src/api/scim/users-query";
import { roleQueryStatements } from "../../src/domain/authz/roles.query";
import { userQueryStatements } from "../../src/domain/users/users.query";

const dialect = new SQLiteSyncDialect();
const P = `P${"0".repeat(27)}`;

async function plan(query: SQL): Promise<string[]> {
	const { sql, params } = dialect.sqlToQuery(query);
	const rows = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
		.bind(...params)
		.all<{ detail: string }>();
	return rows.results.map((r) => r.detail);
}

/** How the outer query reads `users u`. */
const outerUsers = (lines: string[]) => lines.find((l) => /^(SEARCH|SCAN) u\b/.test(l));
const BY_KEY = /^SEARCH u USING (INDEX sqlite_autoindex_users_1 \(id=\?\)|INTEGER PRIMARY KEY \(rowid=\?\))/;
/** A full scan of a table (users_fts is the trigram index itself: its MATCH is an index read). */
const TABLE_SCAN = /^SCAN (u|users|r|roles|ur|user_roles|user_login_ids|user_attribute_values)\b/;

const ATTRIBUTE_VALUE = /user_attribute_values_lookup_idx \(project_id=\? AND name=\? AND value=\?\)/;
const EMAIL_KEY = /users_project_email_key_uq \(project_id=\? AND email_key=\?\)/;

const userStatements = (filter: string, tenantIds: string[] | null) =>
	userQueryStatements(
		P,
		{ where: scimUserPredicate(parseFilter(filter), tenantIds?.[0] ?? ""), offset: 0, limit: 100 },
		tenantIds,
	);

describe("SCIM Users filter plans", () => {
	it.each<[string, RegExp]>([
		['userName eq "bjensen"', /sqlite_autoindex_user_login_ids_1 \(project_id=\? AND login_id_lower=\?\)/],
		[
			'UserName sw "bj"',
			/sqlite_autoindex_user_login_ids_1 \(project_id=\? AND login_id_lower>\? AND login_id_lower<\?\)/,
		],
		// SCIM externalId is kept in a custom attribute (extra-attributes.ts EXTERNAL_ID_ATTRIBUTE), caseExact.
		['externalId eq "c-1"', ATTRIBUTE_VALUE],
		["externalId eq 123", ATTRIBUTE_VALUE],
		[
			'externalId sw "c-"',
			/user_attribute_values_lookup_idx \(project_id=\? AND name=\? AND value>\? AND value<\?\)/,
		],
		['emails eq "a@example.com"', /users_project_email_key_uq \(project_id=\? AND email_key=\?\)/],
		['emails.value eq "a@example.com"', /users_project_email_key_uq \(project_id=\? AND email_key=\?\)/],
		[
			'emails[type eq "work"].value eq "a@example.com"',
			/users_project_email_key_uq \(project_id=\? AND email_key=\?\)/,
		],
		['emails[value eq "a@example.com"]', /users_project_email_key_uq \(project_id=\? AND email_key=\?\)/],
		['emails co "example.com"', /users_fts VIRTUAL TABLE/],
		['displayName eq "Barbara Jensen"', /users_fts VIRTUAL TABLE/],
		['displayName eq "BJ"', /users_project_name_idx \(project_id=\? AND name=\?\)/],
		['name.familyName eq "Jensen"', /users_fts VIRTUAL TABLE/],
		['groups eq "R1"', /user_roles_role_idx \(project_id=\? AND role_id=\? AND tenant_id=\?\)/],
		['groups[value eq "R1"]', /user_roles_role_idx \(project_id=\? AND role_id=\? AND tenant_id=\?\)/],
		['phoneNumbers eq "+14155550100"', /users_project_phone_uq \(project_id=\? AND phone=\?\)/],
		[
			'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Tour"',
			/user_attribute_values_lookup_idx \(project_id=\? AND name=\?\)/,
		],
		[
			'userName eq "a" or emails eq "b@example.com"',
			/sqlite_autoindex_user_login_ids_1[\s\S]*users_project_email_key_uq|users_project_email_key_uq[\s\S]*sqlite_autoindex_user_login_ids_1/,
		],
		[
			'userName eq "a" and active eq true',
			/sqlite_autoindex_user_login_ids_1 \(project_id=\? AND login_id_lower=\?\)/,
		],
	])("%s: page and count seek users by key", async (filter, index) => {
		for (const tenantIds of [null, ["T1"]]) {
			const { page, count } = userStatements(filter, tenantIds);
			for (const lines of [await plan(page), await plan(count)]) {
				const text = lines.join("\n");
				expect(outerUsers(lines), text).toMatch(BY_KEY);
				expect(text).toMatch(index);
				expect(
					lines.filter((l) => TABLE_SCAN.test(l)),
					text,
				).toEqual([]);
			}
		}
	});

	it("emails read users.email's key index and the index of every value the user mapper keeps", async () => {
		for (const filter of [
			'emails eq "A@example.com"',
			'emails[type eq "work"].value eq "a@example.com"',
			'emails[value eq "a@example.com"]',
		]) {
			for (const tenantIds of [null, ["T1"]]) {
				const { page, count } = userStatements(filter, tenantIds);
				for (const lines of [await plan(page), await plan(count)]) {
					const text = lines.join("\n");
					expect(text, filter).toMatch(EMAIL_KEY);
					expect(text, filter).toMatch(ATTRIBUTE_VALUE);
					expect(
						lines.filter((l) => TABLE_SCAN.test(l)),
						text,
					).toEqual([]);
				}
			}
		}
		// Containment: the trigram index for users.email, the attribute's index range for the rest.
		const lines = await plan(userStatements('emails co "example.com"', null).page);
		expect(lines.join("\n")).toMatch(/user_attribute_values_lookup_idx \(project_id=\? AND name=\?\)/);
		expect(lines.filter((l) => TABLE_SCAN.test(l))).toEqual([]);
	});

	it("an OR of indexed filters reads each index (MULTI-INDEX OR), not the project", async () => {
		const lines = await plan(userStatements('userName eq "a" or externalId eq "b"', null).page);
		expect(lines.join("\n")).toMatch(/MULTI-INDEX OR/);
		expect(lines.filter((l) => TABLE_SCAN.test(l))).toEqual([]);
	});

	it("a tenant-bound key's page is driven from its tenant's members", async () => {
		const lines = await plan(userStatements('meta.created gt "2020-01-01T00:00:00Z"', ["T1"]).page);
		const text = lines.join("\n");
		expect(outerUsers(lines), text).toMatch(BY_KEY);
		expect(text).toMatch(/user_tenants_tenant_idx \(project_id=\? AND tenant_id=\?\)/);
	});

	it("without a selective filter the page walks the project's created index in order", async () => {
		for (const filter of [undefined, "active eq false", 'not (userName eq "a")']) {
			const { page } = userQueryStatements(
				P,
				{ where: filter ? scimUserPredicate(parseFilter(filter), "") : undefined, offset: 0, limit: 100 },
				null,
			);
			const lines = await plan(page);
			expect(outerUsers(lines), lines.join("\n")).toMatch(
				/^SEARCH u USING INDEX users_project_(created|status)_idx \(project_id=\?/,
			);
		}
	});

	it("meta.created ranges seek the created index", async () => {
		const lines = await plan(
			userStatements('meta.created gt "2015-10-10T14:38:21.8617979-07:00"', null).page,
		);
		expect(outerUsers(lines)).toMatch(/users_project_created_idx \(project_id=\? AND created_at>\?\)/);
	});
});

const groupStatements = (filter: string | undefined, tenantId: string) =>
	roleQueryStatements(P, {
		tenantId,
		where: filter ? scimGroupPredicate(parseFilter(filter)) : undefined,
		offset: 0,
		limit: 100,
		withMembers: true,
	});

describe("SCIM Groups filter plans", () => {
	it.each<[string | undefined, RegExp]>([
		[undefined, /SEARCH r USING (COVERING )?INDEX roles_scope_name_uq \(project_id=\? AND tenant_id=\?\)/],
		[
			'displayName eq "Admins"',
			/SEARCH r USING (COVERING )?INDEX roles_scope_name_uq \(project_id=\? AND tenant_id=\?\)/,
		],
		[
			'DisplayName co "adm"',
			/SEARCH r USING (COVERING )?INDEX roles_scope_name_uq \(project_id=\? AND tenant_id=\?\)/,
		],
		[
			'externalId eq "g-1"',
			/SEARCH r USING (COVERING )?INDEX roles_scope_external_id_uq \(project_id=\? AND tenant_id=\? AND external_id=\?\)/,
		],
		['id eq "R1"', /SEARCH r USING INDEX sqlite_autoindex_roles_1 \(id=\?\)/],
		['members eq "U1"', /sqlite_autoindex_user_roles_1 \(user_id=\? AND tenant_id=\?\)/],
		['members.value eq "U1"', /sqlite_autoindex_user_roles_1 \(user_id=\? AND tenant_id=\?\)/],
		['members[value eq "U1"]', /sqlite_autoindex_user_roles_1 \(user_id=\? AND tenant_id=\?\)/],
	])("%s: roles and memberships read through indexes", async (filter, index) => {
		for (const tenantId of ["", "T1"]) {
			const { page, count } = groupStatements(filter, tenantId);
			for (const lines of [await plan(page), await plan(count)]) {
				const text = lines.join("\n");
				expect(text).toMatch(index);
				expect(
					lines.filter((l) => TABLE_SCAN.test(l)),
					text,
				).toEqual([]);
				// No walk over all of the project's assignments.
				expect(
					lines.filter((l) => /user_roles_role_idx \(project_id=\?\)$/.test(l)),
					text,
				).toEqual([]);
			}
		}
	});

	it("members are listed through the role's assignments and each member's primary key", async () => {
		const lines = await plan(groupStatements(undefined, "").page);
		const text = lines.join("\n");
		expect(text).toMatch(
			/SEARCH ur USING COVERING INDEX user_roles_role_idx \(project_id=\? AND role_id=\? AND tenant_id=\?\)/,
		);
		expect(text).toMatch(/SEARCH mu USING INDEX sqlite_autoindex_users_1 \(id=\?\)/);
	});
});
