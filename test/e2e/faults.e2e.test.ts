import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import { freePort, pings } from "../../sandbox/find-redis.js";
import { artifacts, pullsOf, startStack, statusComments, waitFor, waitForStatus, type Stack } from "./harness.js";

/** Faults with real processes: racing servers, a worker killed mid-job, Redis restarted. */
describe("surviving faults end to end", () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await startStack();
  }, 30_000);
  afterEach(async () => stack.close(), 30_000);

  function expectOneOfEverything(issue: Parameters<typeof artifacts>[0], repo: Parameters<typeof pullsOf>[0]) {
    expect(artifacts(issue).map((c) => /stage=(\w+)/.exec(c.body)?.[1])).toEqual(["triage", "design", "implement", "review"]);
    expect(statusComments(issue)).toHaveLength(1);
    expect(pullsOf(repo)).toHaveLength(1);
    expect(issue.comments.filter((c) => c.body.startsWith("<!-- baton:blocked"))).toHaveLength(0);
  }

  it("lets two app processes on one Redis race for every label and claim each once", async () => {
    const [a, b] = [await stack.startApp(), await stack.startApp()];
    // Every delivery goes to both processes at once, as two different deliveries.
    const proxy: Server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith("x-") || k === "content-type")) as Record<string, string>;
      const send = (url: string, id: string) => fetch(url, { method: "POST", body: Buffer.concat(chunks), headers: { ...headers, "x-github-delivery": id } });
      const answers = await Promise.all([send(a!.webhookUrl, headers["x-github-delivery"]!), send(b!.webhookUrl, `${headers["x-github-delivery"]}-b`)]);
      res.writeHead(answers.every((r) => r.ok) ? 200 : 502).end();
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const address = proxy.address();
    stack.sandbox.setWebhookUrl(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`);
    try {
      const repo = await stack.newRepo();
      const issue = stack.newIssue(repo);
      stack.label(repo, issue, "status:triage");

      await waitForStatus(issue, "status:approved", 40_000, stack.apps);
      await stack.settled();

      const claims = stack.sandbox.world.webhooks.deliveries.filter((d) => d.action === "labeled" && /ing$/.test((d.payload as any).label.name));
      expect(claims.map((d) => (d.payload as any).label.name)).toEqual(["status:triaging", "status:designing", "status:implementing", "status:reviewing"]);
      expectOneOfEverything(issue, repo);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  }, 60_000);

  it("finishes a job whose worker was killed with SIGKILL mid-stage, without duplicates", async () => {
    const slow = await stack.startApp({ BATON_BUILTIN_DELAY: "2s", BATON_STALL_INTERVAL: "1s" });
    stack.sandbox.setWebhookUrl(slow.webhookUrl);
    const repo = await stack.newRepo();
    const issue = stack.newIssue(repo);
    stack.label(repo, issue, "status:triage");
    await waitFor("the design stage to start", () => issue.labels.includes("status:designing"), 20_000, stack.apps);
    await new Promise((r) => setTimeout(r, 300));

    await slow.kill();
    const rescuer = await stack.startApp({ BATON_STALL_INTERVAL: "1s" });
    stack.sandbox.setWebhookUrl(rescuer.webhookUrl);

    await waitForStatus(issue, "status:approved", 40_000, stack.apps);
    expectOneOfEverything(issue, repo);
  }, 70_000);

  it("reports Redis down on /ready, reconnects by itself when it is back, and loses nothing", async () => {
    const port = await freePort();
    const startRedis = () => spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    let redis: ChildProcess = startRedis();
    const url = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 50 && !(await pings(url)); i++) await new Promise((r) => setTimeout(r, 50));
    try {
      const app = await stack.startApp({ REDIS_URL: url });
      stack.sandbox.setWebhookUrl(app.webhookUrl);
      const repo = await stack.newRepo();
      const first = stack.newIssue(repo);
      stack.label(repo, first, "status:triage");
      await waitForStatus(first, "status:approved", 30_000, stack.apps);

      redis.kill("SIGKILL");
      await new Promise((r) => redis.once("exit", r));
      let ready = 200;
      for (let i = 0; i < 40 && ready === 200; i++) {
        ready = (await fetch(`${app.url}/ready`)).status;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready).toBe(503);

      redis = startRedis();
      for (let i = 0; i < 100 && (await fetch(`${app.url}/ready`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
      expect((await fetch(`${app.url}/ready`)).status).toBe(200);

      const second = stack.newIssue(repo, "Export settings as JSON");
      stack.label(repo, second, "status:triage");
      await waitForStatus(second, "status:approved", 30_000, stack.apps);
      for (const issue of [first, second]) {
        expect(artifacts(issue)).toHaveLength(4);
        expect(statusComments(issue)).toHaveLength(1);
      }
      expect(pullsOf(repo).map((p) => p.pull?.head)).toEqual([`baton/issue-${first.number}`, `baton/issue-${second.number}`]);
      expect(app.child.exitCode).toBeNull();
    } finally {
      redis.kill("SIGKILL");
    }
  }, 90_000);
});
