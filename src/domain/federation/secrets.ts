import { DomainError } from "../errors";

// Identity-provider secrets at rest (client secrets, provider tokens): AES-GCM (NIST SP 800-38D)
// with a 96-bit random IV under IDP_ENCRYPTION_KEY, stored as "v1.<iv b64url>.<ciphertext b64url>".
// There is no re-encryption: a rotated key makes older values unreadable (docs/federation.md, "Secrets").

const VERSION = "v1";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** IDP_ENCRYPTION_KEY is missing or not 32 bytes of base64url: every dialect answers 503. */
export class IdpKeyNotConfigured extends DomainError {
	constructor() {
		super("not_configured", "The server is not configured for identity providers (IDP_ENCRYPTION_KEY)");
		this.name = "IdpKeyNotConfigured";
	}
}

/** A stored value this key cannot open: a rotated IDP_ENCRYPTION_KEY, or a tampered row. */
export class IdpSecretUnreadable extends DomainError {
	constructor() {
		super("internal", "A stored identity-provider secret is not readable");
		this.name = "IdpSecretUnreadable";
	}
}

function toBase64Url(bytes: Uint8Array): string {
	let binary = "";
	for (const b of bytes) binary += String.fromCharCode(b);
	return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(value: string): Uint8Array | undefined {
	if (!/^[A-Za-z0-9_-]*$/.test(value) || value.length % 4 === 1) return undefined;
	const body = value.replaceAll("-", "+").replaceAll("_", "/");
	try {
		return Uint8Array.from(atob(body.padEnd(Math.ceil(body.length / 4) * 4, "=")), (c) => c.charCodeAt(0));
	} catch {
		return undefined;
	}
}

// Imported keys per key string: the flow opens a secret on every sign-in.
const keys = new Map<string, Promise<CryptoKey>>();

function encryptionKey(env: Pick<Env, "IDP_ENCRYPTION_KEY">): Promise<CryptoKey> {
	const configured = (env as { IDP_ENCRYPTION_KEY?: unknown }).IDP_ENCRYPTION_KEY;
	if (typeof configured !== "string") throw new IdpKeyNotConfigured();
	const cached = keys.get(configured);
	if (cached) return cached;
	const raw = fromBase64Url(configured.replace(/=+$/, ""));
	if (raw?.length !== 32) throw new IdpKeyNotConfigured();
	const key = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
	keys.set(configured, key);
	return key;
}

export async function encryptIdpSecret(
	env: Pick<Env, "IDP_ENCRYPTION_KEY">,
	plaintext: string,
): Promise<string> {
	const key = await encryptionKey(env);
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(plaintext));
	return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

export async function decryptIdpSecret(
	env: Pick<Env, "IDP_ENCRYPTION_KEY">,
	ciphertext: string,
): Promise<string> {
	const key = await encryptionKey(env);
	const [version, ivText, sealedText, ...rest] = ciphertext.split(".");
	const iv = ivText === undefined ? undefined : fromBase64Url(ivText);
	const sealed = sealedText === undefined ? undefined : fromBase64Url(sealedText);
	if (version !== VERSION || rest.length || iv?.length !== 12 || !sealed) throw new IdpSecretUnreadable();
	try {
		return decoder.decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, sealed));
	} catch {
		throw new IdpSecretUnreadable();
	}
}
