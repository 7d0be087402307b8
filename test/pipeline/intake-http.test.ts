import nock from "nock";
import { pino } from "pino";
import { Probot, Server } from "probot";
import { createApp } from "../../src/app.js";
import { guardBodySize } from "../../src/observe/guard-body-size.js";
import { TEST_APP_ID, TEST_PRIVATE_KEY, TEST_WEBHOOK_SECRET } from "../helpers/app-key.js";
import { freePort } from "../helpers/free-port.js";
import { labeledPayload, signedHeaders } from "../helpers/payloads.js";
import { createTestRuntime } from "../helpers/test-runtime.js";

describe("webhook intake over real HTTP", () => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let server: Server;
  let url: string;
  const unmatched: string[] = [];
  // nock reports every request it does not intercept; only those leaving this machine matter.
  const onNoMatch = (req: { hostname?: string; path?: string }) => {
    if (req.hostname !== "127.0.0.1") unmatched.push(`${req.hostname}${req.path}`);
  };

  beforeAll(async () => {
    rt = await createTestRuntime();
    const port = await freePort();
    server = new Server({
      Probot: Probot.defaults({ appId: TEST_APP_ID, privateKey: TEST_PRIVATE_KEY, secret: TEST_WEBHOOK_SECRET, log: pino({ level: "silent" }) }),
      host: "127.0.0.1",
      port,
      log: pino({ level: "silent" }),
    });
    await server.load(createApp(rt));
    guardBodySize(await server.start(), 64 * 1024);
    url = `http://127.0.0.1:${port}/api/github/webhooks`;
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

  async function deliver(payload: object, deliveryId: string, secret = TEST_WEBHOOK_SECRET) {
    const body = JSON.stringify(payload);
    return fetch(url, { method: "POST", body, headers: await signedHeaders("issues", body, secret, deliveryId) });
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

  it("rejects a bad signature with 4xx and enqueues nothing", async () => {
    const before = await rt.queues.intake.count();
    const res = await deliver(labeledPayload({ label: "status:triage", repoId: 502 }), "11111111-aaaa-4bbb-8ccc-000000000002", "wrong-secret");

    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await rt.queues.intake.count()).toBe(before);
  });

  it("turns five deliveries of one delivery id into one intake job", async () => {
    const payload = labeledPayload({ label: "status:triage", repoId: 503, number: 9 });
    const id = "11111111-aaaa-4bbb-8ccc-000000000003";
    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(payload, id)));

    expect(answers.every((r) => r.ok)).toBe(true);
    const jobs = (await rt.queues.intake.getJobs(["waiting", "prioritized", "delayed"])).filter((j) => j.data.issue.repoId === 503);
    expect(jobs).toHaveLength(1);
  });

  it("ignores labels on pull requests and payloads without an installation", async () => {
    const onPr = labeledPayload({ label: "status:triage", repoId: 504 }) as Record<string, any>;
    onPr.issue.pull_request = { url: "https://api.github.com/repos/x/y/pulls/1" };
    const noInstallation = labeledPayload({ label: "status:triage", repoId: 505 }) as Record<string, any>;
    delete noInstallation.installation;

    expect((await deliver(onPr, "11111111-aaaa-4bbb-8ccc-000000000004")).ok).toBe(true);
    expect((await deliver(noInstallation, "11111111-aaaa-4bbb-8ccc-000000000005")).ok).toBe(true);
    const jobs = (await rt.queues.intake.getJobs(["waiting", "prioritized", "delayed"])).filter((j) => [504, 505].includes(j.data.issue.repoId));
    expect(jobs).toHaveLength(0);
  });

  it("refuses a body over the size limit before parsing it", async () => {
    const payload = labeledPayload({ label: "status:triage", repoId: 506 }) as Record<string, any>;
    payload.issue.body = "x".repeat(80 * 1024);
    const before = await rt.queues.intake.count();

    const res = await deliver(payload, "11111111-aaaa-4bbb-8ccc-000000000006");

    expect(res.status).toBe(413);
    expect(await rt.queues.intake.count()).toBe(before);
  });
});
