import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { Redis } from "ioredis";
import { startAppProcess, type AppProcess } from "../../sandbox/app-process.js";
import { startSandbox, type Sandbox } from "../../sandbox/github/index.js";
import { freePort } from "../helpers/free-port.js";

/**
 * The admin surface of a real Baton process (`npm start`'s entry) on the sandbox: what the
 * webhook port answers to someone without credentials, and what the event stream costs Redis.
 */
describe("the admin surface of a running Baton", () => {
  const redisUrl = "redis://127.0.0.1:6379";
  const token = `admin-${randomBytes(12).toString("hex")}`;
  const prefix = `baton-test-${randomBytes(4).toString("hex")}`;
  let sandbox: Sandbox;
  let app: AppProcess;
  let redis: Redis;

  beforeAll(async () => {
    sandbox = await startSandbox({ log: () => {} });
    redis = new Redis(redisUrl);
    // Something worth stealing in the stream: ?since=0 would replay it.
    await redis.xadd(`${prefix}:events`, "*", "event", JSON.stringify({ type: "agent_output", repo: "o/r", issue: 1, text: "private code" }));
    app = await startAppProcess({
      github: sandbox,
      port: await freePort(),
      redisUrl,
      redisPrefix: prefix,
      role: "server",
      env: { BATON_ADMIN_TOKEN: token, BATON_SSE_MAX_CLIENTS: "300", LOG_LEVEL: "warn" },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await sandbox?.close();
    for await (const found of redis.scanStream({ match: `${prefix}:*`, count: 500 }) as AsyncIterable<string[]>) if (found.length) await redis.del(...found);
    await redis.quit();
  });

  it("answers /baton/events?since=0, /metrics and /baton/queues without credentials with no data", async () => {
    for (const path of ["/baton/events?since=0", "/metrics", "/baton/queues"]) {
      const res = await fetch(`${app.url}${path}`, { signal: AbortSignal.timeout(5000) });
      const body = await res.text();
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect(body).not.toContain("private code");
      expect(body).not.toContain("baton_");
    }
    const wrong = await fetch(`${app.url}/metrics`, { headers: { authorization: "Bearer not-the-token" } });
    expect(wrong.status).toBe(401);
  });

  it("keeps /health and /ready open, saying nothing about installations", async () => {
    const health = await fetch(`${app.url}/health`);
    const ready = await fetch(`${app.url}/ready`);
    expect(health.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(`${await health.text()}${await ready.text()}`).not.toMatch(/installation|octo/i);
  });

  it("serves metrics and replays events to the admin token", async () => {
    const headers = { authorization: `Bearer ${token}` };
    const metrics = await fetch(`${app.url}/metrics`, { headers });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("baton_deliveries_total");

    const controller = new AbortController();
    const events = await fetch(`${app.url}/baton/events?since=0`, { headers, signal: controller.signal });
    expect(events.status).toBe(200);
    const reader = events.body!.getReader();
    let text = "";
    while (!text.includes("private code")) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
  });

  it("serves 300 SSE clients from a bounded number of Redis connections and refuses the 301st", async () => {
    const headers = { authorization: `Bearer ${token}` };
    const clients = await Promise.all(Array.from({ length: 300 }, () => openStream(`${app.url}/baton/events?issue=42`, headers)));
    try {
      // Every client is subscribed once each of them has received an event emitted now.
      await redis.xadd(`${prefix}:events`, "*", "event", JSON.stringify({ type: "status_changed", repo: "o/r", issue: 42, to: "everyone" }));
      await Promise.all(clients.map((c) => c.waitFor("everyone")));

      const list = (await redis.client("LIST")) as string;
      const named = list.split("\n").filter((line) => line.includes(`name=baton:${prefix}`));
      expect(named.length).toBeLessThanOrEqual(5);

      const extra = await fetch(`${app.url}/baton/events`, { headers, signal: AbortSignal.timeout(5000) });
      expect(extra.status).toBe(503);
      await extra.body?.cancel();
    } finally {
      for (const c of clients) c.close();
    }
  }, 60_000);

  it("refuses a chunked webhook body over the limit with 413 and stays up", async () => {
    // A raw socket: the server may close the connection while the client is still writing,
    // and what matters is the answer it read before that.
    const { port } = new URL(app.webhookUrl);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(Number(port), "127.0.0.1");
      let received = "";
      socket.on("data", (data) => (received += data.toString()));
      socket.on("error", () => {});
      socket.on("close", () => resolve(received));
      socket.write(
        "POST /api/github/webhooks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n" +
          `x-github-event: issues\r\nx-github-delivery: big-1\r\nx-hub-signature-256: sha256=${"0".repeat(64)}\r\n\r\n`,
      );
      const chunk = Buffer.alloc(1024 * 1024, "x");
      let sent = 0;
      const pump = () => {
        while (sent < 20 && !socket.destroyed) {
          sent++;
          if (!socket.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")])))
            return void socket.once("drain", pump);
        }
        if (!socket.destroyed) socket.end("0\r\n\r\n");
      };
      pump();
    });
    const status = Number(answer.split(" ")[1]);
    expect(status).toBe(413);
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
  });
});

describe("the admin surface on its own listener", () => {
  let sandbox: Sandbox;
  let app: AppProcess;
  let adminPort: number;
  const prefix = `baton-test-${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    sandbox = await startSandbox({ log: () => {} });
    adminPort = await freePort();
    app = await startAppProcess({
      github: sandbox,
      port: await freePort(),
      redisUrl: "redis://127.0.0.1:6379",
      redisPrefix: prefix,
      role: "server",
      env: { BATON_ADMIN_PORT: String(adminPort), LOG_LEVEL: "warn" },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await sandbox?.close();
  });

  it("serves /metrics on 127.0.0.1:BATON_ADMIN_PORT and nothing of it on the webhook port", async () => {
    const onWebhookPort = await fetch(`${app.url}/metrics`);
    expect(onWebhookPort.status).toBe(404);
    expect(await onWebhookPort.text()).not.toContain("baton_");
    const onAdmin = await fetch(`http://127.0.0.1:${adminPort}/metrics`);
    expect(onAdmin.status).toBe(200);
    expect(await onAdmin.text()).toContain("baton_deliveries_total");
  });
});

/** An SSE client that collects what it reads. */
async function openStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  if (res.status !== 200) throw new Error(`SSE answered ${res.status}`);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const waitFor = async (needle: string) => {
    while (!text.includes(needle)) {
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      text += decoder.decode(value);
    }
  };
  return { waitFor, close: () => controller.abort() };
}
