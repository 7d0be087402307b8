import type { IssueRef } from "../github/types.js";
import { keys, type Runtime } from "../runtime.js";
import type { IntakeJob } from "./job-data.js";

/** A hold is forgotten after a day: the issue goes on when someone (or the reconciler) next looks. */
const HOLD_TTL_S = 24 * 3600;

/**
 * `baton run --to STAGE`: the issue stops at that stage's output labels even when Baton is
 * running elsewhere. Baton's own handoff (and the reconciler's sweep) does not claim a held
 * label; a person applying it, or a command, lifts the hold and goes on.
 */
export async function holdIssueAt(rt: Runtime, ref: IssueRef, labels: string[]): Promise<void> {
  await rt.redis.set(keys.hold(rt, ref.repoId, ref.number), JSON.stringify(labels), "EX", HOLD_TTL_S);
}

/** True when the request is Baton's own move onto a held label; a person's request lifts the hold. */
export async function isHeld(rt: Runtime, data: IntakeJob): Promise<boolean> {
  const key = keys.hold(rt, data.issue.repoId, data.issue.number);
  const held = JSON.parse((await rt.redis.get(key)) ?? "[]") as string[];
  if (!held.includes(data.label) || data.source === "cli") return false;
  const ownMove = data.source === "reconcile" || (data.source === "webhook" && data.sender.login === (await rt.appIdentity()).botLogin);
  if (!ownMove) await rt.redis.del(key);
  return ownMove;
}
