import { randomBytes } from "node:crypto";
import type { Runtime } from "../runtime.js";
import type { IntakeJob } from "./job-data.js";
import { DEDUPE_TTL_MS, jobOptions } from "./job-options.js";

/** Unique per copy of a request, across processes: a random tag per process and a counter (cheaper than random bytes per job). */
const processTag = randomBytes(4).toString("hex");
let copies = 0;

export interface IntakeRequest {
  /** Dedupes copies of one request while its job exists (reconciler sweeps, CLI, commands). */
  jobId?: string;
  /**
   * Dedupes copies of one webhook delivery for a week, whether or not its job still exists,
   * in the same script that adds the job (BullMQ's deduplication in throttle mode).
   */
  dedupeId?: string;
  data: IntakeJob;
}

/**
 * Puts intake requests on the intake queue: the one way into the pipeline, whether the
 * request came from a webhook, the reconciler, a command or the CLI. Returns how many were
 * new (the rest were copies of requests already taken). One Redis round trip: BullMQ's
 * add script checks the dedupe key, sets it and adds the job atomically, so a failed add
 * leaves nothing behind and the redelivery GitHub sends after an error answer gets in.
 */
export async function enqueueIntake(rt: Runtime, requests: IntakeRequest[]): Promise<number> {
  const opts = ({ jobId, dedupeId }: IntakeRequest) => ({
    // When the dedupe key decides, each copy brings its own id (the delivery's, plus a
    // nonce): a copy then gets the first copy's job back, with an id that is not its own.
    jobId: jobId ?? `${dedupeId ?? "i"}-${processTag}${(copies++).toString(36)}`,
    ...(dedupeId ? { deduplication: { id: dedupeId, ttl: DEDUPE_TTL_MS } } : {}),
    ...jobOptions.intake(rt),
  });
  const jobs = requests.map((request) => ({ name: `${request.data.source}:${request.data.label}`, data: request.data, opts: opts(request) }));
  const [only] = jobs;
  // The webhook path nearly always has one request: a plain add skips MULTI.
  const added =
    jobs.length === 1 && only ? [await rt.queues.intake.add(only.name, only.data, only.opts)] : jobs.length > 1 ? await rt.queues.intake.addBulk(jobs) : [];
  return added.filter((job, i) => job.id === jobs[i]?.opts.jobId).length;
}
