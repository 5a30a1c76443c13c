import { z } from "zod";

// Management-key lookups by key hash. KV's minimum TTL is 60 s; every change to a key deletes
// its entry, so the TTL only bounds how long a key's last-used time can lag.
const PREFIX = "mgmt-key:";
const TTL_SECONDS = 60;

export const cachedKeySchema = z.object({
	keyId: z.string(),
	name: z.string(),
	projectId: z.string(),
	keyHash: z.string(),
	status: z.enum(["active", "inactive"]),
	expiresAt: z.number().nullable(),
	permittedIps: z.array(z.string()),
	readOnly: z.boolean(),
	tenantIds: z.array(z.string()),
	rateLimitTier: z.enum(["standard", "high"]),
});
export type CachedKey = z.infer<typeof cachedKeySchema>;

export async function readCachedKey(kv: KVNamespace, keyHash: string): Promise<CachedKey | null> {
	const raw = await kv.get(PREFIX + keyHash, "json");
	if (raw === null) return null;
	const parsed = cachedKeySchema.safeParse(raw);
	return parsed.success ? parsed.data : null;
}

export const writeCachedKey = (kv: KVNamespace, key: CachedKey) =>
	kv.put(PREFIX + key.keyHash, JSON.stringify(key), { expirationTtl: TTL_SECONDS });

export const forgetCachedKeys = (kv: KVNamespace, keyHashes: readonly string[]) =>
	Promise.all(keyHashes.map((hash) => kv.delete(PREFIX + hash)));
