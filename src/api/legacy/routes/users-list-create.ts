// docs/migration-v4.md: legacy "GET /api/management/user" and "POST /api/management/user" (successor: v4 /users).
import type { Hono } from "hono";
import { createUserRecord } from "../../../domain/users/user.create-record";
import { listUserRecords, type UserFilter } from "../../../domain/users/users.list";
import type { AppEnv } from "../../context";
import { publicOrigin } from "../../public-origin";
import { V4_BASE } from "../../v4/schemas";
import { userUrl } from "../../v4/user-mapper";
import { readLegacyBody } from "../body";
import { LegacyError, type LegacyFieldError } from "../errors";
import { toLegacyUser, toNewUser } from "../mapper";

const LEGACY_BASE = "/api/management/user";
const MAX_PER_PAGE = 500;
/** Page numbers skip rows; past this many, v4's cursors are the way (docs/migration-v4.md). */
const MAX_OFFSET = 10_000;

function positiveInt(
	errors: LegacyFieldError[],
	field: string,
	value: string | undefined,
	fallback: number,
	max: number,
) {
	if (value === undefined) return fallback;
	const n = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
	if (!(n >= 1 && n <= max)) {
		errors.push({ field, message: `${field}: must be an integer from 1 to ${max}` });
		return fallback;
	}
	return n;
}

export function registerLegacyListCreateRoutes(app: Hono<AppEnv>) {
	app.get(LEGACY_BASE, async (c) => {
		const errors: LegacyFieldError[] = [];
		const perPage = positiveInt(errors, "per_page", c.req.query("per_page"), 50, MAX_PER_PAGE);
		const page = positiveInt(errors, "page", c.req.query("page"), 1, 1_000_000);
		if ((page - 1) * perPage > MAX_OFFSET) {
			errors.push({
				field: "page",
				message: `page: at most ${MAX_OFFSET} users can be skipped; use GET ${V4_BASE}/users and its cursors`,
			});
		}
		if (errors.length)
			throw new LegacyError(400, "invalid_argument", errors.map((e) => e.message).join("; "), errors);
		const email = c.req.query("email");
		const cid = c.req.query("cid");
		const filter: UserFilter = {
			...(email ? { emails: [email] } : {}),
			...(cid ? { externalIds: [cid] } : {}),
		};
		const result = await listUserRecords(c.var.deps, c.var.projectId, {
			filter,
			sort: [{ field: "created", desc: false }],
			size: perPage,
			withTotal: true,
			offset: (page - 1) * perPage,
		});
		return c.json({
			users: result.records.map((r) => toLegacyUser(r.user)),
			total: result.total ?? 0,
			page,
			per_page: perPage,
		});
	});

	app.post(LEGACY_BASE, async (c) => {
		const body = await readLegacyBody(c);
		if (!body.email) {
			throw new LegacyError(400, "missing_argument", "email: is required", [
				{ field: "email", message: "email: is required" },
			]);
		}
		const { user } = await createUserRecord(
			c.var.deps,
			c.var.projectId,
			toNewUser({ ...body, email: body.email }),
		);
		const successor = userUrl(`${publicOrigin(c)}${V4_BASE}`, user.id);
		return c.json(toLegacyUser(user), 201, { Link: `<${successor}>; rel="successor-version"` });
	});
}
