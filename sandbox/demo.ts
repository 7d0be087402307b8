import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { startAppProcess, type AppProcess } from "./app-process.js";
import { findOrStartRedis, freePort, RedisNotFoundError, type RedisHandle } from "./find-redis.js";
import { startSandbox, type Sandbox } from "./github/index.js";
import { runPlanDemo } from "./demo-plan.js";
import { followEvents } from "./follow-events.js";

const OWNER = "octo-demo";
const REPO = "hello-baton";
const TIMEOUT_MS = 90_000;

/**
 * A small web app: the design stage's briefing names its settings page and theme files, and
 * its config turns on the scout's agent pass (the usual route: `builtin` here), so every
 * prompt carries the scout's summary.
 */
const SAMPLE_FILES = {
  ".github/baton.yml": "scout: {}\n",
  "package.json": '{ "name": "hello-baton", "version": "1.0.0", "scripts": { "test": "node --test" } }\n',
  "src/settings-page.js":
    '// The settings page: one row per setting.\nexport function renderSettingsPage(settings) {\n  return settings.map((s) => `<label>${s.name}</label>`).join("\\n");\n}\n',
  "src/theme.js": '// The page theme (colours), applied to the document root.\nexport const lightTheme = { background: "#fff", text: "#222" };\n',
  "test/settings-page.test.js":
    "import { test } from 'node:test';\nimport { renderSettingsPage } from '../src/settings-page.js';\ntest('renders a row per setting', () => renderSettingsPage([]));\n",
};

/** Labels where the demo stops: the pipeline is done, or waits for a person. */
const FINAL = ["status:approved", "status:blocked", "status:needs-info", "status:designed", "status:done"];

/**
 * `npm run demo`: the whole pipeline on a laptop, with no GitHub account and no network.
 * 1. Find Redis (or start one), start the sandbox, start Baton as `npm start` would.
 * 2. Create a repository and an issue; apply `status:triage` as a maintainer.
 * 3. Print each transition as Baton reports it, until the issue reaches a final label.
 * 4. Print a summary; stop everything (or keep it running with --keep).
 */
async function main(): Promise<number> {
  const keep = process.argv.includes("--keep");
  let redis: RedisHandle | undefined;
  let sandbox: Sandbox | undefined;
  let app: AppProcess | undefined;
  const prefix = `baton-demo-${randomBytes(4).toString("hex")}`;
  // The live view reads /baton/events, which needs the admin token on the webhook port.
  const adminToken = randomBytes(24).toString("hex");
  try {
    redis = await findOrStartRedis();
    say(`Redis      ${redis.url}${redis.started ? " (started for the demo)" : ""}`);
    sandbox = await startSandbox({ log: (line) => say(`  ${line}`) });
    say(`Sandbox    ${sandbox.url}  (open it in a browser to watch)`);
    const port = await freePort();
    app = await startAppProcess({
      github: sandbox,
      port,
      redisUrl: redis.url,
      redisPrefix: prefix,
      env: {
        LOG_LEVEL: "warn",
        BATON_DEFAULT_BACKEND: process.env.BATON_DEFAULT_BACKEND ?? "builtin",
        BATON_RECONCILE_INTERVAL: "1m",
        BATON_ADMIN_TOKEN: adminToken,
      },
    });
    sandbox.setWebhookUrl(app.webhookUrl);
    say(`Baton      ${app.url}  (pid ${app.pid}, backend ${process.env.BATON_DEFAULT_BACKEND ?? "builtin"})\n`);
    if (process.argv.includes("--plan")) return await runPlanDemo(sandbox, say);

    const repo = await sandbox.world.createRepo(OWNER, REPO, { files: SAMPLE_FILES });
    const issue = sandbox.world.createIssue(
      repo,
      {
        title: "Add a dark mode toggle to the settings page",
        body: "Users ask for a dark theme. Add a toggle on the settings page that switches the theme and remembers the choice.",
      },
      { kind: "user", login: "octocat" },
    );
    say(`Issue #${issue.number} "${issue.title}" opened by octocat`);
    const started = Date.now();
    const events = followEvents(
      `${app.url}/baton/events?repo=${OWNER}/${REPO}&issue=${issue.number}`,
      (event) => {
        const at = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
        if (event.type === "dispatch_requested") say(`${at}s  ▶ ${event.stage}: claimed (${event.label} → running)`);
        if (event.type === "status_changed") say(`${at}s  ✔ ${event.stage}: ${event.outcome} → ${event.to}`);
        // Baton opens its PR as a draft and marks it ready when the AI review approves.
        const pull = [...repo.issues.values()].find((i) => i.pull);
        if (event.type === "status_changed" && pull && (event.stage === "implement" || event.stage === "review"))
          say(`         PR #${pull.number} is ${pull.pull?.draft ? "a draft" : "ready for review"}`);
        if (event.type === "dispatch_failed") say(`${at}s  ✖ ${event.stage}: ${event.error}${event.final ? "" : " (will retry)"}`);
      },
      { authorization: `Bearer ${adminToken}` },
    );
    sandbox.world.addLabels(repo, issue, ["status:triage"], { kind: "user", login: "octocat" });
    say(`  0.0s  octocat applied status:triage`);

    while (!issue.labels.some((l) => FINAL.includes(l)) && Date.now() - started < TIMEOUT_MS) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    events.close();

    const final = issue.labels.find((l) => FINAL.includes(l));
    say(`\nSummary after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    say(`  labels    ${issue.labels.join(", ")}`);
    say(`  comments  ${issue.comments.length} (${issue.comments.filter((c) => c.body.startsWith("<!-- baton:artifact")).length} artifacts, 1 status comment)`);
    const pulls = [...repo.issues.values()].filter((i) => i.pull);
    for (const pull of pulls)
      say(
        `  PR #${pull.number} ${pull.title} (${pull.pull?.head} → ${pull.pull?.base}) · ${pull.pull?.draft ? "draft" : "ready for review"} · ${pull.pull?.reviews.length ?? 0} review(s)`,
      );
    const status = issue.comments.find((c) => c.body.startsWith("<!-- baton:status -->"));
    if (status)
      say(
        `\n${status.body
          .split("\n")
          .filter((l) => l.startsWith("|") || l.startsWith("###"))
          .join("\n")}\n`,
      );
    for (const artifact of issue.comments.filter((c) => c.body.startsWith("<!-- baton:artifact"))) {
      const heading = artifact.body.split("\n").find((l) => l.startsWith("## ")) ?? "";
      say(`  ${heading.replace(/^## /, "")}: ${artifact.body.split("\n").find((l) => l.startsWith("**") || l.startsWith("[builtin")) ?? ""}`.slice(0, 160));
    }
    if (!final) {
      say(`\nThe issue did not reach a final label within ${TIMEOUT_MS / 1000} s. Baton's last log lines:\n${app.logs.slice(-15).join("\n")}`);
      return 1;
    }
    if (keep) {
      say(`\nStill running (--keep): the sandbox page is ${sandbox.url}, Baton is ${app.url}. Ctrl-C stops everything.`);
      await new Promise((resolve) => process.once("SIGINT", resolve));
    }
    return final === "status:blocked" ? 1 : 0;
  } catch (error) {
    if (error instanceof RedisNotFoundError) {
      say(error.message);
      return 2;
    }
    throw error;
  } finally {
    await app?.stop();
    await sandbox?.close();
    if (redis) {
      await deleteKeys(redis.url, prefix).catch(() => {});
      await redis.stop();
    }
  }
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  const stream = client.scanStream({ match: `${prefix}:*`, count: 500 });
  for await (const keys of stream as AsyncIterable<string[]>) if (keys.length) await client.del(...keys);
  await client.quit();
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
