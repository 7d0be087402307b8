import { findLatestArtifact, type Artifact } from "../github/artifacts.js";
import type { IssueComment } from "../github/types.js";
import { readArtifactData } from "./read-artifact-data.js";

/** The heading of a spec's acceptance criteria: the design stage writes it, readers find the list under it. */
export const CRITERIA_HEADING = "### Acceptance criteria";

/** The spec a later stage works from: the newest design artifact as people left it. */
export interface Spec {
  artifact: Artifact;
  markdown: string;
  criteria: string[];
}

/**
 * Reads the spec back from the issue (docs/architecture.md §1 invariant 4). Acceptance criteria come from
 * the Markdown list under the heading, so a person's edit counts; the data block is the fallback.
 */
export function readSpec(comments: IssueComment[], stageName = "design"): Spec | undefined {
  const artifact = findLatestArtifact(comments, stageName);
  if (!artifact) return undefined;
  const section = artifact.markdown.split(CRITERIA_HEADING)[1]?.split(/\n#{1,3} /)[0] ?? "";
  const fromText = [...section.matchAll(/^\s*[-*] (?:\[[ xX]\] )?(.+)$/gm)].map((m) => (m[1] ?? "").trim()).filter(Boolean);
  const fromData = readArtifactData(artifact, "design")?.acceptance_criteria ?? [];
  return { artifact, markdown: artifact.markdown, criteria: fromText.length ? fromText : fromData };
}
