import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Runtime } from "../runtime.js";
import { dashboardHandler, isDashboardPath } from "./dashboard.js";
import { EventFanout } from "./event-fanout.js";
import { json, type HttpHandler } from "./http-handlers.js";
import { serveEvents } from "./serve-events.js";

export interface AdminOptions {
  /** `BATON_ADMIN_TOKEN`: `Authorization: Bearer <token>` opens every admin route. */
  token?: string;
  /** The dashboard's basic-auth credentials: they open `/baton/queues` as well. */
  dashboard?: { user?: string; password?: string };
  /**
   * True on the separate admin listener when no token is set: it is bound to loopback (or
   * wherever the operator put it), so reaching it is the credential.
   */
  open: boolean;
  /** Most live-event clients at once (`BATON_SSE_MAX_CLIENTS`). */
  maxClients: number;
}

export interface AdminSurface {
  handle: HttpHandler;
  /** Stops the shared event reader. */
  close(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What a request's credentials open: everything (the token), the dashboard (basic auth), or nothing. */
function grantOf(req: IncomingMessage, options: AdminOptions): "all" | "dashboard" | "none" {
  const [scheme = "", value = ""] = (req.headers.authorization ?? "").split(" ");
  if (options.token && scheme.toLowerCase() === "bearer" && sameSecret(value, options.token)) return "all";
  const { user, password } = options.dashboard ?? {};
  if (user && password && scheme.toLowerCase() === "basic") {
    const [u = "", ...rest] = Buffer.from(value, "base64").toString().split(":");
    if (sameSecret(u, user) && sameSecret(rest.join(":"), password)) return "dashboard";
  }
  return "none";
}

/**
 * The admin routes: `/metrics` (Prometheus), `/baton/events` (live events over SSE) and the
 * queue dashboard at `/baton/queues`. They show repositories, issues, job data and agent
 * output, so they never answer without credentials on a port that faces the internet:
 * - a route no configured credential can open is not served at all (404);
 * - otherwise a request without the right credential gets 401 and no data;
 * - on the separate admin listener without a token (`open`), everything is served.
 */
export function createAdminSurface(rt: Pick<Runtime, "redis" | "events" | "queues" | "metrics">, options: AdminOptions): AdminSurface {
  const fanout = new EventFanout(rt.redis, rt.events.streamKey, options.maxClients);
  const basicAuth = Boolean(options.dashboard?.user && options.dashboard.password);
  const dashboard = options.open || options.token || basicAuth ? dashboardHandler(rt.queues.all) : undefined;
  const handle: HttpHandler = async (req, res) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const isDashboard = isDashboardPath(path);
    if (path !== "/metrics" && path !== "/baton/events" && !isDashboard) return false;
    if (!options.open) {
      const servable = Boolean(options.token) || (isDashboard && basicAuth);
      if (!servable) return json(res, 404, { error: "not found" });
      const grant = grantOf(req, options);
      if (grant === "none" || (grant === "dashboard" && !isDashboard)) {
        const challenge = isDashboard && basicAuth ? 'Basic realm="Baton queues"' : 'Bearer realm="Baton admin"';
        res
          .writeHead(401, { "www-authenticate": challenge, "content-type": "application/json" })
          .end(JSON.stringify({ error: "credentials required (BATON_ADMIN_TOKEN as a bearer token)" }));
        return true;
      }
    }
    if (path === "/metrics") {
      res.writeHead(200, { "content-type": rt.metrics.registry.contentType }).end(await rt.metrics.registry.metrics());
      return true;
    }
    if (path === "/baton/events") {
      await serveEvents(req, res, rt.redis, rt.events.streamKey, fanout);
      return true;
    }
    return dashboard ? dashboard(req, res) : json(res, 404, { error: "not found" });
  };
  return { handle, close: () => fanout.close() };
}

/** The separate admin listener (`BATON_ADMIN_PORT` on `BATON_ADMIN_HOST`, 127.0.0.1 by default). */
export async function listenAdmin(handle: HttpHandler, host: string, port: number): Promise<Server> {
  const server = createServer(async (req, res) => {
    try {
      if (!(await handle(req, res))) json(res, 404, { error: "not found" });
    } catch {
      if (!res.headersSent) json(res, 500, { error: "internal error" });
      else res.end();
    }
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, host, resolve));
  return server;
}
