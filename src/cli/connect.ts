import { getPrivateKey } from "@probot/get-private-key";
import { pino } from "pino";
import { Probot } from "probot";
import { readEnv, type BatonEnv } from "../env.js";
import { appIdentityOf } from "../github/app-identity.js";
import { createOctokitClass, defaultPaceMs } from "../github/create-octokit-class.js";
import type { GitHub, RepoRef } from "../github/types.js";
import { EventLog } from "../observe/events.js";
import { openQueues } from "../pipeline/queues.js";
import { createRedis } from "../redis.js";
import { keys, type Runtime } from "../runtime.js";

/** A CLI error with an exit code and a message that says what to set. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

/** The app's credentials from the environment (the same variables `npm start` reads). */
export function connectGitHub(env: BatonEnv = readEnv()): Probot {
  const privateKey = getPrivateKey();
  if (!process.env.APP_ID || !privateKey) throw new CliError("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) must be set (see .env.example).");
  return new (Probot.defaults({
    appId: process.env.APP_ID,
    privateKey,
    baseUrl: env.GHE_HOST ? `${env.GHE_PROTOCOL}://${env.GHE_HOST}/api/v3` : undefined,
    log: pino({ level: process.env.LOG_LEVEL ?? "warn" }),
    Octokit: createOctokitClass({ paceMs: defaultPaceMs(env), retryBaseMs: env.BATON_GITHUB_RETRY_BASE }),
  }))();
}

/** `owner/repo` → the repository and an Octokit for its installation. */
export async function openRepo(probot: Probot, fullName: string): Promise<{ github: GitHub; repo: RepoRef }> {
  const [owner, name] = fullName.split("/");
  if (!owner || !name) throw new CliError(`--repo must be owner/name, not "${fullName}"`);
  const app = await probot.auth();
  const { data: installation } = await app.rest.apps.getRepoInstallation({ owner, repo: name }).catch(() => {
    throw new CliError(`the app is not installed on ${fullName} (or the credentials are for another app).`);
  });
  const github = await probot.auth(installation.id);
  const { data } = await github.rest.repos.get({ owner, repo: name });
  return { github, repo: { installationId: installation.id, repoId: data.id, owner, repo: name } };
}

/** A Runtime for commands that run stages in this process (`baton run`). */
export function cliRuntime(probot: Probot, env: BatonEnv = readEnv()): Runtime & { close(): Promise<void> } {
  const redis = createRedis(env.REDIS_URL);
  const log = pino({ level: process.env.LOG_LEVEL ?? "warn" });
  const queues = openQueues(redis, env.BATON_REDIS_PREFIX);
  const appIdentity = appIdentityOf(() => probot.auth());
  return {
    env,
    redis,
    prefix: env.BATON_REDIS_PREFIX,
    queues,
    events: new EventLog(redis, keys.events({ prefix: env.BATON_REDIS_PREFIX }), log),
    log,
    auth: (id) => probot.auth(id),
    appIdentity,
    botLogin: async () => (await appIdentity()).botLogin,
    close: async () => {
      await queues.close();
      await redis.quit();
    },
  };
}
