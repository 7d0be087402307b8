import { redactSecrets } from "../../src/github/redact-secrets.js";

describe("redacting secrets from what Baton posts and streams", () => {
  it("removes token-shaped strings", () => {
    const text = "token ghs_abcdefghijklmnopqrstuvwxyz0123 and sk-ant-api03-abcdefghijklmnopqrstuv and https://x:y@example.com/repo.git";
    const out = redactSecrets(text, {});
    expect(out).not.toMatch(/ghs_|sk-ant|x:y@/);
    expect(out).toContain("https://[redacted]@example.com/repo.git");
  });

  it("removes the server's own secrets whatever their shape", () => {
    const env = { GROQ_API_KEY: "gsk_0123456789abcdef", WEBHOOK_SECRET: "correct-horse-battery", APP_ID: "123456789012345", BATON_ROLE: "worker-role-name" };
    const out = redactSecrets("key gsk_0123456789abcdef, secret correct-horse-battery, app 123456789012345, role worker-role-name", env);
    expect(out).toBe("key [redacted], secret [redacted], app 123456789012345, role worker-role-name");
  });
});
