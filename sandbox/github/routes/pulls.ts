import { diff, diffFiles } from "../git.js";
import { invalid, notFound, ok, paginate, route, type Call, type Route } from "../http.js";
import { setPullState } from "../collab.js";
import { renderPull } from "../render.js";
import { headRev } from "../state.js";
import { SandboxError, type World } from "../world.js";

/** Pull requests: list, open (drafts too), read (JSON or diff), files, close, merge. Reviews: routes/reviews.ts. */
export function pullRoutes(world: World): Route[] {
  const { state, urls } = world;
  const repoOf = (call: Call) => world.requireRepo(call.params[0]!, call.params[1]!);
  const pullOf = (call: Call) => {
    const repo = repoOf(call);
    const issue = repo.issues.get(Number(call.params[2]));
    if (!issue?.pull) throw new SandboxError(notFound());
    return { repo, issue, pull: issue.pull };
  };
  const render = async (repo: ReturnType<typeof repoOf>, issue: ReturnType<typeof pullOf>["issue"]) =>
    renderPull(issue, repo, urls, state.user(repo.owner), await world.shas(repo, issue));
  return [
    route("GET", "/repos/{owner}/{repo}/pulls", async (call) => {
      const repo = repoOf(call);
      const wantedState = call.url.searchParams.get("state") ?? "open";
      const head = call.url.searchParams.get("head");
      const base = call.url.searchParams.get("base");
      const pulls = [...repo.issues.values()].filter(
        (i) =>
          i.pull &&
          (wantedState === "all" || i.state === wantedState) &&
          (!head || `${(i.pull.headRepo ?? repo).owner}:${i.pull.head}` === head || i.pull.head === head) &&
          (!base || i.pull.base === base),
      );
      return paginate(call, await Promise.all(pulls.map((i) => render(repo, i))));
    }),
    route("POST", "/repos/{owner}/{repo}/pulls", async (call) => {
      const repo = repoOf(call);
      if (!call.body.title || !call.body.head)
        throw new SandboxError(invalid("Validation Failed", [{ resource: "PullRequest", field: "head", code: "missing_field" }]));
      if (call.body.draft === true && repo.draftsAllowed === false)
        throw new SandboxError(invalid("Draft pull requests are not supported in this repository."));
      const issue = await world.createPull(
        repo,
        { title: call.body.title, body: call.body.body, head: call.body.head, base: call.body.base, draft: call.body.draft === true },
        call.actor,
      );
      return ok(await render(repo, issue), 201);
    }),
    route("GET", "/repos/{owner}/{repo}/pulls/{n}", async (call) => {
      const { repo, issue, pull } = pullOf(call);
      if (String(call.headers.accept ?? "").includes("diff")) {
        return {
          status: 200,
          raw: true,
          body: await diff(repo.gitDir, pull.base, headRev(issue)),
          headers: { "content-type": "application/vnd.github.diff; charset=utf-8" },
        };
      }
      return ok(await render(repo, issue));
    }),
    route("PATCH", "/repos/{owner}/{repo}/pulls/{n}", async (call) => {
      const { repo, issue } = pullOf(call);
      if (typeof call.body.title === "string") issue.title = call.body.title;
      if (typeof call.body.body === "string") issue.body = call.body.body;
      if (typeof call.body.base === "string") issue.pull!.base = call.body.base;
      if (call.body.state === "open" || call.body.state === "closed") await setPullState(world, repo, issue, call.body.state, call.actor);
      return ok(await render(repo, issue));
    }),
    route("GET", "/repos/{owner}/{repo}/pulls/{n}/files", async (call) => {
      const { repo, issue, pull } = pullOf(call);
      return paginate(call, await diffFiles(repo.gitDir, pull.base, headRev(issue)));
    }),
    route("PUT", "/repos/{owner}/{repo}/pulls/{n}/merge", async (call) => {
      const { repo, issue } = pullOf(call);
      const sha = await world.mergePull(repo, issue, call.actor);
      return ok({ sha, merged: true, message: "Pull Request successfully merged" });
    }),
  ];
}
