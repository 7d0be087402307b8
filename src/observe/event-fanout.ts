import type { Redis } from "ioredis";
import type { BatonEvent } from "./events.js";

/** One stream entry as a listener receives it. */
export interface StreamEntry {
  id: string;
  event: BatonEvent;
}

/** A subscriber of the fan-out: gets every new entry, and a tick when the stream is quiet. */
export interface FanoutListener {
  onEntries(entries: StreamEntry[]): void;
  onQuiet(): void;
  /** The process is stopping: end the response. */
  onClose(): void;
}

/** How long one XREAD blocks: also the keep-alive period of every SSE client. */
const BLOCK_MS = 15_000;

/** Parses `[id, ["event", json]]` stream entries into events, dropping unreadable ones. */
export function parseStreamEntries(entries: [string, string[]][]): StreamEntry[] {
  const out: StreamEntry[] = [];
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

/**
 * One blocking Redis reader for every live-event client of this process: a loop of
 * `XREAD BLOCK` that hands each batch to all listeners. Redis connections stay at one
 * however many dashboards and `curl`s follow the stream (one each would let anyone who can
 * open sockets exhaust Redis's connection limit). The loop runs only while someone listens.
 */
export class EventFanout {
  private readonly listeners = new Set<FanoutListener>();
  private reader: Redis | undefined;
  private cursor = "$";
  private starting: Promise<void> | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly streamKey: string,
    readonly maxListeners: number,
  ) {}

  get size(): number {
    return this.listeners.size;
  }

  /**
   * Adds a listener; false when the cap is reached. Resolves once the loop reads from the
   * current end of the stream, so anything emitted after this returns reaches the listener.
   */
  async join(listener: FanoutListener): Promise<boolean> {
    if (this.closed || this.listeners.size >= this.maxListeners) return false;
    this.listeners.add(listener);
    this.starting ??= this.begin().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    try {
      await this.starting;
    } catch (error) {
      this.listeners.delete(listener);
      throw error;
    }
    return true;
  }

  /** Starts reading from the stream's current end. */
  private async begin(): Promise<void> {
    const [last] = (await this.redis.xrevrange(this.streamKey, "+", "-", "COUNT", 1)) as [string, string[]][];
    this.cursor = last?.[0] ?? "0-0";
    this.start();
  }

  private start(): void {
    this.running = this.loop().finally(() => {
      this.running = undefined;
      // Someone joined between the loop's last check and its end: keep reading for them.
      if (this.listeners.size > 0 && !this.closed) this.start();
      else this.starting = undefined;
    });
  }

  leave(listener: FanoutListener): void {
    this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const listener of this.listeners) listener.onClose();
    this.listeners.clear();
    this.reader?.disconnect();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { connectionName } = this.redis.options;
    this.reader ??= this.redis.duplicate({ connectionName: connectionName ? `${connectionName}:events` : undefined });
    while (this.listeners.size > 0 && !this.closed) {
      let reply: [string, [string, string[]][]][] | null;
      try {
        reply = (await this.reader.xread("COUNT", 100, "BLOCK", BLOCK_MS, "STREAMS", this.streamKey, this.cursor)) as typeof reply;
      } catch {
        if (this.closed) return;
        // Redis went away: ioredis reconnects; wait a moment rather than spin.
        await new Promise((r) => setTimeout(r, 1000).unref());
        continue;
      }
      const entries = parseStreamEntries(reply?.[0]?.[1] ?? []);
      const newest = reply?.[0]?.[1].at(-1)?.[0];
      if (newest) this.cursor = newest;
      for (const listener of this.listeners) {
        if (entries.length) listener.onEntries(entries);
        else if (!reply) listener.onQuiet();
      }
    }
  }
}
