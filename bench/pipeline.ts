import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { startAppProcess } from "../sandbox/app-process.js";
import { freePort } from "../sandbox/find-redis.js";
import { startSandbox } from "../sandbox/github/index.js";
import { percentile, printTable, round } from "./stats.js";

const ISSUES = Number(process.env.BENCH_ISSUES ?? 200);
const CONFIG = "stages:\n  implement: { enabled: false }\n  review: { enabled: false }\n";

/** Peak resident memory of a process (VmHWM), in MB. */
/** The app as `npm start` runs it (compiled), unless BENCH_SOURCE=1 asks for the tsx sources. */
export const COMPILED = process.env.BENCH_SOURCE !== "1";

async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * Benchmark 2: the pipeline under load. ISSUES issues are labelled `status:triage` at once
 * and go through triage and design (the `builtin` agent, no delay) to `status:ready`, on the
 * sandbox, with one Baton process. Transitions are label-to-next-label handoffs.
 */
export async function benchPipeline(redisUrl: string) {
  const sandbox = await startSandbox({ log: () => {} });
  const prefix = `baton-bench-${randomBytes(4).toString("hex")}`;
  const app = await startAppProcess({
    github: sandbox,
    port: await freePort(),
    redisUrl,
    redisPrefix: prefix,
    compiled: COMPILED,
    env: { LOG_LEVEL: "warn", BATON_CONCURRENCY: process.env.BATON_CONCURRENCY ?? "8", BATON_CONCURRENCY_INTAKE: process.env.BATON_CONCURRENCY_INTAKE ?? "8", BATON_INSTALLATION_CONCURRENCY: "64", BATON_RECONCILE_INTERVAL: "1h" },
  });
  sandbox.setWebhookUrl(app.webhookUrl);
  try {
    const repo = await sandbox.world.createRepo("bench-org", "pipeline", { files: { ".github/baton.yml": CONFIG } });
    const issues = Array.from({ length: ISSUES }, (_, i) => sandbox.world.createIssue(repo, { title: `Bench issue ${i + 1}`, body: "A clear enough description of a small feature for the canned agent." }, { kind: "user", login: "octocat" }));
    await sandbox.idle();
    const callsBefore = sandbox.calls.length;
    const started = performance.now();
    for (const issue of issues) sandbox.world.addLabels(repo, issue, ["status:triage"], { kind: "user", login: "octocat" });
    const done = () => issues.every((i) => i.labels.includes("status:ready") && !i.labels.includes("status:designing"));
    const deadline = Date.now() + 10 * 60_000;
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const seconds = (performance.now() - started) / 1000;
    if (!done()) throw new Error(`only ${issues.filter((i) => i.labels.includes("status:ready")).length}/${ISSUES} issues reached status:ready in 10 minutes`);
    const apiCalls = sandbox.calls.length - callsBefore;

    // Label-to-next-label latency, from the sandbox's webhook log (when each label went on).
    const labelledAt = new Map<string, number>();
    for (const d of sandbox.world.webhooks.deliveries) {
      const p = d.payload as { action?: string; issue?: { number: number }; label?: { name: string } };
      if (p.action === "labeled" && p.issue && p.label) labelledAt.set(`${p.issue.number} ${p.label.name}`, Date.parse(d.delivered_at));
    }
    const latencies = issues.flatMap((i) => [
      (labelledAt.get(`${i.number} status:triaged`) ?? NaN) - (labelledAt.get(`${i.number} status:triage`) ?? NaN),
      (labelledAt.get(`${i.number} status:ready`) ?? NaN) - (labelledAt.get(`${i.number} status:triaged`) ?? NaN),
    ]).filter(Number.isFinite);
    const transitions = ISSUES * 2;
    const summary = {
      issues: ISSUES,
      transitions,
      seconds: round(seconds),
      transitions_per_second: round(transitions / seconds),
      latency_p50_ms: round(percentile(latencies, 50)),
      latency_p99_ms: round(percentile(latencies, 99)),
      api_calls: apiCalls,
      api_calls_per_transition: round(apiCalls / transitions),
      // Content-creating requests (every method but GET): GitHub's secondary limits count these.
      api_writes_per_transition: round(sandbox.calls.slice(callsBefore).filter((c) => c.method !== "GET").length / transitions),
      app_peak_rss_mb: round(await peakRssMb(app.pid), 1),
      app_entry: COMPILED ? "dist/main.js" : "src/main.ts via tsx",
      targets: { transitions_per_second: ">= 50", api_calls_per_transition: "<= 5", app_peak_rss_mb: "<= 200" },
    };
    const byRoute = new Map<string, number>();
    for (const c of sandbox.calls.slice(callsBefore)) byRoute.set(c.route, (byRoute.get(c.route) ?? 0) + 1);
    console.log(`\nPipeline: ${ISSUES} issues labelled at once, triage → design → status:ready, builtin agent\n`);
    printTable([{ "transitions/s": summary.transitions_per_second, "p50 ms": summary.latency_p50_ms, "p99 ms": summary.latency_p99_ms, "API calls/transition": summary.api_calls_per_transition, "writes/transition": summary.api_writes_per_transition, "peak RSS MB": summary.app_peak_rss_mb, seconds: summary.seconds }]);
    console.log("\nAPI calls by route:");
    printTable([...byRoute.entries()].sort((a, b) => b[1] - a[1]).map(([route, n]) => ({ route, calls: n, "per transition": round(n / transitions) })));
    return summary;
  } finally {
    await app.stop();
    await sandbox.close();
    const { Redis } = await import("ioredis");
    const redis = new Redis(redisUrl);
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
}
