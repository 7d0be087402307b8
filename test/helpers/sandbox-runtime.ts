import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import type { Job } from "bullmq";
import { pino } from "pino";
import { Probot } from "probot";
import { readEnv } from "../../src/env.js";
import { createOctokitClass } from "../../src/github/create-octokit-class.js";
import { EventLog } from "../../src/observe/events.js";
import type { IntakeJob, StageJob } from "../../src/pipeline/job-data.js";
import { processIntake } from "../../src/pipeline/process-intake.js";
import { processStage, type StageJobOutcome } from "../../src/pipeline/process-stage.js";
import { openQueues } from "../../src/pipeline/queues.js";
import { createRedis } from "../../src/redis.js";
import { keys, type Runtime } from "../../src/runtime.js";
import { startSandbox, type Sandbox } from "../../sandbox/github/index.js";
import type { Issue, Repo } from "../../sandbox/github/state.js";

/**
 * An in-process sandbox and a Runtime that talks to it (real REST, real git), with every
 * log line captured. Stages are driven by hand: no webhooks, no workers.
 */
export async function createSandboxRuntime(envOverrides: Record<string, string> = {}) {
  const sandbox = await startSandbox({ log: () => {} });
  const prefix = `baton-test-${randomUUID().slice(0, 8)}`;
  const env = readEnv({ BATON_REDIS_PREFIX: prefix, BATON_DEFAULT_BACKEND: "builtin", WEBHOOK_SECRET: sandbox.webhookSecret, GHE_HOST: sandbox.host, GHE_PROTOCOL: "http", ...envOverrides });
  const logs: string[] = [];
  const log = pino({ level: "debug" }, new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) }));
  const redis = createRedis(env.REDIS_URL);
  const probot = new (Probot.defaults({ appId: sandbox.appId, privateKey: sandbox.privateKeyPem, baseUrl: sandbox.apiUrl, log, Octokit: createOctokitClass({ paceMs: 0, retryBaseMs: 10, secondaryFallbackSeconds: 1 }) }))();
  const queues = openQueues(redis, prefix);
  const rt: Runtime = {
    env,
    redis,
    prefix,
    queues,
    events: new EventLog(redis, keys.events({ prefix }), log),
    log,
    auth: (id) => probot.auth(id),
    botLogin: async () => `${sandbox.appSlug}[bot]`,
    appIdentity: async () => ({ id: sandbox.appId, botLogin: `${sandbox.appSlug}[bot]` }),
  };

  /** Claims the issue for the stage consuming `label` (as a person's labelling would) and runs it once. */
  async function runStage(repo: Repo, issue: Issue, label: string): Promise<{ result: StageJobOutcome; job: Job<StageJob> }> {
    const installationId = sandbox.world.state.installationFor(repo.owner)!.id;
    const data: IntakeJob = { deliveryId: randomUUID(), source: "cli", issue: { installationId, repoId: repo.id, owner: repo.owner, repo: repo.name, number: issue.number }, label, sender: { login: "octocat", type: "User" } };
    const intake = await queues.intake.add("test", data);
    const claimed = await processIntake(rt, intake);
    if (claimed.action !== "claimed") throw new Error(`not claimed: ${JSON.stringify(claimed)}`);
    const jobs = await Promise.all([...queues.stages.values()].map((q) => q.getJob(claimed.runId)));
    const job = jobs.find(Boolean) as Job<StageJob>;
    return { result: await processStage(rt, job), job };
  }

  return {
    sandbox,
    probot,
    rt,
    logs,
    runStage,
    async close() {
      await Promise.all(queues.all.map((q) => q.obliterate({ force: true })));
      await queues.close();
      const stream = redis.scanStream({ match: `${prefix}:*`, count: 500 });
      for await (const found of stream as AsyncIterable<string[]>) if (found.length) await redis.del(...found);
      await redis.quit();
      await sandbox.close();
    },
  };
}

export type SandboxRuntime = Awaited<ReturnType<typeof createSandboxRuntime>>;
export type { Sandbox };
