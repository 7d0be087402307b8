import { markReadyForReview, replyToReviewComment, submitReview, updatePullBranch } from "../collab.js";
import { invalid, notFound, ok, paginate, route, type Call, type Route } from "../http.js";
import { renderPull } from "../render.js";
import { renderPullReview, renderReviewComment } from "../render-collab.js";
import { SandboxError, type World } from "../world.js";

/** Pull request reviews, inline review comments and their replies, requested reviewers, update-branch. */
export function reviewRoutes(world: World): Route[] {
  const { state, urls } = world;
  const pullOf = (call: Call) => {
    const repo = world.requireRepo(call.params[0]!, call.params[1]!);
    const issue = repo.issues.get(Number(call.params[2]));
    if (!issue?.pull) throw new SandboxError(notFound());
    return { repo, issue, pull: issue.pull };
  };
  return [
    route("GET", "/repos/{owner}/{repo}/pulls/{n}/reviews", (call) => {
      const { repo, issue, pull } = pullOf(call);
      return paginate(
        call,
        pull.reviews.map((r) => renderPullReview(r, repo, issue, urls)),
      );
    }),
    route("POST", "/repos/{owner}/{repo}/pulls/{n}/reviews", async (call) => {
      const { repo, issue } = pullOf(call);
      const review = await submitReview(world, repo, issue, { body: call.body.body, event: call.body.event, comments: call.body.comments }, call.actor);
      return ok(renderPullReview(review, repo, issue, urls));
    }),
    route("GET", "/repos/{owner}/{repo}/pulls/{n}/reviews/{id}", (call) => {
      const { repo, issue, pull } = pullOf(call);
      const review = pull.reviews.find((r) => r.id === Number(call.params[3]));
      if (!review) throw new SandboxError(notFound());
      return ok(renderPullReview(review, repo, issue, urls));
    }),
    route("GET", "/repos/{owner}/{repo}/pulls/{n}/reviews/{id}/comments", (call) => {
      const { repo, issue, pull } = pullOf(call);
      const comments = (pull.reviewComments ?? []).filter((c) => c.review_id === Number(call.params[3]));
      return paginate(
        call,
        comments.map((c) => renderReviewComment(c, repo, issue, urls)),
      );
    }),
    route("GET", "/repos/{owner}/{repo}/pulls/{n}/comments", (call) => {
      const { repo, issue, pull } = pullOf(call);
      return paginate(
        call,
        (pull.reviewComments ?? []).map((c) => renderReviewComment(c, repo, issue, urls)),
      );
    }),
    route("POST", "/repos/{owner}/{repo}/pulls/{n}/comments/{id}/replies", async (call) => {
      const { repo, issue } = pullOf(call);
      if (!call.body.body)
        throw new SandboxError(invalid("Validation Failed", [{ resource: "PullRequestReviewComment", field: "body", code: "missing_field" }]));
      const reply = await replyToReviewComment(world, repo, issue, Number(call.params[3]), String(call.body.body), call.actor);
      return ok(renderReviewComment(reply, repo, issue, urls), 201);
    }),
    route("PUT", "/repos/{owner}/{repo}/pulls/{n}/update-branch", async (call) => {
      const { repo, issue } = pullOf(call);
      await updatePullBranch(world, repo, issue, call.actor);
      return ok({ message: "Updating pull request branch.", url: `${urls.web}/${repo.owner}/${repo.name}/pull/${issue.number}` }, 202);
    }),
    route("POST", "/repos/{owner}/{repo}/pulls/{n}/requested_reviewers", async (call) => {
      const { repo, issue, pull } = pullOf(call);
      const logins = (call.body.reviewers ?? []) as string[];
      if (logins.includes(issue.user.login)) throw new SandboxError(invalid("Review cannot be requested from pull request author."));
      pull.requestedReviewers = [...new Set([...(pull.requestedReviewers ?? []), ...logins])];
      return ok(renderPull(issue, repo, urls, state.user(repo.owner), await world.shas(repo, issue)), 201);
    }),
  ];
}

/**
 * The one GraphQL mutation Baton needs (`markPullRequestReadyForReview`: GitHub has no REST
 * route for it). The pull request's id is its `node_id` (`I_<repo>_<number>` here).
 */
export async function answerGraphql(
  world: World,
  body: { query?: string; variables?: Record<string, unknown> },
  actor: Parameters<typeof markReadyForReview>[3],
) {
  if (!/markPullRequestReadyForReview/.test(body.query ?? ""))
    return { status: 200, body: { errors: [{ message: "The sandbox answers only markPullRequestReadyForReview." }] } };
  const id = String(body.variables?.id ?? body.variables?.pullRequestId ?? /pullRequestId:\s*"([^"]+)"/.exec(body.query ?? "")?.[1] ?? "");
  const [, repoId, number] = /^I_(\d+)_(\d+)$/.exec(id) ?? [];
  const repo = world.state.repoById(Number(repoId));
  const issue = repo?.issues.get(Number(number));
  if (!repo || !issue?.pull)
    return { status: 200, body: { data: null, errors: [{ type: "NOT_FOUND", message: `Could not resolve to a node with the global id of '${id}'` }] } };
  await markReadyForReview(world, repo, issue, actor);
  return { status: 200, body: { data: { markPullRequestReadyForReview: { pullRequest: { id, isDraft: false } } } } };
}
