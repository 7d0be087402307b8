import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { createRuntime } from "../../src/create-runtime.js";
import { startSandbox, type Sandbox } from "../../sandbox/github/index.js";
import { deleteKeys } from "../helpers/test-runtime.js";

const PACE_MS = 250;

/**
 * Writes of one installation are paced across every Baton process (src/github/request-limits.ts,
 * docs/architecture.md §9): n workers together stay at one write per `BATON_GITHUB_PACE` and
 * within `BATON_GITHUB_WRITES_PER_HOUR`, not n times that. Two runtimes on one Redis prefix
 * stand for two worker processes.
 */
describe("GitHub write pacing across processes", () => {
  let sandbox: Sandbox;
  let runtimes: ReturnType<typeof createRuntime>[];
  /** Two runtimes on one Redis prefix, as two worker processes, with `pacing` (GitHub Enterprise defaults otherwise: no budget). */
  function startWorkers(pacing: { paceMs: number; writeBudget?: number; budgetWindowMs?: number } = { paceMs: PACE_MS }) {
    const prefix = `baton-test-${randomUUID().slice(0, 8)}`;
    runtimes = [1, 2].map(() =>
      createRuntime({
        processEnv: { BATON_REDIS_PREFIX: prefix, WEBHOOK_SECRET: sandbox.webhookSecret, GHE_HOST: sandbox.host, GHE_PROTOCOL: "http" },
        log: pino({ level: "silent" }),
        app: { appId: sandbox.appId, privateKey: sandbox.privateKeyPem },
        baseUrl: sandbox.apiUrl,
        pacing: { retryBaseMs: 10, secondaryFallbackSeconds: 1, ...pacing },
        appIdentity: { id: sandbox.appId, botLogin: `${sandbox.appSlug}[bot]` },
      }),
    );
  }
  beforeEach(async () => {
    sandbox = await startSandbox({ log: () => {} });
    startWorkers();
  });
  afterEach(async () => {
    await deleteKeys(runtimes[0]!);
    await Promise.all(runtimes.map((rt) => rt.close()));
    await sandbox.close();
  });

  async function issueOf(owner: string) {
    const repo = await sandbox.world.createRepo(owner, "app", { files: {} });
    const issue = sandbox.world.createIssue(repo, { title: "Pace me", body: "." }, { kind: "user", login: "octocat" });
    const installationId = sandbox.world.state.installationFor(owner)!.id;
    const clients = await Promise.all(runtimes.map((rt) => rt.auth(installationId)));
    const comment = (i: number) => clients[i % 2]!.rest.issues.createComment({ owner, repo: "app", issue_number: issue.number, body: `comment ${i}` });
    const read = (i: number) => clients[i % 2]!.rest.issues.get({ owner, repo: "app", issue_number: issue.number });
    // Each process mints its installation token on its first request, as a worker has long done.
    await Promise.all([read(0), read(1)]);
    return { installationId, comment, read };
  }
  const writesOf = (installationId: number) =>
    sandbox.calls.filter((c) => c.installationId === installationId && c.method === "POST" && c.route.includes("/comments")).map((c) => c.at);

  it("spaces one installation's writes from two processes, leaving its reads and other installations alone", async () => {
    const busy = await issueOf("acme");
    const other = await issueOf("other-org");
    const started = Date.now();
    const readsDone: number[] = [];
    const otherDone: number[] = [];
    await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => busy.comment(i)),
      ...Array.from({ length: 2 }, (_, i) => busy.read(i).then(() => readsDone.push(Date.now() - started))),
      ...Array.from({ length: 2 }, (_, i) => other.comment(i).then(() => otherDone.push(Date.now() - started))),
    ]);

    const at = writesOf(busy.installationId).sort((a, b) => a - b);
    expect(at).toHaveLength(6);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // Slots are PACE_MS apart; one write reaching GitHub later than its slot shortens the gap after it, never the span.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(PACE_MS / 2);
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(5 * PACE_MS - 30);
    // Reads do not wait in the line, nor does another installation's first write.
    expect(Math.max(...readsDone)).toBeLessThan(PACE_MS);
    expect(Math.min(...otherDone)).toBeLessThan(PACE_MS);
  }, 20_000);

  it("holds every process's writes of an installation while one waits out a secondary limit", async () => {
    const { installationId, comment } = await issueOf("acme");
    sandbox.faults.rateLimit(1, { status: 403, retryAfter: 1, method: "POST", path: "/comments$" });
    const started = Date.now();
    const limited = comment(0);
    // The other process writes after the limited answer came back.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await Promise.all([limited, comment(1)]);

    const at = writesOf(installationId).map((t) => t - started);
    // The limited try, then both writes only after the second GitHub asked for.
    expect(at).toHaveLength(3);
    expect(at[0]).toBeLessThan(100);
    expect(Math.min(...at.slice(1))).toBeGreaterThanOrEqual(1000);
  }, 20_000);

  it("keeps one installation's writes from two processes within its budget, spreading them once it is spent", async () => {
    await Promise.all(runtimes.map((rt) => rt.close()));
    // Three writes per 1.5 s (GitHub's budget is 500 an hour): after three, one every 500 ms.
    startWorkers({ paceMs: 0, writeBudget: 3, budgetWindowMs: 1500 });
    const { installationId, comment } = await issueOf("acme");
    const started = Date.now();
    await Promise.all(Array.from({ length: 5 }, (_, i) => comment(i)));

    const at = writesOf(installationId)
      .map((t) => t - started)
      .sort((a, b) => a - b);
    expect(at).toHaveLength(5);
    expect(at[2]).toBeLessThan(250);
    expect(at[3]).toBeGreaterThanOrEqual(450);
    expect(at[4]).toBeGreaterThanOrEqual(950);
  }, 20_000);
});
