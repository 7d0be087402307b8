import MiniSearch from "minisearch";
import type { Artifact } from "../github/artifacts.js";
import type { GitHub, IssueComment, RepoRef } from "../github/types.js";
import type { Runtime } from "../runtime.js";
import { keys } from "../runtime.js";
import { ownArtifacts } from "./own-artifacts.js";
import { words } from "./words.js";

/** One searchable entry: a lesson, a spec or a review verdict Baton wrote on an issue. */
export interface KnowledgeDoc {
  id: string;
  kind: "lesson" | "spec" | "verdict";
  issue: number;
  /** The artifact comment, cited wherever the entry is shown. */
  url: string;
  text: string;
  /** Paths and topics, searchable with a boost. */
  areas: string;
}

const OPTIONS = {
  fields: ["text", "areas"],
  storeFields: ["kind", "issue", "url", "text", "areas"],
  // Paths arrive as `src/greet.js`: index their words, like the issue text's.
  tokenize: (text: string) => words(text),
  searchOptions: { boost: { areas: 2 }, tokenize: (text: string) => words(text) },
};

const issueOf = (url: string) => Number(/\/issues\/(\d+)/.exec(url)?.[1] ?? 0);

/** The entries one issue's artifacts give: each lesson, the newest spec, each verdict. */
export function docsOf(artifacts: Artifact[]): KnowledgeDoc[] {
  const docs: KnowledgeDoc[] = [];
  for (const a of artifacts) {
    const base = { issue: issueOf(a.comment.html_url), url: a.comment.html_url };
    if (a.meta.kind === "lessons" && Array.isArray(a.meta.lessons)) {
      (a.meta.lessons as { kind: string; text: string; areas?: string[] }[]).forEach((l, i) =>
        docs.push({ ...base, id: `${a.comment.id}-${i}`, kind: "lesson", text: `${l.kind}: ${l.text}`, areas: (l.areas ?? []).join(" ") }),
      );
    } else if (a.meta.kind === "design") {
      docs.push({ ...base, id: String(a.comment.id), kind: "spec", text: a.markdown.slice(0, 4000), areas: ((a.meta.files as string[] | undefined) ?? []).join(" ") });
    } else if (a.meta.kind === "review") {
      docs.push({ ...base, id: String(a.comment.id), kind: "verdict", text: a.markdown.slice(0, 4000), areas: "" });
    }
  }
  return docs;
}

/**
 * A repository's knowledge: lessons, specs and verdicts from the app's own artifacts,
 * full-text indexed with MiniSearch (small, maintained, and its index serialises to JSON,
 * so it lives in Redis). Redis is only a cache: a lost index is rebuilt from GitHub.
 */
export class KnowledgeIndex {
  private constructor(private readonly search: MiniSearch<KnowledgeDoc>) {}

  static fromDocs(docs: KnowledgeDoc[]): KnowledgeIndex {
    const search = new MiniSearch<KnowledgeDoc>(OPTIONS);
    search.addAll(docs);
    return new KnowledgeIndex(search);
  }

  static fromJson(json: string): KnowledgeIndex {
    return new KnowledgeIndex(MiniSearch.loadJSON<KnowledgeDoc>(json, OPTIONS));
  }

  get size(): number {
    return this.search.documentCount;
  }

  /** Adds (or replaces) entries. */
  add(docs: KnowledgeDoc[]): void {
    for (const doc of docs) {
      if (this.search.has(doc.id)) this.search.discard(doc.id);
      this.search.add(doc);
    }
  }

  find(query: string, options: { kind?: KnowledgeDoc["kind"]; excludeIssue?: number; limit: number }): (KnowledgeDoc & { score: number })[] {
    return this.search
      .search(query, { filter: (r) => (!options.kind || r.kind === options.kind) && r.issue !== options.excludeIssue })
      .slice(0, options.limit)
      .map((r) => ({ id: String(r.id), kind: r.kind, issue: r.issue, url: r.url, text: r.text, areas: r.areas, score: r.score }));
  }

  toJson(): string {
    return JSON.stringify(this.search);
  }
}

/** Every comment of the repository, oldest first: one request per 100 comments, not one per issue. */
async function listRepoComments(github: GitHub, ref: Pick<RepoRef, "owner" | "repo">): Promise<IssueComment[]> {
  return (await github.paginate(github.rest.issues.listCommentsForRepo, { owner: ref.owner, repo: ref.repo, per_page: 100 })) as IssueComment[];
}

/** The repository's index from Redis, or rebuilt from the app's artifacts on GitHub (and cached). */
export async function loadKnowledge(rt: Runtime, github: GitHub, ref: Pick<RepoRef, "repoId" | "owner" | "repo">): Promise<{ index: KnowledgeIndex; rebuilt: boolean }> {
  const json = await rt.redis.get(keys.knowledge(rt, ref.repoId));
  if (json) return { index: KnowledgeIndex.fromJson(json), rebuilt: false };
  const artifacts = ownArtifacts(await listRepoComments(github, ref), await rt.appIdentity());
  const index = KnowledgeIndex.fromDocs(docsOf(artifacts));
  await rt.redis.set(keys.knowledge(rt, ref.repoId), index.toJson());
  rt.log.info({ repo: `${ref.owner}/${ref.repo}`, docs: index.size }, "knowledge index rebuilt from GitHub");
  return { index, rebuilt: true };
}

/** After a merge: the issue's artifacts join the index. */
export async function addToKnowledge(rt: Runtime, github: GitHub, ref: Pick<RepoRef, "repoId" | "owner" | "repo">, comments: IssueComment[]): Promise<void> {
  const { index, rebuilt } = await loadKnowledge(rt, github, ref);
  if (rebuilt) return; // A rebuild read every comment, these included.
  index.add(docsOf(ownArtifacts(comments, await rt.appIdentity())));
  await rt.redis.set(keys.knowledge(rt, ref.repoId), index.toJson());
}
