import { createServer, type Server } from "node:http";
import { createAdminSurface, type AdminSurface } from "../../src/observe/admin-surface.js";
import { healthHandler } from "../../src/observe/http-handlers.js";
import { REPLAY_MAX } from "../../src/observe/serve-events.js";
import { createTestRuntime } from "../helpers/test-runtime.js";

/** Baton's own HTTP routes on a real server on 127.0.0.1, chained as Probot chains them. */
describe("health, metrics, events and the dashboard", () => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let server: Server;
  let admin: AdminSurface;
  let base: string;
  const token = "admin-token-0123456789";
  const auth = { authorization: `Bearer ${token}` };

  beforeAll(async () => {
    rt = await createTestRuntime();
    admin = createAdminSurface(rt, { token, dashboard: { user: "ops", password: "s3cret:with-colon" }, open: false, maxClients: 10 });
    const handlers = [healthHandler(rt), admin.handle];
    server = createServer(async (req, res) => {
      for (const handle of handlers) if (await handle(req, res)) return;
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await admin.close();
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
    await rt.queues.intake.add("x", {
      deliveryId: "m",
      source: "cli",
      issue: { installationId: 1, repoId: 1, owner: "o", repo: "r", number: 1 },
      label: "l",
      sender: { login: "a", type: "User" },
    });
    rt.metrics.deliveries.inc({ event: "issues", outcome: "queued" });

    const text = await (await fetch(`${base}/metrics`, { headers: auth })).text();

    expect(text).toContain('baton_queue_jobs{queue="intake",state="waiting"} 1');
    expect(text).toContain('baton_deliveries_total{event="issues",outcome="queued"}');
    expect(text).toContain("baton_github_requests_total");
    expect(text).toContain("baton_stage_duration_seconds");
  });

  it("streams a run's events in order over SSE, filtered by issue, resumable by Last-Event-ID", async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/baton/events?repo=o/r&issue=5`, { headers: auth, signal: controller.signal });
    const reader = res.body!.getReader();
    const types = ["dispatch_requested", "worker_started", "dispatch_completed"] as const;
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

    const resumed = await fetch(`${base}/baton/events?issue=5`, { headers: { ...auth, "last-event-id": ids[0]! }, signal: AbortSignal.timeout(3000) });
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

  it("serves no admin route at all on a port where no credential is configured", async () => {
    const closed = createAdminSurface(rt, { open: false, maxClients: 10 });
    const probe = createServer(async (req, res) => void ((await closed.handle(req, res)) || res.writeHead(500).end()));
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const address = probe.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    try {
      for (const path of ["/metrics", "/baton/events", "/baton/queues"]) expect((await fetch(`${url}${path}`, { headers: auth })).status).toBe(404);
    } finally {
      await closed.close();
      await new Promise((resolve) => probe.close(resolve));
    }
  });

  it("replays at most the newest events on ?since=, and caps live-event clients", async () => {
    for (let i = 0; i < REPLAY_MAX + 20; i++) await rt.events.emit({ type: "agent_output", repo: "o/cap", issue: 1, text: `line ${i}` });
    const controllers: AbortController[] = [];
    const open = async (path: string) => {
      const controller = new AbortController();
      controllers.push(controller);
      return fetch(`${base}${path}`, { headers: auth, signal: controller.signal });
    };
    try {
      const replay = await open("/baton/events?repo=o/cap&since=0");
      const reader = replay.body!.getReader();
      let text = "";
      while (!text.includes(`line ${REPLAY_MAX + 19}"`)) text += new TextDecoder().decode((await reader.read()).value);
      const lines = [...text.matchAll(/"text":"line (\d+)"/g)].map((m) => Number(m[1]));
      expect(lines).toHaveLength(REPLAY_MAX);
      expect(lines[0]).toBe(20);

      // Streams of earlier tests may still be closing: open until refused, never past the cap.
      const statuses: number[] = [];
      while (!statuses.includes(503) && statuses.length <= 10) statuses.push((await open("/baton/events")).status);
      expect(statuses.at(-1)).toBe(503);
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(9);
    } finally {
      controllers.forEach((c) => c.abort());
    }
  });
});
