/** The sandbox's in-memory world: what GitHub would keep in its databases. */

export interface User {
  login: string;
  id: number;
  type: "User" | "Bot";
}

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface Comment {
  id: number;
  issue: number;
  body: string;
  user: User;
  /** Set when the app wrote it (installation token or JWT), as GitHub's `performed_via_github_app`. */
  viaApp: boolean;
  created_at: string;
  updated_at: string;
}

/** An issue's timeline event (`labeled`, `unlabeled`), as `GET …/issues/{n}/events` lists them. */
export interface IssueEvent {
  id: number;
  event: "labeled" | "unlabeled";
  actor: User;
  viaApp: boolean;
  label: string;
  created_at: string;
}

export interface Review {
  id: number;
  body: string;
  event: string;
  state: string;
  user: User;
  commit_id: string;
  submitted_at: string;
}

export interface Pull {
  head: string;
  /** The repository the head branch lives in when it is a fork (its branch is fetched to `refs/pull/<n>/head`). */
  headRepo?: Repo;
  base: string;
  merged: boolean;
  merged_at: string | null;
  reviews: Review[];
  /** Opened as a draft and not yet marked ready for review. */
  draft?: boolean;
  /** Inline review comments and their replies, oldest first. */
  reviewComments?: ReviewComment[];
  /** Logins asked for a review. */
  requestedReviewers?: string[];
}

/** An inline comment on a pull request's diff (or a reply in its thread). */
export interface ReviewComment {
  id: number;
  review_id: number;
  path: string;
  line: number | null;
  start_line: number | null;
  side: string;
  diff_hunk: string;
  body: string;
  user: User;
  commit_id: string;
  in_reply_to_id?: number;
  created_at: string;
  updated_at: string;
}

/** A commit status (the statuses API), as CI systems other than checks report. */
export interface CommitStatus {
  id: number;
  sha: string;
  state: "error" | "failure" | "pending" | "success";
  context: string;
  description: string | null;
  target_url: string | null;
  creator: User;
  created_at: string;
  updated_at: string;
}

/**
 * The sandbox's built-in CI for one repository: each push to a branch other than the
 * default starts one check run named `name`, which concludes with the next entry of
 * `conclusions` (the last one repeats) after `delayMs`, or waits for the test to finish
 * it (`hold`).
 */
export interface CiScript {
  name: string;
  conclusions: string[];
  delayMs: number;
  hold?: boolean;
  runs: number;
}

export interface Issue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: string[];
  user: User;
  comments: Comment[];
  events: IssueEvent[];
  pull?: Pull;
  /** Sub-issues (numbers in the same repository), in the order they were added. */
  subIssues?: number[];
  /** Issues (numbers in the same repository) that block this one. */
  blockedBy?: number[];
  created_at: string;
  updated_at: string;
}

/** The git revision of a pull request's head in the base repository (a fork's is under refs/pull). */
export function headRev(issue: Issue): string {
  return issue.pull?.headRepo ? `refs/pull/${issue.number}/head` : `refs/heads/${issue.pull?.head}`;
}

export interface CheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output?: { title?: string | null; summary?: string | null; text?: string | null; annotations?: unknown[] };
  details_url?: string | null;
  external_id?: string | null;
  started_at?: string | null;
  completed_at?: string | null;
  /** The app (by slug) that created it; the sandbox CI is `sandbox-ci`. */
  app?: string;
}

export interface Repo {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  gitDir: string;
  labels: Map<string, Label>;
  issues: Map<number, Issue>;
  nextNumber: number;
  checkRuns: CheckRun[];
  statuses?: CommitStatus[];
  ci?: CiScript;
  /** False: the repository's plan has no draft pull requests (GitHub answers 422). */
  draftsAllowed?: boolean;
  /** login → role (admin, maintain, write, triage, read). */
  roles: Map<string, string>;
}

export interface Installation {
  id: number;
  account: User;
}

export interface Token {
  installationId: number;
  expiresAt: number;
  /** What the token may do (a subset of the installation's permissions, as minted). */
  permissions: Record<string, "read" | "write">;
  /** The repositories it was minted for; undefined: every repository of the installation. */
  repositoryIds?: number[];
}

export class SandboxState {
  readonly repos = new Map<string, Repo>();
  readonly installations = new Map<string, Installation>();
  readonly tokens = new Map<string, Token>();
  readonly users = new Map<string, User>();
  private nextId = 1000;

  id(): number {
    return this.nextId++;
  }

  user(login: string): User {
    let user = this.users.get(login);
    if (!user) {
      user = { login, id: this.id(), type: login.endsWith("[bot]") ? "Bot" : "User" };
      this.users.set(login, user);
    }
    return user;
  }

  repo(owner: string, name: string): Repo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  repoById(id: number): Repo | undefined {
    return [...this.repos.values()].find((r) => r.id === id);
  }

  installationFor(owner: string): Installation | undefined {
    return this.installations.get(owner.toLowerCase());
  }

  /** A person's role on a repository: the owner is admin, "octocat" is admin everywhere. */
  role(repo: Repo, login: string): string {
    return repo.roles.get(login) ?? (login === repo.owner || login === "octocat" ? "admin" : "read");
  }
}
