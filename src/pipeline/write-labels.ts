import type { Pipeline } from "../config/resolve-pipeline.js";
import { setLabels } from "../github/labels.js";
import type { GitHub, IssueRef } from "../github/types.js";
import { keys, type Runtime } from "../runtime.js";

/**
 * How long a label write is remembered: long enough for GitHub to deliver the `unlabeled`
 * events it causes (seconds), short enough that a later, deliberate removal is not
 * mistaken for one of them.
 */
export const LABEL_WRITE_TTL_S = 10 * 60;
/** How long a person's removal of a label is remembered for the next handoff. */
const REMOVED_BY_PEOPLE_TTL_S = 3600;

export const labelKeys = {
  intents: (rt: Pick<Runtime, "prefix">, ref: IssueRef) => keys.labelIntents(rt, ref.repoId, ref.number),
  writes: (rt: Pick<Runtime, "prefix">, ref: IssueRef) => keys.labelWrites(rt, ref.repoId, ref.number),
  removedByPeople: (rt: Pick<Runtime, "prefix">, ref: IssueRef) => keys.labelsRemovedByPeople(rt, ref.repoId, ref.number),
  quietAdds: (rt: Pick<Runtime, "prefix">, ref: IssueRef) => keys.labelQuietAdds(rt, ref.repoId, ref.number),
};

/** One whole-set write: when the labels it started from were read, and what it wrote. */
export interface LabelWrite {
  readAt: number;
  /** Lower case, like `removed`. */
  after: string[];
  removed: string[];
}

const lower = (labels: string[]) => labels.map((l) => l.toLowerCase());

/**
 * Writes the issue's whole label set in one request (`PUT .../labels`), under the caller's
 * issue lock, from labels read at `readAt`. GitHub has no conditional write, so a label a
 * person added since that read is removed by the PUT; what the write means to remove is
 * recorded first, and restore-clobbered-label.ts puts anything else back when GitHub reports
 * the removal (docs/architecture.md §1). Labels it adds that no stage of `pipeline` consumes
 * (claim labels, a triage's classification) are recorded too: GitHub's `labeled` deliveries
 * for them are dropped at the door (takeQuietAdd) instead of each becoming an intake job
 * that would find nothing to do.
 */
export async function writeLabels(
  rt: Runtime,
  github: GitHub,
  ref: IssueRef,
  pipeline: Pipeline,
  change: { before: string[]; after: string[]; readAt: number },
): Promise<void> {
  const after = [...new Map(change.after.map((l) => [l.toLowerCase(), l])).values()];
  const removing = change.before.filter((l) => !lower(after).includes(l.toLowerCase()));
  const adding = after.filter((l) => !lower(change.before).includes(l.toLowerCase()));
  if (removing.length === 0 && adding.length === 0) return;
  const intents = labelKeys.intents(rt, ref);
  const writes = labelKeys.writes(rt, ref);
  const record: LabelWrite = { readAt: change.readAt, after: lower(after), removed: lower(removing) };
  const multi = rt.redis.multi().lpush(writes, JSON.stringify(record)).ltrim(writes, 0, 19).expire(writes, LABEL_WRITE_TTL_S);
  if (removing.length) multi.sadd(intents, ...lower(removing)).expire(intents, LABEL_WRITE_TTL_S);
  const inputs = new Set(pipeline.stages.map((s) => s.on.toLowerCase()));
  const quiet = lower(adding).filter((l) => !inputs.has(l));
  if (quiet.length) multi.sadd(labelKeys.quietAdds(rt, ref), ...quiet).expire(labelKeys.quietAdds(rt, ref), LABEL_WRITE_TTL_S);
  await multi.exec();
  await setLabels(github, ref, after);
}

/**
 * Whether a bot's `labeled` delivery is for a label Baton's own write added that starts no
 * stage (it is taken off the record: one delivery per add). Intake would drop it: a label
 * is acted on only when a stage's `on` is that label, compared exactly.
 */
export async function takeQuietAdd(rt: Runtime, ref: IssueRef, label: string): Promise<boolean> {
  return (await rt.redis.srem(labelKeys.quietAdds(rt, ref), label.toLowerCase())) === 1;
}

/** Records labels Baton is about to take off one by one (DELETE), so their removal is not put back. */
export async function noteIntendedRemovals(rt: Runtime, ref: IssueRef, labels: string[]): Promise<void> {
  if (!labels.length) return;
  const key = labelKeys.intents(rt, ref);
  await rt.redis
    .multi()
    .sadd(key, ...lower(labels))
    .expire(key, LABEL_WRITE_TTL_S)
    .exec();
}

/** A person took a label off: the next handoff, which writes from an older read, leaves it off. */
export async function noteRemovedByPerson(rt: Runtime, ref: IssueRef, label: string): Promise<void> {
  const key = labelKeys.removedByPeople(rt, ref);
  await rt.redis.multi().sadd(key, label.toLowerCase()).expire(key, REMOVED_BY_PEOPLE_TTL_S).exec();
}

/** What people took off since the claim read the issue (lower case). */
export async function removedByPeople(rt: Runtime, ref: IssueRef): Promise<Set<string>> {
  return new Set(await rt.redis.smembers(labelKeys.removedByPeople(rt, ref)));
}

/** The claim reads the issue fresh: what people took off before that read is in it. */
export async function forgetRemovedByPeople(rt: Runtime, ref: IssueRef): Promise<void> {
  await rt.redis.del(labelKeys.removedByPeople(rt, ref));
}
