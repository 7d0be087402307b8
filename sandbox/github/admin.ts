import { readBody } from "./http.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiFaults } from "./faults.js";
import { SandboxError, type World } from "./world.js";

export interface AdminContext {
  world: World;
  faults: ApiFaults;
  setWebhookUrl(url: string): void;
  snapshot(): unknown;
}

const asUser = (login: unknown) => ({ kind: "user" as const, login: typeof login === "string" && login ? login : "octocat" });

/**
 * `/_sandbox/*`: what a test or the demo does from another process — act as a person,
 * inject faults, read the state. Not GitHub's API; documented in sandbox/README.md.
 */
export async function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string, ctx: AdminContext): Promise<void> {
  const body = req.method === "POST" ? JSON.parse((await readBody(req)).toString() || "{}") : {};
  const { world, faults } = ctx;
  const json = (status: number, value: unknown): void => {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
  };
  try {
    const repoOf = () => world.requireRepo(String(body.owner), String(body.repo));
    switch (`${req.method} ${path}`) {
      case "GET /_sandbox/state":
        return json(200, ctx.snapshot());
      case "POST /_sandbox/webhook-url":
        ctx.setWebhookUrl(String(body.url));
        return json(200, { ok: true });
      case "POST /_sandbox/repos": {
        const repo = await world.createRepo(String(body.owner), String(body.name ?? body.repo), { files: body.files, defaultBranch: body.default_branch });
        return json(201, { id: repo.id, owner: repo.owner, name: repo.name });
      }
      case "POST /_sandbox/issues": {
        const issue = world.createIssue(repoOf(), { title: String(body.title), body: body.body, labels: body.labels }, asUser(body.user));
        return json(201, { number: issue.number });
      }
      case "POST /_sandbox/labels":
        world.addLabels(repoOf(), world.requireIssue(repoOf(), Number(body.number)), body.labels, asUser(body.user));
        return json(200, { ok: true });
      case "POST /_sandbox/unlabel":
        world.removeLabel(repoOf(), world.requireIssue(repoOf(), Number(body.number)), String(body.label), asUser(body.user));
        return json(200, { ok: true });
      case "POST /_sandbox/comments": {
        const comment = world.comment(repoOf(), world.requireIssue(repoOf(), Number(body.number)), String(body.body), asUser(body.user));
        return json(201, { id: comment.id });
      }
      case "POST /_sandbox/close":
        world.setIssueState(repoOf(), world.requireIssue(repoOf(), Number(body.number)), "closed", asUser(body.user));
        return json(200, { ok: true });
      case "POST /_sandbox/merge":
        return json(200, { sha: await world.mergePull(repoOf(), world.requireIssue(repoOf(), Number(body.number)), asUser(body.user)) });
      case "POST /_sandbox/permissions":
        repoOf().roles.set(String(body.login), String(body.role));
        return json(200, { ok: true });
      case "POST /_sandbox/redeliver":
        world.webhooks.redeliverGuid(String(body.guid));
        return json(200, { ok: true });
      case "POST /_sandbox/faults": {
        if (body.clear) faults.clear();
        if (body.fail_next) faults.failNext(Number(body.fail_next), { status: body.status, method: body.method, path: body.path });
        if (body.fail_fraction !== undefined) faults.failFraction(Number(body.fail_fraction), body.seed);
        if (body.rate_limit)
          faults.rateLimit(Number(body.rate_limit), { status: body.status, retryAfter: body.retry_after, method: body.method, path: body.path });
        if (body.exhaust_primary) faults.exhaustPrimary(Number(body.exhaust_primary), body.reset_in);
        if (body.latency_ms !== undefined) faults.latencyMs = Number(body.latency_ms);
        if (body.drop_webhooks) world.webhooks.faults.drop = Number(body.drop_webhooks);
        if (body.duplicate_webhooks) world.webhooks.faults.duplicate = Number(body.duplicate_webhooks);
        return json(200, { ok: true });
      }
      case "POST /_sandbox/idle":
        await world.webhooks.idle();
        return json(200, { ok: true });
      default:
        return json(404, { message: `unknown sandbox admin route ${req.method} ${path}` });
    }
  } catch (error) {
    if (error instanceof SandboxError) return json(error.reply.status, error.reply.body);
    return json(500, { message: (error as Error).message });
  }
}
