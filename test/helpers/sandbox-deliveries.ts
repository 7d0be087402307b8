import type { Job } from "bullmq";
import { acceptDelivery } from "../../src/pipeline/accept-delivery.js";
import { processRepoTask, type RepoTask } from "../../src/pipeline/repo-tasks.js";
import type { Delivery } from "../../sandbox/github/webhooks.js";
import type { SandboxRuntime } from "./sandbox-runtime.js";

/**
 * The newest webhook the sandbox recorded (it sends none: no URL is set) that matches, fed
 * through Baton's request path as GitHub would deliver it. Returns the acceptance and the
 * repo-task job it queued, if any.
 */
export async function acceptRecorded(env: SandboxRuntime, event: string, match: (d: Delivery) => boolean): Promise<{ accepted: string; job?: Job<RepoTask> }> {
  await env.sandbox.idle();
  const delivery = [...env.sandbox.world.webhooks.deliveries].reverse().find((d) => d.event === event && match(d));
  if (!delivery) throw new Error(`no ${event} delivery recorded`);
  const accepted = await acceptDelivery(env.rt, { id: delivery.guid, name: delivery.event, payload: delivery.payload });
  const job = (await env.rt.queues.repo.getJob(`d-${delivery.guid}`)) as Job<RepoTask> | undefined;
  return { accepted, job };
}

/** Accepts the recorded delivery and runs the repo task it queued, as the worker would. */
export async function runRecorded(env: SandboxRuntime, event: string, match: (d: Delivery) => boolean): Promise<string> {
  const { accepted, job } = await acceptRecorded(env, event, match);
  if (accepted !== "queued" || !job) throw new Error(`delivery not queued: ${accepted}`);
  return processRepoTask(env.rt, job);
}

/** The `issue_comment.created` delivery of a comment, by its body and author. */
export const commentBy = (login: string, body: string) => (d: Delivery) =>
  d.action === "created" &&
  (d.payload as { comment: { body: string; user: { login: string } } }).comment.body === body &&
  (d.payload as { comment: { user: { login: string } } }).comment.user.login === login;
