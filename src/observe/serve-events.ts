import type { IncomingMessage, ServerResponse } from "node:http";
import type { Redis } from "ioredis";
import type { BatonEvent } from "./events.js";

export interface EventFilter {
  repo?: string;
  issue?: number;
}

/** Parses `[id, ["event", json]]` stream entries into events, dropping unreadable ones. */
export function parseStreamEntries(entries: [string, string[]][]): { id: string; event: BatonEvent }[] {
  const out: { id: string; event: BatonEvent }[] = [];
  for (const [id, fields] of entries) {
    const json = fields[fields.indexOf("event") + 1];
    try {
      if (json) out.push({ id, event: JSON.parse(json) as BatonEvent });
    } catch {
      // A foreign or truncated entry: skip it rather than end the stream.
    }
  }
  return out;
}

export function matches(event: BatonEvent, filter: EventFilter): boolean {
  return (!filter.repo || event.repo === filter.repo) && (filter.issue === undefined || event.issue === filter.issue);
}

/**
 * `GET /baton/events?repo=o/r&issue=N`: Server-Sent Events from the Redis Stream, live.
 * Each event's SSE id is its stream id, so a client that reconnects with `Last-Event-ID`
 * resumes exactly where it stopped. One blocking Redis connection per client.
 */
export async function serveEvents(req: IncomingMessage, res: ServerResponse, redis: Redis, streamKey: string): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const issue = url.searchParams.get("issue");
  const filter: EventFilter = { repo: url.searchParams.get("repo") ?? undefined, issue: issue ? Number(issue) : undefined };
  let cursor = (req.headers["last-event-id"] as string | undefined) ?? url.searchParams.get("since") ?? "$";
  const reader = redis.duplicate();
  let open = true;
  req.on("close", () => {
    open = false;
    reader.disconnect();
  });
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  res.write(": baton events\n\n");
  while (open) {
    try {
      const reply = (await reader.xread("COUNT", 100, "BLOCK", 15_000, "STREAMS", streamKey, cursor)) as [string, [string, string[]][]][] | null;
      if (!reply) {
        res.write(": keep-alive\n\n");
        continue;
      }
      for (const { id, event } of parseStreamEntries(reply[0]?.[1] ?? [])) {
        cursor = id;
        if (matches(event, filter)) res.write(`id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      }
    } catch {
      break;
    }
  }
  res.end();
}
