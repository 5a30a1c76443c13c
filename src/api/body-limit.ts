import { bodyLimit } from "hono/body-limit";
import { DomainError } from "../domain/errors";
import { MAX_BODY_BYTES } from "../domain/limits";

/**
 * The one limit on request bodies (docs/security.md): refused on Content-Length, or while the
 * stream is read when there is none, before anything parses the body. Each dialect mounts it
 * ahead of its own middleware, so the 413 comes in that dialect's envelope (its onError).
 */
export const requestBodyLimit = bodyLimit({
	maxSize: MAX_BODY_BYTES,
	onError: () => {
		throw new DomainError(
			"payload_too_large",
			`The request body is larger than ${MAX_BODY_BYTES} bytes (1 MiB)`,
			"body",
		);
	},
});
