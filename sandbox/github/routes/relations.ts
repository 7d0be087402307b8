import { invalid, notFound, ok, paginate, route, type Call, type Route } from "../http.js";
import { renderIssue, renderRepo, renderUser, type Urls } from "../render.js";
import type { Issue, Repo, User } from "../state.js";
import { SandboxError, type World } from "../world.js";

/**
 * Sub-issues and issue dependencies, with GitHub's request and response shapes (the
 * `issues/*-sub-issue*` and `issues/*-dependenc*` operations of @octokit/openapi) and the
 * `sub_issues` and `issue_dependencies` webhooks. Relations stay within one repository.
 */
export function relationRoutes(world: World): Route[] {
  const { urls } = world;
  const issueOf = (call: Call) => {
    const repo = world.requireRepo(call.params[0]!, call.params[1]!);
    return { repo, issue: world.requireIssue(repo, Number(call.params[2])) };
  };
  /** An issue of the same repository by its `id` (not its number), as these endpoints take it. */
  const byId = (repo: Repo, id: unknown, field: string): Issue => {
    const found = [...repo.issues.values()].find((i) => !i.pull && issueId(repo, i) === Number(id));
    if (!found) throw new SandboxError(invalid("Validation Failed", [{ resource: "Issue", field, code: "invalid" }]));
    return found;
  };
  const full = (repo: Repo, issue: Issue) => renderFullIssue(repo, issue, urls, world.state.user(repo.owner));
  const list = (call: Call, repo: Repo, issues: Issue[]) =>
    paginate(
      call,
      issues.map((i) => full(repo, i)),
    );
  const send = (event: string, action: string, repo: Repo, fields: Record<string, unknown>, actor: Call["actor"]) => {
    const installation = world.state.installationFor(repo.owner);
    world.webhooks.send(event, {
      action,
      ...fields,
      repository: fullRepo(repo, urls, world.state.user(repo.owner)),
      organization: organizationOf(repo, urls, world.state.user(repo.owner)),
      sender: fullUser(renderUser(world.actorUser(actor), urls)),
      installation: installation ? { id: installation.id, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${installation.id}` } : undefined,
    });
  };
  const subIssueEvent = (added: boolean, repo: Repo, parent: Issue, child: Issue, actor: Call["actor"]) => {
    const fields = {
      parent_issue_id: issueId(repo, parent),
      parent_issue: full(repo, parent),
      parent_issue_repo: fullRepo(repo, urls, world.state.user(repo.owner)),
      sub_issue_id: issueId(repo, child),
      sub_issue: full(repo, child),
      sub_issue_repo: fullRepo(repo, urls, world.state.user(repo.owner)),
    };
    // GitHub tells both sides: the parent gained a sub-issue, the child gained a parent.
    send("sub_issues", added ? "sub_issue_added" : "sub_issue_removed", repo, fields, actor);
    send("sub_issues", added ? "parent_issue_added" : "parent_issue_removed", repo, fields, actor);
  };
  const dependencyEvent = (added: boolean, repo: Repo, blocked: Issue, blocking: Issue, actor: Call["actor"]) => {
    const fields = {
      blocked_issue_id: issueId(repo, blocked),
      blocked_issue: full(repo, blocked),
      blocking_issue_id: issueId(repo, blocking),
      blocking_issue: full(repo, blocking),
      blocking_issue_repo: fullRepo(repo, urls, world.state.user(repo.owner)),
    };
    send("issue_dependencies", added ? "blocked_by_added" : "blocked_by_removed", repo, fields, actor);
    send("issue_dependencies", added ? "blocking_added" : "blocking_removed", repo, fields, actor);
  };
  const parentOf = (repo: Repo, child: Issue) => [...repo.issues.values()].find((i) => i.subIssues?.includes(child.number));

  return [
    route("GET", "/repos/{owner}/{repo}/issues/{n}/sub_issues", (call) => {
      const { repo, issue } = issueOf(call);
      return list(
        call,
        repo,
        (issue.subIssues ?? []).map((n) => world.requireIssue(repo, n)),
      );
    }),
    route("POST", "/repos/{owner}/{repo}/issues/{n}/sub_issues", (call) => {
      const { repo, issue } = issueOf(call);
      const child = byId(repo, call.body.sub_issue_id, "sub_issue_id");
      const current = parentOf(repo, child);
      if (child === issue || (current && !call.body.replace_parent)) {
        throw new SandboxError(
          invalid("Validation Failed", [
            {
              resource: "Issue",
              field: "sub_issue_id",
              code: "custom",
              message:
                child === issue ? "An issue cannot be its own sub-issue" : "Issue may not contain duplicate sub-issues and sub-issue may only have one parent",
            },
          ]),
        );
      }
      if (current) current.subIssues = current.subIssues!.filter((n) => n !== child.number);
      issue.subIssues = [...(issue.subIssues ?? []), child.number];
      subIssueEvent(true, repo, issue, child, call.actor);
      return ok(full(repo, issue), 201);
    }),
    route("DELETE", "/repos/{owner}/{repo}/issues/{n}/sub_issue", (call) => {
      const { repo, issue } = issueOf(call);
      const child = byId(repo, call.body.sub_issue_id, "sub_issue_id");
      if (!issue.subIssues?.includes(child.number)) throw new SandboxError(notFound());
      issue.subIssues = issue.subIssues.filter((n) => n !== child.number);
      subIssueEvent(false, repo, issue, child, call.actor);
      return ok(full(repo, issue));
    }),
    route("GET", "/repos/{owner}/{repo}/issues/{n}/dependencies/blocked_by", (call) => {
      const { repo, issue } = issueOf(call);
      return list(
        call,
        repo,
        (issue.blockedBy ?? []).map((n) => world.requireIssue(repo, n)),
      );
    }),
    route("POST", "/repos/{owner}/{repo}/issues/{n}/dependencies/blocked_by", (call) => {
      const { repo, issue } = issueOf(call);
      const blocking = byId(repo, call.body.issue_id, "issue_id");
      if (blocking === issue || issue.blockedBy?.includes(blocking.number) || blocks(repo, issue, blocking)) {
        throw new SandboxError(
          invalid("Validation Failed", [
            { resource: "IssueDependency", field: "issue_id", code: "custom", message: "The dependency already exists or would create a cycle" },
          ]),
        );
      }
      issue.blockedBy = [...(issue.blockedBy ?? []), blocking.number];
      dependencyEvent(true, repo, issue, blocking, call.actor);
      return ok(full(repo, blocking), 201);
    }),
    route("DELETE", "/repos/{owner}/{repo}/issues/{n}/dependencies/blocked_by/{id}", (call) => {
      const { repo, issue } = issueOf(call);
      const blocking = byId(repo, call.params[3], "issue_id");
      if (!issue.blockedBy?.includes(blocking.number)) throw new SandboxError(notFound());
      issue.blockedBy = issue.blockedBy.filter((n) => n !== blocking.number);
      dependencyEvent(false, repo, issue, blocking, call.actor);
      return ok(full(repo, blocking));
    }),
    route("GET", "/repos/{owner}/{repo}/issues/{n}/dependencies/blocking", (call) => {
      const { repo, issue } = issueOf(call);
      return list(
        call,
        repo,
        [...repo.issues.values()].filter((i) => i.blockedBy?.includes(issue.number)),
      );
    }),
  ];
}

const issueId = (repo: Repo, issue: Issue) => repo.id * 100_000 + issue.number;

/** Whether `a` already (transitively) blocks `b`: adding "a blocked by b" would close a cycle. */
function blocks(repo: Repo, a: Issue, b: Issue, seen = new Set<number>()): boolean {
  if (seen.has(b.number)) return false;
  seen.add(b.number);
  return (b.blockedBy ?? []).some((n) => n === a.number || blocks(repo, a, repo.issues.get(n)!, seen));
}

/** The issue with every field GitHub's "Issue" schema requires, summaries included. */
export function renderFullIssue(repo: Repo, issue: Issue, urls: Urls, owner: User) {
  const base = renderIssue(issue, repo, urls);
  const children = (issue.subIssues ?? []).map((n) => repo.issues.get(n)).filter((i): i is Issue => i !== undefined);
  const completed = children.filter((i) => i.state === "closed").length;
  const blocking = [...repo.issues.values()].filter((i) => i.blockedBy?.includes(issue.number));
  const openBlockers = (issue.blockedBy ?? []).filter((n) => repo.issues.get(n)?.state === "open");
  const user = fullUser(base.user);
  return {
    ...base,
    user,
    labels_url: `${base.url}/labels{/name}`,
    comments_url: `${base.url}/comments`,
    events_url: `${base.url}/events`,
    timeline_url: `${base.url}/timeline`,
    state_reason: issue.state === "closed" ? "completed" : null,
    assignee: null,
    assignees: [],
    milestone: null,
    active_lock_reason: null,
    author_association: issue.user.login === owner.login ? "OWNER" : "NONE",
    repository: fullRepo(repo, urls, owner),
    sub_issues_summary: { total: children.length, completed, percent_completed: children.length ? Math.floor((completed * 100) / children.length) : 0 },
    issue_dependencies_summary: {
      blocked_by: openBlockers.length,
      blocking: blocking.filter((i) => i.state === "open").length,
      total_blocked_by: (issue.blockedBy ?? []).length,
      total_blocking: blocking.length,
    },
    parent_issue_url: [...repo.issues.values()].some((i) => i.subIssues?.includes(issue.number))
      ? `${base.repository_url}/issues/${[...repo.issues.values()].find((i) => i.subIssues?.includes(issue.number))!.number}`
      : null,
  };
}

/** A "Simple User" with the URL fields GitHub's schema requires. */
function fullUser(user: ReturnType<typeof renderUser>) {
  return {
    ...user,
    avatar_url: `${user.html_url}.png`,
    gravatar_id: "",
    followers_url: `${user.url}/followers`,
    following_url: `${user.url}/following{/other_user}`,
    gists_url: `${user.url}/gists{/gist_id}`,
    starred_url: `${user.url}/starred{/owner}{/repo}`,
    subscriptions_url: `${user.url}/subscriptions`,
    organizations_url: `${user.url}/orgs`,
    repos_url: `${user.url}/repos`,
    events_url: `${user.url}/events{/privacy}`,
    received_events_url: `${user.url}/received_events`,
  };
}

const URL_FIELDS = [
  "archive",
  "assignees",
  "blobs",
  "branches",
  "collaborators",
  "comments",
  "commits",
  "compare",
  "contents",
  "contributors",
  "deployments",
  "downloads",
  "events",
  "forks",
  "git_commits",
  "git_refs",
  "git_tags",
  "hooks",
  "issue_comment",
  "issue_events",
  "issues",
  "keys",
  "labels",
  "languages",
  "merges",
  "milestones",
  "notifications",
  "pulls",
  "releases",
  "stargazers",
  "statuses",
  "subscribers",
  "subscription",
  "tags",
  "teams",
  "trees",
];

/** A repository with every field GitHub's "Repository" schema requires (the sandbox has no forks, stars or licence). */
export function fullRepo(repo: Repo, urls: Urls, owner: User) {
  const base = renderRepo(repo, urls, owner);
  const open = [...repo.issues.values()].filter((i) => i.state === "open").length;
  return {
    ...base,
    owner: fullUser(base.owner),
    ...Object.fromEntries(URL_FIELDS.map((name) => [`${name}_url`, `${base.url}/${name.replace("_", "/")}`])),
    git_url: `git:${base.clone_url.replace(/^https?:/, "")}`,
    ssh_url: `git@${new URL(urls.web).host}:${base.full_name}.git`,
    svn_url: base.html_url,
    mirror_url: null,
    homepage: null,
    description: null,
    language: null,
    license: null,
    fork: false,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 0,
    open_issues: open,
    open_issues_count: open,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    archived: false,
    disabled: false,
    pushed_at: null,
    created_at: null,
    updated_at: null,
  };
}

/** The owning account as an "Organization Simple" (the sandbox treats every owner as an organisation). */
function organizationOf(repo: Repo, urls: Urls, owner: User) {
  const url = `${urls.api}/orgs/${encodeURIComponent(repo.owner)}`;
  return {
    login: repo.owner,
    id: owner.id,
    node_id: `O_${owner.id}`,
    url,
    repos_url: `${url}/repos`,
    events_url: `${url}/events`,
    hooks_url: `${url}/hooks`,
    issues_url: `${url}/issues`,
    members_url: `${url}/members{/member}`,
    public_members_url: `${url}/public_members{/member}`,
    avatar_url: `${urls.web}/${encodeURIComponent(repo.owner)}.png`,
    description: null,
  };
}
