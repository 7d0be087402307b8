import type { BackendHealth } from "./types.js";

const TTL_MS = 60_000;
const cache = new Map<string, { at: number; health: Promise<BackendHealth> }>();

/**
 * A backend's health, probed at most once a minute per key (executable, endpoint, key
 * present): routing asks before every stage, and a probe spawns a process or makes a request.
 */
export function cachedHealth(key: string, probe: () => Promise<BackendHealth>): Promise<BackendHealth> {
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.health;
  const health = probe().catch((error: unknown): BackendHealth => ({ ok: false, detail: error instanceof Error ? error.message : String(error) }));
  cache.set(key, { at: Date.now(), health });
  return health;
}
