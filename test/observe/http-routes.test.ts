import { createServer, type Server } from "node:http";
import { dashboardHandler } from "../../src/observe/dashboard.js";
import type { HttpHandler } from "../../src/observe/http-handlers.js";
import { observeHandler } from "../../src/observe/http-handlers.js";
import { metrics, registerQueueGauge } from "../../src/observe/metrics.js";
import { createTestRuntime } from "../helpers/test-runtime.js";

/** Baton's own HTTP routes on a real server on 127.0.0.1, chained as Probot chains them. */
describe("health, metrics, events and the dashboard", () => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    rt = await createTestRuntime();
    registerQueueGauge(rt.queues.all);
    const handlers = [observeHandler(rt), dashboardHandler(rt.queues.all, { user: "ops", password: "s3cret:with-colon" })].filter(Boolean) as HttpHandler[];
    server = createServer(async (req, res) => {
      for (const handle of handlers) if (await handle(req, res)) return;
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rt.close();
  });

  it("answers /health and /ready with Redis's eviction policy", async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", redis: "ok", maxmemory_policy: "noeviction" });
  });

  it("serves Prometheus metrics including queue depths read from Redis", async () => {
    await rt.queues.intake.add("x", { deliveryId: "m", source: "cli", issue: { installationId: 1, repoId: 1, owner: "o", repo: "r", number: 1 }, label: "l", sender: { login: "a", type: "User" } });
    metrics.deliveries.inc({ event: "issues", outcome: "queued" });

    const text = await (await fetch(`${base}/metrics`)).text();

    expect(text).toContain('baton_queue_jobs{queue="intake",state="waiting"} 1');
    expect(text).toContain('baton_deliveries_total{event="issues",outcome="queued"}');
    expect(text).toContain("baton_github_requests_total");
    expect(text).toContain("baton_stage_duration_seconds");
  });

  it("streams a run's events in order over SSE, filtered by issue, resumable by Last-Event-ID", async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/baton/events?repo=o/r&issue=5`, { signal: controller.signal });
    const reader = res.body!.getReader();
    const types = ["dispatch_requested", "worker_started", "dispatch_completed"] as const;
    await new Promise((r) => setTimeout(r, 100));
    await rt.events.emit({ type: "dispatch_requested", repo: "o/r", issue: 6, run_id: "other" });
    for (const type of types) await rt.events.emit({ type, repo: "o/r", issue: 5, run_id: "run-5" });

    let text = "";
    const decoder = new TextDecoder();
    while ((text.match(/^event: /gm) ?? []).length < 3) text += decoder.decode((await reader.read()).value);
    controller.abort();

    const received = [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(received).toEqual([...types]);
    expect(text).not.toContain('"issue":6');
    const ids = [...text.matchAll(/^id: (.+)$/gm)].map((m) => m[1]!);

    const resumed = await fetch(`${base}/baton/events?issue=5`, { headers: { "last-event-id": ids[0]! }, signal: AbortSignal.timeout(3000) });
    const resumedReader = resumed.body!.getReader();
    let again = "";
    while ((again.match(/^event: /gm) ?? []).length < 2) again += decoder.decode((await resumedReader.read()).value);
    await resumedReader.cancel();
    expect([...again.matchAll(/^event: (.+)$/gm)].map((m) => m[1])).toEqual(["worker_started", "dispatch_completed"]);
  });

  it("keeps the dashboard behind basic auth", async () => {
    expect((await fetch(`${base}/baton/queues`)).status).toBe(401);
    const wrong = Buffer.from("ops:nope").toString("base64");
    expect((await fetch(`${base}/baton/queues`, { headers: { authorization: `Basic ${wrong}` } })).status).toBe(401);
    const right = Buffer.from("ops:s3cret:with-colon").toString("base64");
    const page = await fetch(`${base}/baton/queues`, { headers: { authorization: `Basic ${right}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<html");
  });

  it("serves no dashboard at all without credentials", () => {
    expect(dashboardHandler(rt.queues.all, {})).toBeUndefined();
  });
});
