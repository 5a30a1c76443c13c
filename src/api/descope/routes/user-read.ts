// `management.user.load`, `loadByUserId`, `searchAll` (docs/descope-compat.md): load by login id / user id, load many, search v2.
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { DomainError } from "../../../domain/errors";
import * as users from "../../../domain/users/users.service";
import { attributeRecord } from "../../attribute-record";
import type { AppEnv } from "../../context";
import {
	jsonBody,
	ok,
	optBool,
	optInt64,
	optString,
	optStrings,
	userEnvelope,
	usersEnvelope,
} from "../schemas";
import { toResponseUser } from "../user-mapper";

const load = createRoute({
	method: "get",
	path: "/v1/mgmt/user",
	tags: ["users"],
	summary: "Load a user by login id (or user id), or by user id",
	request: {
		query: z.object({
			loginId: z.string().optional(),
			userId: z.string().optional(),
		}),
	},
	responses: ok(userEnvelope),
});

const loadMany = createRoute({
	method: "post",
	path: "/v1/mgmt/users/load",
	tags: ["users"],
	summary: "Load users by user ids",
	request: { body: jsonBody(z.object({ userIds: z.array(z.string()), includeInvalidUsers: optBool })) },
	responses: ok(usersEnvelope),
});

const sortField = z.object({ field: z.string(), desc: optBool });
const tenantRoleFilter = z
	.object({ values: z.array(z.string()), and: optBool })
	.transform((v) => ({ values: v.values, and: v.and ?? false }));
const searchBody = z.object({
	loginIds: optStrings,
	userIds: optStrings,
	text: optString,
	statuses: z.array(z.enum(["enabled", "disabled", "invited", "expired"])).nullish(),
	emails: optStrings,
	phones: optStrings,
	customAttributes: attributeRecord().nullish(),
	verifiedEmail: optBool,
	verifiedPhone: optBool,
	withTestUser: optBool,
	testUsersOnly: optBool,
	fromCreatedTime: optInt64,
	toCreatedTime: optInt64,
	fromModifiedTime: optInt64,
	toModifiedTime: optInt64,
	sort: z.array(sortField).nullish(),
	limit: optInt64,
	page: optInt64,
	tenantIds: optStrings,
	roleNames: optStrings,
	ssoAppIds: optStrings,
	tenantRoleIds: z.record(z.string(), tenantRoleFilter).nullish(),
	tenantRoleNames: z.record(z.string(), tenantRoleFilter).nullish(),
});
type SearchBody = z.infer<typeof searchBody>;

const search = createRoute({
	method: "post",
	path: "/v2/mgmt/user/search",
	tags: ["users"],
	summary: "Search users (v2); `total` counts every match",
	request: { body: jsonBody(searchBody) },
	responses: ok(usersEnvelope),
});

const searchTest = createRoute({
	method: "post",
	path: "/v2/mgmt/user/search/test",
	tags: ["users"],
	summary: "Search test users",
	request: { body: jsonBody(searchBody) },
	responses: ok(usersEnvelope),
});

function toSearch(body: SearchBody): users.SearchQuery {
	const g = <T>(v: T | null | undefined) => v ?? undefined;
	return {
		loginIds: g(body.loginIds),
		userIds: g(body.userIds),
		text: g(body.text),
		statuses: g(body.statuses),
		emails: g(body.emails),
		phones: g(body.phones),
		customAttributes: g(body.customAttributes),
		verifiedEmail: g(body.verifiedEmail),
		verifiedPhone: g(body.verifiedPhone),
		withTestUser: g(body.withTestUser),
		testUsersOnly: g(body.testUsersOnly),
		fromCreatedTime: body.fromCreatedTime,
		toCreatedTime: body.toCreatedTime,
		fromModifiedTime: body.fromModifiedTime,
		toModifiedTime: body.toModifiedTime,
		sort: body.sort?.map((s) => ({ field: s.field, desc: s.desc ?? false })),
		limit: body.limit,
		page: body.page,
		tenantIds: g(body.tenantIds),
		roleNames: g(body.roleNames),
		ssoAppIds: g(body.ssoAppIds),
		tenantRoleIds: g(body.tenantRoleIds),
		tenantRoleNames: g(body.tenantRoleNames),
	};
}

export function registerUserReadRoutes(app: OpenAPIHono<AppEnv>) {
	app.openapi(load, async (c) => {
		const { loginId, userId } = c.req.valid("query");
		const deps = c.var.deps;
		if (loginId)
			return c.json({ user: toResponseUser(await users.loadUser(deps, c.var.projectId, loginId)) }, 200);
		if (userId)
			return c.json({ user: toResponseUser(await users.loadUserById(deps, c.var.projectId, userId)) }, 200);
		throw new DomainError("missing_argument", "loginId or userId is required", "loginId");
	});

	app.openapi(loadMany, async (c) => {
		const { userIds, includeInvalidUsers } = c.req.valid("json");
		const found = await users.loadUsersByIds(
			c.var.deps,
			c.var.projectId,
			userIds,
			includeInvalidUsers ?? false,
		);
		return c.json({ users: found.map(toResponseUser), total: found.length }, 200);
	});

	app.openapi(search, async (c) => {
		const result = await users.searchUsers(c.var.deps, c.var.projectId, toSearch(c.req.valid("json")));
		return c.json({ users: result.users.map(toResponseUser), total: result.total }, 200);
	});

	app.openapi(searchTest, async (c) => {
		const query = { ...toSearch(c.req.valid("json")), withTestUser: true, testUsersOnly: true };
		const result = await users.searchUsers(c.var.deps, c.var.projectId, query);
		return c.json({ users: result.users.map(toResponseUser), total: result.total }, 200);
	});
}
