// One HTTP attempt of a delivery, signed as Standard Webhooks require
// (https://www.standardwebhooks.com/, "Signature scheme"): `webhook-id`, `webhook-timestamp`,
// `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`, one signature per valid secret.
import { Webhook } from "standardwebhooks";
import { decryptSecret } from "../domain/webhooks/webhook.secrets";
import { checkWebhookTarget } from "../domain/webhooks/webhook.url-safety";
import type { DeliveryToSend } from "../domain/webhooks/webhook-deliveries.repo";

export interface SenderDeps {
	/** The global fetch in production; tests hand in a receiver. */
	fetch: typeof fetch;
	now: () => number;
	env: Pick<Env, "WEBHOOK_ENCRYPTION_KEY" | "WEBHOOKS_ALLOW_LOOPBACK">;
}

export interface SendResult {
	at: number;
	statusCode: number | null;
	latencyMs: number;
	responseSnippet: string | null;
	error: string | null;
	/** The Retry-After header of the answer, raw. */
	retryAfter: string | null;
	/** The target was refused before sending (outbound safety): no retry helps. */
	refused: boolean;
}

/** Per-attempt timeout. */
export const ATTEMPT_TIMEOUT_MS = 15_000;
/** Bytes of the answer kept in the attempt log; the rest is not read. */
export const SNIPPET_BYTES = 2048;
export const USER_AGENT = "Roster-Webhooks/1";

/** The first SNIPPET_BYTES of a body; the stream is cancelled after that. */
async function snippet(res: Response): Promise<string | null> {
	if (!res.body) return null;
	const reader = res.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	try {
		while (size < SNIPPET_BYTES) {
			const { done, value } = await reader.read();
			if (done) break;
			chunks.push(value);
			size += value.byteLength;
		}
	} finally {
		await reader.cancel().catch(() => {});
	}
	const bytes = new Uint8Array(Math.min(size, SNIPPET_BYTES));
	let offset = 0;
	for (const chunk of chunks) {
		const part = chunk.subarray(0, bytes.length - offset);
		bytes.set(part, offset);
		offset += part.length;
		if (offset >= bytes.length) break;
	}
	return new TextDecoder().decode(bytes);
}

/** `v1,<sig>` for the current secret and, during a rotation's overlap, the previous one too. */
export async function signatures(
	deps: Pick<SenderDeps, "env" | "now">,
	d: Pick<DeliveryToSend, "secretCiphertext" | "previousSecretCiphertext" | "previousSecretExpiresAt">,
	id: string,
	timestamp: Date,
	body: string,
): Promise<string> {
	const ciphertexts = [d.secretCiphertext];
	if (d.previousSecretCiphertext && (d.previousSecretExpiresAt ?? 0) > deps.now())
		ciphertexts.push(d.previousSecretCiphertext);
	const out: string[] = [];
	for (const c of ciphertexts) {
		if (!c) continue;
		out.push(new Webhook(await decryptSecret(deps.env, c)).sign(id, timestamp, body));
	}
	return out.join(" ");
}

async function extraHeaders(deps: Pick<SenderDeps, "env">, ciphertext: string | null) {
	if (!ciphertext) return {};
	const parsed = JSON.parse(await decryptSecret(deps.env, ciphertext)) as Record<string, unknown>;
	return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === "string")) as Record<
		string,
		string
	>;
}

/** Sends one attempt and reports what came back; never throws for a receiver's failure. */
export async function sendDelivery(deps: SenderDeps, d: DeliveryToSend): Promise<SendResult> {
	const at = deps.now();
	const failed = (error: string, refused = false): SendResult => ({
		at,
		statusCode: null,
		latencyMs: 0,
		responseSnippet: null,
		error,
		retryAfter: null,
		refused,
	});
	const url = d.url ?? "";
	const refusal = checkWebhookTarget(url, (deps.env.WEBHOOKS_ALLOW_LOOPBACK as string) === "true");
	if (refusal) return failed(`Target refused: ${refusal}`, true);
	const timestamp = new Date(Math.floor(at / 1000) * 1000);
	const headers = new Headers(await extraHeaders(deps, d.headersCiphertext));
	headers.set("content-type", "application/json");
	headers.set("user-agent", USER_AGENT);
	headers.set("webhook-id", d.id);
	headers.set("webhook-timestamp", String(timestamp.getTime() / 1000));
	headers.set("webhook-signature", await signatures(deps, d, d.id, timestamp, d.payload));
	const started = Date.now();
	let res: Response;
	try {
		res = await deps.fetch(url, {
			method: "POST",
			headers,
			body: d.payload,
			// A redirect could lead anywhere, a private address included: not followed, a failure.
			redirect: "manual",
			signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
		});
	} catch (error) {
		const name = (error as Error)?.name;
		const message =
			name === "TimeoutError" || name === "AbortError"
				? `No answer within ${ATTEMPT_TIMEOUT_MS / 1000} s`
				: `Request failed: ${String((error as Error)?.message ?? error).slice(0, 200)}`;
		return { ...failed(message), latencyMs: Date.now() - started };
	}
	let body: string | null = null;
	let error: string | null = null;
	try {
		body = await snippet(res);
	} catch (e) {
		error = `Reading the answer failed: ${String((e as Error)?.message ?? e).slice(0, 200)}`;
	}
	if (res.status >= 300 && res.status < 400) error = "Redirects are not followed";
	return {
		at,
		statusCode: res.status,
		latencyMs: Date.now() - started,
		responseSnippet: body,
		error,
		retryAfter: res.headers.get("retry-after"),
		refused: false,
	};
}
