import type { Command } from "commander";
import { BACKENDS } from "../../agents/registry.js";
import { readEnv } from "../../env.js";
import { createRedis, readEvictionPolicy } from "../../redis.js";
import { connectGitHub } from "../connect.js";

type Check = { name: string; ok: boolean; detail: string };

/** `baton doctor`: Redis, GitHub credentials, and every agent backend's health. Exit 1 if any fails. */
export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("check Redis, the GitHub App credentials and each agent backend (exit 0 all healthy, 1 otherwise)")
    .action(async () => {
      const env = readEnv();
      const checks: Check[] = [];
      const redis = createRedis(env.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
      try {
        await redis.ping();
        const policy = await readEvictionPolicy(redis);
        checks.push({ name: "redis", ok: !policy || policy === "noeviction", detail: `${env.REDIS_URL} answers; maxmemory-policy ${policy ?? "unknown"}${policy && policy !== "noeviction" ? " (set noeviction: BullMQ can lose jobs)" : ""}` });
      } catch (error) {
        checks.push({ name: "redis", ok: false, detail: `${env.REDIS_URL}: ${(error as Error).message}` });
      } finally {
        redis.disconnect();
      }
      try {
        const app = await connectGitHub(env).auth();
        const { data } = await app.rest.apps.getAuthenticated();
        checks.push({ name: "github", ok: true, detail: `app "${data?.slug}" (id ${data?.id}) at ${env.GHE_HOST ?? "github.com"}` });
      } catch (error) {
        checks.push({ name: "github", ok: false, detail: (error as Error).message });
      }
      checks.push({ name: "webhook secret", ok: Boolean(env.WEBHOOK_SECRET), detail: env.WEBHOOK_SECRET ? "set" : "WEBHOOK_SECRET is not set: the app will refuse to start" });
      for (const [name, backend] of BACKENDS) {
        const health = await backend.health({ backend: name }).catch((error: unknown) => ({ ok: false, detail: (error as Error).message }));
        checks.push({ name: `agent ${name}`, ok: health.ok, detail: `${health.detail}${name === env.BATON_DEFAULT_BACKEND ? " (BATON_DEFAULT_BACKEND)" : ""}` });
      }
      for (const c of checks) console.log(`${c.ok ? "✓" : "✗"} ${c.name.padEnd(16)} ${c.detail}`);
      process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
    });
}
