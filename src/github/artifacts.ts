import { z } from "zod";
import type { IssueComment } from "./types.js";

/**
 * Artifacts (docs/architecture.md §4): issue comments whose first line is
 * `<!-- baton:artifact stage=<stage> revision=<n> -->`, then readable Markdown, then the
 * machine-readable data in a fenced `json baton` block. The newest artifact of a stage wins.
 */

const HEADER = /^<!-- baton:artifact stage=([a-z][a-z0-9-]*) revision=(\d+) -->/;
const DATA_BLOCK = /\n```json baton\n([\s\S]*?)\n```\s*$/;

/** The machine-readable part every artifact carries. */
export const ArtifactMeta = z
  .object({
    /** The stage job that wrote it: a retry of the same job finds and reuses it. */
    run_id: z.string(),
    kind: z.string(),
    outcome: z.string(),
  })
  .passthrough();
export type ArtifactMeta = z.infer<typeof ArtifactMeta>;

export interface Artifact {
  stage: string;
  revision: number;
  /** The Markdown between the header and the data block, as people may have edited it. */
  markdown: string;
  meta: ArtifactMeta;
  comment: IssueComment;
}

export function artifactMarker(stage: string, revision: number): string {
  return `<!-- baton:artifact stage=${stage} revision=${revision} -->`;
}

export function renderArtifact(stage: string, revision: number, markdown: string, meta: ArtifactMeta): string {
  return `${artifactMarker(stage, revision)}\n${markdown.trim()}\n\n\`\`\`json baton\n${JSON.stringify(meta, null, 2)}\n\`\`\`\n`;
}

/** Parses a comment; undefined when it is not an artifact or its data block is unreadable. */
export function parseArtifact(comment: IssueComment): Artifact | undefined {
  const body = (comment.body ?? "").replace(/\r\n/g, "\n");
  const header = HEADER.exec(body);
  if (!header) return undefined;
  const data = DATA_BLOCK.exec(body);
  let meta: ArtifactMeta | undefined;
  try {
    meta = data ? ArtifactMeta.parse(JSON.parse(data[1] ?? "")) : undefined;
  } catch {
    meta = undefined;
  }
  if (!meta) return undefined;
  const end = data ? data.index : body.length;
  return {
    stage: header[1] ?? "",
    revision: Number(header[2]),
    markdown: body.slice(header[0].length, end).trim(),
    meta,
    comment,
  };
}

/** Every artifact of a stage, oldest first. */
export function findArtifacts(comments: IssueComment[], stage: string): Artifact[] {
  return comments.map(parseArtifact).filter((a): a is Artifact => a !== undefined && a.stage === stage);
}

/** The newest artifact of a stage: the highest revision, then the latest comment. */
export function findLatestArtifact(comments: IssueComment[], stage: string): Artifact | undefined {
  return findArtifacts(comments, stage).reduce<Artifact | undefined>((best, a) => (!best || a.revision >= best.revision ? a : best), undefined);
}
