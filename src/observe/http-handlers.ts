import type { IncomingMessage, ServerResponse } from "node:http";
import type { Runtime } from "../runtime.js";
import { readEvictionPolicy } from "../redis.js";
import { registry } from "./metrics.js";
import { serveEvents } from "./serve-events.js";

/** A handler in Probot's server chain: answers true when it handled the request. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

function json(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  return true;
}

/**
 * Baton's own routes next to Probot's webhook path:
 * `/health` (the process is up), `/ready` (Redis answers with the right eviction policy),
 * `/metrics` (Prometheus), `/baton/events` (live events over SSE).
 */
export function observeHandler(rt: Runtime): HttpHandler {
  return async (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (path === "/health") return json(res, 200, { status: "ok" });
    if (path === "/metrics") {
      res.writeHead(200, { "content-type": registry.contentType }).end(await registry.metrics());
      return true;
    }
    if (path === "/baton/events") {
      await serveEvents(req, res, rt.redis, rt.events.streamKey);
      return true;
    }
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
