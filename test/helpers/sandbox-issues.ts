import type { Issue, Repo } from "../../sandbox/github/state.js";
import type { SandboxRuntime } from "./sandbox-runtime.js";

export const MAINTAINER = { kind: "user" as const, login: "octocat" };

/** A repository with `.github/baton.yml` and one issue labelled `status:triage`. */
export async function newIssue(env: SandboxRuntime, config = "", name = "app"): Promise<{ repo: Repo; issue: Issue }> {
  const repo = await env.sandbox.world.createRepo("acme", name, { files: config ? { ".github/baton.yml": config } : {} });
  const issue = env.sandbox.world.createIssue(
    repo,
    { title: "Add a dark mode toggle", body: "A toggle on the settings page that switches to a dark theme." },
    MAINTAINER,
  );
  env.sandbox.world.addLabels(repo, issue, ["status:triage"], MAINTAINER);
  return { repo, issue };
}

/** Triage and design run: the issue waits at `status:ready` (or the design gate) with a spec. */
export async function designedIssue(env: SandboxRuntime, config = ""): Promise<{ repo: Repo; issue: Issue }> {
  const { repo, issue } = await newIssue(env, config);
  await env.runStage(repo, issue, "status:triage");
  await env.runStage(repo, issue, "status:triaged");
  return { repo, issue };
}

/** Triage, design and implement run: the issue waits at `status:in-review` with a PR. */
export async function implementedIssue(env: SandboxRuntime, config = ""): Promise<{ repo: Repo; issue: Issue }> {
  const { repo, issue } = await designedIssue(env, config);
  const { result } = await env.runStage(repo, issue, "status:ready");
  if (result.action !== "handed-off") throw new Error(`implement did not hand off: ${JSON.stringify(result)}`);
  return { repo, issue };
}

export const statusLabels = (issue: Issue) => issue.labels.filter((l) => l.startsWith("status:"));
export const artifactsOf = (issue: Issue, stage: string) => issue.comments.filter((c) => c.body.startsWith(`<!-- baton:artifact stage=${stage} `));
export const pullsOf = (repo: Repo) => [...repo.issues.values()].filter((i) => i.pull);
