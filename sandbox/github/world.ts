import { join } from "node:path";
import { diffFiles, git, initRepo, listBranches, mergeBranch, resolveRef } from "./git.js";
import { invalid, notFound, type Actor, type Reply } from "./http.js";
import { Payloads } from "./payloads.js";
import type { AppInfo, Urls } from "./render.js";
import { headRev, SandboxState, type Comment, type Issue, type Repo, type User } from "./state.js";
import type { WebhookSender } from "./webhooks.js";

const ZERO = "0000000000000000000000000000000000000000";
const LABEL_COLORS = ["1d76db", "0e8a16", "fbca04", "b60205", "5319e7", "c5def5", "ededed"];

/** A failure GitHub would answer with a status: thrown by actions, turned into the reply by the router. */
export class SandboxError extends Error {
  constructor(readonly reply: Reply) {
    super(String((reply.body as { message?: string } | undefined)?.message ?? reply.status));
  }
}

/**
 * What people and the app can do in the sandbox. Every action changes the state exactly
 * as the REST route would and sends the webhooks GitHub would send, with the actor as sender.
 */
export class World {
  readonly state = new SandboxState();
  readonly payloads: Payloads;
  /** Called for every branch a push moved (the built-in CI listens here). */
  readonly pushListeners: Array<(repo: Repo, branch: string, sha: string) => Promise<void>> = [];

  constructor(
    readonly urls: Urls,
    readonly appId: number,
    readonly appSlug: string,
    readonly gitRoot: string,
    readonly webhooks: WebhookSender,
  ) {
    this.payloads = new Payloads(this.state, urls, this.app);
  }

  /** The app, as `performed_via_github_app` shows it. */
  get app(): AppInfo {
    return { id: this.appId, slug: this.appSlug, owner: this.state.user("sandbox") };
  }

  /** The app wrote it: GitHub sets `performed_via_github_app` on what an app's tokens create. */
  isApp(actor: Actor | undefined): boolean {
    return actor?.kind === "installation" || actor?.kind === "app";
  }

  actorUser(actor: Actor | undefined): User {
    if (actor?.kind === "installation" || actor?.kind === "app") return this.state.user(`${this.appSlug}[bot]`);
    return this.state.user(actor?.kind === "user" ? actor.login : "octocat");
  }

  requireRepo(owner: string, name: string): Repo {
    const repo = this.state.repo(owner, name);
    if (!repo) throw new SandboxError(notFound());
    return repo;
  }

  requireIssue(repo: Repo, number: number): Issue {
    const issue = repo.issues.get(number);
    if (!issue) throw new SandboxError(notFound());
    return issue;
  }

  async createRepo(owner: string, name: string, options: { files?: Record<string, string>; defaultBranch?: string } = {}): Promise<Repo> {
    if (this.state.repo(owner, name))
      throw new SandboxError(invalid("Repository creation failed.", [{ code: "custom", message: "name already exists on this account" }]));
    const defaultBranch = options.defaultBranch ?? "main";
    const gitDir = join(this.gitRoot, owner, `${name}.git`);
    await initRepo(gitDir, defaultBranch, options.files ?? {});
    const repo: Repo = {
      id: this.state.id(),
      owner,
      name,
      defaultBranch,
      gitDir,
      labels: new Map(),
      issues: new Map(),
      nextNumber: 1,
      checkRuns: [],
      roles: new Map(),
    };
    this.state.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    if (!this.state.installationFor(owner)) {
      this.state.installations.set(owner.toLowerCase(), { id: this.state.id(), account: this.state.user(owner) });
      this.webhooks.send("installation", this.payloads.installation(repo, this.state.user(owner)));
    }
    return repo;
  }

  ensureLabel(repo: Repo, name: string, color?: string, description?: string | null) {
    let label = repo.labels.get(name.toLowerCase());
    if (!label) {
      label = { id: this.state.id(), name, color: color ?? LABEL_COLORS[repo.labels.size % LABEL_COLORS.length]!, description: description ?? null };
      repo.labels.set(name.toLowerCase(), label);
    }
    return label;
  }

  /** A new open issue (or pull request, with `pull`) under the repository's next number. */
  private addIssue(repo: Repo, input: { title: string; body?: string }, actor: Actor | undefined, pull?: Issue["pull"]): Issue {
    const now = new Date().toISOString();
    const issue: Issue = {
      number: repo.nextNumber++,
      title: input.title,
      body: input.body ?? "",
      state: "open",
      labels: [],
      user: this.actorUser(actor),
      comments: [],
      events: [],
      created_at: now,
      updated_at: now,
      ...(pull ? { pull } : {}),
    };
    repo.issues.set(issue.number, issue);
    return issue;
  }

  createIssue(repo: Repo, input: { title: string; body?: string; labels?: string[] }, actor: Actor | undefined): Issue {
    const issue = this.addIssue(repo, input, actor);
    for (const name of input.labels ?? []) {
      issue.labels.push(this.ensureLabel(repo, name).name);
      this.recordEvent(issue, "labeled", name, actor);
    }
    this.webhooks.send("issues", this.payloads.issue("opened", repo, issue, issue.user));
    for (const label of issue.labels) this.webhooks.send("issues", this.payloads.labeled("labeled", repo, issue, label, issue.user));
    return issue;
  }

  addLabels(repo: Repo, issue: Issue, labels: string[], actor: Actor | undefined): void {
    const sender = this.actorUser(actor);
    for (const name of labels) {
      const label = this.ensureLabel(repo, name);
      if (issue.labels.some((l) => l.toLowerCase() === label.name.toLowerCase())) continue;
      issue.labels.push(label.name);
      this.recordEvent(issue, "labeled", label.name, actor);
      this.touch(issue);
      // Labels on pull requests send pull_request.labeled on GitHub; Baton does not use it.
      if (!issue.pull) this.webhooks.send("issues", this.labelPayload("labeled", repo, issue, label.name, sender));
    }
  }

  removeLabel(repo: Repo, issue: Issue, name: string, actor: Actor | undefined): void {
    const present = issue.labels.find((l) => l.toLowerCase() === name.toLowerCase());
    if (!present) throw new SandboxError(notFound("Label does not exist"));
    issue.labels = issue.labels.filter((l) => l !== present);
    this.recordEvent(issue, "unlabeled", present, actor);
    this.touch(issue);
    if (!issue.pull) this.webhooks.send("issues", this.labelPayload("unlabeled", repo, issue, present, this.actorUser(actor)));
  }

  setLabels(repo: Repo, issue: Issue, labels: string[], actor: Actor | undefined): void {
    for (const old of [...issue.labels]) if (!labels.some((l) => l.toLowerCase() === old.toLowerCase())) this.removeLabel(repo, issue, old, actor);
    this.addLabels(repo, issue, labels, actor);
  }

  comment(repo: Repo, issue: Issue, body: string, actor: Actor | undefined): Comment {
    const now = new Date().toISOString();
    const comment: Comment = {
      id: this.state.id(),
      issue: issue.number,
      body,
      user: this.actorUser(actor),
      viaApp: this.isApp(actor),
      created_at: now,
      updated_at: now,
    };
    issue.comments.push(comment);
    this.touch(issue);
    this.webhooks.send("issue_comment", this.payloads.comment("created", repo, issue, comment, comment.user));
    return comment;
  }

  editComment(repo: Repo, comment: Comment, body: string, actor: Actor | undefined): Comment {
    comment.body = body;
    comment.updated_at = new Date().toISOString();
    const issue = this.requireIssue(repo, comment.issue);
    this.webhooks.send("issue_comment", this.payloads.comment("edited", repo, issue, comment, this.actorUser(actor)));
    return comment;
  }

  findComment(repo: Repo, id: number): Comment {
    for (const issue of repo.issues.values()) {
      const found = issue.comments.find((c) => c.id === id);
      if (found) return found;
    }
    throw new SandboxError(notFound());
  }

  setIssueState(repo: Repo, issue: Issue, state: "open" | "closed", actor: Actor | undefined): void {
    if (issue.state === state) return;
    issue.state = state;
    this.touch(issue);
    if (!issue.pull) this.webhooks.send("issues", this.payloads.issue(state === "closed" ? "closed" : "reopened", repo, issue, this.actorUser(actor)));
  }

  /**
   * Opens a pull request. `head` is `branch` or `owner:branch`; another owner names a fork
   * (a sandbox repository of that owner with the same name), whose branch is fetched into
   * the base repository under `refs/pull/<n>/head`, as GitHub does.
   */
  async createPull(
    repo: Repo,
    input: { title: string; body?: string; head: string; base?: string; draft?: boolean },
    actor: Actor | undefined,
  ): Promise<Issue> {
    const [headOwner, head] = input.head.includes(":") ? (input.head.split(":") as [string, string]) : [repo.owner, input.head];
    const headRepo = headOwner.toLowerCase() === repo.owner.toLowerCase() ? undefined : this.state.repo(headOwner, repo.name);
    const base = input.base ?? repo.defaultBranch;
    if (!(await resolveRef((headRepo ?? repo).gitDir, `refs/heads/${head}`)))
      throw new SandboxError(invalid("Validation Failed", [{ resource: "PullRequest", field: "head", code: "invalid" }]));
    const open = [...repo.issues.values()].find((i) => i.pull && i.state === "open" && i.pull.head === head && i.pull.headRepo === headRepo);
    if (open)
      throw new SandboxError(
        invalid("Validation Failed", [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${repo.owner}:${head}.` }]),
      );
    const issue = this.addIssue(repo, input, actor, { head, headRepo, base, merged: false, merged_at: null, reviews: [], draft: input.draft ?? false });
    if (headRepo) await git(repo.gitDir, ["fetch", "--quiet", headRepo.gitDir, `refs/heads/${head}:${headRev(issue)}`]);
    this.webhooks.send("pull_request", this.payloads.pull("opened", repo, issue, issue.user, await this.shas(repo, issue)));
    return issue;
  }

  async mergePull(repo: Repo, issue: Issue, actor: Actor | undefined): Promise<string> {
    const pull = issue.pull;
    if (!pull || issue.state !== "open") throw new SandboxError({ status: 405, body: { message: "Pull Request is not mergeable" } });
    const before = await listBranches(repo.gitDir);
    const sha = await mergeBranch(
      repo.gitDir,
      pull.base,
      headRev(issue),
      `Merge pull request #${issue.number} from ${(pull.headRepo ?? repo).owner}/${pull.head}`,
    );
    pull.merged = true;
    pull.merged_at = new Date().toISOString();
    issue.state = "closed";
    this.touch(issue);
    const sender = this.actorUser(actor);
    this.webhooks.send("pull_request", this.payloads.pull("closed", repo, issue, sender, await this.shas(repo, issue)));
    await this.announcePush(repo, before, sender);
    return sha;
  }

  /** Sends `push` (and `pull_request.synchronize`) for every branch that moved since `before`. */
  async announcePush(repo: Repo, before: Map<string, string>, sender: User): Promise<void> {
    const after = await listBranches(repo.gitDir);
    for (const [branch, sha] of after) {
      const old = before.get(branch) ?? ZERO;
      if (old === sha) continue;
      const files = old === ZERO ? { added: [], modified: [], removed: [] } : await this.changedFiles(repo, old, sha);
      this.webhooks.send("push", this.payloads.push(repo, `refs/heads/${branch}`, old, sha, files, sender));
      for (const issue of repo.issues.values()) {
        if (issue.pull?.head === branch && !issue.pull.headRepo && issue.state === "open")
          this.webhooks.send("pull_request", this.payloads.pull("synchronize", repo, issue, sender, await this.shas(repo, issue)));
      }
      for (const listener of this.pushListeners) await listener(repo, branch, sha);
    }
  }

  async shas(repo: Repo, issue: Issue): Promise<{ head: string; base: string }> {
    const pull = issue.pull!;
    return { head: (await resolveRef(repo.gitDir, headRev(issue))) ?? ZERO, base: (await resolveRef(repo.gitDir, `refs/heads/${pull.base}`)) ?? ZERO };
  }

  private async changedFiles(repo: Repo, from: string, to: string) {
    const files = await diffFiles(repo.gitDir, from, to).catch(() => []);
    return {
      added: files.filter((f) => f.status === "added").map((f) => f.filename),
      modified: files.filter((f) => f.status === "modified").map((f) => f.filename),
      removed: files.filter((f) => f.status === "removed").map((f) => f.filename),
    };
  }

  private labelPayload(action: "labeled" | "unlabeled", repo: Repo, issue: Issue, label: string, sender: User) {
    return this.payloads.labeled(action, repo, issue, label, sender);
  }

  private recordEvent(issue: Issue, event: "labeled" | "unlabeled", label: string, actor: Actor | undefined): void {
    issue.events.push({ id: this.state.id(), event, actor: this.actorUser(actor), viaApp: this.isApp(actor), label, created_at: new Date().toISOString() });
  }

  private touch(issue: Issue): void {
    issue.updated_at = new Date().toISOString();
  }
}
