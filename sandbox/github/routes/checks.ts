import { combinedState, createCheckRun, createStatus, latestStatuses, pullsAt, resolveCommit, updateCheckRun } from "../collab.js";
import { notFound, ok, route, type Call, type Route } from "../http.js";
import { renderRepo } from "../render.js";
import { renderCheckRun, renderStatus } from "../render-collab.js";
import type { CheckRun, Repo } from "../state.js";
import { SandboxError, type World } from "../world.js";

/** Check runs and commit statuses: what CI reports on a commit, and how Baton reads it. */
export function checkRoutes(world: World): Route[] {
  const { state, urls } = world;
  const repoOf = (call: Call) => world.requireRepo(call.params[0]!, call.params[1]!);
  const render = async (repo: Repo, run: CheckRun) => renderCheckRun(run, repo, urls, state.user(repo.owner), await pullsAt(repo, run.head_sha));
  const fields = (body: Call["body"]) =>
    Object.fromEntries(
      ["name", "status", "conclusion", "output", "details_url", "external_id", "started_at", "completed_at"]
        .filter((k) => body[k] !== undefined)
        .map((k) => [k, body[k]]),
    );
  return [
    route("POST", "/repos/{owner}/{repo}/check-runs", async (call) => {
      const repo = repoOf(call);
      const run = await createCheckRun(
        world,
        repo,
        { ...fields(call.body), name: String(call.body.name), head_sha: String(call.body.head_sha) },
        call.actor?.kind === "installation" ? world.appSlug : "sandbox-ci",
      );
      return ok(await render(repo, run), 201);
    }),
    route("PATCH", "/repos/{owner}/{repo}/check-runs/{id}", async (call) => {
      const repo = repoOf(call);
      const run = repo.checkRuns.find((r) => r.id === Number(call.params[2]));
      if (!run) throw new SandboxError(notFound());
      return ok(await render(repo, await updateCheckRun(world, repo, run, fields(call.body))));
    }),
    route("GET", "/repos/{owner}/{repo}/check-runs/{id}/annotations", (call) => {
      const repo = repoOf(call);
      const run = repo.checkRuns.find((r) => r.id === Number(call.params[2]));
      if (!run) throw new SandboxError(notFound());
      const annotations = (run.output?.annotations ?? []) as Record<string, unknown>[];
      return ok(
        annotations.map((a) => ({
          path: a.path,
          start_line: a.start_line,
          end_line: a.end_line ?? a.start_line,
          start_column: null,
          end_column: null,
          annotation_level: a.annotation_level ?? "warning",
          title: a.title ?? null,
          message: a.message ?? "",
          raw_details: null,
          blob_href: `${urls.web}/${repo.owner}/${repo.name}/blob/${run.head_sha}/${String(a.path)}`,
        })),
      );
    }),
    route("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", async (call) => {
      const repo = repoOf(call);
      const sha = await resolveCommit(repo, call.params[2]!);
      const runs = await Promise.all(repo.checkRuns.filter((r) => r.head_sha === sha).map((r) => render(repo, r)));
      return ok({ total_count: runs.length, check_runs: runs });
    }),
    route("GET", "/repos/{owner}/{repo}/commits/{ref}/statuses", async (call) => {
      const repo = repoOf(call);
      const sha = await resolveCommit(repo, call.params[2]!);
      return ok(
        (repo.statuses ?? [])
          .filter((s) => s.sha === sha)
          .reverse()
          .map((s) => renderStatus(s, repo, urls)),
      );
    }),
    route("GET", "/repos/{owner}/{repo}/commits/{ref}/status", async (call) => {
      const repo = repoOf(call);
      const sha = await resolveCommit(repo, call.params[2]!);
      const statuses = latestStatuses(repo, sha);
      return ok({
        state: combinedState(statuses),
        sha,
        total_count: statuses.length,
        statuses: statuses.map((s) => renderStatus(s, repo, urls)),
        repository: renderRepo(repo, urls, state.user(repo.owner)),
        commit_url: `${urls.api}/repos/${repo.owner}/${repo.name}/commits/${sha}`,
        url: `${urls.api}/repos/${repo.owner}/${repo.name}/commits/${sha}/status`,
      });
    }),
    route("POST", "/repos/{owner}/{repo}/statuses/{sha}", async (call) => {
      const repo = repoOf(call);
      const status = await createStatus(
        world,
        repo,
        call.params[2]!,
        { state: String(call.body.state), context: call.body.context, description: call.body.description, target_url: call.body.target_url },
        call.actor,
      );
      return ok(renderStatus(status, repo, urls), 201);
    }),
  ];
}
