import { request } from "node:http";
import nock from "nock";
import { pino } from "pino";
import { Probot, Server } from "probot";
import { receiveDelivery } from "../../src/app.js";
import { healthHandler } from "../../src/observe/http-handlers.js";
import { serveWebhooks, type WebhookEndpointOptions } from "../../src/observe/webhook-endpoint.js";
import { TEST_APP_ID, TEST_PRIVATE_KEY, TEST_WEBHOOK_SECRET } from "../helpers/app-key.js";
import { freePort } from "../helpers/free-port.js";
import { examplePayload, labeledPayload, signedHeaders } from "../helpers/payloads.js";
import { createTestRuntime } from "../helpers/test-runtime.js";

const MAX_BYTES = 64 * 1024;
const silent = pino({ level: "silent" });

/** Probot's server with Baton's webhook endpoint in front, wired as src/main.ts wires it. */
async function startServer(receive: WebhookEndpointOptions["receive"], rt: Parameters<typeof healthHandler>[0], extra: Partial<WebhookEndpointOptions> = {}) {
  const port = await freePort();
  const server = new Server({
    Probot: Probot.defaults({ appId: TEST_APP_ID, privateKey: TEST_PRIVATE_KEY, secret: TEST_WEBHOOK_SECRET, log: silent }),
    host: "127.0.0.1",
    port,
    log: silent,
    enableStaticFiles: false,
  });
  await server.load((_app, options) => options.addHandler(healthHandler(rt)));
  serveWebhooks(await server.start(), { maxBytes: MAX_BYTES, secret: TEST_WEBHOOK_SECRET, receive, log: silent, ...extra });
  return { server, base: `http://127.0.0.1:${port}` };
}

describe("webhook intake over real HTTP", () => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let server: Server;
  let url: string;
  let base: string;
  const unmatched: string[] = [];
  // nock reports every request it does not intercept; only those leaving this machine matter.
  const onNoMatch = (req: { hostname?: string; path?: string }) => {
    if (req.hostname !== "127.0.0.1") unmatched.push(`${req.hostname}${req.path}`);
  };

  beforeAll(async () => {
    rt = await createTestRuntime();
    const started = await startServer(receiveDelivery(rt), rt);
    server = started.server;
    base = started.base;
    url = `${base}/api/github/webhooks`;
    // Any request that leaves for GitHub would be refused and recorded here.
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
    nock.emitter.on("no match", onNoMatch);
  });

  afterAll(async () => {
    nock.emitter.removeListener("no match", onNoMatch);
    nock.enableNetConnect();
    await server.stop();
    await rt.close();
  });

  async function deliver(payload: object, deliveryId: string, secret = TEST_WEBHOOK_SECRET, event = "issues") {
    const body = JSON.stringify(payload);
    return fetch(url, { method: "POST", body, headers: await signedHeaders(event, body, secret, deliveryId) });
  }

  it("answers a signed issues.labeled with 2xx, enqueues one intake job and calls no GitHub API", async () => {
    const payload = labeledPayload({ label: "status:triage", repoId: 501, number: 3 });
    const started = performance.now();
    const res = await deliver(payload, "11111111-aaaa-4bbb-8ccc-000000000001");
    const elapsed = performance.now() - started;

    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(300);
    const jobs = await rt.queues.intake.getJobs(["waiting", "prioritized", "delayed"]);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.data).toMatchObject({ label: "status:triage", issue: { repoId: 501, number: 3, installationId: 7 } });
    expect(unmatched).toEqual([]);
    // Not a timing assertion on speed, only a sanity bound that we did not wait on anything remote.
    expect(elapsed).toBeLessThan(5000);
  });

  it("takes issues.unlabeled: a person's removal is remembered for the next handoff, a bot's unrecorded one is checked off the request path", async () => {
    const unlabeled = (sender: object) => {
      const payload = examplePayload("issues", "unlabeled") as Record<string, any>;
      payload.repository.id = 502;
      payload.issue.number = 4;
      payload.label = { ...payload.label, name: "bug" };
      payload.installation = { id: 7 };
      payload.sender = { ...payload.sender, ...sender };
      return payload;
    };
    const person = await deliver(unlabeled({ login: "octocat", type: "User" }), "11111111-aaaa-4bbb-8ccc-0000000000a1");
    expect(person.status).toBe(200);
    expect(await rt.redis.smembers(`${rt.prefix}:labels-removed:502:4`)).toEqual(["bug"]);

    const bot = await deliver(unlabeled({ login: "baton-test[bot]", type: "Bot" }), "11111111-aaaa-4bbb-8ccc-0000000000a2");
    expect(bot.status).toBe(200);
    const tasks = await rt.queues.repo.getJobs(["waiting", "prioritized", "delayed"]);
    expect(tasks.map((j) => j.data)).toContainEqual(
      expect.objectContaining({ task: "restore-label", label: "bug", issue: expect.objectContaining({ repoId: 502, number: 4 }) }),
    );
    expect(unmatched).toEqual([]);
  });

  it("rejects a bad signature with 400, as @octokit/webhooks does, and enqueues nothing", async () => {
    const before = await rt.queues.intake.count();
    const res = await deliver(labeledPayload({ label: "status:triage", repoId: 502 }), "11111111-aaaa-4bbb-8ccc-000000000002", "wrong-secret");

    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "Error: [@octokit/webhooks] signature does not match event payload and secret" });
    expect(await rt.queues.intake.count()).toBe(before);
  });

  it("rejects a body signed with the right secret but changed on the way", async () => {
    const body = JSON.stringify(labeledPayload({ label: "status:triage", repoId: 512 }));
    const headers = await signedHeaders("issues", body, TEST_WEBHOOK_SECRET, "11111111-aaaa-4bbb-8ccc-000000000012");
    const res = await fetch(url, { method: "POST", body: body.replace('"status:triage"', '"status:ready"'), headers });

    expect(res.status).toBe(400);
    expect((await rt.queues.intake.getJobs(["waiting"])).filter((j) => j.data.issue.repoId === 512)).toHaveLength(0);
  });

  it("answers a signed body that is not JSON with 400", async () => {
    const body = '{"action": "labeled", ';
    const res = await fetch(url, {
      method: "POST",
      body,
      headers: await signedHeaders("issues", body, TEST_WEBHOOK_SECRET, "11111111-aaaa-4bbb-8ccc-000000000007"),
    });

    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "SyntaxError: Invalid JSON" });
  });

  it("answers missing GitHub headers with 400 and another content type with 415", async () => {
    const body = JSON.stringify(labeledPayload({ label: "status:triage", repoId: 508 }));
    const { "x-github-delivery": _id, ...withoutId } = await signedHeaders("issues", body, TEST_WEBHOOK_SECRET, "x");
    const noId = await fetch(url, { method: "POST", body, headers: withoutId });
    const form = await fetch(url, {
      method: "POST",
      body,
      headers: {
        ...(await signedHeaders("issues", body, TEST_WEBHOOK_SECRET, "11111111-aaaa-4bbb-8ccc-000000000008")),
        "content-type": "application/x-www-form-urlencoded",
      },
    });

    expect(noId.status).toBe(400);
    expect(await noId.json()).toEqual({ error: "Required headers missing: x-github-delivery" });
    expect(form.status).toBe(415);
    expect((await rt.queues.intake.getJobs(["waiting"])).filter((j) => j.data.issue.repoId === 508)).toHaveLength(0);
  });

  it("answers 200 to an event Baton does not act on, and queues nothing", async () => {
    const before = await rt.queues.intake.count();
    const res = await deliver(examplePayload("star", "created"), "11111111-aaaa-4bbb-8ccc-000000000009", TEST_WEBHOOK_SECRET, "star");

    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok\n");
    expect(await rt.queues.intake.count()).toBe(before);
  });

  it("takes the webhook path with a trailing slash or a query, and leaves other paths and methods to Probot", async () => {
    const post = async (target: string, deliveryId: string, number: number) => {
      const body = JSON.stringify(labeledPayload({ label: "status:triage", repoId: 510, number }));
      return fetch(target, { method: "POST", body, headers: await signedHeaders("issues", body, TEST_WEBHOOK_SECRET, deliveryId) });
    };

    expect((await post(`${url}/`, "11111111-aaaa-4bbb-8ccc-000000000010", 1)).status).toBe(200);
    expect((await post(`${url}?from=proxy`, "11111111-aaaa-4bbb-8ccc-000000000011", 2)).status).toBe(200);
    expect((await rt.queues.intake.getJobs(["waiting"])).filter((j) => j.data.issue.repoId === 510)).toHaveLength(2);
    expect((await fetch(url)).status).toBe(404); // Probot's answer to GET on the webhook path
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it("refuses a chunked body over the size limit while it arrives, whatever path spelling", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      // No Content-Length: only counting the bytes as they arrive can refuse this one.
      const req = request(
        `${url}/`,
        {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "transfer-encoding": "chunked",
            "x-github-event": "issues",
            "x-github-delivery": "chunked-1",
            "x-hub-signature-256": "sha256=00",
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      const chunk = "x".repeat(16 * 1024);
      const write = (left: number): void => void (left > 0 ? req.write(chunk, () => write(left - 1)) : req.end());
      write((MAX_BYTES / chunk.length) * 2);
    });

    expect(status).toBe(413);
  });

  it("refuses a body over the size limit before parsing it", async () => {
    const payload = labeledPayload({ label: "status:triage", repoId: 506 }) as Record<string, any>;
    payload.issue.body = "x".repeat(MAX_BYTES + 16 * 1024);
    const before = await rt.queues.intake.count();

    const res = await deliver(payload, "11111111-aaaa-4bbb-8ccc-000000000006");

    expect(res.status).toBe(413);
    expect(await rt.queues.intake.count()).toBe(before);
  });
});

describe("the webhook endpoint when the enqueue fails or hangs", () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const server of servers) await server.stop();
  });
  const redisUp = { redis: { ping: async () => "PONG", config: async () => ["maxmemory-policy", "noeviction"] } } as unknown as Parameters<
    typeof healthHandler
  >[0];

  async function deliverTo(receive: WebhookEndpointOptions["receive"], extra: Partial<WebhookEndpointOptions> = {}) {
    const { server, base } = await startServer(receive, redisUp, extra);
    servers.push(server);
    const body = JSON.stringify(labeledPayload({ label: "status:triage" }));
    return fetch(`${base}/api/github/webhooks`, {
      method: "POST",
      body,
      headers: await signedHeaders("issues", body, TEST_WEBHOOK_SECRET, "22222222-aaaa-4bbb-8ccc-000000000001"),
    });
  }

  it("answers 500 when the delivery could not be queued, so GitHub counts it as failed", async () => {
    const res = await deliverTo(async () => {
      throw new Error("Connection is closed.");
    });

    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: "Error: Connection is closed." });
  });

  it("answers 503, not an acknowledgement, when queueing does not finish in time", async () => {
    let settle = () => {};
    const res = await deliverTo(() => new Promise<void>((resolve) => (settle = resolve)), { timeoutMs: 50 });
    settle();

    expect(res.status).toBe(503);
  });
});
