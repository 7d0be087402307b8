import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseStreamEntries } from "../../src/observe/serve-events.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";
import { MAINTAINER } from "../helpers/sandbox-issues.js";

/**
 * One redaction step at the edge: whatever Baton writes to GitHub and whatever event it
 * emits passes it on the final text, JSON blocks included, with every server secret
 * (environment values and the contents of `*_FILE` files) and token patterns.
 */
describe("redaction at the edge", () => {
  const envSecret = "gsk_env0123456789abcdefSECRET";
  const fileSecret = 'file-secret-0123456789"quoted\\';
  let env: SandboxRuntime;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "baton-secret-"));
    writeFileSync(join(dir, "key"), `${fileSecret}\n`);
    env = await createSandboxRuntime({ BATON_TEST_GROQ_API_KEY: envSecret, BATON_TEST_WEBHOOK_SECRET_FILE: join(dir, "key") });
  });
  afterAll(async () => {
    await env.close();
  });

  const leaks = (text: string) =>
    [envSecret, fileSecret, JSON.stringify(fileSecret).slice(1, -1), "ghs_abcdefghijklmnopqrstuvwxyz0123"].filter((s) => text.includes(s));

  it("redacts secrets in a json baton block of an artifact the design stage posts", async () => {
    const repo = await env.sandbox.world.createRepo("acme", "leaky");
    const issue = env.sandbox.world.createIssue(
      repo,
      { title: `Use ${envSecret} and ${fileSecret} in the config`, body: "Wire the keys in the settings page so the app can call the service." },
      MAINTAINER,
    );
    env.sandbox.world.addLabels(repo, issue, ["status:triage"], MAINTAINER);
    await env.runStage(repo, issue, "status:triage");
    await env.runStage(repo, issue, "status:triaged");

    const spec = issue.comments.find((c) => c.body.startsWith("<!-- baton:artifact stage=design"));
    expect(spec?.body).toContain("```json baton");
    expect(spec?.body).toContain("[redacted]");
    expect(leaks(spec!.body)).toEqual([]);
    expect(leaks(issue.comments.map((c) => c.body).join("\n"))).toEqual([]);
  });

  it("redacts every body Baton writes through its GitHub client", async () => {
    const repo = await env.sandbox.world.createRepo("acme", "direct");
    const issue = env.sandbox.world.createIssue(repo, { title: "t", body: "b" }, MAINTAINER);
    const github = await env.rt.auth(env.sandbox.world.state.installationFor(repo.owner)!.id);
    const body = `pre-flight failed: ${envSecret}\n\n\`\`\`json baton\n${JSON.stringify({ error: `token ghs_abcdefghijklmnopqrstuvwxyz0123 ${fileSecret}` })}\n\`\`\``;

    const { data } = await github.rest.issues.createComment({ owner: repo.owner, repo: repo.name, issue_number: issue.number, body });

    expect(leaks(issue.comments.at(-1)!.body)).toEqual([]);
    expect(leaks(data.body ?? "")).toEqual([]);
  });

  it("redacts a dispatch_failed error in the event stream", async () => {
    await env.rt.events.emit({ type: "dispatch_failed", repo: "acme/leaky", issue: 1, error: `pre-flight failed: ${envSecret} / ${fileSecret}`, final: true });

    const entries = parseStreamEntries((await env.rt.redis.xrange(env.rt.events.streamKey, "-", "+")) as [string, string[]][]);
    const failed = entries.map((e) => e.event).filter((e) => e.type === "dispatch_failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]?.error).toContain("[redacted]");
    expect(leaks(JSON.stringify(failed))).toEqual([]);
    expect(leaks(env.logs.join("\n"))).toEqual([]);
  });
});
