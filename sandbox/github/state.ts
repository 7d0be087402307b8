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
  created_at: string;
  updated_at: string;
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
  base: string;
  merged: boolean;
  merged_at: string | null;
  reviews: Review[];
}

export interface Issue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: string[];
  user: User;
  comments: Comment[];
  pull?: Pull;
  /** Sub-issues (numbers in the same repository), in the order they were added. */
  subIssues?: number[];
  /** Issues (numbers in the same repository) that block this one. */
  blockedBy?: number[];
  created_at: string;
  updated_at: string;
}

export interface CheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output?: unknown;
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
