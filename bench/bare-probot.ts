// The baseline of the webhook benchmark: a bare Probot app whose handler does nothing.
import { generateKeyPairSync } from "node:crypto";
import { pino } from "pino";
import { Probot, Server } from "probot";

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }) as string;
const server = new Server({
  Probot: Probot.defaults({ appId: 1, privateKey, secret: process.env.WEBHOOK_SECRET, log: pino({ level: "warn" }) }),
  host: "127.0.0.1",
  port: Number(process.env.PORT),
  log: pino({ level: "warn" }),
});
await server.load((app) => {
  app.on("issues.labeled", async () => {});
});
await server.start();
process.stdout.write("ready\n");
process.on("SIGTERM", () => void server.stop().then(() => process.exit(0)));
