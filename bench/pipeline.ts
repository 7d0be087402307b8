import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { startAppProcess } from "../sandbox/app-process.js";
import { freePort } from "../sandbox/find-redis.js";
import { startSandbox } from "../sandbox/github/index.js";
import { percentile, printTable, round } from "./stats.js";

const ISSUES = Number(process.env.BENCH_ISSUES ?? 200);
const CONFIG = "stages:\n  implement: { enabled: false }\n  review: { enabled: false }\n";

/** The app as `npm start` runs it (compiled), unless BENCH_SOURCE=1 asks for the tsx sources. */
export const COMPILED = process.env.BENCH_SOURCE !== "1";

/** Peak resident memory of a process (VmHWM), in MB. */
async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * Issues and per-process stage concurrency of the scale-out runs: one stage at once per stage
 * queue (triage and design: two per worker), so that the agent's 200 ms, not the machine's
 * two cores, bounds one worker. With two at once per queue, two workers need more CPU than
 * the two cores have left beside the sandbox, Redis and the server (bench/README.md).
 */
const SCALE_ISSUES = Number(process.env.BENCH_SCALE_ISSUES ?? 120);
const SCALE_CONCURRENCY = process.env.BENCH_SCALE_CONCURRENCY ?? "1";
/**
 * Issues run through every process before the measured ones (BENCH_WARMUP_ISSUES): the first
 * clone and briefing of a process, its installation token and V8's compilation are paid once
 * per process, not per transition, and would otherwise weigh on a short run, more with more
 * processes. What is measured is the pipeline in steady state, as a deployment runs it.
 */
const WARMUP_ISSUES = Number(process.env.BENCH_WARMUP_ISSUES ?? 8);
/** BENCH_PROFILE=<dir>: every app process writes a V8 CPU profile there when it stops (`node --cpu-prof`). */
export const PROFILE_DIR = process.env.BENCH_PROFILE;

interface PipelineRunOptions {
  issues: number;
  /** 0: one process in the `all` role; n: one `server` process and n `worker` processes. */
  workers: number;
  env?: Record<string, string>;
}

/**
 * CPU seconds a process and its reaped children (git, for Baton; git's http-backend, for the
 * sandbox) have used: a cost that, unlike transitions per second, does not depend on what
 * else the shared machine runs.
 */
async function cpuSeconds(pid: number | "self"): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime, stime, cutime, cstime: fields 14–17 of proc(5), in clock ticks (100 a second on Linux).
  return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / 100;
}

/**
 * One run on a fresh sandbox and Redis prefix: `issues` issues are labelled `status:triage`
 * at once and go through triage and design (the `builtin` agent) to `status:ready`.
 * Transitions are label-to-next-label handoffs.
 */
async function runPipeline(redisUrl: string, { issues: count, workers, env = {} }: PipelineRunOptions) {
  const sandbox = await startSandbox({ log: () => {} });
  const prefix = `baton-bench-${randomBytes(4).toString("hex")}`;
  const roles: ("all" | "server" | "worker")[] = workers === 0 ? ["all"] : ["server", ...Array.from({ length: workers }, () => "worker" as const)];
  const apps: Awaited<ReturnType<typeof startAppProcess>>[] = [];
  try {
    for (const role of roles) {
      apps.push(
        await startAppProcess({
          github: sandbox,
          port: await freePort(),
          redisUrl,
          redisPrefix: prefix,
          role,
          compiled: COMPILED,
          nodeArgs: PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${workers}w-${role}-${apps.length}.cpuprofile`] : [],
          // A worker says it is ready only in its "Baton started" info line.
          env: {
            LOG_LEVEL: role === "worker" ? "info" : "warn",
            BATON_CONCURRENCY: process.env.BATON_CONCURRENCY ?? "8",
            BATON_CONCURRENCY_INTAKE: process.env.BATON_CONCURRENCY_INTAKE ?? "8",
            BATON_INSTALLATION_CONCURRENCY: "64",
            BATON_RECONCILE_INTERVAL: "1h",
            ...env,
          },
        }),
      );
    }
    sandbox.setWebhookUrl(apps[0]!.webhookUrl);
    const repo = await sandbox.world.createRepo("bench-org", "pipeline", { files: { ".github/baton.yml": CONFIG } });
    const newIssues = (n: number, title: string) =>
      Array.from({ length: n }, (_, i) =>
        sandbox.world.createIssue(
          repo,
          { title: `${title} ${i + 1}`, body: "A clear enough description of a small feature for the canned agent." },
          { kind: "user", login: "octocat" },
        ),
      );
    /** Labels the issues `status:triage` at once and waits until every one is at `status:ready`. */
    const runThrough = async (batch: ReturnType<typeof newIssues>) => {
      for (const issue of batch) sandbox.world.addLabels(repo, issue, ["status:triage"], { kind: "user", login: "octocat" });
      const done = () => batch.every((i) => i.labels.includes("status:ready") && !i.labels.includes("status:designing"));
      const deadline = Date.now() + 10 * 60_000;
      while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      if (!done())
        throw new Error(`only ${batch.filter((i) => i.labels.includes("status:ready")).length}/${batch.length} issues reached status:ready in 10 minutes`);
    };
    if (WARMUP_ISSUES > 0) await runThrough(newIssues(WARMUP_ISSUES, "Warm-up issue"));
    const issues = newIssues(count, "Bench issue");
    await sandbox.idle();
    const callsBefore = sandbox.calls.length;
    const cpuBefore = await Promise.all([...apps.map((a) => cpuSeconds(a.pid)), cpuSeconds("self")]);
    const started = performance.now();
    await runThrough(issues);
    const seconds = (performance.now() - started) / 1000;

    // Label-to-next-label latency, from the sandbox's webhook log (when each label went on).
    const labelledAt = new Map<string, number>();
    for (const d of sandbox.world.webhooks.deliveries) {
      const p = d.payload as { action?: string; issue?: { number: number }; label?: { name: string } };
      if (p.action === "labeled" && p.issue && p.label) labelledAt.set(`${p.issue.number} ${p.label.name}`, Date.parse(d.delivered_at));
    }
    const latencies = issues
      .flatMap((i) => [
        (labelledAt.get(`${i.number} status:triaged`) ?? NaN) - (labelledAt.get(`${i.number} status:triage`) ?? NaN),
        (labelledAt.get(`${i.number} status:ready`) ?? NaN) - (labelledAt.get(`${i.number} status:triaged`) ?? NaN),
      ])
      .filter(Number.isFinite);
    const transitions = count * 2;
    const cpuAfter = await Promise.all([...apps.map((a) => cpuSeconds(a.pid)), cpuSeconds("self")]);
    const cpuUsed = cpuAfter.map((after, i) => after - (cpuBefore[i] ?? 0));
    const calls = sandbox.calls.slice(callsBefore);
    const byRoute = new Map<string, number>();
    for (const c of calls) byRoute.set(c.route, (byRoute.get(c.route) ?? 0) + 1);
    return {
      issues: count,
      transitions,
      seconds: round(seconds),
      transitions_per_second: round(transitions / seconds),
      latency_p50_ms: round(percentile(latencies, 50)),
      latency_p99_ms: round(percentile(latencies, 99)),
      api_calls: calls.length,
      // Content-creating requests (every method but GET): GitHub's secondary limits count these.
      api_writes: calls.filter((c) => c.method !== "GET").length,
      byRoute,
      /** CPU of Baton's processes (git included) per transition, and of the sandbox and load generator (its git included). */
      app_cpu_ms_per_transition: round((cpuUsed.slice(0, -1).reduce((a, b) => a + b, 0) * 1000) / transitions),
      /** The same, per process: the server (or the one `all` process) first, then the workers. */
      app_cpu_ms_per_transition_by_process: cpuUsed.slice(0, -1).map((seconds) => round((seconds * 1000) / transitions)),
      sandbox_cpu_ms_per_transition: round(((cpuUsed.at(-1) ?? 0) * 1000) / transitions),
      peak_rss_mb: await Promise.all(apps.map((a) => peakRssMb(a.pid).then((mb) => round(mb, 1)))),
    };
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    await sandbox.close();
    const { Redis } = await import("ioredis");
    const redis = new Redis(redisUrl);
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
}

type PipelineRun = Awaited<ReturnType<typeof runPipeline>>;
/** The figures of a run that the scale-out and clone-cache comparisons keep. */
const FIGURES = [
  "transitions_per_second",
  "latency_p50_ms",
  "latency_p99_ms",
  "app_cpu_ms_per_transition",
  "app_cpu_ms_per_transition_by_process",
  "sandbox_cpu_ms_per_transition",
  "peak_rss_mb",
] as const;
const pick = (run: PipelineRun) => Object.fromEntries(FIGURES.map((name) => [name, run[name]])) as Pick<PipelineRun, (typeof FIGURES)[number]>;

/**
 * Benchmark 2: the pipeline under load, in one run:
 * - ISSUES issues through one Baton process (`all` role, the `builtin` agent, no delay), with
 *   the clone cache and, as the baseline, without it (`BATON_CLONE_CACHE_MB=0`: every stage
 *   clones);
 * - the scale-out figure (benchScaleOut).
 */
export async function benchPipeline(redisUrl: string) {
  const uncached = await runPipeline(redisUrl, { issues: ISSUES, workers: 0, env: { BATON_CLONE_CACHE_MB: "0" } });
  const run = await runPipeline(redisUrl, { issues: ISSUES, workers: 0 });
  const transitions = run.transitions;
  const summary = {
    issues: ISSUES,
    transitions,
    seconds: run.seconds,
    transitions_per_second: run.transitions_per_second,
    latency_p50_ms: run.latency_p50_ms,
    latency_p99_ms: run.latency_p99_ms,
    api_calls: run.api_calls,
    api_calls_per_transition: round(run.api_calls / transitions),
    api_writes_per_transition: round(run.api_writes / transitions),
    app_peak_rss_mb: run.peak_rss_mb[0],
    app_entry: COMPILED ? "dist/main.js" : "src/main.ts via tsx",
    clone_cache: {
      off: pick(uncached),
      on: pick(run),
      ratio: round(run.transitions_per_second / uncached.transitions_per_second),
    },
    targets: {
      transitions_per_second: ">= 50",
      api_calls_per_transition: "<= 6",
      api_writes_per_transition: "<= 5",
      app_peak_rss_mb: "<= 200",
      scale_out_ratio: ">= 1.8",
    },
  };
  console.log(`\nPipeline: ${ISSUES} issues labelled at once, triage → design → status:ready, builtin agent\n`);
  printTable([
    {
      "transitions/s": summary.transitions_per_second,
      "p50 ms": summary.latency_p50_ms,
      "p99 ms": summary.latency_p99_ms,
      "API calls/transition": summary.api_calls_per_transition,
      "writes/transition": summary.api_writes_per_transition,
      "peak RSS MB": summary.app_peak_rss_mb ?? 0,
      seconds: summary.seconds,
    },
  ]);
  console.log("\nAPI calls by route:");
  printTable([...run.byRoute.entries()].sort((a, b) => b[1] - a[1]).map(([route, n]) => ({ route, calls: n, "per transition": round(n / transitions) })));
  console.log("\nClone cache (same issues, same run):");
  printTable([
    {
      clones: "every stage clones (BATON_CLONE_CACHE_MB=0)",
      "transitions/s": uncached.transitions_per_second,
      "p50 ms": uncached.latency_p50_ms,
      "p99 ms": uncached.latency_p99_ms,
      "app CPU ms/transition": uncached.app_cpu_ms_per_transition,
      "sandbox CPU ms/transition": uncached.sandbox_cpu_ms_per_transition,
    },
    {
      clones: "one per commit (default)",
      "transitions/s": run.transitions_per_second,
      "p50 ms": run.latency_p50_ms,
      "p99 ms": run.latency_p99_ms,
      "app CPU ms/transition": run.app_cpu_ms_per_transition,
      "sandbox CPU ms/transition": run.sandbox_cpu_ms_per_transition,
    },
  ]);
  console.log(`ratio: ${summary.clone_cache.ratio}`);
  return { ...summary, scale_out: await benchScaleOut(redisUrl) };
}

/**
 * The scale-out figure (issue 12): SCALE_ISSUES issues with `BATON_BUILTIN_DELAY=200ms`
 * through one server process and one worker, then one server and two workers, each worker
 * at SCALE_CONCURRENCY stages at once (low, so that the agent's delay rather than the CPU
 * bounds one worker).
 */
export async function benchScaleOut(redisUrl: string) {
  const delayed = { BATON_BUILTIN_DELAY: "200ms", BATON_CONCURRENCY: SCALE_CONCURRENCY };
  const one = await runPipeline(redisUrl, { issues: SCALE_ISSUES, workers: 1, env: delayed });
  const two = await runPipeline(redisUrl, { issues: SCALE_ISSUES, workers: 2, env: delayed });
  const scaleOut = {
    issues: SCALE_ISSUES,
    builtin_delay: "200ms",
    stage_concurrency_per_worker: Number(SCALE_CONCURRENCY),
    one_worker: pick(one),
    two_workers: pick(two),
    ratio: round(two.transitions_per_second / one.transitions_per_second),
  };
  console.log(
    `\nScale-out: ${SCALE_ISSUES} issues, BATON_BUILTIN_DELAY=200ms, one server process + n BATON_ROLE=worker processes (stage concurrency ${SCALE_CONCURRENCY} each)\n`,
  );
  printTable([
    {
      workers: 1,
      "transitions/s": one.transitions_per_second,
      "p50 ms": one.latency_p50_ms,
      "p99 ms": one.latency_p99_ms,
      "app CPU ms/transition": one.app_cpu_ms_per_transition,
    },
    {
      workers: 2,
      "transitions/s": two.transitions_per_second,
      "p50 ms": two.latency_p50_ms,
      "p99 ms": two.latency_p99_ms,
      "app CPU ms/transition": two.app_cpu_ms_per_transition,
    },
  ]);
  console.log(`ratio: ${scaleOut.ratio} (target >= 1.8)`);
  return scaleOut;
}
