import type { SQL } from "drizzle-orm";
import { all, batch } from "../../db/sql";
import { newId } from "../../lib/ids";
import { revokeUserSessions } from "../../sessions/client";
import type { Deps } from "../deps";
import { DomainError, type DomainErrorCode } from "../errors";
import { MAX_EXTERNAL_ID_LENGTH, MAX_LIST_ENTRIES, MAX_NAME_LENGTH } from "../limits";
import { assertNotReadOnly, tenantView } from "../scope";
import { identifierCharacterProblem, storedIdentifier } from "./identifiers";
import { parseInternationalPhone } from "./phone-e123";
import type { UserStatus } from "./user.types";
import * as rules from "./user.validate";
import { isUserFlag } from "./user-flags";
import { insertUsersStatements, type NewUserRow } from "./users.repo";
import * as repo from "./v4.repo";

// Users as the v4 dialect (and its legacy endpoints) see them: name, email, phone, external id,
// user flags and registration state, over the same rows every other dialect reads.

export type { KeyValue, SortField, SortKey, V4Filter, V4Profile, V4Record } from "./v4.repo";
export { keyValuesOf, MAX_LIST_FILTER, sortFields, sortValueType } from "./v4.repo";

export const registrationStates = ["UNREGISTERED", "REGISTERED"] as const;
export type RegistrationState = (typeof registrationStates)[number];

/** invited is UNREGISTERED; enabled and disabled are REGISTERED (DESIGN.md). */
export const registrationStateOf = (status: UserStatus): RegistrationState =>
	status === "invited" ? "UNREGISTERED" : "REGISTERED";
export const statusesOf = (state: RegistrationState): UserStatus[] =>
	state === "UNREGISTERED" ? ["invited"] : ["enabled", "disabled"];

export { MAX_EXTERNAL_ID_LENGTH, MAX_NAME_LENGTH };

/** undefined = not given; null = clear. */
export interface V4UserInput {
	name?: string | null;
	email?: string | null;
	phone?: string | null;
	externalId?: string | null;
	userFlags?: string[];
	registrationState?: RegistrationState;
}

export type V4Field = keyof V4UserInput;

export interface FieldIssue {
	field: V4Field;
	/** The element of a list field. */
	index?: number;
	code: string;
	message: string;
}

/** Every problem of one input at once; each dialect names the fields in its own terms. */
export class FieldErrors extends DomainError {
	constructor(
		readonly issues: FieldIssue[],
		code: DomainErrorCode = "invalid_argument",
	) {
		super(code, issues.map((i) => i.message).join("; "), issues[0]?.field);
	}
}

// ---------------------------------------------------------------- field checks (shared with the wire schemas)

// Each returns a message when the value is invalid, else null: the user field rules of every
// dialect (user.validate.ts), over the identifier's stored form (identifiers.ts).
export const nameProblem = rules.nameProblem;

export const emailProblem = (value: string) => {
	const stored = storedIdentifier(value);
	return identifierCharacterProblem(stored) ?? rules.emailProblem(stored);
};

export const phoneProblem = (value: string) => {
	const parsed = parseInternationalPhone(value);
	return parsed.ok ? null : parsed.reason;
};

export function externalIdProblem(value: string) {
	const stored = storedIdentifier(value);
	return identifierCharacterProblem(stored) ?? rules.externalIdProblem(stored);
}

export const flagProblem = (value: string) => (isUserFlag(value) ? null : `"${value}" is not a user flag`);

function normalize(input: V4UserInput, creating: boolean): repo.V4Changes {
	const issues: FieldIssue[] = [];
	const changes: repo.V4Changes = {};
	const check = (field: V4Field, code: string, problem: string | null) => {
		if (problem) issues.push({ field, code, message: problem });
		return problem === null;
	};
	if (input.name !== undefined) {
		const name = input.name?.trim() ? input.name : null;
		if (name === null || check("name", "invalid_name", nameProblem(name))) changes.name = name;
	}
	if (input.email !== undefined) {
		if (input.email === null) changes.email = null;
		else if (check("email", "invalid_email", emailProblem(input.email)))
			changes.email = storedIdentifier(input.email);
	}
	if (input.phone !== undefined) {
		if (input.phone === null) changes.phone = null;
		else {
			const parsed = parseInternationalPhone(input.phone);
			if (parsed.ok) changes.phone = parsed.e164;
			else check("phone", "invalid_phone", parsed.reason);
		}
	}
	if (input.externalId !== undefined) {
		if (input.externalId === null) changes.externalId = null;
		else if (check("externalId", "invalid_external_id", externalIdProblem(input.externalId))) {
			changes.externalId = storedIdentifier(input.externalId);
		}
	}
	if (input.userFlags !== undefined) {
		if (input.userFlags.length > MAX_LIST_ENTRIES) {
			issues.push({
				field: "userFlags",
				code: "too_many",
				message: `at most ${MAX_LIST_ENTRIES} entries`,
			});
		}
		for (const [index, flag] of input.userFlags.slice(0, MAX_LIST_ENTRIES).entries()) {
			const problem = flagProblem(flag);
			if (problem) issues.push({ field: "userFlags", index, code: "unknown_user_flag", message: problem });
		}
		changes.userFlags = [...new Set(input.userFlags)];
	}
	if (input.registrationState !== undefined) changes.registered = input.registrationState === "REGISTERED";
	if (creating && !changes.email && !changes.externalId && !issues.some((i) => i.field === "email")) {
		issues.push({
			field: "email",
			code: "required",
			message: "an email or an external id is required: it becomes the user's login id",
		});
	}
	if (issues.length) throw new FieldErrors(issues);
	return changes;
}

// ---------------------------------------------------------------- writes and unique values

const notFound = (userId: string) => new DomainError("user_not_found", `No user with id "${userId}"`);

/**
 * Runs one write batch; when it fails on a unique index, reads which values collide and names
 * them all (the error path may cost a second round trip, the normal path never does).
 */
async function writeBatch(
	deps: Deps,
	projectId: string,
	selfId: string | null,
	values: repo.UniqueValues,
	statements: SQL[],
) {
	try {
		return await batch(deps.d1, statements);
	} catch (error) {
		if (!String((error as Error)?.message ?? error).includes("UNIQUE constraint failed")) throw error;
		const query = repo.takenValuesQuery(projectId, selfId, values);
		const rows = query ? await all<{ field: V4Field; kind: string }>(deps.d1, query) : [];
		const issues = new Map<string, FieldIssue>();
		for (const { field, kind } of rows) {
			const value = field === "email" ? values.email : field === "phone" ? values.phone : values.externalId;
			const message =
				kind === "loginId"
					? `"${value}" is another user's login id`
					: `another user already has ${field === "externalId" ? "external id" : field} "${value}"`;
			issues.set(field, { field, code: "taken", message });
		}
		if (issues.size === 0)
			throw new DomainError("conflict", "A concurrent change collided with this one; retry");
		throw new FieldErrors([...issues.values()], "user_exists");
	}
}

export async function createV4User(
	deps: Deps,
	projectId: string,
	input: V4UserInput,
): Promise<repo.V4Record> {
	const c = normalize(input, true);
	const now = deps.now();
	// The login id is the email, else the external id (normalize guarantees one of them).
	const loginField = c.email ? "email" : "externalId";
	const loginId = (c.email ?? c.externalId) as string;
	const row: NewUserRow = {
		id: newId("U"),
		loginIds: [loginId],
		name: c.name ?? null,
		givenName: null,
		middleName: null,
		familyName: null,
		email: c.email ?? null,
		phone: c.phone ?? null,
		verifiedEmail: false,
		verifiedPhone: false,
		picture: null,
		status: c.registered ? "enabled" : "invited",
		test: false,
		customAttributes: {},
		createdAt: now,
		modifiedAt: now,
		externalId: c.externalId ?? null,
		userFlags: c.userFlags ?? [],
	};
	const results = await writeBatch(
		deps,
		projectId,
		null,
		{
			email: row.email,
			phone: row.phone,
			externalId: row.externalId,
			loginIds: [{ field: loginField, value: loginId }],
		},
		[...insertUsersStatements(projectId, [row]), repo.recordByIdQuery(projectId, row.id)],
	);
	const record = repo.toRecords(results.at(-1))[0];
	if (!record) throw new DomainError("internal", "The user was not created");
	return record;
}

// Tenant-aware (src/domain/scope.ts): a tenant-bound key reads only members of its tenants.
export async function getV4User(deps: Deps, projectId: string, userId: string): Promise<repo.V4Record> {
	const { deps: d, tenantIds } = tenantView(deps);
	const record = repo.toRecords(await all(d.d1, repo.recordByIdQuery(projectId, userId, tenantIds)))[0];
	if (!record) throw notFound(userId);
	return record;
}

const stale = (userId: string, version: number) =>
	new DomainError(
		"precondition_failed",
		`User ${userId} has changed: its current version is ${version}; read it again and retry`,
	);

/**
 * Changes only the given fields. With `versions` (from If-Match) the write applies only if the
 * user is still at one of them, atomically: otherwise precondition_failed and nothing changes.
 */
export async function patchV4User(
	scoped: Deps,
	projectId: string,
	userId: string,
	input: V4UserInput,
	versions?: number[],
): Promise<repo.V4Record> {
	assertNotReadOnly(scoped);
	const changes = normalize(input, false);
	// Tenant-aware (src/domain/scope.ts): only a user the key may change; the statements check it too.
	const { deps, tenantIds } = tenantView(scoped);
	if (tenantIds) {
		const rows = await all(deps.d1, repo.recordByIdQuery(projectId, userId, tenantIds, true));
		if (rows.length === 0) throw notFound(userId);
	}
	if (Object.keys(changes).length === 0) {
		const record = await getV4User(deps, projectId, userId);
		if (versions && !versions.includes(record.user.version)) throw stale(userId, record.user.version);
		return record;
	}
	const statements = repo.patchStatements(projectId, userId, changes, versions, deps.now(), tenantIds);
	const loginIds = [
		...(changes.email ? [{ field: "email" as const, value: changes.email }] : []),
		...(changes.externalId ? [{ field: "externalId" as const, value: changes.externalId }] : []),
	];
	const results = await writeBatch(
		deps,
		projectId,
		userId,
		{ email: changes.email, phone: changes.phone, externalId: changes.externalId, loginIds },
		[...statements, repo.recordByIdQuery(projectId, userId)],
	);
	const record = repo.toRecords(results.at(-1))[0];
	if (!record) throw notFound(userId);
	const applied = (results[statements.length - 1]?.length ?? 0) > 0;
	if (!applied) throw stale(userId, record.user.version);
	// Only REGISTERED users may sign in: unregistering ends the sessions they hold.
	if (changes.registered === false) await revokeUserSessions(deps, projectId, userId);
	return record;
}

export async function deleteV4User(scoped: Deps, projectId: string, userId: string, versions?: number[]) {
	const { deps, tenantIds } = tenantView(scoped);
	const [deleted, remaining] = await batch(
		deps.d1,
		repo.deleteStatements(projectId, userId, versions, tenantIds),
	);
	if (deleted?.length) {
		await revokeUserSessions(deps, projectId, userId);
		return;
	}
	const current = remaining?.[0];
	if (current) throw stale(userId, Number(current.version));
	throw notFound(userId);
}

// ---------------------------------------------------------------- reads

export interface ListQuery {
	filter: repo.V4Filter;
	sort: repo.SortKey[];
	cursor?: { values: repo.KeyValue[]; id: string; backwards: boolean };
	size: number;
	withTotal: boolean;
	/** Legacy page numbers only. */
	offset?: number;
}

export interface ListResult {
	records: repo.V4Record[];
	/** More rows lie beyond this page in the direction walked. */
	hasMore: boolean;
	total?: number;
}

/** One round trip: the page (one row more than asked, to know whether more follow) and the count. */
export async function listV4Users(deps: Deps, projectId: string, q: ListQuery): Promise<ListResult> {
	const { deps: d, tenantIds } = tenantView(deps);
	const filter: repo.V4Filter = { ...q.filter, memberOfTenants: tenantIds ?? undefined };
	const page = repo.pageQuery(projectId, {
		filter,
		sort: q.sort,
		cursor: q.cursor,
		limit: q.size + 1,
		offset: q.offset,
	});
	const [rows, count] = await batch(d.d1, q.withTotal ? [page, repo.countQuery(projectId, filter)] : [page]);
	let records = repo.toRecords(rows);
	const hasMore = records.length > q.size;
	// Walking backwards, the extra row is the earliest one (rows come back in forward order).
	if (hasMore) records = q.cursor?.backwards ? records.slice(1) : records.slice(0, q.size);
	return { records, hasMore, total: q.withTotal ? Number(count?.[0]?.total ?? 0) : undefined };
}

/** The user id behind an email (legacy endpoints address users by email). */
export async function userIdByEmail(deps: Deps, projectId: string, email: string): Promise<string> {
	const { deps: d, tenantIds } = tenantView(deps);
	const rows = await all<{ id: string }>(d.d1, repo.userIdByEmailQuery(projectId, email, tenantIds));
	const id = rows[0]?.id;
	if (!id) throw new DomainError("user_not_found", `No user with email "${email}"`, "email");
	return id;
}
