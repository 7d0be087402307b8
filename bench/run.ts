import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { findOrStartRedis } from "../sandbox/find-redis.js";
import { benchKnowledgeIndex } from "./knowledge-index.js";
import { benchPipeline, benchScaleOut, COMPILED } from "./pipeline.js";
import { benchSandboxStartup } from "./sandbox-startup.js";
import { benchWebhookAck } from "./webhook-ack.js";

/**
 * `npm run bench [ack|pipeline|scale-out|sandbox|knowledge]`: runs the benchmarks, prints
 * tables, writes bench/results/*.json (`pipeline` includes the scale-out figure; `scale-out`
 * runs it alone).
 */
const which = process.argv[2];
// Measure what production runs: the compiled app (BENCH_SOURCE=1 measures the tsx sources).
if (COMPILED) execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
const redis = await findOrStartRedis();
const machine = {
  cpus: cpus().length,
  cpu_model: cpus()[0]?.model,
  memory_gb: Math.round(totalmem() / 1024 ** 3),
  node: process.version,
  at: new Date().toISOString(),
};
await mkdir(new URL("./results/", import.meta.url), { recursive: true });
try {
  if (!which || which === "ack") {
    const result = await benchWebhookAck(redis.url);
    await writeFile(new URL("./results/webhook-ack.json", import.meta.url), `${JSON.stringify({ machine, ...result }, null, 2)}\n`);
  }
  if (!which || which === "pipeline") {
    const result = await benchPipeline(redis.url);
    await writeFile(new URL("./results/pipeline.json", import.meta.url), `${JSON.stringify({ machine, ...result }, null, 2)}\n`);
  }
  if (which === "scale-out") {
    const result = await benchScaleOut(redis.url);
    await writeFile(new URL("./results/scale-out.json", import.meta.url), `${JSON.stringify({ machine, ...result }, null, 2)}\n`);
  }
  if (!which || which === "sandbox") {
    const result = await benchSandboxStartup();
    await writeFile(new URL("./results/sandbox-startup.json", import.meta.url), `${JSON.stringify({ machine, ...result }, null, 2)}\n`);
  }
  if (!which || which === "knowledge") {
    const result = await benchKnowledgeIndex(redis.url);
    await writeFile(new URL("./results/knowledge-index.json", import.meta.url), `${JSON.stringify({ machine, ...result }, null, 2)}\n`);
  }
} finally {
  await redis.stop();
}
