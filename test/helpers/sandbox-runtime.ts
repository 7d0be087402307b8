import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import type { Job } from "bullmq";
import { pino } from "pino";
import { createRuntime } from "../../src/create-runtime.js";
import { readEnv } from "../../src/env.js";
import type { IntakeJob, StageJob } from "../../src/pipeline/job-data.js";
import { cloneCacheFor } from "../../src/knowledge/read-only-checkout.js";
import { processIntake } from "../../src/pipeline/process-intake.js";
import { processStage, type StageJobOutcome } from "../../src/pipeline/process-stage.js";
import { startSandbox, type Sandbox } from "../../sandbox/github/index.js";
import type { Issue, Repo } from "../../sandbox/github/state.js";
import { deleteKeys } from "./test-runtime.js";

/**
 * An in-process sandbox and a Runtime that talks to it (real REST, real git), with every
 * log line captured. Stages are driven by hand: no webhooks, no workers.
 */
export async function createSandboxRuntime(envOverrides: Record<string, string> = {}) {
  const sandbox = await startSandbox({ log: () => {} });
  const prefix = `baton-test-${randomUUID().slice(0, 8)}`;
  const processEnv: NodeJS.ProcessEnv = {
    ...process.env,
    BATON_REDIS_PREFIX: prefix,
    BATON_DEFAULT_BACKEND: "builtin",
    WEBHOOK_SECRET: sandbox.webhookSecret,
    GHE_HOST: sandbox.host,
    GHE_PROTOCOL: "http",
    ...envOverrides,
  };
  const logs: string[] = [];
  const log = pino({ level: "debug" }, new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) }));
  const botLogin = `${sandbox.appSlug}[bot]`;
  const { close, ...rt } = createRuntime({
    processEnv,
    log,
    app: { appId: sandbox.appId, privateKey: sandbox.privateKeyPem },
    baseUrl: sandbox.apiUrl,
    pacing: { paceMs: 0, retryBaseMs: 10, secondaryFallbackSeconds: 1 },
    appIdentity: { id: sandbox.appId, botLogin },
  });
  const { queues } = rt;

  /** Claims the issue for the stage consuming `label` (as a person's labelling would) and runs it once. */
  async function runStage(repo: Repo, issue: Issue, label: string): Promise<{ result: StageJobOutcome; job: Job<StageJob> }> {
    const installationId = sandbox.world.state.installationFor(repo.owner)!.id;
    const data: IntakeJob = {
      deliveryId: randomUUID(),
      source: "cli",
      issue: { installationId, repoId: repo.id, owner: repo.owner, repo: repo.name, number: issue.number },
      label,
      sender: { login: "octocat", type: "User" },
    };
    const intake = await queues.intake.add("test", data);
    const claimed = await processIntake(rt, intake);
    if (claimed.action !== "claimed") throw new Error(`not claimed: ${JSON.stringify(claimed)}`);
    const jobs = await Promise.all([...queues.stages.values()].map((q) => q.getJob(claimed.runId)));
    const job = jobs.find(Boolean) as Job<StageJob>;
    return { result: await processStage(rt, job), job };
  }

  /**
   * Changes the environment the runtime was given (what a restart with other settings
   * would do), the way a test steers backends between runs; never `process.env`.
   */
  function setEnv(vars: Record<string, string | undefined>): void {
    Object.assign(processEnv, vars);
    Object.assign(rt.env, readEnv(processEnv));
  }

  return {
    sandbox,
    probot: rt.probot,
    rt,
    logs,
    runStage,
    setEnv,
    async close() {
      await Promise.all(queues.all.map((q) => q.obliterate({ force: true })));
      await deleteKeys(rt);
      await close();
      await sandbox.close();
      await cloneCacheFor(rt.env).close();
    },
  };
}

export type SandboxRuntime = Awaited<ReturnType<typeof createSandboxRuntime>>;
export type { Sandbox };
