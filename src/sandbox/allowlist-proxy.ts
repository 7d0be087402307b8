import { createServer, request, type IncomingHttpHeaders } from "node:http";
import { connect, type Socket } from "node:net";

export interface AllowlistProxy {
  close(): Promise<void>;
}

/** Whether a host is on the allowlist: named exactly, or under a `*.example.com` entry. */
export function isAllowedHost(host: string, allow: readonly string[]): boolean {
  const name = host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
  return allow.some((entry) => entry === name || (entry.startsWith("*.") && name.endsWith(entry.slice(1))));
}

/** Hop-by-hop and proxy headers are the client's business with this proxy, not the server's. */
function forwardable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { "proxy-authorization": _auth, "proxy-connection": _conn, connection: _c, ...rest } = headers;
  return rest;
}

/**
 * An HTTP proxy on a Unix socket that lets a sandboxed process reach the allowed hosts and
 * nothing else: `CONNECT host:port` (HTTPS, tunnelled unread) and absolute-URL plain HTTP
 * requests. Any other host gets 403 and is reported to `onRefused`. It runs outside the
 * sandbox, which has no network of its own and reaches the socket through `socat`.
 */
export async function startAllowlistProxy(socketPath: string, allow: readonly string[], onRefused: (target: string) => void): Promise<AllowlistProxy> {
  const server = createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? "");
    } catch {
      return void res.writeHead(400).end("Baton's sandbox proxy takes absolute URLs only\n");
    }
    if (target.protocol !== "http:" || !isAllowedHost(target.hostname, allow)) {
      onRefused(target.host);
      return void res.writeHead(403, { "content-type": "text/plain" }).end(`Baton's sandbox does not allow ${target.host} (not on its allowlist)\n`);
    }
    const upstream = request(
      { host: target.hostname, port: target.port || 80, method: req.method, path: `${target.pathname}${target.search}`, headers: forwardable(req.headers) },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(upstream);
  });
  server.on("connect", (req, client: Socket, head: Buffer) => {
    const target = new URL(`http://${req.url ?? ""}`);
    const port = Number(target.port || 443);
    if (!isAllowedHost(target.hostname, allow)) {
      onRefused(`${target.hostname}:${port}`);
      return void client.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
    const upstream = connect(port, target.hostname.replace(/^\[(.*)\]$/, "$1"), () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.end("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    client.on("error", () => upstream.destroy());
    client.on("close", () => upstream.destroy());
  });
  const open = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, resolve);
  });
  return {
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}
