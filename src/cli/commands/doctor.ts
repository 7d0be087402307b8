import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import { BACKENDS } from "../../agents/registry.js";
import { parseConfigText } from "../../config/parse-config.js";
import type { Pipeline } from "../../config/resolve-pipeline.js";
import type { AgentRef } from "../../config/schema.js";
import { createRedis, readEvictionPolicy } from "../../redis.js";
import { describeSandbox } from "../../sandbox/describe-sandbox.js";
import { cliEnv, cliProcessEnv, connectGitHub } from "../connect.js";

type Check = { name: string; ok: boolean; detail: string; mark?: string };

/** The agents a config names: every stage's, the default, and the routing table's backends. */
function agentsNamedIn(pipeline: Pipeline): AgentRef[] {
  const { defaults, routing } = pipeline.config;
  const refs = [defaults.agent, ...pipeline.stages.map((s) => s.agent)].filter((r): r is AgentRef => Boolean(r));
  const names = [...Object.values(routing.kinds ?? {}), routing.fallback, routing.governance?.backend].filter((b): b is string => Boolean(b));
  return [...refs, ...names.map((backend) => ({ backend }))];
}

/**
 * `baton doctor`: Redis, GitHub credentials, the OS sandbox, and every agent backend's health. Backends in
 * use (BATON_DEFAULT_BACKEND, or named by `--config`) must be healthy; the others are shown
 * for information. Exit 1 if anything required fails.
 */
export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("check Redis, the GitHub App credentials and each agent backend (exit 0 all healthy, 1 otherwise)")
    .option("--config <file>", "also require the backends this .github/baton.yml names to be healthy")
    .action(async (options: { config?: string }) => {
      const server = { env: cliEnv(), processEnv: cliProcessEnv() };
      const { env } = server;
      const checks: Check[] = [];
      const redis = createRedis(env.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
      try {
        await redis.ping();
        const policy = await readEvictionPolicy(redis);
        checks.push({
          name: "redis",
          ok: !policy || policy === "noeviction",
          detail: `${env.REDIS_URL} answers; maxmemory-policy ${policy ?? "unknown"}${policy && policy !== "noeviction" ? " (set noeviction: BullMQ can lose jobs)" : ""}`,
        });
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
      checks.push({ name: "sandbox", ...(await describeSandbox(env, server.processEnv.PATH)) });
      checks.push({
        name: "webhook secret",
        ok: Boolean(env.WEBHOOK_SECRET),
        detail: env.WEBHOOK_SECRET ? "set" : "WEBHOOK_SECRET is not set: the app will refuse to start",
      });
      const required = new Map<string, AgentRef>();
      if (env.BATON_DEFAULT_BACKEND) required.set(env.BATON_DEFAULT_BACKEND, { backend: env.BATON_DEFAULT_BACKEND });
      if (options.config) {
        const result = parseConfigText(await readFile(options.config, "utf8"), env);
        if (!result.ok) checks.push({ name: "config", ok: false, detail: `${options.config} is invalid (run \`baton validate ${options.config}\`)` });
        else for (const ref of agentsNamedIn(result.pipeline)) if (!required.has(ref.backend)) required.set(ref.backend, ref);
      }
      for (const [name, backend] of BACKENDS) {
        const ref = required.get(name) ?? { backend: name };
        const health = await backend.health(ref, server).catch((error: unknown) => ({ ok: false, detail: (error as Error).message }));
        const inUse = required.has(name);
        checks.push({
          name: `agent ${name}`,
          ok: health.ok || !inUse,
          mark: health.ok ? "✓" : inUse ? "✗" : "·",
          detail: `${health.detail}${name === env.BATON_DEFAULT_BACKEND ? " (BATON_DEFAULT_BACKEND)" : inUse ? " (named by the config)" : health.ok ? "" : " (not in use)"}`,
        });
      }
      for (const c of checks) console.log(`${c.mark ?? (c.ok ? "✓" : "✗")} ${c.name.padEnd(16)} ${c.detail}`);
      process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
    });
}
