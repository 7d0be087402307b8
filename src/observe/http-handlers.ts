import type { IncomingMessage, ServerResponse } from "node:http";
import type { Runtime } from "../runtime.js";
import { readEvictionPolicy } from "../redis.js";

/** A handler in Probot's server chain: answers true when it handled the request. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export function json(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  return true;
}

/**
 * The routes open to anyone who reaches the webhook port, for load balancers and
 * orchestrators: `/health` (the process is up) and `/ready` (Redis answers with the right
 * eviction policy). Neither says anything about installations, repositories or jobs.
 */
export function healthHandler(rt: Pick<Runtime, "redis">): HttpHandler {
  return async (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (path === "/health") return json(res, 200, { status: "ok" });
    if (path !== "/ready") return false;
    try {
      // Commands wait through a reconnect (maxRetriesPerRequest: null): bound the wait, since
      // "not answering now" is exactly what this endpoint must report.
      await Promise.race([rt.redis.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error("Redis did not answer within 1 s")), 1000).unref())]);
      const policy = await readEvictionPolicy(rt.redis);
      const ok = policy === undefined || policy === "noeviction";
      return json(res, ok ? 200 : 503, { status: ok ? "ready" : "degraded", redis: "ok", maxmemory_policy: policy ?? "unknown" });
    } catch (error) {
      return json(res, 503, { status: "unavailable", redis: (error as Error).message });
    }
  };
}
