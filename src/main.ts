import { getPrivateKey } from "@probot/get-private-key";
import { pino } from "pino";
import { Probot, Server } from "probot";
import { receiveDelivery } from "./app.js";
import { appIdentityOf } from "./github/app-identity.js";
import { readEnv } from "./env.js";
import { createOctokitClass, defaultPaceMs } from "./github/create-octokit-class.js";
import { EventLog } from "./observe/events.js";
import { createAdminSurface, listenAdmin } from "./observe/admin-surface.js";
import { healthHandler } from "./observe/http-handlers.js";
import { registerQueueGauge } from "./observe/metrics.js";
import { serveWebhooks } from "./observe/webhook-endpoint.js";
import { openQueues } from "./pipeline/queues.js";
import { scheduleReconciler } from "./pipeline/reconcile/process-reconcile.js";
import { startWorkers, type Workers } from "./pipeline/start-workers.js";
import { createRedis, readEvictionPolicy } from "./redis.js";
import { keys, type Runtime } from "./runtime.js";

/**
 * `npm start`: one code base, three roles (BATON_ROLE): `server` takes webhooks, `worker`
 * runs jobs, `all` (default) does both. Many processes share one Redis to scale out.
 * 1. Read and check the environment (no WEBHOOK_SECRET: refuse to start).
 * 2. Connect Redis; warn when its eviction policy can lose jobs.
 * 3. Build the runtime (queues, events, per-installation auth).
 * 4. Start the webhook server and/or the workers; stop gracefully on SIGTERM/SIGINT.
 */
async function main(): Promise<void> {
  const env = readEnv();
  const log = pino({ level: process.env.LOG_LEVEL ?? "info", name: "baton" });
  if (!env.WEBHOOK_SECRET) {
    log.fatal("WEBHOOK_SECRET is not set: Baton refuses to start (Probot would fall back to the public secret \"development\").");
    process.exit(1);
  }
  const privateKey = getPrivateKey();
  if (!process.env.APP_ID || !privateKey) {
    log.fatal("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) are required: see README, 'Register the app'.");
    process.exit(1);
  }

  if (env.BATON_SANDBOX === "off") log.warn("BATON_SANDBOX=off: agent CLIs and pre-flight commands run WITHOUT the OS sandbox, as Baton's own user, able to read its secrets and reach any host. Unsafe wherever outsiders open issues (docs/security.md).");

  // Named, so an operator (and the tests) can tell Baton's connections apart in CLIENT LIST.
  const redis = createRedis(env.REDIS_URL, { connectionName: `baton:${env.BATON_REDIS_PREFIX}` });
  const policy = await readEvictionPolicy(redis);
  if (policy && policy !== "noeviction") {
    log.warn({ policy }, "Redis maxmemory-policy is not noeviction: BullMQ can lose jobs. Set `maxmemory-policy noeviction`.");
  }

  // REDIS_URL is Baton's queue store; it is deliberately not passed to Probot, whose
  // throttle cluster would try to download ioredis at run time. Pacing is per process and
  // per installation instead (see create-octokit-class.ts).
  const ProbotWithDefaults = Probot.defaults({
    appId: process.env.APP_ID,
    privateKey,
    secret: env.WEBHOOK_SECRET,
    baseUrl: env.GHE_HOST ? `${env.GHE_PROTOCOL}://${env.GHE_HOST}/api/v3` : undefined,
    log: log.child({ name: "probot" }),
    Octokit: createOctokitClass({ paceMs: defaultPaceMs(env), retryBaseMs: env.BATON_GITHUB_RETRY_BASE }),
  });
  const probot = new ProbotWithDefaults();
  const appIdentity = appIdentityOf(() => probot.auth());
  const rt: Runtime = {
    env,
    redis,
    prefix: env.BATON_REDIS_PREFIX,
    queues: openQueues(redis, env.BATON_REDIS_PREFIX),
    events: new EventLog(redis, keys.events({ prefix: env.BATON_REDIS_PREFIX }), log.child({ name: "events" })),
    log,
    auth: (installationId) => probot.auth(installationId),
    appIdentity,
    botLogin: async () => (await appIdentity()).botLogin,
  };

  registerQueueGauge(rt.queues.all);

  // The admin routes live on their own listener when BATON_ADMIN_PORT is set (any role, so
  // workers' metrics can be scraped too), else on the webhook port behind BATON_ADMIN_TOKEN.
  const ownAdminPort = env.BATON_ADMIN_PORT !== undefined;
  const admin = createAdminSurface(rt, {
    token: env.BATON_ADMIN_TOKEN,
    dashboard: { user: env.BATON_DASHBOARD_USER, password: env.BATON_DASHBOARD_PASSWORD },
    open: ownAdminPort && !env.BATON_ADMIN_TOKEN,
    maxClients: env.BATON_SSE_MAX_CLIENTS,
  });
  const adminServer = env.BATON_ADMIN_PORT !== undefined ? await listenAdmin(admin.handle, env.BATON_ADMIN_HOST, env.BATON_ADMIN_PORT) : undefined;

  let server: Server | undefined;
  if (env.BATON_ROLE !== "worker") {
    server = new Server({
      Probot: ProbotWithDefaults,
      host: process.env.HOST ?? "localhost",
      port: Number(process.env.PORT ?? 3000),
      webhookPath: process.env.WEBHOOK_PATH,
      log: log.child({ name: "server" }),
      enableStaticFiles: false,
    });
    await server.load((_app, options) => {
      options.addHandler(healthHandler(rt));
      if (!ownAdminPort) options.addHandler(admin.handle);
    });
    // Deliveries are taken in front of Probot's listeners, which serve the rest of the port.
    serveWebhooks(await server.start(), { path: process.env.WEBHOOK_PATH, maxBytes: env.BATON_MAX_WEBHOOK_BYTES, secret: env.WEBHOOK_SECRET, receive: receiveDelivery(rt), log: log.child({ name: "webhooks" }) });
  }
  let workers: Workers | undefined;
  if (env.BATON_ROLE !== "server") {
    workers = startWorkers(rt);
    await scheduleReconciler(rt);
  }
  log.info({ role: env.BATON_ROLE, prefix: rt.prefix }, "Baton started");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: no new jobs; finishing or handing back the jobs in hand");
    await admin.close(); // ends live-event streams, which would hold the servers open
    adminServer?.close();
    await server?.stop();
    await workers?.close(env.BATON_SHUTDOWN_GRACE);
    await rt.queues.close();
    await redis.quit();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  console.error("Baton failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
