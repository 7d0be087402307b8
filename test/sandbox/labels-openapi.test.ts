import { setLabels } from "../../src/github/labels.js";
import { createSandboxRuntime, type SandboxRuntime } from "../helpers/sandbox-runtime.js";
import { expectMatches, spec } from "../helpers/openapi.js";

const ROUTE = "/repos/{owner}/{repo}/issues/{issue_number}/labels";

/**
 * `PUT .../labels` (Baton's one-write label swap) answers and notifies the way GitHub's
 * OpenAPI description says: the issue's labels after the write, and one `issues.unlabeled`
 * per label taken off and one `issues.labeled` per label put on, sent by the app's bot.
 */
describe("the sandbox's whole-set label write", () => {
  let env: SandboxRuntime;
  afterAll(async () => env.close());

  it("answers with the labels in GitHub's shape and sends labeled/unlabeled webhooks for the difference, from the app", async () => {
    env = await createSandboxRuntime();
    const { world } = env.sandbox;
    const repo = await world.createRepo("label-org", "app");
    const issue = world.createIssue(repo, { title: "Add a dark mode toggle" }, { kind: "user", login: "octocat" });
    world.addLabels(repo, issue, ["bug", "status:triage"], { kind: "user", login: "octocat" });
    await env.sandbox.idle();
    const before = world.webhooks.deliveries.length;
    const github = await env.rt.auth(world.state.installationFor(repo.owner)!.id);

    const answer = await github.request(`PUT ${ROUTE}`, { owner: repo.owner, repo: repo.name, issue_number: issue.number, labels: ["bug", "status:triaging"] });
    expect(
      await setLabels(github, { installationId: 0, repoId: repo.id, owner: repo.owner, repo: repo.name, number: issue.number }, ["bug", "status:triaging"]),
    ).toEqual(["bug", "status:triaging"]);

    expectMatches(spec.paths[ROUTE]!.put!.responses["200"]!.content!["application/json"]!.schema, answer.data, `PUT ${ROUTE}`);
    expect((answer.data as { name: string }[]).map((l) => l.name)).toEqual(["bug", "status:triaging"]);
    await env.sandbox.idle();
    const sent = world.webhooks.deliveries.slice(before);
    expect(sent.map((d) => `${d.action} ${(d.payload as { label: { name: string } }).label.name}`)).toEqual([
      "unlabeled status:triage",
      "labeled status:triaging",
    ]);
    for (const delivery of sent) {
      expect((delivery.payload as { sender: { login: string; type: string } }).sender).toMatchObject({ login: `${env.sandbox.appSlug}[bot]`, type: "Bot" });
      // The parts Baton reads from these deliveries (the sandbox's issue and repository
      // objects are leaner than GitHub's and are checked elsewhere).
      const schema = spec["x-webhooks"][`issues-${delivery.action}`]!.post.requestBody.content["application/json"]!.schema as {
        properties: Record<string, object>;
      };
      for (const part of ["action", "label", "sender", "installation"])
        expectMatches(schema.properties[part]!, (delivery.payload as Record<string, unknown>)[part], `webhook issues.${delivery.action} ${part}`);
    }
  }, 30_000);
});
