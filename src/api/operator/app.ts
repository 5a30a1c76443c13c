// Roster's own operator API: projects and their first keys, guarded by the OPERATOR_KEY secret.
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { DomainError } from "../../domain/errors";
import { createKey } from "../../domain/keys/keys.service";
import { MAX_NAME_LENGTH } from "../../domain/limits";
import * as projects from "../../domain/projects/projects.service";
import { rotateSigningKey } from "../../domain/sessions/signing-keys";
import { listLoginIdConflicts, rekeyIdentifiers } from "../../domain/users/identifiers";
import { sha256Hex, timingSafeEqualStrings } from "../../lib/crypto";
import { requestBodyLimit } from "../body-limit";
import type { AppEnv } from "../context";
import { descopeValidationHook, onDescopeError } from "../descope/errors";
import { empty, errorResponses, jsonBody } from "../descope/schemas";
import { serveOpenApiDocument } from "../openapi-common";
import { operatorDocumentProfile } from "../openapi-profiles";
import { withKeyFailureLimit } from "../rate-limit";

export const OPERATOR_OPENAPI_PATH = "/v1/operator/openapi.json";

const operatorAuth = createMiddleware<AppEnv>(async (c, next) => {
	const configured = c.env.OPERATOR_KEY;
	if (!configured)
		throw new DomainError("unauthorized", "The operator API is disabled: OPERATOR_KEY is not set");
	// Wrong operator keys count towards the client address's failed-key limit like management keys.
	await withKeyFailureLimit(c, async () => {
		const given = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
		// Compare digests so the comparison is constant-time whatever the lengths.
		if (!given || !timingSafeEqualStrings(await sha256Hex(given), await sha256Hex(configured))) {
			throw new DomainError("unauthorized", "Authorization must be 'Bearer <OPERATOR_KEY>'");
		}
	});
	c.var.deps.actor = { type: "operator", id: null, name: "operator" };
	await next();
});

const policy = z.object({
	minLength: z.number().int().min(1).max(128),
	lowercase: z.boolean(),
	uppercase: z.boolean(),
	number: z.boolean(),
	nonAlphanumeric: z.boolean(),
});
const redirectUrlsDescription =
	'Where federated sign-in may send the browser back (docs/federation.md): absolute https URLs (plain http only to a loopback host when IDP_ALLOW_LOOPBACK is "true"), at most 50; replaces the list';
const project = z
	.object({
		id: z.string(),
		name: z.string(),
		createdTime: z.number().int(),
		sessionTtl: z.number().int().openapi({ description: "Session JWT lifetime, seconds" }),
		refreshTtl: z.number().int().openapi({ description: "Refresh JWT lifetime, seconds" }),
		passwordPolicy: policy,
		lockoutAttempts: z.number().int().openapi({ description: "Failed sign-ins before a lockout; 0 = never" }),
		lockoutSeconds: z.number().int(),
		rateLimitTier: z
			.enum(["standard", "high"])
			.openapi({ description: "Management-key rate limit: standard 100, high 1000 calls per key per 10 s" }),
		activityRetentionDays: z
			.number()
			.int()
			.openapi({ description: "Days activity entries are kept (docs/audit.md)" }),
		allowedRedirectUrls: z.array(z.string()).openapi({ description: redirectUrlsDescription }),
	})
	.openapi("Project");

const toWire = (p: projects.Project) => ({
	id: p.id,
	name: p.name,
	createdTime: Math.floor(p.createdAt / 1000),
	sessionTtl: p.sessionTtl,
	refreshTtl: p.refreshTtl,
	passwordPolicy: p.passwordPolicy,
	lockoutAttempts: p.lockoutAttempts,
	lockoutSeconds: p.lockoutSeconds,
	rateLimitTier: p.rateLimitTier,
	activityRetentionDays: p.activityRetentionDays,
	allowedRedirectUrls: p.allowedRedirectUrls ?? [],
});
const projectId = z.object({ projectId: z.string().regex(/^P[0-9A-Za-z]{27}$/, "not a project id") });

const create = createRoute({
	method: "post",
	path: "/v1/operator/projects",
	summary: "Create a project and its first management key (shown once)",
	request: { body: jsonBody(z.object({ name: z.string().trim().min(1).max(MAX_NAME_LENGTH) })) },
	responses: {
		201: {
			description: "Created",
			content: {
				"application/json": {
					schema: z.object({ projectId: z.string(), managementKey: z.string(), project }),
				},
			},
		},
		...errorResponses,
	},
});
const list = createRoute({
	method: "get",
	path: "/v1/operator/projects",
	summary: "List projects, ordered by id; pass `after` = the previous page's nextCursor",
	request: {
		query: z.object({
			limit: z.coerce.number().int().min(1).max(1000).default(100),
			after: z.string().optional(),
		}),
	},
	responses: {
		200: {
			description: "OK",
			content: {
				"application/json": {
					schema: z.object({ projects: z.array(project), nextCursor: z.string().nullable() }),
				},
			},
		},
		...errorResponses,
	},
});
const get = createRoute({
	method: "get",
	path: "/v1/operator/projects/{projectId}",
	summary: "Load a project",
	request: { params: projectId },
	responses: {
		200: { description: "OK", content: { "application/json": { schema: z.object({ project }) } } },
		...errorResponses,
	},
});
const remove = createRoute({
	method: "delete",
	path: "/v1/operator/projects/{projectId}",
	summary: "Delete a project with all its data and keys",
	request: { params: projectId },
	responses: {
		200: { description: "Deleted", content: { "application/json": { schema: empty } } },
		...errorResponses,
	},
});
const issueKey = createRoute({
	method: "post",
	path: "/v1/operator/projects/{projectId}/keys",
	summary: "Issue another management key for a project (recovery when its keys are lost)",
	request: {
		params: projectId,
		body: jsonBody(
			z.object({
				name: z.string().trim().min(1).max(MAX_NAME_LENGTH),
				// The key's scope (docs/management-keys.md).
				readOnly: z.boolean().optional(),
				tenantIds: z.array(z.string().min(1)).optional(),
			}),
		),
	},
	responses: {
		201: {
			description: "Created",
			content: { "application/json": { schema: z.object({ keyId: z.string(), managementKey: z.string() }) } },
		},
		...errorResponses,
	},
});

const settings = createRoute({
	method: "patch",
	path: "/v1/operator/projects/{projectId}",
	summary:
		"Change a project's session lifetimes, password policy, lockout, rate-limit tier, activity retention and allowed redirect URLs (only the given fields)",
	request: {
		params: projectId,
		body: jsonBody(
			z.object({
				sessionTtl: z.number().int().min(60).max(86_400).optional(),
				refreshTtl: z.number().int().min(300).max(31_536_000).optional(),
				passwordPolicy: policy
					.partial()
					.optional()
					.openapi({ description: "Only the rules given change; the others keep their values" }),
				lockoutAttempts: z.number().int().min(0).max(1000).optional(),
				lockoutSeconds: z.number().int().min(1).max(86_400).optional(),
				rateLimitTier: z.enum(["standard", "high"]).optional(),
				activityRetentionDays: z.number().int().min(1).max(3650).optional(),
				allowedRedirectUrls: z.array(z.string()).optional().openapi({ description: redirectUrlsDescription }),
			}),
		),
	},
	responses: {
		200: { description: "OK", content: { "application/json": { schema: z.object({ project }) } } },
		...errorResponses,
	},
});
const rotate = createRoute({
	method: "post",
	path: "/v1/operator/projects/{projectId}/signing-keys/rotate",
	summary:
		"Rotate the JWT signing key: the new key is published at once and signs after activateAfterSeconds (default 600); the old one stays published until its refresh tokens expire",
	request: {
		params: projectId,
		body: jsonBody(z.object({ activateAfterSeconds: z.number().int().min(0).max(86_400).default(600) })),
	},
	responses: {
		200: {
			description: "OK",
			content: {
				"application/json": { schema: z.object({ kid: z.string(), activateTime: z.number().int() }) },
			},
		},
		...errorResponses,
	},
});

const loginIdConflicts = createRoute({
	method: "get",
	path: "/v1/operator/projects/{projectId}/login-id-conflicts",
	summary:
		"Login ids in the shape of a user id, found by migration 0008: they stay on their user but address nothing (docs/security.md)",
	request: { params: projectId },
	responses: {
		200: {
			description: "OK",
			content: {
				"application/json": {
					schema: z.object({
						conflicts: z.array(
							z.object({
								loginId: z.string(),
								userId: z.string().openapi({ description: "The user that holds the login id" }),
								foundTime: z.number().int().openapi({ description: "Unix seconds" }),
							}),
						),
					}),
				},
			},
		},
		...errorResponses,
	},
});

const rekey = createRoute({
	method: "post",
	path: "/v1/operator/projects/{projectId}/rekey-identifiers",
	summary:
		"Recompute the comparison keys of login ids and emails stored before NFKC and case folding (run once after upgrading); a value whose key another user holds is reported and left as it was",
	request: { params: projectId },
	responses: {
		200: {
			description: "OK",
			content: {
				"application/json": {
					schema: z.object({
						rekeyed: z.number().int(),
						collisions: z.array(
							z.object({
								field: z.enum(["loginId", "email"]),
								value: z.string(),
								userId: z.string(),
								heldBy: z.string().openapi({ description: "The user that already has the folded value" }),
							}),
						),
					}),
				},
			},
		},
		...errorResponses,
	},
});

export function buildOperatorApp() {
	const app = new OpenAPIHono<AppEnv>({ defaultHook: descopeValidationHook });
	app.onError(onDescopeError);
	serveOpenApiDocument(
		app,
		OPERATOR_OPENAPI_PATH,
		{
			openapi: "3.1.0",
			info: {
				title: "Roster operator API",
				version: "1",
				description: "`Authorization: Bearer <OPERATOR_KEY>`",
			},
		},
		operatorDocumentProfile,
	);
	app.use("/v1/operator/*", requestBodyLimit);
	app.use("/v1/operator/projects", operatorAuth);
	app.use("/v1/operator/projects/*", operatorAuth);

	app.openapi(create, async (c) => {
		const result = await projects.createProject(c.var.deps, c.req.valid("json").name);
		return c.json(
			{ projectId: result.project.id, managementKey: result.managementKey, project: toWire(result.project) },
			201,
		);
	});
	app.openapi(list, async (c) => {
		const { limit, after } = c.req.valid("query");
		const page = await projects.listProjects(c.var.deps, after, limit);
		const nextCursor = page.length === limit ? (page.at(-1)?.id ?? null) : null;
		return c.json({ projects: page.map(toWire), nextCursor }, 200);
	});
	app.openapi(get, async (c) => {
		const found = await projects.getProject(c.var.deps, c.req.valid("param").projectId);
		return c.json({ project: toWire(found) }, 200);
	});
	app.openapi(remove, async (c) => {
		await projects.deleteProject(c.var.deps, c.req.valid("param").projectId);
		return c.json({}, 200);
	});
	app.openapi(settings, async (c) => {
		const updated = await projects.updateSettings(
			c.var.deps,
			c.req.valid("param").projectId,
			c.req.valid("json"),
		);
		return c.json({ project: toWire(updated) }, 200);
	});
	app.openapi(rotate, async (c) => {
		const { projectId: id } = c.req.valid("param");
		await projects.getProject(c.var.deps, id);
		const next = await rotateSigningKey(c.var.deps, id, c.req.valid("json").activateAfterSeconds);
		return c.json({ kid: next.kid, activateTime: Math.floor(next.activateAt / 1000) }, 200);
	});
	app.openapi(loginIdConflicts, async (c) => {
		const { projectId: id } = c.req.valid("param");
		await projects.getProject(c.var.deps, id);
		const conflicts = await listLoginIdConflicts(c.var.deps, id);
		return c.json(
			{
				conflicts: conflicts.map((x) => ({
					loginId: x.loginId,
					userId: x.userId,
					foundTime: Math.floor(x.foundAt / 1000),
				})),
			},
			200,
		);
	});
	app.openapi(rekey, async (c) => {
		const { projectId: id } = c.req.valid("param");
		await projects.getProject(c.var.deps, id);
		return c.json(await rekeyIdentifiers(c.var.deps, id), 200);
	});
	app.openapi(issueKey, async (c) => {
		const { projectId: id } = c.req.valid("param");
		await projects.getProject(c.var.deps, id);
		const { name, readOnly, tenantIds } = c.req.valid("json");
		const { key, cleartext } = await createKey(c.var.deps, id, { name, readOnly, tenantIds });
		return c.json({ keyId: key.id, managementKey: cleartext }, 201);
	});
	return app;
}
