// The Descope audit wire (`management.audit.search` / `searchAll` / `createEvent`) <-> the
// activity history (docs/audit.md, "Descope audit API").
import type { ActivityEntry, ActivitySearch, Device } from "../../domain/activity/activity.search";

export interface AuditSearchBody {
	userIds?: string[] | null;
	actions?: string[] | null;
	excludedActions?: string[] | null;
	devices?: string[] | null;
	methods?: string[] | null;
	geos?: string[] | null;
	remoteAddresses?: string[] | null;
	/** The SDK renames its `loginIds` argument to this. */
	externalIds?: string[] | null;
	tenants?: string[] | null;
	noTenants?: boolean | null;
	text?: string | null;
	from?: number;
	to?: number;
	actorIds?: string[] | null;
	size?: number;
	page?: number;
	cursor?: string | null;
}

const list = <T extends string = string>(v: string[] | null | undefined) =>
	v?.length ? (v as T[]) : undefined;

export function toActivitySearch(b: AuditSearchBody): ActivitySearch {
	const limit = b.size || undefined;
	return {
		userIds: list(b.userIds),
		actions: list(b.actions),
		excludedActions: list(b.excludedActions),
		devices: list<Device>(b.devices),
		methods: list(b.methods),
		countries: list(b.geos),
		ips: list(b.remoteAddresses),
		loginIds: list(b.externalIds),
		tenantIds: list(b.tenants),
		noTenant: b.noTenants ?? undefined,
		text: b.text || undefined,
		// 0 means "not given" on Descope's wire (protojson zero values).
		from: b.from || undefined,
		to: b.to || undefined,
		actorIds: list(b.actorIds),
		limit,
		offset: b.page ? b.page * (limit ?? 100) : undefined,
		cursor: b.cursor || undefined,
	};
}

type Level = "info" | "warn" | "error";
const LEVELS = new Set<unknown>(["info", "warn", "error"]);

/** One audit record as the SDK reads it (`{...a, occurred: parseFloat(a.occurred), loginIds: a.externalIds}`). */
export function toAuditRecord(projectId: string, e: ActivityEntry) {
	const application = e.actor.type === "application";
	const level = application ? e.data?.level : undefined;
	const data = application ? (e.data?.data ?? {}) : (e.data ?? {});
	return {
		projectId,
		userId: e.userId ?? "",
		action: e.action,
		occurred: e.at,
		device: e.device,
		// A refused call's data.method is its HTTP method, not a sign-in method.
		method: typeof e.data?.method === "string" && e.action !== "request.failed" ? e.data.method : "",
		geo: e.request.country,
		remoteAddress: e.request.ip,
		externalIds: e.loginId ? [e.loginId] : [],
		tenants: e.tenantId ? [e.tenantId] : [],
		data,
		type: (LEVELS.has(level) ? level : e.result === "failure" ? "error" : "info") as Level,
		actorId: e.actor.id ?? "",
		ID: String(e.seq),
		// Roster's additions; the SDK passes unknown fields through.
		actorType: e.actor.type,
		actorName: e.actor.name ?? "",
		targetType: e.target?.type ?? "",
		targetId: e.target?.id ?? "",
		result: e.result,
		changes: e.changes ?? {},
		requestId: e.request.id,
		dialect: e.request.dialect,
		city: e.request.city,
		userAgent: e.request.userAgent,
	};
}
