/**
 * The few error classes Baton uses. A permanent error blocks the issue with its message
 * (the message is shown to the user, so it says what to do); anything else is transient
 * and retried with backoff until the stage's `max_attempts`, then blocks.
 */

/** A failure that another attempt cannot fix: blocks the issue at once. */
export class PermanentError extends Error {
  override name = "PermanentError";
  /** What a person can do to resume, shown under the reason. */
  readonly hint: string | undefined;
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.hint = options?.hint;
  }
}

/** The agent's answer could not be used (garbage, wrong shape, even after one repair). */
export class AgentOutputError extends PermanentError {
  override name = "AgentOutputError";
  constructor(
    message: string,
    readonly output: string,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Not a failure: the stage waits for something outside Baton (a PR's checks) and its job is
 * put back as delayed until `until` (or woken sooner by the event it waits for), holding no
 * worker. `since` is when the wait began; its timeout counts from there.
 */
export class StageWait extends Error {
  override name = "StageWait";
  /** When the awaited state was last read: an event after it wakes the run. */
  readonly checkedAt = Date.now();
  constructor(
    readonly until: number,
    readonly since: number,
    message = "waiting",
  ) {
    super(message);
  }
}

/** A failure worth retrying: network, 5xx, rate limit, agent timeout. */
export class TransientError extends Error {
  override name = "TransientError";
}

export function isPermanent(error: unknown): error is PermanentError {
  return error instanceof PermanentError;
}

/** The message of anything thrown, for logs and comments. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
