import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { handleAdmin } from "./admin.js";
import { identify, publicKeyOf } from "./auth.js";
import { ApiFaults } from "./faults.js";
import { listBranches, serveGit } from "./git.js";
import { readBody, send, type Actor, type Call, type Route } from "./http.js";
import { renderPage } from "./page.js";
import { checkRestScope, gitAllowed } from "./scopes.js";
import { appRoutes } from "./routes/app.js";
import { issueRoutes } from "./routes/issues.js";
import { pullRoutes } from "./routes/pulls.js";
import { relationRoutes } from "./routes/relations.js";
import { repoRoutes } from "./routes/repos.js";
import { checkRoutes } from "./routes/checks.js";
import { answerGraphql, reviewRoutes } from "./routes/reviews.js";
import { startCi } from "./ci.js";
import { WebhookSender } from "./webhooks.js";
import { SandboxError, World } from "./world.js";

export { PERSON_TOKEN_PREFIX } from "./auth.js";
export type { World } from "./world.js";

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  appSlug?: string;
  appId?: number;
  webhookSecret?: string;
  webhookUrl?: string;
  /** Loud lines (unknown routes, undelivered webhooks); default: stderr. */
  log?: (line: string) => void;
}

export interface ApiCall {
  method: string;
  /** The route template, e.g. `POST /repos/{owner}/{repo}/issues/{n}/labels`; `unknown` when none matched. */
  route: string;
  path: string;
  /** The query string, `?` included (empty without one). */
  query: string;
  status: number;
  installationId?: number;
  /** For an installation token: the permissions and repositories it was minted with. */
  token?: { permissions: Record<string, string>; repositoryIds?: number[] };
  at: number;
}

export interface Sandbox {
  url: string;
  apiUrl: string;
  /** `127.0.0.1:PORT`, for GHE_HOST. */
  host: string;
  appId: number;
  appSlug: string;
  privateKeyPem: string;
  webhookSecret: string;
  world: World;
  faults: ApiFaults;
  calls: ApiCall[];
  /**
   * Run just before an authenticated API call is served, in order: a test makes something
   * happen between the app's read and its write (a person labelling the issue meanwhile).
   */
  beforeServe: ((call: { method: string; route: string; path: string }) => void | Promise<void>)[];
  setWebhookUrl(url: string): void;
  /** Resolves when every webhook queued so far has been attempted. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the local GitHub-compatible sandbox (docs/architecture.md §8): REST under `/api/v3` for the
 * routes Baton uses, signed webhooks back to the app, git smart HTTP for clone and push,
 * fault injection, an admin API under `/_sandbox`, and a live page at `/`.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const appSlug = options.appSlug ?? "baton-sandbox";
  const appId = options.appId ?? 1;
  const webhookSecret = options.webhookSecret ?? randomBytes(16).toString("hex");
  const privateKeyPem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }) as string;
  const publicKey = publicKeyOf(privateKeyPem);
  const gitRoot = await mkdtemp(join(tmpdir(), "baton-sandbox-"));
  const webhooks = new WebhookSender(webhookSecret, log);
  webhooks.url = options.webhookUrl;
  const faults = new ApiFaults();
  const calls: ApiCall[] = [];
  const beforeServe: Sandbox["beforeServe"] = [];
  const urls = { web: "", api: "" };
  const world = new World(urls, appId, appSlug, gitRoot, webhooks);
  const routes: Route[] = [
    ...appRoutes(world),
    ...repoRoutes(world),
    ...issueRoutes(world),
    ...pullRoutes(world),
    ...reviewRoutes(world),
    ...checkRoutes(world),
    ...relationRoutes(world),
  ];
  world.pushListeners.push((repo, branch, sha) => startCi(world, repo, branch, sha));

  const snapshot = () => ({
    repos: [...world.state.repos.values()].map((r) => ({
      id: r.id,
      owner: r.owner,
      name: r.name,
      labels: [...r.labels.values()].map((l) => l.name),
      check_runs: r.checkRuns,
      issues: [...r.issues.values()].map((i) => ({
        number: i.number,
        title: i.title,
        state: i.state,
        labels: i.labels,
        pull: i.pull ? { ...i.pull, headRepo: i.pull.headRepo ? `${i.pull.headRepo.owner}/${i.pull.headRepo.name}` : null } : null,
        comments: i.comments.map((c) => ({ id: c.id, user: c.user.login, body: c.body })),
      })),
    })),
    deliveries: webhooks.deliveries.map(({ payload: _p, ...d }) => d),
    calls: calls.length,
  });

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void> {
    const method = req.method ?? "GET";
    const match = routes.map((r) => (r.method === method ? { r, m: r.pattern.exec(path) } : undefined)).find((x) => x?.m);
    const record = (status: number, actor?: Actor) => recordCall(method, match?.r.name ?? "unknown", path, url.search, status, actor);
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (!match) {
      log(`SANDBOX: unknown route ${method} ${path}`);
      record(404);
      return send(res, { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } });
    }
    const actor = identify(req.headers.authorization, world.state, publicKey, appId);
    const fault = faults.check(method, path);
    if (fault) {
      record(fault.status, actor);
      return send(res, fault);
    }
    if (!actor) {
      record(401);
      return send(res, { status: 401, body: { message: "Requires authentication", documentation_url: "https://docs.github.com/rest" } });
    }
    const raw = await readBody(req);
    const params = match.m!.slice(1).map((p) => decodeURIComponent(p));
    let body: Call["body"];
    try {
      body = raw.length ? JSON.parse(raw.toString()) : {};
    } catch {
      record(400, actor);
      return send(res, { status: 400, body: { message: "Problems parsing JSON" } });
    }
    const call: Call = { method, path, url, params, body, headers: req.headers, actor };
    try {
      if (actor.kind === "installation" && path.startsWith("/repos/")) {
        const installation = [...world.state.installations.values()].find((i) => i.id === actor.installationId);
        if (installation?.account.login.toLowerCase() !== params[0]?.toLowerCase()) throw new SandboxError({ status: 404, body: { message: "Not Found" } });
        checkRestScope(actor.token, world.state.repo(params[0]!, params[1] ?? ""), method, path);
      }
      for (const hook of beforeServe) await hook({ method, route: match.r.name, path });
      const reply = await match.r.handler(call);
      record(reply.status, actor);
      send(res, reply);
    } catch (error) {
      const reply = error instanceof SandboxError ? error.reply : { status: 500, body: { message: (error as Error).message } };
      record(reply.status, actor);
      send(res, reply);
    }
  }

  function recordCall(method: string, routeName: string, path: string, query: string, status: number, actor?: Actor): void {
    const installation =
      actor?.kind === "installation"
        ? { installationId: actor.installationId, token: { permissions: actor.token.permissions, repositoryIds: actor.token.repositoryIds } }
        : {};
    calls.push({ method, route: routeName, path, query, status, ...installation, at: Date.now() });
  }

  async function handleGit(req: IncomingMessage, res: ServerResponse, owner: string, name: string, rest: string): Promise<void> {
    const repo = world.state.repo(owner, name);
    const actor = identify(req.headers.authorization, world.state, publicKey, appId);
    const allowed =
      repo && actor && (actor.kind === "user" || (actor.kind === "installation" && world.state.installationFor(repo.owner)?.id === actor.installationId));
    if (!repo || !allowed) {
      res
        .writeHead(repo && !actor ? 401 : 404, { "www-authenticate": 'Basic realm="GitHub"', "content-type": "text/plain" })
        .end(repo && !actor ? "Authentication required" : "Repository not found");
      return;
    }
    // A push is `git-receive-pack` (its ref advertisement, then the pack); everything else reads.
    const service =
      rest.endsWith("/git-receive-pack") || new URL(req.url ?? "/", "http://localhost").searchParams.get("service") === "git-receive-pack" ? "write" : "read";
    if (actor.kind === "installation" && !gitAllowed(actor.token, repo, service)) {
      recordCall(
        req.method ?? "GET",
        `${req.method} /{owner}/{repo}.git/${service === "write" ? "git-receive-pack" : "git-upload-pack"}`,
        `/${owner}/${name}.git${rest}`,
        "",
        403,
        actor,
      );
      res.writeHead(403, { "content-type": "text/plain" }).end(`Permission to ${repo.owner}/${repo.name}.git denied to ${world.appSlug}[bot].`);
      return;
    }
    const pushing = rest.includes("git-receive-pack") && req.method === "POST";
    if (pushing) recordCall("POST", "POST /{owner}/{repo}.git/git-receive-pack", `/${owner}/${name}.git${rest}`, "", 200, actor);
    const before = pushing ? await listBranches(repo.gitDir) : undefined;
    const user = world.actorUser(actor);
    await serveGit(req, res, world.gitRoot, `/${repo.owner}/${repo.name}.git${rest}`, user.login);
    if (before) await world.announcePush(repo, before, user);
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", urls.web || "http://127.0.0.1");
    const path = url.pathname;
    try {
      if (path.startsWith("/api/v3/")) return await handleApi(req, res, path.slice("/api/v3".length), url);
      if (path === "/api/graphql" && req.method === "POST") {
        const actor = identify(req.headers.authorization, world.state, publicKey, appId);
        if (!actor) return send(res, { status: 401, body: { message: "This endpoint requires you to be authenticated." } });
        return send(res, await answerGraphql(world, JSON.parse((await readBody(req)).toString() || "{}"), actor));
      }
      const git = /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/.exec(path);
      if (git) return await handleGit(req, res, git[1]!, git[2]!, git[3]!);
      if (path.startsWith("/_sandbox/")) return await handleAdmin(req, res, path, { world, faults, setWebhookUrl: (u) => (webhooks.url = u), snapshot });
      if (path === "/") return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(renderPage(world.state, urls.web));
      log(`SANDBOX: unknown route ${req.method} ${path}`);
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "Not Found" }));
    } catch (error) {
      log(`SANDBOX: error on ${req.method} ${path}: ${(error as Error).stack}`);
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  urls.web = `http://127.0.0.1:${port}`;
  urls.api = `${urls.web}/api/v3`;

  return {
    url: urls.web,
    apiUrl: urls.api,
    host: `127.0.0.1:${port}`,
    appId,
    appSlug,
    privateKeyPem,
    webhookSecret,
    world,
    faults,
    calls,
    beforeServe,
    setWebhookUrl: (u) => (webhooks.url = u),
    idle: () => webhooks.idle(),
    close: async () => {
      webhooks.url = undefined;
      await webhooks.idle();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(gitRoot, { recursive: true, force: true });
    },
  };
}
