import type { IncomingMessage, ServerResponse } from "node:http";
import type { Runtime } from "../runtime.js";
import { readEvictionPolicy } from "../redis.js";

/** A handler in Probot's server chain: answers true when it handled the request. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

function json(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  return true;
}

/** `/health`: the process is up. `/ready`: Redis answers with the right eviction policy. */
export function healthHandler(rt: Runtime): HttpHandler {
  return async (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (path === "/health") return json(res, 200, { status: "ok" });
    if (path !== "/ready") return false;
    try {
      await rt.redis.ping();
      const policy = await readEvictionPolicy(rt.redis);
      const ok = policy === undefined || policy === "noeviction";
      return json(res, ok ? 200 : 503, { status: ok ? "ready" : "degraded", redis: "ok", maxmemory_policy: policy ?? "unknown" });
    } catch (error) {
      return json(res, 503, { status: "unavailable", redis: (error as Error).message });
    }
  };
}
