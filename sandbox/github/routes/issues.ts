import { invalid, ok, paginate, route, type Call, type Route } from "../http.js";
import { renderComment, renderIssue, renderIssueEvent, renderIssueLabels } from "../render.js";
import { SandboxError, type World } from "../world.js";

/** Issues, their labels and comments. */
export function issueRoutes(world: World): Route[] {
  const { urls } = world;
  const repoOf = (call: Call) => world.requireRepo(call.params[0]!, call.params[1]!);
  const issueOf = (call: Call) => {
    const repo = repoOf(call);
    return { repo, issue: world.requireIssue(repo, Number(call.params[2])) };
  };
  const labelNames = (body: unknown): string[] => {
    const list = Array.isArray(body) ? body : ((body as { labels?: unknown[] }).labels ?? []);
    return list.map((l) => (typeof l === "string" ? l : String((l as { name?: string }).name)));
  };
  const labelsOf = (call: Call) => {
    const { repo, issue } = issueOf(call);
    return ok(renderIssueLabels(issue, repo, urls));
  };
  return [
    // Every issue's comments, oldest first (GitHub's default): Baton rebuilds its knowledge index from it.
    route("GET", "/repos/{owner}/{repo}/issues/comments", (call) => {
      const repo = repoOf(call);
      const comments = [...repo.issues.values()].flatMap((i) => i.comments).sort((a, b) => a.id - b.id);
      return paginate(
        call,
        comments.map((c) => renderComment(c, repo, urls, world.app)),
      );
    }),
    route("GET", "/repos/{owner}/{repo}/issues", (call) => {
      const repo = repoOf(call);
      const state = call.url.searchParams.get("state") ?? "open";
      const wanted = (call.url.searchParams.get("labels") ?? "")
        .split(",")
        .filter(Boolean)
        .map((l) => l.toLowerCase());
      const issues = [...repo.issues.values()]
        .filter((i) => state === "all" || i.state === state)
        .filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
        .sort((a, b) => b.number - a.number);
      return paginate(
        call,
        issues.map((i) => renderIssue(i, repo, urls)),
      );
    }),
    route("POST", "/repos/{owner}/{repo}/issues", (call) => {
      const repo = repoOf(call);
      if (!call.body.title) throw new SandboxError(invalid("Validation Failed", [{ resource: "Issue", field: "title", code: "missing_field" }]));
      return ok(renderIssue(world.createIssue(repo, { title: call.body.title, body: call.body.body, labels: call.body.labels }, call.actor), repo, urls), 201);
    }),
    route("GET", "/repos/{owner}/{repo}/issues/{n}", (call) => {
      const { repo, issue } = issueOf(call);
      return ok(renderIssue(issue, repo, urls));
    }),
    route("PATCH", "/repos/{owner}/{repo}/issues/{n}", (call) => {
      const { repo, issue } = issueOf(call);
      if (typeof call.body.title === "string") issue.title = call.body.title;
      if (typeof call.body.body === "string") issue.body = call.body.body;
      if (Array.isArray(call.body.labels)) world.setLabels(repo, issue, labelNames(call.body), call.actor);
      if (call.body.state === "open" || call.body.state === "closed") world.setIssueState(repo, issue, call.body.state, call.actor);
      return ok(renderIssue(issue, repo, urls));
    }),
    route("GET", "/repos/{owner}/{repo}/issues/{n}/labels", labelsOf),
    route("POST", "/repos/{owner}/{repo}/issues/{n}/labels", (call) => {
      const { repo, issue } = issueOf(call);
      world.addLabels(repo, issue, labelNames(call.body), call.actor);
      return labelsOf(call);
    }),
    // Replaces the whole set; GitHub sends `unlabeled` for each label taken off and `labeled`
    // for each put on, with the caller as sender.
    route("PUT", "/repos/{owner}/{repo}/issues/{n}/labels", (call) => {
      const { repo, issue } = issueOf(call);
      world.setLabels(repo, issue, labelNames(call.body), call.actor);
      return labelsOf(call);
    }),
    route("DELETE", "/repos/{owner}/{repo}/issues/{n}/labels/{name}", (call) => {
      const { repo, issue } = issueOf(call);
      world.removeLabel(repo, issue, call.params[3]!, call.actor);
      return labelsOf(call);
    }),
    route("GET", "/repos/{owner}/{repo}/issues/{n}/events", (call) => {
      const { repo, issue } = issueOf(call);
      return paginate(
        call,
        issue.events.map((e) => renderIssueEvent(e, repo, urls, world.app)),
      );
    }),
    route("GET", "/repos/{owner}/{repo}/issues/{n}/comments", (call) => {
      const { repo, issue } = issueOf(call);
      const since = call.url.searchParams.get("since");
      const comments = issue.comments.filter((c) => !since || c.updated_at >= since);
      return paginate(
        call,
        comments.map((c) => renderComment(c, repo, urls, world.app)),
      );
    }),
    route("POST", "/repos/{owner}/{repo}/issues/{n}/comments", (call) => {
      const { repo, issue } = issueOf(call);
      if (typeof call.body.body !== "string" || !call.body.body)
        throw new SandboxError(invalid("Validation Failed", [{ resource: "IssueComment", field: "body", code: "missing_field" }]));
      return ok(renderComment(world.comment(repo, issue, call.body.body, call.actor), repo, urls, world.app), 201);
    }),
    route("GET", "/repos/{owner}/{repo}/issues/comments/{id}", (call) => {
      const repo = repoOf(call);
      return ok(renderComment(world.findComment(repo, Number(call.params[2])), repo, urls, world.app));
    }),
    route("PATCH", "/repos/{owner}/{repo}/issues/comments/{id}", (call) => {
      const repo = repoOf(call);
      const comment = world.findComment(repo, Number(call.params[2]));
      return ok(renderComment(world.editComment(repo, comment, String(call.body.body ?? ""), call.actor), repo, urls, world.app));
    }),
    route("DELETE", "/repos/{owner}/{repo}/issues/comments/{id}", (call) => {
      const repo = repoOf(call);
      const comment = world.findComment(repo, Number(call.params[2]));
      const issue = world.requireIssue(repo, comment.issue);
      issue.comments = issue.comments.filter((c) => c !== comment);
      return { status: 204 };
    }),
  ];
}
