import { acceptDelivery } from "./pipeline/accept-delivery.js";
import type { Delivery } from "./observe/webhook-endpoint.js";
import type { Runtime } from "./runtime.js";

/** The deliveries Baton acts on, as `event` or `event.action`; any other is answered and dropped. */
export const WEBHOOK_EVENTS: ReadonlySet<string> = new Set([
  "issues.labeled",
  "issues.unlabeled",
  "issues.opened",
  "issues.closed",
  "issue_comment.created",
  "pull_request.closed",
  "push",
  "installation.created",
  "installation_repositories.added",
  // Baton's own pull requests (src/pipeline/accept-pull-event.ts).
  "pull_request.reopened",
  "pull_request_review.submitted",
  "pull_request_review_comment.created",
  "check_run.completed",
  "check_suite.completed",
  "status",
]);

/**
 * Baton's side of the webhook endpoint: it only routes. The signature is verified
 * (src/observe/webhook-endpoint.ts); `acceptDelivery` dedupes and enqueues; the answer goes
 * back to GitHub once the jobs are queued.
 */
export function receiveDelivery(rt: Runtime): (delivery: Delivery) => Promise<void> {
  return async (delivery) => {
    const action = (delivery.payload as { action?: unknown } | null)?.action;
    if (!WEBHOOK_EVENTS.has(delivery.name) && !(typeof action === "string" && WEBHOOK_EVENTS.has(`${delivery.name}.${action}`))) return;
    const stopTimer = rt.metrics.webhookHandlerSeconds.startTimer({ event: delivery.name });
    const outcome = await acceptDelivery(rt, delivery);
    stopTimer();
    rt.metrics.deliveries.inc({ event: delivery.name, outcome });
    rt.log.debug({ delivery: delivery.id, event: delivery.name, outcome }, "delivery accepted");
  };
}
