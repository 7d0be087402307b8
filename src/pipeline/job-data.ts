import { z } from "zod";
import { StageKind } from "../config/schema.js";
import { IssueRef } from "../github/types.js";

/**
 * Job data: plain ids and names only. BullMQ keeps job data in clear text in Redis, so a
 * token or secret must never be here; workers authenticate per job.
 */

export const Actor = z.object({ login: z.string(), type: z.string() });
export type Actor = z.infer<typeof Actor>;

/** One accepted delivery (or a reconciler/command request) to be mapped to a stage and claimed. */
export const IntakeJob = z.object({
  /** `X-GitHub-Delivery`, or a synthetic id for reconciler, handoff and command requests (a parked label comes back as `handoff-<run id>`). */
  deliveryId: z.string(),
  /**
   * Where the request came from. `reconcile` (sweeps) carries no sender: intake reads who
   * applied the label from the issue's events. A label parked while another stage held the
   * issue comes back later as the request that brought it.
   */
  source: z.enum(["webhook", "reconcile", "command", "cli"]).default("webhook"),
  issue: IssueRef,
  /** The label that was applied: act on this one, not on every label of the issue. */
  label: z.string(),
  sender: Actor,
  /** Written by the intake worker itself, so a retried job reuses its transition number. */
  transition: z.number().int().positive().optional(),
  /** Written once this job has swapped the labels: a retry goes straight to enqueueing. */
  claimed: z.boolean().optional(),
});
export type IntakeJob = z.infer<typeof IntakeJob>;

/** One stage run on one issue. */
export const StageJob = z.object({
  issue: IssueRef,
  stage: z.string(),
  kind: StageKind,
  transition: z.number().int().positive(),
  /** Also the BullMQ job id: `r<repoId>-<issue>-<stage>-<transition>`. */
  runId: z.string(),
  /**
   * The issue as the claim read it, with the labels the claim left: a stage starting soon
   * after uses it instead of reading the issue again (one GitHub call less per transition).
   */
  snapshot: z
    .object({
      read_at: z.number(),
      number: z.number().int(),
      title: z.string(),
      body: z.string(),
      labels: z.array(z.string()),
      author: z.string(),
      html_url: z.string(),
      /** How many comments the issue had (0: the stage need not read them back). */
      comments: z.number().int().optional(),
    })
    .optional(),
  /** When the run first waited for its PR's checks (`StageWait`): the timeout counts from here across delays. */
  waitingSince: z.number().optional(),
  /** The stage's `concurrency:` when it had one at claim time: runs of it one repository may have at once. */
  concurrency: z.number().int().positive().optional(),
  /**
   * The next label, written once the handoff label is on the issue: a retry after that only
   * takes the claim off. Re-adding the label would start the next stage a second time.
   */
  handedOff: z.string().optional(),
  /** With `handedOff`: every label the handoff puts on (the next label first, then the stage's extra labels). */
  handOffLabels: z.array(z.string()).optional(),
});
export type StageJob = z.infer<typeof StageJob>;

/**
 * The deterministic id of a stage run. BullMQ forbids `:` in ids and treats all-digit ids
 * as its own; repository ids (not names, which collide once joined with `-`) keep it unique.
 */
export function stageRunId(issue: IssueRef, stage: string, transition: number): string {
  return `r${issue.repoId}-${issue.number}-${stage}-${transition}`;
}
