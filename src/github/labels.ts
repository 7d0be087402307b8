import type { GitHub, IssueRef } from "./types.js";

/** Adds labels to an issue; answers the issue's labels after the change. */
export async function addLabels(github: GitHub, ref: IssueRef, labels: string[]): Promise<string[]> {
  const { data } = await github.rest.issues.addLabels({
    owner: ref.owner,
    repo: ref.repo,
    issue_number: ref.number,
    labels,
  });
  return data.map((l) => l.name);
}

/** Removes a label; a label already gone is not an error (a retry may remove it twice). */
export async function removeLabel(github: GitHub, ref: IssueRef, label: string): Promise<void> {
  try {
    await github.rest.issues.removeLabel({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, name: label });
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
}

/**
 * Moves an issue from one label to another. The new label goes on first, so a crash in
 * between leaves both (visible, and resumable), never neither (an issue nobody would pick up).
 */
export async function swapLabel(github: GitHub, ref: IssueRef, from: string, to: string): Promise<void> {
  if (from === to) return;
  await addLabels(github, ref, [to]);
  await removeLabel(github, ref, from);
}

/**
 * Replaces the issue's labels with `labels` in one write (`PUT .../labels`). A label someone
 * added since `labels` was computed is removed by it: callers go through the pipeline's
 * label writer (src/pipeline/write-labels.ts), which records what it means to remove so the
 * rest can be put back (docs/architecture.md §1).
 */
export async function setLabels(github: GitHub, ref: IssueRef, labels: string[]): Promise<string[]> {
  const { data } = await github.rest.issues.setLabels({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, labels });
  return data.map((l) => l.name);
}
