import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";

/** A bare git repository with one commit, for the read-only checkout stages clone (git is real, not mocked). */
function bareRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), "fake-github-git-"));
  const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
  execFileSync("git", ["init", "--quiet", "--initial-branch", "main", join(dir, "work")], { env });
  execFileSync("git", ["-C", join(dir, "work"), "commit", "--quiet", "--allow-empty", "-m", "init"], { env });
  execFileSync("git", ["clone", "--quiet", "--bare", join(dir, "work"), join(dir, "repo.git")], { env });
  return `file://${join(dir, "repo.git")}`;
}

/**
 * A small stateful stand-in for the GitHub REST routes the core pipeline uses, at the HTTP
 * boundary (nock): one repository, its issues, labels and comments. Every call is recorded
 * in order, and faults can be injected. For whole-app tests use the sandbox instead.
 */
export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: string[];
  user: string;
  updated_at?: string;
}
export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: string;
  created_at: string;
  updated_at: string;
}
export interface Call {
  method: string;
  path: string;
  body?: unknown;
}
type Fault = { method: string; path: RegExp; status: number; times: number; headers?: Record<string, string> };

const API = "https://api.github.com";

export class FakeGitHub {
  readonly issues = new Map<number, FakeIssue>();
  readonly comments: FakeComment[] = [];
  private cloneUrl?: string;
  readonly repoLabels = new Set<string>();
  readonly calls: Call[] = [];
  readonly permissions = new Map<string, string>();
  readonly checkRuns: Record<string, any>[] = [];
  /** The app's webhook deliveries, as `GET /app/hook/deliveries` lists them. */
  readonly deliveries: { id: number; guid: string; status_code: number; delivered_at: string; redelivery: boolean; event: string }[] = [];
  readonly redeliveryRequests: number[] = [];
  /** `labeled` events per issue, as `GET …/issues/{n}/events` lists them (who applied each label). */
  readonly labelEvents = new Map<number, { label: string; actor: string }[]>();
  /** Raw `.github/baton.yml` text; undefined = no file. */
  configText: string | undefined;
  /** Runs before a matching call is answered (to observe state at that moment). */
  readonly beforeCall: ((call: Call) => Promise<void> | void)[] = [];
  private readonly faults: Fault[] = [];
  private readonly unknownRoutes: string[] = [];
  private nextCommentId = 1000;
  private readonly scope: nock.Scope;

  constructor(
    readonly owner = "octo-org",
    readonly repo = "hello",
    readonly botLogin = "baton-test[bot]",
  ) {
    this.scope = nock(API).persist();
    for (const method of ["get", "post", "patch", "put", "delete"] as const) {
      this.scope[method](/.*/).reply(async (uri, body) => this.handle(method.toUpperCase(), uri, body));
    }
  }

  addIssue(issue: Partial<FakeIssue> & { number: number }): FakeIssue {
    const full: FakeIssue = {
      title: "Add a dark mode toggle",
      body: "The settings page should offer a dark mode toggle that persists.",
      state: "open",
      labels: [],
      user: "octocat",
      ...issue,
    };
    this.issues.set(full.number, full);
    this.labelEvents.set(
      full.number,
      full.labels.map((label) => ({ label, actor: full.user })),
    );
    return full;
  }

  /** Fail the next `times` calls matching method and path with `status`. */
  failNext(method: string, path: RegExp, status: number, times = 1, headers?: Record<string, string>): void {
    this.faults.push({ method, path, status, times, headers });
  }

  callsTo(method: string, path: RegExp): Call[] {
    return this.calls.filter((c) => c.method === method && path.test(c.path));
  }

  commentsOn(issue: number): FakeComment[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  /** Fails the test when the code called a route the fake does not serve. */
  close(): void {
    nock.cleanAll();
    if (this.unknownRoutes.length)
      throw new Error(`fake-github has no route for: ${[...new Set(this.unknownRoutes)].join(", ")} — add it to test/helpers/fake-github.ts`);
  }

  private async handle(method: string, uri: string, rawBody: unknown): Promise<[number, unknown, Record<string, string>?]> {
    const url = new URL(uri, API);
    const path = decodeURIComponent(url.pathname);
    const body = typeof rawBody === "string" && rawBody ? JSON.parse(rawBody) : rawBody;
    const call = { method, path, body };
    for (const hook of this.beforeCall) await hook(call);
    const fault = this.faults.find((f) => f.method === method && f.path.test(path) && f.times > 0);
    if (fault) {
      fault.times--;
      this.calls.push({ ...call, path: `${path} (fault ${fault.status})` });
      return [fault.status, { message: fault.status === 403 ? "You have exceeded a secondary rate limit" : "Server Error" }, fault.headers];
    }
    this.calls.push(call);
    return this.route(method, path, body as Record<string, any>, url);
  }

  private route(method: string, path: string, body: Record<string, any>, url: URL): [number, unknown, Record<string, string>?] {
    const repoPath = `/repos/${this.owner}/${this.repo}`;
    let m: RegExpMatchArray | null;
    if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return [201, { token: "ghs_faketoken1234567890abcdefghijklmnop", expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {} }];
    }
    if (method === "GET" && path === "/app") return [200, { id: 4242, slug: this.botLogin.replace("[bot]", ""), name: "Baton test" }];
    if (method === "GET" && path === "/app/installations") return [200, [{ id: 7, account: { login: this.owner } }]];
    if (method === "GET" && path === "/installation/repositories") {
      return [200, { total_count: 1, repositories: [{ id: 9001, name: this.repo, full_name: `${this.owner}/${this.repo}`, owner: { login: this.owner } }] }];
    }
    if (method === "GET" && path === "/app/hook/deliveries") return [200, this.deliveries];
    if ((m = path.match(/^\/app\/hook\/deliveries\/(\d+)\/attempts$/)) && method === "POST") {
      this.redeliveryRequests.push(Number(m[1]));
      return [202, {}];
    }
    if (method === "GET" && path === repoPath) {
      this.cloneUrl ??= bareRepo();
      return [200, { id: 1, name: repoPath.split("/")[3], full_name: repoPath.slice(7), default_branch: "main", clone_url: this.cloneUrl }];
    }
    if (method === "GET" && path === `${repoPath}/issues/comments`) return [200, this.comments.map((c) => this.renderComment(c))];
    if (method === "GET" && path === `${repoPath}/issues`) {
      const wanted = (url.searchParams.get("labels") ?? "").split(",").filter(Boolean);
      const state = url.searchParams.get("state") ?? "open";
      const found = [...this.issues.values()].filter((i) => (state === "all" || i.state === state) && wanted.every((l) => i.labels.includes(l)));
      return [200, found.map((i) => this.renderIssue(i))];
    }
    if (method === "GET" && path === `${repoPath}/contents/.github/baton.yml`) {
      if (this.configText === undefined) return [404, { message: "Not Found" }];
      return [200, this.configText, { "content-type": "application/vnd.github.raw; charset=utf-8" }];
    }
    if (method === "GET" && path.startsWith(`/repos/${this.owner}/.github/contents/`)) return [404, { message: "Not Found" }];
    if (method === "POST" && path === `${repoPath}/check-runs`) {
      const run = { id: this.checkRuns.length + 1, ...body };
      this.checkRuns.push(run);
      return [201, run];
    }
    if ((m = path.match(/^\/repos\/[^/]+\/[^/]+\/collaborators\/([^/]+)\/permission$/))) {
      const role = this.permissions.get(m[1] ?? "") ?? "admin";
      return [200, { permission: role === "maintain" ? "write" : role === "triage" ? "read" : role, role_name: role, user: { login: m[1] } }];
    }
    if (path === `${repoPath}/labels`) {
      if (method === "GET") return [200, [...this.repoLabels].map((name) => ({ name, color: "ededed" }))];
      if (method === "POST") {
        if (this.repoLabels.has(body.name)) return [422, { message: "Validation Failed", errors: [{ code: "already_exists" }] }];
        this.repoLabels.add(body.name);
        return [201, { name: body.name, color: body.color, description: body.description }];
      }
    }
    if ((m = path.match(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/))) {
      const comment = this.comments.find((c) => c.id === Number(m?.[1]));
      if (!comment) return [404, { message: "Not Found" }];
      if (method === "PATCH") {
        comment.body = body.body;
        comment.updated_at = new Date().toISOString();
      }
      return [200, this.renderComment(comment)];
    }
    if (!(m = path.match(/^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)(\/.*)?$/))) return this.unknownRoute(method, path);
    const issue = this.issues.get(Number(m[1]));
    if (!issue) return [404, { message: "Not Found" }];
    const rest = m[2] ?? "";
    if (rest === "" && method === "GET") return [200, this.renderIssue(issue)];
    if (rest === "/events" && method === "GET") {
      return [
        200,
        (this.labelEvents.get(issue.number) ?? []).map((e, i) => ({
          id: i + 1,
          event: "labeled",
          actor: { login: e.actor, type: e.actor.endsWith("[bot]") ? "Bot" : "User" },
          label: { name: e.label, color: "ededed" },
          created_at: new Date().toISOString(),
          performed_via_github_app: null,
        })),
      ];
    }
    if (rest === "/comments" && method === "GET") {
      const perPage = Number(url.searchParams.get("per_page") ?? 30);
      const page = Number(url.searchParams.get("page") ?? 1);
      const all = this.commentsOn(issue.number);
      const slice = all.slice((page - 1) * perPage, page * perPage);
      const headers: Record<string, string> = {};
      if (page * perPage < all.length) headers.link = `<${API}${path}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
      return [200, slice.map((c) => this.renderComment(c)), headers];
    }
    if (rest === "/comments" && method === "POST") {
      const now = new Date().toISOString();
      const comment = { id: this.nextCommentId++, issue: issue.number, body: body.body, user: this.botLogin, created_at: now, updated_at: now };
      this.comments.push(comment);
      return [201, this.renderComment(comment)];
    }
    if (rest === "/labels" && method === "POST") {
      for (const label of body.labels as string[]) {
        if (!issue.labels.includes(label)) {
          issue.labels.push(label);
          this.labelEvents.get(issue.number)?.push({ label, actor: this.botLogin });
        }
        this.repoLabels.add(label);
      }
      return [200, issue.labels.map((name) => ({ name }))];
    }
    if (rest === "/labels" && method === "PUT") {
      const wanted = body.labels as string[];
      for (const label of wanted) {
        if (!issue.labels.includes(label)) this.labelEvents.get(issue.number)?.push({ label, actor: this.botLogin });
        this.repoLabels.add(label);
      }
      issue.labels = [...wanted];
      return [200, issue.labels.map((name) => ({ name }))];
    }
    if ((m = rest.match(/^\/labels\/(.+)$/)) && method === "DELETE") {
      const name = m[1] ?? "";
      if (!issue.labels.includes(name)) return [404, { message: "Label does not exist" }];
      issue.labels = issue.labels.filter((l) => l !== name);
      return [200, issue.labels.map((l) => ({ name: l }))];
    }
    return this.unknownRoute(method, path);
  }

  /**
   * A route the fake does not know is a gap in the test, not GitHub's answer: a 404 here
   * would read as "not found" to the code under test. Answer 501 and fail the test at close().
   */
  private unknownRoute(method: string, path: string): [number, unknown] {
    this.unknownRoutes.push(`${method} ${path}`);
    return [501, { message: `fake-github: no route ${method} ${path}` }];
  }

  private renderIssue(issue: FakeIssue) {
    return {
      id: issue.number * 11,
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      labels: issue.labels.map((name) => ({ name })),
      user: { login: issue.user, type: "User" },
      html_url: `https://github.com/${this.owner}/${this.repo}/issues/${issue.number}`,
      updated_at: issue.updated_at ?? new Date().toISOString(),
    };
  }

  private renderComment(c: FakeComment) {
    return {
      id: c.id,
      body: c.body,
      user: { login: c.user, type: c.user.endsWith("[bot]") ? "Bot" : "User" },
      html_url: `https://github.com/${this.owner}/${this.repo}/issues/${c.issue}#issuecomment-${c.id}`,
      created_at: c.created_at,
      updated_at: c.updated_at,
    };
  }
}
