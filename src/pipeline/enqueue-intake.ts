import type { Runtime } from "../runtime.js";
import type { IntakeJob } from "./job-data.js";

/**
 * Puts intake requests on the intake queue: the one way into the pipeline, whether the
 * request came from a webhook, the reconciler, a command or the CLI. `jobId` dedupes copies
 * of one request while its job exists.
 */
export async function enqueueIntake(rt: Runtime, requests: { jobId: string; data: IntakeJob }[]): Promise<void> {
  const opts = (jobId: string) => ({
    jobId,
    attempts: 5,
    backoff: { type: "exponential" as const, delay: rt.env.BATON_RETRY_DELAY },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
  const [only] = requests;
  // The webhook path nearly always has one request: a plain add skips MULTI's round trip.
  if (requests.length === 1 && only) await rt.queues.intake.add(`${only.data.source}:${only.data.label}`, only.data, opts(only.jobId));
  else if (requests.length > 1) await rt.queues.intake.addBulk(requests.map(({ jobId, data }) => ({ name: `${data.source}:${data.label}`, data, opts: opts(jobId) })));
}
