import type { Runtime } from "../../runtime.js";
import { keys } from "../../runtime.js";

/** How far back failed deliveries are worth redelivering, and how often each one is tried. */
const WINDOW_MS = 24 * 3600 * 1000;
const MAX_REDELIVERIES = 3;

interface Delivery {
  id: number;
  guid: string;
  status_code: number;
  delivered_at: string;
  redelivery: boolean;
}

/**
 * GitHub does not redeliver failed deliveries by itself (docs/architecture.md §9): ask the app's delivery
 * API for recent ones and redeliver each guid that has no successful attempt, a few times
 * at most. A redelivery keeps its `X-GitHub-Delivery`, so intake's dedupe still holds.
 */
export async function redeliverFailed(rt: Runtime): Promise<number> {
  const app = await rt.auth();
  const { data } = await app.request("GET /app/hook/deliveries", { per_page: 100 });
  const deliveries = data as Delivery[];
  const since = Date.now() - WINDOW_MS;
  const byGuid = new Map<string, Delivery[]>();
  for (const d of deliveries) {
    if (Date.parse(d.delivered_at) < since) continue;
    byGuid.set(d.guid, [...(byGuid.get(d.guid) ?? []), d]);
  }
  let redelivered = 0;
  for (const [guid, attempts] of byGuid) {
    if (attempts.some((a) => a.status_code >= 200 && a.status_code < 300)) continue;
    const key = keys.redelivered(rt, guid);
    if (Number(await rt.redis.get(key)) >= MAX_REDELIVERIES) continue;
    const latest = attempts.reduce((a, b) => (Date.parse(b.delivered_at) > Date.parse(a.delivered_at) ? b : a));
    await app.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: latest.id });
    await rt.redis
      .multi()
      .incr(key)
      .expire(key, 2 * 24 * 3600)
      .exec();
    redelivered++;
  }
  return redelivered;
}
