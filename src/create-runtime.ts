import { getPrivateKey } from "@probot/get-private-key";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { Probot } from "probot";
import { readEnv, type BatonEnv } from "./env.js";
import { appIdentityOf, type AppIdentity } from "./github/app-identity.js";
import { createOctokitClass, defaultLimits, type PacingOptions } from "./github/create-octokit-class.js";
import { createRedactor, type Redact } from "./github/redact-secrets.js";
import { EventLog } from "./observe/events.js";
import { createMetrics, type Metrics } from "./observe/metrics.js";
import { openQueues } from "./pipeline/queues.js";
import { createRedis } from "./redis.js";
import { keys, type Runtime } from "./runtime.js";

/** The app's credentials: what Probot signs its JWT with. */
export interface AppCredentials {
  appId: string | number;
  privateKey: string;
}

/** APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) of an environment, when both are set. */
export function appCredentials(processEnv: NodeJS.ProcessEnv): AppCredentials | undefined {
  const privateKey = getPrivateKey({ env: processEnv });
  return processEnv.APP_ID && privateKey ? { appId: processEnv.APP_ID, privateKey } : undefined;
}

/**
 * Probot with Baton's defaults: the app's credentials, GitHub's URL, and an Octokit that
 * paces, retries, counts (into `metrics`) and redacts (with `redact`) every request.
 */
export function createProbotClass(
  options: Pick<RuntimeOptions, "log" | "app" | "baseUrl" | "pacing"> & { env: BatonEnv; metrics: Metrics; redact: Redact; redis?: Redis },
): typeof Probot {
  const { env } = options;
  // REDIS_URL is Baton's queue store; it is deliberately not passed to Probot, whose
  // throttle cluster would try to download ioredis at run time. Baton paces writes per
  // installation in its own Redis instead (request-limits.ts).
  return Probot.defaults({
    appId: options.app.appId,
    privateKey: options.app.privateKey,
    secret: env.WEBHOOK_SECRET,
    baseUrl: options.baseUrl ?? (env.GHE_HOST ? `${env.GHE_PROTOCOL}://${env.GHE_HOST}/api/v3` : undefined),
    log: options.log.child({ name: "probot" }),
    Octokit: createOctokitClass({
      ...defaultLimits(env),
      retryBaseMs: env.BATON_GITHUB_RETRY_BASE,
      ...options.pacing,
      metrics: options.metrics,
      redact: options.redact,
      slots: options.redis && { redis: options.redis, key: (installation) => keys.writePace({ prefix: env.BATON_REDIS_PREFIX }, installation) },
    }),
  });
}

/** What differs between the places that build a runtime (server, CLI, tests). */
export interface RuntimeOptions {
  /** The environment at the edge: Baton's settings are parsed from it once, agents' secrets read from it by name. */
  processEnv: NodeJS.ProcessEnv;
  log: Logger;
  app: AppCredentials;
  /** GitHub's REST base URL; default: GHE_HOST's, else github.com. */
  baseUrl?: string;
  /** How GitHub requests are paced and retried; default: from the environment. */
  pacing?: Partial<Omit<PacingOptions, "metrics" | "redact" | "slots">>;
  /** The app's identity when it is known beforehand (tests, the sandbox); else read once from GitHub. */
  appIdentity?: AppIdentity;
  /** How the Redis connection shows in CLIENT LIST. */
  connectionName?: string;
}

/**
 * The one way a process assembles its Runtime (docs/architecture.md §3): settings, Redis,
 * queues, the event log, the metrics registry, and a Probot whose Octokits count and
 * redact every request. `close()` releases the queues and the connection.
 */
export function createRuntime(options: RuntimeOptions): Runtime & { Probot: typeof Probot; probot: Probot; close(): Promise<void> } {
  const { processEnv, log } = options;
  const env = readEnv(processEnv);
  const prefix = env.BATON_REDIS_PREFIX;
  const redis = createRedis(env.REDIS_URL, options.connectionName ? { connectionName: options.connectionName } : {});
  const metrics = createMetrics();
  const redact = createRedactor(processEnv);
  const queues = openQueues(redis, prefix);
  const ProbotWithDefaults = createProbotClass({ ...options, env, metrics, redact, redis });
  const probot = new ProbotWithDefaults();
  const known = options.appIdentity;
  const appIdentity = known ? async () => known : appIdentityOf(() => probot.auth());
  metrics.watchQueues(queues.all);
  return {
    env,
    processEnv,
    redis,
    prefix,
    queues,
    events: new EventLog(redis, keys.events({ prefix }), log.child({ name: "events" }), redact),
    metrics,
    log,
    auth: (installationId) => probot.auth(installationId),
    appIdentity,
    botLogin: async () => (await appIdentity()).botLogin,
    Probot: ProbotWithDefaults,
    probot,
    close: async () => {
      await queues.close();
      await redis.quit();
    },
  };
}
