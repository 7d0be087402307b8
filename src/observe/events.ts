import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Redact } from "../github/redact-secrets.js";

/** The event types of docs/architecture.md §7, in the order a run emits them. */
export const EVENT_TYPES = [
  "dispatch_requested",
  "worker_started",
  "backend_delegating",
  "dispatch_spawned",
  "agent_output",
  "status_changed",
  "dispatch_failed",
  "dispatch_completed",
  "label_restored",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** What a caller says about an event; the log adds the timestamps. */
export interface EventFields {
  type: EventType;
  run_id?: string;
  /** `owner/repo`. */
  repo: string;
  issue: number;
  stage?: string;
  [field: string]: unknown;
}

export interface BatonEvent extends EventFields {
  /** Milliseconds on a monotonic clock anchored at process start (never goes back). */
  ts: number;
  /** Wall-clock time, for people. */
  at: string;
}

/** How many events the stream keeps (approximately; Redis trims lazily). */
const STREAM_MAX_LEN = 10_000;

/**
 * Emits events to a Redis Stream (for SSE and `baton events`) and to the log. Emitting
 * never fails the caller: an event lost to a Redis blip must not fail a stage. Every event
 * passes the redaction step as the JSON text it is stored as, whatever field a secret hides in.
 */
export class EventLog {
  constructor(
    private readonly redis: Redis,
    readonly streamKey: string,
    private readonly log: Logger,
    private readonly redact: Redact,
  ) {}

  async emit(fields: EventFields): Promise<void> {
    const event: BatonEvent = {
      ...fields,
      ts: Math.round((performance.timeOrigin + performance.now()) * 1000) / 1000,
      at: new Date().toISOString(),
    };
    const json = this.redact(JSON.stringify(event));
    this.log.info({ event: JSON.parse(json) as BatonEvent }, "baton event");
    try {
      await this.redis.xadd(this.streamKey, "MAXLEN", "~", String(STREAM_MAX_LEN), "*", "event", json);
    } catch (error) {
      this.log.warn({ err: error, type: event.type }, "could not store event");
    }
  }
}
