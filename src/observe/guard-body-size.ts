import type { Server as HttpServer, IncomingMessage, ServerResponse } from "node:http";

const decoder = new TextDecoder("utf-8", { fatal: false });

/** How long a refused request's remaining body is read (and dropped) before the socket is closed. */
const DRAIN_MS = 2000;

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

/**
 * Refuses webhook bodies over `maxBytes` while they arrive, whatever `Content-Length` says
 * and whether the body is chunked, so no request can make the process buffer more than
 * `maxBytes`. On the webhook path the body is read here, counted, and handed on as
 * `req.body` (a string), which @octokit/webhooks' middleware takes instead of reading the
 * stream again; other paths only get the header check (nothing on them reads a body whole).
 * Installed in front of the server's own request listeners, which it then calls.
 */
export function guardBodySize(server: HttpServer, maxBytes: number, webhookPath = "/api/github/webhooks"): void {
  const listeners = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners("request");
  const pass = (req: IncomingMessage, res: ServerResponse) => {
    for (const listener of listeners) listener.call(server, req, res);
  };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (Number(req.headers["content-length"] ?? 0) > maxBytes) return refuse(req, res, maxBytes);
    if (req.method !== "POST" || (req.url ?? "").split("?")[0] !== webhookPath) return pass(req, res);
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
      (req as IncomingMessage & { body?: string }).body = decoder.decode(Buffer.concat(chunks, size));
      pass(req, res);
    });
  });
}
