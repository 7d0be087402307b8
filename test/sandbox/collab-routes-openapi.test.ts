import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Octokit } from "@octokit/rest";
import { Ajv } from "ajv";
import { pushCommit } from "../../sandbox/github/collab.js";
import { PERSON_TOKEN_PREFIX, startSandbox, type Sandbox } from "../../sandbox/github/index.js";

/**
 * The sandbox's pull request collaboration routes answer what GitHub's published OpenAPI
 * description (`@octokit/openapi`, api.github.com) says they answer: every 2xx body is
 * validated against the route's response schema.
 */
const spec = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.deref.json"), "utf8"));
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });

/** OpenAPI 3.0's `nullable: true` also admits null in an `enum`; JSON Schema needs it listed. */
function admitNullInEnums(schema: unknown): unknown {
  if (Array.isArray(schema)) schema.forEach(admitNullInEnums);
  else if (schema && typeof schema === "object") {
    const node = schema as Record<string, unknown>;
    if (node.nullable === true && Array.isArray(node.enum) && !node.enum.includes(null)) node.enum = [...node.enum, null];
    Object.values(node).forEach(admitNullInEnums);
  }
  return schema;
}

function expectShape(template: string, method: string, status: number, body: unknown): void {
  const response = spec.paths[template][method].responses[String(status)];
  const validate = ajv.compile(admitNullInEnums(structuredClone(response.content["application/json"].schema)) as object);
  const errors = validate(body) ? [] : (validate.errors ?? []).map((e) => `${template} ${e.instancePath} ${e.message}`);
  expect(errors).toEqual([]);
}

describe("sandbox collaboration routes match GitHub's OpenAPI description", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ log: () => {} });
  });
  afterAll(async () => sandbox.close());

  it("reviews, review comments, replies, check runs, statuses, annotations", async () => {
    const as = (login: string) => new Octokit({ baseUrl: sandbox.apiUrl, auth: `${PERSON_TOKEN_PREFIX}${login}` });
    const maintainer = as("octocat");
    const repo = await sandbox.world.createRepo("acme", "web", { files: { "README.md": "# web\n" } });
    const sha = await pushCommit(
      sandbox.world,
      repo,
      "feature",
      { "a.ts": "export const a = 1;\nexport const b = 2;\n" },
      { kind: "user", login: "alice" },
      "main",
    );
    const o = { owner: "acme", repo: "web" };

    const { data: pull } = await as("alice").rest.pulls.create({ ...o, head: "feature", base: "main", title: "A", draft: true });
    expect(pull.draft).toBe(true);

    const review = await maintainer.rest.pulls.createReview({
      ...o,
      pull_number: pull.number,
      event: "REQUEST_CHANGES",
      body: "Two things",
      comments: [
        { path: "a.ts", line: 1, body: "one" },
        { path: "a.ts", line: 2, body: "two" },
      ],
    });
    expectShape("/repos/{owner}/{repo}/pulls/{pull_number}/reviews", "post", review.status, review.data);
    expect(review.data.state).toBe("CHANGES_REQUESTED");
    const reviews = await maintainer.rest.pulls.listReviews({ ...o, pull_number: pull.number });
    expectShape("/repos/{owner}/{repo}/pulls/{pull_number}/reviews", "get", reviews.status, reviews.data);
    const one = await maintainer.rest.pulls.getReview({ ...o, pull_number: pull.number, review_id: review.data.id });
    expectShape("/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}", "get", one.status, one.data);
    const ofReview = await maintainer.rest.pulls.listCommentsForReview({ ...o, pull_number: pull.number, review_id: review.data.id });
    expectShape("/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments", "get", ofReview.status, ofReview.data);
    const comments = await maintainer.rest.pulls.listReviewComments({ ...o, pull_number: pull.number });
    expectShape("/repos/{owner}/{repo}/pulls/{pull_number}/comments", "get", comments.status, comments.data);
    expect(comments.data.map((c) => [c.path, c.line, c.diff_hunk.split("\n").length])).toEqual([
      ["a.ts", 1, 2],
      ["a.ts", 2, 3],
    ]);
    const reply = await as("alice").rest.pulls.createReplyForReviewComment({ ...o, pull_number: pull.number, comment_id: comments.data[0]!.id, body: "done" });
    expectShape("/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies", "post", reply.status, reply.data);
    expect(reply.data.in_reply_to_id).toBe(comments.data[0]!.id);

    const created = await maintainer.rest.checks.create({ ...o, name: "test", head_sha: sha, status: "in_progress" });
    expectShape("/repos/{owner}/{repo}/check-runs", "post", created.status, created.data);
    const updated = await maintainer.rest.checks.update({
      ...o,
      check_run_id: created.data.id,
      conclusion: "failure",
      output: { title: "1 failed", summary: "s", annotations: [{ path: "a.ts", start_line: 1, end_line: 1, annotation_level: "failure", message: "boom" }] },
    });
    expectShape("/repos/{owner}/{repo}/check-runs/{check_run_id}", "patch", updated.status, updated.data);
    const runs = await maintainer.rest.checks.listForRef({ ...o, ref: "feature" });
    expectShape("/repos/{owner}/{repo}/commits/{ref}/check-runs", "get", runs.status, runs.data);
    expect(runs.data.check_runs.map((r) => [r.name, r.status, r.conclusion, r.pull_requests.map((p) => p.number)])).toEqual([
      ["test", "completed", "failure", [pull.number]],
    ]);
    const annotations = await maintainer.rest.checks.listAnnotations({ ...o, check_run_id: created.data.id });
    expectShape("/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations", "get", annotations.status, annotations.data);

    const none = await maintainer.rest.repos.getCombinedStatusForRef({ ...o, ref: sha });
    expectShape("/repos/{owner}/{repo}/commits/{ref}/status", "get", none.status, none.data);
    expect([none.data.state, none.data.total_count]).toEqual(["pending", 0]);
    const status = await maintainer.rest.repos.createCommitStatus({ ...o, sha, state: "success", context: "lint", target_url: "https://ci.example/1" });
    expectShape("/repos/{owner}/{repo}/statuses/{sha}", "post", status.status, status.data);
    const combined = await maintainer.rest.repos.getCombinedStatusForRef({ ...o, ref: sha });
    expectShape("/repos/{owner}/{repo}/commits/{ref}/status", "get", combined.status, combined.data);
    expect(combined.data.state).toBe("success");
    const statuses = await maintainer.rest.repos.listCommitStatusesForRef({ ...o, ref: sha });
    expectShape("/repos/{owner}/{repo}/commits/{ref}/statuses", "get", statuses.status, statuses.data);

    const events = sandbox.world.webhooks.deliveries.map((d) => `${d.event}.${d.action ?? ""}`);
    expect(events).toEqual(
      expect.arrayContaining([
        "pull_request.opened",
        "pull_request_review_comment.created",
        "pull_request_review.submitted",
        "check_run.created",
        "check_run.completed",
        "check_suite.completed",
        "status.",
      ]),
    );
  });

  it("marks a draft ready through the GraphQL mutation", async () => {
    const repo = await sandbox.world.createRepo("acme", "api", { files: { "README.md": "# api\n" } });
    await pushCommit(sandbox.world, repo, "feature", { "b.txt": "b\n" }, { kind: "user", login: "alice" }, "main");
    const octokit = new Octokit({ baseUrl: sandbox.apiUrl, auth: `${PERSON_TOKEN_PREFIX}octocat` });
    const { data: pull } = await octokit.rest.pulls.create({ owner: "acme", repo: "api", head: "feature", base: "main", title: "B", draft: true });
    const answer = await octokit.graphql<{ markPullRequestReadyForReview: { pullRequest: { isDraft: boolean } } }>(
      "mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { id isDraft } } }",
      { id: pull.node_id },
    );
    expect(answer.markPullRequestReadyForReview.pullRequest.isDraft).toBe(false);
    expect((await octokit.rest.pulls.get({ owner: "acme", repo: "api", pull_number: pull.number })).data.draft).toBe(false);
    expect(sandbox.world.webhooks.deliveries.filter((d) => d.action === "ready_for_review")).toHaveLength(1);
  });
});
