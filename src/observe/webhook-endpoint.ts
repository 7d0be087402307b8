import { createHmac, timingSafeEqual } from "node:crypto";
import type { Server as HttpServer, IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";

/** A verified delivery, as @octokit/webhooks hands it to its listeners. */
export interface Delivery {
  id: string;
  name: string;
  payload: unknown;
}

export interface WebhookEndpointOptions {
  /** The webhook path (Probot's `WEBHOOK_PATH`, default `/api/github/webhooks`). */
  path?: string;
  /** Bodies over this many bytes are refused with 413 as they arrive. */
  maxBytes: number;
  secret: string;
  /** Takes a verified delivery; resolves once it is safely queued (or ignored). */
  receive(delivery: Delivery): Promise<void>;
  log: Pick<Logger, "error">;
  /** How long `receive` may take before the answer is an error (GitHub waits 10 s). */
  timeoutMs?: number;
}

const decoder = new TextDecoder("utf-8", { fatal: false });
const JSON_CONTENT_TYPE = /^\s*(application\/json)\s*(?:;|$)/u;
const REQUIRED_HEADERS = ["x-github-event", "x-hub-signature-256", "x-github-delivery"] as const;

/** How long a refused request's remaining body is read (and dropped) before the socket is closed. */
const DRAIN_MS = 2000;

/**
 * Serves the webhook path in front of Probot's server (docs/architecture.md §3): bodies are
 * counted as they arrive and refused past `maxBytes`, chunked or not; a delivery is verified
 * (HMAC-SHA256 against the secret, in constant time), parsed and handed to `receive`, and
 * answered only once `receive` has settled. Answers match @octokit/webhooks' Node middleware,
 * which Probot uses, except that a `receive` slower than `timeoutMs` gets a 503 (a failed
 * delivery the reconciler redelivers) instead of its 202 (which would acknowledge a delivery
 * that may never be queued). Probot builds an installation Octokit and a request logger for
 * every delivery, which Baton's request path never uses; everything else on the port (other
 * paths, other methods on this one) still goes to Probot's own listeners.
 */
export function serveWebhooks(server: HttpServer, options: WebhookEndpointOptions): void {
  const path = withoutTrailingSlashes(options.path ?? "/api/github/webhooks");
  const { maxBytes } = options;
  const listeners = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners("request");
  const pass = (req: IncomingMessage, res: ServerResponse) => {
    for (const listener of listeners) listener.call(server, req, res);
  };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (Number(req.headers["content-length"] ?? 0) > maxBytes) return refuse(req, res, maxBytes);
    if (req.method !== "POST" || pathOf(req.url) !== path) return pass(req, res);
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      req.off("data", onData);
      chunks.length = 0;
      refuse(req, res, maxBytes);
    };
    req.on("data", onData);
    req.on("error", () => chunks.splice(0));
    req.on("end", () => {
      if (size > maxBytes) return;
      void answer(req, res, decoder.decode(Buffer.concat(chunks, size)), options);
    });
  });
}

/** The path as @octokit/webhooks compares it: no query, no trailing slashes; undefined when unparsable. */
function pathOf(url = ""): string | undefined {
  try {
    return new URL(withoutTrailingSlashes(url), "http://localhost").pathname;
  } catch {
    return undefined; // Probot's middleware answers such a URL (422) if it is on the webhook path
  }
}

const withoutTrailingSlashes = (path: string) => path.replace(/(?<=.)\/+$/, "");

function refuse(req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  res.writeHead(413, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: `request body is over the ${maxBytes}-byte limit` }));
  // Read and drop the rest for a moment instead of closing now: closing a socket that has
  // unread data resets it, and the reset can destroy the 413 before the client reads it.
  // Nothing is kept, so memory stays bounded; the timer bounds a body that never ends.
  req.resume();
  req.once("end", () => req.socket.end());
  setTimeout(() => req.socket.destroy(), DRAIN_MS).unref();
}

async function answer(req: IncomingMessage, res: ServerResponse, body: string, options: WebhookEndpointOptions): Promise<void> {
  const header = (name: string) => req.headers[name] as string | undefined;
  const contentType = header("content-type");
  if (!contentType || !JSON_CONTENT_TYPE.test(contentType))
    return reply(res, 415, { error: 'Unsupported "Content-Type" header value. Must be "application/json"' });
  const missing = REQUIRED_HEADERS.filter((name) => header(name) === undefined);
  if (missing.length) return reply(res, 400, { error: `Required headers missing: ${missing.join(", ")}` });
  const id = header("x-github-delivery")!;
  if (!signedWith(options.secret, body, header("x-hub-signature-256")!)) {
    options.log.error({ delivery: id }, "webhook signature does not match: is WEBHOOK_SECRET the secret set on the GitHub App?");
    return reply(res, 400, { error: "Error: [@octokit/webhooks] signature does not match event payload and secret" });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return reply(res, 400, { error: "SyntaxError: Invalid JSON" });
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), options.timeoutMs ?? 9000)));
  try {
    const outcome = await Promise.race([options.receive({ id, name: header("x-github-event")!, payload }), timedOut]);
    if (outcome === "timeout") {
      options.log.error({ delivery: id }, "delivery not queued within the time GitHub waits; answered 503 so it counts as failed and is redelivered");
      return reply(res, 503, { error: "Error: the delivery could not be queued in time" });
    }
    res.writeHead(200, { "content-type": "text/plain", accept: "application/json" }).end("ok\n");
  } catch (error) {
    options.log.error({ delivery: id, err: error }, "delivery not queued; answered 500 so GitHub counts it as failed");
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    return reply(res, 500, { error: `${name}: ${message}` });
  } finally {
    clearTimeout(timer);
  }
}

/** GitHub's `x-hub-signature-256`: `sha256=` and the body's HMAC-SHA256 in hex, compared in constant time. */
function signedWith(secret: string, body: string, signature: string): boolean {
  if (!body) return false;
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", accept: "application/json" }).end(JSON.stringify(body));
}
