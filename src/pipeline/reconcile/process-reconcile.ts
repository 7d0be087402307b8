import type { Job } from "bullmq";
import { describeError } from "../../errors.js";
import type { RepoRef } from "../../github/types.js";
import type { Runtime } from "../../runtime.js";
import { loadPipeline } from "../load-pipeline.js";
import { jobOptions } from "../job-options.js";
import { redeliverFailed } from "./redeliver-failed.js";
import { sweepRepository, type SweepCounts } from "./sweep-repository.js";

export const RECONCILE_SCHEDULER_ID = "reconcile-every";

/**
 * The reconciler (docs/architecture.md §3): a repeatable job that leaves no issue stuck.
 * 1. Redeliver failed webhook deliveries (GitHub never does it by itself).
 * 2. Sweep every repository of every installation (see `sweepRepository`).
 * A repository that fails is logged and skipped; the next sweep tries it again.
 */
export async function processReconcile(rt: Runtime, job: Job): Promise<SweepCounts & { redelivered: number; repositories: number }> {
  const totals = { lost: 0, stuck: 0, scheduled: 0, tracked: 0, redelivered: 0, repositories: 0 };
  try {
    totals.redelivered = await redeliverFailed(rt);
  } catch (error) {
    rt.log.warn({ err: describeError(error) }, "reconcile: could not read hook deliveries");
  }
  const app = await rt.auth();
  const installations = (await app.paginate(app.rest.apps.listInstallations, { per_page: 100 })) as { id: number }[];
  for (const installation of installations) {
    const github = await rt.auth(installation.id);
    const repos = (await github.paginate(github.rest.apps.listReposAccessibleToInstallation, { per_page: 100 })) as unknown as {
      id: number;
      name: string;
      owner: { login: string };
    }[];
    for (const r of repos) {
      const repo: RepoRef = { installationId: installation.id, repoId: r.id, owner: r.owner.login, repo: r.name };
      try {
        const config = await loadPipeline(rt, github, repo);
        if (!config.ok) continue;
        const counts = await sweepRepository(rt, github, repo, config.pipeline, String(job.id ?? Date.now()));
        totals.lost += counts.lost;
        totals.stuck += counts.stuck;
        totals.scheduled += counts.scheduled;
        totals.tracked += counts.tracked;
        totals.repositories++;
      } catch (error) {
        rt.log.warn({ repo: `${repo.owner}/${repo.repo}`, err: describeError(error) }, "reconcile: repository skipped");
      }
    }
  }
  rt.log.info(totals, "reconcile sweep done");
  return totals;
}

/** Registers the repeatable sweep (idempotent: every process may call it at start). */
export async function scheduleReconciler(rt: Runtime): Promise<void> {
  await rt.queues.reconcile.upsertJobScheduler(RECONCILE_SCHEDULER_ID, { every: rt.env.BATON_RECONCILE_INTERVAL }, { name: "sweep", opts: jobOptions.sweep });
}
