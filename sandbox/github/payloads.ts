import { renderComment, renderIssue, renderLabel, renderPull, renderRepo, renderUser, type AppInfo, type Urls } from "./render.js";
import type { Comment, Issue, Repo, SandboxState, User } from "./state.js";

/** Webhook payloads shaped like GitHub's (see @octokit/webhooks-examples). */
export class Payloads {
  constructor(
    private readonly state: SandboxState,
    private readonly urls: Urls,
    private readonly app: AppInfo,
  ) {}

  common(repo: Repo, sender: User) {
    const installation = this.state.installationFor(repo.owner);
    return {
      repository: renderRepo(repo, this.urls, this.state.user(repo.owner)),
      sender: renderUser(sender, this.urls),
      installation: installation ? { id: installation.id, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${installation.id}` } : undefined,
    };
  }

  issue(action: string, repo: Repo, issue: Issue, sender: User, extra: Record<string, unknown> = {}) {
    return { action, issue: renderIssue(issue, repo, this.urls), ...extra, ...this.common(repo, sender) };
  }

  labeled(action: "labeled" | "unlabeled", repo: Repo, issue: Issue, label: string, sender: User) {
    const known = repo.labels.get(label.toLowerCase()) ?? { id: 0, name: label, color: "ededed", description: null };
    return this.issue(action, repo, issue, sender, { label: renderLabel(known, repo, this.urls) });
  }

  comment(action: string, repo: Repo, issue: Issue, comment: Comment, sender: User) {
    return { action, issue: renderIssue(issue, repo, this.urls), comment: renderComment(comment, repo, this.urls, this.app), ...this.common(repo, sender) };
  }

  pull(action: string, repo: Repo, issue: Issue, sender: User, shas: { head: string; base: string }) {
    return { action, number: issue.number, pull_request: renderPull(issue, repo, this.urls, this.state.user(repo.owner), shas), ...this.common(repo, sender) };
  }

  push(repo: Repo, ref: string, before: string, after: string, files: { added: string[]; modified: string[]; removed: string[] }, sender: User) {
    const commit = {
      id: after,
      message: "push",
      timestamp: new Date().toISOString(),
      ...files,
      author: { name: sender.login, email: `${sender.login}@sandbox`, username: sender.login },
    };
    return {
      ref,
      before,
      after,
      created: /^0+$/.test(before),
      deleted: /^0+$/.test(after),
      forced: false,
      base_ref: null,
      compare: `${this.urls.web}/${repo.owner}/${repo.name}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
      commits: [commit],
      head_commit: commit,
      pusher: { name: sender.login, email: `${sender.login}@sandbox` },
      ...this.common(repo, sender),
    };
  }

  installation(repo: Repo, sender: User) {
    const installation = this.state.installationFor(repo.owner)!;
    return {
      action: "created",
      installation: { id: installation.id, account: renderUser(installation.account, this.urls), repository_selection: "all", permissions: {}, events: [] },
      repositories: [{ id: repo.id, node_id: `R_${repo.id}`, name: repo.name, full_name: `${repo.owner}/${repo.name}`, private: false }],
      sender: renderUser(sender, this.urls),
    };
  }
}
