import { LRUCache } from "lru-cache";
import { randomUUID } from "node:crypto";
import MiniSearch from "minisearch";
import { z } from "zod";
import type { Artifact } from "../github/artifacts.js";
import type { GitHub, IssueComment, RepoRef } from "../github/types.js";
import type { Runtime } from "../runtime.js";
import { keys } from "../runtime.js";
import { ownArtifacts } from "./own-artifacts.js";
import { words } from "./words.js";

/** One searchable entry: a lesson, a spec or a review verdict Baton wrote on an issue. */
export const KnowledgeDoc = z.object({
  id: z.string(),
  kind: z.enum(["lesson", "spec", "verdict"]),
  issue: z.number().int(),
  /** The artifact comment, cited wherever the entry is shown. */
  url: z.string(),
  text: z.string(),
  /** Paths and topics, searchable with a boost. */
  areas: z.string(),
});
export type KnowledgeDoc = z.infer<typeof KnowledgeDoc>;

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
      docs.push({
        ...base,
        id: String(a.comment.id),
        kind: "spec",
        text: a.markdown.slice(0, 4000),
        areas: ((a.meta.files as string[] | undefined) ?? []).join(" "),
      });
    } else if (a.meta.kind === "review") {
      docs.push({ ...base, id: String(a.comment.id), kind: "verdict", text: a.markdown.slice(0, 4000), areas: "" });
    }
  }
  return docs;
}

/**
 * A repository's knowledge: lessons, specs and verdicts from the app's own artifacts,
 * full-text indexed with MiniSearch (small, maintained, dependency-free). Redis keeps the
 * entries, not the index: see `loadKnowledge`.
 */
export class KnowledgeIndex {
  private constructor(private readonly search: MiniSearch<KnowledgeDoc>) {}

  static fromDocs(docs: KnowledgeDoc[]): KnowledgeIndex {
    const search = new MiniSearch<KnowledgeDoc>(OPTIONS);
    search.addAll(docs);
    return new KnowledgeIndex(search);
  }

  get size(): number {
    return this.search.documentCount;
  }

  find(query: string, options: { kind?: KnowledgeDoc["kind"]; excludeIssue?: number; limit: number }): (KnowledgeDoc & { score: number })[] {
    return this.search
      .search(query, { filter: (r) => (!options.kind || r.kind === options.kind) && r.issue !== options.excludeIssue })
      .slice(0, options.limit)
      .map((r) => ({ id: String(r.id), kind: r.kind, issue: r.issue, url: r.url, text: r.text, areas: r.areas, score: r.score }));
  }
}

/** Every comment of the repository, oldest first: one request per 100 comments, not one per issue. */
async function listRepoComments(github: GitHub, ref: Pick<RepoRef, "owner" | "repo">): Promise<IssueComment[]> {
  return (await github.paginate(github.rest.issues.listCommentsForRepo, { owner: ref.owner, repo: ref.repo, per_page: 100 })) as IssueComment[];
}

/**
 * Fields of the hash that are not entries. `_complete` says it was rebuilt from GitHub: a
 * hash without it (Redis lost the key, then a merge added its own entries) is rebuilt again,
 * and an empty repository's index is still an index. `_version` changes with every write.
 */
const COMPLETE = "_complete";
const VERSION = "_version";

/**
 * Indexes this process built, by hash key, with the `_version` they were built at: MiniSearch
 * takes ~7 times longer to index entries than to load a serialised index (bench/README.md),
 * so a repository's index is built again only after a write. A few repositories' worth.
 */
const built = new LRUCache<string, { version: string; index: KnowledgeIndex }>({ max: 20 });

/**
 * Stores entries: one hash field per entry and a new `_version`, all in one HSET, which Redis
 * applies atomically. Two writers at once (two merges, a merge during a rebuild) each add
 * their fields and lose nobody's, where rewriting one serialised index was read-modify-write
 * and lost an update.
 */
async function storeDocs(rt: Runtime, key: string, docs: KnowledgeDoc[], complete = false): Promise<void> {
  const fields = docs.flatMap((d) => [d.id, JSON.stringify(d)]);
  if (complete) fields.push(COMPLETE, new Date().toISOString());
  await rt.redis.hset(key, ...fields, VERSION, randomUUID());
}

/** The hash's `_complete` and `_version`; a key an older Baton stored as one string is deleted (it is rebuilt). */
async function readState(rt: Runtime, key: string): Promise<{ complete: boolean; version?: string }> {
  try {
    const [complete, version] = await rt.redis.hmget(key, COMPLETE, VERSION);
    return { complete: complete !== null, version: version ?? undefined };
  } catch (error) {
    if (!String(error).includes("WRONGTYPE")) throw error;
    await rt.redis.del(key);
    return { complete: false };
  }
}

/** The index of the stored entries: the one this process built at this version, else built from the hash. */
async function indexOfStored(rt: Runtime, key: string, version: string | undefined): Promise<KnowledgeIndex> {
  const held = built.get(key);
  if (held && version !== undefined && held.version === version) return held.index;
  const docs = Object.entries(await rt.redis.hgetall(key)).flatMap(([field, json]) => {
    if (field === COMPLETE || field === VERSION) return [];
    const parsed = KnowledgeDoc.safeParse(JSON.parse(json));
    return parsed.success ? [parsed.data] : [];
  });
  const index = KnowledgeIndex.fromDocs(docs);
  // A write between the two reads only makes the next load build again.
  if (version !== undefined) built.set(key, { version, index });
  return index;
}

/**
 * The repository's index: from the entries in Redis (built again only after a write), or
 * rebuilt from the app's artifacts on GitHub (and stored) when Redis does not have them all.
 */
export async function loadKnowledge(
  rt: Runtime,
  github: GitHub,
  ref: Pick<RepoRef, "repoId" | "owner" | "repo">,
): Promise<{ index: KnowledgeIndex; rebuilt: boolean }> {
  const key = keys.knowledge(rt, ref.repoId);
  const state = await readState(rt, key);
  if (state.complete) return { index: await indexOfStored(rt, key, state.version), rebuilt: false };
  const docs = docsOf(ownArtifacts(await listRepoComments(github, ref), await rt.appIdentity()));
  await storeDocs(rt, key, docs, true);
  rt.log.info({ repo: `${ref.owner}/${ref.repo}`, docs: docs.length }, "knowledge index rebuilt from GitHub");
  // Entries another writer added meanwhile are in Redis too: the next load sees them.
  return { index: KnowledgeIndex.fromDocs(docs), rebuilt: true };
}

/** After a merge: the issue's artifacts join the index (or, when Redis lost it, the rebuild reads them with every other). */
export async function addToKnowledge(rt: Runtime, github: GitHub, ref: Pick<RepoRef, "repoId" | "owner" | "repo">, comments: IssueComment[]): Promise<void> {
  const key = keys.knowledge(rt, ref.repoId);
  if (!(await readState(rt, key)).complete) {
    await loadKnowledge(rt, github, ref);
    return;
  }
  await storeDocs(rt, key, docsOf(ownArtifacts(comments, await rt.appIdentity())));
}
