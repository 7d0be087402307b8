import type { Command } from "commander";
import type { BatonEvent } from "../../observe/events.js";
import { matches, parseStreamEntries } from "../../observe/serve-events.js";
import { createRedis } from "../../redis.js";
import { keys } from "../../runtime.js";
import { cliEnv } from "../connect.js";

function print(event: BatonEvent, json: boolean): void {
  if (json) return console.log(JSON.stringify(event));
  const extra = Object.entries(event)
    .filter(([k]) => !["type", "ts", "at", "repo", "issue", "stage", "run_id"].includes(k))
    .map(([k, v]) => `${k}=${typeof v === "string" ? v.slice(0, 80) : JSON.stringify(v)}`)
    .join(" ");
  console.log(`${event.at}  ${event.repo}#${event.issue}  ${(event.stage ?? "").padEnd(10)} ${event.type.padEnd(19)} ${extra}`);
}

/** `baton events [--follow]`: the event stream from Redis, optionally live. */
export function registerEvents(program: Command): void {
  program
    .command("events")
    .description("print Baton's events from Redis (the same stream /baton/events serves)")
    .option("--follow", "keep printing new events until interrupted")
    .option("--repo <owner/name>", "only this repository")
    .option("--issue <number>", "only this issue", Number)
    .option("--limit <n>", "how many past events to print", Number, 50)
    .option("--json", "one JSON object per line (NDJSON)")
    .action(async (options: { follow?: boolean; repo?: string; issue?: number; limit: number; json?: boolean }) => {
      const env = cliEnv();
      const redis = createRedis(env.REDIS_URL);
      const stream = keys.events({ prefix: env.BATON_REDIS_PREFIX });
      const filter = { repo: options.repo, issue: options.issue };
      try {
        const past = (await redis.xrevrange(stream, "+", "-", "COUNT", options.limit)) as [string, string[]][];
        let cursor = past[0]?.[0] ?? "$";
        for (const { event } of parseStreamEntries(past.reverse())) if (matches(event, filter)) print(event, Boolean(options.json));
        let stopped = false;
        process.once("SIGINT", () => (stopped = true));
        while (options.follow && !stopped) {
          const reply = (await redis.xread("BLOCK", 1000, "STREAMS", stream, cursor)) as [string, [string, string[]][]][] | null;
          for (const { id, event } of parseStreamEntries(reply?.[0]?.[1] ?? [])) {
            cursor = id;
            if (matches(event, filter)) print(event, Boolean(options.json));
          }
        }
      } finally {
        redis.disconnect();
      }
    });
}
