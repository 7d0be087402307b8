import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Queue } from "bullmq";

/**
 * Prometheus series of docs/architecture.md §7, in one registry per runtime (createRuntime
 * makes it; nothing happens on import); `/metrics` serves it. Queue depths are read from
 * Redis at scrape time, so any process shows the whole cluster's.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "baton_process_" });
  const registers = [registry];
  return {
    registry,
    webhookHandlerSeconds: new Histogram({
      name: "baton_webhook_handler_seconds",
      help: "Time from a verified delivery to its acknowledgement (dedupe + enqueue)",
      labelNames: ["event"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    deliveries: new Counter({
      name: "baton_deliveries_total",
      help: "Webhook deliveries by event and outcome (queued, duplicate, ignored)",
      labelNames: ["event", "outcome"],
      registers,
    }),
    jobs: new Counter({
      name: "baton_jobs_total",
      help: "Finished job attempts by queue and state (completed, failed)",
      labelNames: ["queue", "state"],
      registers,
    }),
    stageSeconds: new Histogram({
      name: "baton_stage_duration_seconds",
      help: "Stage run duration by stage and outcome",
      labelNames: ["stage", "outcome"],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600],
      registers,
    }),
    agentTokens: new Counter({
      name: "baton_agent_tokens_total",
      help: "Agent tokens by backend, model and direction (input, output)",
      labelNames: ["backend", "model", "direction"],
      registers,
    }),
    agentCost: new Counter({
      name: "baton_agent_cost_usd_total",
      help: "Agent cost in USD by backend and model (priced models only)",
      labelNames: ["backend", "model"],
      registers,
    }),
    githubRequests: new Counter({
      name: "baton_github_requests_total",
      help: "GitHub API requests by method and status",
      labelNames: ["method", "status"],
      registers,
    }),
    githubRateLimitRemaining: new Gauge({
      name: "baton_github_rate_limit_remaining",
      help: "x-ratelimit-remaining of the latest GitHub response, by installation",
      labelNames: ["installation"],
      registers,
    }),
    /** Adds a gauge of job counts per queue and state, read when Prometheus scrapes. */
    watchQueues(queues: Queue[]): void {
      if (registry.getSingleMetric("baton_queue_jobs")) registry.removeSingleMetric("baton_queue_jobs");
      new Gauge({
        name: "baton_queue_jobs",
        help: "Jobs per queue and state, read from Redis at scrape time",
        labelNames: ["queue", "state"],
        registers,
        async collect() {
          for (const queue of queues) {
            const counts = await queue.getJobCounts("waiting", "active", "delayed", "failed", "completed", "prioritized");
            for (const [state, n] of Object.entries(counts)) this.set({ queue: queue.name, state }, n);
          }
        },
      });
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/** What one agent run used, counted by backend and model (a stage's run, or the scout's pass). */
export function recordAgentUsage(
  metrics: Metrics,
  agent: { backend?: string; model?: string },
  usage: { input_tokens: number; output_tokens: number; cost_usd?: number },
): void {
  const labels = { backend: agent.backend ?? "unknown", model: agent.model ?? "default" };
  metrics.agentTokens.inc({ ...labels, direction: "input" }, usage.input_tokens);
  metrics.agentTokens.inc({ ...labels, direction: "output" }, usage.output_tokens);
  if (usage.cost_usd !== undefined) metrics.agentCost.inc(labels, usage.cost_usd);
}
