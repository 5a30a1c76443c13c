import type { Deps } from "../domain/deps";

/** Hono environment shared by every dialect's sub-app. */
export interface AppEnv {
	Bindings: Env;
	Variables: {
		deps: Deps;
		/** Set by a dialect's auth middleware. */
		projectId: string;
		keyId: string;
		/** The token part of an end-user bearer (`<projectId>:<refreshJwt>`), if any. */
		bearerToken: string | undefined;
	};
}
