import type { TreeItem } from "./git.js";
import type { Comment, Issue, IssueEvent, Label, Repo, User } from "./state.js";

/** Response shapes, with the fields GitHub's clients read. */
export interface Urls {
  /** http://127.0.0.1:PORT */
  web: string;
  /** http://127.0.0.1:PORT/api/v3 */
  api: string;
}

function userLinks(api: string) {
  return {
    events_url: `${api}/events{/privacy}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    organizations_url: `${api}/orgs`,
    received_events_url: `${api}/received_events`,
    repos_url: `${api}/repos`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
  };
}

export function renderUser(user: User, urls: Urls) {
  return {
    login: user.login,
    id: user.id,
    node_id: `U_${user.id}`,
    type: user.type,
    site_admin: false,
    url: `${urls.api}/users/${encodeURIComponent(user.login)}`,
    html_url: `${urls.web}/${encodeURIComponent(user.login)}`,
    // The rest of GitHub's simple-user (required by its OpenAPI description).
    ...userLinks(`${urls.api}/users/${encodeURIComponent(user.login)}`),
    avatar_url: `${urls.web}/avatars/${encodeURIComponent(user.login)}`,
    gravatar_id: "",
  };
}

export function renderLabel(label: Label, repo: Repo, urls: Urls) {
  return {
    id: label.id,
    node_id: `LA_${label.id}`,
    url: `${urls.api}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    description: label.description,
    default: false,
  };
}

/** The labels on an issue, in the full label shape (a name the repository lost still renders). */
export function renderIssueLabels(issue: Issue, repo: Repo, urls: Urls) {
  return issue.labels.map((name) => renderLabel(repo.labels.get(name.toLowerCase()) ?? { id: 0, name, color: "ededed", description: null }, repo, urls));
}

/** A branch with its tip (`branch-with-protection`); the sandbox tracks no commit authors, so the tip's commit says only its sha. */
export function renderBranch(repo: Repo, name: string, sha: string, urls: Urls) {
  const full = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  const person = { name: "sandbox", email: "sandbox@example.invalid", date: SANDBOX_EPOCH };
  return {
    name,
    commit: {
      sha,
      node_id: `C_${sha}`,
      url: `${full}/commits/${sha}`,
      html_url: `${urls.web}/${repo.owner}/${repo.name}/commit/${sha}`,
      comments_url: `${full}/commits/${sha}/comments`,
      commit: {
        url: `${full}/git/commits/${sha}`,
        author: person,
        committer: person,
        message: "",
        comment_count: 0,
        tree: { sha, url: `${full}/git/trees/${sha}` },
      },
      author: null,
      committer: null,
      parents: [],
    },
    _links: { self: `${full}/branches/${name}`, html: `${urls.web}/${repo.owner}/${repo.name}/tree/${name}` },
    protected: false,
    protection: { enabled: false },
    protection_url: `${full}/branches/${name}/protection`,
  };
}

/** One entry of the contents API (a file's bytes are added by the caller). */
export function renderContent(repo: Repo, ref: string, item: TreeItem, urls: Urls) {
  const url = `${urls.api}/repos/${repo.owner}/${repo.name}/contents/${item.path}?ref=${encodeURIComponent(ref)}`;
  const html = `${urls.web}/${repo.owner}/${repo.name}/${item.type === "dir" ? "tree" : "blob"}/${ref}/${item.path}`;
  const git = `${urls.api}/repos/${repo.owner}/${repo.name}/git/${item.type === "dir" ? "trees" : "blobs"}/${item.sha}`;
  const download = item.type === "file" ? `${urls.web}/${repo.owner}/${repo.name}/raw/${ref}/${item.path}` : null;
  return {
    type: item.type,
    size: item.size,
    name: item.name,
    path: item.path,
    sha: item.sha,
    url,
    git_url: git,
    html_url: html,
    download_url: download,
    _links: { self: url, git, html },
  };
}

/** The URL templates of GitHub's minimal-repository (required by its OpenAPI description). */
function repoLinks(api: string) {
  const plain = [
    "contributors",
    "deployments",
    "downloads",
    "events",
    "forks",
    "languages",
    "merges",
    "stargazers",
    "subscribers",
    "subscription",
    "tags",
    "teams",
    "hooks",
  ];
  const templated: Record<string, string> = {
    archive_url: "/{archive_format}{/ref}",
    assignees_url: "/assignees{/user}",
    blobs_url: "/git/blobs{/sha}",
    branches_url: "/branches{/branch}",
    collaborators_url: "/collaborators{/collaborator}",
    comments_url: "/comments{/number}",
    commits_url: "/commits{/sha}",
    compare_url: "/compare/{base}...{head}",
    contents_url: "/contents/{+path}",
    git_commits_url: "/git/commits{/sha}",
    git_refs_url: "/git/refs{/sha}",
    git_tags_url: "/git/tags{/sha}",
    issue_comment_url: "/issues/comments{/number}",
    issue_events_url: "/issues/events{/number}",
    issues_url: "/issues{/number}",
    keys_url: "/keys{/key_id}",
    labels_url: "/labels{/name}",
    milestones_url: "/milestones{/number}",
    notifications_url: "/notifications{?since,all,participating}",
    pulls_url: "/pulls{/number}",
    releases_url: "/releases{/id}",
    statuses_url: "/statuses/{sha}",
    trees_url: "/git/trees{/sha}",
  };
  return {
    ...Object.fromEntries(plain.map((name) => [`${name}_url`, `${api}/${name}`])),
    ...Object.fromEntries(Object.entries(templated).map(([key, path]) => [key, `${api}${path}`])),
  };
}

export function renderRepo(repo: Repo, urls: Urls, owner: User) {
  const full = `${repo.owner}/${repo.name}`;
  return {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: full,
    private: false,
    owner: renderUser(owner, urls),
    html_url: `${urls.web}/${full}`,
    url: `${urls.api}/repos/${full}`,
    clone_url: `${urls.web}/${full}.git`,
    default_branch: repo.defaultBranch,
    permissions: { admin: false, push: true, pull: true },
    description: null,
    fork: false,
    ...repoLinks(`${urls.api}/repos/${full}`),
    git_url: `${urls.web.replace(/^http/, "git")}/${full}.git`,
    ssh_url: `git@${new URL(urls.web).host}:${full}.git`,
    svn_url: `${urls.web}/${full}`,
    mirror_url: null,
    homepage: null,
    language: null,
    license: null,
    size: 0,
    forks: 0,
    forks_count: 0,
    network_count: 0,
    open_issues: 0,
    open_issues_count: 0,
    stargazers_count: 0,
    subscribers_count: 0,
    watchers: 0,
    watchers_count: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: "public",
    created_at: SANDBOX_EPOCH,
    updated_at: SANDBOX_EPOCH,
    pushed_at: SANDBOX_EPOCH,
  };
}

/** The time the sandbox gives what it does not track (a repository's creation, an app's). */
const SANDBOX_EPOCH = "2024-01-01T00:00:00Z";

export function renderIssue(issue: Issue, repo: Repo, urls: Urls) {
  const full = `${repo.owner}/${repo.name}`;
  const kind = issue.pull ? "pull" : "issues";
  return {
    id: repo.id * 100_000 + issue.number,
    node_id: `I_${repo.id}_${issue.number}`,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    locked: false,
    user: renderUser(issue.user, urls),
    labels: renderIssueLabels(issue, repo, urls),
    comments: issue.comments.length,
    assignee: null,
    assignees: [],
    milestone: null,
    author_association: "NONE",
    url: `${urls.api}/repos/${full}/issues/${issue.number}`,
    comments_url: `${urls.api}/repos/${full}/issues/${issue.number}/comments`,
    events_url: `${urls.api}/repos/${full}/issues/${issue.number}/events`,
    labels_url: `${urls.api}/repos/${full}/issues/${issue.number}/labels{/name}`,
    html_url: `${urls.web}/${full}/${kind}/${issue.number}`,
    repository_url: `${urls.api}/repos/${full}`,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.state === "closed" ? issue.updated_at : null,
    ...(issue.pull
      ? {
          pull_request: {
            url: `${urls.api}/repos/${full}/pulls/${issue.number}`,
            html_url: `${urls.web}/${full}/pull/${issue.number}`,
            diff_url: `${urls.web}/${full}/pull/${issue.number}.diff`,
            patch_url: `${urls.web}/${full}/pull/${issue.number}.patch`,
            merged_at: issue.pull.merged_at,
          },
        }
      : {}),
  };
}

/** The app as GitHub embeds it in `performed_via_github_app` (an `integration`). */
export interface AppInfo {
  id: number;
  slug: string;
  owner: User;
}

export function renderApp(app: AppInfo, urls: Urls) {
  return {
    id: app.id,
    slug: app.slug,
    node_id: `A_${app.id}`,
    owner: renderUser(app.owner, urls),
    name: `${app.slug} (sandbox)`,
    description: null,
    external_url: urls.web,
    html_url: `${urls.web}/apps/${app.slug}`,
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-01-01T00:00:00Z",
    permissions: { issues: "write", pull_requests: "write", contents: "write", checks: "write", metadata: "read" },
    events: ["issues", "issue_comment", "pull_request", "push"],
  };
}

/** One `labeled`/`unlabeled` issue event (`labeled-issue-event` in GitHub's OpenAPI description). */
export function renderIssueEvent(event: IssueEvent, repo: Repo, urls: Urls, app: AppInfo) {
  const known = repo.labels.get(event.label.toLowerCase());
  return {
    id: event.id,
    node_id: `LE_${event.id}`,
    url: `${urls.api}/repos/${repo.owner}/${repo.name}/issues/events/${event.id}`,
    actor: renderUser(event.actor, urls),
    event: event.event,
    commit_id: null,
    commit_url: null,
    created_at: event.created_at,
    performed_via_github_app: event.viaApp ? renderApp(app, urls) : null,
    label: { name: event.label, color: known?.color ?? "ededed" },
  };
}

export function renderComment(comment: Comment, repo: Repo, urls: Urls, app: AppInfo) {
  const full = `${repo.owner}/${repo.name}`;
  return {
    id: comment.id,
    node_id: `IC_${comment.id}`,
    body: comment.body,
    user: renderUser(comment.user, urls),
    url: `${urls.api}/repos/${full}/issues/comments/${comment.id}`,
    html_url: `${urls.web}/${full}/issues/${comment.issue}#issuecomment-${comment.id}`,
    issue_url: `${urls.api}/repos/${full}/issues/${comment.issue}`,
    created_at: comment.created_at,
    updated_at: comment.updated_at,
    author_association: "NONE",
    performed_via_github_app: comment.viaApp ? renderApp(app, urls) : null,
  };
}

export function renderPull(issue: Issue, repo: Repo, urls: Urls, owner: User, shas: { head: string; base: string }) {
  const full = `${repo.owner}/${repo.name}`;
  const pull = issue.pull!;
  const repoShape = renderRepo(repo, urls, owner);
  return {
    ...renderIssue(issue, repo, urls),
    id: repo.id * 100_000 + issue.number,
    url: `${urls.api}/repos/${full}/pulls/${issue.number}`,
    html_url: `${urls.web}/${full}/pull/${issue.number}`,
    diff_url: `${urls.web}/${full}/pull/${issue.number}.diff`,
    patch_url: `${urls.web}/${full}/pull/${issue.number}.patch`,
    issue_url: `${urls.api}/repos/${full}/issues/${issue.number}`,
    commits_url: `${urls.api}/repos/${full}/pulls/${issue.number}/commits`,
    review_comments_url: `${urls.api}/repos/${full}/pulls/${issue.number}/comments`,
    review_comment_url: `${urls.api}/repos/${full}/pulls/comments{/number}`,
    comments_url: `${urls.api}/repos/${full}/issues/${issue.number}/comments`,
    statuses_url: `${urls.api}/repos/${full}/statuses/${shas.head}`,
    _links: {
      self: { href: `${urls.api}/repos/${full}/pulls/${issue.number}` },
      html: { href: `${urls.web}/${full}/pull/${issue.number}` },
      issue: { href: `${urls.api}/repos/${full}/issues/${issue.number}` },
      comments: { href: `${urls.api}/repos/${full}/issues/${issue.number}/comments` },
      review_comments: { href: `${urls.api}/repos/${full}/pulls/${issue.number}/comments` },
      review_comment: { href: `${urls.api}/repos/${full}/pulls/comments{/number}` },
      commits: { href: `${urls.api}/repos/${full}/pulls/${issue.number}/commits` },
      statuses: { href: `${urls.api}/repos/${full}/statuses/${shas.head}` },
    },
    auto_merge: null,
    // The sandbox computes no test merge: GitHub's "not yet known" answer.
    merge_commit_sha: null,
    mergeable: null,
    mergeable_state: "unknown",
    merged_by: null,
    maintainer_can_modify: false,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
    review_comments: pull.reviewComments?.length ?? 0,
    merged: pull.merged,
    merged_at: pull.merged_at,
    draft: pull.draft ?? false,
    head: pull.headRepo
      ? {
          label: `${pull.headRepo.owner}:${pull.head}`,
          ref: pull.head,
          sha: shas.head,
          repo: renderRepo(pull.headRepo, urls, issue.user),
          user: renderUser(issue.user, urls),
        }
      : { label: `${repo.owner}:${pull.head}`, ref: pull.head, sha: shas.head, repo: repoShape, user: renderUser(owner, urls) },
    base: { label: `${repo.owner}:${pull.base}`, ref: pull.base, sha: shas.base, repo: repoShape, user: renderUser(owner, urls) },
  };
}
