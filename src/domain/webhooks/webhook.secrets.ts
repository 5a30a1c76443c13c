import { SecretKeyNotConfigured, secretBox } from "../../lib/secret-box";
import { DomainError } from "../errors";

// Signing secrets and receiver credentials at rest: the AES-GCM secret box (src/lib/secret-box.ts)
// under WEBHOOK_ENCRYPTION_KEY.

/**
 * WEBHOOK_ENCRYPTION_KEY is missing or not 32 bytes of base64url: `not_configured`, which every
 * dialect answers 503 (the operator's to fix, not the caller's).
 */
export class WebhookKeyNotConfigured extends SecretKeyNotConfigured {
	constructor() {
		super("WEBHOOK_ENCRYPTION_KEY", "webhooks");
		this.name = "WebhookKeyNotConfigured";
	}
}

/** Standard Webhooks format (https://www.standardwebhooks.com/): "whsec_" + base64 of 32 random bytes. */
export function newSigningSecret(): string {
	const raw = crypto.getRandomValues(new Uint8Array(32));
	let binary = "";
	for (const b of raw) binary += String.fromCharCode(b);
	return `whsec_${btoa(binary)}`;
}

const box = secretBox({
	secret: "WEBHOOK_ENCRYPTION_KEY",
	notConfigured: () => new WebhookKeyNotConfigured(),
	// Wrong key (rotated WEBHOOK_ENCRYPTION_KEY) or tampered row.
	unreadable: () => new DomainError("internal", "A stored webhook secret is not readable"),
});

export function encryptSecret(env: Pick<Env, "WEBHOOK_ENCRYPTION_KEY">, plaintext: string): Promise<string> {
	return box.seal(env, plaintext);
}

export function decryptSecret(env: Pick<Env, "WEBHOOK_ENCRYPTION_KEY">, ciphertext: string): Promise<string> {
	return box.open(env, ciphertext);
}
