import type { Reply } from "./http.js";

interface Rule {
  remaining: number;
  method?: string;
  path?: RegExp;
  reply: () => Reply;
}

/** A small seeded generator, so a "30% of calls fail" run is the same every time. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const serverError = (status: number): Reply => ({ status, body: { message: "Server Error (sandbox fault injection)" } });

/** Faults for API calls (not git, not the sandbox's own admin routes). */
export class ApiFaults {
  private rules: Rule[] = [];
  private fraction = 0;
  private random = mulberry32(1);
  latencyMs = 0;

  /** Fail the next `count` calls (matching method and path, when given) with `status`. */
  failNext(count: number, options: { status?: number; method?: string; path?: string } = {}): void {
    this.rules.push({
      remaining: count,
      method: options.method,
      path: options.path ? new RegExp(options.path) : undefined,
      reply: () => serverError(options.status ?? 502),
    });
  }

  /** Fail this fraction (0..1) of calls with 502, from a seeded sequence. */
  failFraction(fraction: number, seed = 1): void {
    this.fraction = fraction;
    this.random = mulberry32(seed);
  }

  /** Answer the next `count` calls like GitHub's secondary rate limit (403) or a 429, with `retry-after`. */
  rateLimit(count: number, options: { status?: 403 | 429; retryAfter?: number; method?: string; path?: string } = {}): void {
    const status = options.status ?? 403;
    this.rules.push({
      remaining: count,
      method: options.method,
      path: options.path ? new RegExp(options.path) : undefined,
      reply: () => ({
        status,
        body: {
          message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
          documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        },
        headers: options.retryAfter === undefined ? undefined : { "retry-after": String(options.retryAfter) },
      }),
    });
  }

  /** Answer the next `count` calls as if the primary limit were spent until `resetInSeconds`. */
  exhaustPrimary(count: number, resetInSeconds = 1): void {
    this.rules.push({
      remaining: count,
      reply: () => ({
        status: 403,
        body: { message: "API rate limit exceeded for installation." },
        headers: { "x-ratelimit-remaining": "0", "x-ratelimit-limit": "5000", "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + resetInSeconds) },
      }),
    });
  }

  clear(): void {
    this.rules = [];
    this.fraction = 0;
    this.latencyMs = 0;
  }

  /** The fault for this call, if any (consuming one use of it). */
  check(method: string, path: string): Reply | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && (!r.method || r.method === method) && (!r.path || r.path.test(path)));
    if (rule) {
      rule.remaining--;
      return rule.reply();
    }
    if (this.fraction > 0 && this.random() < this.fraction) return serverError(502);
    return undefined;
  }
}
