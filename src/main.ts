import { pino } from "pino";
import { Server } from "probot";
import { receiveDelivery } from "./app.js";
import { appCredentials, createRuntime } from "./create-runtime.js";
import { readEnv } from "./env.js";
import { createAdminSurface, listenAdmin } from "./observe/admin-surface.js";
import { healthHandler } from "./observe/http-handlers.js";
import { serveWebhooks } from "./observe/webhook-endpoint.js";
import { scheduleReconciler } from "./pipeline/reconcile/process-reconcile.js";
import { startWorkers, type Workers } from "./pipeline/start-workers.js";
import { readEvictionPolicy } from "./redis.js";

/**
 * `npm start`: one code base, three roles (BATON_ROLE): `server` takes webhooks, `worker`
 * runs jobs, `all` (default) does both. Many processes share one Redis to scale out.
 * 1. Read and check the environment (no WEBHOOK_SECRET: refuse to start).
 * 2. Connect Redis; warn when its eviction policy can lose jobs.
 * 3. Build the runtime (queues, events, per-installation auth).
 * 4. Start the webhook server and/or the workers; stop gracefully on SIGTERM/SIGINT.
 */
async function main(): Promise<void> {
  const env = readEnv(process.env);
  const log = pino({ level: env.LOG_LEVEL ?? "info", name: "baton" });
  if (!env.WEBHOOK_SECRET) {
    log.fatal('WEBHOOK_SECRET is not set: Baton refuses to start (Probot would fall back to the public secret "development").');
    process.exit(1);
  }
  const app = appCredentials(process.env);
  if (!app) {
    log.fatal("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) are required: see README, 'Register the app'.");
    process.exit(1);
  }

  if (env.BATON_SANDBOX === "off")
    log.warn(
      "BATON_SANDBOX=off: agent CLIs and pre-flight commands run WITHOUT the OS sandbox, as Baton's own user, able to read its secrets and reach any host. Unsafe wherever outsiders open issues (docs/security.md).",
    );

  // Named, so an operator (and the tests) can tell Baton's connections apart in CLIENT LIST.
  const rt = createRuntime({ processEnv: process.env, log, app, connectionName: `baton:${env.BATON_REDIS_PREFIX}` });
  const { redis, Probot: ProbotWithDefaults } = rt;
  const policy = await readEvictionPolicy(redis);
  if (policy && policy !== "noeviction") {
    log.warn({ policy }, "Redis maxmemory-policy is not noeviction: BullMQ can lose jobs. Set `maxmemory-policy noeviction`.");
  }

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
      host: env.HOST,
      port: env.PORT,
      webhookPath: env.WEBHOOK_PATH,
      log: log.child({ name: "server" }),
      enableStaticFiles: false,
    });
    await server.load((_app, options) => {
      options.addHandler(healthHandler(rt));
      if (!ownAdminPort) options.addHandler(admin.handle);
    });
    // Deliveries are taken in front of Probot's listeners, which serve the rest of the port.
    serveWebhooks(await server.start(), {
      path: env.WEBHOOK_PATH,
      maxBytes: env.BATON_MAX_WEBHOOK_BYTES,
      secret: env.WEBHOOK_SECRET,
      receive: receiveDelivery(rt),
      log: log.child({ name: "webhooks" }),
    });
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
    await rt.close();
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
