// A scripted OpenID Connect provider for the federation tests (docs/federation.md, "The flow"):
// discovery, authorize (consents at once and redirects back with code + state), token (PKCE S256,
// authorization code and refresh grants), JWKS and userinfo, with switches that make it misbehave.
// It is a plain `(Request) => Response` handler, so the workerd suite uses it as an injected fetch
// (workerd cannot listen on a port) and the Node suite serves it on a loopback port.
import { base64url, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

/** Ways to misbehave; each test sets the ones it needs. */
export interface OidcSwitches {
	/** ID tokens name another issuer. */
	wrongIssuer?: boolean;
	/** ID tokens are for another client. */
	wrongAudience?: boolean;
	/** ID tokens expired an hour ago. */
	expiredIdToken?: boolean;
	/** ID tokens are unsigned (`alg: none`). */
	unsignedIdToken?: boolean;
	/** ID tokens carry a nonce the client never sent. */
	wrongNonce?: boolean;
	/** Codes are not single use: the provider redeems the same code again. */
	replayCode?: boolean;
	/** Authorize redirects back with a state the client never sent. */
	stateMismatch?: boolean;
	/** Every endpoint answers 503. */
	down?: boolean;
	/** The refresh grant is refused (invalid_grant). */
	refuseRefresh?: boolean;
}

/** Claims of the person who "signs in" at the next authorize. */
export type OidcUser = { sub: string } & Record<string, unknown>;

interface IssuedCode {
	clientId: string;
	redirectUri: string;
	challenge: string;
	nonce: string | null;
	user: OidcUser;
	scope: string;
	used: boolean;
}

export interface OidcProvider {
	issuer: string;
	clientId: string;
	clientSecret: string;
	switches: OidcSwitches;
	/** The next authorize signs in this person. */
	signInAs(user: OidcUser): void;
	/** Claims served by userinfo only, left out of ID tokens. */
	userinfoOnly: Set<string>;
	/** The handler: answers any request to the provider's origin. */
	handle(request: Request): Promise<Response>;
	/** A fetch that sends requests for the provider's origin to `handle` and refuses any other. */
	fetch: typeof fetch;
	/** What the provider saw, for assertions. */
	seen: { authorize: URLSearchParams[]; token: URLSearchParams[]; refreshes: number; userinfo: number };
	/** Access tokens issued, newest last. */
	accessTokens: string[];
	/** Refresh tokens issued, newest last. */
	refreshTokens: string[];
}

const json = (body: unknown, status = 200) =>
	new Response(JSON.stringify(body), {
		status,
		headers: { "content-type": "application/json", "cache-control": "no-store" },
	});

const oauthError = (error: string, description: string, status = 400) =>
	json({ error, error_description: description }, status);

const random = (bytes = 24) => base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)));

async function s256(verifier: string) {
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
	return base64url.encode(new Uint8Array(digest));
}

/** The client credentials of a token request: HTTP Basic or the form body. */
function clientOf(request: Request, form: URLSearchParams) {
	const basic = /^Basic\s+(.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
	if (basic) {
		const [id = "", secret = ""] = atob(basic).split(":").map(decodeURIComponent);
		return { id, secret };
	}
	return { id: form.get("client_id") ?? "", secret: form.get("client_secret") ?? "" };
}

/**
 * A provider at `issuer` (an origin, optionally with a path) for one client. Its access tokens last
 * `accessTokenSeconds` (default an hour).
 */
export async function oidcProvider(
	options: {
		issuer: string;
		clientId?: string;
		clientSecret?: string;
		accessTokenSeconds?: number;
		switches?: OidcSwitches;
	} = { issuer: "http://127.0.0.1:9" },
): Promise<OidcProvider> {
	const issuer = options.issuer.replace(/\/$/, "");
	const clientId = options.clientId ?? "roster-client";
	const clientSecret = options.clientSecret ?? "roster-client-secret";
	const accessTokenSeconds = options.accessTokenSeconds ?? 3600;
	const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
	const kid = `k-${random(6)}`;
	const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
	const codes = new Map<string, IssuedCode>();
	const access = new Map<string, OidcUser>();
	const refresh = new Map<string, { user: OidcUser; scope: string }>();
	let next: OidcUser = { sub: "user-1", email: "user1@example.com", email_verified: true, name: "User One" };
	const provider: OidcProvider = {
		issuer,
		clientId,
		clientSecret,
		switches: { ...options.switches },
		signInAs(user) {
			next = user;
		},
		userinfoOnly: new Set(),
		handle,
		fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
			const request = new Request(input, init);
			if (!request.url.startsWith(`${new URL(issuer).origin}/`)) {
				throw new TypeError(`fetch failed: no route to ${request.url} in the test`);
			}
			return handle(request);
		}) as typeof fetch,
		seen: { authorize: [], token: [], refreshes: 0, userinfo: 0 },
		accessTokens: [],
		refreshTokens: [],
	};
	const path = new URL(issuer).pathname.replace(/\/$/, "");
	const endpoint = (name: string) => `${issuer}/${name}`;

	async function idToken(user: OidcUser, nonce: string | null, accessToken: string) {
		const now = Math.floor(Date.now() / 1000);
		const s = provider.switches;
		const claims: Record<string, unknown> = {
			...Object.fromEntries(Object.entries(user).filter(([name]) => !provider.userinfoOnly.has(name))),
			iss: s.wrongIssuer ? `${issuer}/elsewhere` : issuer,
			aud: s.wrongAudience ? "another-client" : clientId,
			iat: s.expiredIdToken ? now - 7200 : now,
			exp: s.expiredIdToken ? now - 3600 : now + 600,
			at_hash: await atHash(accessToken),
		};
		if (nonce !== null) claims.nonce = s.wrongNonce ? "not-the-nonce" : nonce;
		if (s.unsignedIdToken) {
			const header = base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }));
			return `${header}.${base64url.encode(JSON.stringify(claims))}.`;
		}
		return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).sign(privateKey);
	}

	function tokens(user: OidcUser, scope: string) {
		const accessToken = `at-${random()}`;
		const refreshToken = `rt-${random()}`;
		access.set(accessToken, user);
		refresh.set(refreshToken, { user, scope });
		provider.accessTokens.push(accessToken);
		provider.refreshTokens.push(refreshToken);
		return { accessToken, refreshToken };
	}

	async function token(request: Request) {
		const form = new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer()));
		provider.seen.token.push(form);
		const client = clientOf(request, form);
		if (client.id !== clientId || client.secret !== clientSecret) {
			return oauthError("invalid_client", "Unknown client or wrong secret", 401);
		}
		const grant = form.get("grant_type");
		if (grant === "refresh_token") {
			provider.seen.refreshes++;
			const held = refresh.get(form.get("refresh_token") ?? "");
			if (!held || provider.switches.refuseRefresh)
				return oauthError("invalid_grant", "Unknown refresh token");
			const issued = tokens(held.user, held.scope);
			return json({
				access_token: issued.accessToken,
				token_type: "Bearer",
				expires_in: accessTokenSeconds,
				refresh_token: issued.refreshToken,
				scope: held.scope,
			});
		}
		if (grant !== "authorization_code") return oauthError("unsupported_grant_type", String(grant));
		const code = codes.get(form.get("code") ?? "");
		if (!code || (code.used && !provider.switches.replayCode)) {
			return oauthError("invalid_grant", "Unknown or used code");
		}
		if (code.redirectUri !== form.get("redirect_uri"))
			return oauthError("invalid_grant", "redirect_uri differs");
		if ((await s256(form.get("code_verifier") ?? "")) !== code.challenge) {
			return oauthError("invalid_grant", "PKCE verification failed");
		}
		code.used = true;
		const issued = tokens(code.user, code.scope);
		return json({
			access_token: issued.accessToken,
			token_type: "Bearer",
			expires_in: accessTokenSeconds,
			refresh_token: issued.refreshToken,
			id_token: await idToken(code.user, code.nonce, issued.accessToken),
			scope: code.scope,
		});
	}

	function authorize(url: URL) {
		const q = url.searchParams;
		provider.seen.authorize.push(q);
		const redirectUri = q.get("redirect_uri") ?? "";
		if (q.get("client_id") !== clientId) return oauthError("invalid_client", "Unknown client");
		if (q.get("response_type") !== "code") return oauthError("unsupported_response_type", "code only");
		if (q.get("code_challenge_method") !== "S256" || !q.get("code_challenge")) {
			return oauthError("invalid_request", "PKCE S256 is required");
		}
		const code = `code-${random()}`;
		codes.set(code, {
			clientId,
			redirectUri,
			challenge: q.get("code_challenge") ?? "",
			nonce: q.get("nonce"),
			user: next,
			scope: q.get("scope") ?? "openid",
			used: false,
		});
		const back = new URL(redirectUri);
		back.searchParams.set("code", code);
		back.searchParams.set(
			"state",
			provider.switches.stateMismatch ? `not-${q.get("state")}` : (q.get("state") ?? ""),
		);
		return new Response(null, { status: 302, headers: { location: back.toString() } });
	}

	async function handle(request: Request): Promise<Response> {
		if (provider.switches.down) return json({ error: "temporarily_unavailable" }, 503);
		const url = new URL(request.url);
		const route = url.pathname.slice(path.length);
		if (route === "/.well-known/openid-configuration") {
			return json({
				issuer,
				authorization_endpoint: endpoint("authorize"),
				token_endpoint: endpoint("token"),
				userinfo_endpoint: endpoint("userinfo"),
				jwks_uri: endpoint("jwks"),
				response_types_supported: ["code"],
				subject_types_supported: ["public"],
				id_token_signing_alg_values_supported: ["RS256"],
				code_challenge_methods_supported: ["S256"],
				token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
				grant_types_supported: ["authorization_code", "refresh_token"],
			});
		}
		if (route === "/authorize" && request.method === "GET") return authorize(url);
		if (route === "/token" && request.method === "POST") return token(request);
		if (route === "/jwks") return json({ keys: [publicJwk] });
		if (route === "/userinfo") {
			provider.seen.userinfo++;
			const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
			const user = bearer ? access.get(bearer) : undefined;
			return user ? json(user) : oauthError("invalid_token", "Unknown access token", 401);
		}
		return json({ error: "not_found" }, 404);
	}

	return provider;
}

/** OIDC Core §3.1.3.6: the left half of the SHA-256 of the access token, base64url. */
async function atHash(accessToken: string) {
	const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(accessToken)));
	return base64url.encode(digest.slice(0, digest.length / 2));
}
