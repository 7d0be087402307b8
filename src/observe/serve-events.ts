import type { IncomingMessage, ServerResponse } from "node:http";
import type { Redis } from "ioredis";
import type { BatonEvent } from "./events.js";
import { parseStreamEntries, type EventFanout, type StreamEntry } from "./event-fanout.js";

export { parseStreamEntries } from "./event-fanout.js";

export interface EventFilter {
  repo?: string;
  issue?: number;
}

/** The most a reconnecting client (`Last-Event-ID`, `?since=`) is replayed: the newest ones. */
export const REPLAY_MAX = 500;

export function matches(event: BatonEvent, filter: EventFilter): boolean {
  return (!filter.repo || event.repo === filter.repo) && (filter.issue === undefined || event.issue === filter.issue);
}

/**
 * `GET /baton/events?repo=o/r&issue=N`: Server-Sent Events from the Redis Stream, live.
 * Each event's SSE id is its stream id, so a client that reconnects with `Last-Event-ID` (or
 * `?since=<id>`) resumes where it stopped, up to the newest REPLAY_MAX events. Live events
 * come from the process's one shared reader; past the client cap the answer is 503.
 * 1. Join the fan-out (live events wait in a buffer meanwhile).
 * 2. Replay what the client missed, read once from the command connection.
 * 3. Flush the buffer past the replay, then write live events as they come.
 */
export async function serveEvents(req: IncomingMessage, res: ServerResponse, redis: Redis, streamKey: string, fanout: EventFanout): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const issue = url.searchParams.get("issue");
  const filter: EventFilter = { repo: url.searchParams.get("repo") ?? undefined, issue: issue ? Number(issue) : undefined };
  const since = (req.headers["last-event-id"] as string | undefined) ?? url.searchParams.get("since") ?? undefined;

  let last = "0-0";
  let buffered: StreamEntry[] | undefined = [];
  const write = (entries: StreamEntry[]) => {
    for (const { id, event } of entries) {
      if (compareIds(id, last) <= 0) continue;
      last = id;
      if (matches(event, filter)) res.write(`id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    }
  };
  const listener = {
    onEntries: (entries: StreamEntry[]) => (buffered ? buffered.push(...entries) : write(entries)),
    onQuiet: () => void res.write(": keep-alive\n\n"),
    onClose: () => void res.end(),
  };
  // Registered before joining, so a client gone while we wait for Redis frees its place.
  res.on("close", () => fanout.leave(listener));
  if (!(await fanout.join(listener))) {
    res
      .writeHead(503, { "content-type": "application/json", "retry-after": "30" })
      .end(JSON.stringify({ error: `at most ${fanout.maxListeners} event streams at once` }));
    return;
  }
  if (res.closed) return fanout.leave(listener);
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  res.write(": baton events\n\n");
  if (since && /^\d+(-\d+)?$/.test(since)) {
    try {
      const missed = (await redis.xrevrange(streamKey, "+", `(${since}`, "COUNT", REPLAY_MAX)) as [string, string[]][];
      write(parseStreamEntries(missed.reverse()));
    } catch {
      // Headers are out: end the stream, and the client's reconnect (same Last-Event-ID) retries.
      fanout.leave(listener);
      res.end();
      return;
    }
  }
  const pending = buffered;
  buffered = undefined;
  write(pending);
}

/** Orders two stream ids (`ms-seq`). */
function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am - bm || as - bs;
}
