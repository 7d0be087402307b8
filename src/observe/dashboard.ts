import { timingSafeEqual } from "node:crypto";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { Queue } from "bullmq";
import express from "express";
import type { HttpHandler } from "./http-handlers.js";

export const DASHBOARD_PATH = "/baton/queues";

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The BullMQ dashboard (bull-board) at `/baton/queues`, behind HTTP basic auth. Without
 * credentials in the environment it is not served at all: job data names repositories
 * and issues, which is not for anyone who can reach the port.
 */
export function dashboardHandler(queues: Queue[], credentials: { user?: string; password?: string }): HttpHandler | undefined {
  const { user, password } = credentials;
  if (!user || !password) return undefined;
  const adapter = new ExpressAdapter();
  adapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: false })), serverAdapter: adapter });
  const app = express();
  app.use(DASHBOARD_PATH, adapter.getRouter());
  return (req, res) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    if (path !== DASHBOARD_PATH && !path.startsWith(`${DASHBOARD_PATH}/`)) return false;
    const header = req.headers.authorization ?? "";
    const [scheme, encoded] = header.split(" ");
    const [u, ...rest] = Buffer.from(encoded ?? "", "base64").toString().split(":");
    if (scheme !== "Basic" || !sameSecret(u ?? "", user) || !sameSecret(rest.join(":"), password)) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="Baton queues"' }).end("Authentication required");
      return true;
    }
    app(req as express.Request, res as express.Response);
    return true;
  };
}
