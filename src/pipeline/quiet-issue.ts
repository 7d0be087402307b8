import type { IssueRef } from "../github/types.js";
import { keys, type Runtime } from "../runtime.js";

/** Longer than any claim-to-handoff a stage starting from the claim's read can take. */
const TTL_S = 3600;

const key = (rt: Pick<Runtime, "prefix">, ref: IssueRef) => keys.batonCommented(rt, ref.repoId, ref.number);

/**
 * Says Baton is about to comment on an issue outside a stage run (the waiting note). A stage
 * whose claim saw no comment at all skips reading the comments back (there is nothing of
 * Baton's to read: one GitHub call less on an issue's first transition), unless this says
 * Baton commented since.
 */
export async function noteBatonComments(rt: Runtime, ref: IssueRef): Promise<void> {
  await rt.redis.set(key(rt, ref), "1", "EX", TTL_S);
}

export async function batonCommented(rt: Runtime, ref: IssueRef): Promise<boolean> {
  return (await rt.redis.exists(key(rt, ref))) === 1;
}
