import type { Server as HttpServer, IncomingMessage, ServerResponse } from "node:http";

/**
 * Refuses request bodies over `maxBytes` before anything reads or parses them (Probot's
 * webhook middleware would buffer the whole body first). Installed in front of the
 * server's own request listeners, which it then calls for every request it lets through.
 */
export function guardBodySize(server: HttpServer, maxBytes: number): void {
  const listeners = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxBytes) {
      res.writeHead(413, { "content-type": "application/json", connection: "close" });
      res.end(JSON.stringify({ error: `request body of ${declared} bytes is over the ${maxBytes}-byte limit` }));
      req.destroy();
      return;
    }
    for (const listener of listeners) listener.call(server, req, res);
  });
}
