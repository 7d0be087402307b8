import { acceptDelivery } from "../../src/pipeline/accept-delivery.js";
import { processRepoTask } from "../../src/pipeline/repo-tasks.js";
import { REPO_ID } from "../helpers/deliver.js";
import { FakeGitHub } from "../helpers/fake-github.js";
import { examplePayload } from "../helpers/payloads.js";
import { createTestRuntime } from "../helpers/test-runtime.js";

describe("repository tasks", () => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  let fake: FakeGitHub;

  beforeEach(async () => {
    rt = await createTestRuntime();
    fake = new FakeGitHub();
  });
  afterEach(async () => {
    fake.close();
    await rt.close();
  });

  const runQueued = async () => {
    const jobs = await rt.queues.repo.getJobs(["waiting", "prioritized"]);
    return Promise.all(jobs.map((job) => processRepoTask(rt, job)));
  };

  it("creates the pipeline's labels in every repository of a new installation", async () => {
    const payload = examplePayload("installation", "created") as Record<string, any>;
    payload.installation.account.login = fake.owner;
    payload.repositories = [{ id: REPO_ID, name: fake.repo, full_name: `${fake.owner}/${fake.repo}`, private: false }];

    expect(await acceptDelivery(rt, { id: "inst-1", name: "installation", payload })).toBe("queued");
    await runQueued();

    expect([...fake.repoLabels]).toEqual(expect.arrayContaining(["status:triage", "status:triaging", "status:ready", "status:blocked", "baton"]));
  });

  it("reports an invalid config pushed to the repository as a failed check run", async () => {
    fake.configText = "stages:\n  design:\n    timeout: soon\n";
    const payload = examplePayload("push", undefined as unknown as string) as Record<string, any>;
    Object.assign(payload, {
      after: "0123456789abcdef0123456789abcdef01234567",
      deleted: false,
      installation: { id: 7 },
      commits: [{ added: [], removed: [], modified: [".github/baton.yml"] }],
    });
    payload.repository = { ...payload.repository, id: REPO_ID, name: fake.repo, owner: { ...payload.repository.owner, login: fake.owner } };

    expect(await acceptDelivery(rt, { id: "push-1", name: "push", payload })).toBe("queued");
    await runQueued();

    expect(fake.checkRuns).toHaveLength(1);
    expect(fake.checkRuns[0]).toMatchObject({ name: "Baton config", conclusion: "failure", head_sha: payload.after });
    expect(fake.checkRuns[0]?.output.text).toContain("stages.design.timeout");
  });

  it("ignores pushes that do not touch the config", async () => {
    const payload = examplePayload("push", undefined as unknown as string) as Record<string, any>;
    Object.assign(payload, { installation: { id: 7 }, commits: [{ added: ["README.md"], removed: [], modified: [] }] });

    expect(await acceptDelivery(rt, { id: "push-2", name: "push", payload })).toBe("ignored");
  });
});
