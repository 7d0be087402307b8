import type { IncomingMessage, ServerResponse } from "node:http";
import type { Token } from "./state.js";

/** Who is calling: the app itself (JWT), an installation (token), or a person (token). */
export type Actor = { kind: "app" } | { kind: "installation"; installationId: number; token: Token } | { kind: "user"; login: string };

export interface Call {
  method: string;
  /** The path under /api/v3, decoded per segment. */
  path: string;
  url: URL;
  params: string[];
  body: Record<string, any>;
  headers: IncomingMessage["headers"];
  actor: Actor | undefined;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send `body` as-is (a string) instead of JSON. */
  raw?: boolean;
}

export type Handler = (call: Call) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  pattern: RegExp;
  /** A name for logs and fault matching, e.g. `POST /repos/{o}/{r}/issues/{n}/labels`. */
  name: string;
  handler: Handler;
}

/** Turns `/repos/{owner}/{repo}/issues/{n}` into a matcher whose captures are the params. */
export function route(method: string, template: string, handler: Handler): Route {
  const source = template.replace(/\{\+?\w+\}/g, (m) => (m.startsWith("{+") ? "(.+)" : "([^/]+)"));
  return { method, pattern: new RegExp(`^${source}$`), name: `${method} ${template}`, handler };
}

export const ok = (body: unknown, status = 200, headers?: Record<string, string>): Reply => ({ status, body, headers });
export const notFound = (message = "Not Found"): Reply => ({
  status: 404,
  body: { message, documentation_url: "https://docs.github.com/rest" },
});
export const invalid = (message: string, errors: unknown[] = []): Reply => ({
  status: 422,
  body: { message, errors, documentation_url: "https://docs.github.com/rest" },
});

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = {
    "x-github-media-type": "github.v3",
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": "4999",
    ...reply.headers,
  };
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
  } else if (reply.raw) {
    res.writeHead(reply.status, { "content-type": "text/plain; charset=utf-8", ...headers }).end(String(reply.body));
  } else {
    res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8", ...headers }).end(JSON.stringify(reply.body));
  }
}

/** Paginates an array the way GitHub does (`per_page`, `page`, a `Link` header). */
export function paginate<T>(call: Call, items: T[]): Reply {
  const perPage = Math.min(Number(call.url.searchParams.get("per_page") ?? 30), 100);
  const page = Math.max(Number(call.url.searchParams.get("page") ?? 1), 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  if (page * perPage < items.length) {
    const next = new URL(call.url);
    next.searchParams.set("page", String(page + 1));
    next.searchParams.set("per_page", String(perPage));
    headers.link = `<${next.href}>; rel="next"`;
  }
  return ok(slice, 200, headers);
}
