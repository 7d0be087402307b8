import { acceptDelivery } from "../../src/pipeline/accept-delivery.js";
import { examplePayload } from "../helpers/payloads.js";
import { BOT_LOGIN, createTestRuntime } from "../helpers/test-runtime.js";

/** The webhook path for Baton's PRs, with GitHub's own example payloads (@octokit/webhooks-examples). */
describe("accepting events on Baton's pull requests", () => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  beforeEach(async () => {
    rt = await createTestRuntime();
  });
  afterEach(async () => rt.close());

  const queued = async () =>
    (await rt.queues.repo.getJobs(["waiting", "prioritized"])).map(
      (j) => j.data as { task: string; issue: { number: number }; event: Record<string, unknown> },
    );
  // Deliveries to an app always name the installation; some of the examples were recorded without.
  const example = (event: string, action: string): Record<string, any> => ({
    installation: { id: 42 },
    ...(examplePayload(event, action) as Record<string, any>),
  });
  const onBranch = (pull: Record<string, any>, ref: string, repoId: number) => {
    pull.head.ref = ref;
    pull.head.repo = { ...pull.head.repo, id: repoId };
  };

  it("queues a person's review on baton/issue-<n> once, however often it is delivered", async () => {
    const payload = example("pull_request_review", "submitted");
    onBranch(payload.pull_request, "baton/issue-7", payload.repository.id);
    expect(await acceptDelivery(rt, { id: "d-review", name: "pull_request_review", payload })).toBe("queued");
    expect(await acceptDelivery(rt, { id: "d-review", name: "pull_request_review", payload })).toBe("queued");
    expect(await queued()).toEqual([
      expect.objectContaining({
        task: "pull-event",
        issue: expect.objectContaining({ number: 7 }),
        event: { kind: "review", pr: payload.pull_request.number, reviewId: payload.review.id },
      }),
    ]);
  });

  it("ignores reviews by bots, on other branches and from forks that name their branch alike", async () => {
    const bot = example("pull_request_review", "submitted");
    onBranch(bot.pull_request, "baton/issue-7", bot.repository.id);
    bot.review.user = { ...bot.review.user, login: "other[bot]", type: "Bot" };
    const other = example("pull_request_review", "submitted");
    onBranch(other.pull_request, "feature/dark-mode", other.repository.id);
    const fork = example("pull_request_review", "submitted");
    onBranch(fork.pull_request, "baton/issue-7", fork.repository.id + 1);
    expect(await acceptDelivery(rt, { id: "a", name: "pull_request_review", payload: bot })).toBe("ignored");
    expect(await acceptDelivery(rt, { id: "b", name: "pull_request_review", payload: other })).toBe("ignored");
    expect(await acceptDelivery(rt, { id: "c", name: "pull_request_review", payload: fork })).toBe("ignored");
    expect(await queued()).toEqual([]);
  });

  it("keeps check results whose sender is Baton's own bot", async () => {
    const payload = example("check_run", "completed");
    payload.check_run.pull_requests[0].head.ref = "baton/issue-3";
    payload.check_run.pull_requests[0].head.repo.id = payload.repository.id;
    payload.sender = { ...payload.sender, login: BOT_LOGIN, type: "Bot" };
    expect(await acceptDelivery(rt, { id: "d-check", name: "check_run", payload })).toBe("queued");
    expect(await queued()).toEqual([
      expect.objectContaining({ issue: expect.objectContaining({ number: 3 }), event: { kind: "checks", sha: payload.check_run.head_sha } }),
    ]);
  });

  it("queues a Baton PR closed without merging, and leaves a merged one to lessons", async () => {
    const closed = example("pull_request", "closed");
    onBranch(closed.pull_request, "baton/issue-5", closed.repository.id);
    closed.pull_request.merged = false;
    expect(await acceptDelivery(rt, { id: "d-closed", name: "pull_request", payload: closed })).toBe("queued");
    const merged = structuredClone(closed);
    merged.pull_request.merged = true;
    expect(await acceptDelivery(rt, { id: "d-merged", name: "pull_request", payload: merged })).toBe("queued");
    expect((await queued()).map((d) => [d.task, d.event?.kind])).toEqual(
      expect.arrayContaining([
        ["pull-event", "closed"],
        ["lessons", undefined],
      ]),
    );
  });
});
