import type { Pipeline } from "../config/resolve-pipeline.js";
import type { GitHub, RepoRef } from "./types.js";

export interface LabelSpec {
  name: string;
  color: string;
  description: string;
}

const COLOR = { input: "1d76db", claim: "fbca04", waiting: "c5def5", good: "0e8a16", bad: "b60205", other: "ededed" };

/** The labels a pipeline uses, with colours and descriptions people can read in the label picker. */
export function describePipelineLabels(pipeline: Pipeline): LabelSpec[] {
  const { labels } = pipeline.config;
  const specs = new Map<string, LabelSpec>();
  const put = (name: string, color: string, description: string) => {
    if (!specs.has(name)) specs.set(name, { name, color, description: description.slice(0, 100) });
  };
  put(labels.blocked, COLOR.bad, "Baton stopped: see the latest Baton comment for why and how to resume");
  for (const stage of pipeline.stages) {
    put(stage.on, COLOR.input, `Baton: starts the ${stage.name} stage`);
    put(stage.claim, COLOR.claim, `Baton: the ${stage.name} stage is running`);
  }
  for (const stage of pipeline.stages) {
    for (const [outcome, label] of Object.entries(stage.next)) {
      const color = outcome === "gate" ? COLOR.waiting : outcome === "approved" ? COLOR.good : COLOR.other;
      put(label, color, `Baton: ${stage.name} ended with ${outcome}`);
    }
  }
  put(labels.done, COLOR.good, "Baton: merged, lessons recorded");
  put(labels.queued, COLOR.waiting, "Baton: a sub-issue waiting for a task it depends on");
  put(labels.pr, COLOR.other, "A pull request opened by Baton");
  return [...specs.values()];
}

/** Creates the pipeline's labels that the repository lacks; leaves existing ones as people set them. */
export async function ensureRepoLabels(github: GitHub, ref: RepoRef, pipeline: Pipeline): Promise<string[]> {
  const existing = (await github.paginate(github.rest.issues.listLabelsForRepo, {
    owner: ref.owner,
    repo: ref.repo,
    per_page: 100,
  })) as { name: string }[];
  const have = new Set(existing.map((l) => l.name.toLowerCase()));
  const created: string[] = [];
  for (const spec of describePipelineLabels(pipeline)) {
    if (have.has(spec.name.toLowerCase())) continue;
    try {
      await github.rest.issues.createLabel({ owner: ref.owner, repo: ref.repo, ...spec });
      created.push(spec.name);
    } catch (error) {
      // 422 already_exists: another process created it first; that is the outcome we want.
      if ((error as { status?: number }).status !== 422) throw error;
    }
  }
  return created;
}
