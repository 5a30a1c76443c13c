// Passkeys (WebAuthn), the public surface: the ceremonies (passkeys.ceremonies.ts), their
// management (passkeys.manage.ts), the WebAuthn plumbing they share (passkeys.webauthn.ts) and the
// SQL (passkeys.repo.ts). Routes and tests import this module, not those.
export {
	finishSignIn,
	finishSignUp,
	finishUpdate,
	startSignIn,
	startSignUp,
	startUpdate,
} from "./passkeys.ceremonies";
export {
	listPasskeys,
	type Passkey,
	type PasskeyKind,
	passkeyKind,
	removeAllPasskeys,
	removePasskey,
} from "./passkeys.manage";
export { CEREMONY_TTL_MS } from "./passkeys.repo";
export { checkOrigin, type PasskeyOptions, type StartResult } from "./passkeys.webauthn";
