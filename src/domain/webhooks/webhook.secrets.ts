import { DomainError } from "../errors";

// Signing secrets and receiver credentials at rest: AES-GCM (NIST SP 800-38D) with a 96-bit random IV
// under WEBHOOK_ENCRYPTION_KEY, stored as "v1.<iv b64url>.<ciphertext b64url>".

const VERSION = "v1";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * WEBHOOK_ENCRYPTION_KEY is missing or not 32 bytes of base64url: `not_configured`, which every
 * dialect answers 503 (the operator's to fix, not the caller's).
 */
export class WebhookKeyNotConfigured extends DomainError {
	constructor() {
		super("not_configured", "The server is not configured for webhooks (WEBHOOK_ENCRYPTION_KEY)");
		this.name = "WebhookKeyNotConfigured";
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

/** Standard Webhooks format (https://www.standardwebhooks.com/): "whsec_" + base64 of 32 random bytes. */
export function newSigningSecret(): string {
	const raw = crypto.getRandomValues(new Uint8Array(32));
	let binary = "";
	for (const b of raw) binary += String.fromCharCode(b);
	return `whsec_${btoa(binary)}`;
}

// Imported keys per key string: importKey is cheap but runs on every delivery otherwise.
const keys = new Map<string, Promise<CryptoKey>>();

function encryptionKey(env: Pick<Env, "WEBHOOK_ENCRYPTION_KEY">): Promise<CryptoKey> {
	const configured = env.WEBHOOK_ENCRYPTION_KEY;
	if (typeof configured !== "string") throw new WebhookKeyNotConfigured();
	const cached = keys.get(configured);
	if (cached) return cached;
	const raw = fromBase64Url(configured.replace(/=+$/, ""));
	if (raw?.length !== 32) throw new WebhookKeyNotConfigured();
	const key = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
	keys.set(configured, key);
	return key;
}

export async function encryptSecret(
	env: Pick<Env, "WEBHOOK_ENCRYPTION_KEY">,
	plaintext: string,
): Promise<string> {
	const key = await encryptionKey(env);
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(plaintext));
	return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

export async function decryptSecret(
	env: Pick<Env, "WEBHOOK_ENCRYPTION_KEY">,
	ciphertext: string,
): Promise<string> {
	const key = await encryptionKey(env);
	const [version, ivText, sealedText, ...rest] = ciphertext.split(".");
	const iv = ivText === undefined ? undefined : fromBase64Url(ivText);
	const sealed = sealedText === undefined ? undefined : fromBase64Url(sealedText);
	if (version !== VERSION || rest.length || !iv || iv.length !== 12 || !sealed)
		throw new DomainError("internal", "A stored webhook secret is not readable");
	try {
		return decoder.decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, sealed));
	} catch {
		// Wrong key (rotated WEBHOOK_ENCRYPTION_KEY) or tampered row.
		throw new DomainError("internal", "A stored webhook secret is not readable");
	}
}
