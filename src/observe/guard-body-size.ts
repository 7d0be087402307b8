import type { Server as HttpServer, IncomingMessage, ServerResponse } from "node:http";

const decoder = new TextDecoder("utf-8", { fatal: false });

function refuse(req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  // `connection: close` makes Node drop the socket once the answer is out, instead of
  // reading (even to discard) the rest of a body that may never end.
  res.writeHead(413, { "content-type": "application/json", connection: "close" });
  res.end(JSON.stringify({ error: `request body is over the ${maxBytes}-byte limit` }));
  req.unpipe();
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
