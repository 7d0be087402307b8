import type { ApplicationFunction } from "probot";
import { acceptDelivery } from "./pipeline/accept-delivery.js";
import type { Runtime } from "./runtime.js";

/**
 * The Probot app: it only routes. Probot has verified the signature; `acceptDelivery`
 * dedupes and enqueues; the answer goes back to GitHub at once.
 */
export function createApp(rt: Runtime): ApplicationFunction {
  return (app) => {
    app.on(["issues.labeled", "issues.opened", "issues.closed", "issue_comment.created", "pull_request.closed", "push", "installation.created", "installation_repositories.added",
      // Baton's own pull requests (src/pipeline/accept-pull-event.ts).
      "pull_request.reopened", "pull_request_review.submitted", "pull_request_review_comment.created", "check_run.completed", "check_suite.completed", "status"], async (context) => {
      const stopTimer = rt.metrics.webhookHandlerSeconds.startTimer({ event: context.name });
      const outcome = await acceptDelivery(rt, { id: context.id, name: context.name, payload: context.payload });
      stopTimer();
      rt.metrics.deliveries.inc({ event: context.name, outcome });
      rt.log.debug({ delivery: context.id, event: context.name, outcome }, "delivery accepted");
    });
  };
}
