import { acquireSlot, releaseSlot } from "../../src/pipeline/installation-slots.js";
import { createTestRuntime } from "../helpers/test-runtime.js";

describe("per-installation slots", () => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;
  beforeEach(async () => {
    rt = await createTestRuntime();
  });
  afterEach(async () => rt.close());

  it("lets at most `limit` runs of one installation hold a slot, without touching other installations", async () => {
    const results = await Promise.all(["a", "b", "c", "d"].map((run) => acquireSlot(rt, 1, run, 10_000, 2)));

    expect(results.filter(Boolean)).toHaveLength(2);
    expect(await acquireSlot(rt, 2, "other-org", 10_000, 2)).toBe(true);
  });

  it("renews a held slot, frees it on release, and frees it by itself when its holder dies", async () => {
    expect(await acquireSlot(rt, 1, "a", 10_000, 1)).toBe(true);
    expect(await acquireSlot(rt, 1, "a", 10_000, 1)).toBe(true);
    expect(await acquireSlot(rt, 1, "b", 10_000, 1)).toBe(false);
    await releaseSlot(rt, 1, "a");
    expect(await acquireSlot(rt, 1, "b", 50, 1)).toBe(true);

    await new Promise((r) => setTimeout(r, 80));
    expect(await acquireSlot(rt, 1, "c", 10_000, 1)).toBe(true);
  });
});
