import type { AppIdentity } from "../github/app-identity.js";
import { PermanentError } from "../errors.js";
import type { StageRun } from "../stages/types.js";
import { ownArtifacts } from "./own-artifacts.js";

export const usd = (n: number) => `$${n < 0.01 && n > 0 ? n.toPrecision(2) : n.toFixed(2)}`;

const costOf = (usage: unknown) => Number((usage as { cost_usd?: number } | undefined)?.cost_usd ?? 0);

/**
 * What the issue has cost so far, by stage: every priced agent run recorded in the app's
 * artifacts, and the scout's pass over a commit when this issue's run built the briefing
 * (shown as `scout`).
 */
export function issueSpend(run: Pick<StageRun, "comments">, app: AppIdentity): { total: number; byStage: Map<string, number> } {
  const byStage = new Map<string, number>();
  const add = (stage: string, cost: number) => {
    if (cost > 0) byStage.set(stage, (byStage.get(stage) ?? 0) + cost);
  };
  for (const artifact of ownArtifacts(run.comments, app)) {
    add(artifact.stage, costOf(artifact.meta.usage));
    add("scout", costOf(artifact.meta.scout_usage));
  }
  return { total: [...byStage.values()].reduce((a, b) => a + b, 0), byStage };
}

/**
 * `budget_usd` (the stage's, else `defaults.budget_usd`) caps what an issue may cost: once
 * the spend recorded on the issue reaches it, no further agent runs and the issue blocks
 * with the spend per stage. Every revision's run counts, not only the latest.
 */
export async function checkBudget(run: StageRun): Promise<void> {
  const budget = run.stage.budget_usd ?? run.pipeline.config.defaults.budget_usd;
  if (budget === undefined) return;
  const { total, byStage } = issueSpend(run, await run.rt.appIdentity());
  if (total < budget) return;
  const spent = [...byStage.entries()].map(([stage, cost]) => `${stage} ${usd(cost)}`).join(", ");
  throw new PermanentError(
    `this issue has spent ${usd(total)} (${spent}), which reaches its budget of ${usd(budget)}; the ${run.stage.name} stage did not start.`,
    {
      hint: "Raise `budget_usd` in .github/baton.yml (under `defaults` or this stage), then comment `/baton retry`.",
    },
  );
}
