import { call } from "../harness";

// A software WebAuthn authenticator for tests: ECDSA P-256 keys from WebCrypto, "none"
// attestation, and the browser's part (clientDataJSON, base64url JSON) — built here, byte by byte.

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

const utf8 = new TextEncoder();

export function b64url(bytes: Uint8Array): string {
	let binary = "";
	for (const b of bytes) binary += String.fromCharCode(b);
	return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromB64url(value: string): Uint8Array {
	const base64 = value.replaceAll("-", "+").replaceAll("_", "/");
	const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
	return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let offset = 0;
	for (const p of parts) {
		out.set(p, offset);
		offset += p.length;
	}
	return out;
}

const uint32 = (n: number): Uint8Array<ArrayBuffer> =>
	new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
const sha256 = async (data: Uint8Array) =>
	new Uint8Array(await crypto.subtle.digest("SHA-256", Uint8Array.from(data)));

// ---------------------------------------------------------------- minimal CBOR (RFC 8949)

export type Cbor = number | string | Uint8Array | Cbor[] | Map<number | string, Cbor>;

/** The head of a data item: major type and argument, in the shortest form. */
function head(major: number, argument: number): Uint8Array {
	const m = major << 5;
	if (argument < 24) return new Uint8Array([m | argument]);
	if (argument < 0x100) return new Uint8Array([m | 24, argument]);
	if (argument < 0x10000) return new Uint8Array([m | 25, argument >> 8, argument & 0xff]);
	return concat(new Uint8Array([m | 26]), uint32(argument));
}

export function cbor(value: Cbor): Uint8Array {
	if (typeof value === "number") {
		if (!Number.isInteger(value)) throw new Error("only integers");
		return value >= 0 ? head(0, value) : head(1, -1 - value);
	}
	if (typeof value === "string") {
		const bytes = utf8.encode(value);
		return concat(head(3, bytes.length), bytes);
	}
	if (value instanceof Uint8Array) return concat(head(2, value.length), value);
	if (Array.isArray(value)) return concat(head(4, value.length), ...value.map(cbor));
	const entries = [...value.entries()];
	return concat(head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)]));
}

// ---------------------------------------------------------------- ECDSA helpers

/** WebCrypto signs P-256 as r‖s (64 bytes); WebAuthn wants an ASN.1 DER SEQUENCE of two INTEGERs. */
function derSignature(raw: Uint8Array): Uint8Array {
	const integer = (bytes: Uint8Array) => {
		let i = 0;
		while (i < bytes.length - 1 && bytes[i] === 0) i++;
		let trimmed = bytes.slice(i);
		if ((trimmed[0] ?? 0) & 0x80) trimmed = concat(new Uint8Array([0]), trimmed);
		return concat(new Uint8Array([0x02, trimmed.length]), trimmed);
	};
	const body = concat(integer(raw.slice(0, 32)), integer(raw.slice(32)));
	return concat(new Uint8Array([0x30, body.length]), body);
}

/** The COSE_Key of an ES256 public key: kty EC2, alg -7, crv P-256, x, y. */
async function coseKey(publicKey: CryptoKey): Promise<Uint8Array> {
	const jwk = (await crypto.subtle.exportKey("jwk", publicKey)) as JsonWebKey;
	return cbor(
		new Map<number, Cbor>([
			[1, 2],
			[3, -7],
			[-1, 1],
			[-2, fromB64url(jwk.x as string)],
			[-3, fromB64url(jwk.y as string)],
		]),
	);
}

// ---------------------------------------------------------------- the authenticator

export interface StoredCredential {
	id: Uint8Array;
	keys: CryptoKeyPair;
	rpId: string;
	counter: number;
	userHandle: string;
}

/** Deviations a test asks for, to see the server refuse them. */
export interface Tamper {
	/** The origin written into clientDataJSON (default: the origin the test passes). */
	origin?: string;
	/** The RP ID whose hash goes into authenticatorData (default: the options' RP ID). */
	rpId?: string;
	/** Sign count to report instead of the next one. */
	counter?: number;
	/** Flip a bit of the signature. */
	badSignature?: boolean;
	/** Sign with a fresh key under the same credential id. */
	wrongKey?: boolean;
	/** Report no user verification. */
	noUv?: boolean;
	/** Register under this credential id (an authenticator chooses its ids freely). */
	credentialId?: Uint8Array;
	type?: string;
}

export class SoftAuthenticator {
	readonly credentials: StoredCredential[] = [];
	readonly aaguid = crypto.getRandomValues(new Uint8Array(16));

	constructor(readonly transports: string[] = ["internal", "hybrid"]) {}

	/** navigator.credentials.create(): options is the parsed `options` string of a start call. */
	async create(options: { publicKey: any }, origin: string, tamper: Tamper = {}) {
		const pk = options.publicKey;
		const rpId: string = tamper.rpId ?? pk.rp.id;
		const excluded = new Set((pk.excludeCredentials ?? []).map((c: { id: string }) => c.id));
		if (this.credentials.some((c) => c.rpId === rpId && excluded.has(b64url(c.id)))) {
			throw new Error("InvalidStateError: this authenticator already holds an excluded credential");
		}
		const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
			"sign",
			"verify",
		])) as CryptoKeyPair;
		const credential: StoredCredential = {
			id: tamper.credentialId ?? crypto.getRandomValues(new Uint8Array(32)),
			keys,
			rpId,
			counter: 0,
			userHandle: pk.user.id,
		};
		const clientDataJSON = this.clientData(
			tamper.type ?? "webauthn.create",
			pk.challenge,
			tamper.origin ?? origin,
		);
		const attested = concat(
			this.aaguid,
			new Uint8Array([credential.id.length >> 8, credential.id.length & 0xff]),
			credential.id,
			await coseKey(keys.publicKey),
		);
		const authData = concat(
			await sha256(utf8.encode(rpId)),
			new Uint8Array([FLAG_UP | (tamper.noUv ? 0 : FLAG_UV) | FLAG_AT]),
			uint32(credential.counter),
			attested,
		);
		const attestationObject = cbor(
			new Map<string, Cbor>([
				["fmt", "none"],
				["attStmt", new Map()],
				["authData", authData],
			]),
		);
		this.credentials.push(credential);
		const id = b64url(credential.id);
		return {
			id,
			rawId: id,
			type: "public-key",
			authenticatorAttachment: this.transports.includes("internal") ? "platform" : "cross-platform",
			response: {
				clientDataJSON: b64url(clientDataJSON),
				attestationObject: b64url(attestationObject),
				transports: this.transports,
			},
			clientExtensionResults: {},
		};
	}

	/**
	 * navigator.credentials.get(): signs authenticatorData ‖ SHA-256(clientDataJSON) with the first
	 * credential allowed for the RP ID (or `credential` when given).
	 */
	async get(options: { publicKey: any }, origin: string, tamper: Tamper = {}, credential?: StoredCredential) {
		const pk = options.publicKey;
		const allowed = new Set((pk.allowCredentials ?? []).map((c: { id: string }) => c.id));
		const chosen =
			credential ??
			this.credentials.find((c) => c.rpId === pk.rpId && (allowed.size === 0 || allowed.has(b64url(c.id))));
		if (!chosen) throw new Error("NotAllowedError: no credential for this RP");
		chosen.counter = tamper.counter ?? chosen.counter + 1;
		const clientDataJSON = this.clientData(
			tamper.type ?? "webauthn.get",
			pk.challenge,
			tamper.origin ?? origin,
		);
		const authData = concat(
			await sha256(utf8.encode(tamper.rpId ?? pk.rpId)),
			new Uint8Array([FLAG_UP | (tamper.noUv ? 0 : FLAG_UV)]),
			uint32(chosen.counter),
		);
		const signingKey = tamper.wrongKey
			? (
					(await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
						"sign",
						"verify",
					])) as CryptoKeyPair
				).privateKey
			: chosen.keys.privateKey;
		const raw = new Uint8Array(
			await crypto.subtle.sign(
				{ name: "ECDSA", hash: "SHA-256" },
				signingKey,
				concat(authData, await sha256(clientDataJSON)),
			),
		);
		if (tamper.badSignature) raw[10] = (raw[10] ?? 0) ^ 0x01;
		const id = b64url(chosen.id);
		return {
			id,
			rawId: id,
			type: "public-key",
			response: {
				clientDataJSON: b64url(clientDataJSON),
				authenticatorData: b64url(authData),
				signature: b64url(derSignature(raw)),
				userHandle: chosen.userHandle,
			},
			clientExtensionResults: {},
		};
	}

	private clientData(type: string, challenge: string, origin: string) {
		return utf8.encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
	}
}

// ---------------------------------------------------------------- the page: start → authenticator → finish

export const ORIGIN = "https://app.example.com";

/** Calls the end-user passkey routes of one project as core-js-sdk does. */
export function passkeyClient(projectId: string) {
	const headers = (refreshJwt?: string) => ({
		authorization: `Bearer ${projectId}${refreshJwt ? `:${refreshJwt}` : ""}`,
	});
	const post = (path: string, body: unknown, refreshJwt?: string) =>
		call("POST", `/v1/auth/webauthn/${path}`, { body, headers: headers(refreshJwt) });
	return {
		post,
		signUpStart: (loginId: string, extra: Record<string, unknown> = {}) =>
			post("signup/start", { user: { loginId, name: "Ada" }, origin: ORIGIN, ...extra }),
		signInStart: (loginId: string, extra: Record<string, unknown> = {}) =>
			post("signin/start", { loginId, origin: ORIGIN, ...extra }),
		finish: (kind: "signup" | "signin" | "update", transactionId: string, response: unknown) =>
			post(`${kind}/finish`, { transactionId, response: JSON.stringify(response) }),
		/** A full sign-up with `authenticator`; returns the finish call's result. */
		async signUp(authenticator: SoftAuthenticator, loginId: string) {
			const start = await post("signup/start", { user: { loginId, name: "Ada" }, origin: ORIGIN });
			if (start.status !== 200) throw new Error(`signup/start: ${JSON.stringify(start.body)}`);
			const credential = await authenticator.create(JSON.parse(start.body.options), ORIGIN);
			return post("signup/finish", {
				transactionId: start.body.transactionId,
				response: JSON.stringify(credential),
			});
		},
		/** A full sign-in; `tamper` and `credential` reach the authenticator. */
		async signIn(
			authenticator: SoftAuthenticator,
			loginId: string,
			tamper: Tamper = {},
			credential?: StoredCredential,
		) {
			const start = await post("signin/start", { loginId, origin: ORIGIN });
			if (start.status !== 200) throw new Error(`signin/start: ${JSON.stringify(start.body)}`);
			const assertion = await authenticator.get(JSON.parse(start.body.options), ORIGIN, tamper, credential);
			return post("signin/finish", {
				transactionId: start.body.transactionId,
				response: JSON.stringify(assertion),
			});
		},
	};
}
