// The console's session (docs/console.md): the project id and management key, sealed with AES-GCM
// under CONSOLE_SESSION_KEY into an HttpOnly cookie; the expiry is inside the ciphertext, so a
// client cannot extend it. Nothing is stored server-side and nothing reaches the browser's storage.
import { randomToken } from "../lib/crypto";

export const SESSION_COOKIE = "roster_console";
export const SESSION_PATH = "/console";
/** How long a console sign-in lasts. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export interface ConsoleSession {
	/** Random per sign-in; the CSRF token is derived from it. */
	sid: string;
	projectId: string;
	key: string;
	/** Found at sign-in (docs/console.md, "Read-only keys"). */
	readOnly: boolean;
	tenantBound: boolean;
	/** Unix ms. */
	exp: number;
}

const encoder = new TextEncoder();

function fromBase64Url(value: string): Uint8Array {
	const b64 = value.replace(/-/g, "+").replace(/_/g, "/");
	const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
	return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

export function toBase64Url(bytes: Uint8Array): string {
	let binary = "";
	for (const b of bytes) binary += String.fromCharCode(b);
	return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export class ConsoleConfigError extends Error {}

const derived = new Map<string, Promise<{ seal: CryptoKey; mac: CryptoKey }>>();

/** The AES-GCM and HMAC keys, each derived from the secret with HKDF (RFC 5869) under its own label. */
export function consoleKeys(secret: string | undefined) {
	if (!secret) throw new ConsoleConfigError("CONSOLE_SESSION_KEY is not set");
	let keys = derived.get(secret);
	if (!keys) {
		keys = (async () => {
			let raw: Uint8Array;
			try {
				raw = fromBase64Url(secret);
			} catch {
				throw new ConsoleConfigError("CONSOLE_SESSION_KEY must be base64url");
			}
			if (raw.length !== 32) throw new ConsoleConfigError("CONSOLE_SESSION_KEY must hold 32 bytes");
			const base = await crypto.subtle.importKey("raw", raw, "HKDF", false, ["deriveKey"]);
			const hkdf = (info: string) => ({
				name: "HKDF",
				hash: "SHA-256",
				salt: new Uint8Array(0),
				info: encoder.encode(info),
			});
			const seal = await crypto.subtle.deriveKey(
				hkdf("roster console session v1"),
				base,
				{ name: "AES-GCM", length: 256 },
				false,
				["encrypt", "decrypt"],
			);
			const mac = await crypto.subtle.deriveKey(
				hkdf("roster console csrf v1"),
				base,
				{ name: "HMAC", hash: "SHA-256", length: 256 },
				false,
				["sign", "verify"],
			);
			return { seal, mac };
		})();
		keys.catch(() => derived.delete(secret as string));
		derived.set(secret, keys);
	}
	return keys;
}

/** A new session for a validated key. */
export function newSession(
	fields: Pick<ConsoleSession, "projectId" | "key" | "readOnly" | "tenantBound">,
	now: number,
): ConsoleSession {
	return { sid: randomToken(16), ...fields, exp: now + SESSION_TTL_MS };
}

/** `v1.<iv>.<ciphertext>`, base64url; the cookie name is the additional data. */
export async function sealSession(secret: string | undefined, session: ConsoleSession): Promise<string> {
	const { seal } = await consoleKeys(secret);
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const plain = encoder.encode(JSON.stringify(session));
	const sealed = await crypto.subtle.encrypt(
		{ name: "AES-GCM", iv, additionalData: encoder.encode(SESSION_COOKIE) },
		seal,
		plain,
	);
	return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`;
}

const isSession = (v: unknown): v is ConsoleSession => {
	if (typeof v !== "object" || v === null) return false;
	const s = v as Record<string, unknown>;
	return (
		typeof s.sid === "string" &&
		typeof s.projectId === "string" &&
		typeof s.key === "string" &&
		typeof s.readOnly === "boolean" &&
		typeof s.tenantBound === "boolean" &&
		typeof s.exp === "number"
	);
};

/** The session a cookie holds, or null when it is missing, tampered with, sealed under another key or expired. */
export async function openSession(
	secret: string | undefined,
	value: string | undefined,
	now: number,
): Promise<ConsoleSession | null> {
	if (!value) return null;
	const [version, iv, sealed] = value.split(".");
	if (version !== "v1" || !iv || !sealed) return null;
	const { seal } = await consoleKeys(secret);
	try {
		const plain = await crypto.subtle.decrypt(
			{ name: "AES-GCM", iv: fromBase64Url(iv), additionalData: encoder.encode(SESSION_COOKIE) },
			seal,
			fromBase64Url(sealed),
		);
		const session: unknown = JSON.parse(new TextDecoder().decode(plain));
		if (!isSession(session) || session.exp <= now) return null;
		return session;
	} catch {
		return null;
	}
}
