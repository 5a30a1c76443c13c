// Management-key scopes (docs/management-keys.md, docs/security.md). A scope is enforced on the
// request's bindings, below every dialect: a read-only key's D1, KV and session writes throw, and a
// tenant-bound key's bindings refuse every statement until a tenant-aware service opens them and
// confines its own SQL to the key's tenants. A route nobody made tenant-aware is therefore closed.
import { type SQL, sql } from "drizzle-orm";
import { createDb, type D1Handle, type Db, guardD1, isReadStatement } from "../db/client";
import type { Deps, KeyScope } from "./deps";
import { DomainError } from "./errors";

export const READ_ONLY_MESSAGE = "This management key is read-only";
export const TENANT_BOUND_MESSAGE = "This operation is not available to a tenant-bound management key";
export const PROJECT_LEVEL_MESSAGE = "A tenant-bound management key cannot change project-level objects";

export const readOnlyError = () => new DomainError("forbidden", READ_ONLY_MESSAGE);
export const tenantBoundError = () => new DomainError("forbidden", TENANT_BOUND_MESSAGE);

/** The bindings a tenant-aware service runs on (read-only guarded when the key is read-only). */
interface Opened {
	d1: D1Handle;
	db: Db;
	/** Project-level reads only: every write refused. */
	projectRead: { d1: D1Handle; db: Db };
}
const opened = new WeakMap<KeyScope, Opened>();

const readsOnly = (message: string) => (query: string) =>
	isReadStatement(query) ? null : new DomainError("forbidden", message);

function guardKv(kv: KVNamespace): KVNamespace {
	return new Proxy(kv, {
		get(target, prop) {
			if (prop === "put" || prop === "delete") return async () => Promise.reject(readOnlyError());
			const value = Reflect.get(target, prop);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

export const isTenantBound = (scope: KeyScope | undefined): scope is KeyScope =>
	scope !== undefined && scope.tenantIds.length > 0;

/** The request's deps for an authenticated management key, with its scope applied. */
export function applyKeyScope(
	deps: Deps,
	principal: { keyId: string; readOnly: boolean; tenantIds: string[] },
): Deps {
	// Idempotent: a scope is applied once per request, from the bindings it started with.
	if (deps.scope || (!principal.readOnly && principal.tenantIds.length === 0)) return deps;
	const scope: KeyScope = {
		keyId: principal.keyId,
		readOnly: principal.readOnly,
		tenantIds: [...principal.tenantIds],
	};
	const d1 = principal.readOnly ? guardD1(deps.d1, readsOnly(READ_ONLY_MESSAGE)) : deps.d1;
	const kv = principal.readOnly ? guardKv(deps.kv) : deps.kv;
	if (scope.tenantIds.length === 0) return { ...deps, scope, d1, db: createDb(d1), kv };
	const projectD1 = guardD1(d1, readsOnly(principal.readOnly ? READ_ONLY_MESSAGE : PROJECT_LEVEL_MESSAGE));
	opened.set(scope, { d1, db: createDb(d1), projectRead: { d1: projectD1, db: createDb(projectD1) } });
	const locked = guardD1(deps.d1, () => tenantBoundError());
	return { ...deps, scope, d1: locked, db: createDb(locked), kv };
}

/**
 * For a tenant-aware operation: deps that run, and the tenant ids every query of the operation must
 * be confined to (null: the whole project). The caller owns the confinement; put it in the SQL.
 */
export function tenantView(deps: Deps): { deps: Deps; tenantIds: string[] | null } {
	if (!isTenantBound(deps.scope)) return { deps, tenantIds: null };
	const o = opened.get(deps.scope);
	if (!o) throw tenantBoundError();
	return { deps: { ...deps, d1: o.d1, db: o.db }, tenantIds: deps.scope.tenantIds };
}

/** For a project-level read a tenant-bound key may make (docs/management-keys.md): writes refused. */
export function projectRead(deps: Deps): Deps {
	if (!isTenantBound(deps.scope)) return deps;
	const o = opened.get(deps.scope);
	if (!o) throw tenantBoundError();
	return { ...deps, ...o.projectRead };
}

/**
 * Before a write that does not go through D1 (session revocations): a read-only key may not, and a
 * tenant-bound key only from deps a tenant-aware service opened.
 */
/** For a write command that may turn out to change nothing: a read-only key is refused all the same. */
export function assertNotReadOnly(deps: Deps) {
	if (deps.scope?.readOnly) throw readOnlyError();
}

export function assertMayWrite(deps: Deps) {
	const scope = deps.scope;
	if (!scope) return;
	if (scope.readOnly) throw readOnlyError();
	if (scope.tenantIds.length > 0 && opened.get(scope)?.d1 !== deps.d1) throw tenantBoundError();
}

/**
 * Confines a user id column, in the statement itself, to the users a tenant-bound key may see:
 * members of at least one of its tenants. With `write`, to those it may change: members of its
 * tenants and of no other tenant, holding no project-level role, so that a key bound to one tenant
 * cannot take over an account another tenant or the whole project relies on. `1` when the key is
 * not tenant-bound. The tenant ids travel as one JSON parameter.
 */
export function membersOnly(
	projectId: string,
	tenantIds: string[] | null | undefined,
	column: SQL = sql`u.id`,
	write = false,
): SQL {
	if (!tenantIds) return sql`1`;
	const ids = sql`(SELECT value FROM json_each(${JSON.stringify(tenantIds)}))`;
	const member = sql`${column} IN (SELECT ut.user_id FROM user_tenants ut WHERE ut.project_id = ${projectId}
		AND ut.tenant_id IN ${ids})`;
	if (!write) return member;
	return sql`${member}
		AND ${column} NOT IN (SELECT ut.user_id FROM user_tenants ut WHERE ut.project_id = ${projectId}
			AND ut.tenant_id NOT IN ${ids})
		AND ${column} NOT IN (SELECT ur.user_id FROM user_roles ur WHERE ur.project_id = ${projectId} AND ur.tenant_id = '')`;
}

/** Refuses a tenant id outside a tenant-bound key's tenants (an empty list means any). */
export function assertTenantInScope(tenantIds: string[] | null, tenantId: string, field = "tenantId") {
	if (tenantIds && !tenantIds.includes(tenantId)) {
		throw new DomainError(
			"forbidden",
			`${field}: tenant ${tenantId} is outside this management key's tenants`,
			field,
		);
	}
}
