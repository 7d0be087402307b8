import { randomUUID } from "node:crypto";
import MiniSearch from "minisearch";
import { pino } from "pino";
import { loadKnowledge, type KnowledgeDoc } from "../src/knowledge/knowledge-index.js";
import { words } from "../src/knowledge/words.js";
import { createRedis } from "../src/redis.js";
import { keys, type Runtime } from "../src/runtime.js";
import type { GitHub } from "../src/github/types.js";
import { percentile, printTable, round } from "./stats.js";

const ENTRIES = 2000;
const RUNS = 15;

/** A repository after some 700 merged issues: lessons of a line, specs of a few kilobytes. */
function entries(): KnowledgeDoc[] {
  return Array.from({ length: ENTRIES }, (_, i) => ({
    id: String(i),
    kind: i % 3 ? "lesson" : "spec",
    issue: i,
    url: `https://github.com/o/r/issues/${i}#issuecomment-${i}`,
    text: `worked: the change to src/module${i % 50}.ts passed review after fixing the tests for feature ${i} and its error handling. `.repeat(i % 3 ? 1 : 20),
    areas: `src/module${i % 50}.ts tests`,
  }));
}

async function median(fn: () => Promise<unknown>): Promise<{ median_ms: number; p90_ms: number }> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const began = performance.now();
    await fn();
    if (i >= 2) samples.push(performance.now() - began);
  }
  return { median_ms: round(percentile(samples, 50)), p90_ms: round(percentile(samples, 90)) };
}

/**
 * What a stage pays to load a repository's knowledge index from Redis: the older single
 * serialised MiniSearch index (GET + loadJSON, whose updates lost entries), the hash of
 * entries built into an index (a process's first load, or the first after a write), and
 * the hash with the index this process already built at that version (one HMGET).
 */
export async function benchKnowledgeIndex(redisUrl: string) {
  const redis = createRedis(redisUrl);
  const prefix = `baton-bench-${randomUUID().slice(0, 8)}`;
  const rt = { redis, prefix, log: pino({ level: "silent" }), appIdentity: async () => ({ id: 0, botLogin: "" }) } as unknown as Runtime;
  const ref = { repoId: 1, owner: "o", repo: "r" };
  const key = keys.knowledge(rt, ref.repoId);
  const docs = entries();
  try {
    const options = {
      fields: ["text", "areas"],
      storeFields: ["kind", "issue", "url", "text", "areas"],
      tokenize: words,
      searchOptions: { boost: { areas: 2 }, tokenize: words },
    };
    const serialised = new MiniSearch<KnowledgeDoc>(options);
    serialised.addAll(docs);
    await redis.set(`${prefix}:serialised`, JSON.stringify(serialised));
    await redis.hset(key, ...docs.flatMap((d) => [d.id, JSON.stringify(d)]), "_complete", "bench", "_version", "1");
    const github = {} as GitHub; // never called: the index is complete in Redis
    const query = "module7 review tests";
    const old = await median(async () => MiniSearch.loadJSON<KnowledgeDoc>((await redis.get(`${prefix}:serialised`)) ?? "", options).search(query));
    const cold = await median(async () => {
      await redis.hset(key, "_version", randomUUID()); // as a merge's write does
      (await loadKnowledge(rt, github, ref)).index.find(query, { limit: 3 });
    });
    const warm = await median(async () => (await loadKnowledge(rt, github, ref)).index.find(query, { limit: 3 }));
    const rows = [
      { storage: "one serialised index (before)", ...old, ratio: 1 },
      { storage: "hash, index built (after a write)", ...cold, ratio: round(cold.median_ms / old.median_ms) },
      { storage: "hash, index built by this process", ...warm, ratio: round(warm.median_ms / old.median_ms) },
    ];
    console.log(`\nKnowledge index: load and search ${ENTRIES} entries, medians of ${RUNS}`);
    printTable(rows);
    return { entries: ENTRIES, runs: RUNS, rows };
  } finally {
    const found = await redis.keys(`${prefix}:*`);
    if (found.length) await redis.del(...found);
    await redis.quit();
  }
}
