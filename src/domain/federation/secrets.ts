import { SecretKeyNotConfigured, secretBox } from "../../lib/secret-box";
import { DomainError } from "../errors";

// Identity-provider secrets at rest (client secrets, provider tokens): the AES-GCM secret box
// (src/lib/secret-box.ts) under IDP_ENCRYPTION_KEY. A rotated key makes older values unreadable
// (docs/federation.md, "Secrets").

/** IDP_ENCRYPTION_KEY is missing or not 32 bytes of base64url: every dialect answers 503. */
export class IdpKeyNotConfigured extends SecretKeyNotConfigured {
	constructor() {
		super("IDP_ENCRYPTION_KEY", "identity providers");
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

const box = secretBox({
	secret: "IDP_ENCRYPTION_KEY",
	notConfigured: () => new IdpKeyNotConfigured(),
	unreadable: () => new IdpSecretUnreadable(),
});

export function encryptIdpSecret(env: Pick<Env, "IDP_ENCRYPTION_KEY">, plaintext: string): Promise<string> {
	return box.seal(env, plaintext);
}

export function decryptIdpSecret(env: Pick<Env, "IDP_ENCRYPTION_KEY">, ciphertext: string): Promise<string> {
	return box.open(env, ciphertext);
}
