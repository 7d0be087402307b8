import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRedactor } from "../../src/github/redact-secrets.js";

describe("redacting secrets from what Baton posts and streams", () => {
  it("removes token-shaped strings", () => {
    const text = "token ghs_abcdefghijklmnopqrstuvwxyz0123 and sk-ant-api03-abcdefghijklmnopqrstuv and https://x:y@example.com/repo.git";
    const out = createRedactor({})(text);
    expect(out).not.toMatch(/ghs_|sk-ant|x:y@/);
    expect(out).toContain("https://[redacted]@example.com/repo.git");
  });

  it("removes the server's own secrets whatever their shape", () => {
    const env = { GROQ_API_KEY: "gsk_0123456789abcdef", WEBHOOK_SECRET: "correct-horse-battery", APP_ID: "123456789012345", BATON_ROLE: "worker-role-name" };
    const out = createRedactor(env)("key gsk_0123456789abcdef, secret correct-horse-battery, app 123456789012345, role worker-role-name");
    expect(out).toBe("key [redacted], secret [redacted], app 123456789012345, role worker-role-name");
  });

  it("removes the contents of files named by NAME_FILE and PRIVATE_KEY_PATH, raw and JSON-escaped", () => {
    const dir = mkdtempSync(join(tmpdir(), "baton-redact-"));
    writeFileSync(join(dir, "secret"), 'webhook"secret\\from-a-file\n');
    writeFileSync(join(dir, "key.pem"), "not-a-pem-but-secret-key-material\n");
    writeFileSync(join(dir, "notes"), "ordinary notes file");
    const redact = createRedactor({ WEBHOOK_SECRET_FILE: join(dir, "secret"), PRIVATE_KEY_PATH: join(dir, "key.pem"), NOTES_FILE: join(dir, "notes") });

    const text = `a webhook"secret\\from-a-file b ${JSON.stringify({ s: 'webhook"secret\\from-a-file' })} c not-a-pem-but-secret-key-material d ordinary notes file`;

    expect(redact(text)).toBe(`a [redacted] b {"s":"[redacted]"} c [redacted] d ordinary notes file`);
  });

  it("reads the secret files once, when the redactor is made", () => {
    const dir = mkdtempSync(join(tmpdir(), "baton-redact-"));
    writeFileSync(join(dir, "token"), "first-token-value-123");
    const redact = createRedactor({ GITHUB_TOKEN_FILE: join(dir, "token") });
    writeFileSync(join(dir, "token"), "second-token-value-456");

    expect(redact("first-token-value-123 second-token-value-456")).toBe("[redacted] second-token-value-456");
  });
});
