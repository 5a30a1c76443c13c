// Outbound HTTP of the federated sign-in (docs/federation.md, "The flow"): discovery, the token
// endpoint, JWKS and userinfo, all through oauth4webapi's `customFetch`, so one port carries them.
import * as oauth from "oauth4webapi";
import type { Deps } from "../deps";
import { DomainError } from "../errors";

/** How the flow reaches a provider; the default is the runtime's fetch, read at call time. */
export interface ProviderHttp {
	fetch: (url: string, init: RequestInit) => Promise<Response>;
}

export const runtimeHttp: ProviderHttp = { fetch: (url, init) => fetch(url, init) };

/** Why a call to a provider failed: recorded as the refusal's reason, shown as error_description. */
export class ProviderError extends DomainError {
	constructor(
		readonly reason: string,
		message: string,
	) {
		super("forbidden", message);
		this.name = "ProviderError";
	}
}

const LOOPBACK_HOST = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/i;

export const loopbackAllowed = (deps: Pick<Deps, "env">) =>
	(deps.env.IDP_ALLOW_LOOPBACK as string | undefined) === "true";

/** https, or plain http to a loopback host when IDP_ALLOW_LOOPBACK is "true" (dev and tests). */
export function checkProviderUrl(deps: Pick<Deps, "env">, value: string, what: string): URL {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new ProviderError("provider-misconfigured", `The provider's ${what} is not a URL`);
	}
	if (url.protocol === "https:") return url;
	if (url.protocol === "http:" && LOOPBACK_HOST.test(url.hostname) && loopbackAllowed(deps)) return url;
	throw new ProviderError("provider-misconfigured", `The provider's ${what} must be an https URL`);
}

/** The oauth4webapi request options: our fetch, and plain http only where checkProviderUrl let it through. */
export function requestOptions(deps: Pick<Deps, "env">, http: ProviderHttp) {
	return {
		[oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<string, unknown>) =>
			http.fetch(url, init as RequestInit),
		[oauth.allowInsecureRequests]: loopbackAllowed(deps),
		signal: () => AbortSignal.timeout(10_000),
	};
}

/** A provider that did not answer, or answered nonsense: one reason for all of it. */
export function providerFailure(error: unknown, step: string): ProviderError {
	if (error instanceof ProviderError) return error;
	if (error instanceof oauth.ResponseBodyError) {
		return new ProviderError(`${step}-refused`, `The provider refused the ${step}: ${error.error}`);
	}
	if (error instanceof oauth.OperationProcessingError) {
		return new ProviderError(
			`${step}-invalid`,
			`The provider's ${step} response is not valid: ${error.message}`,
		);
	}
	return new ProviderError("provider-unreachable", `The provider could not be reached for the ${step}`);
}
