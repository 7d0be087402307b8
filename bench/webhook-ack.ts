import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import { sign } from "@octokit/webhooks-methods";
import { startAppProcess } from "../sandbox/app-process.js";
import { freePort } from "../sandbox/find-redis.js";
import { startSandbox } from "../sandbox/github/index.js";
import { COMPILED, PROFILE_DIR } from "./pipeline.js";
import { percentile, printTable, round } from "./stats.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

interface Sample {
  rps: number;
  p50: number;
  p99: number;
}

/** Sends REQUESTS signed `issues.labeled` deliveries at fixed concurrency; each has its own delivery id. */
async function load(url: string, secret: string, payload: string): Promise<Sample> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const signature = await sign(secret, payload);
  const target = new URL(url);
  const latencies: number[] = [];
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const started = performance.now();
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(payload),
            "x-github-event": "issues",
            "x-github-delivery": randomBytes(16).toString("hex"),
            "x-hub-signature-256": signature,
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            if ((res.statusCode ?? 500) >= 300) reject(new Error(`HTTP ${res.statusCode}`));
            latencies.push(performance.now() - started);
            resolve();
          });
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) await one();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { rps: REQUESTS / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/**
 * Benchmark 1: webhook acknowledgement. Baton (server role: verify, dedupe, enqueue) and a
 * bare Probot app with a no-op handler take the same signed deliveries, alternating rounds
 * in the same run; the ratio is what the target is about.
 */
export async function benchWebhookAck(redisUrl: string) {
  const sandbox = await startSandbox({ log: () => {} });
  const repo = await sandbox.world.createRepo("bench-org", "ack");
  const issue = sandbox.world.createIssue(repo, { title: "bench", body: "bench" }, { kind: "user", login: "octocat" });
  issue.labels.push("status:triage");
  const payload = JSON.stringify(sandbox.world.payloads.labeled("labeled", repo, issue, "status:triage", sandbox.world.state.user("octocat")));
  const prefix = `baton-bench-${randomBytes(4).toString("hex")}`;
  const baton = await startAppProcess({
    github: sandbox,
    port: await freePort(),
    redisUrl,
    redisPrefix: prefix,
    role: "server",
    compiled: COMPILED,
    nodeArgs: PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`, "--cpu-prof-name=ack-server.cpuprofile"] : [],
    env: { LOG_LEVEL: "warn" },
  });
  const barePort = await freePort();
  const bare = spawn(process.execPath, ["--import", "tsx", "bench/bare-probot.ts"], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(barePort), WEBHOOK_SECRET: sandbox.webhookSecret },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve) => bare.stdout.once("data", resolve));
  const results: { app: string; round: number; sample: Sample }[] = [];
  try {
    await load(baton.webhookUrl, sandbox.webhookSecret, payload); // warm-up, both
    await load(`http://127.0.0.1:${barePort}/api/github/webhooks`, sandbox.webhookSecret, payload);
    for (let r = 1; r <= ROUNDS; r++) {
      results.push({ app: "bare probot", round: r, sample: await load(`http://127.0.0.1:${barePort}/api/github/webhooks`, sandbox.webhookSecret, payload) });
      results.push({ app: "baton", round: r, sample: await load(baton.webhookUrl, sandbox.webhookSecret, payload) });
    }
  } finally {
    bare.kill("SIGTERM");
    await baton.stop();
    await sandbox.close();
    const { Redis } = await import("ioredis");
    const redis = new Redis(redisUrl);
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
  const median = (app: string, key: keyof Sample) =>
    percentile(
      results.filter((r) => r.app === app).map((r) => r.sample[key]),
      50,
    );
  const summary = {
    requests_per_round: REQUESTS,
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
    bare: { rps: round(median("bare probot", "rps")), p50_ms: round(median("bare probot", "p50")), p99_ms: round(median("bare probot", "p99")) },
    baton: { rps: round(median("baton", "rps")), p50_ms: round(median("baton", "p50")), p99_ms: round(median("baton", "p99")) },
    throughput_ratio: round(median("baton", "rps") / median("bare probot", "rps")),
    p99_ratio: round(median("baton", "p99") / median("bare probot", "p99")),
    targets: { throughput_ratio: ">= 0.8", p99_ratio: "<= 1.3" },
  };
  console.log(`\nWebhook acknowledgement (${REQUESTS} signed deliveries per round, concurrency ${CONCURRENCY}, ${ROUNDS} alternating rounds)\n`);
  printTable(
    results.map((r) => ({ app: r.app, round: r.round, "req/s": round(r.sample.rps, 0), "p50 ms": round(r.sample.p50), "p99 ms": round(r.sample.p99) })),
  );
  console.log(
    `\nmedians: baton ${summary.baton.rps} req/s vs bare ${summary.bare.rps} req/s → ratio ${summary.throughput_ratio} (target ≥ 0.8); p99 ratio ${summary.p99_ratio} (target ≤ 1.3)`,
  );
  return summary;
}
