import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { acceptDelivery } from "../../src/pipeline/accept-delivery.js";
import type { IntakeJob } from "../../src/pipeline/job-data.js";
import { INTAKE_QUEUE } from "../../src/pipeline/queues.js";
import { labeledPayload } from "../helpers/payloads.js";
import { createTestRuntime } from "../helpers/test-runtime.js";

/** The request path's dedupe, on real Redis and real BullMQ queues. */
describe("accepting a delivery", () => {
  let rt: Awaited<ReturnType<typeof createTestRuntime>>;

  beforeEach(async () => {
    rt = await createTestRuntime();
  });
  afterEach(async () => {
    await rt.close();
  });

  const jobsOf = async (deliveryId: string) =>
    (await rt.queues.intake.getJobs(["waiting", "prioritized", "delayed", "active", "completed", "failed"])).filter((j) => j.data.deliveryId === deliveryId);

  it("turns a redelivery into no second job, even after the first job is gone", async () => {
    const delivery = { id: "dup-1", name: "issues", payload: labeledPayload({ label: "status:triage", number: 4 }) };

    expect(await acceptDelivery(rt, delivery)).toBe("queued");
    // As removeOnComplete's age limit removes a finished job: its keys go, the dedupe key stays.
    for (const job of await jobsOf("dup-1")) {
      await rt.redis.del(`${rt.prefix}:${INTAKE_QUEUE}:${job.id}`);
      await rt.redis.lrem(`${rt.prefix}:${INTAKE_QUEUE}:wait`, 0, job.id!);
    }
    expect(await acceptDelivery(rt, delivery)).toBe("duplicate");

    expect(await jobsOf("dup-1")).toHaveLength(0);
  });

  it("makes one intake job per label of an opened issue, and none again on redelivery", async () => {
    const payload = labeledPayload({ label: "status:triage", number: 5 }) as Record<string, any>;
    payload.action = "opened";
    payload.issue.labels = [{ name: "status:triage" }, { name: "status:ready" }];

    expect(await acceptDelivery(rt, { id: "open-1", name: "issues", payload })).toBe("queued");
    expect(await acceptDelivery(rt, { id: "open-1", name: "issues", payload })).toBe("duplicate");

    expect((await jobsOf("open-1")).map((j) => j.data.label).sort()).toEqual(["status:ready", "status:triage"]);
  });

  it("lets GitHub's redelivery in after an enqueue that failed", async () => {
    const delivery = { id: "fail-1", name: "issues", payload: labeledPayload({ label: "status:triage", number: 6 }) };
    // A queue on a connection that refuses commands: the enqueue fails as it would while Redis is away.
    const offline = new Redis("redis://127.0.0.1:1", { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: null, retryStrategy: () => null });
    const closed = new Queue<IntakeJob>(INTAKE_QUEUE, { connection: offline, prefix: rt.prefix });
    closed.on("error", () => {});

    await expect(acceptDelivery({ ...rt, queues: { ...rt.queues, intake: closed } }, delivery)).rejects.toThrow();
    expect(await acceptDelivery(rt, delivery)).toBe("queued");

    expect(await jobsOf("fail-1")).toHaveLength(1);
    await closed.close().catch(() => {});
    offline.disconnect();
  });

  it("takes one Redis round trip for a labelled issue", async () => {
    await acceptDelivery(rt, { id: "rt-0", name: "issues", payload: labeledPayload({ label: "status:triage", number: 8 }) }); // the queue's first use writes its metadata
    const monitor = await rt.redis.monitor();
    const commands: string[] = [];
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      // Commands a script runs inside Redis show as source "lua": they are not round trips.
      if (source !== "lua" && args.some((a) => a.includes(rt.prefix))) commands.push(args[0]!.toLowerCase());
    });
    try {
      await acceptDelivery(rt, { id: "rt-1", name: "issues", payload: labeledPayload({ label: "status:triage", number: 7 }) });
      // MONITOR sees commands in order: a marker after ours means ours have all been seen.
      await rt.redis.get(`${rt.prefix}:monitor-marker`);
      while (!commands.includes("get")) await new Promise((r) => setImmediate(r));
    } finally {
      monitor.disconnect();
    }
    expect(commands.filter((c) => c !== "get")).toEqual(["evalsha"]);
  });
});
