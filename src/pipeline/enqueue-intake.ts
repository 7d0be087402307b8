import type { Runtime } from "../runtime.js";
import type { IntakeJob } from "./job-data.js";

/**
 * Puts intake requests on the intake queue: the one way into the pipeline, whether the
 * request came from a webhook, the reconciler, a command or the CLI. `jobId` dedupes copies
 * of one request while its job exists.
 */
export async function enqueueIntake(rt: Runtime, requests: { jobId: string; data: IntakeJob }[]): Promise<void> {
  if (requests.length === 0) return;
  await rt.queues.intake.addBulk(
    requests.map(({ jobId, data }) => ({
      name: `${data.source}:${data.label}`,
      data,
      opts: {
        jobId,
        attempts: 5,
        backoff: { type: "exponential", delay: rt.env.BATON_RETRY_DELAY },
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    })),
  );
}
