import { findArtifacts, renderArtifact, type Artifact, type ArtifactMeta } from "../github/artifacts.js";
import type { IssueComment } from "../github/types.js";
import type { StageRun } from "./types.js";

/**
 * The artifact this run already posted, if a previous attempt of the same job got that far:
 * reusing it keeps a retry from running the agent again or posting twice.
 */
export function findOwnArtifact(run: StageRun): Artifact | undefined {
  return findArtifacts(run.comments, run.stage.name).find((a) => a.meta.run_id === run.runId);
}

/** The revision the next artifact of this stage gets: one more than the newest. */
export function nextRevision(run: StageRun): number {
  return findArtifacts(run.comments, run.stage.name).reduce((max, a) => Math.max(max, a.revision), 0) + 1;
}

/**
 * Posts a new artifact comment (a fresh revision) and returns it. When this run paid for the
 * scout's pass over the commit, its usage is recorded too (`scout_usage`): the issue's spend
 * (`budget_usd`) counts it.
 */
export async function postArtifact(
  run: StageRun,
  revision: number,
  markdown: string,
  meta: { outcome: string; [field: string]: unknown },
): Promise<IssueComment> {
  const body = renderArtifact(run.stage.name, revision, markdown, {
    ...meta,
    ...(run.seen?.scoutUsage ? { scout_usage: run.seen.scoutUsage } : {}),
    run_id: run.runId,
    kind: run.stage.kind,
  } satisfies ArtifactMeta);
  const { data } = await run.github.rest.issues.createComment({
    owner: run.ref.owner,
    repo: run.ref.repo,
    issue_number: run.ref.number,
    body,
  });
  return data as IssueComment;
}
