import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { Queue } from "bullmq";
import express from "express";
import type { HttpHandler } from "./http-handlers.js";

export const DASHBOARD_PATH = "/baton/queues";

/** Whether a request path is the dashboard's. */
export function isDashboardPath(path: string): boolean {
  return path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`);
}

/**
 * The BullMQ dashboard (bull-board) at `/baton/queues`. It checks no credentials itself:
 * it is only ever reached through the admin surface (see admin-surface.ts).
 */
export function dashboardHandler(queues: Queue[]): HttpHandler {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: false })), serverAdapter: adapter });
  const app = express();
  app.use(DASHBOARD_PATH, adapter.getRouter());
  return (req, res) => {
    if (!isDashboardPath((req.url ?? "").split("?")[0] ?? "")) return false;
    app(req as express.Request, res as express.Response);
    return true;
  };
}
