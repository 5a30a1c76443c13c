import { DomainError } from "../domain/errors";

// Secrets at rest: AES-GCM (NIST SP 800-38D) with a 96-bit random IV and no additional data, under a
// 32-byte key held base64url in a named Worker secret, stored as "v1.<iv b64url>.<ciphertext b64url>".
// There is no re-encryption: a rotated key makes older values unreadable.

const VERSION = "v1";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The named key secret is missing or not 32 bytes of base64url: `not_configured`, which every dialect answers 503. */
export class SecretKeyNotConfigured extends DomainError {
	constructor(
		readonly secret: string,
		/** What the key serves, for the message: "webhooks", "identity providers". */
		feature: string,
	) {
		super("not_configured", `The server is not configured for ${feature} (${secret})`);
		this.name = "SecretKeyNotConfigured";
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

// Imported keys per key string: secrets are opened on every delivery and every federated sign-in.
const keys = new Map<string, Promise<CryptoKey>>();

export interface SecretBox<K extends keyof Env> {
	seal(env: Pick<Env, K>, plaintext: string): Promise<string>;
	open(env: Pick<Env, K>, ciphertext: string): Promise<string>;
}

export function secretBox<K extends keyof Env>(options: {
	/** The Worker secret that holds the key. */
	secret: K;
	/** Thrown when that secret is missing or malformed. */
	notConfigured: () => SecretKeyNotConfigured;
	/** Thrown when a stored value does not open under the key: a rotated key, or a tampered row. */
	unreadable: () => DomainError;
}): SecretBox<K> {
	function encryptionKey(env: Pick<Env, K>): Promise<CryptoKey> {
		// Typed as a string, but a deployment may not set it.
		const configured: unknown = env[options.secret];
		if (typeof configured !== "string") throw options.notConfigured();
		const cached = keys.get(configured);
		if (cached) return cached;
		const raw = fromBase64Url(configured.replace(/=+$/, ""));
		if (raw?.length !== 32) throw options.notConfigured();
		const key = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
		keys.set(configured, key);
		return key;
	}

	return {
		async seal(env, plaintext) {
			const key = await encryptionKey(env);
			const iv = crypto.getRandomValues(new Uint8Array(12));
			const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(plaintext));
			return `${VERSION}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
		},
		async open(env, ciphertext) {
			const key = await encryptionKey(env);
			const [version, ivText, sealedText, ...rest] = ciphertext.split(".");
			const iv = ivText === undefined ? undefined : fromBase64Url(ivText);
			const sealed = sealedText === undefined ? undefined : fromBase64Url(sealedText);
			if (version !== VERSION || rest.length || iv?.length !== 12 || !sealed) throw options.unreadable();
			try {
				return decoder.decode(await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, sealed));
			} catch {
				throw options.unreadable();
			}
		},
	};
}
