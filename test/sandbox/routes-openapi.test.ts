import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ProbotOctokit } from "probot";
import { pushCommit } from "../../sandbox/github/collab.js";
import type { GitHub } from "../../src/github/types.js";
import { openApiMismatches, operationOf } from "../helpers/openapi.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";

/**
 * Every answer the sandbox gives Baton matches GitHub's published OpenAPI description: the
 * pipeline runs in-process against the sandbox (triage → design → implement → review), the
 * routes Baton calls elsewhere (PR collaboration, labels, contents, the app's own) are
 * driven with its client, and every 2xx JSON response, whatever the route, is validated
 * against the schema of its operation. Every `rest.<scope>.<method>` in src/ must have been
 * answered here, so a route Baton starts calling cannot skip the check.
 */
interface Seen {
  method: string;
  path: string;
  status: number;
  json: boolean;
  data: unknown;
}

function sourcesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourcesOf(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("every sandbox route Baton uses answers in GitHub's documented shape", () => {
  let env: SandboxRuntime;
  const seen: Seen[] = [];
  const record = (octokit: Pick<ProbotOctokit, "hook">) => {
    // A refused call names its route (Octokit's own message does not).
    octokit.hook.error("request", (error, options) => {
      throw Object.assign(error, { message: `${options.method} ${String(options.url)}: ${error.message}` });
    });
    octokit.hook.after("request", (response, options) => {
      const type = String(response.headers["content-type"] ?? "");
      seen.push({
        method: String(options.method),
        path: new URL(response.url).pathname.replace(/^\/api\/v3/, ""),
        status: response.status,
        json: type.includes("json"),
        data: structuredClone(response.data),
      });
    });
  };

  beforeAll(async () => {
    env = await createSandboxRuntime();
    const auth = env.rt.auth;
    env.rt.auth = async (id) => {
      const octokit = await auth(id);
      record(octokit);
      return octokit;
    };
  });
  afterAll(async () => env.close());

  it("validates each 2xx answer, through a whole pipeline run and the routes around it", async () => {
    const { sandbox } = env;
    const maintainer = { kind: "user" as const, login: "octocat" };
    const repo = await sandbox.world.createRepo("acme", "shapes", {
      files: { "README.md": "# shapes\n", "src/a.ts": "export const a = 1;\n", "src/lib/b.ts": "export const b = 2;\n" },
    });
    const issue = sandbox.world.createIssue(
      repo,
      { title: "Add a dark mode toggle", body: "Add a toggle on the settings page that switches to a dark theme and remembers it." },
      maintainer,
    );
    sandbox.world.addLabels(repo, issue, ["status:triage"], maintainer);
    for (const label of ["status:triage", "status:triaged", "status:ready", "status:in-review"]) {
      expect((await env.runStage(repo, issue, label)).result.action).toBe("handed-off");
    }
    const installationId = sandbox.world.state.installationFor(repo.owner)!.id;
    const github: GitHub = await env.rt.auth(installationId);
    const o = { owner: repo.owner, repo: repo.name };
    const ref = { ...o, issue_number: issue.number };

    // Contents: a file, a directory, the root.
    await github.rest.repos.getContent({ ...o, path: "src/a.ts" });
    await github.rest.repos.getContent({ ...o, path: "src" });
    await github.rest.repos.getContent({ ...o, path: "" });
    await github.rest.repos.get(o);
    await github.rest.repos.getBranch({ ...o, branch: "main" });
    await github.rest.repos.getCollaboratorPermissionLevel({ ...o, username: "octocat" });
    // Labels and issues.
    await github.rest.issues.listLabelsForRepo({ ...o, per_page: 100 });
    await github.rest.issues.createLabel({ ...o, name: "shape-check", color: "ededed" });
    await github.rest.issues.addLabels({ ...ref, labels: ["shape-check"] });
    await github.rest.issues.listLabelsOnIssue(ref);
    await github.rest.issues.removeLabel({ ...ref, name: "shape-check" });
    await github.rest.issues.listEvents(ref);
    await github.rest.issues.listForRepo({ ...o, state: "open" });
    await github.rest.issues.listCommentsForRepo(o);
    const { data: comment } = await github.rest.issues.createComment({ ...ref, body: "hello" });
    await github.rest.issues.getComment({ ...o, comment_id: comment.id });
    await github.rest.issues.updateComment({ ...o, comment_id: comment.id, body: "hello again" });
    const { data: other } = await github.rest.issues.create({ ...o, title: "Another" });
    await github.rest.issues.update({ ...o, issue_number: other.number, state: "closed" });
    // Baton's PR: reviews, replies, checks, statuses, reviewers, update-branch.
    const {
      data: [pull],
    } = await github.rest.pulls.list({ ...o, state: "open" });
    const pr = { ...o, pull_number: pull!.number };
    await github.rest.pulls.get(pr);
    const file = `docs/baton/issue-${issue.number}.md`;
    const { data: review } = await github.rest.pulls.createReview({
      ...pr,
      event: "COMMENT",
      body: "Two things",
      comments: [{ path: file, line: 1, body: "one" }],
    });
    await github.rest.pulls.listReviews(pr);
    await github.rest.pulls.getReview({ ...pr, review_id: review.id });
    const {
      data: [inline],
    } = await github.rest.pulls.listReviewComments(pr);
    await github.rest.pulls.createReplyForReviewComment({ ...pr, comment_id: inline!.id, body: "done" });
    await github.rest.pulls.requestReviewers({ ...pr, reviewers: ["octocat"] });
    const { data: run } = await github.rest.checks.create({
      ...o,
      name: "test",
      head_sha: pull!.head.sha,
      status: "completed",
      conclusion: "failure",
      output: { title: "1 failed", summary: "s", annotations: [{ path: file, start_line: 1, end_line: 1, annotation_level: "failure", message: "boom" }] },
    });
    await github.rest.checks.listForRef({ ...o, ref: pull!.head.sha });
    await github.rest.checks.listAnnotations({ ...o, check_run_id: run.id });
    await github.rest.repos.getCombinedStatusForRef({ ...o, ref: pull!.head.sha });
    await pushCommit(sandbox.world, repo, "main", { "CHANGELOG.md": "# Changes\n" }, maintainer);
    await github.rest.pulls.updateBranch({ ...pr, expected_head_sha: pull!.head.sha });
    await github.rest.pulls.update({ ...pr, title: "Retitled" });
    // The app's own routes.
    const app = await env.probot.auth();
    record(app);
    await app.rest.apps.getAuthenticated();
    await app.rest.apps.listInstallations();
    await app.rest.apps.getRepoInstallation(o);
    await app.rest.apps.createInstallationAccessToken({ installation_id: installationId, repositories: [repo.name] });
    await github.rest.apps.listReposAccessibleToInstallation();

    const answered = seen.filter((s) => s.status >= 200 && s.status < 300);
    // GraphQL (the ready-for-review mutation) is not a REST operation; its answer is checked in collab-routes-openapi.test.ts.
    const mismatches = answered
      .filter((s) => s.json && typeof s.data === "object" && !s.path.endsWith("/graphql"))
      .flatMap((s) => openApiMismatches(s.method, s.path, s.status, s.data));
    expect(mismatches).toEqual([]);

    // Every operation Baton's code calls was answered (and so validated) above.
    const probe = github as unknown as Record<"rest", Record<string, Record<string, { endpoint: { DEFAULTS: { method: string; url: string } } }>>>;
    const used = new Set(
      sourcesOf("src").flatMap((f) => [...readFileSync(f, "utf8").matchAll(/\brest\.([a-zA-Z]+)\.([a-zA-Z]+)\b/g)].map((m) => `${m[1]}.${m[2]}`)),
    );
    const templateOf = (name: string) => {
      const [scope = "", method = ""] = name.split(".");
      const { DEFAULTS } = probe.rest[scope]![method]!.endpoint;
      return `${DEFAULTS.method} ${DEFAULTS.url}`;
    };
    const covered = new Set(answered.map((s) => `${s.method} ${operationOf(s.method, s.path)}`));
    expect([...used].filter((name) => !covered.has(templateOf(name)))).toEqual([]);
  }, 120_000);
});
