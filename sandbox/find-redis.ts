import { spawn, spawnSync } from "node:child_process";
import { createConnection, createServer } from "node:net";

export interface RedisHandle {
  url: string;
  /** True when this process started the server (and `stop` shuts it down). */
  started: boolean;
  stop(): Promise<void>;
}

export class RedisNotFoundError extends Error {
  override name = "RedisNotFoundError";
}

/**
 * Redis for the demo: `REDIS_URL` or 127.0.0.1:6379 when one answers; otherwise a
 * `redis-server` of our own on a free port (no persistence, never evicting), stopped after.
 */
export async function findOrStartRedis(env: NodeJS.ProcessEnv = process.env): Promise<RedisHandle> {
  const url = env.REDIS_URL ?? "redis://127.0.0.1:6379";
  if (await pings(url)) return { url, started: false, stop: async () => {} };
  if (spawnSync("redis-server", ["--version"]).status !== 0) {
    throw new RedisNotFoundError(
      [
        `No Redis answers at ${url}, and redis-server is not on the PATH.`,
        "Get one of:",
        "  • Debian/Ubuntu: sudo apt-get install redis-server   • macOS: brew install redis",
        "  • Docker: docker compose up -d redis   (then REDIS_URL=redis://127.0.0.1:6379)",
      ].join("\n"),
    );
  }
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"], {
    stdio: "ignore",
  });
  const ownUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await pings(ownUrl)); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    url: ownUrl,
    started: true,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Sends PING over a raw socket: no client library needed to ask "is anyone there?". */
export function pings(url: string, timeoutMs = 500): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname || "127.0.0.1", port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG") || data.toString().startsWith("-NOAUTH")));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
