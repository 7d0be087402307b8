import { pino } from "pino";
import type { Probot } from "probot";
import { appCredentials, createProbotClass, createRuntime, type AppCredentials } from "../create-runtime.js";
import { readEnv, type BatonEnv } from "../env.js";
import { createRedactor } from "../github/redact-secrets.js";
import type { GitHub, RepoRef } from "../github/types.js";
import { createMetrics } from "../observe/metrics.js";
import type { Runtime } from "../runtime.js";

/** A CLI error with an exit code and a message that says what to set. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** The environment the CLI runs in: the CLI's edge, the one place its commands read it from. */
export function cliProcessEnv(): NodeJS.ProcessEnv {
  return process.env;
}

/** The CLI's settings, parsed once from its environment. */
export function cliEnv(): BatonEnv {
  return readEnv(cliProcessEnv());
}

function requireCredentials(): AppCredentials {
  const app = appCredentials(cliProcessEnv());
  if (!app) throw new CliError("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) must be set (see .env.example).");
  return app;
}

const cliLog = (env: BatonEnv) => pino({ level: env.LOG_LEVEL ?? "warn" });

/** The app's credentials from the environment (the same variables `npm start` reads). */
export function connectGitHub(env: BatonEnv = cliEnv()): Probot {
  const ProbotWithDefaults = createProbotClass({
    env,
    log: cliLog(env),
    app: requireCredentials(),
    metrics: createMetrics(),
    redact: createRedactor(cliProcessEnv()),
  });
  return new ProbotWithDefaults();
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

/** A Runtime for commands that run stages in this process (`baton run`, `baton knowledge`). */
export function cliRuntime(): Runtime & { close(): Promise<void> } {
  const processEnv = cliProcessEnv();
  return createRuntime({ processEnv, log: cliLog(readEnv(processEnv)), app: requireCredentials() });
}
