/** Durations in config and env: `250ms`, `5s`, `10m`, `2h`. A bare number is milliseconds. */
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

export function isDuration(text: string): boolean {
  return DURATION.test(text.trim());
}

/** Parses a duration; throws with the offending text when it is not one. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration (use 250ms, 5s, 10m or 2h)`);
  const unit = (match[2] ?? "ms") as keyof typeof UNIT_MS;
  return Math.round(Number(match[1]) * UNIT_MS[unit]);
}
