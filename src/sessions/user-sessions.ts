import { DurableObject } from "cloudflare:workers";

/**
 * One instance per (project, user): the user's refresh sessions and the instant they were all
 * revoked. Declared by the foundation so the binding and its SQLite migration exist from the
 * start; the sessions work gives it its methods.
 */
export class UserSessions extends DurableObject<Env> {}
