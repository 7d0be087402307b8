import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { startAppProcess, type AppProcess } from "../../sandbox/app-process.js";
import { freePort } from "../../sandbox/find-redis.js";
import { startSandbox, type Sandbox } from "../../sandbox/github/index.js";
import { openQueues } from "../../src/pipeline/queues.js";
import type { Issue, Repo } from "../../sandbox/github/state.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
export const MAINTAINER = { kind: "user" as const, login: "octocat" };

/** A sandbox plus Baton processes sharing one Redis prefix, all torn down by `close`. */
export interface Stack {
  sandbox: Sandbox;
  prefix: string;
  apps: AppProcess[];
  startApp(env?: Record<string, string>, role?: "all" | "server" | "worker"): Promise<AppProcess>;
  newRepo(files?: Record<string, string>): Promise<Repo>;
  newIssue(repo: Repo, title?: string): Issue;
  label(repo: Repo, issue: Issue, label: string, login?: string): void;
  /** Resolves once nothing is left to happen: no webhook in flight and no Baton job waiting, running or delayed. */
  settled(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const FAST_ENV = {
  BATON_RETRY_DELAY: "100ms",
  BATON_GITHUB_RETRY_BASE: "20ms",
  BATON_STALL_INTERVAL: "2s",
  BATON_RECONCILE_INTERVAL: "10m",
  LOG_LEVEL: "warn",
};

export async function startStack(): Promise<Stack> {
  const sandbox = await startSandbox({ log: () => {} });
  const prefix = `baton-e2e-${randomBytes(4).toString("hex")}`;
  const apps: AppProcess[] = [];
  let repos = 0;
  const stack: Stack = {
    sandbox,
    prefix,
    apps,
    async startApp(env = {}, role = "all") {
      const app = await startAppProcess({
        github: sandbox,
        port: await freePort(),
        redisUrl: REDIS_URL,
        redisPrefix: prefix,
        role,
        env: { ...FAST_ENV, ...env },
      });
      apps.push(app);
      return app;
    },
    newRepo: (files = {}) => sandbox.world.createRepo("e2e-org", `repo-${++repos}`, { files }),
    newIssue: (repo, title = "Add a dark mode toggle to the settings page") =>
      sandbox.world.createIssue(repo, { title, body: "Add a toggle on the settings page that switches to a dark theme and remembers the choice." }, MAINTAINER),
    label: (repo, issue, label, login = "octocat") => sandbox.world.addLabels(repo, issue, [label], { kind: "user", login }),
    async settled(timeoutMs = 20_000) {
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      const queues = openQueues(redis, prefix);
      const busy = async () => {
        await sandbox.idle();
        const counts = await Promise.all(queues.all.map((q) => q.getJobCounts("waiting", "active", "delayed", "prioritized", "waiting-children")));
        // The reconciler's repeatable job always waits for its next tick: it is not work in hand.
        return counts.reduce((n, c, i) => n + Object.values(c).reduce((a, b) => a + b, 0) - (queues.all[i] === queues.reconcile ? (c.delayed ?? 0) : 0), 0);
      };
      try {
        // Quiet twice in a row: a job finishing can send a webhook that starts another.
        for (let quiet = 0, deadline = Date.now() + timeoutMs; quiet < 2;) {
          if (Date.now() > deadline) throw new Error(`Baton did not settle within ${timeoutMs} ms\n${apps.flatMap((a) => a.logs.slice(-10)).join("\n")}`);
          quiet = (await busy()) === 0 ? quiet + 1 : 0;
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await queues.close();
        await redis.quit();
      }
    },
    async close() {
      await Promise.all(apps.map((a) => a.stop(5000)));
      await sandbox.close();
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      const stream = redis.scanStream({ match: `${prefix}:*`, count: 500 });
      for await (const found of stream as AsyncIterable<string[]>) if (found.length) await redis.del(...found);
      await redis.quit();
    },
  };
  return stack;
}

/** Polls until `check` is true; fails with `what` and the apps' last log lines after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000, apps: AppProcess[] = []): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${apps.flatMap((a) => a.logs.slice(-10)).join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until `label` is the issue's only status label (a handoff adds the next label before taking the claim off). */
export async function waitForStatus(issue: Issue, label: string, timeoutMs = 30_000, apps: AppProcess[] = []): Promise<void> {
  await waitFor(
    `${label} alone`,
    () => statusLabels(issue).join() === label || (label !== "status:blocked" && issue.labels.includes("status:blocked")),
    timeoutMs,
    apps,
  );
}

export const statusLabels = (issue: Issue) => issue.labels.filter((l) => l.startsWith("status:"));
export const artifacts = (issue: Issue, stage?: string) => issue.comments.filter((c) => c.body.startsWith(`<!-- baton:artifact stage=${stage ?? ""}`));
export const statusComments = (issue: Issue) => issue.comments.filter((c) => c.body.startsWith("<!-- baton:status -->"));
export const pullsOf = (repo: Repo) => [...repo.issues.values()].filter((i) => i.pull);
