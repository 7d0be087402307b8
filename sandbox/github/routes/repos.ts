import { readPathAt, resolveRef } from "../git.js";
import { invalid, notFound, ok, paginate, route, type Call, type Route } from "../http.js";
import { renderBranch, renderContent, renderLabel, renderRepo, renderUser } from "../render.js";
import { SandboxError, type World } from "../world.js";

const PERMISSION = { admin: "admin", maintain: "write", write: "write", triage: "read", read: "read" } as Record<string, string>;

/** Repositories: the repository, file contents, labels, collaborators. Check runs: routes/checks.ts. */
export function repoRoutes(world: World): Route[] {
  const { state, urls } = world;
  const repoOf = (call: Call) => world.requireRepo(call.params[0]!, call.params[1]!);
  /** A file (base64, or its bytes with the raw media type) or a directory (its entries), as GitHub answers them. */
  const readContents = async (call: Call, path: string) => {
    const repo = repoOf(call);
    const ref = call.url.searchParams.get("ref") ?? repo.defaultBranch;
    const found = await readPathAt(repo.gitDir, ref, path);
    if (!found) throw new SandboxError(notFound());
    if ("dir" in found) return ok(found.dir.map((item) => renderContent(repo, ref, item, urls)));
    if (String(call.headers.accept ?? "").includes("raw"))
      return { status: 200, body: found.content, raw: true, headers: { "content-type": "application/vnd.github.raw; charset=utf-8" } };
    return ok({ ...renderContent(repo, ref, found.item, urls), encoding: "base64", content: Buffer.from(found.content).toString("base64") });
  };
  return [
    route("GET", "/repos/{owner}/{repo}", (call) => {
      const repo = repoOf(call);
      return ok(renderRepo(repo, urls, state.user(repo.owner)));
    }),
    route("GET", "/repos/{owner}/{repo}/contents/{+path}", (call) => readContents(call, call.params[2]!)),
    // The root directory (`path: ""`; Octokit drops the trailing slash).
    route("GET", "/repos/{owner}/{repo}/contents/", (call) => readContents(call, "")),
    route("GET", "/repos/{owner}/{repo}/contents", (call) => readContents(call, "")),
    route("GET", "/repos/{owner}/{repo}/branches/{branch}", async (call) => {
      const repo = repoOf(call);
      const sha = await resolveRef(repo.gitDir, `refs/heads/${call.params[2]}`);
      if (!sha) throw new SandboxError(notFound("Branch not found"));
      return ok(renderBranch(repo, call.params[2]!, sha, urls));
    }),
    route("GET", "/repos/{owner}/{repo}/labels", (call) => {
      const repo = repoOf(call);
      return paginate(
        call,
        [...repo.labels.values()].map((l) => renderLabel(l, repo, urls)),
      );
    }),
    route("POST", "/repos/{owner}/{repo}/labels", (call) => {
      const repo = repoOf(call);
      const name = String(call.body.name ?? "");
      if (!name) throw new SandboxError(invalid("Validation Failed", [{ resource: "Label", field: "name", code: "missing_field" }]));
      if (repo.labels.has(name.toLowerCase()))
        throw new SandboxError(invalid("Validation Failed", [{ resource: "Label", field: "name", code: "already_exists" }]));
      return ok(renderLabel(world.ensureLabel(repo, name, call.body.color, call.body.description ?? null), repo, urls), 201);
    }),
    route("GET", "/repos/{owner}/{repo}/labels/{name}", (call) => {
      const repo = repoOf(call);
      const label = repo.labels.get(call.params[2]!.toLowerCase());
      if (!label) throw new SandboxError(notFound());
      return ok(renderLabel(label, repo, urls));
    }),
    route("PATCH", "/repos/{owner}/{repo}/labels/{name}", (call) => {
      const repo = repoOf(call);
      const label = repo.labels.get(call.params[2]!.toLowerCase());
      if (!label) throw new SandboxError(notFound());
      Object.assign(label, { color: call.body.color ?? label.color, description: call.body.description ?? label.description });
      return ok(renderLabel(label, repo, urls));
    }),
    route("DELETE", "/repos/{owner}/{repo}/labels/{name}", (call) => {
      const repo = repoOf(call);
      if (!repo.labels.delete(call.params[2]!.toLowerCase())) throw new SandboxError(notFound());
      for (const issue of repo.issues.values()) issue.labels = issue.labels.filter((l) => l.toLowerCase() !== call.params[2]!.toLowerCase());
      return { status: 204 };
    }),
    route("GET", "/repos/{owner}/{repo}/collaborators/{user}/permission", (call) => {
      const repo = repoOf(call);
      const login = call.params[2]!;
      const role = state.role(repo, login);
      return ok({ permission: PERMISSION[role] ?? "none", role_name: role, user: { ...renderUser(state.user(login), urls), role_name: role } });
    }),
  ];
}
